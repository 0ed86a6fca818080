/**
 * Devices: libzmq's proxy steered from JS ({@linkcode SteerableProxy}), the tutorial's QUEUE,
 * FORWARDER and STREAMER devices, a {@linkcode MonitoredQueue}, and background devices that
 * run in a Web Worker from socket types ({@linkcode BackgroundDevice}).
 *
 * @module
 */
export {
  type ProxyCommandOptions,
  type ProxyOptions,
  type ProxyState,
  type ProxyStatistics,
  type SideStatistics,
  startProxy,
  SteerableProxy,
} from "./steerable_proxy.ts";
export {
  Device,
  DEVICE_SOCKETS,
  type DeviceKind,
  type DeviceOptions,
  isSocketType,
  startDevice,
  startForwarder,
  startQueue,
  startStreamer,
} from "./device.ts";
export { MonitoredQueue, monitoredQueue, type MonitoredQueueOptions } from "./monitored_queue.ts";
export {
  BackgroundDevice,
  type BackgroundDeviceOptions,
  type BackgroundKind,
  BackgroundMonitoredQueue,
  type OptionValue,
} from "./background.ts";
