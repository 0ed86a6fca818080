import type { Context } from "../core/context.ts";
import { badValue } from "../core/errors.ts";
import { bytes } from "./_frames.ts";
import { isMmiService } from "./_mmi.ts";
import {
  type SessionCodec,
  type WorkerEvent,
  type WorkerHandler,
  WorkerSession,
  type WorkerSessionOptions,
  type WorkerStats,
} from "./worker_session.ts";
import { isServiceName, parseWorkerMessage, workerCommand, workerEnvelope } from "./mdp.ts";

export type { WorkerEvent, WorkerHandler, WorkerSessionOptions, WorkerStats };

/** Options of a {@linkcode MajordomoWorker}: heartbeats, reconnect delays, error handling. */
export type MajordomoWorkerOptions = WorkerSessionOptions;

function mdpCodec(service: string): SessionCodec {
  const name = bytes(service);
  return {
    greeting: () => workerCommand("READY", name),
    heartbeat: () => workerCommand("HEARTBEAT"),
    farewell: () => workerCommand("DISCONNECT"),
    parse(frames) {
      const message = parseWorkerMessage(frames);
      switch (message.command) {
        case "REQUEST":
          return { kind: "request", envelope: [message.client], body: message.body };
        case "HEARTBEAT":
          return { kind: "heartbeat" };
        case "DISCONNECT":
          return { kind: "disconnect" };
        case null:
          return { kind: "invalid", reason: message.invalid };
        default:
          return { kind: "invalid", reason: `a ${message.command} from the broker` };
      }
    },
    reply: (envelope, body) => workerEnvelope("REPLY", envelope[0], body),
  };
}

/**
 * A Majordomo worker, MDP/0.1 (ZeroMQ RFC 7): a DEALER connected to one broker that registers
 * one service with READY, answers each REQUEST with one REPLY, heartbeats, and starts a new
 * session (a new socket, a new READY) when the broker sends DISCONNECT or stays silent for
 * `liveness` heartbeat intervals, after a reconnect delay that doubles up to `reconnectMax`.
 *
 * The handler gets the request's body frames and answers the reply's (one frame or several);
 * requests are handled one at a time, while heartbeats go on. A reply whose session ended
 * while the handler ran is discarded (the broker has already given the request to another
 * worker or the client retries). On close the worker sends DISCONNECT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MajordomoBroker, MajordomoClient, MajordomoWorker } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * const broker = new MajordomoBroker(ctx, { bind: "inproc://mdp-worker-doc" });
 * const brokering = broker.run();
 * const worker = new MajordomoWorker(ctx, "inproc://mdp-worker-doc", "upper", {
 *   heartbeatInterval: 2500,
 * });
 * const serving = worker.serve(([text]) => new TextDecoder().decode(text).toUpperCase());
 * using client = new MajordomoClient(ctx, "inproc://mdp-worker-doc");
 * assert.deepEqual(await client.requestText("upper", "hello"), ["HELLO"]);
 * await worker.close(); // the worker says DISCONNECT; serve resolves
 * await serving;
 * await broker.close();
 * await brokering;
 * ```
 */
export class MajordomoWorker extends WorkerSession {
  /** The service this worker offers. */
  readonly service: string;

  /**
   * Prepares a worker of `service` for the broker at `endpoint`; `serve` connects. Throws a
   * ZmqError `EBADVALUE` for a service name that is not printable text or lies in the
   * broker's own `mmi.` namespace, and for bad options.
   *
   * @param context The context for the worker's DEALER sockets.
   * @param endpoint The broker's endpoint.
   * @param service The service it offers: printable text outside `mmi.`.
   * @param options `heartbeatInterval` (default 2500 ms), `liveness`, reconnect delays, `onEvent`.
   * @throws {ZmqError} `EBADVALUE` for a bad service name or options.
   */
  constructor(
    context: Context,
    endpoint: string,
    service: string,
    options: MajordomoWorkerOptions = {},
  ) {
    if (typeof service !== "string" || !isServiceName(service) || isMmiService(service)) {
      throw badValue(
        `service must be printable text outside "mmi."; got ${JSON.stringify(service)}`,
        { op: "MajordomoWorker", option: "service" },
      );
    }
    super(context, endpoint, mdpCodec(service), {
      name: "MajordomoWorker",
      heartbeatInterval: 2500,
      reconnectInitial: 2500,
      reconnectMax: 2500,
    }, options);
    this.service = service;
  }
}
