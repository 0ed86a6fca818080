import { ERRNO, errnoName } from "./constants.ts";

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
 * An error from libzmq or from this library's checks of its input.
 *
 * `code` is the errno name (`"EFSM"`, `"EADDRINUSE"`, `"EINVAL"`, ...) or one of this library's
 * own codes: `"ECLOSED"` (the socket or context was closed), `"EAGAIN"` (a per-call timeout ran
 * out), `"EUNKNOWNOPTION"`, `"EBADVALUE"`, `"EBADUTF8"`, `"EBADJSON"`, `"ECODEC"` (a codec of
 * `sendSerialized` / `recvSerialized` threw; its error is the `cause`).
 *
 * `"ECLOSED"` is also what a call gets when its context was closed or terminated, where pyzmq
 * raises `ContextTerminated` (`ETERM`): the library closes each socket before `zmq_ctx_term`, so
 * libzmq's `ETERM` only reaches a socket of a context shared with another isolate
 * (`Context.adopt`) and terminated there.
 *
 * @example
 * ```ts
 * import { Context, ZmqError } from "../mod.ts";
 * using ctx = new Context();
 * using req = ctx.socket("REQ");
 * try {
 *   await req.recv();
 * } catch (e) {
 *   if (e instanceof ZmqError) console.log(e.code); // "EFSM"
 * }
 * ```
 */
export class ZmqError extends Error {
  /** The errno name, or one of this library's codes. */
  readonly code: string;
  /** The numeric errno (0 for errors raised by this library's own checks). */
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
   * Builds an error; libzmq failures come with their errno, input checks with errno 0.
   *
   * @param code errno name or library code
   * @param errno numeric errno, 0 if none
   * @param detail the base message (libzmq's strerror text or a description)
   * @param context what was being done
   */
  constructor(code: string, errno: number, detail: string, context: ErrorContext = {}) {
    const where = [
      context.op,
      context.socketType && `on ${context.socketType} socket`,
      context.endpoint && `endpoint ${JSON.stringify(context.endpoint)}`,
      context.option && `option ${context.option}`,
    ].filter(Boolean).join(" ");
    super(where ? `${detail} (${where})` : detail);
    this.name = "ZmqError";
    this.code = code;
    this.errno = errno;
    this.op = context.op;
    this.socketType = context.socketType;
    this.endpoint = context.endpoint;
    this.option = context.option;
  }
}

/** @internal Builds a ZmqError for a numeric errno with libzmq's message. */
export function errorFromErrno(
  errno: number,
  message: string,
  context: ErrorContext,
): ZmqError {
  return new ZmqError(errnoName(errno), errno, message, context);
}

/** @internal ECLOSED: the socket or context is closed. */
export function closedError(detail: string, context: ErrorContext): ZmqError {
  return new ZmqError("ECLOSED", 0, detail, context);
}

/** @internal EAGAIN: an operation's timeout of `ms` ran out (0: it could not be done at once). */
export function timeoutError(ms: number, context: ErrorContext): ZmqError {
  return new ZmqError(
    "EAGAIN",
    ERRNO.EAGAIN,
    ms === 0
      ? "Resource temporarily unavailable (not ready and timeout is 0)"
      : `Resource temporarily unavailable (timed out after ${ms} ms)`,
    context,
  );
}
