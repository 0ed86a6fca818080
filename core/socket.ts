import {
  canOpenFds,
  ctxGet,
  endpointCall,
  ERRNO,
  errno as lastErrno,
  getsockopt,
  getsockoptInt,
  lastDroppedSize,
  lastFrameMore,
  recvFrame,
  sendFrame,
  setsockopt,
  socketClose,
  socketNew,
  strerror,
} from "./_backend.ts";
import type { Pointer } from "./_ffi.ts";
import { FRESH, reactor, type Watched } from "./_reactor.ts";
import { addDeadline, type Deadline, removeDeadline } from "./_timers.ts";
import { type ContextInternals, contexts, socketInternals, socketPointers } from "./_registry.ts";
import type { SharedContext, Slot } from "./_shared.ts";
import {
  canonicalSocketType,
  CONTEXT_OPTIONS,
  POLLIN,
  POLLOUT,
  SOCKET_OPTIONS,
  SOCKET_TYPES,
  type SocketOptionAlias,
  type SocketOptionName,
  type SocketOptionResult,
  type SocketOptionValue,
  type SocketType,
  type SocketTypeAlias,
} from "./constants.ts";
import { aliasTargets, socketTypeHint } from "./_names.ts";
import type { Context } from "./context.ts";
import { type ErrorContext, errorFromErrno, ZmqError } from "./errors.ts";
import { encodeMessage, ownFrames, toFrame } from "./_frames.ts";
import { describeValue, encodeOption, optionLabel, optionSpec } from "./_options.ts";
import { afterTurn, mustYield } from "./_turn.ts";
import { checkOptions, checkSignal, checkTimeout, NO_OPTIONS } from "./_args.ts";

/** One frame of a message: text (sent as UTF-8) or bytes. */
export type Frame = string | Uint8Array;

/** Options for one send, recv or poll. */
export interface OperationOptions {
  /**
   * Milliseconds to wait before rejecting with a ZmqError of code `"EAGAIN"`. `0` means do not
   * wait at all; `-1` or `Infinity` waits forever. Default: the socket's `RCVTIMEO` / `SNDTIMEO`
   * if set through {@linkcode Socket.setOption}, else forever.
   */
  timeout?: number;
  /** Rejects the operation with the signal's reason when aborted. */
  signal?: AbortSignal;
}

/** Options for closing a socket. */
export interface CloseOptions {
  /** Milliseconds that unsent messages may linger after close (sets LINGER first). */
  linger?: number;
}

/** How a cancelled operation ends: a timed-out poll answers 0, anything else rejects. */
type Outcome = { ok: true; value: unknown } | { ok: false; reason: unknown };

interface Pending {
  resolve(value: never): void;
  reject(reason: unknown): void;
  cancelled?: Outcome;
  cleanup?: () => void;
}

function settle(op: Pending, outcome: Outcome): void {
  op.cleanup?.();
  if (outcome.ok) op.resolve(outcome.value as never);
  else op.reject(outcome.reason);
}

interface RecvOp extends Pending {
  kind: "frame" | "multipart";
  frames: Uint8Array[];
}

interface SendOp extends Pending {
  frames: Uint8Array[];
  index: number;
}

interface PollOp extends Pending {
  mask: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const RESOLVED: Promise<void> = Promise.resolve();
const NO_FRAMES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];
const EAGAIN = ERRNO.EAGAIN;
const ETERM = ERRNO.ETERM;
const ZMQ_EVENTS = SOCKET_OPTIONS.EVENTS.id;

/**
 * A ZeroMQ socket. Create one with {@linkcode Context.socket} (or `new Socket(ctx, "REQ")`, as
 * in pyzmq).
 *
 * Sends and receives are asynchronous and never block the JS thread. Several pending sends (or
 * receives) on one socket are served in the order they were made. Every libzmq rule applies,
 * including REQ/REP lockstep: a REQ must alternate send and recv, and breaking the rule rejects
 * with a ZmqError of code `"EFSM"`.
 *
 * @example
 * ```ts
 * import { Context } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * rep.bind("inproc://hello");
 * req.connect("inproc://hello");
 * await req.send("Hello");
 * console.log(await rep.recvString()); // "Hello"
 * await rep.send("World");
 * console.log(await req.recvString()); // "World"
 * ```
 */
export class Socket implements Disposable, AsyncIterable<Uint8Array[]> {
  /** The socket type, e.g. `"REQ"` (the modern name when opened as `"XREP"` or `"XREQ"`). */
  readonly type: SocketType;
  /** The context the socket belongs to. */
  readonly context: Context;
  #ptr: Pointer | null;
  #recvQ: RecvOp[] = [];
  #sendQ: SendOp[] = [];
  #pollQ: PollOp[] = [];
  #fatal: ZmqError | null = null;
  #rcvTimeout = -1;
  #sndTimeout = -1;
  /** What the reactor sees of this socket. */
  #watcher: Watched;
  /** Error contexts without extra fields, by operation name (see #ctx). */
  #contexts = new Map<string, ErrorContext>();
  /** Who holds the socket while a proxy runs on it (core/proxy.ts), or null. */
  #leasedTo: string | null = null;
  #internals: ContextInternals;
  /** For a socket of an adopted context: the shared state and its slot (core/_shared.ts). */
  #shared: SharedContext | null = null;
  #slot: Slot | null = null;
  /** How deep the #enter calls holding the slot are nested. */
  #depth = 0;
  /** LINGER, messages sent and endpoints used: what a late termination reports. */
  #linger: number;
  #sent = 0;
  #endpoints: string[] = [];

