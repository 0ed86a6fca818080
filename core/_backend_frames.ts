// The native boundary's half for messages: every call that moves a frame between libzmq and
// JS (a send, a receive, a batch of receives). Like core/_backend.ts, of which it is a part (it
// re-exports all of this), it is one of the two modules allowed to call the symbols of _ffi.ts
// (tools/boundary.ts), and holds no policy beyond the copying itself.
//
// The costs that shape it, measured in Deno 2.9.6 on these machines: a "pointer" parameter costs
// a fraction of a "buffer" one in a fast call (zmq_msg_recv ~78 ns against ~104 ns), a 64-bit
// parameter is fast only as a bigint (a number takes the slow path, ~200 ns), and allocating an
// ArrayBuffer costs ~400-950 ns however small, against ~40 ns for a view into an existing one.
import { libc, type Pointer, zmq } from "./_ffi.ts";
import { DONTWAIT, ERRNO, SNDMORE } from "./constants.ts";

const ONE_BYTE = new Uint8Array(1);

/** zmq_send with DONTWAIT (and SNDMORE when `more`); answers 0, or the errno on failure. */
export function sendFrame(sock: Pointer, frame: Uint8Array, more: boolean): number {
  const flags = more ? DONTWAIT | SNDMORE : DONTWAIT;
  const buf = frame.length ? frame : ONE_BYTE;
  while (zmq.zmq_send(sock, buf, BigInt(frame.length), flags) < 0) {
    const e = zmq.zmq_errno();
    if (e !== ERRNO.EINTR) return e; // a signal (a profiler's, say) interrupted it: again
  }
  return 0;
}

/** The address of a view's first byte (its buffer must be a `new ArrayBuffer`: never moved). */
function addressOf(view: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(view)));
}

// A zmq_msg_t (64 bytes) that outlives any single call; in its own ArrayBuffer so that V8
// never moves it while libzmq holds pointers into it. It stays initialised for the life of the
// isolate: zmq_msg_recv releases the previous content itself (and leaves the message valid when
// it fails), so a frame costs zmq_msg_recv and a copy, no init/close. The hot paths pass it as a
// pointer, computed once.
const msg = new Uint8Array(new ArrayBuffer(64));
zmq.zmq_msg_init(msg);
const msgAt = Deno.UnsafePointer.of(msg)!;
/** Content above this size is released right after it was copied out, not at the next recv. */
const KEEP_MAX = 64 * 1024;

// What this reads of the zmq_msg_t itself, libzmq 4.3's layout (msg.hpp), not its API:
// - a frame of up to 33 bytes is kept inside the message (a "very small message": data at
//   offset 8, its size at 41, the type 101 at 42), which saves the zmq_msg_data and memcpy
//   calls, the largest part of the native cost of a small receive;
// - every kind of message keeps its flags right after its type, at 43, and bit 0 is MORE, which
//   saves the zmq_msg_more call on every frame.
// Both are checked once against the API here: a 5-byte message must be a very small one with its
// data at offset 8 and a 100-byte one must not be; zmq_msg_more must follow bit 0 of byte 43 (and
// nothing else there) in both kinds. Every frame must still say type 101 and the size
// zmq_msg_recv answered before its bytes are read from the message.
const VSM_DATA = 8, VSM_MAX = 33, VSM_SIZE = 41, TYPE = 42, FLAGS = 43, TYPE_VSM = 101, MORE = 1;

/** Whether zmq_msg_more(m) follows bit 0 of byte FLAGS of `m`, and nothing else in that byte. */
function moreIsFlagsBit(m: Uint8Array): boolean {
  const saved = m[FLAGS];
  let ok = true;
  for (const [flags, more] of [[MORE, 1], [0, 0], [0xfe, 0], [0xff, 1]]) {
    m[FLAGS] = flags;
    if (zmq.zmq_msg_more(m) !== more) ok = false;
  }
  m[FLAGS] = saved; // the other bits (shared, command) matter to zmq_msg_close
  return ok;
}

