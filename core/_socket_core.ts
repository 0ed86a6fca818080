// The state behind one Socket and the general paths of its operations: the native pointer, the
// slot it holds on a context adopted from another isolate (core/_shared.ts), the proxy it may be
// leased to (core/proxy_lease.ts), its options, its pending operations (core/_pending.ts) and
// what the reactor calls (core/_reactor.ts). Socket (core/socket.ts) keeps the public methods
// and the fast paths, and comes here for everything else.
import {
  endpointCall,
  ERRNO,
  errno as lastErrno,
  getsockopt,
  getsockoptInt,
  lastDroppedSize,
  lastFrameMore,
  recvBatch,
  recvFrame,
  recvShared,
  sendFrame,
  sendShared,
  setsockopt,
  staged,
  strerror,
  wakeDrain,
} from "./_backend.ts";
import { BatchReceive, takeBatch } from "./_batch.ts";
import {
  type CopyOptions,
  frameOfCopy,
  frameOfMessage,
  pinShared,
  releaseFrames,
  sharedSlot,
  ZERO_COPY_MIN,
} from "./zero_copy.ts";
import type { Pointer } from "./_backend.ts";
import { FRESH, reactor, type Watched } from "./_reactor.ts";
import type { ContextInternals, OpenSocket } from "./_registry.ts";
import type { SharedContext, Slot } from "./_shared.ts";
import { POLLIN } from "./constants.ts";
import { SOCKET_OPTIONS } from "./options.ts";
import {
  badValue,
  closedError,
  type ErrorContext,
  errorFromErrno,
  timeoutError,
  type ZmqError,
  zmqError,
} from "./errors.ts";
import { encodeMessage, ownFrames } from "./_frames.ts";
import { optionToGet, optionToSet } from "./_options.ts";
import { checkEndpointOptions, checkSocketValue } from "./_guards.ts";
import { afterTurn, mustYield } from "./_turn.ts";
import { checkEvents, checkOptions, checkSignal, checkTimeout, describeValue } from "./_util.ts";
import { type Pending, PendingOps, type QueueIO, type SendOp } from "./_pending.ts";
import { closeNativeSocket, type OpenedSocket } from "./_native_socket.ts";
import type { CloseOptions, OperationOptions } from "./socket.ts";
import {
  type AnySocketType,
  checkDraftEndpoint,
  type MessageAddress,
  messageAddress,
  type MessageReceipt,
  sendAddressedFrame,
} from "./_draft.ts";
import type { SendOptions } from "./message.ts";

/** The libzmq calls that take an endpoint. */
export type EndpointCall = "zmq_bind" | "zmq_connect" | "zmq_unbind" | "zmq_disconnect";

