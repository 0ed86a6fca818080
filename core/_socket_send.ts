// The general send of a Socket (core/_socket_core.ts holds its state): the message checked and
// encoded, tried at once, and queued for the reactor when it cannot go now (core/_pending.ts),
// copied or pinned so that it goes out as it was at the call; a send that must wait for the
// event loop's next turn (core/_turn.ts); the frames handed to libzmq, addressed ones included.
import { ERRNO, sendFrame, sendShared } from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { type CopyOptions, pinShared, sharedSlot } from "./zero_copy.ts";
import { timeoutError } from "./errors.ts";
import { encodeMessage, ownFrames } from "./_frames.ts";
import { afterTurn, mustYield } from "./_turn.ts";
import { checkOptions, checkTimeout } from "./_util.ts";
import type { SendOp } from "./_pending.ts";
import type { OperationOptions } from "./socket.ts";
import { type MessageAddress, messageAddress, sendAddressedFrame } from "./_draft.ts";
import type { SendOptions } from "./message.ts";
import type { SocketCore } from "./_socket_core.ts";

const RESOLVED: Promise<void> = Promise.resolve();
const EAGAIN = ERRNO.EAGAIN;

function noop(): void {}

/** Whether the options of a send or receive ask for no copy (`{ copy: false }`). */
export function noCopy(options: unknown): boolean {
  return typeof options === "object" && options !== null &&
    (options as CopyOptions).copy === false;
}

/** A rejection, after the event loop's next turn if `later` (see core/_turn.ts). */
export function settleLater(later: boolean, error: unknown): Promise<never> {
  return later ? afterTurn(() => Promise.reject(error)) : Promise.reject(error);
}

/**
 * A send that must wait for the event loop's next turn (see core/_turn.ts). The message is
 * checked and, where it is the caller's memory, copied now: it goes out as it was at the call.
 */
export function sendLater(
  core: SocketCore,
  message: ArrayLike<unknown>,
  options: OperationOptions,
  op: string,
  owned: boolean,
): Promise<void> {
  let frames: Uint8Array[];
  let unpin: (() => void) | null = null;
  try {
    const encoded = encodeMessage(message, core.ctx(op));
    const shared = noCopy(options) ? sharedSlot : undefined;
    frames = encoded.borrowed && !owned ? ownFrames(encoded.frames, 0, shared) : encoded.frames;
    if (shared !== undefined && !owned) unpin = pinShared(frames, 0);
  } catch (e) {
    return settleLater(true, e);
  }
  const later = afterTurn(() =>
    mustYield() ? sendLater(core, frames, options, op, true) : send(core, frames, options, op, true)
  );
  return unpin === null ? later : later.finally(unpin);
}

/**
 * The general send. `owned`: the frames are this library's (copies or encoded text), so a
 * queued message need not be copied again.
 */
export function send(
  core: SocketCore,
  message: ArrayLike<unknown>,
  options: OperationOptions,
  op: string,
  owned: boolean,
): Promise<void> {
  try {
    const context = core.ctx(op);
    core.live(op);
    const opts: SendOptions = checkOptions(options, context);
    const { frames, borrowed } = encodeMessage(message, context);
    const address = messageAddress(opts, core.type, core.udp, frames, context);
    const timeout = checkTimeout(opts.timeout ?? core.sndTimeout, context);
    opts.signal?.throwIfAborted();
    const shared = noCopy(opts);
    // a message that has to wait is copied: it goes out as it was when send() was called
    // (its zero-copy frames, sent with copy: false, are pinned instead: core/zero_copy.ts)
    const keep = (from: number): Pick<SendOp, "frames" | "shared" | "cleanup"> => {
      if (!borrowed || owned) return { frames, shared };
      if (!shared) return { frames: ownFrames(frames, from), shared };
      const kept = ownFrames(frames, from, sharedSlot);
      return { frames: kept, shared, cleanup: pinShared(kept, from) ?? undefined };
    };
    if (core.ops.send.length === 0) {
      const sending: SendOp = {
        frames,
        index: 0,
        address,
        resolve: noop,
        reject: noop,
        shared,
      };
      const ptr = core.enter(op);
      let err: number;
      try {
        err = trySend(ptr, sending);
      } finally {
        core.leave();
      }
      if (err === 0) {
        core.sent++;
        core.afterOp();
        return RESOLVED;
      }
      if (err !== EAGAIN) throw core.errorFor(err, context);
      if (timeout === 0 && sending.index === 0) {
        core.afterOp(); // the failed zmq_send may have consumed the fd's edge
        throw timeoutError(0, context);
      }
      // Nothing sent yet: wait with the caller's timeout and signal. EAGAIN in the middle of
      // a multipart message: the rest must still go, in order, whatever happens.
      const started = sending.index > 0;
      return core.ops.enqueue(
        "send",
        { ...keep(sending.index), index: sending.index, address },
        started ? -1 : timeout,
        started ? undefined : opts.signal,
        context,
      );
    }
    if (timeout === 0) throw timeoutError(0, context);
    return core.ops.enqueue(
      "send",
      { ...keep(0), index: 0, address },
      timeout,
      opts.signal,
      context,
    );
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Sends the remaining frames of `op`; answers 0 when done, else the errno. */
export function trySend(ptr: Pointer, op: SendOp): number {
  if (op.address !== undefined) return trySendAddressed(ptr, op, op.address);
  const last = op.frames.length - 1;
  while (op.index <= last) {
    const frame = op.frames[op.index];
    const slot = op.shared === true ? sharedSlot(frame) : null;
    const err = slot !== null
      ? sendShared(ptr, slot, op.index < last)
      : sendFrame(ptr, frame, op.index < last);
    if (err !== 0) return err;
    op.index++;
  }
  return 0;
}

/** Sends the one frame of an addressed message (core/_draft.ts). */
function trySendAddressed(ptr: Pointer, op: SendOp, address: MessageAddress): number {
  const err = sendAddressedFrame(ptr, op.frames[0], address);
  if (err === 0) op.index = 1;
  return err;
}
