import {
  ctxGet,
  ctxGetText,
  ctxNew,
  ctxSet,
  ctxSetBytes,
  ctxShutdown,
  ctxTermAsync,
  ctxTermWatched,
  hasCtxExt,
  setsockopt,
  socketClose,
} from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { reactor } from "./_reactor.ts";
import { type ContextInternals, contexts, socketInternals } from "./_registry.ts";
import {
  CONTEXT_OPTIONS,
  type ContextOptionName,
  type ContextOptionResult,
  type ContextOptionValue,
  SOCKET_OPTIONS,
  SOCKET_TYPES,
  type SocketType,
  type SocketTypeAlias,
} from "./constants.ts";
import { contextOptionSpec, encodeContextOption, encodeOption, optionLabel } from "./_options.ts";
import { describeValue } from "./_util.ts";
import { DEFAULT_LINGER_MS, LATE_MS, LingerRecord } from "./_linger.ts";
import { type ContextHandle, SharedContext } from "./_shared.ts";
import { badValue, closedError, type ZmqError, zmqError } from "./errors.ts";
import { checkContextValue } from "./_guards.ts";
import { Socket } from "./socket.ts";
import { DRAFT_SOCKET_TYPES, type DraftSocketType } from "./draft.ts";

export type { ContextHandle } from "./_shared.ts";

/** Options for a new Context. */
export interface ContextOptions {
  /** Number of libzmq I/O threads, 0 to 64 (default 1; 0 is enough for inproc only). */
  ioThreads?: number;
  /** Maximum number of sockets, 1 to 65535 (libzmq's default is 1023). */
  maxSockets?: number;
  /**
   * LINGER, in ms, for every socket opened on this context, unless a socket sets its own: how
   * long closing the context waits for unsent messages. Default 5000. libzmq's own default,
   * -1, waits for ever when a peer never comes; 0 drops what was not sent yet.
   */
  linger?: number;
}

/** Options for closing a Context. */
export interface ContextCloseOptions {
  /**
   * LINGER set on every socket that is still open before it is closed (pyzmq's destroy),
   * including those other isolates opened on this context.
   */
  linger?: number;
}

const SOCKET_TYPE_NAMES = new Map<number, string>(
  [...Object.entries(SOCKET_TYPES), ...Object.entries(DRAFT_SOCKET_TYPES)].map(([k, v]) => [v, k]),
);

/** How long (ms) closing a shared context waits for another isolate's call in progress. */
const GRACE_MS = 1000;

let instance: Context | undefined;
/** Set only while Context.adopt runs the constructor for a context made elsewhere. */
let adopting: SharedContext | null = null;

/**
 * A ZeroMQ context: owns the I/O threads and the sockets made from it. Close it when done;
 * `using ctx = new Context()` does that at the end of the scope.
 *
 * A context can be shared with Web Workers: pass {@linkcode Context.handle} to the Worker and
 * call {@linkcode Context.adopt} there; sockets of both isolates can then talk over
 * `inproc://`. Closing the context here also closes the sockets the Workers left open, so a
 * Worker that was terminated (or never closed its sockets) cannot keep it from ending.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * const ctx = new Context();
 * const pub = ctx.socket("PUB");
 * pub.bind("inproc://context-news");
 * ctx.close(); // closes its sockets too
 * assert.equal(pub.closed, true);
 * assert.throws(() => ctx.socket("SUB"), { code: "ECLOSED" });
 * ```
 */
export class Context implements Disposable, AsyncDisposable {
  #internals: ContextInternals;
  #owner: boolean;