const layout = (() => {
  const probe = new Uint8Array(new ArrayBuffer(64));
  if (zmq.zmq_msg_init_size(probe, 5n) !== 0) return { inlineSmall: false, flagsByte: false };
  const small = probe[TYPE] === TYPE_VSM && probe[VSM_SIZE] === 5 &&
    BigInt(zmq.zmq_msg_data_addr(probe)) === addressOf(probe) + BigInt(VSM_DATA);
  let flagsByte = probe[FLAGS] === 0 && moreIsFlagsBit(probe);
  zmq.zmq_msg_close(probe);
  if (zmq.zmq_msg_init_size(probe, 100n) !== 0) return { inlineSmall: false, flagsByte: false };
  const large = probe[TYPE] !== TYPE_VSM;
  flagsByte &&= probe[FLAGS] === 0 && moreIsFlagsBit(probe);
  zmq.zmq_msg_close(probe);
  return { inlineSmall: small && large, flagsByte };
})();
const inlineSmall = layout.inlineSmall;
const flagsByte = layout.flagsByte;

/** Whether the message in `msg` has more frames after it. */
function more(): boolean {
  return flagsByte ? (msg[FLAGS] & MORE) !== 0 : zmq.zmq_msg_more(msg) === 1;
}

/** Whether the message in `msg` (of `n` bytes, as zmq_msg_recv said) keeps them inside itself. */
function isInline(n: number): boolean {
  return n <= VSM_MAX && inlineSmall && msg[TYPE] === TYPE_VSM && msg[VSM_SIZE] === n;
}

/** zmq_msg_recv answers the size clipped to INT_MAX: a bigger frame must be sized again. */
const INT_MAX = 2147483647;

/** Whether the frame returned by the last successful recvFrame has more frames after it. */
export let lastFrameMore = false;
/** The size of the frame that made the last recvFrame or recvBatch answer ENOMEM (dropped). */
export let lastDroppedSize = 0;

/** zmq_msg_recv into `msg` with DONTWAIT, again after EINTR: the size, or minus the errno. */
function receive(sock: Pointer): number {
  for (;;) {
    const n = zmq.zmq_msg_recv_at(msgAt, sock, DONTWAIT);
    if (n >= 0) return n === INT_MAX ? Number(zmq.zmq_msg_size(msg)) : n; // 2 GiB or more
    const e = zmq.zmq_errno();
    if (e !== ERRNO.EINTR) return -e; // a signal (a profiler's, say) interrupted it: again
  }
}

/** A Uint8Array of `n` bytes holding the frame in `msg`; null if memory ran out. */
function copyOut(n: number): Uint8Array | null {
  let out: Uint8Array;
  try {
    out = new Uint8Array(n);
  } catch {
    return null;
  }
  if (isInline(n)) {
    for (let i = 0; i < n; i++) out[i] = msg[VSM_DATA + i];
  } else if (n > 0) libc.memcpy(out, zmq.zmq_msg_data_at(msgAt), BigInt(n));
  if (n > KEEP_MAX) releaseMessage();
  return out;
}

/** A frame too big for this isolate's memory: it and the rest of its message are dropped. */
function dropTooBig(sock: Pointer, n: number, hasMore: boolean): number {
  lastDroppedSize = n;
  releaseMessage();
  if (hasMore) dropRest(sock);
  return ERRNO.ENOMEM;
}

/**
 * zmq_msg_recv with DONTWAIT, copied out of libzmq's message into a Uint8Array of its own: a
 * frame's `.buffer` holds that frame and nothing else, and what a caller does with it (writes,
 * transfers it to a Worker) touches no other frame. Answers the frame, or the errno (a number)
 * on failure. A frame too big for this isolate's memory answers ENOMEM after dropping the rest
 * of its message too (a message is all or nothing); `lastDroppedSize` tells its size.
 */
export function recvFrame(sock: Pointer): Uint8Array | number {
  const n = receive(sock);
  if (n < 0) return -n;
  lastFrameMore = more();
  return copyOut(n) ?? dropTooBig(sock, n, lastFrameMore);
}

function releaseMessage(): void {
  zmq.zmq_msg_close(msg);
  zmq.zmq_msg_init(msg);
}

/** Receives and drops the remaining frames of the message being received (they are queued:
 * libzmq delivers a multipart message whole). */
