import type { Frame, Socket } from "../core/socket.ts";
import { badValue, ZmqError } from "../core/errors.ts";

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
 * stay usable from JS; {@linkcode MonitoredQueue.stop} ends it without closing them.
 *
 * @example
 * ```ts
 * import { Context, MonitoredQueue } from "../mod.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("ROUTER");
 * using backend = ctx.socket("DEALER");
 * using mon = ctx.socket("PUB");
 * frontend.bind("inproc://mq-doc-in");
 * backend.bind("inproc://mq-doc-out");
 * mon.bind("inproc://mq-doc-mon");
 * const queue = new MonitoredQueue(frontend, backend, mon);
 * await queue.stop();
 * ```
 */
export class MonitoredQueue {
  /** Resolves when the queue has stopped; rejects if relaying failed. */
  readonly done: Promise<void>;
  #controller = new AbortController();
  #onAbort?: () => void;
  #signal?: AbortSignal;

  /** Starts relaying at once. */
  constructor(
    inSocket: Socket,
    outSocket: Socket,
    monSocket: Socket,
    options: MonitoredQueueOptions = {},
  ) {
    for (const [name, s] of [["in", inSocket], ["out", outSocket], ["mon", monSocket]] as const) {
      if (s === null || typeof s !== "object" || typeof s.recvMultipart !== "function") {
        throw badValue(`MonitoredQueue: ${name} socket must be a Socket`, {
          op: "MonitoredQueue",
        });
      }
    }
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
    this.done = Promise.all([
      relay(inSocket, outSocket, inPrefix),
      relay(outSocket, inSocket, outPrefix),
    ]).then(() => {}).finally(() => {
      if (this.#onAbort) this.#signal?.removeEventListener("abort", this.#onAbort);
    });
    this.done.catch(() => {}); // also reported by stop()
  }

  /** Stops relaying (the sockets stay open) and waits until both directions have ended. */
  stop(): Promise<void> {
    this.#controller.abort(new DOMException("MonitoredQueue stopped", "AbortError"));
    return this.done;
  }
}

/**
 * Starts a {@linkcode MonitoredQueue} (pyzmq's `zmq.devices.monitored_queue`).
 *
 * @example
 * ```ts ignore
 * const queue = monitoredQueue(frontend, backend, mon, { inPrefix: "in", outPrefix: "out" });
 * await queue.stop();
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
