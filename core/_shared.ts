// A context shared between isolates (a Web Worker's parent and the Worker): the handle passed
// to Context.adopt, and the bookkeeping that lets the owner end the context whatever the other
// isolates did, a terminated Worker included.
//
// The handle is a SharedArrayBuffer. It carries the context pointer and a state word the owner
// moves from LIVE to CLOSING before zmq_ctx_term, so a handle of a closed context is refused
// (never the address of freed memory, never another context at the same address). It also
// holds a table with one slot per socket another isolate opened on the context. A slot's state
// word says whether its isolate is inside a zmq_* call on that socket right now:
//
//   FREE -> OPENING (zmq_socket under way) -> IDLE <-> BUSY (a zmq_* call) ... -> FREE (closed)
//                                              IDLE -> REAPED (the owner closed it)
//
// An adopting isolate moves its slot IDLE -> BUSY (compare-and-swap) around every zmq_* call on
// the socket, and back. Before zmq_ctx_term the owner shuts the context down (live isolates get
// ETERM and close their sockets), then moves every IDLE slot to REAPED and closes that socket
// itself: libzmq allows closing a socket from another thread once its own thread no longer
// touches it, and the slot proves that. An isolate that finds its slot REAPED rejects with
// ETERM. A slot left BUSY or OPENING (an isolate that died inside the window) is waited for
// briefly, then taken anyway. A pending poll(2) of another isolate's reactor holds the socket's
// file descriptor, not its pointer: nothing there can touch freed memory.
import { addressOf, pointerAt, readable } from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { closedError, type ErrorContext, zmqError } from "./errors.ts";

const MAGIC = 0x5a4d5143; // "ZMQC"
const VERSION = 1;

// header, as Int32 indexes
const H_MAGIC = 0;
const H_VERSION = 1;
const H_STATE = 2;
const H_USERS = 3;
const H_STARTED = 4;
const H_TOP = 5;
const H_LINGER = 6;
const H_HAS_LINGER = 7;
/** BigInt64 index of the context pointer. */
const H_PTR64 = 4;
const HEADER_BYTES = 64;

/** One slot: Int32 state word, Int32 socket type, BigInt64 socket pointer. */
const SLOT_BYTES = 16;
/** Slots for sockets of other isolates: more than MAX_SOCKETS allows in all. */
export const SLOT_COUNT = 65536;
const BYTES = HEADER_BYTES + SLOT_COUNT * SLOT_BYTES;

const LIVE = 1;
const CLOSING = 2;

const FREE = 0;
const OPENING = 1;
const IDLE = 2;
const BUSY = 3;
const REAPED = 4;
const STATE_BITS = 4;
const STATE_MASK = (1 << STATE_BITS) - 1;
const GEN_MASK = (1 << (31 - STATE_BITS)) - 1;

const word = (gen: number, state: number) => (gen << STATE_BITS) | state;

/**
 * What `ctx.handle` answers: an opaque reference to a live context, for
 * {@linkcode Context.adopt} in another isolate. Pass it to a Worker with `postMessage` as it is
 * (it is structured-cloneable and keeps referring to the same context); do not build one.
 */
export interface ContextHandle {
  /** Marks the object as a context handle. */
  readonly kind: "zmq-deno.context";
  /** The shared state of the context (opaque). */
  readonly shared: SharedArrayBuffer;
}

/** A socket's claim on its slot: its index and the generation the slot had when claimed. */
export interface Slot {
  readonly index: number;
  readonly gen: number;
}

function sleep(ms: number, on: Int32Array): void {
  // the JS thread may block here: Atomics.wait is allowed on Deno's main thread
  Atomics.wait(on, H_MAGIC, MAGIC, ms);
}

/** The shared state of one context, seen from any isolate. */
export class SharedContext {
  readonly handle: ContextHandle;
  #i32: Int32Array;
  #i64: BigInt64Array;

  private constructor(shared: SharedArrayBuffer) {
    this.#i32 = new Int32Array(shared);
    this.#i64 = new BigInt64Array(shared);
    this.handle = Object.freeze({ kind: "zmq-deno.context", shared });
  }

