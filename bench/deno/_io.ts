// The two places where the Deno stack sends a payload and drains received frames. Every
// workload goes through them, so the whole bench uses the library's fast paths from here
// (issue 12 items 3 and 4), not from each workload:
//   - zero copy: a payload of ZERO_COPY_MIN bytes or more goes out as a ZeroCopyFrame with
//     { copy: false } (libzmq shares one message, as pyzmq shares one bytes object above its
//     copy threshold), and such frames are received with { copy: false } and released at once;
//   - batches: every other receive is a recvMany, one call and one buffer per batch.
import {
  type OperationOptions,
  type Socket,
  ZERO_COPY_MIN,
  ZeroCopyFrame,
} from "../../core/mod.ts";

/** The options of every payload send: large payloads go out without a copy. */
export const SEND_OPTIONS: OperationOptions & { copy: false } = { copy: false };

/** The ZeroCopyFrame holding each large payload's bytes, made on its first send. */
const shared = new WeakMap<Uint8Array, ZeroCopyFrame>();

/** Sends one payload frame the way every workload does. */
export function sendPayload(s: Socket, payload: Uint8Array): Promise<void> {
  if (payload.length < ZERO_COPY_MIN) return s.send(payload);
  let frame = shared.get(payload);
  if (frame === undefined) {
    frame = ZeroCopyFrame.alloc(payload.length);
    frame.set(payload);
    shared.set(payload, frame);
  }
  return s.send(frame, SEND_OPTIONS);
}

/**
 * Receives up to `max` frames from `s`, calling `onFrame` for each in order, until `onFrame`
 * answers `false`; answers the number of frames received. Frames are valid during `onFrame`
 * only (a zero-copy frame is released right after it).
 */
export async function receiveEach(
  s: Socket,
  max: number,
  onFrame: (frame: Uint8Array) => boolean | void,
  options: OperationOptions = {},
): Promise<number> {
  let i = 0;
  let large = false; // the last frame was large: the next one likely is too
  const noCopy = { ...options, copy: false as const };
  while (i < max) {
    if (large) {
      using frame = await s.recv(noCopy);
      i++;
      large = frame.length >= ZERO_COPY_MIN;
      if (onFrame(frame) === false) return i;
      continue;
    }
    for (const [frame] of await s.recvMany(Math.min(max - i, 1000), options)) {
      i++;
      large = frame.length >= ZERO_COPY_MIN;
      if (onFrame(frame) === false) return i;
    }
  }
  return i;
}
