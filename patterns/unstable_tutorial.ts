/**
 * The tutorial's own protocols, as helpers: its weather updates are one frame of text,
 * `"<topic> <data>"` ({@linkcode formatUpdate}, {@linkcode parseUpdate},
 * {@linkcode publishUpdate}, {@linkcode receiveUpdates}), and its producer waits until its
 * consumers are connected ({@linkcode awaitWorkers}). The example programs speak them; an
 * application usually has its own framing, so they are not part of the root module.
 *
 * Unstable: these may change or move without a deprecation period. Import them from
 * `@zmq/deno/patterns/unstable-tutorial` (this file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUpdate, parseUpdate } from "./unstable_tutorial.ts";
 * assert.deepEqual(parseUpdate(formatUpdate(10001, 42)), { topic: "10001", data: "42" });
 * ```
 *
 * @module
 */
import type { Socket } from "../core/socket.ts";
import { badValue, closedError, ZmqError, zmqError } from "../core/errors.ts";
import { monitor, type SocketMonitor } from "../core/monitor.ts";
import { text } from "./_open.ts";
import { checkCount, checkOptions, checkTimeout, startTimer } from "../core/_util.ts";

/** One parsed update: the topic (the text before the first space) and the rest. */
export interface Update {
  /** The topic, e.g. `"10001"`. */
  topic: string;
  /** Everything after the first space (`""` if there is none). */
  data: string;
}

/**
 * Formats an update as the tutorial does: `"<topic> <data>"`. The topic may not contain a
 * space (the subscriber could not find where it ends).
 *
 * @param topic The topic: non-empty, without white space.
 * @param data The rest of the update.
 * @returns `"<topic> <data>"`.
 * @throws {ZmqError} `EBADVALUE` for an empty topic or one with white space.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUpdate } from "./unstable_tutorial.ts";
 * assert.equal(formatUpdate(10001, 42), "10001 42");
 * assert.throws(() => formatUpdate("100 01", 42), { code: "EBADVALUE" });
 * ```
 */
export function formatUpdate(topic: string | number, data: string | number): string {
  const t = String(topic);
  if (t === "" || /\s/.test(t)) {
    throw badValue(
      `topic must be non-empty text without spaces; got ${JSON.stringify(t)}`,
      { op: "formatUpdate" },
    );
  }
  return `${t} ${data}`;
}

/**
 * Parses a `"<topic> <data>"` update.
 *
 * @param message The update, as text or as the frame's bytes.
 * @returns The topic and the data (`""` when there is no space).
 * @throws {ZmqError} `EBADUTF8` for bytes that are not UTF-8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUpdate } from "./unstable_tutorial.ts";
 * assert.deepEqual(parseUpdate("10001 42"), { topic: "10001", data: "42" });
 * assert.deepEqual(parseUpdate(new TextEncoder().encode("9")), { topic: "9", data: "" });
 * ```
 */
export function parseUpdate(message: string | Uint8Array): Update {
  const s = typeof message === "string" ? message : text(message, "the update");
  const space = s.indexOf(" ");
  return space < 0
    ? { topic: s, data: "" }
    : { topic: s.slice(0, space), data: s.slice(space + 1) };
}

/**
 * Publishes one `"<topic> <data>"` update. Never waits for subscribers: with none connected,
 * the update is dropped.
 *
 * @param pub A PUB (or XPUB) socket.
 * @param topic The topic: non-empty, without white space.
 * @param data The rest of the update.
 * @returns A promise that resolves once the update is queued (or dropped).
 * @throws {ZmqError} `EBADVALUE` for a bad topic (before anything is sent).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPub, openSub } from "../mod.ts";
 * import { publishUpdate, receiveUpdates } from "./unstable_tutorial.ts";
 * using ctx = new Context();
 * using pub = openPub(ctx, { bind: "inproc://publish-update-doc" });
 * using sub = openSub(ctx, { connect: "inproc://publish-update-doc" }, ["10001"]);
 * const first = receiveUpdates(sub, { count: 1 }).next();
 * // the slow joiner: publish until the subscription has reached the publisher
 * const publishing = setInterval(() => void publishUpdate(pub, 10001, 42), 5);
 * try {
 *   assert.deepEqual((await first).value, { topic: "10001", data: "42" });
 * } finally {
 *   clearInterval(publishing);
 * }
 * ```
 */
