// Turning what a caller passes to send() into frames, before anything goes out: a message is all
// or nothing, so every frame is checked and encoded first, and a frame that cannot be sent (a
// hole in the array, a detached buffer, a value of the wrong type) rejects the whole message.
import { badValue, type ErrorContext, type ZmqError } from "./errors.ts";
import { describeKind } from "./_util.ts";

const encoder = new TextEncoder();

/** Frames ready for zmq_send, and whether the caller's memory is behind any of them. */
export interface EncodedMessage {
  frames: Uint8Array[];
  /** True if a frame is a view of the caller's buffer (copied before it may wait in a queue). */
  borrowed: boolean;
}

function detachedError(index: number, context: ErrorContext): ZmqError {
  return badValue(
    `Frame ${index} is a view of a detached ArrayBuffer (transferred or resized away); ` +
      "nothing was sent",
    context,
  );
}

/**
 * True if `view` has lost its memory: a detached buffer leaves a view of length 0, and so does
 * a resizable one shrunk below the end of a view of fixed length (out of bounds: `set` throws
 * for it, and a DataView's `byteLength` throws). Only a view of length 0 pays for the check.
 */
export function isDetached(view: ArrayBufferView): boolean {
  let length: number;
  try {
    length = view.byteLength;
  } catch {
    return true; // a DataView out of bounds
  }
  if (length !== 0) return false;
  const buffer = view.buffer as ArrayBuffer;
  if (buffer.detached === true) return true;
  if (!buffer.resizable || view instanceof DataView) return false;
  try {
    (view as Uint8Array).set([]);
    return false;
  } catch {
    return true;
  }
}

/**
 * One frame as bytes: a string is encoded as UTF-8, a Uint8Array is used as it is, another
 * ArrayBufferView or an ArrayBuffer is viewed as bytes. Anything else, and a detached buffer, is a
 * ZmqError of code `EBADVALUE` naming the frame.
 */
export function toFrame(value: unknown, index: number, context: ErrorContext): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) {
    if (isDetached(value)) throw detachedError(index, context);
    return value;
  }
  if (value instanceof ArrayBuffer) {
    if (value.detached) throw detachedError(index, context);
    return new Uint8Array(value);
  }
  if (ArrayBuffer.isView(value)) {
    if (isDetached(value)) throw detachedError(index, context);
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw badValue(
    `Frame ${index} is ${describeKind(value)}; expected a string or Uint8Array`,
    context,
  );
}

/**
 * Checks and encodes every frame of a message (indexes 0 to length - 1: a hole in a sparse
 * array is an error, not a skipped frame). Throws before anything is sent.
 */
export function encodeMessage(message: ArrayLike<unknown>, context: ErrorContext): EncodedMessage {
  const n = message.length;
  if (n === 0) throw badValue("A message needs at least one frame", context);
  const frames = new Array<Uint8Array>(n);
  let borrowed = false;
  for (let i = 0; i < n; i++) {
    const value = message[i];
    frames[i] = toFrame(value, i, context);
    if (typeof value !== "string") borrowed = true;
  }
  return { frames, borrowed };
}

/**
 * Copies the frames from `from` on that are views of the caller's memory, so that a message
 * waiting in the send queue goes out as it was when send() was called, whatever the caller does
 * with its buffers afterwards (writes into them, transfers them to a Worker). Frames for which
 * `shared` answers something other than null (zero-copy frames of a send with `copy: false`)
 * are kept as they are: their messages are pinned instead (core/zero_copy.ts).
 */
export function ownFrames(
  frames: Uint8Array[],
  from: number,
  shared?: (frame: Uint8Array) => unknown,
): Uint8Array[] {
  const out = frames.slice();
  for (let i = from; i < out.length; i++) {
    // a zero-copy frame sent without a copy is kept by reference (its message is pinned)
    if (shared === undefined || shared(out[i]) === null) out[i] = out[i].slice();
  }
  return out;
}
