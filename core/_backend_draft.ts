// The backend's DRAFT half: the calls of libzmq's DRAFT API (optional symbols of _ffi.ts, absent
// from a build without it): the zmq_poller behind a thread-safe socket's descriptor, groups,
// peers, monitor events of version 2. Re-exported by core/_backend.ts, the boundary's one door.
import { type Pointer, zmq } from "./_ffi.ts";
import { type ErrorContext, zmqError } from "./errors.ts";
import { cString, lastError } from "./_backend_errors.ts";
import { setNonBlocking, wakeDrain } from "./_backend_libc.ts";

/**
 * Whether the library has libzmq's DRAFT API (its symbols are optional in _ffi.ts: a build
 * without DRAFT, such as Debian's libzmq5, lacks them).
 */
export const draftApi: boolean = zmq.zmq_poller_new !== null && zmq.zmq_poller_add !== null &&
  zmq.zmq_poller_fd !== null && zmq.zmq_poller_destroy !== null && zmq.zmq_join !== null &&
  zmq.zmq_leave !== null && zmq.zmq_connect_peer !== null && zmq.zmq_msg_init_buffer !== null &&
  zmq.zmq_msg_set_routing_id !== null && zmq.zmq_msg_routing_id !== null &&
  zmq.zmq_msg_set_group !== null && zmq.zmq_msg_group !== null;

/** Whether zmq_socket_monitor_versioned (monitor events of version 2) exists in this build. */
export const monitorV2Api: boolean = zmq.zmq_socket_monitor_versioned !== null &&
  zmq.zmq_socket_monitor_pipes_stats !== null;

const ZMQ_POLLIN = 1;

/**
 * A zmq_poller holding the thread-safe socket `sock`, and its descriptor (libzmq's signaler:
 * readable when a command reached the socket, until drained with drainSignal). Only for
 * builds with the DRAFT API.
 */
export function pollerOpen(sock: Pointer, context: ErrorContext): { poller: Pointer; fd: number } {
  const poller = zmq.zmq_poller_new!();
  if (poller === null) throw lastError(context);
  const fd = new Int32Array(1);
  if (
    zmq.zmq_poller_add!(poller, sock, null, ZMQ_POLLIN) !== 0 ||
    zmq.zmq_poller_fd!(poller, new Uint8Array(fd.buffer)) !== 0
  ) {
    const error = lastError(context);
    pollerClose(poller);
    throw error;
  }
  // libzmq makes the signaler's descriptor non-blocking; drainSignal must never block on it
  if (!setNonBlocking(fd[0])) {
    pollerClose(poller);
    throw zmqError("EINVAL", "The zmq_poller's descriptor is unusable", context);
  }
  return { poller, fd: fd[0] };
}

/** zmq_poller_destroy: removes the socket's signaler from it and frees the poller. */
export function pollerClose(poller: Pointer): void {
  const cell = new BigUint64Array([BigInt(Deno.UnsafePointer.value(poller))]);
  zmq.zmq_poller_destroy!(new Uint8Array(cell.buffer));
}

/**
 * Empties a poller's signaler: reads until it would block (an eventfd answers its whole count
 * at once). Done before the socket's state is read, a signal after it wakes the next poll.
 */
export function drainSignal(fd: number): void {
  wakeDrain(fd);
}

/** zmq_join / zmq_leave with `group` as a NUL-terminated C string. */
export function groupCall(
  call: "zmq_join" | "zmq_leave",
  sock: Pointer,
  group: Uint8Array<ArrayBuffer>,
  context: ErrorContext,
): void {
  if (zmq[call]!(sock, group) !== 0) throw lastError(context);
}

/** zmq_connect_peer: answers the new peer's routing id. */
export function connectPeer(sock: Pointer, endpoint: string, context: ErrorContext): number {
  const id = zmq.zmq_connect_peer!(sock, cString(endpoint, context));
  if (id === 0) throw lastError(context);
  return id;
}

/**
 * zmq_socket_monitor_versioned: events of version 2 (64-bit event numbers, every value, the
 * local and remote addresses) of `sock`, on a PAIR libzmq binds at `endpoint`.
 */
export function socketMonitorV2(
  sock: Pointer,
  endpoint: string,
  events: bigint,
  context: ErrorContext,
): void {
  const ZMQ_PAIR = 0;
  const rc = zmq.zmq_socket_monitor_versioned!(
    sock,
    cString(endpoint, context),
    events,
    2,
    ZMQ_PAIR,
  );
  if (rc !== 0) throw lastError(context);
}

/**
 * zmq_socket_monitor_pipes_stats: asks every pipe of a socket monitored for PIPES_STATS (v2)
 * to report its queues. Answers false when the socket has no pipe (nothing to report).
 */
export function monitorPipesStats(sock: Pointer, context: ErrorContext): boolean {
  if (zmq.zmq_socket_monitor_pipes_stats!(sock) === 0) return true;
  const error = lastError(context);
  if (error.code === "EAGAIN") return false;
  throw error;
}
