import { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { SOCKET_TYPES, type SocketType } from "../core/constants.ts";
import { Service } from "../core/service.ts";
import { badValue, zmqError } from "../core/errors.ts";
import { type ProxyStatistics, SteerableProxy } from "./steerable_proxy.ts";
import { closeAfterUnbind } from "../core/_util.ts";

/**
 * The tutorial's three devices: QUEUE (ROUTER/DEALER request-reply broker), FORWARDER
 * (SUB/PUB hub, filtering off) and STREAMER (PULL/PUSH pipeline broker).
 */
export type DeviceKind = "QUEUE" | "FORWARDER" | "STREAMER";

/**
 * The frontend and backend socket types of each device kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEVICE_SOCKETS } from "../mod.ts";
 * assert.deepEqual(DEVICE_SOCKETS.QUEUE, ["ROUTER", "DEALER"]);
 * ```
 */
export const DEVICE_SOCKETS: Readonly<Record<DeviceKind, readonly [SocketType, SocketType]>> = {
  QUEUE: ["ROUTER", "DEALER"],
  FORWARDER: ["SUB", "PUB"],
  STREAMER: ["PULL", "PUSH"],
};

/** Where a device listens. */
export interface DeviceOptions {
  /** Endpoint(s) the frontend binds, e.g. `tcp://*:5559`. */
  frontend: string | string[];
  /** Endpoint(s) the backend binds, e.g. `tcp://*:5560`. */
  backend: string | string[];
  /** Connect instead of bind (both sides). Default false: bind, as the tutorial does. */
  connect?: boolean;
  /** Endpoint a PUB capture socket binds; it receives a copy of every frame. */
  capture?: string;
  /** The context to open the sockets on; default: a new one, closed with the device. */
  context?: Context;
}

/**
 * A device running on libzmq's proxy: its sockets and the {@linkcode SteerableProxy} that steers
 * it. A {@linkcode Service}: running once {@linkcode startDevice} returns it, `stop()` ends the
 * proxy and closes what the device opened (its context too if it made one), `done` settles
 * then (or rejects if libzmq's proxy failed), `await using` stops it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startDevice } from "../mod.ts";
 * await using device = startDevice("QUEUE", {
 *   frontend: "inproc://device-doc-front",
 *   backend: "inproc://device-doc-back",
 * });
 * assert.equal(device.running, true);
 * assert.deepEqual([device.frontend.type, device.backend.type], ["ROUTER", "DEALER"]);
 * ```
 */
export class Device extends Service {
  /** The device kind. */
  readonly kind: DeviceKind;
  /** The proxy (pause, resume, statistics). */
  readonly proxy: SteerableProxy;
  /** The frontend socket (owned by the proxy until stopped). */
  readonly frontend: Socket;
  /** The backend socket (owned by the proxy until stopped). */
  readonly backend: Socket;
  /** The capture socket, if any. */
  readonly capture?: Socket;
  #context: Context;
  #ownContext: boolean;
  #bound: [Socket, string][];

  /** @internal Use {@linkcode startDevice}. */
  constructor(
    kind: DeviceKind,
    parts: {
      context: Context;
      own: boolean;
      frontend: Socket;
      backend: Socket;
      capture?: Socket;
      bound: [Socket, string][];
    },
  ) {
    super("Device");
    this.#bound = parts.bound;
    this.kind = kind;
    this.#context = parts.context;
    this.#ownContext = parts.own;
    this.frontend = parts.frontend;
    this.backend = parts.backend;
    this.capture = parts.capture;
    this.proxy = new SteerableProxy(parts.frontend, parts.backend, { capture: parts.capture });
    this.proxy.done.catch((error) => this.ended(error)); // libzmq's proxy failed by itself
    this.markStarted();
  }

  /**
   * What passed each socket: libzmq's counts while the device runs, the final ones once it
   * was stopped.
   *
   * @returns The frontend's and the backend's counts.
   * @throws {ZmqError} Rejects with the failure of libzmq's proxy, if it failed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { startDevice } from "../mod.ts";
   * const device = startDevice("STREAMER", {
   *   frontend: "inproc://device-statistics-in",
   *   backend: "inproc://device-statistics-out",
   * });
   * await device.stop();
   * assert.equal((await device.statistics()).frontend.messagesIn, 0);
   * ```
   */
  statistics(): Promise<ProxyStatistics> {
    return this.proxy.statistics();
  }

  /** Stops the proxy, closes the device's sockets and its own context (the {@linkcode Service} contract). */
  protected override async onStop(): Promise<void> {
    try {
      await this.proxy.stop();
    } finally {
      closeAfterUnbind([this.frontend, this.backend, this.capture], this.#bound);
      if (this.#ownContext) await this.#context.terminate();
    }
  }
}

function endpoints(value: unknown, name: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((e) => typeof e !== "string" || e === "")) {
    throw badValue(
      `${name} must be an endpoint like "tcp://*:5559" or a non-empty list of them; got ${
        JSON.stringify(value)
      }`,
      { op: "start device" },
    );
  }
  return list as string[];
}

/**
 * Opens a device's two sockets, binds them and starts libzmq's proxy between them. A bind
 * failure (`EADDRINUSE`, say) throws a ZmqError naming the endpoint and leaves nothing open.
 *
 * @param kind `"QUEUE"`, `"FORWARDER"` or `"STREAMER"`.
 * @param options Where the sockets bind (or connect), a capture endpoint, a context.
 * @returns The running device.
 * @throws {ZmqError} `EINVAL` for an unknown kind, `EBADVALUE` for options that are not an
 * object or endpoints that are not strings, libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, startDevice } from "../mod.ts";
 * await using ctx = new Context();
 * await using device = startDevice("STREAMER", {
 *   frontend: "inproc://start-device-in",
 *   backend: "inproc://start-device-out",
 *   context: ctx,
 * });
 * using producer = ctx.socket("PUSH");
 * using worker = ctx.socket("PULL");
 * producer.connect("inproc://start-device-in");
 * worker.connect("inproc://start-device-out");
 * await producer.send("task");
 * assert.equal(await worker.recvString({ timeout: 5000 }), "task");
 * ```
 */
export function startDevice(kind: DeviceKind, options: DeviceOptions): Device {
  if (!Object.hasOwn(DEVICE_SOCKETS, kind)) {
    throw zmqError(
      "EINVAL",
      `Unknown device ${JSON.stringify(kind)}; expected QUEUE, FORWARDER or STREAMER`,
      { op: "start device" },
    );
  }
  if (options === null || typeof options !== "object") {
    throw badValue("startDevice: options must be an object with frontend and backend", {
      op: "start device",
    });
  }
  const front = endpoints(options.frontend, "frontend");
  const back = endpoints(options.backend, "backend");
  const own = options.context === undefined;
  const context = options.context ?? new Context();
  const opened: Socket[] = [];
  const bound: [Socket, string][] = [];
  try {
    const open = (type: SocketType, where: string[], connect: boolean) => {
      const s = context.socket(type);
      opened.push(s);
      for (const e of where) {
        if (connect) s.connect(e);
        else {
          s.bind(e);
          bound.push([s, e]);
        }
      }
      return s;
    };
    const [ft, bt] = DEVICE_SOCKETS[kind];
    const frontend = open(ft, front, options.connect === true);
    if (ft === "SUB") frontend.subscribe("");
    const backend = open(bt, back, options.connect === true);
    const capture = options.capture === undefined
      ? undefined
      : open("PUB", endpoints(options.capture, "capture"), false);
    return new Device(kind, { context, own, frontend, backend, capture, bound });
  } catch (error) {
    closeAfterUnbind(opened, bound);
    if (own) context.close();
    throw error;
  }
}

/**
 * Starts a QUEUE device: clients' REQ sockets connect to the ROUTER frontend, servers' REP
 * sockets to the DEALER backend; requests are spread over the servers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, startQueue } from "../mod.ts";
 * using ctx = new Context(); // shared with the device, for inproc
 * const queue = startQueue({ context: ctx, frontend: "inproc://q-front", backend: "inproc://q-back" });
 * using server = ctx.socket("REP");
 * server.connect("inproc://q-back");
 * using client = ctx.socket("REQ");
 * client.connect("inproc://q-front");
 * await client.send("Hello");
 * assert.equal(await server.recvString(), "Hello");
 * await server.send("World");
 * assert.equal(await client.recvString(), "World");
 * await queue.stop();
 * ```
 *
 * @param options The `frontend` and `backend` endpoints (bound, or `{ connect }`), a `context`.
 * @returns The running device: `stop()` ends it, `done` settles then.
 * @throws {ZmqError} `EBADVALUE` for bad options, the bind's error for an endpoint in use.
 */
export function startQueue(options: DeviceOptions): Device {
  return startDevice("QUEUE", options);
}

/**
 * Starts a FORWARDER device: publishers connect to the SUB frontend (subscribed to
 * everything), subscribers to the PUB backend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, startForwarder } from "../mod.ts";
 * using ctx = new Context();
 * const hub = startForwarder({ context: ctx, frontend: "inproc://f-in", backend: "inproc://f-out" });
 * using publisher = ctx.socket("PUB");
 * publisher.connect("inproc://f-in");
 * using subscriber = ctx.socket("SUB");
 * subscriber.connect("inproc://f-out");
 * subscriber.subscribe("weather");
 * let received: string | undefined; // subscriptions travel up through the hub: publish until one lands
 * for (let round = 0; round < 500 && received === undefined; round++) {
 *   await publisher.send("weather sunny");
 *   received = await subscriber.recvString({ timeout: 10 }).catch(() => undefined);
 * }
 * assert.equal(received, "weather sunny");
 * await hub.stop();
 * ```
 *
 * @param options The `frontend` and `backend` endpoints, a `context`.
 * @returns The running device.
 * @throws {ZmqError} `EBADVALUE` for bad options, the bind's error for an endpoint in use.
 */
export function startForwarder(options: DeviceOptions): Device {
  return startDevice("FORWARDER", options);
}

/**
 * Starts a STREAMER device: task producers' PUSH sockets connect to the PULL frontend,
 * workers' PULL sockets to the PUSH backend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, startStreamer } from "../mod.ts";
 * using ctx = new Context();
 * const streamer = startStreamer({ context: ctx, frontend: "inproc://s-in", backend: "inproc://s-out" });
 * using producer = ctx.socket("PUSH");
 * producer.connect("inproc://s-in");
 * using worker = ctx.socket("PULL");
 * worker.connect("inproc://s-out");
 * await producer.send("task 1");
 * assert.equal(await worker.recvString(), "task 1");
 * await streamer.stop();
 * ```
 *
 * @param options The `frontend` and `backend` endpoints, a `context`.
 * @returns The running device.
 * @throws {ZmqError} `EBADVALUE` for bad options, the bind's error for an endpoint in use.
 */

export function startStreamer(options: DeviceOptions): Device {
  return startDevice("STREAMER", options);
}

/**
 * Checks a socket type name given as text (for configurations read from flags or JSON).
 *
 * @param value Text from flags or JSON, say.
 * @returns Whether it is a socket type name (aliases such as `"XREP"` are not).
 */
export function isSocketType(value: unknown): value is SocketType {
  return typeof value === "string" && Object.hasOwn(SOCKET_TYPES, value);
}
