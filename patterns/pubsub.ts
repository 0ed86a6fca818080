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
 * The tutorial's updates are one frame of text, `"<topic> <data>"`; the helpers that speak that
 * format are in `patterns/unstable_tutorial.ts`.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import { badValue } from "../core/errors.ts";
import { openSocket, type PatternEndpoints } from "./_open.ts";

/**
 * Opens a PUB socket on `endpoints`.
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @returns The PUB socket, bound and connected.
 * @throws {ZmqError} `EBADVALUE` for bad endpoints; libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPub } from "../mod.ts";
 * using ctx = new Context();
 * using pub = openPub(ctx, { bind: "tcp://127.0.0.1:*" });
 * assert.equal(pub.type, "PUB");
 * ```
 */
export function openPub(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "PUB", endpoints);
}

/**
 * Opens a SUB socket on `endpoints` subscribed to `topics`. Connect it to several publishers
 * to hear all of them.
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @param topics The prefixes to subscribe to.
 * @default {[""]} `topics`: everything.
 * @returns The SUB socket, bound, connected and subscribed.
 * @throws {ZmqError} `EBADVALUE` for bad endpoints or topics that are not an array of strings;
 * libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPub, openSub } from "../mod.ts";
 * using ctx = new Context();
 * using pub = openPub(ctx, { bind: "inproc://open-sub-doc" });
 * using sub = openSub(ctx, { connect: "inproc://open-sub-doc" }, ["10001"]);
 * // a PUB drops what it sends before the subscription reaches it (the slow joiner):
 * // send until one arrives
 * let got: string | null = null;
 * while (got === null) {
 *   await pub.send("10001 42");
 *   got = await sub.recvString({ timeout: 10 }).catch(() => null);
 * }
 * assert.equal(got, "10001 42");
 * ```
 */
export function openSub(
  ctx: Context,
  endpoints: PatternEndpoints,
  topics: string[] = [""],
): Socket {
  if (!Array.isArray(topics) || !topics.every((t) => typeof t === "string")) {
    throw badValue("topics must be an array of strings", { op: "openSub" });
  }
  const sub = openSocket(ctx, "SUB", endpoints);
  for (const t of topics) sub.subscribe(t);
  return sub;
}

/**
 * The old name of {@linkcode openPub}.
 *
 * @deprecated Use {@linkcode openPub}: the openers are named after their socket types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openPub } from "../mod.ts";
 * using ctx = new Context();
 * using pub = openPub(ctx, { bind: "inproc://deprecated-publisher" }); // was openPublisher
 * assert.equal(pub.type, "PUB");
 * ```
 */
export const openPublisher: typeof openPub = openPub;

/**
 * The old name of {@linkcode openSub}.
 *
 * @deprecated Use {@linkcode openSub}: the openers are named after their socket types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openSub } from "../mod.ts";
 * using ctx = new Context();
 * using sub = openSub(ctx, { connect: "inproc://deprecated-subscriber" }); // was openSubscriber
 * assert.equal(sub.type, "SUB");
 * ```
 */
export const openSubscriber: typeof openSub = openSub;