  /**
   * Opens a socket of `type` on `context`.
   *
   * @example
   * ```ts
   * import { Context, Socket } from "../mod.ts";
   * using ctx = new Context();
   * using push = new Socket(ctx, "PUSH");
   * ```
   */
  constructor(context: Context, type: SocketType | SocketTypeAlias) {
    const internals = contexts.get(context);
    const base = { op: "open socket", socketType: String(type) };
    if (!internals) throw new ZmqError("EINVAL", ERRNO.EINVAL, "Not a Context", base);
    const canonical = canonicalSocketType(type);
    if (canonical === undefined) {
      throw new ZmqError(
        "EINVAL",
        ERRNO.EINVAL,
        `Unknown socket type ${JSON.stringify(type)}${socketTypeHint(type)}; expected one of ${
          Object.keys(SOCKET_TYPES).join(", ")
        }`,
        base,
      );
    }
    if (internals.ptr === null) throw closedError("Context is closed", base);
    if (internals.adopted && !internals.shared!.live) {
      throw closedError("Context was closed by the isolate that created it", base);
    }
    this.type = canonical;
    this.context = context;
    this.#internals = internals;
    this.#linger = internals.linger;
    let fd = -1;
    const open = (ctx: Pointer) => {
      if (!(internals.shared?.started ?? internals.started)) checkStart(ctx, base);
      const ptr = socketNew(ctx, SOCKET_TYPES[canonical], base);
      internals.started = true;
      if (internals.shared) internals.shared.started = true;
      try {
        fd = getsockopt(ptr, SOCKET_OPTIONS.FD, base) as number;
        setsockopt(ptr, SOCKET_OPTIONS.LINGER, internals.linger, base);
      } catch (e) {
        socketClose(ptr);
        throw e;
      }
      return ptr;
    };
    if (internals.adopted) {
      const shared = internals.shared!;
      if (!shared.enter()) {
        throw closedError("Context was closed by the isolate that created it", base);
      }
      try {
        const slot = shared.claim();
        if (slot === null) {
          throw new ZmqError("EMFILE", ERRNO.EMFILE, "Too many sockets on this context", base);
        }
        try {
          this.#ptr = open(shared.pointer);
        } catch (e) {
          shared.free(slot);
          throw e;
        }
        shared.opened(slot, this.#ptr, SOCKET_TYPES[canonical]);
        this.#shared = shared;
        this.#slot = slot;
      } finally {
        shared.leave();
      }
    } else this.#ptr = open(internals.ptr);
    this.#watcher = {
      fd,
      service: () => this.#service(),
      events: () => this.#events(),
      fail: (error) => this.#failPending(error),
    };
    internals.sockets.add(this);
    socketPointers.set(this, <T>(use: (ptr: Pointer | null) => T): T => {
      // a proxy's thread owns the socket: a native call from here would race with it
      if (this.#leasedTo !== null) throw this.#busyError("monitor");
      if (this.#ptr === null) return use(null);
      const ptr = this.#enter("monitor");
      try {
        return use(ptr);
      } finally {
        this.#leave();
      }
    });
    socketInternals.set(this, {
      lease: (owner) => this.#lease(owner),
      release: () => {
        this.#leasedTo = null;
        this.#leave();
      },
    });
  }

  /** True once {@linkcode Socket.close} was called (or its context closed). */
  get closed(): boolean {
    return this.#ptr === null || (this.#slot !== null && this.#shared!.reaped(this.#slot));
  }

  #ctx(op: string, extra?: Partial<ErrorContext>): ErrorContext {
    if (extra !== undefined) return { op, socketType: this.type, ...extra };
    // contexts are only read: one per operation name, not one per call on the hot path
    let c = this.#contexts.get(op);
    if (c === undefined) this.#contexts.set(op, c = Object.freeze({ op, socketType: this.type }));
    return c;
  }

  #live(op: string, extra?: Partial<ErrorContext>): Pointer {
    if (this.#ptr === null) {
      throw this.#fatal ?? closedError("Socket is closed", this.#ctx(op, extra));
    }
    if (this.#leasedTo !== null) throw this.#busyError(op, extra);
    return this.#ptr;
  }

  /**
   * #live, and for a socket of an adopted context the slot held for the zmq_* calls that
   * follow, until #leave(). Throws ETERM if the context's owner closed the socket.
   */
  #enter(op: string, extra?: Partial<ErrorContext>): Pointer {
    const ptr = this.#live(op, extra);
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
    const error = new ZmqError(
      "ETERM",
      ERRNO.ETERM,
      "Context was terminated by the isolate that created it; this socket was closed with it",
      this.#ctx(op),
    );
    this.#fatal = error;
    this.#ptr = null;
    this.#slot = null;
    this.#internals.sockets.delete(this);
    this.#rejectAll(error);
    return error;
  }

