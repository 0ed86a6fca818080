/**
 * Waiting on several sockets: a {@linkcode Poller} (pyzmq's `zmq.Poller`: register sockets,
 * `await poll()`, branch on the answer) and callback streams ({@linkcode Stream} on a
 * {@linkcode Loop}: pyzmq's `ZMQStream` on an IOLoop).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, Loop, Stream } from "../mod.ts";
 * using ctx = new Context();
 * using pull = ctx.socket("PULL");
 * using push = ctx.socket("PUSH");
 * pull.bind("inproc://poller-mod-example");
 * push.connect("inproc://poller-mod-example");
 *
 * const loop = new Loop();
 * const seen: string[] = [];
 * new Stream(pull, loop).onRecv(([frame]) => {
 *   seen.push(new TextDecoder().decode(frame));
 *   loop.stop();
 * });
 * await push.send("Exit");
 * await loop.run();
 * assert.deepEqual(seen, ["Exit"]);
 * ```
 *
 * @module
 */
export { type Pollable, Poller, type PollOptions } from "./poller.ts";
export {
  Loop,
  type LoopOptions,
  type RecvCallback,
  type SendCallback,
  Stream,
  type StreamErrorHandler,
} from "./stream.ts";
export { PeriodicCallback, Timer, type TimerCallback } from "./timers.ts";
