/**
 * Zero-copy frames: {@linkcode ZeroCopyFrame}, a Uint8Array whose bytes are a libzmq message's
 * own memory, received without a copy (`recv({ copy: false })`) or made by
 * {@linkcode ZeroCopyFrame.alloc} and sent without a copy (`send(frame, { copy: false })`).
 *
 * The ownership rules:
 * - A frame's memory belongs to libzmq's message and stays valid until the frame is released:
 *   by `frame[Symbol.dispose]()` (`using`), by {@linkcode ZeroCopyFrame.release}, or, as a
 *   backstop, some time after the frame and every `subarray()` of it are garbage. Release empties
 *   the frame and every view of its buffer (they read as length 0), so nothing can read memory
 *   libzmq freed. Views made another way (`new Uint8Array(frame.buffer)`, a DataView) do not keep
 *   it: keep the frame, or copy (`frame.slice()` is a plain copy).
 * - Sending with `{ copy: false }` hands libzmq a reference to the same message: no byte is
 *   copied, and bytes written into the frame before libzmq sent it may go out changed.
 *   {@linkcode ZeroCopyFrame.whenSent} resolves once no send holds it any more (pyzmq's
 *   MessageTracker). Disposing the frame right after the send is fine: libzmq keeps what it needs.
 * - Transferring the frame's buffer (postMessage, `buffer.transfer()`) moves libzmq's memory where
 *   this library cannot follow it: that message is then never freed (a leak, never a dangling
 *   view). Copy a frame you hand to a Worker.
 * - Only libzmq's memory is shared, never a plain JS buffer: `send(buf, { copy: false })` with a
 *   plain Uint8Array copies it, as does any frame under {@linkcode ZERO_COPY_MIN}. libzmq may still
 *   read a message after the isolate that sent it ended (at exit, or a terminated Worker), and JS
 *   memory is freed then.
 *
 * @module
 */
import {
  allocShared,
  closeShared,
  type MessageSlot,
  sharedCounts,
  sharedElsewhere,
  type SharedMessage,
} from "./_backend.ts";
import { checkSignal, checkTimeout, describeValue } from "./_util.ts";
import { badValue, type ErrorContext, timeoutError, zmqError } from "./errors.ts";

/**
 * Frames of at least this many bytes (64 KiB, pyzmq's copy threshold) are received and sent
 * without a copy when asked; smaller ones are copied, which costs less than the bookkeeping.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZERO_COPY_MIN, ZeroCopyFrame } from "../mod.ts";
 * assert.equal(ZERO_COPY_MIN, 65536);
 * using frame = ZeroCopyFrame.alloc(ZERO_COPY_MIN);
 * assert.equal(frame.zeroCopy, true);
 * ```
 */
export const ZERO_COPY_MIN = 64 * 1024;

/**
 * The `copy` option of a send or receive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, type CopyOptions } from "../mod.ts";
 * using ctx = new Context();
 * using push = ctx.socket("PUSH");
 * using pull = ctx.socket("PULL");
 * pull.bind("inproc://copy-options-example");
 * push.connect("inproc://copy-options-example");
 * const noCopy = { copy: false } as const satisfies CopyOptions;
 * await push.send(new Uint8Array(100_000));
 * using frame = await pull.recv({ ...noCopy, timeout: 1000 });
 * assert.equal(frame.zeroCopy, true);
 * ```
 */
export interface CopyOptions {
  /**
   * `false`: receive a {@linkcode ZeroCopyFrame} viewing libzmq's message, or send a
   * ZeroCopyFrame by sharing its message, without copying bytes. Default `true`.
   */
  copy?: boolean;
}

/** The native side of one zero-copy message: its slot, its buffer, who still needs it. */
class Held {
  slot: MessageSlot | null;
  readonly buffer: ArrayBuffer;
  /** Queued sends that will share the message (each pins it until it went out or gave up). */
  pins = 0;
  /** Released by the caller (or the backstop); the slot closes once no pin holds it. */
  released = false;
  /** The caller transferred the buffer away: the message must then stay valid for good. */
  moved = false;
  constructor(m: SharedMessage) {
    this.slot = m.slot;
    this.buffer = m.buffer;
  }
}

