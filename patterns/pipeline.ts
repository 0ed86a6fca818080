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
 *   wait for them with {@linkcode awaitWorkers}.
 * - Who binds: the stable ends. In the tutorial the producer binds its PUSH and the sink binds
 *   its PULL; workers connect to both, so workers can come and go.
 *
 * Items and results travel as JSON text, one frame each.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { ZmqError } from "../core/errors.ts";
import { ERRNO } from "../core/constants.ts";
import { badArgument, checkCount, openSocket, type PatternEndpoints, text } from "./_open.ts";

/**
 * The frame a producer sends (with {@linkcode awaitWorkers}) to learn which workers are
 * connected. A worker run by {@linkcode processWork} answers it on its `ready` socket and
 * never hands it to the work function.
 */
export const PIPELINE_HELLO = "\u0000pipeline-hello";

const encoder = new TextEncoder();
const HELLO_BYTES = encoder.encode(PIPELINE_HELLO);

function isHello(frame: Uint8Array): boolean {
  if (frame.length !== HELLO_BYTES.length) return false;
  for (let i = 0; i < frame.length; i++) if (frame[i] !== HELLO_BYTES[i]) return false;
  return true;
}

function parseJson(frame: Uint8Array, what: string): unknown {
  const s = text(frame, what);
  try {
    return JSON.parse(s);
  } catch {
    throw new ZmqError("EBADJSON", 0, `${what} is not JSON: ${JSON.stringify(s.slice(0, 80))}`, {
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
  /** How often to send a hello while waiting, in ms (default 100). */
  interval?: number;
  /** Give up after this many ms with a ZmqError of code `"EAGAIN"`. Default: wait for ever. */
  timeout?: number;
  /** Stops waiting: rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The producer's start handshake: sends {@linkcode PIPELINE_HELLO} on `push` until `count`
 * different workers have answered on `ready` (a PULL socket the workers' `ready` PUSH sockets
 * connect to). A worker can only answer a hello it received, so when this resolves every one
 * of those workers is connected and will get its share of the work. Answers the workers' ids.
 *
 * @example
 * ```ts ignore
 * const ids = await awaitWorkers(push, ready, 2, { interval: 50, timeout: 10_000 });
 * await pushWork(push, items);
 * ```
 */
export async function awaitWorkers(
  push: Socket,
  ready: Socket,
  count: number,
  options: AwaitWorkersOptions = {},
): Promise<string[]> {
  const want = checkCount(count);
  if (want === Infinity) throw badArgument("count must be a finite number of workers", "count");
  const interval = options.interval ?? 100;
  if (typeof interval !== "number" || !(interval > 0)) {
    throw badArgument(`interval must be a number of ms > 0; got ${String(interval)}`, "interval");
  }
  const deadline = options.timeout === undefined ? Infinity : performance.now() + options.timeout;
  const seen = new Set<string>();
  while (seen.size < want) {
    // One hello per round; only connected workers can receive it and answer. With no
    // worker connected at all, the send itself waits for the first one.
    const sendLeft = deadline - performance.now();
    try {
      await push.send(PIPELINE_HELLO, {
        signal: options.signal,
        timeout: sendLeft === Infinity ? undefined : Math.max(1, Math.round(sendLeft)),
      });
    } catch (e) {
      if (!(e instanceof ZmqError && e.code === "EAGAIN")) throw e;
    }
    const roundEnd = performance.now() + interval;
    for (;;) {
      const left = Math.min(roundEnd, deadline) - performance.now();
      if (left <= 0) break;
      let frame: Uint8Array;
      try {
        frame = await ready.recv({
          timeout: Math.max(1, Math.round(left)),
          signal: options.signal,
        });
      } catch (e) {
        if (e instanceof ZmqError && e.code === "EAGAIN") break;
        throw e;
      }
      seen.add(text(frame, "a worker's ready message"));
      if (seen.size >= want) break;
    }
    if (seen.size < want && performance.now() >= deadline) {
      throw new ZmqError(
        "EAGAIN",
        ERRNO.EAGAIN,
        `Only ${seen.size} of ${want} workers answered within ${options.timeout} ms`,
        { op: "awaitWorkers", socketType: push.type },
      );
    }
  }
  return [...seen];
}

/** The work function of {@linkcode processWork}: a result to push on, or undefined for none. */
export type WorkFunction = (item: unknown) => unknown | Promise<unknown>;

/** Options for {@linkcode processWork}. */
export interface ProcessWorkOptions {
  /** Process this many items, then return. Default: until `signal` aborts. */
  count?: number;
  /** Stops the loop: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A PUSH socket connected to the producer's ready socket, to answer its hellos. */
  ready?: Socket;
  /** What this worker answers to a hello (default `"worker"`). */
  id?: string;
  /** Called once per item received (hellos excluded), after the work function. */
  onItem?: (item: unknown, result: unknown) => void;
}

/**
 * The worker loop: pulls a JSON item, calls `work`, and pushes the result as JSON on `push`
 * unless it is undefined. Hellos from {@linkcode awaitWorkers} are answered on `ready`.
 * Answers the number of items processed.
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
  if (typeof work !== "function") throw badArgument("work must be a function", "processWork");
  const count = checkCount(options.count);
  const id = options.id ?? "worker";
  let done = 0;
  while (done < count) {
    const frame = await pull.recv({ signal: options.signal });
    if (isHello(frame)) {
      if (options.ready) await options.ready.send(id, { signal: options.signal });
      continue;
    }
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
  const count = checkCount(options.count);
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
