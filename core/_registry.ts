// Private links between a Context and its Sockets, kept out of their public surface.
//
// The library's one way for a class to reach another's private state: a WeakMap from the object
// to a record of what may be reached, set by the object's own constructor and exported only to
// the modules that need it (here, core's; poller/stream.ts's `loops` and core/monitor.ts's
// `feeds` do the same inside their modules). No `static {}` bridges, no `_`-prefixed public
// methods, no symbols. See docs/design.md, "Layers".
import type { Pointer } from "./_backend.ts";
import type { LingerRecord } from "./_linger.ts";
import type { SharedContext } from "./_shared.ts";

/** What a Context sees of its open sockets: it closes those still open when it closes. */
export interface OpenSocket {
  close(options?: { linger?: number }): void;
}

/** What a Socket needs from its Context. */
export interface ContextInternals {
  /** The zmq context pointer, or null once the context is closed. */
  ptr: Pointer | null;
  /** Sockets of this isolate opened on the context and not yet closed. */
  sockets: Set<OpenSocket>;
  /** LINGER given to new sockets. */
  linger: number;
  /**
   * The state shared with other isolates: set once the owner handed out `ctx.handle`, and
   * on every adopted context.
   */
  shared?: SharedContext;
  /** True for a context adopted from another isolate: its sockets hold slots in `shared`. */
  adopted: boolean;
  /** Whether libzmq has started the context (its first socket was opened), for own contexts. */
  started: boolean;
  /** Closed sockets of this isolate that may still hold unsent messages. */
  lingering: LingerRecord;
}

/** Context object → its internals. */
export const contexts: WeakMap<object, ContextInternals> = new WeakMap();

/**
 * Socket object → a way to use its live zmq socket pointer (null once closed) for one call,
 * for core/monitor.ts. Throws a ZmqError when the socket cannot be used now.
 */
export const socketPointers: WeakMap<object, <T>(use: (ptr: Pointer | null) => T) => T> =
  new WeakMap();

/** What core/proxy_lease.ts needs from a Socket: its pointer, handed over for the proxy's run. */
export interface SocketInternals {
  /**
   * Hands the socket's pointer to `owner` (a proxy running on another thread). Until
   * `release()`, every use of the socket from JS throws a ZmqError of code `EBUSY`. Throws if
   * the socket is closed, already handed over, or has operations pending.
   */
  lease(owner: string): Pointer;
  /** Gives the socket back to JS. */
  release(): void;
  /** While the socket is handed over: a promise that resolves once it is given back. */
  whenReleased(): Promise<void> | null;
}

/** Socket object → its internals. */
export const socketInternals: WeakMap<object, SocketInternals> = new WeakMap();
