/**
 * The tutorial's four patterns as thin helpers over {@linkcode Socket}: exclusive pair,
 * request-reply, publish-subscribe and the push-pull pipeline. Each module's docs state the
 * pattern's rules: what blocks, what drops, who binds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, openRep, openReq, requestString, serveReplies } from "../mod.ts";
 * using ctx = new Context();
 * using rep = openRep(ctx, { bind: "inproc://patterns-doc" });
 * using req = openReq(ctx, { connect: "inproc://patterns-doc" });
 * const server = serveReplies(rep, () => "World", { count: 1 });
 * assert.equal(await requestString(req, "Hello"), "World");
 * await server;
 * ```
 *
 * @module
 */
export { openPair, type PatternEndpoints } from "./pair.ts";
export {
  openRep,
  openReplier,
  openReq,
  openRequester,
  type ReplyHandler,
  request,
  requestString,
  type ServeOptions,
  serveReplies,
} from "./reqrep.ts";
export { openPub, openPublisher, openSub, openSubscriber } from "./pubsub.ts";
export {
  openPull,
  openPush,
  processWork,
  type ProcessWorkOptions,
  pushWork,
  type PushWorkOptions,
  type SinkOptions,
  sinkResults,
  type WorkFunction,
} from "./pipeline.ts";
