// The boundary's errors: libzmq's errno, its message, the ZmqError built from it right after a
// failing call, and the C strings every call that takes text passes (refusing a NUL inside).
// Below the rest of the backend (core/_backend.ts re-exports it), so that its files need not
// import one another in a circle.
import { zmq } from "./_ffi.ts";
import { type ErrorContext, errorFromErrno, type ZmqError, zmqError } from "./errors.ts";

const encoder = new TextEncoder();

/** libzmq's message for an errno. */
export function strerror(errno: number): string {
  const p = zmq.zmq_strerror(errno);
  return p ? Deno.UnsafePointerView.getCString(p) : `errno ${errno}`;
}

/** The current errno as a ZmqError with context. Call right after the failing zmq_* call. */
export function lastError(context: ErrorContext): ZmqError {
  const errno = zmq.zmq_errno();
  return errorFromErrno(errno, strerror(errno), context);
}

/** Encodes a JS string as a NUL-terminated C string; rejects strings with NUL inside. */
export function cString(s: string, context: ErrorContext): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) {
    throw zmqError("EINVAL", "String contains a NUL character", context);
  }
  return encoder.encode(s + "\0");
}

/** zmq_errno */
export function errno(): number {
  return zmq.zmq_errno();
}