function dropRest(sock: Pointer): void {
  do {
    if (receive(sock) < 0) break;
    lastFrameMore = more();
    releaseMessage();
  } while (lastFrameMore);
  lastFrameMore = false;
}

// ---- addressed messages (DRAFT: core/_draft.ts) ----

// The zmq_msg_t of addressed sends and of receives with properties, apart from recvFrame's.
const sendMsg = new Uint8Array(new ArrayBuffer(64));
const recvMsg = new Uint8Array(new ArrayBuffer(64));
zmq.zmq_msg_init(recvMsg);

/**
 * Sends one frame as a zmq_msg_t with DONTWAIT, with a routing id (SERVER, PEER; 0: none) and
 * a group (RADIO: a NUL-terminated C string of at most 255 bytes; null: none). Answers 0, or
 * the errno; the message is released either way.
 */
export function sendAddressed(
  sock: Pointer,
  frame: Uint8Array,
  routingId: number,
  group: Uint8Array<ArrayBuffer> | null,
): number {
  const data = frame.length ? frame : ONE_BYTE;
  if (zmq.zmq_msg_init_buffer!(sendMsg, data, BigInt(frame.length)) !== 0) return zmq.zmq_errno();
  let err = 0;
  if (routingId !== 0 && zmq.zmq_msg_set_routing_id!(sendMsg, routingId) !== 0) {
    err = zmq.zmq_errno();
  } else if (group !== null && zmq.zmq_msg_set_group!(sendMsg, group) !== 0) {
    err = zmq.zmq_errno();
  }
  while (err === 0 && zmq.zmq_msg_send(sendMsg, sock, DONTWAIT) < 0) {
    const e = zmq.zmq_errno();
    if (e !== ERRNO.EINTR) err = e;
  }
  // after a successful send libzmq left an empty message; after a failure it is still ours
  zmq.zmq_msg_close(sendMsg);
  return err;
}

/** One frame received by recvAddressed, with what libzmq said about its message. */
export interface AddressedFrame {
  frame: Uint8Array;
  more: boolean;
  /** The sender's routing id on SERVER and PEER sockets; 0 elsewhere. */
  routingId: number;
  /** The message's group on a DISH socket; "" elsewhere. */
  group: string;
  /** zmq_msg_gets of each name asked for: the value, or null where the message has none. */
  properties: (string | null)[];
}

/**
 * zmq_msg_recv with DONTWAIT into a message of its own, copied out into a Uint8Array of its own
 * (as recvFrame does), with its routing id, group and the properties `names` (NUL-terminated
 * C strings) read before the message is released. Answers the errno (a number) on failure; a
 * frame too big for memory answers ENOMEM after dropping the rest of its message.
 */
export function recvAddressed(
  sock: Pointer,
  names: readonly Uint8Array<ArrayBuffer>[],
): AddressedFrame | number {
  let n = zmq.zmq_msg_recv(recvMsg, sock, DONTWAIT);
  while (n < 0) {
    const e = zmq.zmq_errno();
    if (e !== ERRNO.EINTR) return e;
    n = zmq.zmq_msg_recv(recvMsg, sock, DONTWAIT);
  }
  if (n === INT_MAX) n = Number(zmq.zmq_msg_size(recvMsg));
  const more = zmq.zmq_msg_more(recvMsg) === 1;
  let frame: Uint8Array;
  try {
    frame = new Uint8Array(n);
  } catch {
    lastDroppedSize = n;
    zmq.zmq_msg_close(recvMsg);
    zmq.zmq_msg_init(recvMsg);
    if (more) dropRest(sock);
    return ERRNO.ENOMEM;
  }
  if (n > 0) libc.memcpy(frame, zmq.zmq_msg_data_addr(recvMsg), BigInt(n));
  const routingId = zmq.zmq_msg_routing_id?.(recvMsg) ?? 0;
  const groupPtr = zmq.zmq_msg_group?.(recvMsg) ?? null;
  const group = groupPtr === null ? "" : Deno.UnsafePointerView.getCString(groupPtr);
  const properties = names.map((name) => {
    const p = zmq.zmq_msg_gets(recvMsg, name);
    return p === null ? null : Deno.UnsafePointerView.getCString(p);
  });
  // released now: its content and its connection's properties are not held until the next one
  zmq.zmq_msg_close(recvMsg);
  zmq.zmq_msg_init(recvMsg);
  return { frame, more, routingId, group, properties };
}

