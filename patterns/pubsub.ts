/**
 * Publish-subscribe: a PUB socket sends every message to all connected SUB sockets whose
 * subscriptions match the message's beginning (a byte prefix, usually a topic).
 *
 * Rules of the pattern:
 * - One way only: a PUB cannot receive, a SUB cannot send.
 * - Drops: a PUB never blocks. Messages for a subscriber that is not connected yet (the "slow
 *   joiner"), or whose queue is full, are dropped. A new subscriber misses what was published
 *   before its connection and subscription reached the publisher.
 * - A SUB receives nothing until it subscribes; `""` subscribes to everything. Filtering
 *   happens at the publisher (for TCP), by prefix: `"10001"` also matches `"100011 ..."`.
 * - Who binds: usually the publisher; a SUB may connect to several publishers and receives
 *   from all of them, fairly interleaved.
 *
 * The tutorial's updates are one frame of text, `"<topic> <data>"`; {@linkcode publishUpdate}
 * and {@linkcode receiveUpdates} speak that format.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { badValue, ZmqError } from "../core/errors.ts";
import { openSocket, type PatternEndpoints, text } from "./_open.ts";
import { checkCount } from "../core/_util.ts";

/** One parsed update: the topic (the text before the first space) and the rest. */
export interface Update {
  /** The topic, e.g. `"10001"`. */
  topic: string;
  /** Everything after the first space (`""` if there is none). */
  data: string;
}

/**
 * Opens a PUB socket on `endpoints`.
 *
 * @example
 * ```ts
 * import { Context, openPublisher } from "../mod.ts";
 * using ctx = new Context();
 * using pub = openPublisher(ctx, { bind: "tcp://127.0.0.1:*" });
 * ```
 */
export function openPublisher(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "PUB", endpoints);
}

/**
 * Opens a SUB socket on `endpoints` subscribed to `topics` (default: everything). Connect it
 * to several publishers to hear all of them.
 *
 * @example
 * ```ts
 * import { Context, openSubscriber } from "../mod.ts";
 * using ctx = new Context();
 * using sub = openSubscriber(
 *   ctx,
 *   { connect: ["tcp://localhost:5556", "tcp://localhost:5546"] },
 *   ["10001"],
 * );
 * ```
 */
export function openSubscriber(
  ctx: Context,
  endpoints: PatternEndpoints,
  topics: string[] = [""],
): Socket {
  if (!Array.isArray(topics) || !topics.every((t) => typeof t === "string")) {
    throw badValue("topics must be an array of strings", { op: "openSubscriber" });
  }
  const sub = openSocket(ctx, "SUB", endpoints);
  for (const t of topics) sub.subscribe(t);
  return sub;
}

/**
 * Formats an update as the tutorial does: `"<topic> <data>"`. The topic may not contain a
 * space (the subscriber could not find where it ends).
 *
 * @example
 * ```ts
 * import { formatUpdate } from "../mod.ts";
 * console.log(formatUpdate(10001, 42)); // "10001 42"
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
 * @example
 * ```ts
 * import { parseUpdate } from "../mod.ts";
 * console.log(parseUpdate("10001 42")); // { topic: "10001", data: "42" }
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
 * @example
 * ```ts
 * import { Context, openPublisher, publishUpdate } from "../mod.ts";
 * using ctx = new Context();
 * using pub = openPublisher(ctx, { bind: "inproc://publish-doc" });
 * await publishUpdate(pub, 10001, 42);
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
  /** Stop after this many updates. Default: until `signal` aborts or the socket closes. */
  count?: number;
  /** Stops the iteration: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Yields parsed updates from a SUB socket: `count` of them, or until `signal` aborts (which
 * rejects with its reason) or the socket closes (which ends the iteration).
 *
 * @example
 * ```ts ignore
 * for await (const { topic, data } of receiveUpdates(sub, { count: 5 })) {
 *   console.log(topic, data);
 * }
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
