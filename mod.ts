/**
 * ZeroMQ for Deno: libzmq through Deno's FFI, with pyzmq's concepts in TypeScript's idioms.
 *
 * @example
 * ```ts
 * import { Context } from "./mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * rep.bind("inproc://mod-example");
 * req.connect("inproc://mod-example");
 * await req.send("Hello");
 * console.log(await rep.recvString()); // "Hello"
 * ```
 *
 * @module
 */
export * from "./core/mod.ts";
export * from "./workers/mod.ts";
export * from "./devices/mod.ts";
export * from "./patterns/mod.ts";
export * from "./reliable/mod.ts";
export * from "./poller/mod.ts";
export * from "./auth/mod.ts";
export * from "./faults/mod.ts";
