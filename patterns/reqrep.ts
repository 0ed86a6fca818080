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
 * requests over them in turn.
 *
 * @example
 * ```ts
 * import { Context, openRequester } from "../mod.ts";
 * using ctx = new Context();
 * using req = openRequester(ctx, {
 *   connect: ["tcp://localhost:5546", "tcp://localhost:5556"],
 * });
 * ```
 */
export function openRequester(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "REQ", endpoints);
}

/**
 * Opens a REP socket (a server) on `endpoints`.
 *
 * @example
 * ```ts
 * import { Context, openReplier } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openReplier(ctx, { bind: "tcp://127.0.0.1:*" });
 * ```
 */
export function openReplier(ctx: Context, endpoints: PatternEndpoints): Socket {
  return openSocket(ctx, "REP", endpoints);
}

/**
 * Sends a request on a REQ socket and waits for the reply; answers the reply's frames.
 * `timeout` (ms) bounds the whole exchange and rejects with a ZmqError of code `"EAGAIN"`;
 * `signal` aborts it. After a timeout or abort the REQ is still waiting for the lost reply:
 * close it and open a new one.
 *
 * @example
 * ```ts
 * import { Context, openReplier, openRequester, request, serveReplies } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openReplier(ctx, { bind: "inproc://request-doc" });
 * using req = openRequester(ctx, { connect: "inproc://request-doc" });
 * const server = serveReplies(rep, () => "World", { count: 1 });
 * const [reply] = await request(req, "Hello", { timeout: 1000 });
 * console.log(new TextDecoder().decode(reply)); // "World"
 * await server;
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
 * @example
 * ```ts ignore
 * const reply = await requestString(req, "Hello", { timeout: 2000 });
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
  /** Serve this many requests, then return. Default: until `signal` aborts. */
  count?: number;
  /** Stops the loop: a pending receive rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The reply server loop: receives a request on a REP socket, calls `handler`, sends what it
 * answers; `count` times, or until `signal` aborts. Answers the number of requests served.
 * If the handler throws, the loop stops and rejects with that error.
 *
 * @example
 * ```ts ignore
 * const served = await serveReplies(rep, (request, i) => `World from 5556`, {
 *   count: 5,
 *   signal,
 * });
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
