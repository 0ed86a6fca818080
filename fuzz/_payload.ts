// Self-checking messages for the model-based fuzzer. A message is a header frame followed by
// body frames of any size (0 B to 1 MiB). The header names the stream (who sent it) and the
// sequence number, and carries each body frame's length and hash, plus a hash of itself, so a
// receiver can tell at once whether what arrived is intact and whole, without any shared state.
import type { Rng } from "./_rng.ts";

const MAGIC = 0x5a46555a; // "ZUFZ"
const HEADER_FIXED = 16;

/** What a header says about its message. */
export interface Stamp {
  stream: number;
  seq: number;
}

/** FNV-1a over the bytes: cheap, and any flipped byte changes it. */
export function hash(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Bytes derived from (stream, seq, index), so two frames rarely look alike. */
function fill(out: Uint8Array, stream: number, seq: number, index: number): void {
  let x = (Math.imul(stream + 1, 0x9e3779b1) ^ Math.imul(seq + 1, 0x85ebca6b) ^ (index + 7)) | 1;
  let i = 0;
  for (; i + 4 <= out.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
    out[i + 1] = x >>> 8;
    out[i + 2] = x >>> 16;
    out[i + 3] = x >>> 24;
  }
  for (; i < out.length; i++) out[i] = (x >>> (8 * (i & 3))) & 0xff;
}

/** Sizes a frame: mostly small, some around the 8 KiB slab limit, a few up to 1 MiB. */
export function frameSize(rng: Rng, allowLarge: boolean): number {
  const r = rng.next();
  if (r < 0.15) return 0;
  if (r < 0.6) return rng.int(33);
  if (r < 0.82) return rng.range(33, 600);
  if (r < 0.968) return rng.pick([8191, 8192, 8193, rng.range(600, 8192)]);
  if (r < 0.998 || !allowLarge) return rng.range(8193, 65536);
  return rng.pick([1 << 20, rng.range(65537, 1 << 20)]);
}

/** How many body frames: mostly 0-3, sometimes up to 16. */
export function frameCount(rng: Rng): number {
  const r = rng.next();
  if (r < 0.8) return rng.int(4);
  return rng.range(4, 16);
}

/** Builds the frames of message `seq` of `stream` with body frames of the given sizes. */
export function makeMessage(stream: number, seq: number, sizes: number[]): Uint8Array[] {
  const header = new Uint8Array(HEADER_FIXED + 8 * sizes.length + 4);
  const view = new DataView(header.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, stream, true);
  view.setUint32(8, seq, true);
  view.setUint32(12, sizes.length, true);
  const frames: Uint8Array[] = [header];
  sizes.forEach((size, i) => {
    const body = new Uint8Array(size);
    fill(body, stream, seq, i);
    view.setUint32(HEADER_FIXED + 8 * i, size, true);
    view.setUint32(HEADER_FIXED + 8 * i + 4, hash(body), true);
    frames.push(body);
  });
  view.setUint32(header.length - 4, hash(header.subarray(0, header.length - 4)), true);
  return frames;
}

/** The number of bytes of a message (all frames). */
export function messageBytes(frames: Uint8Array[]): number {
  let n = 0;
  for (const f of frames) n += f.length;
  return n;
}

/**
 * Checks a received message (header and body frames, envelope already removed). Answers the
 * stamp, or a description of what is wrong.
 */
export function checkMessage(frames: Uint8Array[]): Stamp | string {
  if (frames.length === 0) return "a message with no frames";
  const header = frames[0];
  if (header.length < HEADER_FIXED + 4) return `header of ${header.length} bytes`;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return "header without the magic number";
  if (view.getUint32(header.length - 4, true) !== hash(header.subarray(0, header.length - 4))) {
    return "header hash mismatch (the header frame was corrupted)";
  }
  const stream = view.getUint32(4, true);
  const seq = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const where = `stream ${stream} seq ${seq}`;
  if (header.length !== HEADER_FIXED + 8 * count + 4) return `${where}: header length mismatch`;
  if (frames.length !== count + 1) {
    return `${where}: ${frames.length - 1} body frames arrived, ${count} were sent (not whole)`;
  }
  for (let i = 0; i < count; i++) {
    const size = view.getUint32(HEADER_FIXED + 8 * i, true);
    const body = frames[i + 1];
    if (body.length !== size) {
      return `${where}: body frame ${i} has ${body.length} bytes, ${size} were sent`;
    }
    if (hash(body) !== view.getUint32(HEADER_FIXED + 8 * i + 4, true)) {
      return `${where}: body frame ${i} (${size} bytes) is corrupted`;
    }
  }
  return { stream, seq };
}

/**
 * Does a received frame's ArrayBuffer show bytes of anything but its own message? Bytes
 * outside the message's own frames must be zero (a fresh buffer). Answers a description, or
 * null when nothing foreign is visible.
 */
export function foreignBytes(frames: Uint8Array[]): string | null {
  const byBuffer = new Map<ArrayBufferLike, Uint8Array[]>();
  for (const f of frames) {
    if (f.buffer.byteLength === 0) continue; // empty or detached
    const list = byBuffer.get(f.buffer) ?? [];
    list.push(f);
    byBuffer.set(f.buffer, list);
  }
  for (const [buffer, own] of byBuffer) {
    if (buffer.byteLength > 4 * 1024 * 1024) continue; // not a pool: too big to scan cheaply
    const all = new Uint8Array(buffer);
    const mine = new Uint8Array(all.length);
    for (const f of own) mine.fill(1, f.byteOffset, f.byteOffset + f.byteLength);
    for (let i = 0; i < all.length; i++) {
      if (mine[i] === 0 && all[i] !== 0) {
        return `a received frame's ArrayBuffer (${buffer.byteLength} bytes) shows ${
          all.length - own.reduce((n, f) => n + f.byteLength, 0)
        } bytes beyond its message's frames, non-zero at offset ${i}`;
      }
    }
  }
  return null;
}

/** Received frames kept by the "user" for a while, re-checked later: nothing may change them. */
export class Keeper {
  #kept: { frame: Uint8Array; hash: number; what: string }[] = [];
  readonly limit: number;
  /** Re-checks done, for the report. */
  rechecks = 0;

  /** Keeps at most `limit` frames (the oldest go first). */
  constructor(limit = 256) {
    this.limit = limit;
  }

  /** Keeps `frame` (a received frame, already found intact). */
  keep(frame: Uint8Array, what: string): void {
    if (this.#kept.length >= this.limit) this.#kept.shift();
    this.#kept.push({ frame, hash: hash(frame), what });
  }

  /** Re-checks every kept frame; answers a description of the first that changed, or null. */
  recheck(): string | null {
    for (const k of this.#kept) {
      this.rechecks++;
      if (k.frame.buffer.byteLength === 0 && k.frame.byteLength === 0 && k.hash !== hash(k.frame)) {
        return `kept frame (${k.what}) was emptied: its ArrayBuffer was detached by someone else`;
      }
      if (hash(k.frame) !== k.hash) {
        return `kept frame (${k.what}, ${k.frame.length} bytes) changed after it was received`;
      }
    }
    return null;
  }

  /** How many frames are kept now. */
  get size(): number {
    return this.#kept.length;
  }
}
