// Opening and closing the native socket behind a Socket. A socket of a context adopted from
// another isolate takes a slot of the context's shared table (core/_shared.ts) for its life, so
// that the owner can close it if this isolate goes away; a socket of the isolate's own context
// needs none. libzmq starts a context with its first socket, which needs free file descriptors.
import {
  canOpenFds,
  ctxGet,
  getsockopt,
  getsockoptInt,
  pollerClose,
  pollerOpen,
  setsockopt,
  socketClose,
  socketNew,
} from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import type { ContextInternals } from "./_registry.ts";
import type { SharedContext, Slot } from "./_shared.ts";
import { CONTEXT_OPTIONS, SOCKET_OPTIONS } from "./options.ts";
import { closedError, type ErrorContext, type ZmqError, zmqError } from "./errors.ts";
import { checkThreadsAtStart } from "./_guards.ts";

/**
 * A native socket just opened, with the descriptor the reactor polls (its ZMQ_FD, or for a
 * thread-safe DRAFT socket, which has none, that of a zmq_poller holding it) and, on an adopted
 * context, its slot.
 */
export interface OpenedSocket {
  ptr: Pointer;
  fd: number;
  /** The zmq_poller of a thread-safe socket, or null. */
  poller: Pointer | null;
  /** The shared state of an adopted context, or null. */
  shared: SharedContext | null;
  /** The socket's slot in `shared`, or null. */
  slot: Slot | null;
}

/** The error of a context its owner (another isolate) closed. */
export function ownerClosedError(context: ErrorContext): ZmqError {
  return closedError("Context was closed by the isolate that created it", context);
}

/**
 * Opens a libzmq socket of `type` (libzmq's number) on the context of `internals`, with the
 * context's LINGER. Throws ECLOSED for a closed context, EMFILE when descriptors or slots are
 * short, or libzmq's error.
 */
export function openNativeSocket(
  internals: ContextInternals,
  type: number,
  context: ErrorContext,
): OpenedSocket {
  if (internals.ptr === null) throw closedError("Context is closed", context);
  if (internals.adopted && !internals.shared!.live) throw ownerClosedError(context);
  let fd = -1;
  let poller: Pointer | null = null;
  const open = (ctx: Pointer) => {
    if (!(internals.shared?.started ?? internals.started)) {
      checkThreadsAtStart(internals, context);
      checkStart(ctx, context);
    }
    const ptr = socketNew(ctx, type, context);
    internals.started = true;
    if (internals.shared) internals.shared.started = true;
    try {
      setsockopt(ptr, SOCKET_OPTIONS.LINGER, internals.linger, context);
      if (getsockoptInt(ptr, SOCKET_OPTIONS.THREAD_SAFE.id) === 1) {
        ({ poller, fd } = pollerOpen(ptr, context));
      } else fd = getsockopt(ptr, SOCKET_OPTIONS.FD, context) as number;
    } catch (e) {
      socketClose(ptr);
      throw e;
    }
    return ptr;
  };
  if (!internals.adopted) {
    const ptr = open(internals.ptr);
    return { ptr, fd, poller, shared: null, slot: null };
  }
  const shared = internals.shared!;
  if (!shared.enter()) throw ownerClosedError(context);
  try {
    const slot = shared.claim();
    if (slot === null) {
      throw zmqError("EMFILE", "Too many sockets on this context", context);
    }
    let ptr: Pointer;
    try {
      ptr = open(shared.pointer);
    } catch (e) {
      shared.free(slot);
      throw e;
    }
    shared.opened(slot, ptr, type);
    return { ptr, fd, poller, shared, slot };
  } finally {
    shared.leave();
  }
}

/**
 * Closes a native socket, and first the zmq_poller of a thread-safe one (it holds the socket).
 * On an adopted context (`slot` given) it is closed only if the context's owner has not closed
 * it already (the poller is then left as it is: destroying it would touch the freed socket);
 * `held`: this isolate holds the slot right now.
 */
export function closeNativeSocket(
  ptr: Pointer,
  shared: SharedContext | null,
  slot: Slot | null,
  held: boolean,
  poller: Pointer | null = null,
): void {
  if (slot === null) {
    if (poller !== null) pollerClose(poller);
    return socketClose(ptr);
  }
  if (held || shared!.acquire(slot)) {
    if (poller !== null) pollerClose(poller);
    socketClose(ptr);
    shared!.free(slot);
  }
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
    throw zmqError(
      "EMFILE",
      `Too few free file descriptors to start the context (${ioThreads} I/O thread(s) need ` +
        `about ${need}; libzmq would abort): close files, lower ioThreads or raise ulimit -n`,
      context,
    );
  }
}
