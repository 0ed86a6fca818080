/**
 * The pipeline (push-pull): a producer PUSHes work items, workers PULL them, do the work and
 * PUSH results to a sink that PULLs them all.
 *
 * Rules of the pattern:
 * - A PUSH hands each message to one connected PULL, in turn (round-robin over the peers
 *   connected at that moment); a PULL fair-queues from all its PUSH peers.
 * - Nothing is dropped: when no worker is connected, or every queue is full, sends wait.
 * - The slow joiner: a worker that connects late misses nothing but gets no share of what was
 *   already handed to the others. Start the sink and the workers first, or make the producer
 *   wait for them with `awaitWorkers` (`patterns/unstable_tutorial.ts`: it watches the
 *   producer's own socket, so the workers need not take part; pyzmq's work as well).
 * - Who binds: the stable ends. In the tutorial the producer binds its PUSH and the sink binds
 *   its PULL; workers connect to both, so workers can come and go.
 *
 * Items and results travel as JSON text, one frame each.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { badValue, ZmqError, zmqError } from "../core/errors.ts";
import { openSocket, type PatternEndpoints, text } from "./_open.ts";
import { checkCount } from "../core/_util.ts";

function parseJson(frame: Uint8Array, what: string): unknown {
  const s = text(frame, what);
  try {
    return JSON.parse(s);
  } catch {
    throw zmqError("EBADJSON", `${what} is not JSON: ${JSON.stringify(s.slice(0, 80))}`, {
      op: "decode",
    });
  }
}

/**
 * Opens a PUSH socket on `endpoints` (a producer's or a worker's sending side).
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @returns The PUSH socket, bound and connected.
 * @throws {ZmqError} `EBADVALUE` for bad endpoints; libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPush } from "../mod.ts";
 * using ctx = new Context();
 * using push = openPush(ctx, { bind: "tcp://127.0.0.1:*" });
 * assert.equal(push.type, "PUSH");
 * ```
 */
export function openPush(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "PUSH", endpoints);
}

/**
 * Opens a PULL socket on `endpoints` (a worker's or a sink's receiving side).
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @returns The PULL socket, bound and connected.
 * @throws {ZmqError} `EBADVALUE` for bad endpoints; libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPull, openPush } from "../mod.ts";
 * using ctx = new Context();
 * using pull = openPull(ctx, { bind: "inproc://open-pull-doc" });
 * using push = openPush(ctx, { connect: "inproc://open-pull-doc" });
 * await push.send("task");
 * assert.equal(await pull.recvString(), "task");
 * ```
 */
export function openPull(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "PULL", endpoints);
}