/** What a frame and its subarray() views share; the backstop fires once all are garbage. */
class Lease {
  readonly held: Held;
  constructor(held: Held) {
    this.held = held;
  }
}

/** Messages whose buffers the caller transferred away, kept for good (see the module doc). */
let movedAway = 0;

function release(h: Held): void {
  if (h.released) return;
  h.released = true;
  if (h.buffer.detached) h.moved = true; // transferred by the caller: its new owner reads it
  else h.buffer.transfer(0); // every view of it is emptied before libzmq may free the memory
  if (h.pins === 0) close(h);
}

function close(h: Held): void {
  const slot = h.slot;
  if (slot === null) return;
  h.slot = null;
  if (h.moved) movedAway++;
  else closeShared(slot);
}

const backstop = new FinalizationRegistry<Held>(release);

// Set in the class's static block, which may use its private parts:
/** A frame's lease, for this module's functions. */
let leaseOf: (frame: ZeroCopyFrame) => Lease | null;
/** A zero-copy frame viewing a message the backend received (the socket receives). */
export let frameOfMessage: (m: SharedMessage) => ZeroCopyFrame;
/** A frame with the same interface over bytes received as a copy (frames under the minimum). */
export let frameOfCopy: (bytes: Uint8Array) => ZeroCopyFrame;

/**
 * A Uint8Array whose bytes are a libzmq message's memory (see the module documentation for the
 * ownership rules). Frames come from `socket.recv({ copy: false })`,
 * `socket.recvMultipart({ copy: false })` and {@linkcode ZeroCopyFrame.alloc}; a frame under
 * {@linkcode ZERO_COPY_MIN} bytes is an ordinary copy with the same interface.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, ZeroCopyFrame } from "../mod.ts";
 * using ctx = new Context();
 * using push = ctx.socket("PUSH");
 * using pull = ctx.socket("PULL");
 * pull.bind("inproc://zero-copy-example");
 * push.connect("inproc://zero-copy-example");
 * using out = ZeroCopyFrame.alloc(1 << 20); // 1 MiB of libzmq's memory, zeroed
 * out.fill(7, 0, 4);
 * await push.send(out, { copy: false }); // no copy: libzmq shares the message
 * using frame = await pull.recv({ copy: false }); // no copy either: it views the message
 * assert.equal(frame.length, 1 << 20);
 * assert.equal(frame[0], 7);
 * assert.equal(frame.zeroCopy, true);
 * const part = frame.subarray(0, 4); // keeps the message as the frame does
 * frame.release();
 * assert.equal(part.length, 0); // released with it: nothing reads freed memory
 * ```
 */