  /**
   * Creates a context.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context({ ioThreads: 2, linger: 0 });
   * assert.equal(ctx.getOption("IO_THREADS"), 2);
   * assert.throws(() => new Context({ ioThreads: -1 }), { code: "EINVAL" }); // out of libzmq's range
   * assert.throws(() => new Context({ linger: "long" as never }), { code: "EBADVALUE" });
   * ```
   *
   * @param options `ioThreads`, `maxSockets`, and `linger` (ms, the sockets' default LINGER).
   * @default {{}} libzmq's defaults, with `linger` 5000 ms (docs/design.md, "Closing and LINGER").
   * @throws {ZmqError} `EINVAL` for a value outside libzmq's range, `EBADVALUE` for a value that
   * is not a number or not an object, before any native context exists.
   */
  constructor(options: ContextOptions = {}) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw badValue(
        `Context options must be an object like { ioThreads, maxSockets, linger }; got ${
          describeValue(options)
        }`,
        { op: "new Context" },
      );
    }
    for (const key of Object.keys(options)) {
      if (!CONTEXT_FIELDS.includes(key)) {
        // a misspelt field (ioThread, lingerMs) would be left out without a word
        throw badValue(
          `Context options have no field ${JSON.stringify(key.slice(0, 40))}; they are ${
            CONTEXT_FIELDS.join(", ")
          }`,
          { op: "new Context" },
        );
      }
    }
    // check everything before a native context exists
    const set: [ContextOptionName, number][] = [];
    if (options.ioThreads !== undefined) {
      set.push(["IO_THREADS", contextValue("IO_THREADS", "ioThreads", options.ioThreads)]);
    }
    if (options.maxSockets !== undefined) {
      set.push(["MAX_SOCKETS", contextValue("MAX_SOCKETS", "maxSockets", options.maxSockets)]);
    }
    const linger = options.linger === undefined ? undefined : checkLinger(options.linger);
    const shared = adopting;
    this.#owner = shared === null;
    this.#internals = {
      ptr: shared !== null ? shared.pointer : ctxNew(),
      sockets: new Set(),
      linger: linger ?? shared?.linger ?? DEFAULT_LINGER_MS,
      shared: shared ?? undefined,
      adopted: shared !== null,
      started: false,
      lingering: new LingerRecord(),
    };
    contexts.set(this, this.#internals);
    try {
      for (const [name, value] of set) this.setOption(name, value);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * One context shared by the whole isolate, created on first use (pyzmq's
   * `Context.instance()`).
   *
   * @returns The isolate's shared context; a new one if the last was closed.
   */
  static instance(): Context {
    if (!instance || instance.closed) instance = new Context();
    return instance;
  }

  /**
   * Wraps a context created in another isolate (a Web Worker's parent, say) from its
   * {@linkcode Context.handle}. Closing the adopted object closes only the sockets this isolate
   * opened on it; the creator terminates the context itself, and closes then whatever sockets
   * this isolate left open (their next use rejects with `ETERM`).
   *
   * Throws a ZmqError: `EINVAL` for what is not a handle, `EFAULT` for a bigint (an address:
   * handles are no longer numbers), `ECLOSED` for the handle of a closed context.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using owner = new Context();
   * using parent = owner.socket("PAIR");
   * parent.bind("inproc://parent");
   * // in a Worker: self.onmessage = (e) => { const ctx = Context.adopt(e.data.context); ... }
   * const message = structuredClone({ context: owner.handle }); // what postMessage delivers
   * using ctx = Context.adopt(message.context);
   * using pair = ctx.socket("PAIR");
   * pair.connect("inproc://parent");
   * await pair.send("hello from the Worker");
   * assert.equal(await parent.recvString(), "hello from the Worker");
   * assert.throws(() => Context.adopt(42 as never), { code: "EINVAL" });
   * ```
   *
   * @param handle A {@linkcode Context.handle}, as posted to this isolate.
   * @returns A context over the same libzmq context; closing it closes only its own sockets.
   * @throws {ZmqError} `EINVAL` for what is not a handle, `EFAULT` for a bigint, `ECLOSED` when
   * the owner closed the context.
   */
  static adopt(handle: ContextHandle): Context {
    adopting = SharedContext.adopt(handle, { op: "adopt context" });
    try {
      return new Context();
    } finally {
      adopting = null;
    }
  }

  /**
   * An opaque, structured-cloneable reference to this context for {@linkcode Context.adopt} in
   * another isolate: post it to a Worker as it is. It stops working when the context closes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using adopted = Context.adopt(ctx.handle); // in a Worker, from a message
   * using pair = adopted.socket("PAIR");
   * pair.bind("inproc://handle-example");
   * using peer = ctx.socket("PAIR"); // the same context: inproc reaches across
   * peer.connect("inproc://handle-example");
   * await peer.send("through the handle");
   * assert.equal(await pair.recvString(), "through the handle");
   * ```
   */
  get handle(): ContextHandle {
    const ptr = this.#live("handle");
    const internals = this.#internals;
    internals.shared ??= SharedContext.create(
      ptr,
      internals.linger,
      internals.started,
    );
    return internals.shared.handle;
  }

  /** True once the context is closed (for an adopted one: also once its owner closed it). */
  get closed(): boolean {
    const internals = this.#internals;
    return internals.ptr === null || (internals.adopted && !internals.shared!.live);
  }

  /**
   * Opens a socket of the given type: one of {@linkcode SOCKET_TYPES}, an old alias, or one of
   * {@linkcode DRAFT_SOCKET_TYPES} where libzmq has the DRAFT API.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * assert.equal(sub.type, "SUB");
   * assert.equal(sub.context, ctx);
   * ```
   *
   * @param type The socket type (`"REQ"`, `"PUB"`, ...; `"XREP"`/`"XREQ"` are accepted).
   * @returns A new socket, closed with the context.
   * @throws {ZmqError} `EINVAL` for an unknown type, `ECLOSED` when the context is closed.
   */
  socket(type: SocketType | SocketTypeAlias | DraftSocketType): Socket {
    return new Socket(this, type);
  }

  /**
   * Sets a context option: `IO_THREADS` 0 to 64, `MAX_SOCKETS` 1 to 65535, `IPV6`, `BLOCKY`,
   * `MAX_MSGSZ`, `ZERO_COPY_RECV`, and the options of the context's threads
   * (`THREAD_SCHED_POLICY`, `THREAD_PRIORITY`, `THREAD_AFFINITY_CPU_ADD` / `_REMOVE`,
   * `THREAD_NAME_PREFIX`), which apply when the threads start, at the first socket, and are
   * refused afterwards. A value outside the range is a ZmqError that says the range; a thread
   * option the kernel would refuse libzmq's threads (libzmq then aborts the process) is refused
   * here, with `EPERM` or `EINVAL`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * ctx.setOption("THREAD_NAME_PREFIX", "app");
   * ctx.setOption("THREAD_AFFINITY_CPU_ADD", 0);
   * ctx.setOption("MAX_MSGSZ", 1 << 20);
   * assert.equal(ctx.getOption("THREAD_NAME_PREFIX"), "app");
   * using push = ctx.socket("PUSH"); // the threads start: named app/ZMQbg/..., on CPU 0
   * ```
   *
   * @param name The option's name (see {@linkcode CONTEXT_OPTIONS}).
   * @param value A number in the option's range, text for `THREAD_NAME_PREFIX`, or a boolean.
   * @throws {ZmqError} `EUNKNOWNOPTION`, `EBADVALUE` for the wrong type, `EINVAL` out of range,
   * `EPERM` for a thread option the kernel would refuse, `ECLOSED` once closed.
   */
  setOption<N extends ContextOptionName>(name: N, value: ContextOptionValue<N>): void {
    const ctx = { op: "setOption", option: optionLabel(name, CONTEXT_OPTIONS) };
    const spec = contextOptionSpec(name, ctx);
    const v = encodeContextOption(name, value, ctx);
    this.#use("setOption", (ptr) => {
      const commit = checkContextValue(this.#internals, name, v, ctx);
      if (typeof v === "number") ctxSet(ptr, spec.id, v, ctx);
      else if (hasCtxExt) ctxSetBytes(ptr, spec.id, v, ctx);
      else {
        throw zmqError(
          "ENOTSUP",
          `This libzmq has no zmq_ctx_set_ext: ${name} takes a number here`,
          ctx,
        );
      }
      commit();
    });
  }

  /**
   * Reads a context option: a number, or text for `THREAD_NAME_PREFIX`. The thread priority
   * and affinity are write-only (libzmq does not read them back): `EWRITEONLY`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * assert.equal(ctx.getOption("IO_THREADS"), 1);
   * assert.equal(ctx.getOption("MSG_T_SIZE"), 64); // the size of a zmq_msg_t
   * ```
   *
   * @param name The option's name.
   * @returns Its value: a number, or text for `THREAD_NAME_PREFIX`.
   * @throws {ZmqError} `EUNKNOWNOPTION`, `EWRITEONLY`, `ECLOSED` once closed.
   */
  getOption<N extends ContextOptionName>(name: N): ContextOptionResult<N> {
    const ctx = { op: "getOption", option: optionLabel(name, CONTEXT_OPTIONS) };
    const spec = contextOptionSpec(name, ctx);
    if (!spec.get) {
      throw zmqError("EWRITEONLY", `Context option ${name} is write-only`, ctx);
    }
    return this.#use(
      "getOption",
      (ptr) =>
        spec.kind === "string" && hasCtxExt
          ? ctxGetText(ptr, spec.id, 16, ctx)
          : spec.kind === "string"
          ? String(ctxGet(ptr, spec.id, ctx))
          : ctxGet(ptr, spec.id, ctx),
    ) as ContextOptionResult<N>;
  }

  /** Runs `call` with the context pointer, as a user of a shared context if adopted. */
  #use<T>(op: string, call: (ptr: Pointer) => T): T {
    const ptr = this.#live(op);
    const shared = this.#internals.shared;
    if (!this.#internals.adopted || shared === undefined) return call(ptr);
    if (!shared.enter()) throw ownerClosed(op);
    try {
      return call(ptr);
    } finally {
      shared.leave();
    }
  }

  /** One promise per socket of this isolate that a proxy holds: each settles once given back. */
  #held(): Promise<void>[] {
    const held: Promise<void>[] = [];
    for (const s of this.#internals.sockets) {
      const released = socketInternals.get(s)?.whenReleased();
      if (released) held.push(released);
    }
    return held;
  }

  /** Closes this isolate's open sockets, with `linger` if given. */
  #closeSockets(options: ContextCloseOptions): void {
    for (const s of [...this.#internals.sockets]) s.close({ linger: options.linger });
  }

  /**
   * For the owner of a context with a handle: no more adopts or sockets from other isolates,
   * wake theirs (ETERM), and close the sockets they left open. Answers the types of those.
   */
  #reapOthers(ptr: Pointer, linger: number | undefined): string[] {
    const shared = this.#internals.shared;
    if (!this.#owner || shared === undefined) return [];
    shared.beginClose(GRACE_MS);
    ctxShutdown(ptr); // their pending calls return ETERM: live isolates close their sockets
    const types: string[] = [];
    shared.reap((sock, type) => {
      types.push(SOCKET_TYPE_NAMES.get(type) ?? `type ${type}`);
      if (linger !== undefined) {
        try {
          setsockopt(sock, SOCKET_OPTIONS.LINGER, linger, { op: "close context" });
        } catch {
          // the socket is closed next whatever its LINGER
        }
      }
      socketClose(sock);
    }, GRACE_MS);
    return types;
  }

  /**
   * Closes every socket opened here (and those other isolates left open on this context), then
   * terminates the context. This waits, blocking the JS thread, until unsent messages are
   * delivered or their LINGER (5000 ms by default) runs out: pass `linger: 0` to drop them, or
   * use {@linkcode Context.terminate} to wait without blocking. A wait of more than 3 s prints
   * once (on stderr) which sockets may hold unsent messages. Closing twice is harmless.
   * Throws a ZmqError of code `EBUSY`, closing nothing, while a proxy holds sockets of the
   * context: stop it first, or use {@linkcode Context.terminate}, which ends it.
   *
   * @param options `linger` in ms for every socket still open (0 drops unsent messages).
   * @default {{}} each socket's own LINGER.
   * @throws {ZmqError} `EBUSY` while a proxy holds sockets of the context, `EBADVALUE` for
   * malformed options.
   */
  close(options: ContextCloseOptions = {}): void {
    const ptr = this.#internals.ptr;
    if (ptr === null) return;
    checkCloseOptions(options, "close");
    // before anything is closed: a context is closed whole or not at all
    if (this.#held().length > 0) throw proxyHolds("close");
    this.#closeSockets(options);
    this.#internals.ptr = null;
    if (!this.#owner) return;
    const foreign = this.#reapOthers(ptr, options.linger);
    ctxTermWatched(ptr, LATE_MS, () => {
      console.error(this.#internals.lingering.report(LATE_MS, foreign));
    });
  }

  /**
   * Like {@linkcode Context.close}, but waits for lingering messages off the JS thread; also
   * prints once which sockets hold it up when that takes more than 3 s. A proxy running on
   * the context's sockets is ended first (libzmq's proxy returns ETERM, so its `done` rejects
   * with `EPROXY`); on a context adopted from another isolate that rejects with `EBUSY`.
   *
   * @param options `linger` in ms for every socket still open.
   * @default {{}} each socket's own LINGER.
   * @throws {ZmqError} Rejects with `EBADVALUE` for malformed options, `EBUSY` under a proxy on
   * an adopted context.
   */
  async terminate(options: ContextCloseOptions = {}): Promise<void> {
    const ptr = this.#internals.ptr;
    if (ptr === null) return;
    checkCloseOptions(options, "terminate");
    const held = this.#held();
    if (held.length > 0) {
      // a proxy's thread uses these sockets: closing them from here would race with it. Shut
      // the context down (libzmq's proxy then returns ETERM), and wait until they are given
      // back. Another isolate's context is not this isolate's to shut down.
      if (!this.#owner) throw proxyHolds("terminate");
      ctxShutdown(ptr);
      await Promise.all(held);
      if (this.#internals.ptr === null) return; // closed meanwhile
    }
    this.#closeSockets(options);
    this.#internals.ptr = null;
    if (!this.#owner) return await reactor.whenWoken();
    const foreign = this.#reapOthers(ptr, options.linger);
    const late = setTimeout(() => {
      console.error(this.#internals.lingering.report(LATE_MS, foreign));
    }, LATE_MS);
    try {
      await ctxTermAsync(ptr);
    } finally {
      clearTimeout(late);
    }
    await reactor.whenWoken(); // the loop settles the closed sockets' operations first
  }

  /** Closes the context (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Terminates the context without blocking the JS thread (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  #live(op: string): Pointer {
    const internals = this.#internals;
    if (internals.ptr === null) throw closedError("Context is closed", { op });
    if (internals.adopted && !internals.shared!.live) throw ownerClosed(op);
    return internals.ptr;
  }
}

function proxyHolds(op: string): ZmqError {
  const hint = op === "close"
    ? "stop it first, or use terminate(), which ends it"
    : "stop it first (a context adopted from another isolate cannot shut it down)";
  return zmqError("EBUSY", `A proxy holds sockets of this context: ${hint}`, {
    op: `${op} context`,
  });
}

/** The fields of ContextOptions. */
const CONTEXT_FIELDS: readonly string[] = ["ioThreads", "maxSockets", "linger"];

function ownerClosed(op: string): ZmqError {
  return closedError("Context was closed by the isolate that created it", { op });
}

/** Checks a constructor option (named `key` in ContextOptions) for context option `name`. */
function contextValue(name: ContextOptionName, key: string, value: unknown): number {
  return encodeContextOption(name, value, {
    op: "new Context",
    option: `${name} (${key})`,
  }) as number;
}

function checkLinger(value: unknown): number {
  return encodeOption("LINGER", SOCKET_OPTIONS.LINGER, value, {
    op: "new Context",
    option: "LINGER (linger)",
  }) as number;
}

function checkCloseOptions(options: unknown, op: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw badValue(`${op} takes { linger }; got ${describeValue(options)}`, {
      op: `${op} context`,
    });
  }
  const linger = (options as ContextCloseOptions).linger;
  if (linger !== undefined) {
    encodeOption("LINGER", SOCKET_OPTIONS.LINGER, linger, {
      op: `${op} context`,
      option: "LINGER (linger)",
    });
  }
}