// ---- batches ----

// A batch is received into a staging area private to this module (never visible to a caller)
// and handed out by copying the staged bytes into ONE new ArrayBuffer (core/_batch.ts): one
// allocation per batch instead of one per frame. A frame too big for what is left of the stage
// gets a buffer of its own. Memory: the stage, and a few reused arrays of numbers.
const STAGE_BYTES = 256 * 1024;
/**
 * A batch stops taking new messages once it holds this many bytes, staged or in buffers of their
 * own (or once its message count is met): a queue of large messages is not drained whole into
 * memory, and the caller sees the first ones without waiting for the rest.
 */
const STAGE_FILL = STAGE_BYTES / 2;
/** Frames above this size are copied into buffers of their own, never staged. */
const STAGE_FRAME_MAX = 16 * 1024;
const stage = new Uint8Array(new ArrayBuffer(STAGE_BYTES));
const stageAt = addressOf(stage);

/** What the last recvBatch received, for core/_batch.ts to hand out. Reused by every batch. */
export interface StagedBatch {
  /** The staging area (bytes 0 to `used` - 1 hold the staged frames, back to back). */
  readonly stage: Uint8Array;
  /** Bytes staged. */
  used: number;
  /** Per frame: its offset in the stage (or -1: it is in `own`) and its length. */
  readonly starts: number[];
  readonly lengths: number[];
  /** Per frame: its own buffer if it was too big for the stage, else null. */
  readonly own: (Uint8Array | null)[];
  /** Per message: the index one past its last frame. */
  readonly ends: number[];
  /**
   * The errno met after the batch's complete messages (not EAGAIN), 0 if none: what the next
   * receive must report (an ENOMEM drop, say). The batch itself is good.
   */
  error: number;
}

/** The batch state (one per isolate: batches are received and handed out synchronously). */
export const staged: StagedBatch = {
  stage,
  used: 0,
  starts: [],
  lengths: [],
  own: [],
  ends: [],
  error: 0,
};

/** Forgets the frames of an unfinished message (an error came in its middle). */
function dropPartial(b: StagedBatch): void {
  const keep = b.ends.length > 0 ? b.ends[b.ends.length - 1] : 0;
  b.starts.length = b.lengths.length = b.own.length = keep;
  b.used = keep > 0 ? usedUpTo(b, keep) : 0;
}

function usedUpTo(b: StagedBatch, frames: number): number {
  for (let f = frames - 1; f >= 0; f--) if (b.starts[f] >= 0) return b.starts[f] + b.lengths[f];
  return 0;
}

/**
 * Receives every message queued on `sock`, up to `max` messages (whole: a multipart message is
 * never split), into `staged`, with DONTWAIT. Answers 0 with at least one message staged, or the
 * errno (EAGAIN: nothing was queued). An error after some messages ends the batch there and is
 * left in `staged.error`; a message cut by an error is dropped, as recvFrame's ENOMEM drops one.
 */
export function recvBatch(sock: Pointer, max: number): number {
  const b = staged;
  const { starts, lengths, own, ends } = b;
  starts.length =
    lengths.length =
    own.length =
    ends.length =
      0;
  b.used = 0;
  b.error = 0;
  let frames = 0, inMessage = false, used = 0, bytes = 0;
  while (inMessage || (ends.length < max && bytes < STAGE_FILL)) {
    const n = receive(sock);
    if (n < 0) {
      b.used = used;
      if (inMessage) dropPartial(b);
      if (ends.length === 0) return -n;
      if (-n !== ERRNO.EAGAIN) b.error = -n;
      return 0;
    }
    const hasMore = more();
    if (n <= STAGE_FRAME_MAX && used + n <= STAGE_BYTES) {
      if (isInline(n)) {
        for (let i = 0; i < n; i++) stage[used + i] = msg[VSM_DATA + i];
      } else if (n > 0) {
        libc.memcpy_at(stageAt + BigInt(used), zmq.zmq_msg_data_at(msgAt), BigInt(n));
      }
      starts.push(used);
      own.push(null);
      used += n;
    } else {
      const out = copyOut(n);
      if (out === null) {
        b.used = used;
        const e = dropTooBig(sock, n, hasMore);
        dropPartial(b);
        if (ends.length === 0) return e;
        b.error = e;
        return 0;
      }
      starts.push(-1);
      own.push(out);
    }
    lengths.push(n);
    bytes += n;
    frames++;
    inMessage = hasMore;
    if (!hasMore) ends.push(frames);
  }
  b.used = used;
  return 0;
}

