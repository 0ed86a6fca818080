import type { Pointer } from "./_backend.ts";
import { contexts, socketInternals, socketPointers } from "./_registry.ts";
import {
  canonicalSocketType,
  POLLIN,
  SOCKET_TYPES,
  type SocketType,
  type SocketTypeAlias,
} from "./constants.ts";
import { DRAFT_SOCKET_TYPES, type DraftSocketType, draftSocketType } from "./draft.ts";
import type { Message, RecvMessageOptions, SendOptions } from "./message.ts";
import {
  type AnySocketType,
  changeGroup,
  connectPeerOf,
  MessageReceipt,
  peerStateOf,
  socketTypeNumber,
} from "./_draft.ts";
import type {
  SocketOptionAlias,
  SocketOptionName,
  SocketOptionResult,
  SocketOptionValue,
} from "./options.ts";
import { aliasTargets, socketTypeHint } from "./_names.ts";
import type { Context } from "./context.ts";
import { badValue, ZmqError, zmqError } from "./errors.ts";
import { toFrame } from "./_frames.ts";
import { optionLabel } from "./_options.ts";
import { afterTurn, mustYield } from "./_turn.ts";
import { checkOptions, describeValue, NO_OPTIONS } from "./_util.ts";
import { BatchReceive } from "./_batch.ts";
import { recvFrame, sendFrame } from "./_backend.ts";
import { openNativeSocket } from "./_native_socket.ts";
import { noCopy, settleLater, SocketCore } from "./_socket_core.ts";
import type { CopyOptions, ZeroCopyFrame } from "./zero_copy.ts";
import { getOptionRaw, setOptionRaw } from "./_raw_options.ts";
import { checkDecoder, type Decoder, decodeValue, type Encoder, encodeValue } from "./codec.ts";

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

