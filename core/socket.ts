import {
  endpointCall,
  ERRNO,
  errno as lastErrno,
  getsockopt,
  getsockoptInt,
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
import { contexts, socketInternals, socketPointers } from "./_registry.ts";
import {
  canonicalSocketType,
  type OptionSpec,
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
import { aliasTargets, optionHint, socketTypeHint } from "./_names.ts";
import type { Context } from "./context.ts";
import { type ErrorContext, errorFromErrno, ZmqError } from "./errors.ts";

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

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });
const RESOLVED: Promise<void> = Promise.resolve();
const NO_OPTIONS: OperationOptions = Object.freeze({});
const NO_FRAMES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];
const EAGAIN = ERRNO.EAGAIN;
const ETERM = ERRNO.ETERM;
const ZMQ_EVENTS = SOCKET_OPTIONS.EVENTS.id;

function toFrame(value: unknown, index: number, context: ErrorContext): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  throw new ZmqError(
    "EBADVALUE",
    0,
    `Frame ${index} is ${kind}; expected a string or Uint8Array`,
    context,
  );
}

function checkTimeout(timeout: number | undefined, context: ErrorContext): number {
  if (timeout === undefined) return -1;
  if (timeout === -1 || timeout === Infinity) return -1;
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    throw new ZmqError(
      "EBADVALUE",
      0,
      `timeout must be a number of milliseconds >= 0, or -1 for none; got ${String(timeout)}`,
      context,
    );
  }
  // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): that is forever here
  return timeout > MAX_TIMER_MS ? -1 : timeout;
}

