// A Socket's readiness (core/_socket_core.ts holds its state): Socket.poll, and what the
// reactor (core/_reactor.ts) calls on the socket: its ZMQ_EVENTS, the service that does what
// can be done now with the pending operations (core/_pending.ts), and the rejection of one.
import { ERRNO, errno as lastErrno, getsockoptInt } from "./_backend.ts";
import type { Pointer } from "./_backend.ts";
import { FRESH } from "./_reactor.ts";
import { POLLIN } from "./constants.ts";
import { SOCKET_OPTIONS } from "./options.ts";
import { closedError } from "./errors.ts";
import { checkEvents, checkSignal, checkTimeout } from "./_util.ts";
import type { Pending } from "./_pending.ts";
import type { SocketCore } from "./_socket_core.ts";

const ETERM = ERRNO.ETERM;
const ZMQ_EVENTS = SOCKET_OPTIONS.EVENTS.id;

/** Socket.poll, once the event loop's turn allows it. */
export function poll(
  core: SocketCore,
  events: number,
  timeout: number | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  try {
    const context = core.ctx("poll");
    core.live("poll");
    checkSignal(signal, context);
    checkEvents(events, context);
    const ms = checkTimeout(timeout, context);
    signal?.throwIfAborted();
    const ready = readEvents(core, "poll");
    if (ready < 0) throw core.errorFor(-ready, context);
    // Reading ZMQ_EVENTS consumed the fd's edge: operations waiting in the reactor must look
    // again, or a message that arrived just now stays unnoticed.
    core.afterOp();
    if ((ready & events) !== 0) return Promise.resolve(ready & events);
    if (ms === 0) return Promise.resolve(0);
    return core.ops.enqueue<number, "poll">("poll", { mask: events }, ms, signal, context, 0);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Reads ZMQ_EVENTS; -1 on failure. */
export function events(core: SocketCore): number {
  if (core.ptr === null) return -1;
  let ev: number;
  try {
    ev = readEvents(core, "events");
  } catch {
    return -1; // closed by the context's owner: the next service() rejects what waits
  }
  if (ev >= 0) return ev;
  core.fail(-ev, "events");
  return -1;
}

/** ZMQ_EVENTS, read holding the slot; a failure answers minus its errno. */
function readEvents(core: SocketCore, op: string): number {
  const ptr = core.enter(op);
  try {
    const ev = getsockoptInt(ptr, ZMQ_EVENTS);
    return ev >= 0 ? ev : -(lastErrno() || ERRNO.EINVAL);
  } finally {
    core.leave();
  }
}

/** Does what can be done now; answers the events still awaited. */
export function service(core: SocketCore): number {
  if (core.ptr === null) {
    core.ops.rejectAll(core.fatal ?? closedError("Socket was closed", core.ctx("close")));
    return 0;
  }
  if (core.freshWait) {
    core.freshWait = false;
    const ops = core.ops;
    if (
      ops.recv.length === 1 && ops.send.length === 0 && ops.poll.length === 0 &&
      ops.recv[0].cancelled === undefined
    ) return POLLIN | FRESH;
  }
  let ptr: Pointer;
  try {
    ptr = core.enter("service");
  } catch {
    return 0; // closed by the context's owner: SocketCore.#reaped rejected every operation
  }
  try {
    return core.ops.serve(ptr, core.io);
  } finally {
    core.leave();
  }
}

/** Rejects `op` with errno; on ETERM closes the socket. Answers true if the socket died. */
export function settleError(core: SocketCore, op: Pending, err: number, what: string): boolean {
  const error = core.errorFor(err, core.ctx(what));
  op.reject(error);
  if (err === ETERM) {
    core.fail(err, what);
    core.ops.rejectAll(core.fatal!);
    return true;
  }
  return false;
}
