// The library's one error type and its one vocabulary of codes. Every error the library raises
// is a ZmqError made by one of the factories below (zmqError, badValue, closedError,
// timeoutError, errorFromErrno), which apply the rules of the ZmqError docs: the code, the
// errno that goes with it, the context, the cause.
import { ERRNO, type ErrnoName, errnoName, isErrnoName } from "./_errno.ts";

/** What was being done when an error happened: names the endpoint, option, socket type or state. */
export interface ErrorContext {
  /** The operation, e.g. `"bind"`, `"send"`, `"setOption"`. */
  op?: string;
  /** The socket type, e.g. `"REQ"`. */
  socketType?: string;
  /** The endpoint involved, for bind/connect/unbind/disconnect. */
  endpoint?: string;
  /** The option name, for getOption/setOption. */
  option?: string;
}

/**
 * This library's own codes (their `errno` is 0), in the order of the list in
 * {@linkcode ZmqError}'s docs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LIBRARY_ERROR_CODES } from "../mod.ts";
 * assert.ok(LIBRARY_ERROR_CODES.includes("ECLOSED"));
 * ```
 */
export const LIBRARY_ERROR_CODES = [
  "ECLOSED",
  "EBADVALUE",
  "EUNKNOWNOPTION",
  "EREADONLY",
  "EWRITEONLY",
  "EBADUTF8",
  "EBADJSON",
  "ECODEC",
  "EHANDSHAKE",
  "EPROXY",
  "EHOOK",
  "EUNREACHABLE",
  "ETITANIC",
] as const;

/** One of this library's own codes: `"ECLOSED"`, `"EBADVALUE"`, ... (errno 0). */
export type LibraryErrorCode = typeof LIBRARY_ERROR_CODES[number];

/**
 * Every code a {@linkcode ZmqError} can have: an errno name ({@linkcode ErrnoName}: the C
 * library's, such as `"EADDRINUSE"`, and libzmq's, such as `"EFSM"` and `"ETERM"`), one of this
 * library's codes ({@linkcode LibraryErrorCode}), or `"E<number>"` for an errno that has no name
 * here.
 */
export type ZmqErrorCode = ErrnoName | LibraryErrorCode | `E${number}`;

const LIBRARY_CODES: ReadonlySet<string> = new Set(LIBRARY_ERROR_CODES);

/** Options of a ZmqError beyond its code and message. */
export interface ZmqErrorOptions {
  /** What caused it: an error thrown by a callback, a lower-level failure. */
  cause?: unknown;
}

/**
 * An error from libzmq or from this library's checks of its input: the library's only error
 * type (besides the loader's {@linkcode LibraryNotFoundError}); its one subclass,
 * `MissingCapabilityError` (code `ENOTSUP`), also names the capability a libzmq build lacks
 * (`"draft"`).
 *
 * `code` says what went wrong ({@linkcode ZmqErrorCode}); `errno` is the platform's number for
 * an errno code (also when this library raises it itself, such as `EINVAL` or `EBUSY`) and 0
 * for this library's own codes; `op`, `socketType`, `endpoint` and `option` say what was being
 * done; `cause`, where there is one, is the error behind it (a callback's own error, say).
 *
 * The codes:
 * - errno names from libzmq and the operating system: `EFSM` (REQ/REP lockstep broken),
 *   `EAGAIN` (a timeout ran out, or not ready with `timeout: 0`), `EADDRINUSE`, `EINVAL`,
 *   `EHOSTUNREACH`, `ENOTSUP`, `EMFILE`, `ETERM`, ...; also raised by this library where libzmq
 *   would answer them or for what they name: `EBUSY` (a socket held by a proxy, a second
 *   pending `next()`), `EFAULT` and `EINVAL` (not a context handle), `ENOENT` (no such
 *   certificate file), `EPROTO` (a peer broke a protocol such as MDP), `ETIMEDOUT` (a hook ran
 *   out of time), `EIO` (the Titanic store failed), `ECHILD` (a background device's Worker
 *   died), `ENOMEM` (a received frame too big for memory).
 * - `ECLOSED`: the socket, context, monitor or service was closed (where pyzmq raises
 *   `ContextTerminated`, see below).
 * - `EBADVALUE`: a wrong argument (see the rule below).
 * - `EUNKNOWNOPTION`: no socket or context option of that name.
 * - `EREADONLY`, `EWRITEONLY`: the option cannot be written, or read.
 * - `EBADUTF8`, `EBADJSON`: a received frame is not UTF-8 text, or not JSON; a value to send
 *   is not JSON-serialisable.
 * - `ECODEC`: a codec of `sendSerialized` / `recvSerialized` threw (`cause` is its error): an
 *   encoding failure sends nothing, a decoding failure has consumed the message.
 * - `EHANDSHAKE`: a handshake failed (authentication, protocol) while waiting for a peer.
 * - `EPROXY`: libzmq's proxy ended with an error.
 * - `EHOOK`: an authenticator's decision hook threw or rejected (`cause` is its error).
 * - `EUNREACHABLE`: a reliable client gave up after its retries.
 * - `ETITANIC`: a Titanic service answered a status other than 200.
 *
 * The rule for arguments: a wrong argument is `EBADVALUE` (a value of the wrong type or shape,
 * a missing or extra field, an options object, timeout, count, signal, event mask, frame or
 * callback that is not one, a number outside the range this library documents). What libzmq
 * itself defines and would refuse is answered with libzmq's code, as pyzmq does: `EINVAL` for an
 * endpoint, a socket type name, a socket or context option value outside libzmq's range, a CURVE
 * key or Z85 text, a context handle, or a Context or Socket argument that is not one;
 * `EUNKNOWNOPTION` for an option name that does not exist. No call throws a TypeError or a
 * RangeError for its arguments; asynchronous methods reject rather than throw.
 *
 * `"ECLOSED"` is also what a call gets when its context was closed or terminated, where pyzmq
 * raises `ContextTerminated` (`ETERM`): the library closes each socket before `zmq_ctx_term`, so
 * libzmq's `ETERM` only reaches a socket of a context shared with another isolate
 * (`Context.adopt`) and terminated there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, ZmqError } from "../mod.ts";
 * using ctx = new Context();
 * using req = ctx.socket("REQ");
 * try {
 *   await req.recv(); // a REQ sends first
 *   assert.fail("recv before send must reject");
 * } catch (e) {
 *   assert.ok(e instanceof ZmqError);
 *   assert.equal(e.code, "EFSM");
 *   assert.equal(e.op, "recv");
 * }
 * ```
 */
