import { ctxGet, ctxNew, ctxSet, ctxTerm, ctxTermAsync, ERRNO } from "./_backend.ts";
import { zmq } from "./_ffi.ts";
import { type ContextInternals, contexts } from "./_registry.ts";
import {
  CONTEXT_OPTIONS,
  type ContextOptionName,
  type SocketType,
  type SocketTypeAlias,
} from "./constants.ts";
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
    this.#owner = adopting === null;
    this.#internals = { ptr: adopting ?? ctxNew(), sockets: new Set() };
    contexts.set(this, this.#internals);
    try {
      if (options.ioThreads !== undefined) this.setOption("IO_THREADS", options.ioThreads);
      if (options.maxSockets !== undefined) this.setOption("MAX_SOCKETS", options.maxSockets);
      if (options.linger !== undefined) {
        checkInt(options.linger, "linger");
        this.#internals.linger = options.linger;
      }
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
  socket(type: SocketType | SocketTypeAlias): Socket {
    return new Socket(this, type);
  }

  /** Sets a context option (`IO_THREADS`, `MAX_SOCKETS`, `IPV6`, `BLOCKY`). */
  setOption(name: ContextOptionName, value: number | boolean): void {
    const ctx = { op: "setOption", option: String(name) };
    const ptr = this.#live("setOption");
    const id = contextOption(name, ctx);
    const v = typeof value === "boolean" ? Number(value) : value;
    checkInt(v, String(name));
    ctxSet(ptr, id, v, ctx);
  }

  /** Reads a context option. */
  getOption(name: ContextOptionName): number {
    const ctx = { op: "getOption", option: String(name) };
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
    this.#closeSockets(options);
    this.#internals.ptr = null;
    if (this.#owner) ctxTerm(ptr);
  }

  /** Like {@linkcode Context.close}, but waits for lingering messages off the JS thread. */
  async terminate(options: ContextCloseOptions = {}): Promise<void> {
    const ptr = this.#internals.ptr;
    if (ptr === null) return;
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

function contextOption(name: string, ctx: { op: string; option: string }): number {
  if (typeof name !== "string" || !Object.hasOwn(CONTEXT_OPTIONS, name)) {
    throw new ZmqError("EUNKNOWNOPTION", 0, `Unknown context option ${JSON.stringify(name)}`, ctx);
  }
  return CONTEXT_OPTIONS[name as ContextOptionName];
}

function checkInt(value: unknown, name: string): void {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ZmqError("EBADVALUE", 0, `${name} must be an integer; got ${String(value)}`, {
      op: "setOption",
      option: name,
    });
  }
}
