// The task format shared by the load-test roles: 8 bytes, [id u32 LE, payload u32 LE]; a
// result is [id, f(id, payload)], so the collector can check that each came back processed.
import { UsageError } from "../workers/usage_error.ts";

/** The payload the ventilator puts in task `id`. */
export function payloadOf(id: number): number {
  return Math.imul(id ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
}

/** What a worker answers for a task: the collector recomputes it. */
export function work(id: number, payload: number): number {
  return (Math.imul(payload, 31) + id) >>> 0;
}

/** Encodes two u32 values into a fresh 8-byte frame. */
export function pack(a: number, b: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, a, true);
  view.setUint32(4, b, true);
  return out;
}

/** Decodes an 8-byte frame into its two u32 values; null if it is not 8 bytes. */
export function unpack(frame: Uint8Array): [number, number] | null {
  if (frame.length !== 8) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, 8);
  return [view.getUint32(0, true), view.getUint32(4, true)];
}

/** Parses `--name value` integer flags with a default. */
export function intFlag(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`--${name} must be an integer >= 0; got ${JSON.stringify(value)}`);
  }
  return n;
}
