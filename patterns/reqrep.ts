/**
 * Request-reply: a REQ client sends a request and waits for its reply; a REP server receives a
 * request and answers it.
 *
 * Rules of the pattern:
 * - Lockstep. A REQ must alternate send, recv, send, ...; a REP must alternate recv, send.
 *   Breaking the order rejects with a ZmqError of code `"EFSM"`.
 * - A REQ connected to several REP servers sends each request to the next server in turn
 *   (round-robin over its connections, in the order they were connected), so replies come from
 *   the servers in rotation.
 * - A server that goes away keeps its turn over TCP: the REQ keeps the connection to reconnect
 *   later, and a request handed to it waits until the server is back. Over `inproc://` the
 *   turn disappears with the server, which reorders the rotation.
 * - Who binds: the stable side, usually the server. Either side may bind or connect.
 * - What blocks: a REQ's reply waits for ever if the server never answers. Use
 *   {@linkcode request} with a `timeout`; after a timeout that REQ is stuck waiting for the
 *   lost reply, so close it and open a new one (the "lazy pirate" recipe).
 * - Nothing is dropped silently: a request waits in a queue until a server connects.
 *
 * @module
 */
import type { Context } from "../core/context.ts";
import type { Frame, OperationOptions, Socket } from "../core/socket.ts";
import { openSocket, type PatternEndpoints, text } from "./_open.ts";
import { checkCount } from "../core/_util.ts";
import { badValue } from "../core/errors.ts";

/**
 * Opens a REQ socket (a client) on `endpoints`; connecting to several servers spreads the
 * requests over them in turn. The openers are named after the socket type they open, as
 * CZMQ's `zsock_new_req`: {@linkcode openReq}, {@linkcode openRep}, `openPub`, `openSub`,
 * `openPush`, `openPull`, `openPair`.
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @returns The REQ socket, bound and connected.
 * @throws {ZmqError} `EBADVALUE` for endpoints that are not strings, or none at all; libzmq's
 * code (`EADDRINUSE`, `EINVAL`, ...) for an endpoint that fails, after closing the socket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openReq } from "../mod.ts";
 * using ctx = new Context();
 * // two servers: requests alternate between them (the tutorial's ports 5546 and 5556)
 * using req = openReq(ctx, { connect: ["inproc://reqrep-server-1", "inproc://reqrep-server-2"] });
 * assert.equal(req.type, "REQ");
 * assert.throws(() => openReq(ctx, {}), { code: "EBADVALUE" }); // no endpoint at all
 * ```
 */
export function openReq(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "REQ", endpoints);
}

/**
 * Opens a REP socket (a server) on `endpoints`.
 *
 * @param ctx The context to open the socket on.
 * @param endpoints Where to bind and connect (binds first).
 * @returns The REP socket, bound and connected.
 * @throws {ZmqError} `EBADVALUE` for bad endpoints; libzmq's code for an endpoint that fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openRep } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openRep(ctx, { bind: "tcp://127.0.0.1:*" });
 * assert.match(rep.lastEndpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
 * ```
 */
export function openRep(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "REP", endpoints);
}

/**
 * The old name of {@linkcode openReq}.
 *
 * @deprecated Use {@linkcode openReq}: the openers are named after their socket types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openReq } from "../mod.ts";
 * using ctx = new Context();
 * using req = openReq(ctx, { connect: "inproc://deprecated-requester" }); // was openRequester
 * assert.equal(req.type, "REQ");
 * ```
 */
export const openRequester: typeof openReq = openReq;

/**
 * The old name of {@linkcode openRep}.
 *
 * @deprecated Use {@linkcode openRep}: the openers are named after their socket types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openRep } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openRep(ctx, { bind: "inproc://deprecated-replier" }); // was openReplier
 * assert.equal(rep.type, "REP");
 * ```
 */
export const openReplier: typeof openRep = openRep;