  #busyError(op: string, extra?: Partial<ErrorContext>): ZmqError {
    return new ZmqError(
      "EBUSY",
      0,
      `Socket is in use by ${this.#leasedTo}; stop it before using the socket`,
      this.#ctx(op, extra),
    );
  }

  /** Hands the pointer over to a proxy (see core/_registry.ts). */
  #lease(owner: string): Pointer {
    const ptr = this.#live("start proxy");
    this.#purgeCancelled();
    if (this.#sendQ.length > 0 || this.#recvQ.length > 0 || this.#pollQ.length > 0) {
      throw new ZmqError(
        "EBUSY",
        0,
        "Socket has sends, receives or polls pending; settle them before starting a proxy",
        this.#ctx("start proxy"),
      );
    }
    this.#enter("start proxy"); // held while the proxy runs (released by release())
    this.#leasedTo = owner;
    return ptr;
  }

  // ---- endpoints ----

  /**
   * Binds to an endpoint: `tcp://*:5555`, `tcp://127.0.0.1:*` (a free port), `ipc://path`,
   * `inproc://name`. Throws a ZmqError (`EADDRINUSE`, `EPROTONOSUPPORT`, `EINVAL`, ...) naming
   * the endpoint.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using rep = ctx.socket("REP");
   * rep.bind("tcp://127.0.0.1:*");
   * console.log(rep.lastEndpoint); // e.g. "tcp://127.0.0.1:41235"
   * ```
   */
  bind(endpoint: string): void {
    this.#endpoint("zmq_bind", "bind", endpoint);
  }

  /** Connects to an endpoint. Connecting succeeds before the peer exists; ZeroMQ reconnects. */
  connect(endpoint: string): void {
    this.#endpoint("zmq_connect", "connect", endpoint);
  }

  /** Stops listening on an endpoint bound earlier. */
  unbind(endpoint: string): void {
    this.#endpoint("zmq_unbind", "unbind", endpoint);
  }

  /** Disconnects from an endpoint connected earlier. */
  disconnect(endpoint: string): void {
    this.#endpoint("zmq_disconnect", "disconnect", endpoint);
  }

  #endpoint(
    call: "zmq_bind" | "zmq_connect" | "zmq_unbind" | "zmq_disconnect",
    op: string,
    endpoint: string,
  ): void {
    const context = this.#ctx(op, {
      endpoint: typeof endpoint === "string" ? endpoint : describeValue(endpoint),
    });
    this.#live(op, context);
    if (typeof endpoint !== "string" || endpoint === "") {
      throw new ZmqError(
        "EINVAL",
        ERRNO.EINVAL,
        "Endpoint must be a non-empty string like tcp://127.0.0.1:5555",
        context,
      );
    }
    if (this.type === "STREAM" && endpoint.startsWith("inproc://")) {
      // libzmq 4.3.5 accepts it, then aborts the process (stream.cpp:213) when an inproc peer
      // sends a multipart message: STREAM is for raw tcp/ipc peers only
      throw new ZmqError(
        "ENOCOMPATPROTO",
        ERRNO.ENOCOMPATPROTO,
        "STREAM sockets cannot use inproc:// (raw tcp:// or ipc:// peers only)",
        context,
      );
    }
    const ptr = this.#enter(op, context);
    try {
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
        sent: this.#sent,
        linger: this.#linger,
      });
    }
    this.#afterOp();
  }

  /**
   * Binds to a free TCP port on `address` (default `tcp://127.0.0.1`) and answers the port,
   * like pyzmq's `bind_to_random_port`.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using pub = ctx.socket("PUB");
   * const port = pub.bindToRandomPort();
   * console.log(port > 0); // true
   * ```
   */
  bindToRandomPort(address = "tcp://127.0.0.1"): number {
    this.bind(`${address}:*`);
    const port = Number(/:(\d+)$/.exec(this.lastEndpoint)?.[1]);
    if (!Number.isInteger(port)) {
      throw new ZmqError("EINVAL", ERRNO.EINVAL, "Bound endpoint has no port", {
        ...this.#ctx("bindToRandomPort"),
        endpoint: this.lastEndpoint,
      });
    }
    return port;
  }

  /** The endpoint last bound or connected (resolved: a wildcard port shows its number). */
  get lastEndpoint(): string {
    return this.getOption("LAST_ENDPOINT");
  }

  // ---- options ----

  /**
   * Sets a socket option by name. Values are checked against the option's type; unknown names
   * and read-only options throw a ZmqError naming the option. The tutorial's `IDENTITY` and
   * `HWM` are accepted too (see {@linkcode SOCKET_OPTION_ALIASES}).
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * push.setOption("SNDHWM", 1000);
   * push.setOption("LINGER", 0);
   * ```
   */
  setOption<N extends SocketOptionName | SocketOptionAlias>(
    name: N,
    value: SocketOptionValue<N>,
  ): void {
    const targets = aliasTargets(name);
    if (targets) {
      for (const target of targets) this.setOption(target, value as never);
      return;
    }
    const context = this.#ctx("setOption", { option: optionLabel(name) });
    this.#live("setOption", context);
    const spec = optionSpec(name, context);
    if (!spec.set) {
      throw new ZmqError("EREADONLY", 0, `Option ${name} is read-only`, context);
    }
    const encoded = encodeOption(name, spec, value, context);
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

  /**
   * Reads a socket option by name.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * console.log(sub.getOption("TYPE")); // 2
   * ```
   */
  getOption<N extends SocketOptionName | SocketOptionAlias>(name: N): SocketOptionResult<N> {
    const targets = aliasTargets(name);
    if (targets) return this.getOption(targets[0]) as SocketOptionResult<N>;
    const context = this.#ctx("getOption", { option: optionLabel(name) });
    this.#live("getOption", context);
    const spec = optionSpec(name, context);
    if (!spec.get) {
      throw new ZmqError("EWRITEONLY", 0, `Option ${name} is write-only`, context);
    }
    const ptr = this.#enter("getOption", context);
    let value: SocketOptionResult<N>;
    try {
      value = getsockopt(ptr, spec, context) as SocketOptionResult<N>;
    } finally {
      this.#leave();
    }
    if (name === "EVENTS") this.#afterOp(); // reading ZMQ_EVENTS consumed the fd's edge
    return value;
  }

  /**
   * pyzmq's name for {@linkcode Socket.setOption}, for programs ported from the tutorial.
   * Strings are accepted where pyzmq needed `setsockopt_string`.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * sub.setsockopt("SUBSCRIBE", "10001"); // pyzmq: socket.setsockopt(zmq.SUBSCRIBE, b"10001")
   * sub.setsockopt("HWM", 1);
   * ```
   */
  setsockopt<N extends SocketOptionName | SocketOptionAlias>(
    name: N,
    value: SocketOptionValue<N>,
  ): void {
    this.setOption(name, value);
  }

  /**
   * pyzmq's name for {@linkcode Socket.getOption}, for programs ported from the tutorial.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * console.log(pull.getsockopt("RCVMORE")); // false
   * ```
   */
  getsockopt<N extends SocketOptionName | SocketOptionAlias>(name: N): SocketOptionResult<N> {
    return this.getOption(name);
  }

  /**
   * Subscribes a SUB socket to messages whose first frame starts with `topic`; `""` (the
   * default) receives everything.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * sub.subscribe("10001");
   * ```
   */
  subscribe(topic: Frame = ""): void {
    this.#subscription("subscribe", "SUBSCRIBE", topic);
  }

  /** Removes a subscription made with {@linkcode Socket.subscribe}. */
  unsubscribe(topic: Frame = ""): void {
    this.#subscription("unsubscribe", "UNSUBSCRIBE", topic);
  }

  #subscription(op: string, option: "SUBSCRIBE" | "UNSUBSCRIBE", topic: Frame): void {
    const context = this.#ctx(op, { option });
    this.#live(op, context);
    if (this.type !== "SUB") {
      throw new ZmqError(
        "ENOTSUP",
        ERRNO.ENOTSUP,
        `${op} is only for SUB sockets; this is a ${this.type} socket`,
        context,
      );
    }
    this.setOption(option, toFrame(topic, 0, context));
  }

  // ---- sending ----

  /**
   * Sends one message: a frame, or an array of frames sent as one multipart message.
   * Resolves once libzmq has queued the message (not when the peer got it).
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://send-example");
   * push.connect("inproc://send-example");
   * await push.send("one frame");
   * await push.send(["two", new Uint8Array([2])]);
   * ```
   */
  send(message: Frame | Frame[], options: OperationOptions = NO_OPTIONS): Promise<void> {
    if (mustYield()) {
      return this.#sendLater(Array.isArray(message) ? message : [message], options, "send", false);
    }
    // Fast path (the common case): one non-empty bytes frame, nothing queued, no signal. Only a
    // success returns here; anything else takes the general path, which tries again and reports.
    if (
      message instanceof Uint8Array && message.byteLength !== 0 && this.#sendQ.length === 0 &&
      this.#ptr !== null && quick(options)
    ) {
      const ptr = this.#fastPtr("send");
      if (ptr !== null && sendFrame(ptr, message, false) === 0) {
        this.#sent++;
        this.#afterOp();
        return RESOLVED;
      }
    }
    return this.#send(Array.isArray(message) ? message : [message], options, "send", false);
  }

  /**
   * The pointer if the socket is usable now without a slot to hold (not a socket of an adopted
   * context), else null: the general path then does the work, or reports.
   */
  #fastPtr(op: string): Pointer | null {
    if (this.#slot !== null) return null;
    try {
      return this.#live(op);
    } catch {
      return null;
    }
  }

  /**
   * Sends frames as one multipart message (pyzmq's `send_multipart`). Every frame is checked
   * before the first goes out: a bad frame rejects the whole message and sends nothing.
   */
  sendMultipart(frames: Frame[], options: OperationOptions = NO_OPTIONS): Promise<void> {
    const later = mustYield();
    if (!Array.isArray(frames)) {
      return settleLater(
        later,
        new ZmqError("EBADVALUE", 0, "sendMultipart takes an array of frames", {
          ...this.#ctx("sendMultipart"),
        }),
      );
    }
    return later
      ? this.#sendLater(frames, options, "sendMultipart", false)
      : this.#send(frames, options, "sendMultipart", false);
  }

  /** Sends `value` as JSON text. */
  sendJson(value: unknown, options: OperationOptions = NO_OPTIONS): Promise<void> {
    const later = mustYield();
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      return settleLater(
        later,
        new ZmqError("EBADJSON", 0, `Value is not JSON-serialisable: ${(e as Error).message}`, {
          ...this.#ctx("sendJson"),
        }),
      );
    }
    if (text === undefined) {
      return settleLater(
        later,
        new ZmqError("EBADJSON", 0, "Value is not JSON-serialisable", this.#ctx("sendJson")),
      );
    }
    return later
      ? this.#sendLater([text], options, "sendJson", true)
      : this.#send([text], options, "sendJson", true);
  }

  /**
   * A send that must wait for the event loop's next turn (see core/_turn.ts). The message is
   * checked and, where it is the caller's memory, copied now: it goes out as it was at the call.
   */
  #sendLater(
    message: ArrayLike<unknown>,
    options: OperationOptions,
    op: string,
    owned: boolean,
  ): Promise<void> {
    let frames: Uint8Array[];
    try {
      const encoded = encodeMessage(message, this.#ctx(op));
      frames = encoded.borrowed && !owned ? ownFrames(encoded.frames, 0) : encoded.frames;
    } catch (e) {
      return settleLater(true, e);
    }
    return afterTurn(() =>
      mustYield()
        ? this.#sendLater(frames, options, op, true)
        : this.#send(frames, options, op, true)
    );
  }

  /**
   * The general send. `owned`: the frames are this library's (copies or encoded text), so a
   * queued message need not be copied again.
   */
  #send(
    message: ArrayLike<unknown>,
    options: OperationOptions,
    op: string,
    owned: boolean,
  ): Promise<void> {
    try {
      const context = this.#ctx(op);
      this.#live(op);
      const opts: OperationOptions = checkOptions(options, context);
      const { frames, borrowed } = encodeMessage(message, context);
      const timeout = checkTimeout(opts.timeout ?? this.#sndTimeout, context);
      opts.signal?.throwIfAborted();
      // a message that has to wait is copied: it goes out as it was when send() was called
      const keep = (from: number) => borrowed && !owned ? ownFrames(frames, from) : frames;
      if (this.#sendQ.length === 0) {
        const sending: SendOp = { frames, index: 0, resolve: noop, reject: noop };
        const ptr = this.#enter(op);
        let err: number;
        try {
          err = this.#trySend(ptr, sending);
        } finally {
          this.#leave();
        }
        if (err === 0) {
          this.#sent++;
          this.#afterOp();
          return RESOLVED;
        }
        if (err !== EAGAIN) throw this.#errorFor(err, context);
        if (timeout === 0 && sending.index === 0) {
          this.#afterOp(); // the failed zmq_send may have consumed the fd's edge
          throw timeoutError(context, 0);
        }
        // Nothing sent yet: wait with the caller's timeout and signal. EAGAIN in the middle of
        // a multipart message: the rest must still go, in order, whatever happens.
        const started = sending.index > 0;
        return this.#enqueue(
          this.#sendQ,
          { frames: keep(sending.index), index: sending.index },
          started ? -1 : timeout,
          started ? undefined : opts.signal,
          context,
        );
      }
      if (timeout === 0) throw timeoutError(context, 0);
      return this.#enqueue(
        this.#sendQ,
        { frames: keep(0), index: 0 },
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
    const last = op.frames.length - 1;
    while (op.index <= last) {
      const err = sendFrame(ptr, op.frames[op.index], op.index < last);
      if (err !== 0) return err;
      op.index++;
    }
    return 0;
  }

  // ---- receiving ----

  /**
   * Receives one frame (pyzmq's `recv`). For a multipart message, each call answers the next
   * frame; use {@linkcode Socket.recvMultipart} to get them all at once.
   */
  recv(options: OperationOptions = NO_OPTIONS): Promise<Uint8Array> {
    if (mustYield()) return afterTurn(() => this.recv(options));
    // Fast path: a frame is already there and nothing is queued before this call.
    if (this.#recvQ.length === 0 && this.#ptr !== null && quick(options)) {
      const ptr = this.#fastPtr("recv");
      if (ptr !== null) {
        const r = recvFrame(ptr);
        if (typeof r !== "number") {
          this.#afterOp();
          return Promise.resolve(r);
        }
        return this.#recv("frame", options, "recv", r) as Promise<Uint8Array>;
      }
    }
    return this.#recv("frame", options, "recv") as Promise<Uint8Array>;
  }

  /**
   * Receives a whole multipart message as an array of frames.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://multipart-example");
   * push.connect("inproc://multipart-example");
   * await push.send(["a", "b"]);
   * const frames = await pull.recvMultipart();
   * console.log(frames.length); // 2
   * ```
   */
  recvMultipart(options: OperationOptions = NO_OPTIONS): Promise<Uint8Array[]> {
    if (mustYield()) return afterTurn(() => this.recvMultipart(options));
    return this.#recv("multipart", options, "recvMultipart") as Promise<Uint8Array[]>;
  }

  /** Receives one frame and decodes it as UTF-8; invalid UTF-8 rejects with code `EBADUTF8`. */
  async recvString(options: OperationOptions = NO_OPTIONS): Promise<string> {
    const frame = await this.recv(options);
    try {
      return utf8.decode(frame);
    } catch {
      throw new ZmqError(
        "EBADUTF8",
        0,
        `Received ${frame.length} bytes that are not valid UTF-8`,
        this.#ctx("recvString"),
      );
    }
  }

  /** Receives one frame and parses it as JSON; invalid JSON rejects with code `EBADJSON`. */
  async recvJson<T = unknown>(options: OperationOptions = NO_OPTIONS): Promise<T> {
    const frame = await this.recv(options);
    let text: string;
    try {
      text = utf8.decode(frame);
    } catch {
      throw new ZmqError(
        "EBADUTF8",
        0,
        `Received ${frame.length} bytes that are not valid UTF-8`,
        this.#ctx("recvJson"),
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new ZmqError(
        "EBADJSON",
        0,
        `Received text is not JSON (${(e as Error).message})`,
        this.#ctx("recvJson"),
      );
    }
  }

  #recv(
    kind: "frame" | "multipart",
    options: OperationOptions,
    op: string,
    justFailed = 0, // the errno of the caller's own try: don't try again
  ): Promise<Uint8Array | Uint8Array[]> {
    try {
      const context = this.#ctx(op);
      this.#live(op);
      const opts: OperationOptions = checkOptions(options, context);
      const timeout = checkTimeout(opts.timeout ?? this.#rcvTimeout, context);
      opts.signal?.throwIfAborted();
      if (this.#recvQ.length === 0) {
        const frames: Uint8Array[] = justFailed !== 0 ? NO_FRAMES : [];
        let err = justFailed;
        if (err === 0) {
          const ptr = this.#enter(op);
          try {
            err = this.#tryRecv(ptr, kind, frames);
          } finally {
            this.#leave();
          }
        }
        if (err === 0) {
          this.#afterOp();
          return Promise.resolve(kind === "frame" ? frames[0] : frames);
        }
        if (err !== EAGAIN) throw this.#errorFor(err, context);
        if (timeout === 0) {
          this.#afterOp(); // the failed zmq_msg_recv may have consumed the fd's edge
          throw timeoutError(context, 0);
        }
      }
      return this.#enqueue(this.#recvQ, { kind, frames: [] }, timeout, opts.signal, context);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Receives into `frames`; answers 0 when the frame or whole message arrived, else errno. */
  #tryRecv(ptr: Pointer, kind: "frame" | "multipart", frames: Uint8Array[]): number {
    for (;;) {
      const r = recvFrame(ptr);
      if (typeof r === "number") return r;
      frames.push(r);
      if (kind === "frame" || !lastFrameMore) return 0;
    }
  }

  /**
   * Iterates over incoming multipart messages until the socket is closed.
   *
   * @example
   * ```ts ignore
   * for await (const [topic, body] of sub) {
   *   console.log(new TextDecoder().decode(topic), body.length);
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array[]> {
    while (!this.closed) {
      try {
        yield await this.recvMultipart();
      } catch (e) {
        if (e instanceof ZmqError && (e.code === "ECLOSED" || e.code === "ETERM")) return;
        throw e;
      }
    }
  }

  // ---- readiness ----

  /**
   * Waits until the socket is ready for `events` (POLLIN = 1, POLLOUT = 2, or both) and
   * answers the ready subset; with a `timeout`, answers 0 if nothing became ready in time.
   *
   * @example
   * ```ts
   * import { Context, POLLIN } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://poll-example");
   * console.log(await pull.poll(POLLIN, 10)); // 0: nothing arrived
   * ```
   */
  poll(events: number = POLLIN, timeout?: number, signal?: AbortSignal): Promise<number> {
    if (mustYield()) return afterTurn(() => this.poll(events, timeout, signal));
    try {
      const context = this.#ctx("poll");
      this.#live("poll");
      checkSignal(signal, context);
      if (!Number.isInteger(events) || events <= 0 || (events & ~(POLLIN | POLLOUT)) !== 0) {
        throw new ZmqError(
          "EBADVALUE",
          0,
          `events must be POLLIN (1), POLLOUT (2) or both; got ${String(events)}`,
          context,
        );
      }
      const ms = checkTimeout(timeout, context);
      signal?.throwIfAborted();
      const ready = this.#readEvents("poll");
      if (ready < 0) throw this.#errorFor(-ready, context);
      // Reading ZMQ_EVENTS consumed the fd's edge: operations waiting in the reactor must look
      // again, or a message that arrived just now stays unnoticed.
      this.#afterOp();
      if ((ready & events) !== 0) return Promise.resolve(ready & events);
      if (ms === 0) return Promise.resolve(0);
      return this.#enqueue(this.#pollQ, { mask: events }, ms, signal, context, 0);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- the reactor's side ----

  /** Reads ZMQ_EVENTS; -1 on failure. */
  #events(): number {
    if (this.#ptr === null) return -1;
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
    if (this.#ptr === null) {
      this.#rejectAll(this.#fatal ?? closedError("Socket was closed", this.#ctx("close")));
      return 0;
    }
    let ptr: Pointer;
    try {
      ptr = this.#enter("service");
    } catch {
      return 0; // closed by the context's owner: #reaped rejected every operation
    }
    try {
      return this.#serviceQueues(ptr);
    } finally {
      this.#leave();
    }
  }

  #serviceQueues(ptr: Pointer): number {
    this.#purgeCancelled();
    let want = 0;
    while (this.#sendQ.length > 0) {
      const op = this.#sendQ[0];
      const err = this.#trySend(ptr, op);
      if (err === EAGAIN) {
        want |= POLLOUT;
        break;
      }
      this.#sendQ.shift();
      op.cleanup?.();
      if (err === 0) {
        this.#sent++;
        op.resolve(undefined as never);
      } else if (this.#settleError(op, err, "send")) return 0;
    }
    while (this.#recvQ.length > 0) {
      const op = this.#recvQ[0];
      const err = this.#tryRecv(ptr, op.kind, op.frames);
      if (err === EAGAIN) {
        want |= POLLIN;
        break;
      }
      this.#recvQ.shift();
      op.cleanup?.();
      if (err === 0) op.resolve((op.kind === "frame" ? op.frames[0] : op.frames) as never);
      else if (this.#settleError(op, err, "recv")) return 0;
    }
    if (this.#pollQ.length > 0) {
      const ready = getsockoptInt(ptr, ZMQ_EVENTS);
      if (ready < 0) {
        this.#fail(lastErrno(), "poll"); // closes the socket, which gives its slot back
        this.#rejectAll(this.#fatal!);
        return 0;
      }
      this.#pollQ = this.#pollQ.filter((op) => {
        if ((ready & op.mask) === 0) {
          want |= op.mask;
          return true;
        }
        op.cleanup?.();
        op.resolve((ready & op.mask) as never);
        return false;
      });
      return want === 0 ? 0 : want | FRESH; // the last call read ZMQ_EVENTS itself
    }
    // A failed recv was the last call: it processed libzmq's commands just as reading
    // ZMQ_EVENTS would, so the reactor may poll without reading it again.
    return want === POLLIN ? want | FRESH : want;
  }

  /** Rejects `op` with errno; on ETERM closes the socket. Answers true if the socket died. */
  #settleError(op: Pending, err: number, what: string): boolean {
    const error = this.#errorFor(err, this.#ctx(what));
    op.reject(error);
    if (err === ETERM) {
      this.#fail(err, what);
      this.#rejectAll(this.#fatal!);
      return true;
    }
    return false;
  }

  #errorFor(err: number, context: ErrorContext): ZmqError {
    if (err === ETERM) {
      this.#fail(err, context.op ?? "op");
      return this.#fatal!;
    }
    if (err === ERRNO.ENOMEM) {
      return new ZmqError(
        "ENOMEM",
        err,
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
    this.#fatal = errorFromErrno(err, strerror(err), this.#ctx(op));
    this.#closeNow();
  }

  #purgeCancelled(): void {
    if (this.#sendQ.length > 0) purge(this.#sendQ);
    if (this.#recvQ.length > 0) purge(this.#recvQ);
    if (this.#pollQ.length > 0) purge(this.#pollQ);
  }

  /**
   * The reactor cannot serve this socket's operations now: they reject with `error`, except a
   * multipart send already half out, which must finish first (it stays queued and goes on when
   * the next operation makes the reactor wait again).
   */
  #failPending(error: unknown): void {
    const started = this.#sendQ.filter((op) => op.index > 0);
    const rest: Pending[] = [
      ...this.#sendQ.filter((op) => op.index === 0),
      ...this.#recvQ,
      ...this.#pollQ,
    ];
    this.#sendQ = started;
    this.#recvQ = [];
    this.#pollQ = [];
    for (const op of rest) {
      op.cleanup?.();
      op.reject(error);
    }
  }

  #rejectAll(error: unknown): void {
    const all: Pending[] = [...this.#sendQ, ...this.#recvQ, ...this.#pollQ];
    this.#sendQ = [];
    this.#recvQ = [];
    this.#pollQ = [];
    for (const op of all) {
      op.cleanup?.();
      op.reject(error);
    }
  }

  /**
   * Queues an operation for the reactor with its timeout and abort signal.
   * `timeoutValue`, when given, resolves the op with that value on timeout instead of rejecting.
   */
  #enqueue<T, O extends Pending>(
    queue: O[],
    fields: Omit<O, keyof Pending>,
    timeout: number,
    signal: AbortSignal | undefined,
    context: ErrorContext,
    timeoutValue?: unknown,
  ): Promise<T> {
    // timeout 0 means "do not wait": behind other pending operations it cannot succeed now
    if (timeout === 0) {
      return timeoutValue !== undefined
        ? Promise.resolve(timeoutValue as T)
        : Promise.reject(timeoutError(context, 0));
    }
    return new Promise<T>((resolve, reject) => {
      const op = fields as unknown as O; // a fresh object from the caller
      op.resolve = resolve;
      op.reject = reject;
      let deadline: Deadline | undefined;
      if (timeout > 0) {
        deadline = addDeadline(timeout, () => {
          // a poll that times out answers "nothing ready"; a send or recv rejects
          this.#cancel(
            op,
            queue,
            timeoutValue !== undefined
              ? { ok: true, value: timeoutValue }
              : { ok: false, reason: timeoutError(context, timeout) },
          );
        });
      }
      if (signal !== undefined) {
        const onAbort = () => this.#cancel(op, queue, { ok: false, reason: signal.reason });
        signal.addEventListener("abort", onAbort, { once: true });
        op.cleanup = () => {
          if (deadline !== undefined) removeDeadline(deadline);
          signal.removeEventListener("abort", onAbort);
        };
      } else if (deadline !== undefined) {
        const d = deadline;
        op.cleanup = () => removeDeadline(d);
      }
      queue.push(op);
      reactor.watch(this.#watcher);
    });
  }

  #cancel(op: Pending, queue: Pending[], outcome: Outcome): void {
    if (op.cancelled !== undefined) return;
    op.cancelled = outcome;
    if (reactor.defer(this.#watcher)) return; // the loop settles it once its poll has returned
    const i = queue.indexOf(op);
    if (i < 0) return;
    if ("index" in op && (op as SendOp).index > 0) return;
    queue.splice(i, 1);
    settle(op, outcome);
  }

  /** After a send/recv made outside the loop, the edge-triggered fd may have been consumed. */
  #afterOp(): void {
    if (this.#recvQ.length > 0 || this.#sendQ.length > 0 || this.#pollQ.length > 0) {
      reactor.wake();
    }
  }

  // ---- closing ----

  /**
   * Closes the socket. Pending operations reject with code `ECLOSED`; later calls reject or
   * throw the same. Unsent messages linger for `linger` ms (default: the socket's LINGER).
   * Closing twice is harmless.
   */
  close(options: CloseOptions = {}): void {
    if (this.#ptr === null) return;
    if (typeof options !== "object" || options === null) {
      throw new ZmqError(
        "EBADVALUE",
        0,
        `close takes { linger }; got ${describeValue(options)}`,
        this.#ctx("close"),
      );
    }
    if (this.#leasedTo !== null) throw this.#busyError("close");
    if (options.linger !== undefined) {
      try {
        this.setOption("LINGER", options.linger);
      } catch (e) {
        if (this.#ptr === null) return; // the context's owner closed it already
        throw e;
      }
    }
    this.#closeNow();
    if (!reactor.defer(this.#watcher)) {
      this.#rejectAll(this.#fatal ?? closedError("Socket was closed", this.#ctx("close")));
    }
  }

  #closeNow(): void {
    const ptr = this.#ptr;
    if (ptr === null) return;
    this.#ptr = null;
    this.#internals.sockets.delete(this);
    this.#internals.lingering.add({
      type: this.type,
      endpoints: this.#endpoints,
      sent: this.#sent,
      linger: this.#linger,
    });
    const slot = this.#slot;
    if (slot === null) {
      socketClose(ptr);
      return;
    }
    // a socket of an adopted context: close it unless the context's owner already did
    this.#slot = null;
    const shared = this.#shared!;
    if (this.#depth > 0 || shared.acquire(slot)) {
      socketClose(ptr);
      shared.free(slot);
    }
    this.#depth = 0;
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

function noop(): void {}

/** Options of a call that may take the fast path: no signal, and no timeout or a valid one. */
function quick(options: OperationOptions): boolean {
  if (options === NO_OPTIONS) return true;
  if (typeof options !== "object" || options === null || options.signal !== undefined) {
    return false;
  }
  const t = options.timeout;
  return t === undefined || (typeof t === "number" && (t >= 0 || t === -1));
}

/** A rejection, after the event loop's next turn if `later` (see core/_turn.ts). */
function settleLater(later: boolean, error: unknown): Promise<never> {
  return later ? afterTurn(() => Promise.reject(error)) : Promise.reject(error);
}

/** Settles and removes the cancelled operations of a queue (a half-sent message must finish). */
function purge(q: Pending[]): void {
  for (let i = q.length - 1; i >= 0; i--) {
    const op = q[i];
    if (op.cancelled === undefined) continue;
    if ("index" in op && (op as SendOp).index > 0) continue;
    q.splice(i, 1);
    settle(op, op.cancelled);
  }
}

function closedError(detail: string, context: ErrorContext): ZmqError {
  return new ZmqError("ECLOSED", 0, detail, context);
}

function timeoutError(context: ErrorContext, ms: number): ZmqError {
  return new ZmqError(
    "EAGAIN",
    EAGAIN,
    ms === 0
      ? "Resource temporarily unavailable (not ready and timeout is 0)"
      : `Resource temporarily unavailable (timed out after ${ms} ms)`,
    context,
  );
}

/**
 * libzmq starts a context when its first socket opens: the reaper and each I/O thread need two
 * file descriptors (an epoll set and a mailbox), and libzmq aborts the process when epoll_create
 * fails. So the descriptors are checked first, and the socket is refused with EMFILE instead.
 */
function checkStart(ctx: Pointer, context: ErrorContext): void {
  const ioThreads = ctxGet(ctx, CONTEXT_OPTIONS.IO_THREADS, context);
  const need = 2 * ioThreads + 6; // + the reaper's two, the socket's mailbox, some margin
  if (!canOpenFds(need)) {
    throw new ZmqError(
      "EMFILE",
      ERRNO.EMFILE,
      `Too few free file descriptors to start the context (${ioThreads} I/O thread(s) need ` +
        `about ${need}; libzmq would abort): close files, lower ioThreads or raise ulimit -n`,
      context,
    );
  }
}
