// libzmq's DRAFT socket types and what a build without them answers. The types are numbered as
// in zmq.h (4.3); they exist only where libzmq was built with its DRAFT API (npm:zeromq 6.8.0's
// build is; Debian's libzmq5 is not).
import { libraryPath } from "./_backend.ts";
import { errnoOf, type ErrorContext, ZmqError } from "./errors.ts";

/**
 * The DRAFT socket types by their libzmq names: SERVER/CLIENT (request-reply by routing id),
 * RADIO/DISH (groups, also over `udp://`), SCATTER/GATHER (a pipeline), PEER (any to any, by
 * routing id), CHANNEL (an exclusive pair) and DGRAM (raw UDP datagrams). Open them like any
 * other type, `ctx.socket("SERVER")`, where {@linkcode zmqHas}`("draft")` is true; elsewhere that
 * throws a {@linkcode MissingCapabilityError}.
 *
 * All but DGRAM are libzmq's thread-safe sockets: they send and receive single-frame messages
 * only, and have no `FD` option (the library waits on them through a `zmq_poller`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DRAFT_SOCKET_TYPES } from "../mod.ts";
 * assert.equal(DRAFT_SOCKET_TYPES.SERVER, 12);
 * ```
 */
export const DRAFT_SOCKET_TYPES = {
  SERVER: 12,
  CLIENT: 13,
  RADIO: 14,
  DISH: 15,
  GATHER: 16,
  SCATTER: 17,
  DGRAM: 18,
  PEER: 19,
  CHANNEL: 20,
} as const;

/** A DRAFT socket type name: `"SERVER" | "CLIENT" | "RADIO" | "DISH" | ...`. */
export type DraftSocketType = keyof typeof DRAFT_SOCKET_TYPES;

/**
 * The DRAFT type `name` stands for, or undefined if it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { draftSocketType } from "../mod.ts";
 * assert.equal(draftSocketType("RADIO"), "RADIO");
 * assert.equal(draftSocketType("PUB"), undefined);
 * ```
 *
 * @param name A socket type name.
 * @returns The DRAFT socket type it names, or undefined.
 */
export function draftSocketType(name: unknown): DraftSocketType | undefined {
  if (typeof name !== "string" || !Object.hasOwn(DRAFT_SOCKET_TYPES, name)) return undefined;
  return name as DraftSocketType;
}

/**
 * What a libzmq without a capability answers when asked for it: a {@linkcode ZmqError} of code
 * `ENOTSUP` whose `capability` names what is missing (`"draft"` for the DRAFT socket types,
 * routing ids, groups, `connectPeer` and monitor events of version 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MissingCapabilityError, zmqHas } from "../mod.ts";
 * using ctx = new Context();
 * try {
 *   using server = ctx.socket("SERVER");
 *   assert.equal(zmqHas("draft"), true); // npm:zeromq's libzmq has the DRAFT API
 * } catch (e) {
 *   if (e instanceof MissingCapabilityError) console.log(e.capability); // "draft"
 * }
 * ```
 */
export class MissingCapabilityError extends ZmqError {
  /** The capability libzmq lacks, as `zmqHas` names it: `"draft"`. */
  readonly capability: string;

  /**
   * Builds the error for `what` (e.g. "SERVER sockets"), which needs `capability`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MissingCapabilityError } from "../mod.ts";
   * const e = new MissingCapabilityError("draft", "SERVER sockets", { op: "open socket" });
   * assert.equal(e.code, "ENOTSUP");
   * ```
   *
   * @param capability The missing capability, as `zmqHas` names it (`"draft"`).
   * @param what What needed it, e.g. `"SERVER sockets"`.
   * @param context What was being done.
   */
  constructor(capability: string, what: string, context: ErrorContext = {}) {
    super(
      "ENOTSUP",
      errnoOf("ENOTSUP"),
      `${what} need libzmq's ${capability.toUpperCase()} API, which the libzmq in use lacks ` +
        `(zmqHas("${capability}") is false for ${libraryPath()}); ` +
        "npm:zeromq@6.8.0's build has it: unset DENO_ZMQ_LIBRARY to use it",
      context,
    );
    this.name = "MissingCapabilityError";
    this.capability = capability;
  }
}
