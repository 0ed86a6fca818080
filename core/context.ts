import { ctxGet, ctxNew, ctxSet, ctxTerm, ctxTermAsync, ERRNO } from "./_backend.ts";
import { zmq } from "./_ffi.ts";
import { type ContextInternals, contexts } from "./_registry.ts";
import {
  CONTEXT_OPTIONS,
  type ContextOptionName,
  SOCKET_OPTIONS,
  type SocketType,
} from "./constants.ts";
import {
  contextOption,
  describeValue,
  encodeContextOption,
  encodeOption,
  optionLabel,
} from "./_options.ts";
import { ZmqError } from "./errors.ts";
import { Socket } from "./socket.ts";

/** Options for a new Context. */
export interface ContextOptions {
  /** Number of libzmq I/O threads (default 1). */
  ioThreads?: number;
  /** Maximum number of sockets (libzmq's default is 1023). */
  maxSockets?: number;
  /**
   * LINGER, in ms, for every socket opened on this context, unless a socket sets its own.
   * Default: libzmq's -1 (wait until unsent messages are delivered when the context closes).
   */
  linger?: number;
}

/** Options for closing a Context. */
export interface ContextCloseOptions {
  /** LINGER set on every socket that is still open before it is closed (pyzmq's destroy). */
  linger?: number;
}

let shared: Context | undefined;
/** Set only while Context.adopt runs the constructor for a context made elsewhere. */
let adopting: Deno.PointerObject | null = null;

