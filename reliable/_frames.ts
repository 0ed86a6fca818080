// Frame helpers shared by the reliable patterns: comparing, naming and packing frames.
import { badValue, zmqError } from "../core/errors.ts";
import type { Frame } from "../core/socket.ts";

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The empty frame: the envelope delimiter. */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** A frame as bytes. */
export function bytes(frame: Frame): Uint8Array {
  return typeof frame === "string" ? encoder.encode(frame) : frame;
}

/** True if frame `a` holds exactly the bytes of `b`. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A string key for a routing id (a Map key). */
export function idKey(id: Uint8Array): string {
  let key = "";
  for (const b of id) key += b.toString(16).padStart(2, "0");
  return key;
}

/** Decodes a frame as UTF-8, or answers null if it is not valid UTF-8. */
export function textOrNull(frame: Uint8Array | undefined): string | null {
  if (frame === undefined) return null;
  try {
    return utf8.decode(frame);
  } catch {
    return null;
  }
}

/**
 * Splits a request into its envelope (routing frames and the empty delimiter) and its body
 * (what follows). Without a delimiter, the envelope is empty and everything is body.
 */
export function splitEnvelope(frames: Uint8Array[]): [Uint8Array[], Uint8Array[]] {
  const delimiter = frames.findIndex((f) => f.length === 0);
  if (delimiter < 0) return [[], frames];
  return [frames.slice(0, delimiter + 1), frames.slice(delimiter + 1)];
}

/** The body of a message as frames: one frame or a list of at least one. */
export function bodyFrames(body: Frame | Frame[], op: string): Uint8Array[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) {
    throw badValue("A message body needs at least one frame", { op });
  }
  return list.map((frame, i) => {
    if (typeof frame === "string" || frame instanceof Uint8Array) return bytes(frame);
    throw badValue(
      `Body frame ${i} is ${
        frame === null ? "null" : typeof frame
      }; expected a string or Uint8Array`,
      { op },
    );
  });
}

/** Packs frames into one byte string: for each frame a 4-byte big-endian length, then its bytes. */
export function packFrames(frames: Uint8Array[]): Uint8Array {
  const size = frames.reduce((n, f) => n + 4 + f.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of frames) {
    view.setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

/** Unpacks what {@linkcode packFrames} made; throws EPROTO if the bytes are not such a packing. */
export function unpackFrames(packed: Uint8Array): Uint8Array[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const frames: Uint8Array[] = [];
  let at = 0;
  while (at < packed.length) {
    if (at + 4 > packed.length) break;
    const length = view.getUint32(at);
    if (at + 4 + length > packed.length) break;
    frames.push(packed.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== packed.length) {
    throw zmqError("EPROTO", `Stored frames are corrupt at byte ${at}`, {
      op: "unpackFrames",
    });
  }
  return frames;
}