// ---- zero copy (core/zero_copy.ts) ----

// A zero-copy frame keeps a libzmq message of its own (a zmq_msg_t in an ArrayBuffer of its own,
// a "slot") and views that message's memory. Only memory libzmq owns is ever shared this way,
// never a JS buffer: libzmq may read a message after the isolate that sent it is gone (at exit,
// or a Worker terminated), and memory V8 freed then crashed it (measured: "Bad address
// (tcp.cpp:227)"). No JS callback is involved either: a frame is released on the JS thread, and
// the memory of ZeroCopyFrame.alloc is freed by libc's free wherever libzmq drops it.
//
// What this reads of libzmq 4.3's layout (msg.hpp), checked once against the API below: a large
// message (type 102, or 105 for one received without a copy) points at its content_t at offset
// 8, and content_t is { data, size, ffn, hint, refcnt (u32) }; zmq_msg_copy marks both messages
// shared (flag 0x80) and counts 2. A frame whose count is above 1 is still held by a send in
// libzmq (or by another frame sharing it): that is how ZeroCopyFrame.whenSent knows.

/** A zmq_msg_t of its own holding one reference to a message (zero-copy frames). */
export type MessageSlot = Uint8Array<ArrayBuffer>;

/** A message kept for a zero-copy frame: its slot, and an ArrayBuffer viewing its bytes. */
export interface SharedMessage {
  slot: MessageSlot;
  buffer: ArrayBuffer;
}

const TYPE_LMSG = 102, TYPE_ZCLMSG = 105, SHARED = 0x80, CONTENT = 8, REFCNT = 32;

function newSlot(): MessageSlot {
  const slot = new Uint8Array(new ArrayBuffer(64));
  zmq.zmq_msg_init(slot);
  return slot;
}

/** The address of a large message's content_t. */
function contentOf(slot: Uint8Array): bigint {
  return new DataView(slot.buffer, slot.byteOffset, 64).getBigUint64(CONTENT, true);
}

/** libc's free, as a function pointer for zmq_msg_init_data (null where it cannot be had). */
const freeFn: Pointer | null = (() => {
  if (libc.dlopen === null || libc.dlsym === null || Deno.build.os !== "linux") return null;
  const RTLD_NOW = 2, RTLD_NOLOAD = 4;
  const handle = libc.dlopen(new TextEncoder().encode("libc.so.6\0"), RTLD_NOW | RTLD_NOLOAD);
  return handle === null ? null : libc.dlsym(handle, new TextEncoder().encode("free\0"));
})();

/** A view of the `size` bytes of the message in `slot`. */
function viewOf(slot: MessageSlot, size: number): ArrayBuffer {
  const data = size > 0 ? Deno.UnsafePointer.create(BigInt(zmq.zmq_msg_data_addr(slot))) : null;
  return data === null ? new ArrayBuffer(0) : Deno.UnsafePointerView.getArrayBuffer(data, size);
}

/** A message of `size` zeroed bytes whose memory libc's free releases; null if none. */
function allocated(size: number): MessageSlot | null {
  if (freeFn === null) return null;
  const data = libc.calloc(BigInt(size), 1n);
  if (data === null) return null;
  const slot = newSlot();
  if (zmq.zmq_msg_init_data(slot, data, BigInt(size), freeFn, null) !== 0) {
    libc.free_at(data);
    return null;
  }
  return slot;
}

