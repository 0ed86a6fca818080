import type { Frame, Socket } from "../core/socket.ts";
import { Service } from "../core/service.ts";
import { badValue, ZmqError, zmqError } from "../core/errors.ts";
import { checkSignal } from "../core/_util.ts";

/** Options for {@linkcode MonitoredQueue}. */
export interface MonitoredQueueOptions {
  /** Prefix frame of messages that came in on the in socket. Default `"in"`. */
  inPrefix?: Frame;
  /** Prefix frame of messages that came in on the out socket. Default `"out"`. */
  outPrefix?: Frame;
  /** Stops the queue when aborted (as {@linkcode MonitoredQueue.stop} does). */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

function prefixFrame(value: Frame | undefined, fallback: string, name: string): Uint8Array {
  if (value === undefined) return encoder.encode(fallback);
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw badValue(`MonitoredQueue: ${name} must be a string or Uint8Array`, {
    op: "MonitoredQueue",
  });
}

function isEnd(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  return error instanceof ZmqError && (error.code === "ECLOSED" || error.code === "ETERM");
}

/**
 * pyzmq's `monitored_queue`: relays messages both ways between `inSocket` and `outSocket` and
 * publishes a copy of each on `monSocket`, prefixed with `inPrefix` (messages from the in
 * socket) or `outPrefix` (from the out socket). When both sockets are ROUTERs, the first two
 * frames (the routing ids) are swapped, as pyzmq does, so that a reply finds its way back.
 *
 * It runs on the JS thread through the async reactor (both directions at once), so the sockets
 * stay usable from JS. A {@linkcode Service}: relaying once constructed, `stop()` ends it
 * without closing the sockets and resolves once both directions have ended, `done` settles
 * then (or rejects if relaying failed), `await using` stops it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MonitoredQueue } from "../mod.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("ROUTER");
 * using backend = ctx.socket("DEALER");
 * using mon = ctx.socket("PUB");
 * using client = ctx.socket("REQ");
 * using server = ctx.socket("REP");
 * using watcher = ctx.socket("SUB");
 * frontend.bind("inproc://mq-doc-in");
 * backend.bind("inproc://mq-doc-out");
 * mon.bind("inproc://mq-doc-mon");
 * watcher.subscribe("");
 * watcher.connect("inproc://mq-doc-mon");
 * client.connect("inproc://mq-doc-in");
 * server.connect("inproc://mq-doc-out");
 * await using queue = new MonitoredQueue(frontend, backend, mon);
 * await client.send("Hello");
 * assert.equal(await server.recvString({ timeout: 5000 }), "Hello");
 * const [prefix] = await watcher.recvMultipart({ timeout: 5000 });
 * assert.equal(new TextDecoder().decode(prefix), "in"); // a copy, prefixed with its side
 * ```
 */
export class MonitoredQueue extends Service {
  #controller = new AbortController();
  #onAbort?: () => void;
  #signal?: AbortSignal;
  #relays: Promise<void>;

  /**
   * Starts relaying at once.
   *
   * @param inSocket The in (frontend) socket.
   * @param outSocket The out (backend) socket.
   * @param monSocket The socket (usually PUB) that gets a prefixed copy of every message.
   * @param options The prefixes, and a signal that stops the queue.
   * @throws {ZmqError} `EBADVALUE` for a socket that is not a Socket or a prefix that is not a
   * string or bytes.
   */
  constructor(
    inSocket: Socket,
    outSocket: Socket,
    monSocket: Socket,
    options: MonitoredQueueOptions = {},
  ) {
    super("MonitoredQueue");
    for (const [name, s] of [["in", inSocket], ["out", outSocket], ["mon", monSocket]] as const) {
      if (s === null || typeof s !== "object" || typeof s.recvMultipart !== "function") {
        throw badValue(`MonitoredQueue: ${name} socket must be a Socket`, {
          op: "MonitoredQueue",
        });
      }
    }
    if (inSocket === outSocket || monSocket === inSocket || monSocket === outSocket) {
      // one socket in two roles relays every message back into itself
      throw zmqError("EINVAL", "MonitoredQueue: in, out and mon must be three sockets", {
        op: "MonitoredQueue",
      });
    }
    if (options === null || typeof options !== "object") {
      throw badValue("MonitoredQueue: options must be an object", { op: "MonitoredQueue" });
    }
    checkSignal(options.signal, { op: "MonitoredQueue", option: "signal" });
    const inPrefix = prefixFrame(options.inPrefix, "in", "inPrefix");
    const outPrefix = prefixFrame(options.outPrefix, "out", "outPrefix");
    const swapIds = inSocket.type === "ROUTER" && outSocket.type === "ROUTER";
    const signal = this.#controller.signal;
    if (options.signal) {
      this.#signal = options.signal;
      this.#onAbort = () => this.#controller.abort(options.signal!.reason);
      if (options.signal.aborted) this.#onAbort();
      else options.signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    const relay = async (from: Socket, to: Socket, prefix: Uint8Array) => {
      try {
        while (!signal.aborted) {
          const frames = await from.recvMultipart({ signal });
          if (swapIds && frames.length >= 2) [frames[0], frames[1]] = [frames[1], frames[0]];
          // the monitor first: it sees a request before its reply can exist
          await monSocket.sendMultipart([prefix, ...frames], { signal });
          await to.sendMultipart(frames, { signal });
        }
      } catch (error) {
        if (!isEnd(error, signal)) {
          this.#controller.abort(error);
          throw error;
        }
      }
    };
    this.#relays = Promise.all([
      relay(inSocket, outSocket, inPrefix),
      relay(outSocket, inSocket, outPrefix),
    ]).then(() => {}).finally(() => {
      if (this.#onAbort) this.#signal?.removeEventListener("abort", this.#onAbort);
    });
    // relaying ends by itself when it fails, the sockets close or the caller's signal aborts
    this.#relays.then(() => this.ended(), (error) => this.ended(error));
    this.markStarted();
  }

  /** Stops relaying and waits until both directions have ended (the {@linkcode Service} contract). */
  protected override async onStop(): Promise<void> {
    this.#controller.abort(new DOMException("MonitoredQueue stopped", "AbortError"));
    await this.#relays;
  }
}

/**
 * Starts a {@linkcode MonitoredQueue} (pyzmq's `zmq.devices.monitored_queue`).
 *
 * @param inSocket The in (frontend) socket.
 * @param outSocket The out (backend) socket.
 * @param monSocket The socket that gets a prefixed copy of every message.
 * @param options The prefixes, and a signal that stops the queue.
 * @returns The running queue.
 * @throws {ZmqError} As the {@linkcode MonitoredQueue} constructor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, monitoredQueue } from "../mod.ts";
 * using ctx = new Context();
 * using front = ctx.socket("ROUTER");
 * using back = ctx.socket("DEALER");
 * using mon = ctx.socket("PUB");
 * const queue = monitoredQueue(front, back, mon, { inPrefix: "request", outPrefix: "reply" });
 * await queue.stop();
 * await queue.done; // stopped, not failed
 * assert.equal(queue.running, false);
 * ```
 */
export function monitoredQueue(
  inSocket: Socket,
  outSocket: Socket,
  monSocket: Socket,
  options: MonitoredQueueOptions = {},
): MonitoredQueue {
  return new MonitoredQueue(inSocket, outSocket, monSocket, options);
}