export function publishUpdate(
  pub: Socket,
  topic: string | number,
  data: string | number,
): Promise<void> {
  return pub.send(formatUpdate(topic, data));
}

/** Options for {@linkcode receiveUpdates}. */
export interface ReceiveUpdatesOptions {
  /**
   * Stop after this many updates.
   *
   * @default {Infinity} until `signal` aborts or the socket closes.
   */
  count?: number;
  /** Stops the iteration: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Yields parsed updates from a SUB socket: `count` of them, or until `signal` aborts (which
 * rejects with its reason) or the socket closes (which ends the iteration).
 *
 * @param sub A SUB (or XSUB) socket, subscribed.
 * @param options How many updates, and a signal to stop.
 * @returns An async generator of the updates.
 * @throws {ZmqError} `EBADVALUE` for a count that is not an integer >= 0; `EBADUTF8` for an
 * update that is not text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPub, openSub } from "../mod.ts";
 * import { formatUpdate, receiveUpdates } from "./unstable_tutorial.ts";
 * using ctx = new Context();
 * using pub = openPub(ctx, { bind: "inproc://receive-updates-doc" });
 * using sub = openSub(ctx, { connect: "inproc://receive-updates-doc" }, ["10001"]);
 * const seen: string[] = [];
 * const receiving = (async () => {
 *   for await (const { data } of receiveUpdates(sub, { count: 2 })) seen.push(data);
 * })();
 * let n = 0;
 * const publishing = setInterval(() => void pub.send(formatUpdate(10001, n++)), 5);
 * try {
 *   await receiving;
 * } finally {
 *   clearInterval(publishing);
 * }
 * assert.equal(seen.length, 2);
 * assert.equal(Number(seen[1]), Number(seen[0]) + 1); // in order, none lost once joined
 * ```
 */
export async function* receiveUpdates(
  sub: Socket,
  options: ReceiveUpdatesOptions = {},
): AsyncGenerator<Update> {
  const count = checkCount(options.count, "count", "receiveUpdates");
  for (let i = 0; i < count && !sub.closed; i++) {
    let frames: Uint8Array[];
    try {
      frames = await sub.recvMultipart({ signal: options.signal });
    } catch (e) {
      if (e instanceof ZmqError && (e.code === "ECLOSED" || e.code === "ETERM")) return;
      throw e;
    }
    yield parseUpdate(frames[0]);
  }
}

/** Options for {@linkcode awaitWorkers}. */
export interface AwaitWorkersOptions {
  /**
   * Give up after this many ms with a ZmqError of code `"EAGAIN"` that says how many workers
   * did connect.
   *
   * @default {Infinity}
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
 * counts.
 *
 * Call it before `bind` or `connect` and await it after: it counts the connections made from
 * the moment it is called (a worker that disconnects during the wait still counts). Over
 * `tcp://` and `ipc://` only: an `inproc://` connection has no handshake to watch (it is
 * attached at once when both ends exist).
 *
 * @param push The producer's socket (any socket type works).
 * @param count How many connections to wait for.
 * @param options A timeout and a signal.
 * @returns The number of connections seen (`count`).
 * @throws {ZmqError} `EBADVALUE` for a count or timeout out of range (thrown at once);
 * rejects with `EAGAIN` after the timeout and `ECLOSED` if the socket closes first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPull, pushWork } from "../mod.ts";
 * import { awaitWorkers } from "./unstable_tutorial.ts";
 * await using ctx = new Context({ linger: 0 });
 * using push = ctx.socket("PUSH");
 * const connected = awaitWorkers(push, 2, { timeout: 10_000 });
 * const port = push.bindToRandomPort();
 * const workers = [1, 2].map(() => openPull(ctx, { connect: `tcp://127.0.0.1:${port}` }));
 * assert.equal(await connected, 2);
 * await pushWork(push, [{ num: 0 }, { num: 1 }]);
 * const got = await Promise.all(workers.map((w) => w.recvJson() as Promise<{ num: number }>));
 * assert.deepEqual(got.map((g) => g.num).sort(), [0, 1]); // one each: both were there in time
 * for (const w of workers) w.close();
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