/** The longest delay setTimeout honours (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
    this.type = canonical;
    this.context = context;
    this.#ptr = socketNew(internals.ptr, SOCKET_TYPES[canonical], base);
    const fd = getsockopt(this.#ptr, SOCKET_OPTIONS.FD, base) as number;
    this.#watcher = { fd, service: () => this.#service(), events: () => this.#events() };
    internals.sockets.add(this);
    socketPointers.set(this, () => {
      // a proxy's thread owns the socket: a native call from here would race with it
      if (this.#leasedTo !== null) throw this.#busyError("monitor");
      return this.#ptr;
    });
    socketInternals.set(this, {
      lease: (owner) => this.#lease(owner),
      release: () => {
        this.#leasedTo = null;
      },
    });
    if (internals.linger !== undefined) this.setOption("LINGER", internals.linger);
  }

  /** True once {@linkcode Socket.close} was called (or its context closed). */
  get closed(): boolean {
    return this.#ptr === null;
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
    const context = this.#ctx(op, { endpoint: String(endpoint) });
    const ptr = this.#live(op, context);
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
    endpointCall(call, ptr, endpoint, context);
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
    const context = this.#ctx("setOption", { option: String(name) });
    const ptr = this.#live("setOption", context);
    const spec = optionSpec(name, context);
    if (!spec.set) {
      throw new ZmqError("EREADONLY", 0, `Option ${name} is read-only`, context);
    }
    setsockopt(ptr, spec, encodeOption(spec, value, context), context);
    if (name === "RCVTIMEO") this.#rcvTimeout = value as number;
    if (name === "SNDTIMEO") this.#sndTimeout = value as number;
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
    const context = this.#ctx("getOption", { option: String(name) });
    const ptr = this.#live("getOption", context);
    const spec = optionSpec(name, context);
    if (!spec.get) {
      throw new ZmqError("EWRITEONLY", 0, `Option ${name} is write-only`, context);
    }
    const value = getsockopt(ptr, spec, context) as SocketOptionResult<N>;
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
    // Fast path (the common case): one bytes frame, nothing queued, no signal. Only a success
    // returns here; anything else takes the general path, which tries again and reports.
    if (
      message instanceof Uint8Array && options.signal === undefined &&
      this.#sendQ.length === 0 && this.#ptr !== null
    ) {
      const ptr = this.#fastPtr("send");
      if (ptr !== null && sendFrame(ptr, message, false) === 0) {
        this.#afterOp();
        return RESOLVED;
      }
    }
    return this.#send(Array.isArray(message) ? message : [message], options, "send");
  }

  /** The pointer if the socket is usable now, else null (the general path then reports). */
  #fastPtr(op: string): Pointer | null {
    try {
      return this.#live(op);
    } catch {
      return null;
    }
  }

  /** Sends frames as one multipart message (pyzmq's `send_multipart`). */
  sendMultipart(frames: Frame[], options: OperationOptions = {}): Promise<void> {
    if (!Array.isArray(frames)) {
      return Promise.reject(
        new ZmqError("EBADVALUE", 0, "sendMultipart takes an array of frames", {
          ...this.#ctx("sendMultipart"),
        }),
      );
    }
    return this.#send(frames, options, "sendMultipart");
  }

  /** Sends `value` as JSON text. */
  sendJson(value: unknown, options: OperationOptions = {}): Promise<void> {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      return Promise.reject(
        new ZmqError("EBADJSON", 0, `Value is not JSON-serialisable: ${(e as Error).message}`, {
          ...this.#ctx("sendJson"),
        }),
      );
    }
    if (text === undefined) {
      return Promise.reject(
        new ZmqError("EBADJSON", 0, "Value is not JSON-serialisable", this.#ctx("sendJson")),
      );
    }
    return this.#send([text], options, "sendJson");
  }

  #send(message: unknown[], options: OperationOptions, op: string): Promise<void> {
    try {
      const context = this.#ctx(op);
      const ptr = this.#live(op);
      if (message.length === 0) {
        throw new ZmqError("EBADVALUE", 0, "A message needs at least one frame", context);
      }
      const frames = message.map((f, i) => toFrame(f, i, context));
      const timeout = checkTimeout(options.timeout ?? this.#sndTimeout, context);
      options.signal?.throwIfAborted();
      if (this.#sendQ.length === 0) {
        const op: SendOp = { frames, index: 0, resolve: noop, reject: noop };
        const err = this.#trySend(ptr, op);
        if (err === 0) {
          this.#afterOp();
          return RESOLVED;
        }
        if (err !== EAGAIN) throw this.#errorFor(err, context);
        if (timeout === 0 && op.index === 0) {
          this.#afterOp(); // the failed zmq_send may have consumed the fd's edge
          throw timeoutError(context, 0);
        }
        // Nothing sent yet: wait with the caller's timeout and signal. EAGAIN in the middle of
        // a multipart message: the rest must still go, in order, whatever happens.
        const started = op.index > 0;
        return this.#enqueue(
          this.#sendQ,
          { frames, index: op.index },
          started ? -1 : timeout,
          started ? undefined : options.signal,
          context,
        );
      }
      return this.#enqueue(this.#sendQ, { frames, index: 0 }, timeout, options.signal, context);
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
    // Fast path: a frame is already there and nothing is queued before this call.
    if (options.signal === undefined && this.#recvQ.length === 0 && this.#ptr !== null) {
      const ptr = this.#fastPtr("recv");
      if (ptr !== null) {
        const r = recvFrame(ptr);
        if (typeof r !== "number") {
          this.#afterOp();
          return Promise.resolve(r);
        }
        if (r === EAGAIN) return this.#recv("frame", options, "recv", true) as Promise<Uint8Array>;
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
  recvMultipart(options: OperationOptions = {}): Promise<Uint8Array[]> {
    return this.#recv("multipart", options, "recvMultipart") as Promise<Uint8Array[]>;
  }

  /** Receives one frame and decodes it as UTF-8; invalid UTF-8 rejects with code `EBADUTF8`. */
  async recvString(options: OperationOptions = {}): Promise<string> {
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
  async recvJson<T = unknown>(options: OperationOptions = {}): Promise<T> {
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
    justFailed = false, // the caller's own try just answered EAGAIN: don't try again
  ): Promise<Uint8Array | Uint8Array[]> {
    try {
      const context = this.#ctx(op);
      const ptr = this.#live(op);
      const timeout = checkTimeout(options.timeout ?? this.#rcvTimeout, context);
      options.signal?.throwIfAborted();
      if (this.#recvQ.length === 0) {
        const frames: Uint8Array[] = justFailed ? NO_FRAMES : [];
        const err = justFailed ? EAGAIN : this.#tryRecv(ptr, kind, frames);
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
      return this.#enqueue(this.#recvQ, { kind, frames: [] }, timeout, options.signal, context);
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
    try {
      const context = this.#ctx("poll");
      const ptr = this.#live("poll");
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
      const ready = getsockoptInt(ptr, ZMQ_EVENTS);
      if (ready < 0) throw this.#errorFor(lastErrno(), context);
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
    const ev = getsockoptInt(this.#ptr, ZMQ_EVENTS);
    if (ev < 0) this.#fail(lastErrno(), "events");
    return ev;
  }

  /** Does what can be done now; answers the events still awaited. */
  #service(): number {
    const ptr = this.#ptr;
    if (ptr === null) {
      this.#rejectAll(this.#fatal ?? closedError("Socket was closed", this.#ctx("close")));
      return 0;
    }
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
      if (err === 0) op.resolve(undefined as never);
      else if (this.#settleError(op, err, "send")) return 0;
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
        this.#fail(lastErrno(), "poll");
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
    if (this.#leasedTo !== null) throw this.#busyError("close");
    if (options.linger !== undefined) this.setOption("LINGER", options.linger);
    this.#closeNow();
    if (!reactor.defer(this.#watcher)) {
      this.#rejectAll(this.#fatal ?? closedError("Socket was closed", this.#ctx("close")));
    }
  }

  #closeNow(): void {
    const ptr = this.#ptr;
    if (ptr === null) return;
    this.#ptr = null;
    socketClose(ptr);
    contexts.get(this.context)?.sockets.delete(this);
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

function noop(): void {}

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

function optionSpec(name: string, context: ErrorContext): OptionSpec {
  if (typeof name !== "string" || !Object.hasOwn(SOCKET_OPTIONS, name)) {
    throw new ZmqError(
      "EUNKNOWNOPTION",
      0,
      `Unknown socket option ${JSON.stringify(name)}${optionHint(name)}`,
      context,
    );
  }
  return SOCKET_OPTIONS[name as SocketOptionName];
}

function badValue(value: unknown, want: string, context: ErrorContext) {
  return new ZmqError(
    "EBADVALUE",
    0,
    `Option ${context.option} takes ${want}; got ${
      typeof value === "object"
        ? Object.prototype.toString.call(value)
        : typeof value === "bigint"
        ? `${value}n`
        : JSON.stringify(value)
    }`,
    context,
  );
}

function encodeOption(
  spec: OptionSpec,
  value: unknown,
  context: ErrorContext,
): number | bigint | boolean | Uint8Array {
  switch (spec.kind) {
    case "int":
      if (
        typeof value !== "number" || !Number.isInteger(value) || value < -(2 ** 31) ||
        value >= 2 ** 31
      ) {
        throw badValue(value, "a 32-bit integer", context);
      }
      return value;
    case "bool":
      if (typeof value === "boolean") return value ? 1 : 0;
      if (value === 0 || value === 1) return value;
      throw badValue(value, "a boolean", context);
    case "int64":
    case "uint64":
      if (typeof value === "bigint") return value;
      if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
      throw badValue(value, "an integer or bigint", context);
    case "bytes":
      if (typeof value === "string") return encoder.encode(value);
      if (value instanceof Uint8Array) return value;
      throw badValue(value, "a string or Uint8Array", context);
    case "string":
      if (typeof value === "string") return encoder.encode(value);
      throw badValue(value, "a string", context);
    case "key":
      if (typeof value === "string" && value.length === 40) return encoder.encode(value);
      if (value instanceof Uint8Array && value.length === 32) return value;
      throw badValue(value, "a 40-character Z85 key or 32 bytes", context);
  }
}