/**
 * Sends a request on a REQ socket and waits for the reply; answers the reply's frames.
 * `timeout` (ms) bounds the whole exchange and rejects with a ZmqError of code `"EAGAIN"`;
 * `signal` aborts it. After a timeout or abort the REQ is still waiting for the lost reply:
 * close it and open a new one.
 *
 * @param req A REQ socket.
 * @param message The request: a frame or the frames of a multipart message.
 * @param options A timeout for the whole exchange and a signal.
 * @returns The reply's frames.
 * @throws {ZmqError} Rejects with `EAGAIN` once the timeout passed, `EFSM` on a REQ that is
 * still waiting for a reply, `ECLOSED` once the socket is closed; with the signal's reason
 * when it aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openRep, openReq, request, serveReplies } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openRep(ctx, { bind: "inproc://request-doc" });
 * using req = openReq(ctx, { connect: "inproc://request-doc" });
 * const server = serveReplies(rep, () => ["World", "!"], { count: 1 });
 * const reply = await request(req, "Hello", { timeout: 1000 });
 * assert.deepEqual(reply.map((f) => new TextDecoder().decode(f)), ["World", "!"]);
 * assert.equal(await server, 1);
 * ```
 */
export async function request(
  req: Socket,
  message: Frame | Frame[],
  options: OperationOptions = {},
): Promise<Uint8Array[]> {
  const { timeout, signal } = options;
  if (timeout === undefined || timeout < 0 || timeout === Infinity) {
    await req.send(message, { signal });
    return await req.recvMultipart({ signal });
  }
  const deadline = performance.now() + timeout;
  await req.send(message, { timeout, signal });
  const left = Math.max(1, Math.round(deadline - performance.now()));
  return await req.recvMultipart({ timeout: left, signal });
}

/**
 * Like {@linkcode request}, for a one-frame text reply. A reply that is not UTF-8 rejects with
 * a ZmqError of code `EBADUTF8`.
 *
 * @param req A REQ socket.
 * @param message The request.
 * @param options A timeout for the whole exchange and a signal.
 * @returns The reply's first frame as text.
 * @throws {ZmqError} As {@linkcode request}, and `EBADUTF8` for a reply that is not text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openRep, openReq, requestString, serveReplies } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openRep(ctx, { bind: "inproc://request-string-doc" });
 * using req = openReq(ctx, { connect: "inproc://request-string-doc" });
 * const server = serveReplies(rep, ([hello]) => `${new TextDecoder().decode(hello)} back`, {
 *   count: 1,
 * });
 * assert.equal(await requestString(req, "Hello", { timeout: 2000 }), "Hello back");
 * await server;
 * ```
 */
export async function requestString(
  req: Socket,
  message: Frame | Frame[],
  options: OperationOptions = {},
): Promise<string> {
  const frames = await request(req, message, options);
  return text(frames[0] ?? new Uint8Array(), "the reply");
}

/** Makes the reply to one request: its frames in, the reply's frame(s) out. */
export type ReplyHandler = (
  request: Uint8Array[],
  index: number,
) => Frame | Frame[] | Promise<Frame | Frame[]>;

/** Options for {@linkcode serveReplies}. */
export interface ServeOptions {
  /**
   * Serve this many requests, then return.
   *
   * @default {Infinity} until `signal` aborts.
   */
  count?: number;
  /** Stops the loop: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The reply server loop: receives a request on a REP socket, calls `handler`, sends what it
 * answers; `count` times, or until `signal` aborts. Answers the number of requests served.
 * If the handler throws, the loop stops and rejects with that error.
 *
 * @param rep A REP socket.
 * @param handler Makes each reply from the request's frames and its index.
 * @param options How many requests, and a signal that stops the loop.
 * @returns The number of requests served.
 * @throws {ZmqError} `EBADVALUE` for a handler that is not a function or a bad count; rejects
 * with the handler's error, the signal's reason, or `ECLOSED` once the socket is closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openRep, openReq, requestString, serveReplies } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openRep(ctx, { bind: "inproc://serve-replies-doc" });
 * using req = openReq(ctx, { connect: "inproc://serve-replies-doc" });
 * const stop = new AbortController();
 * const serving = serveReplies(rep, (_request, i) => `World ${i}`, { signal: stop.signal });
 * assert.equal(await requestString(req, "Hello"), "World 0");
 * assert.equal(await requestString(req, "Hello"), "World 1");
 * stop.abort();
 * await assert.rejects(serving); // with the signal's reason: stopped while waiting
 * ```
 */
export async function serveReplies(
  rep: Socket,
  handler: ReplyHandler,
  options: ServeOptions = {},
): Promise<number> {
  if (typeof handler !== "function") {
    throw badValue("handler must be a function", { op: "serveReplies" });
  }
  const count = checkCount(options.count, "count", "serveReplies");
  let served = 0;
  while (served < count) {
    const frames = await rep.recvMultipart({ signal: options.signal });
    const reply = await handler(frames, served);
    await rep.send(reply, { signal: options.signal });
    served++;
  }
  return served;
}