const utf8 = new TextDecoder("utf-8", { fatal: true });
const RESOLVED: Promise<void> = Promise.resolve();
const NO_FRAMES: Uint8Array[] = [];
/** How many messages a batch receive takes at most unless told (recvMany, batches). */
const BATCH_MAX = 1000;

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
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * using req = ctx.socket("REQ");
 * rep.bind("inproc://socket-hello");
 * req.connect("inproc://socket-hello");
 * await req.send("Hello");
 * assert.equal(await rep.recvString(), "Hello");
 * await rep.send("World");
 * assert.equal(await req.recvString(), "World");
 * ```
 */
export class Socket implements Disposable, AsyncIterable<Uint8Array[]> {
  /**
   * The socket type, e.g. `"REQ"` (the modern name when opened as `"XREP"` or `"XREQ"`), or a
   * DRAFT type such as `"SERVER"`.
   */
  readonly type: SocketType | DraftSocketType;
  /** The context the socket belongs to. */
  readonly context: Context;
  /** The native socket, its state and the general paths (core/_socket_core.ts). */
  #core: SocketCore;

  /**
   * Opens a socket of `type` on `context`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, Socket } from "../mod.ts";
   * using ctx = new Context();
   * using push = new Socket(ctx, "PUSH");
   * assert.equal(push.type, "PUSH");
   * assert.throws(() => new Socket(ctx, "PUHS" as "PUSH"), { code: "EINVAL" });
   * ```
   *
   * @param context The context that owns the socket; closing it closes the socket.
   * @param type The socket type (`"REQ"`, `"PUB"`, ...; the old `"XREP"`/`"XREQ"` are accepted).
   * @throws {ZmqError} `EINVAL` for an unknown type or a value that is not a Context, `ECLOSED`
   * when the context is closed, `EMFILE` when libzmq has no sockets left.
   */
  constructor(context: Context, type: SocketType | SocketTypeAlias | DraftSocketType) {
    const internals = contexts.get(context);
    const base = { op: "open socket", socketType: String(type) };
    if (!internals) throw zmqError("EINVAL", "Not a Context", base);
    const canonical: AnySocketType | undefined = canonicalSocketType(type) ??
      draftSocketType(type);
    if (canonical === undefined) {
      throw zmqError(
        "EINVAL",
        `Unknown socket type ${JSON.stringify(type)}${socketTypeHint(type)}; expected one of ${
          Object.keys(SOCKET_TYPES).join(", ")
        }, or a DRAFT type: ${Object.keys(DRAFT_SOCKET_TYPES).join(", ")}`,
        base,
      );
    }
    const opened = openNativeSocket(internals, socketTypeNumber(canonical, base), base);
    this.type = canonical;
    this.context = context;
    const core = this.#core = new SocketCore(this, internals, canonical, opened);
    internals.sockets.add(this);
    socketPointers.set(this, <T>(use: (ptr: Pointer | null) => T): T => core.use(use));
    socketInternals.set(this, {
      lease: (owner) => core.lease(owner),
      release: () => core.release(),
      whenReleased: () => core.whenReleased(),
    });
  }

  /** True once {@linkcode Socket.close} was called (or its context closed). */
  get closed(): boolean {
    return this.#core.closed;
  }

  // ---- endpoints ----

  /**
   * Binds to an endpoint: `tcp://*:5555`, `tcp://127.0.0.1:*` (a free port), `ipc://path`,
   * `inproc://name`. Throws a ZmqError (`EADDRINUSE`, `EPROTONOSUPPORT`, `EINVAL`, ...) naming
   * the endpoint.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using rep = ctx.socket("REP");
   * rep.bind("tcp://127.0.0.1:*");
   * assert.match(rep.lastEndpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/); // e.g. "tcp://127.0.0.1:41235"
   * assert.throws(() => rep.bind("nosuch://x"), { code: "EPROTONOSUPPORT" });
   * ```
   *
   * @param endpoint `transport://address`, e.g. `tcp://127.0.0.1:*`.
   * @throws {ZmqError} `EADDRINUSE`, `EPROTONOSUPPORT`, `EINVAL` and the like, naming the endpoint.
   */
  bind(endpoint: string): void {
    this.#core.endpoint("zmq_bind", "bind", endpoint);
  }

  /**
   * Connects to an endpoint. Connecting succeeds before the peer exists; ZeroMQ reconnects.
   *
   * @param endpoint `transport://address`, e.g. `tcp://localhost:5555`.
   * @throws {ZmqError} `EINVAL`, `EPROTONOSUPPORT` and the like for a malformed endpoint, naming it.
   */
  connect(endpoint: string): void {
    this.#core.endpoint("zmq_connect", "connect", endpoint);
  }

  /**
   * Stops listening on an endpoint bound earlier.
   *
   * @param endpoint An endpoint bound earlier (the resolved one for a wildcard port).
   * @throws {ZmqError} `ENOENT` for an endpoint that is not bound.
   */
  unbind(endpoint: string): void {
    this.#core.endpoint("zmq_unbind", "unbind", endpoint);
  }

  /**
   * Disconnects from an endpoint connected earlier.
   *
   * @param endpoint An endpoint connected earlier.
   * @throws {ZmqError} `ENOENT` for an endpoint that is not connected.
   */
  disconnect(endpoint: string): void {
    this.#core.endpoint("zmq_disconnect", "disconnect", endpoint);
  }

  /**
   * Binds to a free TCP port on `address` (default `tcp://127.0.0.1`) and answers the port,
   * like pyzmq's `bind_to_random_port`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using pub = ctx.socket("PUB");
   * const port = pub.bindToRandomPort();
   * assert.equal(pub.lastEndpoint, `tcp://127.0.0.1:${port}`);
   * ```
   *
   * @param address The interface to bind on, without a port.
   * @default {"tcp://127.0.0.1"}
   * @returns The port that was bound.
   * @throws {ZmqError} As {@linkcode Socket.bind} does.
   */
  bindToRandomPort(address = "tcp://127.0.0.1"): number {
    this.bind(`${address}:*`);
    const port = Number(/:(\d+)$/.exec(this.lastEndpoint)?.[1]);
    if (!Number.isInteger(port)) {
      throw zmqError("EINVAL", "Bound endpoint has no port", {
        ...this.#core.ctx("bindToRandomPort"),
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
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * push.setOption("SNDHWM", 1000);
   * push.setOption("LINGER", 0);
   * assert.equal(push.getOption("SNDHWM"), 1000);
   * assert.throws(() => push.setOption("SNDHWM", -2), { code: "EINVAL" }); // libzmq refuses it
   * ```
   *
   * @param name The option's name as in libzmq without `ZMQ_` (`"SNDHWM"`), or an alias.
   * @param value A value of the option's type (number, boolean, string or bytes).
   * @throws {ZmqError} `EUNKNOWNOPTION`, `EREADONLY`, `EBADVALUE` (a value of the wrong type),
   * `EINVAL` (a value libzmq refuses), each naming the option.
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
    this.#core.setOption(name, value, this.#core.ctx("setOption", { option: optionLabel(name) }));
  }

  /**
   * Reads a socket option by name.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * assert.equal(sub.getOption("TYPE"), 2); // ZMQ_SUB
   * ```
   *
   * @param name The option's name as in libzmq without `ZMQ_` (`"RCVMORE"`), or an alias.
   * @returns The value, typed by the option table.
   * @throws {ZmqError} `EUNKNOWNOPTION`, `EWRITEONLY` naming the option.
   */
  getOption<N extends SocketOptionName | SocketOptionAlias>(name: N): SocketOptionResult<N> {
    const targets = aliasTargets(name);
    if (targets) return this.getOption(targets[0]) as SocketOptionResult<N>;
    const context = this.#core.ctx("getOption", { option: optionLabel(name) });
    return this.#core.getOption(name, context) as SocketOptionResult<N>;
  }

  /**
   * Sets a socket option by libzmq's number, with its value as raw bytes (an int is 4 bytes,
   * little-endian): the escape hatch for an option this library has no name for. A number the
   * option table knows ({@linkcode SOCKET_OPTIONS}) is checked exactly as
   * {@linkcode Socket.setOption} checks it, its bytes decoded by the option's kind; any other
   * number goes to libzmq as it is (which answers `EINVAL` for a number it does not know).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * const hwm = new Uint8Array(new Int32Array([250]).buffer);
   * push.setOptionRaw(23, hwm); // ZMQ_SNDHWM
   * assert.equal(push.getOption("SNDHWM"), 250);
   * ```
   *
   * @param id libzmq's option number (`ZMQ_SNDHWM` is 23).
   * @param bytes The value as libzmq takes it (an int: 4 bytes, little-endian here).
   * @throws {ZmqError} As {@linkcode Socket.setOption} does for a known number; libzmq's `EINVAL`
   * for an unknown one.
   */
  setOptionRaw(id: number, bytes: Uint8Array): void {
    setOptionRaw(this.#core, id, bytes, this.#core.ctx("setOptionRaw", { option: `#${id}` }));
  }

  /**
   * Reads a socket option by libzmq's number into a buffer of `size` bytes (0 to 65536) and
   * answers the bytes libzmq wrote: 4 for an int, the text's length and its NUL for text.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * const type = pull.getOptionRaw(16, 4); // ZMQ_TYPE
   * assert.equal(new DataView(type.buffer).getInt32(0, true), 7); // PULL
   * ```
   *
   * @param id libzmq's option number.
   * @param size The buffer's size in bytes, 0 to 65536.
   * @returns The bytes libzmq wrote.
   * @throws {ZmqError} `EBADVALUE` for a size out of range, libzmq's `EINVAL` for an unknown number.
   */
  getOptionRaw(id: number, size: number): Uint8Array {
    return getOptionRaw(this.#core, id, size, this.#core.ctx("getOptionRaw", { option: `#${id}` }));
  }

  /**
   * pyzmq's name for {@linkcode Socket.setOption}, for programs ported from the tutorial.
   * Strings are accepted where pyzmq needed `setsockopt_string`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * sub.setsockopt("SUBSCRIBE", "10001"); // pyzmq: socket.setsockopt(zmq.SUBSCRIBE, b"10001")
   * sub.setsockopt("HWM", 1);
   * assert.equal(sub.getsockopt("RCVHWM"), 1);
   * ```
   *
   * @param name The option's name, or an alias.
   * @param value A value of the option's type.
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
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * assert.equal(pull.getsockopt("RCVMORE"), false);
   * ```
   *
   * @param name The option's name, or an alias.
   * @returns The value, typed by the option table.
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
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * using pub = ctx.socket("PUB");
   * pub.bind("inproc://subscribe-example");
   * sub.connect("inproc://subscribe-example");
   * sub.subscribe("10001");
   * // the subscription reaches the publisher a moment later: publish until a message arrives
   * let received: string | undefined;
   * for (let round = 0; round < 500 && received === undefined; round++) {
   *   await pub.send("9999 filtered out");
   *   await pub.send("10001 kept");
   *   received = await sub.recvString({ timeout: 10 }).catch(() => undefined);
   * }
   * assert.equal(received, "10001 kept");
   * ```
   *
   * @param topic A prefix of the first frame.
   * @default {""}
   * @throws {ZmqError} `ENOTSUP` on a socket that is not a SUB.
   */
  subscribe(topic: Frame = ""): void {
    this.#subscription("subscribe", "SUBSCRIBE", topic);
  }

  /**
   * Removes a subscription made with {@linkcode Socket.subscribe}.
   *
   * @param topic The prefix given to {@linkcode Socket.subscribe}.
   * @default {""}
   * @throws {ZmqError} `ENOTSUP` on a socket that is not a SUB.
   */
  unsubscribe(topic: Frame = ""): void {
    this.#subscription("unsubscribe", "UNSUBSCRIBE", topic);
  }

  #subscription(op: string, option: "SUBSCRIBE" | "UNSUBSCRIBE", topic: Frame): void {
    const context = this.#core.ctx(op, { option });
    this.#core.live(op, context);
    if (this.type !== "SUB") {
      throw zmqError(
        "ENOTSUP",
        `${op} is only for SUB sockets; this is a ${this.type} socket`,
        context,
      );
    }
    this.setOption(option, toFrame(topic, 0, context));
  }

  // ---- sending ----

  /**
   * Sends one message: a frame, or an array of frames sent as one multipart message.
   * Resolves once libzmq has queued the message (not when the peer got it). On the DRAFT
   * sockets that route by message, `options` says where it goes: `{ routingId }` on SERVER and
   * PEER, `{ group }` on RADIO (see {@linkcode SendOptions}).
   *
   * With `{ copy: false }`, a {@linkcode ZeroCopyFrame} (received with `copy: false`, or made by
   * `ZeroCopyFrame.alloc`) goes out without a copy: libzmq shares its message (see
   * core/zero_copy.ts for the ownership rules; `frame.whenSent()` tells when libzmq is done).
   * Any other frame is copied, as always: libzmq never holds a plain JS buffer.
   *
   * @example Zero copy
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, ZeroCopyFrame } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://send-zero-copy-example");
   * push.connect("inproc://send-zero-copy-example");
   * using frame = ZeroCopyFrame.alloc(1 << 20); // libzmq's memory, zeroed
   * frame.fill(1);
   * await push.send(frame, { copy: false }); // libzmq shares it: no byte copied
   * const received = await pull.recv(); // a copy of its own (the default)
   * await frame.whenSent({ timeout: 1000 }); // libzmq let go of it
   * frame.fill(2); // safe now: nobody reads it any more
   * assert.equal(received[0], 1);
   * ```
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://send-example");
   * push.connect("inproc://send-example");
   * await push.send("one frame");
   * await push.send(["two", new Uint8Array([2])]);
   * assert.equal(await pull.recvString(), "one frame");
   * assert.deepEqual(await pull.recvMultipart(), [new TextEncoder().encode("two"), new Uint8Array([2])]);
   * ```
   *
   * @param message A frame (string, bytes, ...) or the frames of one multipart message.
   * @param options `timeout` in ms (rejects with `EAGAIN`), `signal` to abort.
   * @throws {ZmqError} `EFSM` out of turn, `EAGAIN` on timeout, `ECLOSED`, `EBADVALUE` for a frame
   * that is not bytes or a string (as a rejection).
   */
  send(message: Frame | Frame[], options: SendOptions & CopyOptions = NO_OPTIONS): Promise<void> {
    const core = this.#core;
    if (mustYield()) {
      return core.sendLater(Array.isArray(message) ? message : [message], options, "send", false);
    }
    // Fast path (the common case): one non-empty bytes frame, nothing queued, no signal. Only a
    // success returns here; anything else takes the general path, which tries again and reports.
    if (
      message instanceof Uint8Array && message.byteLength !== 0 && core.ops.send.length === 0 &&
      core.plainSend && quick(options)
    ) {
      const ptr = core.fastPtr();
      if (ptr !== null && sendFrame(ptr, message, false) === 0) {
        core.sent++;
        core.afterOp();
        return RESOLVED;
      }
    }
    return core.send(Array.isArray(message) ? message : [message], options, "send", false);
  }

  /**
   * Sends frames as one multipart message (pyzmq's `send_multipart`). Every frame is checked
   * before the first goes out: a bad frame rejects the whole message and sends nothing.
   *
   * @param frames The frames, strings or bytes, sent as one message.
   * @param options `timeout` in ms (rejects with `EAGAIN`), `signal` to abort.
   * @throws {ZmqError} Rejects with `EBADVALUE` for something that is not an array of frames, and as
   * {@linkcode Socket.send} does.
   */
  sendMultipart(frames: Frame[], options: SendOptions & CopyOptions = NO_OPTIONS): Promise<void> {
    const later = mustYield();
    if (!Array.isArray(frames)) {
      return settleLater(
        later,
        badValue("sendMultipart takes an array of frames", {
          ...this.#core.ctx("sendMultipart"),
        }),
      );
    }
    return later
      ? this.#core.sendLater(frames, options, "sendMultipart", false)
      : this.#core.send(frames, options, "sendMultipart", false);
  }

  /**
   * Sends `value` as JSON text.
   *
   * @param value Anything `JSON.stringify` takes.
   * @param options `timeout` in ms, `signal` to abort.
   * @throws {ZmqError} Rejects with `EBADJSON` for a value that is not JSON-serialisable, and as
   * {@linkcode Socket.send} does.
   */
  sendJson(value: unknown, options: SendOptions = NO_OPTIONS): Promise<void> {
    const later = mustYield();
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      return settleLater(
        later,
        zmqError("EBADJSON", `Value is not JSON-serialisable: ${(e as Error).message}`, {
          ...this.#core.ctx("sendJson"),
        }),
      );
    }
    if (text === undefined) {
      return settleLater(
        later,
        zmqError("EBADJSON", "Value is not JSON-serialisable", this.#core.ctx("sendJson")),
      );
    }
    return later
      ? this.#core.sendLater([text], options, "sendJson", true)
      : this.#core.send([text], options, "sendJson", true);
  }

  /**
   * Sends `value` as one message encoded by `codec` (pyzmq's `send_serialized`): a
   * {@linkcode Codec} (`{ encode, decode }`, e.g. {@linkcode jsonCodec} or the MessagePack
   * codec of `@zmq/deno/msgpack`) or an encoding function answering a frame or an array of
   * frames. A codec that throws rejects with a ZmqError of code `ECODEC` whose `cause` is what
   * it threw; nothing is sent. `options` are those of {@linkcode Socket.send}: a SERVER answers
   * with `{ routingId }` (its request read with `recvMessage`, decoded by `codec.decode(frames)`),
   * a RADIO sends to a `{ group }`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://serialized");
   * push.connect("inproc://serialized");
   * const csv = (row: number[]) => row.join(","); // an encoding function is enough
   * await push.sendSerialized([1, 2, 3], csv);
   * const row = await pull.recvSerialized(([f]) => new TextDecoder().decode(f).split(","));
   * assert.deepEqual(row, ["1", "2", "3"]);
   * ```
   *
   * @param value The value to send.
   * @param codec A {@linkcode Codec}, or a function encoding the value to frames.
   * @param options `timeout` in ms, `signal`.
   * @throws {ZmqError} Rejects with `ECODEC` (its `cause` the codec's error; nothing sent), and as
   * {@linkcode Socket.sendMultipart} does.
   */
  sendSerialized<T>(
    value: T,
    codec: Encoder<T>,
    options: SendOptions = NO_OPTIONS,
  ): Promise<void> {
    let frames: Frame[];
    try {
      frames = encodeValue(codec, value, this.#core.ctx("sendSerialized"));
    } catch (e) {
      return settleLater(mustYield(), e);
    }
    return this.sendMultipart(frames, options);
  }

  // ---- receiving ----

  /**
   * Receives one frame (pyzmq's `recv`). For a multipart message, each call answers the next
   * frame; use {@linkcode Socket.recvMultipart} to get them all at once.
   *
   * With `{ copy: false }` it answers a {@linkcode ZeroCopyFrame}: a frame of 64 KiB or more is
   * not copied, it views libzmq's message until released (`using`, or `frame.release()`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://recv-example");
   * push.connect("inproc://recv-example");
   * await push.send(new Uint8Array(1 << 20).fill(7));
   * using big = await pull.recv({ copy: false }); // no copy of the 1 MiB
   * assert.equal(big.length, 1 << 20);
   * assert.equal(big.zeroCopy, true); // libzmq's memory, until released
   * assert.equal(big[0], 7);
   * big.release(); // (`using` does it at the end of the scope too)
   * assert.equal(big.length, 0); // nothing left to read: never freed memory
   * ```
   *
   * @param options `timeout` in ms (rejects with `EAGAIN`; 0: only what is already there), `signal`
   * to abort, `copy: false` for a {@linkcode ZeroCopyFrame}.
   * @returns The frame, in an `ArrayBuffer` of its own (or viewing libzmq's message with
   * `copy: false`).
   * @throws {ZmqError} Rejects with `EAGAIN` on timeout, `EFSM` out of turn, `ECLOSED` once closed.
   */
  recv(options: OperationOptions & { copy: false }): Promise<ZeroCopyFrame>;
  /** Receives one frame (see the first signature). */
  recv(options?: OperationOptions & CopyOptions): Promise<Uint8Array>;
  recv(options: OperationOptions & CopyOptions = NO_OPTIONS): Promise<Uint8Array> {
    if (mustYield()) return afterTurn(() => this.recv(options));
    const core = this.#core;
    // Fast path: a frame is already there and nothing is queued before this call.
    if (core.ops.recv.length === 0 && core.deferred === 0 && quick(options)) {
      const ptr = core.fastPtr();
      if (ptr !== null) {
        const r = recvFrame(ptr);
        if (typeof r !== "number") {
          core.afterOp();
          return Promise.resolve(r);
        }
        return core.recv("frame", options, "recv", r) as Promise<Uint8Array>;
      }
    }
    const kind = noCopy(options) ? "sharedFrame" : "frame";
    return core.recv(kind, options, "recv") as Promise<Uint8Array>;
  }

  /**
   * Receives a whole multipart message as an array of frames.
   *
   * With `{ copy: false }` the frames are {@linkcode ZeroCopyFrame}s (see
   * {@linkcode Socket.recv}).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://multipart-example");
   * push.connect("inproc://multipart-example");
   * await push.send(["a", "b"]);
   * const frames = await pull.recvMultipart();
   * assert.deepEqual(frames.map((f) => new TextDecoder().decode(f)), ["a", "b"]);
   * ```
   *
   * @param options `timeout` in ms (rejects with `EAGAIN`), `signal` to abort, `copy: false`.
   * @returns Every frame of the next message, each owning its buffer (or viewing libzmq's
   * messages with `copy: false`).
   */
  recvMultipart(options: OperationOptions & { copy: false }): Promise<ZeroCopyFrame[]>;
  /** Receives a whole multipart message (see the first signature). */
  recvMultipart(options?: OperationOptions & CopyOptions): Promise<Uint8Array[]>;
  recvMultipart(options: OperationOptions & CopyOptions = NO_OPTIONS): Promise<Uint8Array[]> {
    if (mustYield()) return afterTurn(() => this.recvMultipart(options));
    const kind = noCopy(options) ? "sharedMultipart" : "multipart";
    return this.#core.recv(kind, options, "recvMultipart") as Promise<Uint8Array[]>;
  }

  /**
   * Receives a batch: every message queued on the socket right now, up to `max` (default 1000)
   * and until the batch holds 128 KiB (a queue of large messages comes a few at a time), each as
   * an array of frames, in order; waits (like {@linkcode Socket.recvMultipart}, with the
   * same timeout and signal) only until the first one is there. One call, one settlement and one
   * buffer for the whole batch, so that small messages cost a fraction of a `recv` each.
   *
   * The frames of one batch are views into one ArrayBuffer that holds that batch's frames and
   * nothing else (a frame too big for the batch's staging area, over 16 KiB, has a buffer of its
   * own): no byte of another batch, message or socket is visible through `frame.buffer`, and
   * writing into it or transferring it (postMessage, `buffer.transfer()`) affects that batch
   * alone, whose other frames it empties. Copy a frame (`frame.slice()`) to keep it apart.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://many-example");
   * push.connect("inproc://many-example");
   * for (let i = 0; i < 5; i++) await push.send(`job ${i}`);
   * await push.send(["a", "multipart"]);
   * const batch = await pull.recvMany();
   * assert.equal(batch.length, 6); // every message that was queued
   * assert.equal(batch[5].length, 2); // a message is never split
   * assert.equal(new TextDecoder().decode(batch[0][0]), "job 0");
   * assert.equal(batch[0][0].buffer, batch[4][0].buffer); // one buffer for the batch
   * ```
   *
   * @param max The most messages in one batch, at least 1.
   * @default {1000}
   * @param options `timeout` in ms (for the first message), `signal`.
   * @returns The batch: each message's frames, in order, at least one message.
   * @throws {ZmqError} Rejects with `EBADVALUE` for a bad `max`, and as
   * {@linkcode Socket.recvMultipart} does.
   */
  recvMany(
    max: number = BATCH_MAX,
    options: OperationOptions = NO_OPTIONS,
  ): Promise<Uint8Array[][]> {
    if (mustYield()) return afterTurn(() => this.recvMany(max, options));
    const core = this.#core;
    if (!(Number.isInteger(max) && max >= 1) && max !== Infinity) {
      return Promise.reject(
        badValue(
          `max must be a whole number of messages >= 1; got ${describeValue(max)}`,
          core.ctx("recvMany"),
        ),
      );
    }
    const batch = new BatchReceive(max);
    // Fast path: messages are already there and nothing is queued before this call.
    if (core.ops.recv.length === 0 && quick(options)) {
      const ptr = core.fastPtr();
      if (ptr !== null) {
        const err = core.tryRecv(ptr, batch, NO_FRAMES);
        if (err === 0) {
          core.afterOp();
          return Promise.resolve(batch.messages);
        }
        return core.recv(batch, options, "recvMany", err) as Promise<Uint8Array[][]>;
      }
    }
    return core.recv(batch, options, "recvMany") as Promise<Uint8Array[][]>;
  }

  /**
   * Iterates over incoming messages in batches (see {@linkcode Socket.recvMany}) until the
   * socket is closed: each batch is every message that was queued, up to `max`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * const pull = ctx.socket("PULL");
   * pull.bind("inproc://batches-example");
   * push.connect("inproc://batches-example");
   * for (let i = 0; i < 3; i++) await push.send(`job ${i}`);
   * const jobs: string[] = [];
   * for await (const batch of pull.batches()) {
   *   for (const [body] of batch) jobs.push(new TextDecoder().decode(body));
   *   if (jobs.length === 3) pull.close(); // the loop ends once the socket is closed
   * }
   * assert.deepEqual(jobs, ["job 0", "job 1", "job 2"]);
   * ```
   *
   * @param max The most messages in one batch.
   * @default {1000}
   * @returns Each batch, until the socket is closed.
   */
  async *batches(max: number = BATCH_MAX): AsyncGenerator<Uint8Array[][]> {
    while (!this.closed) {
      try {
        yield await this.recvMany(max);
      } catch (e) {
        if (e instanceof ZmqError && (e.code === "ECLOSED" || e.code === "ETERM")) return;
        throw e;
      }
    }
  }

  /**
   * Receives a whole message with where it came from and its properties: its `frames`, the
   * sender's `routingId` (SERVER, PEER: answer it with `send(frame, { routingId })`), the `group`
   * (DISH), and `get(name)` for libzmq's message properties (`"Socket-Type"`, `"Routing-Id"`,
   * `"Peer-Address"`, `"User-Id"`, and those named in `properties`: a peer's `METADATA`, an
   * authenticator's metadata). Works on every socket type; costs a few native calls more per
   * message than {@linkcode Socket.recvMultipart}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using router = ctx.socket("ROUTER");
   * using dealer = ctx.socket("DEALER");
   * dealer.setOption("METADATA", "X-Tenant:acme");
   * const port = router.bindToRandomPort();
   * dealer.connect(`tcp://127.0.0.1:${port}`);
   * await dealer.send("hi");
   * const message = await router.recvMessage({ properties: ["X-Tenant"] });
   * assert.equal(message.frames.length, 2); // the routing id and "hi"
   * assert.equal(message.get("Socket-Type"), "DEALER");
   * assert.equal(message.get("X-Tenant"), "acme");
   * ```
   *
   * @param options `timeout`, `signal`, and `properties`: the names of custom properties to read.
   * @returns The frames, routing id, group and properties of the next message.
   */
  recvMessage(options: RecvMessageOptions = NO_OPTIONS): Promise<Message> {
    if (mustYield()) return afterTurn(() => this.recvMessage(options));
    const core = this.#core;
    let receipt: MessageReceipt;
    try {
      receipt = new MessageReceipt(this.type, options ?? NO_OPTIONS, core.ctx("recvMessage"));
    } catch (e) {
      return Promise.reject(e);
    }
    return (core.recv(receipt, options, "recvMessage") as Promise<Uint8Array[]>).then((frames) =>
      receipt.message(frames)
    );
  }

  /**
   * Receives one frame and decodes it as UTF-8; invalid UTF-8 rejects with code `EBADUTF8`.
   *
   * @param options `timeout` in ms, `signal` to abort.
   * @returns The frame as text.
   * @throws {ZmqError} Rejects with `EBADUTF8` (the frame is consumed), and as
   * {@linkcode Socket.recv} does.
   */
  async recvString(options: OperationOptions = NO_OPTIONS): Promise<string> {
    const frame = await this.recv(options);
    try {
      return utf8.decode(frame);
    } catch {
      throw zmqError(
        "EBADUTF8",
        `Received ${frame.length} bytes that are not valid UTF-8`,
        this.#core.ctx("recvString"),
      );
    }
  }

  /**
   * Receives one frame and parses it as JSON; invalid JSON rejects with code `EBADJSON`.
   *
   * @param options `timeout` in ms, `signal` to abort.
   * @returns The parsed value (not checked against `T`).
   * @throws {ZmqError} Rejects with `EBADUTF8` or `EBADJSON` (the frame is consumed), and as
   * {@linkcode Socket.recv} does.
   */
  async recvJson<T = unknown>(options: OperationOptions = NO_OPTIONS): Promise<T> {
    const frame = await this.recv(options);
    let text: string;
    try {
      text = utf8.decode(frame);
    } catch {
      throw zmqError(
        "EBADUTF8",
        `Received ${frame.length} bytes that are not valid UTF-8`,
        this.#core.ctx("recvJson"),
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw zmqError(
        "EBADJSON",
        `Received text is not JSON (${(e as Error).message})`,
        this.#core.ctx("recvJson"),
      );
    }
  }

  /**
   * Receives one message and decodes its frames with `codec` (pyzmq's `recv_serialized`): a
   * {@linkcode Codec} or a decoding function given every frame of the message. A codec that
   * throws rejects with a ZmqError of code `ECODEC` whose `cause` is what it threw (the message
   * was received: it is gone); a `codec` that is neither rejects with `EBADVALUE` before
   * anything is received.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, jsonCodec } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://recv-serialized");
   * push.connect("inproc://recv-serialized");
   * await push.send('{"num": 7}');
   * const task = await pull.recvSerialized(jsonCodec, { timeout: 1000 });
   * assert.deepEqual(task, { num: 7 });
   * ```
   *
   * @param codec A {@linkcode Codec}, or a function decoding the frames.
   * @param options `timeout` in ms, `signal`.
   * @returns The decoded value.
   * @throws {ZmqError} Rejects with `ECODEC` (the message is consumed), and as
   * {@linkcode Socket.recvMultipart} does.
   */
  async recvSerialized<T>(
    codec: Decoder<T>,
    options: OperationOptions = NO_OPTIONS,
  ): Promise<T> {
    const context = this.#core.ctx("recvSerialized");
    checkDecoder(codec, context);
    return decodeValue(codec, await this.recvMultipart(options), context);
  }

  /**
   * Iterates over incoming multipart messages until the socket is closed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://iterate-example");
   * push.connect("inproc://iterate-example");
   * await push.send(["weather", "sunny"]);
   * await push.send(["news", "quiet"]);
   * const topics: string[] = [];
   * for await (const [topic, body] of pull) {
   *   topics.push(new TextDecoder().decode(topic));
   *   assert.ok(body.length > 0);
   *   if (topics.length === 2) pull.close(); // closing ends the loop
   * }
   * assert.deepEqual(topics, ["weather", "news"]);
   * ```
   *
   * @returns Each message's frames, until the socket is closed.
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

  // ---- DRAFT: groups and peers ----

  /**
   * Joins a group on a DISH socket: it receives what RADIO sockets send to that group. A group
   * is 1 to 255 bytes of UTF-8 (libzmq's limit; a longer one would be cut short, so it is
   * refused) without NUL.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using dish = ctx.socket("DISH");
   * using radio = ctx.socket("RADIO");
   * dish.bind("inproc://weather");
   * dish.join("rain");
   * radio.connect("inproc://weather");
   * // the join reaches the RADIO a moment later (it drops what no DISH joined): send until it lands
   * let group: string | undefined;
   * for (let round = 0; round < 500 && group === undefined; round++) {
   *   await radio.send("heavy", { group: "rain" });
   *   group = await dish.recvMessage({ timeout: 10 }).then((m) => m.group, () => undefined);
   * }
   * assert.equal(group, "rain");
   * ```
   *
   * @param group 1 to 255 bytes of UTF-8, without NUL.
   * @throws {ZmqError} `EBADVALUE` for a bad group name, `ENOTSUP` on a socket that is not a DISH.
   */
  join(group: string): void {
    changeGroup(this.#core, "join", group);
  }

  /**
   * Leaves a group joined with {@linkcode Socket.join} (DISH sockets).
   *
   * @param group A group joined earlier.
   * @throws {ZmqError} `EBADVALUE` for a bad group name, `ENOTSUP` on a socket that is not a DISH.
   */
  leave(group: string): void {
    changeGroup(this.#core, "leave", group);
  }

  /**
   * Connects a PEER socket to `endpoint` and answers the routing id of the new peer, to send it
   * messages with `send(frame, { routingId })` right away (they wait for the connection).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using a = ctx.socket("PEER");
   * using b = ctx.socket("PEER");
   * const port = a.bindToRandomPort();
   * const toA = b.connectPeer(`tcp://127.0.0.1:${port}`);
   * await b.send("hello", { routingId: toA });
   * const message = await a.recvMessage();
   * await a.send("hello back", { routingId: message.routingId });
   * assert.equal(new TextDecoder().decode((await b.recvMessage()).frames[0]), "hello back");
   * ```
   *
   * @param endpoint Where the other PEER listens.
   * @returns The new peer's routing id.
   * @throws {ZmqError} `ENOTSUP` on a socket that is not a PEER, the connect's error for a bad
   * endpoint.
   */
  connectPeer(endpoint: string): number {
    return connectPeerOf(this.#core, endpoint);
  }

  /**
   * What a ROUTER's peer is ready for, by its routing id (libzmq's DRAFT
   * `zmq_socket_get_peer_state`): `POLLOUT` while its queue takes a message, 0 while it is full
   * at the high-water mark (a send to it would wait, or with `ROUTER_MANDATORY` answer
   * `EAGAIN`). Throws a ZmqError of code `EHOSTUNREACH` for a routing id no peer has (it left,
   * or never came), `ENOTSUP` on other socket types, `EBADVALUE` for a routing id that is not 1
   * to 255 bytes; a `MissingCapabilityError` without DRAFT.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, POLLOUT } from "../mod.ts";
   * using ctx = new Context();
   * using router = ctx.socket("ROUTER");
   * using dealer = ctx.socket("DEALER");
   * dealer.setOption("ROUTING_ID", "worker-1");
   * router.bind("inproc://peer-state");
   * dealer.connect("inproc://peer-state");
   * await dealer.send("ready");
   * const [id] = await router.recvMultipart();
   * assert.equal(router.peerState(id), POLLOUT); // "worker-1" can take a message
   * ```
   *
   * @param routingId The peer's routing id, 1 to 255 bytes.
   * @returns `POLLOUT` while its queue takes a message, 0 while it is full.
   * @throws {ZmqError} `EHOSTUNREACH` for an id no peer has, `ENOTSUP` on a socket that is not a
   * ROUTER, `EBADVALUE` for a bad id; `MissingCapabilityError` without DRAFT.
   */
  peerState(routingId: Frame): number {
    return peerStateOf(this.#core, routingId);
  }

  // ---- readiness ----

  /**
   * Waits until the socket is ready for `events` (POLLIN = 1, POLLOUT = 2, or both) and
   * answers the ready subset; with a `timeout`, answers 0 if nothing became ready in time.
   * Takes `{ timeout, signal }` as `send` and `recv` do.
   *
   * @param events What to wait for: `POLLIN`, `POLLOUT` or `POLLIN | POLLOUT`.
   * @default {POLLIN} `events`
   * @param options `timeout` in ms (`0` answers at once; none, `-1` or `Infinity` waits
   * forever) and a `signal` that rejects the wait with its reason.
   * @returns The ready subset of `events`, or 0 once the timeout passed.
   * @throws {ZmqError} Rejects with `EBADVALUE` for events, a timeout or a signal out of
   * range, `ECLOSED` once the socket is closed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, POLLIN, POLLOUT } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * using push = ctx.socket("PUSH");
   * pull.bind("inproc://poll-example");
   * assert.equal(await pull.poll(POLLIN, { timeout: 10 }), 0); // nothing arrived
   * push.connect("inproc://poll-example");
   * await push.send("ready?");
   * assert.equal(await pull.poll(POLLIN | POLLOUT, { timeout: 1000 }), POLLIN); // never POLLOUT
   * ```
   */
  poll(events?: number, options?: OperationOptions): Promise<number>;
  /**
   * The positional shape of {@linkcode Socket.poll}: `poll(events, timeout, signal)`.
   *
   * @deprecated Use `poll(events, { timeout, signal })`, the shape of `send` and `recv`.
   *
   * @param events What to wait for.
   * @param timeout Milliseconds, `-1` for none.
   * @param signal Rejects the wait with its reason.
   * @returns The ready subset of `events`, or 0 once the timeout passed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, POLLIN } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * pull.bind("inproc://poll-positional-example");
   * assert.equal(await pull.poll(POLLIN, { timeout: 10 }), 0); // was: pull.poll(POLLIN, 10)
   * ```
   */
  poll(events: number, timeout?: number, signal?: AbortSignal): Promise<number>;
  poll(
    events: number = POLLIN,
    options?: OperationOptions | number,
    signal?: AbortSignal,
  ): Promise<number> {
    let timeout: number | undefined;
    if (typeof options === "object" && options !== null) {
      try {
        ({ timeout, signal } = checkOptions(options, { op: "poll", socketType: this.type }));
      } catch (e) {
        return Promise.reject(e);
      }
    } else timeout = options;
    if (mustYield()) return afterTurn(() => this.#core.poll(events, timeout, signal));
    return this.#core.poll(events, timeout, signal);
  }

  // ---- closing ----

  /**
   * Closes the socket. Pending operations reject with code `ECLOSED`; later calls reject or
   * throw the same. Unsent messages linger for `linger` ms (default: the socket's LINGER).
   * Closing twice is harmless.
   *
   * @param options `linger` in ms for this close (0 drops unsent messages).
   * @default {{}} the socket's LINGER.
   */
  close(options: CloseOptions = {}): void {
    this.#core.close(options);
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Options of a call that may take the fast path: no signal, no `copy: false`, no routing id or
 * group, and no timeout or a valid one.
 */
function quick(options: SendOptions & CopyOptions): boolean {
  if (options === NO_OPTIONS) return true;
  if (
    typeof options !== "object" || options === null || options.signal !== undefined ||
    options.routingId !== undefined || options.group !== undefined || options.copy === false
  ) {
    return false;
  }
  const t = options.timeout;
  return t === undefined || (typeof t === "number" && (t >= 0 || t === -1));
}
