// The state behind one Socket: the native pointer, the slot it holds on a context adopted from
// another isolate (core/_shared.ts), the proxy it may be leased to (core/proxy_lease.ts), its
// endpoints and options, its pending operations (core/_pending.ts), the errors that close it and
// its closing. Socket (core/socket.ts) keeps the public methods and the fast paths, and comes
// here for everything else; the general paths are functions of this state in their own files:
// sending (core/_socket_send.ts), receiving (core/_socket_recv.ts), and readiness, what
// Socket.poll and the reactor (core/_reactor.ts) call (core/_socket_reactor.ts).
import {
  endpointCall,
  ERRNO,
  errno as lastErrno,
  getsockopt,
  getsockoptInt,
  lastDroppedSize,
  setsockopt,
  strerror,
  wakeDrain,
} from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { reactor, type Watched } from "./_reactor.ts";
import type { ContextInternals, OpenSocket } from "./_registry.ts";
import type { SharedContext, Slot } from "./_shared.ts";
import { SOCKET_OPTIONS } from "./options.ts";
import {
  badValue,
  closedError,
  type ErrorContext,
  errorFromErrno,
  type ZmqError,
  zmqError,
} from "./errors.ts";
import { optionToGet, optionToSet } from "./_options.ts";
import { checkEndpointOptions, checkSocketValue } from "./_guards.ts";
import { describeValue } from "./_util.ts";
import { PendingOps, type QueueIO } from "./_pending.ts";
import { closeNativeSocket, type OpenedSocket } from "./_native_socket.ts";
import type { CloseOptions, OperationOptions } from "./socket.ts";
import { type AnySocketType, checkDraftEndpoint } from "./_draft.ts";
import * as sending from "./_socket_send.ts";
import * as receiving from "./_socket_recv.ts";
import type { RecvKind } from "./_socket_recv.ts";
import * as readiness from "./_socket_reactor.ts";

export { noCopy, settleLater } from "./_socket_send.ts";
export type { RecvKind } from "./_socket_recv.ts";

/** The libzmq calls that take an endpoint. */
export type EndpointCall = "zmq_bind" | "zmq_connect" | "zmq_unbind" | "zmq_disconnect";

const ETERM = ERRNO.ETERM;
const ZMQ_EVENTS = SOCKET_OPTIONS.EVENTS.id;