/**
 * A ZeroMQ context: owns the I/O threads and the sockets made from it. Close it when done;
 * `using ctx = new Context()` does that at the end of the scope.
 *
 * A context can be shared with Web Workers: pass {@linkcode Context.handle} to the Worker and
 * call {@linkcode Context.adopt} there; sockets of both isolates can then talk over
 * `inproc://`.
 *
 * @example
 * ```ts
 * import { Context } from "../mod.ts";
 * using ctx = new Context();
 * using pub = ctx.socket("PUB");
 * pub.bind("inproc://news");
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
   * import { Context } from "../mod.ts";
   * using ctx = new Context({ ioThreads: 2, linger: 0 });
   * ```
   */
  constructor(options: ContextOptions = {}) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new ZmqError(
        "EBADVALUE",
        0,
        `Context options must be an object like { ioThreads, maxSockets, linger }; got ${
          describeValue(options)
        }`,
        { op: "new Context" },
      );
    }
    // check everything before a native context exists
    const set: [string, number][] = [];
    if (options.ioThreads !== undefined) {
      set.push(["IO_THREADS", contextValue("IO_THREADS", "ioThreads", options.ioThreads)]);
    }
    if (options.maxSockets !== undefined) {
      set.push(["MAX_SOCKETS", contextValue("MAX_SOCKETS", "maxSockets", options.maxSockets)]);
    }
    const linger = options.linger === undefined ? undefined : checkLinger(options.linger);
    this.#owner = adopting === null;
    this.#internals = { ptr: adopting ?? ctxNew(), sockets: new Set(), linger };
    contexts.set(this, this.#internals);
    try {
      for (const [name, value] of set) this.setOption(name as ContextOptionName, value);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * One context shared by the whole isolate, created on first use (pyzmq's
   * `Context.instance()`).
   */
  static instance(): Context {
    if (!shared || shared.closed) shared = new Context();
    return shared;
  }

  /**
   * Wraps a context created in another isolate (a Web Worker's parent, say) from its
   * {@linkcode Context.handle}. Closing the adopted object closes only the sockets this isolate
   * opened on it; the creator terminates the context itself.
   *
   * @example
   * ```ts ignore
   * // in the Worker
   * self.onmessage = (e) => {
   *   const ctx = Context.adopt(e.data.context);
   *   const pair = ctx.socket("PAIR");
   *   pair.connect("inproc://parent");
   * };
   * ```
   */
  static adopt(handle: bigint): Context {
    if (typeof handle !== "bigint" || handle <= 0n) {
      throw new ZmqError(
        "EINVAL",
        ERRNO.EINVAL,
        `A context handle is a positive bigint from Context.handle; got ${typeof handle}`,
        { op: "adopt context" },
      );
    }
    const ptr = Deno.UnsafePointer.create(handle);
    // libzmq checks the context's tag: a handle of a terminated context fails here with EFAULT
    if (ptr === null || zmq.zmq_ctx_get(ptr, CONTEXT_OPTIONS.IO_THREADS) < 0) {
      throw new ZmqError("EFAULT", ERRNO.EFAULT, "Not a live context handle", {
        op: "adopt context",
      });
    }
    adopting = ptr;
    try {
      return new Context();
    } finally {
      adopting = null;
    }
  }

  /** A number that identifies this context to {@linkcode Context.adopt} in another isolate. */
  get handle(): bigint {
    const ptr = this.#live("handle");
    return Deno.UnsafePointer.value(ptr) as bigint;
  }

  /** True once the context is closed. */
  get closed(): boolean {
    return this.#internals.ptr === null;
  }

  /**
   * Opens a socket of the given type.
   *
   * @example
   * ```ts
   * import { Context } from "../mod.ts";
   * using ctx = new Context();
   * using sub = ctx.socket("SUB");
   * sub.subscribe("10001");
   * ```
   */
  socket(type: SocketType): Socket {
    return new Socket(this, type);
  }

  /** Sets a context option (`IO_THREADS`, `MAX_SOCKETS`, `IPV6`, `BLOCKY`). */
  setOption(name: ContextOptionName, value: number | boolean): void {
    const ctx = { op: "setOption", option: optionLabel(name, CONTEXT_OPTIONS) };
    const ptr = this.#live("setOption");
    const id = contextOption(name, ctx);
    ctxSet(ptr, id, encodeContextOption(name, value, ctx), ctx);
  }

  /** Reads a context option. */
  getOption(name: ContextOptionName): number {
    const ctx = { op: "getOption", option: optionLabel(name, CONTEXT_OPTIONS) };
    return ctxGet(this.#live("getOption"), contextOption(name, ctx), ctx);
  }

  /** Closes this isolate's open sockets, with `linger` if given; answers the context pointer. */
  #closeSockets(options: ContextCloseOptions): void {
    for (const s of [...this.#internals.sockets]) s.close({ linger: options.linger });
  }

  /**
   * Closes every socket opened here, then terminates the context. This waits (blocking the JS
   * thread) until unsent messages are delivered or their LINGER runs out: pass `linger: 0` to
   * drop them, or use {@linkcode Context.terminate} to wait without blocking. Closing twice is
   * harmless.
   */
  close(options: ContextCloseOptions = {}): void {
    const ptr = this.#internals.ptr;
    if (ptr === null) return;
    checkCloseOptions(options, "close");
    this.#closeSockets(options);
    this.#internals.ptr = null;
    if (this.#owner) ctxTerm(ptr);
  }

  /** Like {@linkcode Context.close}, but waits for lingering messages off the JS thread. */
  async terminate(options: ContextCloseOptions = {}): Promise<void> {
    const ptr = this.#internals.ptr;
    if (ptr === null) return;
    checkCloseOptions(options, "terminate");
    this.#closeSockets(options);
    this.#internals.ptr = null;
    if (this.#owner) await ctxTermAsync(ptr);
  }

  /** Closes the context (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Terminates the context without blocking the JS thread (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  #live(op: string) {
    const ptr = this.#internals.ptr;
    if (ptr === null) throw new ZmqError("ECLOSED", 0, "Context is closed", { op });
    return ptr;
  }
}

/** Checks a constructor option (named `key` in ContextOptions) for context option `name`. */
function contextValue(name: ContextOptionName, key: string, value: unknown): number {
  return encodeContextOption(name, value, { op: "new Context", option: `${name} (${key})` });
}

function checkLinger(value: unknown): number {
  return encodeOption("LINGER", SOCKET_OPTIONS.LINGER, value, {
    op: "new Context",
    option: "LINGER (linger)",
  }) as number;
}

function checkCloseOptions(options: unknown, op: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ZmqError(
      "EBADVALUE",
      0,
      `${op} takes { linger }; got ${describeValue(options)}`,
      { op: `${op} context` },
    );
  }
  const linger = (options as ContextCloseOptions).linger;
  if (linger !== undefined) {
    encodeOption("LINGER", SOCKET_OPTIONS.LINGER, linger, {
      op: `${op} context`,
      option: "LINGER (linger)",
    });
  }
}
