// Handing out a batch of received messages (Socket.recvMany, Socket.batches): the frames that
// recvBatch staged (core/_backend_frames.ts) are copied into ONE new ArrayBuffer, and every frame
// of the batch is a view into it. An ArrayBuffer costs ~400-950 ns to allocate in Deno 2.9, a
// view ~40 ns: this is what makes a batch of small messages cheap.
//
// The ownership rule: the frames of one batch share that buffer (they were all delivered to the
// same caller by the same call), and it holds those frames and nothing else: no byte of another
// batch, of an earlier message or of another socket is visible through a frame's `.buffer`, and
// writing into it or detaching it (postMessage with transfer, `buffer.transfer()`) affects that
// batch alone. A frame too big for the staging area has a buffer of its own.
import { staged, type StagedBatch } from "./_backend.ts";

/** One receive of a batch: at most `max` messages. A pending operation's `kind` (core/_pending.ts). */
export class BatchReceive {
  /** The most messages to take. */
  readonly max: number;
  /** The messages, once received. */
  messages: Uint8Array[][] = [];
  /** `max` >= 1. */
  constructor(max: number) {
    this.max = max;
  }
}

/** The messages of the batch `staged` holds, as views into one buffer of their own. */
export function takeBatch(b: StagedBatch = staged): Uint8Array[][] {
  const { starts, lengths, own, ends } = b;
  const buffer = b.used > 0 ? b.stage.slice(0, b.used).buffer : new ArrayBuffer(0);
  const messages = new Array<Uint8Array[]>(ends.length);
  let f = 0;
  for (let m = 0; m < ends.length; m++) {
    const end = ends[m];
    const frames = new Array<Uint8Array>(end - f);
    for (let i = 0; f < end; i++, f++) {
      frames[i] = own[f] ?? new Uint8Array(buffer, starts[f], lengths[f]);
    }
    messages[m] = frames;
  }
  return messages;
}