/**
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

const RESOLVED: Promise<void> = Promise.resolve();
const NO_FRAMES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];
const EAGAIN = ERRNO.EAGAIN;
const ETERM = ERRNO.ETERM;
const ZMQ_EVENTS = SOCKET_OPTIONS.EVENTS.id;

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

/** The state and the general paths of one Socket. */
export class SocketCore {
  /** The socket type (the modern name). */
  readonly type: AnySocketType;
  /**
   * False where a plain zmq_send must not be tried (the fast path): SERVER and PEER send by
   * routing id, RADIO by group, so their sends take the general path, which checks the address.
   */
  readonly plainSend: boolean;
  /** The zmq socket pointer, or null once closed. */
  ptr: Pointer | null;
  /** The sends, receives and polls waiting for the reactor. */
  readonly ops: PendingOps;
  /** Messages sent since the socket was opened (what a late termination reports). */
  sent = 0;
  /**
   * An error a batch receive met after the messages it answered (an ENOMEM drop): the next
   * receive reports it (0: none). The fast paths leave the receive to the general path then.
   */
  deferred = 0;
  #owner: OpenSocket;
  #internals: ContextInternals;
  #fatal: ZmqError | null = null;
  #rcvTimeout = -1;
  #sndTimeout = -1;
  /** What the reactor sees of this socket. */
  #watcher: Watched;
  /** How the queues reach this socket's zmq_* calls when the reactor serves them. */
  #io: QueueIO;
  /** Error contexts without extra fields, by operation name (see ctx). */
  #contexts = new Map<string, ErrorContext>();
  /** Who holds the socket while a proxy runs on it (core/proxy_lease.ts), or null. */
  #leasedTo: string | null = null;
  /** Settled by release(), while leased. */
  #released: PromiseWithResolvers<void> | null = null;
  /** For a socket of an adopted context: the shared state and its slot (core/_shared.ts). */
  #shared: SharedContext | null;
  #slot: Slot | null;
  /** How deep the enter calls holding the slot are nested. */
  #depth = 0;
  /** LINGER and endpoints used: what a late termination reports. */
  #linger: number;
  #endpoints: string[] = [];
  /**
   * Set when a receive that just failed with EAGAIN became the socket's only pending operation,
   * cleared by any later call on the socket (afterOp): until then the reactor's first sweep
   * need not try it again (the failed zmq_msg_recv processed libzmq's commands, so a poll of
   * ZMQ_FD wakes on anything new). Saves a zmq_msg_recv (a poll(2) inside libzmq) per wait.
   */
  #freshWait = false;
  /** The zmq_poller that gives a thread-safe (DRAFT) socket its descriptor, or null. */
  #poller: Pointer | null;
  /** Whether a udp:// endpoint was ever bound or connected (what a RADIO may send: _draft.ts). */
  #udp = false;

