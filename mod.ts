/**
 * ZeroMQ for Deno: libzmq through Deno's FFI, with pyzmq's concepts in TypeScript's idioms.
 *
 * The root exports the library: the core ({@linkcode Context}, {@linkcode Socket},
 * {@linkcode ZmqError}), the patterns, devices, poller, security, reliability patterns and
 * Workers. Each folder is also an entry point of its own (`@zmq/deno/core`,
 * `@zmq/deno/patterns`, `@zmq/deno/devices`, `@zmq/deno/poller`, `@zmq/deno/auth`,
 * `@zmq/deno/workers`, `@zmq/deno/reliable`); the tools for tests (`@zmq/deno/faults`), the
 * tutorial's protocols (`@zmq/deno/patterns/unstable-tutorial`) and the command line
 * (`@zmq/deno/cli`) are only there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "./mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * rep.bind("inproc://mod-example");
 * req.connect("inproc://mod-example");
 * await req.send("Hello");
 * assert.equal(await rep.recvString(), "Hello");
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
export * from "./_deprecated.ts";
