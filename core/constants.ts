// Numbers from libzmq's zmq.h (4.3): socket types, readiness bits, flags; the option tables
// (options.ts) and the platform's errno table (_errno.ts) are re-exported from here.

/**
 * The socket types this library supports, by their libzmq names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SOCKET_TYPES } from "./constants.ts";
 * assert.equal(SOCKET_TYPES.REQ, 3); // ZMQ_REQ in zmq.h
 * ```
 */
export const SOCKET_TYPES = {
  PAIR: 0,
  PUB: 1,
  SUB: 2,
  REQ: 3,
  REP: 4,
  DEALER: 5,
  ROUTER: 6,
  PULL: 7,
  PUSH: 8,
  XPUB: 9,
  XSUB: 10,
  STREAM: 11,
} as const;

/** A socket type name: `"PAIR" | "PUB" | "SUB" | "REQ" | "REP" | "DEALER" | ...`. */
export type SocketType = keyof typeof SOCKET_TYPES;

/**
 * Older socket type names that pyzmq and the tutorial still use, accepted wherever a socket
 * type is: `XREP` is `ROUTER` and `XREQ` is `DEALER` (libzmq renamed them in 2.1). A socket
 * opened by its old name reports the modern one as its `type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, SOCKET_TYPE_ALIASES } from "../mod.ts";
 * assert.equal(SOCKET_TYPE_ALIASES.XREP, "ROUTER");
 * using ctx = new Context();
 * using frontend = ctx.socket("XREP");
 * assert.equal(frontend.type, "ROUTER");
 * ```
 */
export const SOCKET_TYPE_ALIASES = {
  XREP: "ROUTER",
  XREQ: "DEALER",
} as const satisfies Record<string, SocketType>;

/** An older socket type name: `"XREP"` (ROUTER) or `"XREQ"` (DEALER). */
export type SocketTypeAlias = keyof typeof SOCKET_TYPE_ALIASES;

/**
 * The socket type `name` stands for: itself if it is a socket type, the modern name if it is
 * an alias, else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalSocketType } from "../mod.ts";
 * assert.equal(canonicalSocketType("XREQ"), "DEALER");
 * assert.equal(canonicalSocketType("PUSH"), "PUSH");
 * assert.equal(canonicalSocketType("push"), undefined);
 * ```
 *
 * @param name A socket type name or alias (case matters, as in libzmq).
 * @returns The modern socket type, or undefined for an unknown name.
 */
export function canonicalSocketType(name: unknown): SocketType | undefined {
  if (typeof name !== "string") return undefined;
  if (Object.hasOwn(SOCKET_TYPES, name)) return name as SocketType;
  if (Object.hasOwn(SOCKET_TYPE_ALIASES, name)) return SOCKET_TYPE_ALIASES[name as SocketTypeAlias];
  return undefined;
}

/** Readiness bits, as in `zmq_poll`: POLLIN = 1, POLLOUT = 2, POLLERR = 4. */
export const POLLIN = 1;
/** Ready to send without blocking. */
export const POLLOUT = 2;
/** An error condition: reported for plain file descriptors (a hang-up, an error, a closed one). */
export const POLLERR = 4;

/** Send/recv flag ZMQ_DONTWAIT (the core always sets it). */
export const DONTWAIT = 1;
/** Send flag ZMQ_SNDMORE: more frames of the message follow. */
export const SNDMORE = 2;

export {
  CONTEXT_OPTION_SPECS,
  CONTEXT_OPTIONS,
  type ContextOptionName,
  type ContextOptionResult,
  type ContextOptionSpec,
  type ContextOptionValue,
  type OptionInput,
  type OptionKind,
  type OptionOutput,
  type OptionSpec,
  SOCKET_OPTION_ALIASES,
  SOCKET_OPTIONS,
  type SocketOptionAlias,
  type SocketOptionName,
  type SocketOptionResult,
  type SocketOptionTarget,
  type SocketOptionValue,
} from "./options.ts";

export { ERRNO, type ErrnoName, errnoName } from "./_errno.ts";
