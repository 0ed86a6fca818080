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
