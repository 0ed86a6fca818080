import type { Context } from "../core/context.ts";
import { sameBytes, splitEnvelope } from "./_frames.ts";
import { type SessionCodec, WorkerSession, type WorkerSessionOptions } from "./worker_session.ts";
import { PPP_HEARTBEAT, PPP_READY } from "./ppp.ts";

/** Options of a {@linkcode ParanoidPirateWorker}: heartbeats, backoff, error handling. */
export type ParanoidPirateWorkerOptions = WorkerSessionOptions;

const PPP_CODEC: SessionCodec = {
  greeting: () => [PPP_READY],
  heartbeat: () => [PPP_HEARTBEAT],
  farewell: () => null,
  parse(frames) {
    if (frames.length === 1 && sameBytes(frames[0], PPP_HEARTBEAT)) return { kind: "heartbeat" };
    if (frames.length === 1 && sameBytes(frames[0], PPP_READY)) {
      return { kind: "invalid", reason: "READY from the queue" };
    }
    const [envelope, body] = splitEnvelope(frames);
    if (body.length === 0) return { kind: "invalid", reason: "a request without a body" };
    return { kind: "request", envelope, body };
  },
  reply: (envelope, body) => [...envelope, ...body],
};

/**
 * A Paranoid Pirate worker (ZeroMQ RFC 6): a DEALER that connects to a queue, says READY,
 * answers each request with one reply (same address envelope, the handler's body), sends a
 * HEARTBEAT every `heartbeatInterval` ms of silence, and when the queue stays silent for
 * `liveness` intervals closes its socket and reconnects with a new one (and a new READY),
 * after a delay that doubles from `reconnectInitial` to `reconnectMax` (the zguide's 1 s to
 * 32 s). Requests are handled one at a time; heartbeats go on while the handler runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, ParanoidPirateWorker } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * using queue = ctx.socket("ROUTER"); // a queue of our own, to see the frames
 * queue.bind("inproc://ppp-worker-doc");
 * const worker = new ParanoidPirateWorker(ctx, "inproc://ppp-worker-doc");
 * const serving = worker.serve((request) => request); // an echo worker
 * const [id, ready] = await queue.recvMultipart();
 * assert.deepEqual(ready, new Uint8Array([1])); // READY
 * await queue.send([id, "client", "", "Hello"]);
 * const [, ...reply] = await queue.recvMultipart();
 * assert.deepEqual(reply.map((f) => new TextDecoder().decode(f)), ["client", "", "Hello"]);
 * await worker.close();
 * await serving;
 * ```
 */
export class ParanoidPirateWorker extends WorkerSession {
  /**
   * Prepares a worker for the queue at `endpoint`; `serve` connects.
   *
   * @param context The context for the worker's DEALER sockets.
   * @param endpoint The queue's backend endpoint.
   * @param options `heartbeatInterval` (default 1000 ms), `liveness`, reconnect delays.
   * @throws {ZmqError} `EBADVALUE` for bad options.
   */
  constructor(context: Context, endpoint: string, options: ParanoidPirateWorkerOptions = {}) {
    super(context, endpoint, PPP_CODEC, {
      name: "ParanoidPirateWorker",
      heartbeatInterval: 1000,
      reconnectInitial: 1000,
      reconnectMax: 32000,
    }, options);
  }
}
