/**
 * Devices: libzmq's proxy steered from JS ({@linkcode Proxy}), the tutorial's QUEUE,
 * FORWARDER and STREAMER devices, a {@linkcode MonitoredQueue}, and background devices that
 * run in a Web Worker from socket types ({@linkcode BackgroundDevice}).
 *
 * @module
 */
export { ProxyLease, type ProxySockets, proxySteerable } from "../core/proxy.ts";
export {
  Proxy,
  type ProxyOptions,
  type ProxyState,
  type ProxyStatistics,
  type SideStatistics,
  startProxy,
} from "./proxy.ts";
