// The general receive of a Socket (core/_socket_core.ts holds its state): tried at once, else
// queued for the reactor (core/_pending.ts); and the one try of every kind of receive: a frame,
// a multipart message, zero-copy frames (core/zero_copy.ts), an addressed message with its
// properties (core/_draft.ts), a batch (core/_batch.ts).
import { ERRNO, lastFrameMore, recvBatch, recvFrame, recvShared, staged } from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { BatchReceive, takeBatch } from "./_batch.ts";
import { frameOfCopy, frameOfMessage, releaseFrames, ZERO_COPY_MIN } from "./zero_copy.ts";
import { timeoutError } from "./errors.ts";
import { checkOptions, checkTimeout } from "./_util.ts";
import type { OperationOptions } from "./socket.ts";
import type { MessageReceipt } from "./_draft.ts";
import type { SocketCore } from "./_socket_core.ts";

/**
 * A receive of one frame, of a whole multipart message, of the same as zero-copy frames
 * (core/zero_copy.ts), of a message with where it came from and its properties (recvMessage:
 * core/_draft.ts), or of a batch (core/_batch.ts).
 */
export type RecvKind =
  | "frame"
  | "multipart"
  | "sharedFrame"
  | "sharedMultipart"
  | MessageReceipt
  | BatchReceive;

const NO_FRAMES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];
const EAGAIN = ERRNO.EAGAIN;

/**
 * The general receive. `justFailed`: the errno of the caller's own try (the fast path), so
 * that it is not tried again.
 */
export function recv(
  core: SocketCore,
  kind: RecvKind,
  options: OperationOptions,
  op: string,
  justFailed = 0,
): Promise<Uint8Array | Uint8Array[] | Uint8Array[][]> {
  try {
    const context = core.ctx(op);
    core.live(op);
    const opts: OperationOptions = checkOptions(options, context);
    const timeout = checkTimeout(opts.timeout ?? core.rcvTimeout, context);
    opts.signal?.throwIfAborted();
    if (core.ops.recv.length === 0) {
      const frames: Uint8Array[] = justFailed !== 0 ? NO_FRAMES : [];
      let err = justFailed;
      if (err === 0) {
        const ptr = core.enter(op);
        try {
          err = tryRecv(core, ptr, kind, frames);
        } finally {
          core.leave();
        }
      }
      if (err === 0) {
        core.afterOp();
        if (kind === "frame" || kind === "sharedFrame") return Promise.resolve(frames[0]);
        return Promise.resolve(kind instanceof BatchReceive ? kind.messages : frames);
      }
      if (err !== EAGAIN) throw core.errorFor(err, context);
      if (timeout === 0) {
        core.afterOp(); // the failed zmq_msg_recv may have consumed the fd's edge
        throw timeoutError(0, context);
      }
      // (not for a DRAFT socket: its descriptor is a zmq_poller's, which a recv does not arm)
      if (!core.ops.any && core.slot === null && core.poller === null) core.freshWait = true;
    }
    return core.ops.enqueue("recv", { kind, frames: [] }, timeout, opts.signal, context);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Receives into `frames` (a batch: into the BatchReceive); answers 0 when the frame, the whole
 * message or a batch of at least one message arrived, else the errno.
 */
export function tryRecv(
  core: SocketCore,
  ptr: Pointer,
  kind: RecvKind,
  frames: Uint8Array[],
): number {
  if (core.deferred !== 0) {
    const err = core.deferred;
    core.deferred = 0;
    return err;
  }
  if (kind === "sharedFrame" || kind === "sharedMultipart") {
    for (;;) {
      const r = recvShared(ptr, ZERO_COPY_MIN);
      if (typeof r === "number") {
        releaseFrames(frames); // a message cut by an error is dropped whole
        frames.length = 0;
        return r;
      }
      frames.push(r instanceof Uint8Array ? frameOfCopy(r) : frameOfMessage(r));
      if (kind === "sharedFrame" || !lastFrameMore) return 0;
    }
  }
  if (kind instanceof BatchReceive) {
    const err = recvBatch(ptr, kind.max);
    if (err !== 0) return err;
    kind.messages = takeBatch();
    core.deferred = staged.error;
    return 0;
  }
  if (typeof kind === "object") return kind.receive(ptr, frames);
  for (;;) {
    const r = recvFrame(ptr);
    if (typeof r === "number") return r;
    frames.push(r);
    if (kind === "frame" || !lastFrameMore) return 0;
  }
}