  /** Creates the shared state of a context owned by this isolate. */
  static create(ptr: Pointer, linger: number | undefined, started: boolean): SharedContext {
    const s = new SharedContext(new SharedArrayBuffer(BYTES));
    s.#i64[H_PTR64] = addressOf(ptr);
    s.#i32[H_VERSION] = VERSION;
    s.#i32[H_STATE] = LIVE;
    s.#i32[H_STARTED] = started ? 1 : 0;
    if (linger !== undefined) {
      s.#i32[H_LINGER] = linger;
      s.#i32[H_HAS_LINGER] = 1;
    }
    Atomics.store(s.#i32, H_MAGIC, MAGIC);
    return s;
  }

  /**
   * Checks what was passed to Context.adopt. A bigint (an address, the old handle) is refused:
   * it could point anywhere. Throws EINVAL for what is not a handle, EFAULT for an address,
   * ECLOSED for the handle of a context that was closed.
   */
  static adopt(handle: unknown, context: ErrorContext): SharedContext {
    if (typeof handle === "bigint") {
      throw zmqError(
        handle > 0n ? "EFAULT" : "EINVAL",
        "Context.adopt takes the ContextHandle of ctx.handle, not an address " +
          "(a number could point anywhere)",
        context,
      );
    }
    const shared = (handle as ContextHandle | null)?.shared;
    if (
      typeof handle !== "object" || handle === null ||
      (handle as ContextHandle).kind !== "zmq-deno.context" ||
      !(shared instanceof SharedArrayBuffer) || shared.byteLength !== BYTES
    ) {
      throw zmqError(
        "EINVAL",
        "Not a context handle: pass ctx.handle as it is (postMessage keeps it intact)",
        context,
      );
    }
    const s = new SharedContext(shared);
    if (Atomics.load(s.#i32, H_MAGIC) !== MAGIC || s.#i32[H_VERSION] !== VERSION) {
      throw zmqError("EINVAL", "Not a context handle of this library", context);
    }
    if (!s.live) throw closedError("The context of this handle is closed", context);
    // a handle built by hand (its bytes copied, its address made up) may point anywhere:
    // libzmq checks the tag at a context's start, but reading an unmapped one kills the process
    if (!readable(s.pointer, 8)) {
      throw zmqError("EFAULT", "This handle does not point at a context", context);
    }
    return s;
  }

  /** True until the owner starts closing the context. */
  get live(): boolean {
    return Atomics.load(this.#i32, H_STATE) === LIVE;
  }

  /** The context pointer: use it only between enter() and leave(), or as the owner. */
  get pointer(): Pointer {
    return pointerAt(this.#i64[H_PTR64]);
  }

  /** The owner's default LINGER for new sockets, if it set one. */
  get linger(): number | undefined {
    return this.#i32[H_HAS_LINGER] === 1 ? this.#i32[H_LINGER] : undefined;
  }

  /** Whether libzmq started the context (its first socket was opened). */
  get started(): boolean {
    return Atomics.load(this.#i32, H_STARTED) === 1;
  }

  set started(value: boolean) {
    Atomics.store(this.#i32, H_STARTED, value ? 1 : 0);
  }

  /**
   * Begins a call that uses the context pointer (zmq_socket, zmq_ctx_get, ...) from an adopting
   * isolate; false if the context is closing (then do not call, and do not leave()).
   */
  enter(): boolean {
    Atomics.add(this.#i32, H_USERS, 1);
    if (this.live) return true;
    Atomics.sub(this.#i32, H_USERS, 1);
    return false;
  }

  /** Ends a call begun with enter(). */
  leave(): void {
    Atomics.sub(this.#i32, H_USERS, 1);
  }

  // ---- slots of the sockets of other isolates ----

  #slotWord(index: number): number {
    return (HEADER_BYTES + index * SLOT_BYTES) / 4;
  }

  /** Claims a free slot (OPENING) for a socket about to be opened; null if none is left. */
  claim(): Slot | null {
    const top = Math.min(Atomics.load(this.#i32, H_TOP), SLOT_COUNT);
    for (let i = 0; i <= top; i++) {
      const index = i < top ? i : Atomics.add(this.#i32, H_TOP, 1);
      if (index >= SLOT_COUNT) return null;
      const at = this.#slotWord(index);
      const w = Atomics.load(this.#i32, at);
      if ((w & STATE_MASK) !== FREE) continue;
      const gen = ((w >>> STATE_BITS) + 1) & GEN_MASK;
      if (Atomics.compareExchange(this.#i32, at, w, word(gen, OPENING)) === w) {
        return { index, gen };
      }
    }
    return null;
  }

  /** The socket of a claimed slot is open: records it; the slot becomes IDLE. */
  opened(slot: Slot, ptr: Pointer, type: number): void {
    this.#i32[this.#slotWord(slot.index) + 1] = type;
    this.#i64[(HEADER_BYTES + slot.index * SLOT_BYTES + 8) / 8] = addressOf(ptr);
    Atomics.store(this.#i32, this.#slotWord(slot.index), word(slot.gen, IDLE));
  }

  /** Gives a slot back (its socket is closed, or was never opened). */
  free(slot: Slot): void {
    Atomics.store(this.#i32, this.#slotWord(slot.index), word(slot.gen, FREE));
  }

  /**
   * Takes the slot for one zmq_* call (IDLE -> BUSY). Answers false if the owner reaped the
   * socket: it is closed and must not be touched.
   */
  acquire(slot: Slot): boolean {
    const at = this.#slotWord(slot.index);
    const idle = word(slot.gen, IDLE);
    return Atomics.compareExchange(this.#i32, at, idle, word(slot.gen, BUSY)) === idle;
  }

  /** True if the owner closed the socket of this slot. */
  reaped(slot: Slot): boolean {
    return Atomics.load(this.#i32, this.#slotWord(slot.index)) === word(slot.gen, REAPED);
  }

  /** Ends the call begun with acquire() (BUSY -> IDLE). */
  release(slot: Slot): void {
    Atomics.store(this.#i32, this.#slotWord(slot.index), word(slot.gen, IDLE));
  }

  // ---- the owner's side ----

  /**
   * Marks the context CLOSING (no more adopts, no more sockets from other isolates) and waits
   * up to `graceMs` for the calls other isolates are making on the context pointer to end.
   */
  beginClose(graceMs: number): void {
    Atomics.store(this.#i32, H_STATE, CLOSING);
    const until = performance.now() + graceMs;
    while (Atomics.load(this.#i32, H_USERS) > 0 && performance.now() < until) {
      sleep(1, this.#i32);
    }
  }

  /**
   * Closes, with `close`, every socket other isolates still have open: IDLE slots at once,
   * BUSY and OPENING ones once they are IDLE again or `graceMs` ran out (their isolate died in
   * the middle of a call). Answers how many sockets were closed here.
   */
  reap(close: (ptr: Pointer, type: number) => void, graceMs: number): number {
    const until = performance.now() + graceMs;
    const top = Math.min(Atomics.load(this.#i32, H_TOP), SLOT_COUNT);
    let reaped = 0;
    let pending = true;
    while (pending) {
      pending = false;
      const late = performance.now() >= until;
      for (let index = 0; index < top; index++) {
        const at = this.#slotWord(index);
        const w = Atomics.load(this.#i32, at);
        const state = w & STATE_MASK;
        if (state === FREE || state === REAPED) continue;
        if (state !== IDLE && !late) {
          pending = true;
          continue;
        }
        const gen = w >>> STATE_BITS;
        if (Atomics.compareExchange(this.#i32, at, w, word(gen, REAPED)) !== w) {
          pending = true; // it moved meanwhile: look again
          continue;
        }
        const value = this.#i64[(HEADER_BYTES + index * SLOT_BYTES + 8) / 8];
        if (state !== OPENING && value !== 0n) {
          close(pointerAt(value), this.#i32[at + 1]);
          reaped++;
        }
      }
      if (pending) sleep(1, this.#i32);
    }
    return reaped;
  }
}
