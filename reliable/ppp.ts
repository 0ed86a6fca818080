// The Paranoid Pirate Protocol (ZeroMQ RFC 6) on the wire.
import { sameBytes, splitEnvelope } from "./_frames.ts";

/** PPP's READY command: a one-frame message holding the byte 0x01 (RFC 6). */
export const PPP_READY: Uint8Array = Uint8Array.of(0x01);
/** PPP's HEARTBEAT command: a one-frame message holding the byte 0x02 (RFC 6). */
export const PPP_HEARTBEAT: Uint8Array = Uint8Array.of(0x02);

/** What a PPP queue read from a worker. */
export type PppWorkerMessage =
  | { kind: "ready" | "heartbeat" }
  | { kind: "reply"; frames: Uint8Array[] }
  | { kind: "invalid"; reason: string };

/** Reads what a worker sent (the frames after its routing id). */
export function parseFromWorker(frames: Uint8Array[]): PppWorkerMessage {
  if (frames.length === 1) {
    if (sameBytes(frames[0], PPP_READY)) return { kind: "ready" };
    if (sameBytes(frames[0], PPP_HEARTBEAT)) return { kind: "heartbeat" };
    return { kind: "invalid", reason: "a one-frame message that is neither READY nor HEARTBEAT" };
  }
  const [envelope, body] = splitEnvelope(frames);
  if (envelope.length < 2 || body.length === 0) {
    return { kind: "invalid", reason: "a reply needs a client address, an empty frame and a body" };
  }
  return { kind: "reply", frames };
}