export class ZeroCopyFrame extends Uint8Array<ArrayBuffer> implements Disposable {
  /** Derived arrays (`slice`, `map`, `filter`) are plain Uint8Arrays: copies of their own. */
  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }

  static {
    leaseOf = (frame) => frame.#lease;
    frameOfMessage = (m) => ZeroCopyFrame.#shared(m);
    frameOfCopy = (bytes) =>
      new ZeroCopyFrame(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, null);
  }

  #lease: Lease | null;

  private constructor(buffer: ArrayBuffer, offset: number, length: number, lease: Lease | null) {
    super(buffer, offset, length);
    this.#lease = lease;
  }

  /**
   * A new frame of `size` zeroed bytes in libzmq's memory, to fill and send with
   * `{ copy: false }` (under {@linkcode ZERO_COPY_MIN} bytes: an ordinary buffer). Throws a
   * ZmqError `EBADVALUE` for a size that is not a whole number of bytes, `ENOMEM` without memory.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ZeroCopyFrame } from "../mod.ts";
   * using frame = ZeroCopyFrame.alloc(256 * 1024);
   * assert.equal(frame.length, 256 * 1024);
   * assert.equal(frame.zeroCopy, true);
   * assert.equal(frame[1000], 0);
   * using small = ZeroCopyFrame.alloc(100); // under ZERO_COPY_MIN: an ordinary buffer
   * assert.equal(small.zeroCopy, false);
   * ```
   *
   * @param size The frame's length in bytes.
   * @returns A zeroed frame, in libzmq's memory from {@linkcode ZERO_COPY_MIN} bytes on.
   * @throws {ZmqError} `EBADVALUE` for a size that is not a whole number of bytes, `ENOMEM`.
   */
  static alloc(size: number): ZeroCopyFrame {
    const context: ErrorContext = { op: "ZeroCopyFrame.alloc" };
    if (!Number.isSafeInteger(size) || size < 0) {
      throw badValue(
        `size must be a whole number of bytes >= 0; got ${describeValue(size)}`,
        context,
      );
    }
    if (size < ZERO_COPY_MIN || !sharedCounts) {
      return new ZeroCopyFrame(new ArrayBuffer(size), 0, size, null);
    }
    const m = allocShared(size);
    if (typeof m === "number") {
      throw zmqError("ENOMEM", `No memory for a frame of ${size} bytes`, context);
    }
    return ZeroCopyFrame.#shared(m);
  }

  /** A frame viewing the message `m` (from the backend), with its backstop registered. */
  static #shared(m: SharedMessage): ZeroCopyFrame {
    const held = new Held(m);
    const lease = new Lease(held);
    backstop.register(lease, held, lease);
    return new ZeroCopyFrame(m.buffer, 0, m.buffer.byteLength, lease);
  }

  /** True while the bytes are libzmq's message memory (not a copy, not released). */
  get zeroCopy(): boolean {
    const lease = this.#lease;
    return lease !== null && !lease.held.released;
  }

  /**
   * A view of part of the frame, as `Uint8Array.prototype.subarray`, that keeps the frame's
   * memory as the frame does.
   *
   * @param begin The first byte's index.
   * @param end The index after the last byte.
   * @returns A view that keeps the frame's memory alive as the frame does.
   */
  override subarray(begin?: number, end?: number): ZeroCopyFrame {
    const view = super.subarray(begin, end);
    return new ZeroCopyFrame(this.buffer, view.byteOffset, view.length, this.#lease);
  }

  /**
   * Resolves once no send holds this frame's message any more (libzmq wrote it out or dropped
   * it), so the frame may be written into again; at once for a frame that was never sent, a
   * copy, or a released frame. With `timeout` (ms) it rejects with `EAGAIN` if sends still hold
   * it then; with `signal` it rejects with the signal's reason when aborted.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, ZeroCopyFrame, ZmqError } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://when-sent-example");
   * push.connect("inproc://when-sent-example");
   * using frame = ZeroCopyFrame.alloc(100_000);
   * await push.send(frame, { copy: false });
   * using received = await pull.recv({ copy: false }); // shares the message over inproc
   * await assert.rejects( // the receiver still views the same memory
   *   frame.whenSent({ timeout: 20 }),
   *   (e) => e instanceof ZmqError && e.code === "EAGAIN",
   * );
   * received.release();
   * await frame.whenSent({ timeout: 1000 });
   * frame.fill(1); // nobody else reads it now
   * ```
   *
   * @param options `timeout` in ms, `signal`.
   * @throws {ZmqError} Rejects with `EAGAIN` once the timeout passed while a send still holds it.
   */
  whenSent(options: { timeout?: number; signal?: AbortSignal } = {}): Promise<void> {
    const context: ErrorContext = { op: "whenSent" };
    try {
      if (typeof options !== "object" || options === null) {
        throw badValue(
          `whenSent takes { timeout, signal }; got ${describeValue(options)}`,
          context,
        );
      }
      checkSignal(options.signal, context);
      const timeout = checkTimeout(options.timeout, context);
      options.signal?.throwIfAborted();
      const held = this.#lease?.held;
      if (held === undefined || !inFlight(held)) return Promise.resolve();
      return waitUntilSent(held, timeout, options.signal, context);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Releases the frame's message now (see the module documentation): the frame and every view
   * of its buffer read as empty afterwards. Releasing twice, or a copy, does nothing.
   */
  release(): void {
    const lease = this.#lease;
    if (lease === null) return;
    backstop.unregister(lease);
    release(lease.held);
  }

  /** {@linkcode ZeroCopyFrame.release}, for `using`. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * The message slot to send for `frame` without a copy: a live zero-copy frame covering its
 * whole message, else null (the frame is then sent as bytes, copied).
 */
export function sharedSlot(frame: Uint8Array): MessageSlot | null {
  if (!(frame instanceof ZeroCopyFrame) || !sharedCounts) return null;
  const lease = leaseOf(frame);
  if (lease === null) return null;
  const h = lease.held;
  if (h.slot === null) return null;
  // released while a queued send pins it (the frame reads as empty now): that send still goes
  if (h.released) return h.pins > 0 ? h.slot : null;
  return frame.byteOffset === 0 && frame.byteLength === h.buffer.byteLength ? h.slot : null;
}

/** Keeps the messages of `frames`' zero-copy frames for a queued send; answers the undo. */
export function pinShared(frames: readonly Uint8Array[], from: number): (() => void) | null {
  const pinned: Held[] = [];
  for (let i = from; i < frames.length; i++) {
    if (sharedSlot(frames[i]) === null) continue;
    const h = leaseOf(frames[i] as ZeroCopyFrame)!.held;
    h.pins++;
    pinned.push(h);
  }
  if (pinned.length === 0) return null;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const h of pinned) {
      if (--h.pins === 0 && h.released) close(h);
    }
  };
}

/** Releases frames received for an operation that failed before it could answer them. */
export function releaseFrames(frames: readonly Uint8Array[]): void {
  for (const f of frames) if (f instanceof ZeroCopyFrame) f.release();
}

/** How many messages were kept for good because their buffers were transferred away. */
export function movedAwayCount(): number {
  return movedAway;
}

// ---- whenSent: the reference counts are read on a timer while someone waits ----

function inFlight(h: Held): boolean {
  return h.pins > 0 || (!h.released && h.slot !== null && sharedElsewhere(h.slot));
}

interface Waiter {
  held: Held;
  deadline: number;
  resolve(): void;
  reject(reason: unknown): void;
  onAbort?: () => void;
  signal?: AbortSignal;
}

const waiters = new Set<Waiter>();
let timer: ReturnType<typeof setTimeout> | undefined;
const POLL_MS = 1;

function waitUntilSent(
  held: Held,
  timeout: number,
  signal: AbortSignal | undefined,
  context: ErrorContext,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const w: Waiter = {
      held,
      deadline: timeout < 0 ? Infinity : performance.now() + timeout,
      resolve,
      reject: (reason) => reject(reason ?? timeoutError(timeout, context)),
      signal,
    };
    if (signal !== undefined) {
      w.onAbort = () => settle(w, false, signal.reason);
      signal.addEventListener("abort", w.onAbort, { once: true });
    }
    waiters.add(w);
    timer ??= setTimeout(pollWaiters, POLL_MS);
  });
}

function settle(w: Waiter, ok: boolean, reason?: unknown): void {
  if (!waiters.delete(w)) return;
  if (w.onAbort !== undefined) w.signal!.removeEventListener("abort", w.onAbort);
  if (ok) w.resolve();
  else w.reject(reason);
  if (waiters.size === 0 && timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
}

function pollWaiters(): void {
  timer = undefined;
  const now = performance.now();
  for (const w of [...waiters]) {
    if (!inFlight(w.held)) settle(w, true);
    else if (now >= w.deadline) settle(w, false);
  }
  if (waiters.size > 0) timer = setTimeout(pollWaiters, POLL_MS);
}
