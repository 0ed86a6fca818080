// Private links between a Context and its Sockets, kept out of their public surface.
import type { Pointer } from "./_ffi.ts";

/** What a Socket needs from its Context. */
export interface ContextInternals {
  /** The zmq context pointer, or null once the context is closed. */
  ptr: Pointer | null;
  /** Sockets of this isolate opened on the context and not yet closed. */
  sockets: Set<{ close(options?: { linger?: number }): void }>;
  /** LINGER given to new sockets, if the context sets one. */
  linger?: number;
}

/** Context object → its internals. */
export const contexts: WeakMap<object, ContextInternals> = new WeakMap();

/** Socket object → its live zmq socket pointer (null once closed), for core/monitor.ts. */
export const socketPointers: WeakMap<object, () => Pointer | null> = new WeakMap();

/** What core/proxy.ts needs from a Socket: its pointer, handed over for the proxy's run. */
export interface SocketInternals {
  /**
   * Hands the socket's pointer to `owner` (a proxy running on another thread). Until
   * `release()`, every use of the socket from JS throws a ZmqError of code `EBUSY`. Throws if
   * the socket is closed, already handed over, or has operations pending.
   */
  lease(owner: string): Pointer;
  /** Gives the socket back to JS. */
  release(): void;
}

/** Socket object → its internals. */
export const socketInternals: WeakMap<object, SocketInternals> = new WeakMap();