/** The state of one Socket; its general paths are in _socket_send.ts, _socket_recv.ts, _socket_reactor.ts. */
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
  // The members below without # are shared with the general paths (core/_socket_send.ts,
  // core/_socket_recv.ts, core/_socket_reactor.ts), which are functions of this state.
  /** What closed the socket (its context's termination), or null. */
  fatal: ZmqError | null = null;
  /** RCVTIMEO and SNDTIMEO as last set by name: the default timeouts of recv and send. */
  rcvTimeout = -1;
  sndTimeout = -1;
  /** What the reactor sees of this socket. */
  #watcher: Watched;
  /** How the queues reach this socket's zmq_* calls when the reactor serves them. */
  io: QueueIO;
  /** Error contexts without extra fields, by operation name (see ctx). */
  #contexts = new Map<string, ErrorContext>();
  /** Who holds the socket while a proxy runs on it (core/proxy_lease.ts), or null. */
  #leasedTo: string | null = null;
  /** Settled by release(), while leased. */
  #released: PromiseWithResolvers<void> | null = null;
  /** For a socket of an adopted context: the shared state and its slot (core/_shared.ts). */
  #shared: SharedContext | null;
  slot: Slot | null;
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
  freshWait = false;
  /** The zmq_poller that gives a thread-safe (DRAFT) socket its descriptor, or null. */
  poller: Pointer | null;
  /** Whether a udp:// endpoint was ever bound or connected (what a RADIO may send: _draft.ts). */
  udp = false;

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
    this.poller = opened.poller;
    this.#owner = owner;
    this.#internals = internals;
    this.#linger = internals.linger;
    this.ptr = opened.ptr;
    this.#shared = opened.shared;
    this.slot = opened.slot;
    const fd = opened.fd;
    this.#watcher = {
      fd,
      // a thread-safe socket's descriptor is its poller's signaler: emptied before the socket
      // is served, so that a command arriving from then on wakes the next poll
      service: opened.poller === null ? () => readiness.service(this) : () => {
        wakeDrain(fd);
        return readiness.service(this);
      },
      events: () => readiness.events(this),
      fail: (error) => this.ops.failPending(error),
    };
    this.ops = new PendingOps(this.#watcher);
    this.io = {
      send: (ptr, op) => sending.trySend(ptr, op),
      recv: (ptr, kind, frames) => receiving.tryRecv(this, ptr, kind, frames),
      events: (ptr) => {
        const ev = getsockoptInt(ptr, ZMQ_EVENTS);
        return ev >= 0 ? ev : -(lastErrno() || ERRNO.EINVAL);
      },
      sent: () => this.sent++,
      failed: (op, err, what) => readiness.settleError(this, op, err, what),
      broken: (err) => {
        this.fail(err, "poll"); // closes the socket, which gives its slot back
        this.ops.rejectAll(this.fatal ?? this.errorFor(err, this.ctx("poll")));
      },
    };
  }

  /** True once closed (for a socket of an adopted context: also once its owner closed it). */
  get closed(): boolean {
    return this.ptr === null || (this.slot !== null && this.#shared!.reaped(this.slot));
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
      throw this.fatal ?? closedError("Socket is closed", this.ctx(op, extra));
    }
    if (this.#leasedTo !== null) throw this.#busyError(op, extra);
    return this.ptr;
  }

  /**
   * The pointer if the socket is usable now without a slot to hold (not a socket of an adopted
   * context) and not leased, else null: the general path then does the work, or reports.
   */
  fastPtr(): Pointer | null {
    return this.slot === null && this.#leasedTo === null ? this.ptr : null;
  }

  /**
   * live(), and for a socket of an adopted context the slot held for the zmq_* calls that
   * follow, until leave(). Throws ETERM if the context's owner closed the socket.
   */
  enter(op: string, extra?: Partial<ErrorContext>): Pointer {
    const ptr = this.live(op, extra);
    if (this.slot !== null && this.#depth++ === 0 && !this.#shared!.acquire(this.slot)) {
      this.#depth = 0;
      throw this.#reaped(op);
    }
    return ptr;
  }

  /** Ends what enter began. */
  leave(): void {
    if (this.slot !== null && --this.#depth === 0) this.#shared!.release(this.slot);
  }

  /** The owner of the context closed this socket (it terminated the context): so are we. */
  #reaped(op: string): ZmqError {
    const error = zmqError(
      "ETERM",
      "Context was terminated by the isolate that created it; this socket was closed with it",
      this.ctx(op),
    );
    this.fatal = error;
    this.ptr = null;
    this.slot = null;
    // A thread-safe socket's poller is left as it is (a descriptor and a few bytes): destroying
    // it would touch the socket, which the owner closed and libzmq may have freed.
    this.poller = null;
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
    const ptr = this.enter("monitor");
    try {
      return use(ptr);
    } finally {
      this.leave();
    }
  }

  /**
   * Runs one native call `fn` on the live pointer for operation `op` (holding the slot of a
   * socket of an adopted context), then lets waiting operations look again (core/_draft.ts).
   */
  call<T>(op: string, fn: (ptr: Pointer) => T): T {
    const ptr = this.enter(op);
    let result: T;
    try {
      result = fn(ptr);
    } finally {
      this.leave();
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
    this.enter("start proxy"); // held while the proxy runs (released by release())
    this.#leasedTo = owner;
    this.#released = Promise.withResolvers<void>();
    return ptr;
  }

  /** Gives the socket back from its proxy. */
  release(): void {
    this.#leasedTo = null;
    this.leave();
    this.#released?.resolve();
    this.#released = null;
  }

  /** While a proxy holds the socket: resolves once it gave it back. */
  whenReleased(): Promise<void> | null {
    return this.#released?.promise ?? null;
  }

  // ---- endpoints and options ----

  /**
   * What every endpoint call checks before libzmq sees it (bind, connect, unbind, disconnect and
   * a PEER's connectPeer): a non-empty string, no inproc:// on STREAM, tcp:// ports libzmq would
   * not wrap, the DRAFT types' transports.
   */
  checkEndpoint(endpoint: unknown, context: ErrorContext): asserts endpoint is string {
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
  }

  /** bind, connect, unbind or disconnect. */
  endpoint(call: EndpointCall, op: string, endpoint: string): void {
    const context = this.ctx(op, {
      endpoint: typeof endpoint === "string" ? endpoint : describeValue(endpoint),
    });
    this.live(op, context);
    this.checkEndpoint(endpoint, context);
    // set before the call: a connect that failed may still have made the pipe
    if ((call === "zmq_bind" || call === "zmq_connect") && endpoint.startsWith("udp://")) {
      this.udp = true;
    }
    const ptr = this.enter(op, context);
    try {
      if (call === "zmq_bind" || call === "zmq_connect") {
        checkEndpointOptions(ptr, call === "zmq_bind", endpoint, context);
      }
      endpointCall(call, ptr, endpoint, context);
    } finally {
      this.leave();
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
    const ptr = this.enter("setOption", context);
    try {
      setsockopt(ptr, spec, encoded, context);
    } finally {
      this.leave();
    }
    if (name === "RCVTIMEO") this.rcvTimeout = value as number;
    if (name === "SNDTIMEO") this.sndTimeout = value as number;
    if (name === "LINGER") this.#linger = value as number;
  }

  /** Reads option `name` (not an alias). */
  getOption(name: string, context: ErrorContext): unknown {
    this.live("getOption", context);
    const spec = optionToGet(name, context);
    const ptr = this.enter("getOption", context);
    let value: unknown;
    try {
      value = getsockopt(ptr, spec, context);
    } finally {
      this.leave();
    }
    if (name === "EVENTS") this.afterOp(); // reading ZMQ_EVENTS consumed the fd's edge
    return value;
  }

  /** Runs `call` with the live pointer (and, on an adopted context, the slot held). */
  withPointer<T>(op: string, context: ErrorContext, call: (ptr: Pointer) => T): T {
    const ptr = this.enter(op, context);
    try {
      return call(ptr);
    } finally {
      this.leave();
    }
  }

  // ---- the general paths: core/_socket_send.ts, core/_socket_recv.ts, core/_socket_reactor.ts ----

  /** A send that must wait for the event loop's next turn (core/_socket_send.ts). */
  sendLater(
    message: ArrayLike<unknown>,
    options: OperationOptions,
    op: string,
    owned: boolean,
  ): Promise<void> {
    return sending.sendLater(this, message, options, op, owned);
  }

  /** The general send (core/_socket_send.ts). */
  send(
    message: ArrayLike<unknown>,
    options: OperationOptions,
    op: string,
    owned: boolean,
  ): Promise<void> {
    return sending.send(this, message, options, op, owned);
  }

  /** The general receive (core/_socket_recv.ts). */
  recv(
    kind: RecvKind,
    options: OperationOptions,
    op: string,
    justFailed = 0,
  ): Promise<Uint8Array | Uint8Array[] | Uint8Array[][]> {
    return receiving.recv(this, kind, options, op, justFailed);
  }

  /** One try of a receive of `kind` into `frames` (core/_socket_recv.ts). */
  tryRecv(ptr: Pointer, kind: RecvKind, frames: Uint8Array[]): number {
    return receiving.tryRecv(this, ptr, kind, frames);
  }

  /** Socket.poll, once the event loop's turn allows it (core/_socket_reactor.ts). */
  poll(
    events: number,
    timeout: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    return readiness.poll(this, events, timeout, signal);
  }

  // ---- errors ----

  /** The error for errno `err` of a send, recv or poll (ETERM also closes the socket). */
  errorFor(err: number, context: ErrorContext): ZmqError {
    if (err === ETERM) {
      this.fail(err, context.op ?? "op");
      return this.fatal!;
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
  fail(err: number, op: string): void {
    if (err === ERRNO.EINTR || this.fatal) return;
    this.fatal = errorFromErrno(err, strerror(err), this.ctx(op));
    this.#closeNow();
  }

  /** After a send/recv made outside the loop, the edge-triggered fd may have been consumed. */
  afterOp(): void {
    this.freshWait = false;
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
      this.ops.rejectAll(this.fatal ?? closedError("Socket was closed", this.ctx("close")));
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
    closeNativeSocket(ptr, this.#shared, this.slot, this.#depth > 0, this.poller);
    this.poller = null;
    this.slot = null;
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
