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
 *   wait for them with {@linkcode awaitWorkers} (which watches the producer's own socket, so
 *   the workers need not take part: pyzmq's work as well).
 * - Who binds: the stable ends. In the tutorial the producer binds its PUSH and the sink binds
 *   its PULL; workers connect to both, so workers can come and go.
 *
 * Items and results travel as JSON text, one frame each.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { badValue, closedError, ZmqError, zmqError } from "../core/errors.ts";
import { monitor, type SocketMonitor } from "../core/monitor.ts";
import { openSocket, type PatternEndpoints, text } from "./_open.ts";
import { checkCount, checkOptions, checkTimeout, startTimer } from "../core/_util.ts";

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
 * @example
 * ```ts
 * import { Context, openPush } from "../mod.ts";
 * using ctx = new Context();
 * using push = openPush(ctx, { bind: "tcp://127.0.0.1:*" });
 * ```
 */
export function openPush(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "PUSH", endpoints);
}

/**
 * Opens a PULL socket on `endpoints` (a worker's or a sink's receiving side).
 *
 * @example
 * ```ts
 * import { Context, openPull } from "../mod.ts";
 * using ctx = new Context();
 * using pull = openPull(ctx, { bind: "tcp://127.0.0.1:*" });
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
 * worker can take more. Answers the number of items sent.
 *
 * @example
 * ```ts ignore
 * const sent = await pushWork(push, (function* () {
 *   for (let num = 0; num < 20000; num++) yield { num };
 * })());
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

/** Options for {@linkcode awaitWorkers}. */
export interface AwaitWorkersOptions {
  /**
   * Give up after this many ms with a ZmqError of code `"EAGAIN"` that says how many workers
   * did connect. Default: wait for ever.
   */
  timeout?: number;
  /** Stops waiting: rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The producer's start handshake, invisible to the workers: watches `push` with a socket
 * monitor until `count` peers have connected to it (their ZMTP handshake done). libzmq attaches
 * a peer to the socket before it reports the handshake, so every one of them gets its share
 * of what is sent next. Nothing is sent, so any PULL peer (pyzmq's tutorial consumer too)
 * counts. Answers the number of connections seen.
 *
 * Call it before `bind` or `connect` and await it after: it counts the connections made from
 * the moment it is called (a worker that disconnects during the wait still counts). Over
 * `tcp://` and `ipc://` only: an `inproc://` connection has no handshake to watch (it is
 * attached at once when both ends exist).
 *
 * @example
 * ```ts
 * import { awaitWorkers, Context, openPull, pushWork } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * const push = ctx.socket("PUSH");
 * const connected = awaitWorkers(push, 2, { timeout: 10_000 });
 * const port = push.bindToRandomPort();
 * const workers = [1, 2].map(() => openPull(ctx, { connect: `tcp://127.0.0.1:${port}` }));
 * console.log(await connected); // 2
 * await pushWork(push, [{ num: 0 }, { num: 1 }]);
 * for (const w of workers) console.log(await w.recvJson()); // { num: 0 }, then { num: 1 }
 * ```
 */
export function awaitWorkers(
  push: Socket,
  count: number,
  options: AwaitWorkersOptions = {},
): Promise<number> {
  const context = { op: "awaitWorkers" };
  const want = checkCount(count, "count", "awaitWorkers");
  if (want === Infinity) throw badValue("count must be a finite number of workers", context);
  const { timeout, signal } = checkOptions(options, context);
  const ms = checkTimeout(timeout, context, false);
  signal?.throwIfAborted();
  // subscribed now, synchronously: connections made after this call are all seen
  const events = monitor(push, "handshake_succeeded");
  return countConnections(events, want, { timeout: ms, signal }, push.type);
}

async function countConnections(
  events: SocketMonitor,
  want: number,
  { timeout, signal }: AwaitWorkersOptions,
  socketType: string,
): Promise<number> {
  const context = { op: "awaitWorkers", socketType };
  let connected = 0;
  let failure: unknown;
  const stop = (reason: unknown) => {
    failure ??= reason;
    void events.close(); // ends the pending next()
  };
  const onAbort = () => stop(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const cancelTimer = startTimer(timeout ?? -1, () =>
    stop(
      zmqError(
        "EAGAIN",
        `Only ${connected} of ${want} workers connected within ${timeout} ms`,
        context,
      ),
    ));
  try {
    while (connected < want) {
      const next = await events.next();
      if (failure !== undefined) throw failure;
      if (next.done) {
        throw closedError(
          `The socket closed while ${connected} of ${want} workers were connected`,
          context,
        );
      }
      connected++;
    }
    return connected;
  } finally {
    cancelTimer();
    signal?.removeEventListener("abort", onAbort);
    await events.close();
  }
}

/** The work function of {@linkcode processWork}: a result to push on, or undefined for none. */
export type WorkFunction = (item: unknown) => unknown | Promise<unknown>;

/** Options for {@linkcode processWork}. */
export interface ProcessWorkOptions {
  /** Process this many items, then return. Default: until `signal` aborts. */
  count?: number;
  /** Stops the loop: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called once per item received, after the work function. */
  onItem?: (item: unknown, result: unknown) => void;
}

/**
 * The worker loop: pulls a JSON item, calls `work`, and pushes the result as JSON on `push`
 * unless it is undefined. Answers the number of items processed.
 *
 * @example
 * ```ts ignore
 * await processWork(pull, push, (item) => {
 *   const { num } = item as { num: number };
 *   return num % 2 === 0 ? { consumer: 7, num } : undefined;
 * }, { signal });
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
  /** Stop after this many results. Default: until `signal` aborts or the socket closes. */
  count?: number;
  /** Stops the iteration: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The sink: yields the JSON results arriving on a PULL socket, `count` of them, or until
 * `signal` aborts or the socket closes.
 *
 * @example
 * ```ts ignore
 * const perConsumer = new Map<number, number>();
 * for await (const r of sinkResults<{ consumer: number }>(pull, { count: 10000 })) {
 *   perConsumer.set(r.consumer, (perConsumer.get(r.consumer) ?? 0) + 1);
 * }
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