export class ZmqError extends Error {
  /** The errno name, or one of this library's codes. */
  readonly code: ZmqErrorCode;
  /** The platform's errno for an errno code; 0 for this library's own codes. */
  readonly errno: number;
  /** The operation that failed. */
  readonly op?: string;
  /** The socket type involved. */
  readonly socketType?: string;
  /** The endpoint involved. */
  readonly endpoint?: string;
  /** The option involved. */
  readonly option?: string;

  /**
   * Builds an error; prefer the factory {@linkcode zmqError}, which fills in `errno`.
   *
   * @param code errno name or library code
   * @param errno numeric errno, 0 if none
   * @param detail the base message (libzmq's strerror text or a description)
   * @param context what was being done
   * @param options the `cause`, if any
   */
  constructor(
    code: ZmqErrorCode,
    errno: number,
    detail: string,
    context: ErrorContext = {},
    options: ZmqErrorOptions = {},
  ) {
    const where = [
      context.op,
      context.socketType && `on ${context.socketType} socket`,
      context.endpoint && `endpoint ${JSON.stringify(context.endpoint)}`,
      context.option && `option ${context.option}`,
    ].filter(Boolean).join(" ");
    super(where ? `${detail} (${where})` : detail, "cause" in options ? options : undefined);
    this.name = "ZmqError";
    this.code = code;
    this.errno = errno;
    this.op = context.op;
    this.socketType = context.socketType;
    this.endpoint = context.endpoint;
    this.option = context.option;
  }
}

/** The errno that goes with `code`: the platform's number for an errno name, else 0. */
export function errnoOf(code: ZmqErrorCode): number {
  if (LIBRARY_CODES.has(code)) return 0;
  if (isErrnoName(code)) return ERRNO[code];
  const n = Number(code.slice(1));
  return Number.isInteger(n) ? n : 0;
}

/**
 * @internal The error of `code` with its errno (see {@linkcode errnoOf}), `detail` and what was
 * being done; `cause` is passed through.
 */
export function zmqError(
  code: ZmqErrorCode,
  detail: string,
  context: ErrorContext = {},
  cause?: unknown,
): ZmqError {
  const options = cause === undefined ? {} : { cause };
  return new ZmqError(code, errnoOf(code), detail, context, options);
}

/** @internal EBADVALUE: a wrong argument (the rule is in ZmqError's docs). */
export function badValue(detail: string, context: ErrorContext = {}, cause?: unknown): ZmqError {
  return zmqError("EBADVALUE", detail, context, cause);
}

/** @internal ECLOSED: the socket, context or service is closed. */
export function closedError(detail: string, context: ErrorContext = {}): ZmqError {
  return zmqError("ECLOSED", detail, context);
}

/** @internal EAGAIN: an operation's timeout of `ms` ran out (0: it could not be done at once). */
export function timeoutError(ms: number, context: ErrorContext): ZmqError {
  return zmqError(
    "EAGAIN",
    ms === 0
      ? "Resource temporarily unavailable (not ready and timeout is 0)"
      : `Resource temporarily unavailable (timed out after ${ms} ms)`,
    context,
  );
}

/** @internal Builds a ZmqError for a numeric errno with libzmq's message. */
export function errorFromErrno(
  errno: number,
  message: string,
  context: ErrorContext,
): ZmqError {
  return new ZmqError(errnoName(errno), errno, message, context);
}