/** Whether the reference counts of shared messages can be read (the layout check). */
export const sharedCounts: boolean = (() => {
  if (!littleEndian()) return false;
  const a = allocated(100_000) ?? newSlot();
  if (a[TYPE] !== TYPE_LMSG && zmq.zmq_msg_init_size(a, 100_000n) !== 0) return false;
  const b = newSlot();
  try {
    if (a[TYPE] !== TYPE_LMSG || contentOf(a) === 0n) return false;
    const content = new Deno.UnsafePointerView(Deno.UnsafePointer.create(contentOf(a))!);
    if (content.getBigUint64(0) !== BigInt(zmq.zmq_msg_data_addr(a))) return false;
    if (content.getBigUint64(8) !== 100_000n) return false;
    if ((a[FLAGS] & SHARED) !== 0 || zmq.zmq_msg_copy(b, a) !== 0) return false;
    const two = content.getUint32(REFCNT) === 2 && (a[FLAGS] & SHARED) !== 0 &&
      contentOf(b) === contentOf(a);
    zmq.zmq_msg_close(b);
    zmq.zmq_msg_init(b);
    return two && content.getUint32(REFCNT) === 1;
  } finally {
    zmq.zmq_msg_close(b);
    zmq.zmq_msg_close(a);
  }
})();

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * A new message of `size` bytes, zeroed, for a zero-copy frame; the errno (ENOMEM) if there is
 * no memory for it.
 */
export function allocShared(size: number): SharedMessage | number {
  let slot = allocated(size);
  if (slot === null) {
    slot = newSlot();
    if (zmq.zmq_msg_init_size(slot, BigInt(size)) !== 0) return zmq.zmq_errno();
    const buffer = viewOf(slot, size);
    new Uint8Array(buffer).fill(0); // libzmq's malloc'd memory holds whatever was there before
    return { slot, buffer };
  }
  return { slot, buffer: viewOf(slot, size) };
}

/**
 * zmq_msg_recv with DONTWAIT like recvFrame, except that a frame of at least `min` bytes kept in
 * memory of its own by libzmq is not copied: the message moves into a slot of its own and its
 * bytes are viewed where they are. Answers that, a copied frame, or the errno.
 */
export function recvShared(sock: Pointer, min: number): SharedMessage | Uint8Array | number {
  const n = receive(sock);
  if (n < 0) return -n;
  lastFrameMore = more();
  const type = msg[TYPE];
  if (n < min || (type !== TYPE_LMSG && type !== TYPE_ZCLMSG)) {
    return copyOut(n) ?? dropTooBig(sock, n, lastFrameMore);
  }
  const slot = newSlot();
  zmq.zmq_msg_move(slot, msg); // leaves msg empty and initialised
  return { slot, buffer: viewOf(slot, n) };
}

// The message zmq_msg_send takes for a shared send (libzmq leaves it empty after a success).
const sendRef = new Uint8Array(new ArrayBuffer(64));
zmq.zmq_msg_init(sendRef);

/**
 * Sends the message in `slot` without copying its bytes: libzmq gets a reference of its own
 * (zmq_msg_copy), with DONTWAIT (and SNDMORE when `more`). Answers 0, or the errno.
 */
export function sendShared(sock: Pointer, slot: MessageSlot, more: boolean): number {
  if (zmq.zmq_msg_copy(sendRef, slot) !== 0) return zmq.zmq_errno();
  const flags = more ? DONTWAIT | SNDMORE : DONTWAIT;
  while (zmq.zmq_msg_send_shared(sendRef, sock, flags) < 0) {
    const e = zmq.zmq_errno();
    if (e !== ERRNO.EINTR) {
      zmq.zmq_msg_close(sendRef); // drops the reference it took
      zmq.zmq_msg_init(sendRef);
      return e;
    }
  }
  return 0;
}

/** Whether another reference to the message in `slot` exists (a send libzmq still holds). */
export function sharedElsewhere(slot: MessageSlot): boolean {
  if (!sharedCounts || (slot[FLAGS] & SHARED) === 0) return false;
  const type = slot[TYPE];
  if (type !== TYPE_LMSG && type !== TYPE_ZCLMSG) return false;
  const content = Deno.UnsafePointer.create(contentOf(slot));
  return content !== null && new Deno.UnsafePointerView(content).getUint32(REFCNT) > 1;
}

/** Releases the message in `slot` (libzmq frees its memory once no other reference holds it). */
export function closeShared(slot: MessageSlot): void {
  zmq.zmq_msg_close(slot);
}
