// Plain file descriptors beside the sockets: what pyzmq's Poller does with an fd. A wait on a
// descriptor is one more item of this isolate's reactor (the same poll(2) in flight as the
// sockets), so it costs no thread of its own and a program whose waits are over still exits.
import { pollNow } from "./_backend.ts";
import { FRESH, reactor, type Watched } from "./_reactor.ts";
import { addDeadline, type Deadline, removeDeadline } from "./_timers.ts";
import { checkEvents, checkOptions, checkTimeout, describeValue, NO_OPTIONS } from "./_util.ts";
import { POLLERR, POLLIN, POLLOUT } from "./constants.ts";
import { badValue, type ErrorContext } from "./errors.ts";
import type { OperationOptions } from "./socket.ts";

// poll(2)'s bits, which differ from ZeroMQ's (ZMQ_POLLOUT is 2, poll's POLLOUT is 4)
const SYS_POLLIN = 0x1, SYS_POLLOUT = 0x4;

/** Checks a descriptor: an integer 0 to 2^31 - 1. */
export function checkFd(fd: unknown, context: ErrorContext): number {
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0 || fd > 2 ** 31 - 1) {
    throw badValue(`A file descriptor is an integer 0 or more; got ${describeValue(fd)}`, context);
  }
  return fd;
}

/** ZeroMQ's bits for poll(2)'s answer, as zmq_poll reports a descriptor's. */
function toZmq(revents: number): number {
  return (revents & SYS_POLLIN ? POLLIN : 0) | (revents & SYS_POLLOUT ? POLLOUT : 0) |
    (revents & ~(SYS_POLLIN | SYS_POLLOUT) ? POLLERR : 0);
}

const toSys = (events: number) =>
  (events & POLLIN ? SYS_POLLIN : 0) | (events & POLLOUT ? SYS_POLLOUT : 0);

/**
 * How ready a plain file descriptor is now, without waiting: the subset of `events` (`POLLIN`,
 * `POLLOUT`) it is ready for, plus `POLLERR` (4) for an error, a hang-up or a descriptor that is
 * not open, as `zmq_poll` reports descriptors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fdReadiness, POLLOUT } from "../mod.ts";
 * assert.equal(fdReadiness(1, POLLOUT), 2); // standard output can be written
 * ```
 *
 * @param fd An open file descriptor.
 * @param events `POLLIN`, `POLLOUT` or both.
 * @returns The ready subset, with `POLLERR` for an error or a hang-up.
 * @throws {ZmqError} `EBADVALUE` for a descriptor or mask out of range.
 */
export function fdReadiness(fd: number, events: number): number {
  const context = { op: "fdReadiness" };
  checkFd(fd, context);
  checkEvents(events, context);
  return toZmq(pollNow([fd], [toSys(events)])[0]);
}

/**
 * Waits until a plain file descriptor (a pipe, a TCP socket of another library, a terminal) is
 * ready for `events` and answers what it is ready for, as {@linkcode fdReadiness} does; with a
 * `timeout`, answers 0 if it did not become ready in time. Aborting `signal` rejects with its
 * reason. The wait is part of this isolate's reactor, beside the sockets' waits: it keeps the
 * process alive while it lasts, and nothing once it ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { POLLIN, POLLOUT, waitFd } from "../mod.ts";
 * assert.equal(await waitFd(1, POLLOUT), 2); // standard output takes writes now
 * // standard input: 1 once a line (or the end) is there, 0 if nothing came within 10 ms
 * console.log(await waitFd(0, POLLIN, { timeout: 10 }));
 * ```
 *
 * @param fd An open file descriptor.
 * @param events `POLLIN`, `POLLOUT` or both.
 * @param options `timeout` in ms (then 0 is answered), `signal`.
 * @returns The ready subset, with `POLLERR` for an error or a hang-up; 0 after the timeout.
 * @throws {ZmqError} Rejects with `EBADVALUE` for a descriptor or mask out of range.
 */
export function waitFd(
  fd: number,
  events: number,
  options: OperationOptions = NO_OPTIONS,
): Promise<number> {
  const context = { op: "waitFd" };
  try {
    checkFd(fd, context);
    checkEvents(events, context);
    const opts = checkOptions(options, context);
    const timeout = checkTimeout(opts.timeout, context);
    const ready = toZmq(pollNow([fd], [toSys(events)])[0]);
    if (ready !== 0 || timeout === 0) return Promise.resolve(ready);
    opts.signal?.throwIfAborted();
    return new Promise((resolve, reject) =>
      watchFd(fd, events, timeout, opts.signal, resolve, reject)
    );
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Sets a descriptor waiting in the reactor until it is ready, the deadline passes or `signal`
 * aborts. A wait cancelled while the reactor's poll is in flight settles once that poll came
 * back (as a socket's cancelled wait does), so nothing is left polling when it has settled.
 */
function watchFd(
  fd: number,
  events: number,
  timeout: number,
  signal: AbortSignal | undefined,
  resolve: (events: number) => void,
  reject: (reason: unknown) => void,
): void {
  let done = false;
  let cancelled: (() => void) | undefined;
  let deadline: Deadline | undefined;
  const finish = (settle: () => void) => {
    if (done) return;
    done = true;
    if (deadline !== undefined) removeDeadline(deadline);
    signal?.removeEventListener("abort", onAbort);
    settle();
  };
  const cancel = (settle: () => void) => {
    if (done || cancelled !== undefined) return;
    cancelled = settle;
    if (!reactor.defer(watched)) finish(settle); // else service() settles it, after the poll
  };
  const onAbort = () => cancel(() => reject(signal!.reason));
  const watched: Watched = {
    fd,
    pollEvents: toSys(events),
    service: () => {
      if (done) return 0;
      if (cancelled !== undefined) {
        finish(cancelled);
        return 0;
      }
      const ready = toZmq(pollNow([fd], [toSys(events)])[0]);
      if (ready === 0) return events | FRESH;
      finish(() => resolve(ready));
      return 0;
    },
    events: () => 0, // service() answers FRESH: never asked
    fail: (error) => finish(() => reject(error)),
  };
  if (timeout > 0) deadline = addDeadline(timeout, () => cancel(() => resolve(0)));
  signal?.addEventListener("abort", onAbort, { once: true });
  reactor.watch(watched);
}