/** Options for {@linkcode pushWork}. */
export interface PushWorkOptions {
  /** Stops pushing: a waiting send rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The producer: sends every item of `items` as JSON on a PUSH socket, waiting whenever no
 * worker can take more.
 *
 * @param push A PUSH socket.
 * @param items The items, in order (an iterable or an async iterable).
 * @param options A signal that stops pushing.
 * @returns The number of items sent.
 * @throws {ZmqError} Rejects with `EBADJSON` for an item that is not JSON (a bigint, a
 * cycle), `ECLOSED` once the socket is closed, the signal's reason when it aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPull, openPush, pushWork } from "../mod.ts";
 * using ctx = new Context();
 * using pull = openPull(ctx, { bind: "inproc://push-work-doc" });
 * using push = openPush(ctx, { connect: "inproc://push-work-doc" });
 * const sent = await pushWork(push, (function* () {
 *   for (let num = 0; num < 3; num++) yield { num };
 * })());
 * assert.equal(sent, 3);
 * assert.deepEqual(await pull.recvJson(), { num: 0 });
 * ```
 */
export async function pushWork(
  push: Socket,
  items: Iterable<unknown> | AsyncIterable<unknown>,
  options: PushWorkOptions = {},
): Promise<number> {
  let sent = 0;
  for await (const item of items) {
    await push.sendJson(item, { signal: options.signal });
    sent++;
  }
  return sent;
}

/** The work function of {@linkcode processWork}: a result to push on, or undefined for none. */
export type WorkFunction = (item: unknown) => unknown | Promise<unknown>;

/** Options for {@linkcode processWork}. */
export interface ProcessWorkOptions {
  /**
   * Process this many items, then return.
   *
   * @default {Infinity} until `signal` aborts.
   */
  count?: number;
  /** Stops the loop: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called once per item received, after the work function. */
  onItem?: (item: unknown, result: unknown) => void;
}

/**
 * The worker loop: pulls a JSON item, calls `work`, and pushes the result as JSON on `push`
 * unless it is undefined (or `push` is null).
 *
 * @param pull Where the items come from.
 * @param push Where the results go, or null.
 * @param work Makes a result from an item.
 * @param options How many items, a signal that stops the loop, a callback per item.
 * @returns The number of items processed.
 * @throws {ZmqError} `EBADVALUE` for a work function that is not a function or a bad count;
 * rejects with `EBADJSON` (or `EBADUTF8`) for an item that is not JSON, the work function's
 * error, the signal's reason, or `ECLOSED`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPull, openPush, processWork, pushWork } from "../mod.ts";
 * using ctx = new Context();
 * using tasks = openPull(ctx, { bind: "inproc://process-work-tasks" });
 * using feeder = openPush(ctx, { connect: "inproc://process-work-tasks" });
 * using results = openPush(ctx, { bind: "inproc://process-work-results" });
 * using sink = openPull(ctx, { connect: "inproc://process-work-results" });
 * await pushWork(feeder, [{ num: 1 }, { num: 2 }]);
 * const done = await processWork(tasks, results, (item) => {
 *   const { num } = item as { num: number };
 *   return num % 2 === 0 ? { consumer: 7, num } : undefined; // even numbers only
 * }, { count: 2 });
 * assert.equal(done, 2);
 * assert.deepEqual(await sink.recvJson(), { consumer: 7, num: 2 });
 * ```
 */
export async function processWork(
  pull: Socket,
  push: Socket | null,
  work: WorkFunction,
  options: ProcessWorkOptions = {},
): Promise<number> {
  if (typeof work !== "function") throw badValue("work must be a function", { op: "processWork" });
  const count = checkCount(options.count, "count", "processWork");
  let done = 0;
  while (done < count) {
    const frame = await pull.recv({ signal: options.signal });
    const item = parseJson(frame, "a work item");
    const result = await work(item);
    if (result !== undefined && push) await push.sendJson(result, { signal: options.signal });
    options.onItem?.(item, result);
    done++;
  }
  return done;
}

/** Options for {@linkcode sinkResults}. */
export interface SinkOptions {
  /**
   * Stop after this many results.
   *
   * @default {Infinity} until `signal` aborts or the socket closes.
   */
  count?: number;
  /** Stops the iteration: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The sink: yields the JSON results arriving on a PULL socket, `count` of them, or until
 * `signal` aborts or the socket closes.
 *
 * @param pull Where the results come from.
 * @param options How many results, and a signal that stops the iteration.
 * @returns An async generator of the results, parsed.
 * @throws {ZmqError} `EBADVALUE` for a bad count; `EBADJSON` (or `EBADUTF8`) for a result
 * that is not JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPull, openPush, pushWork, sinkResults } from "../mod.ts";
 * using ctx = new Context();
 * using sink = openPull(ctx, { bind: "inproc://sink-results-doc" });
 * using worker = openPush(ctx, { connect: "inproc://sink-results-doc" });
 * await pushWork(worker, [{ consumer: 7 }, { consumer: 9 }, { consumer: 7 }]);
 * const perConsumer = new Map<number, number>();
 * for await (const r of sinkResults<{ consumer: number }>(sink, { count: 3 })) {
 *   perConsumer.set(r.consumer, (perConsumer.get(r.consumer) ?? 0) + 1);
 * }
 * assert.deepEqual([...perConsumer], [[7, 2], [9, 1]]);
 * ```
 */
export async function* sinkResults<T = unknown>(
  pull: Socket,
  options: SinkOptions = {},
): AsyncGenerator<T> {
  const count = checkCount(options.count, "count", "sinkResults");
  for (let i = 0; i < count && !pull.closed; i++) {
    let frame: Uint8Array;
    try {
      frame = await pull.recv({ signal: options.signal });
    } catch (e) {
      if (e instanceof ZmqError && (e.code === "ECLOSED" || e.code === "ETERM")) return;
      throw e;
    }
    yield parseJson(frame, "a result") as T;
  }
}