  /**
   * Takes over the native socket `opened` (core/_native_socket.ts) of type `type`, opened on
   * the context of `internals` for `owner` (the Socket, which the context lists as open).
   */
  constructor(
    owner: OpenSocket,
    internals: ContextInternals,
    type: AnySocketType,
    opened: OpenedSocket,
  ) {
    this.type = type;
    this.plainSend = type !== "SERVER" && type !== "PEER" && type !== "RADIO";
    this.#poller = opened.poller;
    this.#owner = owner;
    this.#internals = internals;
    this.#linger = internals.linger;
    this.ptr = opened.ptr;
    this.#shared = opened.shared;
    this.#slot = opened.slot;
    const fd = opened.fd;
    this.#watcher = {
      fd,
      // a thread-safe socket's descriptor is its poller's signaler: emptied before the socket
      // is served, so that a command arriving from then on wakes the next poll
      service: opened.poller === null ? () => this.#service() : () => {
        wakeDrain(fd);
        return this.#service();
      },
      events: () => this.#events(),
      fail: (error) => this.ops.failPending(error),
    };
    this.ops = new PendingOps(this.#watcher);
    this.#io = {
      send: (ptr, op) => this.#trySend(ptr, op),
      recv: (ptr, kind, frames) => this.tryRecv(ptr, kind, frames),
      events: (ptr) => {
        const ev = getsockoptInt(ptr, ZMQ_EVENTS);
        return ev >= 0 ? ev : -(lastErrno() || ERRNO.EINVAL);
      },
      sent: () => this.sent++,
      failed: (op, err, what) => this.#settleError(op, err, what),
      broken: (err) => {
        this.#fail(err, "poll"); // closes the socket, which gives its slot back
        this.ops.rejectAll(this.#fatal ?? this.errorFor(err, this.ctx("poll")));
      },
    };
  }

  /** True once closed (for a socket of an adopted context: also once its owner closed it). */
  get closed(): boolean {
    return this.ptr === null || (this.#slot !== null && this.#shared!.reaped(this.#slot));
  }

  /** The error context of operation `op` on this socket, with `extra` fields if given. */
  ctx(op: string, extra?: Partial<ErrorContext>): ErrorContext {
    if (extra !== undefined) return { op, socketType: this.type, ...extra };
    // contexts are only read: one per operation name, not one per call on the hot path
    let c = this.#contexts.get(op);
    if (c === undefined) this.#contexts.set(op, c = Object.freeze({ op, socketType: this.type }));
    return c;
  }

  /** The pointer; throws ECLOSED (or what closed the socket) and EBUSY (leased to a proxy). */
  live(op: string, extra?: Partial<ErrorContext>): Pointer {
    if (this.ptr === null) {
      throw this.#fatal ?? closedError("Socket is closed", this.ctx(op, extra));
    }
    if (this.#leasedTo !== null) throw this.#busyError(op, extra);
    return this.ptr;
  }

  /**
   * The pointer if the socket is usable now without a slot to hold (not a socket of an adopted
   * context) and not leased, else null: the general path then does the work, or reports.
   */
  fastPtr(): Pointer | null {
    return this.#slot === null && this.#leasedTo === null ? this.ptr : null;
  }

  /**
   * live(), and for a socket of an adopted context the slot held for the zmq_* calls that
   * follow, until leave(). Throws ETERM if the context's owner closed the socket.
   */
  #enter(op: string, extra?: Partial<ErrorContext>): Pointer {
    const ptr = this.live(op, extra);
    if (this.#slot !== null && this.#depth++ === 0 && !this.#shared!.acquire(this.#slot)) {
      this.#depth = 0;
      throw this.#reaped(op);
    }
    return ptr;
  }

  /** Ends what #enter began. */
  #leave(): void {
    if (this.#slot !== null && --this.#depth === 0) this.#shared!.release(this.#slot);
  }

  /** The owner of the context closed this socket (it terminated the context): so are we. */
  #reaped(op: string): ZmqError {
    const error = zmqError(
      "ETERM",
      "Context was terminated by the isolate that created it; this socket was closed with it",
      this.ctx(op),
    );
    this.#fatal = error;
    this.ptr = null;
    this.#slot = null;
    // A thread-safe socket's poller is left as it is (a descriptor and a few bytes): destroying
    // it would touch the socket, which the owner closed and libzmq may have freed.
    this.#poller = null;
    this.#internals.sockets.delete(this.#owner);
    this.ops.rejectAll(error);
    return error;
  }

  #busyError(op: string, extra?: Partial<ErrorContext>): ZmqError {
    return zmqError(
      "EBUSY",
      `Socket is in use by ${this.#leasedTo}; stop it before using the socket`,
      this.ctx(op, extra),
    );
  }

  /**
   * Runs `use` with the live pointer (null once closed), holding the slot (core/monitor.ts).
   * Throws EBUSY while a proxy holds the socket.
   */
  use<T>(use: (ptr: Pointer | null) => T): T {
    // a proxy's thread owns the socket: a native call from here would race with it
    if (this.#leasedTo !== null) throw this.#busyError("monitor");
    if (this.ptr === null) return use(null);
    const ptr = this.#enter("monitor");
    try {
      return use(ptr);
    } finally {
      this.#leave();
    }
  }

  /**
   * Runs one native call `fn` on the live pointer for operation `op` (holding the slot of a
   * socket of an adopted context), then lets waiting operations look again (core/_draft.ts).
   */
  call<T>(op: string, fn: (ptr: Pointer) => T): T {
    const ptr = this.#enter(op);
    let result: T;
    try {
      result = fn(ptr);
    } finally {
      this.#leave();
    }
    this.afterOp();
    return result;
  }

  /** Hands the pointer over to a proxy (see core/_registry.ts). */
  lease(owner: string): Pointer {
    const ptr = this.live("start proxy");
    this.ops.purgeCancelled();
    if (this.ops.any) {
      throw zmqError(
        "EBUSY",
        "Socket has sends, receives or polls pending; settle them before starting a proxy",
        this.ctx("start proxy"),
      );
    }
    this.#enter("start proxy"); // held while the proxy runs (released by release())
    this.#leasedTo = owner;
    this.#released = Promise.withResolvers<void>();
    return ptr;
  }

  /** Gives the socket back from its proxy. */
  release(): void {
    this.#leasedTo = null;
    this.#leave();
    this.#released?.resolve();
    this.#released = null;
  }

  /** While a proxy holds the socket: resolves once it gave it back. */
  whenReleased(): Promise<void> | null {
    return this.#released?.promise ?? null;
  }

  // ---- endpoints and options ----

  /** bind, connect, unbind or disconnect. */
  endpoint(call: EndpointCall, op: string, endpoint: string): void {
    const context = this.ctx(op, {
      endpoint: typeof endpoint === "string" ? endpoint : describeValue(endpoint),
    });
    this.live(op, context);
    if (typeof endpoint !== "string" || endpoint === "") {
      throw zmqError(
        "EINVAL",
        "Endpoint must be a non-empty string like tcp://127.0.0.1:5555",
        context,
      );
    }
    if (this.type === "STREAM" && endpoint.startsWith("inproc://")) {
      // libzmq 4.3.5 accepts it, then aborts the process (stream.cpp:213) when an inproc peer
      // sends a multipart message: STREAM is for raw tcp/ipc peers only
      throw zmqError(
        "ENOCOMPATPROTO",
        "STREAM sockets cannot use inproc:// (raw tcp:// or ipc:// peers only)",
        context,
      );
    }
    if (endpoint.startsWith("tcp://")) checkTcpPorts(endpoint, context);
    checkDraftEndpoint(this.type, endpoint, context);
    // set before the call: a connect that failed may still have made the pipe
    if ((call === "zmq_bind" || call === "zmq_connect") && endpoint.startsWith("udp://")) {
      this.#udp = true;
    }
    const ptr = this.#enter(op, context);
    try {
      if (call === "zmq_bind" || call === "zmq_connect") {
        checkEndpointOptions(ptr, call === "zmq_bind", endpoint, context);
      }
      endpointCall(call, ptr, endpoint, context);
    } finally {
      this.#leave();
    }
    if (call === "zmq_bind" || call === "zmq_connect") {
      this.#endpoints.push(endpoint);
      if (this.#endpoints.length > 4) this.#endpoints.shift();
    } else {
      // the endpoint's connection keeps the LINGER the socket has now, whatever comes later
      this.#internals.lingering.add({
        type: this.type,
        endpoints: [`${endpoint} (${op})`],
        sent: this.sent,
        linger: this.#linger,
      });
    }
    this.afterOp();
  }

  /** Sets option `name` (not an alias), checked and encoded (core/_options.ts). */
  setOption(name: string, value: unknown, context: ErrorContext): void {
    this.live("setOption", context);
    const [spec, encoded] = optionToSet(name, value, context);
    checkSocketValue(name, encoded, context);
    const ptr = this.#enter("setOption", context);
    try {
      setsockopt(ptr, spec, encoded, context);
    } finally {
      this.#leave();
    }
    if (name === "RCVTIMEO") this.#rcvTimeout = value as number;
    if (name === "SNDTIMEO") this.#sndTimeout = value as number;
    if (name === "LINGER") this.#linger = value as number;
  }

  /** Reads option `name` (not an alias). */
  getOption(name: string, context: ErrorContext): unknown {
    this.live("getOption", context);
    const spec = optionToGet(name, context);
    const ptr = this.#enter("getOption", context);
    let value: unknown;
    try {
      value = getsockopt(ptr, spec, context);
    } finally {
      this.#leave();
    }
    if (name === "EVENTS") this.afterOp(); // reading ZMQ_EVENTS consumed the fd's edge
    return value;
  }

  /** Runs `call` with the live pointer (and, on an adopted context, the slot held). */
  withPointer<T>(op: string, context: ErrorContext, call: (ptr: Pointer) => T): T {
    const ptr = this.#enter(op, context);
    try {
      return call(ptr);
    } finally {
      this.#leave();
    }
  }

  // ---- sending ----

  /**
   * A send that must wait for the event loop's next turn (see core/_turn.ts). The message is
   * checked and, where it is the caller's memory, copied now: it goes out as it was at the call.
   */
  sendLater(
    message: ArrayLike<unknown>,
    options: OperationOptions,
    op: string,
    owned: boolean,
  ): Promise<void> {
    let frames: Uint8Array[];
    let unpin: (() => void) | null = null;
    try {
      const encoded = encodeMessage(message, this.ctx(op));
      const shared = noCopy(options) ? sharedSlot : undefined;
      frames = encoded.borrowed && !owned ? ownFrames(encoded.frames, 0, shared) : encoded.frames;
      if (shared !== undefined && !owned) unpin = pinShared(frames, 0);
    } catch (e) {
      return settleLater(true, e);
    }
    const later = afterTurn(() =>
      mustYield() ? this.sendLater(frames, options, op, true) : this.send(frames, options, op, true)
    );
    return unpin === null ? later : later.finally(unpin);
  }

  /**
   * The general send. `owned`: the frames are this library's (copies or encoded text), so a
   * queued message need not be copied again.
   */
  send(
    message: ArrayLike<unknown>,
    options: OperationOptions,
    op: string,
    owned: boolean,
  ): Promise<void> {
    try {
      const context = this.ctx(op);
      this.live(op);
      const opts: SendOptions = checkOptions(options, context);
      const { frames, borrowed } = encodeMessage(message, context);
      const address = messageAddress(opts, this.type, this.#udp, frames, context);
      const timeout = checkTimeout(opts.timeout ?? this.#sndTimeout, context);
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
      if (this.ops.send.length === 0) {
        const sending: SendOp = {
          frames,
          index: 0,
          address,
          resolve: noop,
          reject: noop,
          shared,
        };
        const ptr = this.#enter(op);
        let err: number;
        try {
          err = this.#trySend(ptr, sending);
        } finally {
          this.#leave();
        }
        if (err === 0) {
          this.sent++;
          this.afterOp();
          return RESOLVED;
        }
        if (err !== EAGAIN) throw this.errorFor(err, context);
        if (timeout === 0 && sending.index === 0) {
          this.afterOp(); // the failed zmq_send may have consumed the fd's edge
          throw timeoutError(0, context);
        }
        // Nothing sent yet: wait with the caller's timeout and signal. EAGAIN in the middle of
        // a multipart message: the rest must still go, in order, whatever happens.
        const started = sending.index > 0;
        return this.ops.enqueue(
          "send",
          { ...keep(sending.index), index: sending.index, address },
          started ? -1 : timeout,
          started ? undefined : opts.signal,
          context,
        );
      }
      if (timeout === 0) throw timeoutError(0, context);
      return this.ops.enqueue(
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
  #trySend(ptr: Pointer, op: SendOp): number {
    if (op.address !== undefined) return this.#trySendAddressed(ptr, op, op.address);
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
  #trySendAddressed(ptr: Pointer, op: SendOp, address: MessageAddress): number {
    const err = sendAddressedFrame(ptr, op.frames[0], address);
    if (err === 0) op.index = 1;
    return err;
  }

  // ---- receiving ----

  /**
   * The general receive. `justFailed`: the errno of the caller's own try (the fast path), so
   * that it is not tried again.
   */
  recv(
    kind: RecvKind,
    options: OperationOptions,
    op: string,
    justFailed = 0,
  ): Promise<Uint8Array | Uint8Array[] | Uint8Array[][]> {
    try {
      const context = this.ctx(op);
      this.live(op);
      const opts: OperationOptions = checkOptions(options, context);
      const timeout = checkTimeout(opts.timeout ?? this.#rcvTimeout, context);
      opts.signal?.throwIfAborted();
      if (this.ops.recv.length === 0) {
        const frames: Uint8Array[] = justFailed !== 0 ? NO_FRAMES : [];
        let err = justFailed;
        if (err === 0) {
          const ptr = this.#enter(op);
          try {
            err = this.tryRecv(ptr, kind, frames);
          } finally {
            this.#leave();
          }
        }
        if (err === 0) {
          this.afterOp();
          if (kind === "frame" || kind === "sharedFrame") return Promise.resolve(frames[0]);
          return Promise.resolve(kind instanceof BatchReceive ? kind.messages : frames);
        }
        if (err !== EAGAIN) throw this.errorFor(err, context);
        if (timeout === 0) {
          this.afterOp(); // the failed zmq_msg_recv may have consumed the fd's edge
          throw timeoutError(0, context);
        }
        // (not for a DRAFT socket: its descriptor is a zmq_poller's, which a recv does not arm)
        if (!this.ops.any && this.#slot === null && this.#poller === null) this.#freshWait = true;
      }
      return this.ops.enqueue("recv", { kind, frames: [] }, timeout, opts.signal, context);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Receives into `frames` (a batch: into the BatchReceive); answers 0 when the frame, the whole
   * message or a batch of at least one message arrived, else the errno.
   */
  tryRecv(ptr: Pointer, kind: RecvKind, frames: Uint8Array[]): number {
    if (this.deferred !== 0) {
      const err = this.deferred;
      this.deferred = 0;
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
      this.deferred = staged.error;
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

  // ---- readiness ----

  /** Socket.poll, once the event loop's turn allows it. */
  poll(
    events: number,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    try {
      const context = this.ctx("poll");
      this.live("poll");
      checkSignal(signal, context);
      checkEvents(events, context);
      const ms = checkTimeout(timeout, context);
      signal?.throwIfAborted();
      const ready = this.#readEvents("poll");
      if (ready < 0) throw this.errorFor(-ready, context);
      // Reading ZMQ_EVENTS consumed the fd's edge: operations waiting in the reactor must look
      // again, or a message that arrived just now stays unnoticed.
      this.afterOp();
      if ((ready & events) !== 0) return Promise.resolve(ready & events);
      if (ms === 0) return Promise.resolve(0);
      return this.ops.enqueue<number, "poll">("poll", { mask: events }, ms, signal, context, 0);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- the reactor's side ----

  /** Reads ZMQ_EVENTS; -1 on failure. */
  #events(): number {
    if (this.ptr === null) return -1;
    let ev: number;
    try {
      ev = this.#readEvents("events");
    } catch {
      return -1; // closed by the context's owner: the next service() rejects what waits
    }
    if (ev >= 0) return ev;
    this.#fail(-ev, "events");
    return -1;
  }

  /** ZMQ_EVENTS, read holding the slot; a failure answers minus its errno. */
  #readEvents(op: string): number {
    const ptr = this.#enter(op);
    try {
      const ev = getsockoptInt(ptr, ZMQ_EVENTS);
      return ev >= 0 ? ev : -(lastErrno() || ERRNO.EINVAL);
    } finally {
      this.#leave();
    }
  }

  /** Does what can be done now; answers the events still awaited. */
  #service(): number {
    if (this.ptr === null) {
      this.ops.rejectAll(this.#fatal ?? closedError("Socket was closed", this.ctx("close")));
      return 0;
    }
    if (this.#freshWait) {
      this.#freshWait = false;
      const ops = this.ops;
      if (
        ops.recv.length === 1 && ops.send.length === 0 && ops.poll.length === 0 &&
        ops.recv[0].cancelled === undefined
      ) return POLLIN | FRESH;
    }
    let ptr: Pointer;
    try {
      ptr = this.#enter("service");
    } catch {
      return 0; // closed by the context's owner: #reaped rejected every operation
    }
    try {
      return this.ops.serve(ptr, this.#io);
    } finally {
      this.#leave();
    }
  }

  /** Rejects `op` with errno; on ETERM closes the socket. Answers true if the socket died. */
  #settleError(op: Pending, err: number, what: string): boolean {
    const error = this.errorFor(err, this.ctx(what));
    op.reject(error);
    if (err === ETERM) {
      this.#fail(err, what);
      this.ops.rejectAll(this.#fatal!);
      return true;
    }
    return false;
  }

  /** The error for errno `err` of a send, recv or poll (ETERM also closes the socket). */
  errorFor(err: number, context: ErrorContext): ZmqError {
    if (err === ETERM) {
      this.#fail(err, context.op ?? "op");
      return this.#fatal!;
    }
    if (err === ERRNO.ENOMEM) {
      return zmqError(
        "ENOMEM",
        `A received frame of ${lastDroppedSize} bytes does not fit in memory; ` +
          "its whole message was dropped (set MAXMSGSIZE to refuse such messages)",
        context,
      );
    }
    return errorFromErrno(err, strerror(err), context);
  }

  /** A fatal error (the context was terminated): record it and close the socket. */
  #fail(err: number, op: string): void {
    if (err === ERRNO.EINTR || this.#fatal) return;
    this.#fatal = errorFromErrno(err, strerror(err), this.ctx(op));
    this.#closeNow();
  }

  /** After a send/recv made outside the loop, the edge-triggered fd may have been consumed. */
  afterOp(): void {
    this.#freshWait = false;
    if (this.ops.any) {
      reactor.wake();
    }
  }

  // ---- closing ----

  /** Socket.close. */
  close(options: CloseOptions): void {
    if (this.ptr === null) return;
    if (typeof options !== "object" || options === null) {
      throw badValue(`close takes { linger }; got ${describeValue(options)}`, this.ctx("close"));
    }
    if (this.#leasedTo !== null) throw this.#busyError("close");
    if (options.linger !== undefined) {
      try {
        this.setOption("LINGER", options.linger, this.ctx("setOption", { option: "LINGER" }));
      } catch (e) {
        if (this.ptr === null) return; // the context's owner closed it already
        throw e;
      }
    }
    this.#closeNow();
    if (!reactor.defer(this.#watcher)) {
      this.ops.rejectAll(this.#fatal ?? closedError("Socket was closed", this.ctx("close")));
    }
  }

  #closeNow(): void {
    const ptr = this.ptr;
    if (ptr === null) return;
    this.ptr = null;
    this.#internals.sockets.delete(this.#owner);
    this.#internals.lingering.add({
      type: this.type,
      endpoints: this.#endpoints,
      sent: this.sent,
      linger: this.#linger,
    });
    // a socket of an adopted context is closed unless the context's owner already did
    closeNativeSocket(ptr, this.#shared, this.#slot, this.#depth > 0, this.#poller);
    this.#poller = null;
    this.#slot = null;
    this.#depth = 0;
  }
}

/**
 * The ports of a tcp:// endpoint (`host:port`, or `source:port;host:port`) are `*` or a number
 * from 0 to 65535, in digits. libzmq reads them with strtoul and keeps 16 bits, so it binds or
 * connects silently to another port: 99999 is 34463, -1 is 65535, 4294967297 is 1, "1e3" is 1.
 */
function checkTcpPorts(endpoint: string, context: ErrorContext): void {
  for (const address of endpoint.slice("tcp://".length).split(";")) {
    const port = address.slice(address.lastIndexOf(":") + 1);
    if (port === "*" || (/^\d{1,5}$/.test(port) && Number(port) <= 65535)) continue;
    throw zmqError(
      "EINVAL",
      `A tcp:// port must be * or a number from 0 to 65535; got ${JSON.stringify(port)}`,
      context,
    );
  }
}
