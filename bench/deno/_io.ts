// The two places where the Deno stack sends a payload and drains received frames. Every
// workload goes through them, so switching the whole bench to zero copy or to a batch receive
// is an edit here (issue 12 items 3 and 4), not in each workload:
//   - zero copy: SEND_OPTIONS = { copy: false } (and await what `send` answers if it tracks);
//   - batches:   receiveEach's loop becomes `for (const f of await s.recvMany(max - i)) ...`.
import type { OperationOptions, Socket } from "../../core/mod.ts";

/** The options of every payload send (today the library's defaults: the payload is copied). */
export const SEND_OPTIONS: OperationOptions = {};

/** Sends one payload frame the way every workload does. */
export function sendPayload(s: Socket, payload: Uint8Array): Promise<void> {
  return s.send(payload, SEND_OPTIONS);
}

/**
 * Receives up to `max` frames from `s`, calling `onFrame` for each in order, until `onFrame`
 * answers `false`; answers the number of frames received. Today one `recv()` per frame.
 */
export async function receiveEach(
  s: Socket,
  max: number,
  onFrame: (frame: Uint8Array) => boolean | void,
  options: OperationOptions = {},
): Promise<number> {
  let i = 0;
  while (i < max) {
    for (const [frame] of await s.recvMany(Math.min(max - i, 1000), options)) {
      i++;
      if (onFrame(frame) === false) return i;
    }
  }
  return i;
}
