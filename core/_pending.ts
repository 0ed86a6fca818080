// The operations a socket could not complete at once: its pending sends, receives and polls, in
// call order, each with its deadline (on the shared timer of core/_timers.ts) and its abort
// signal. The reactor drains them (serve) when the socket becomes ready; a deadline or an abort
// cancels one, except a multipart send already half out, which must finish first.
import type { Pointer } from "./_backend.ts";
import { FRESH, reactor, type Watched } from "./_reactor.ts";
import { addDeadline, type Deadline, removeDeadline } from "./_timers.ts";
import { ERRNO, POLLIN, POLLOUT } from "./constants.ts";
import { type ErrorContext, timeoutError } from "./errors.ts";
import { BatchReceive } from "./_batch.ts";
import type { MessageAddress } from "./_draft.ts";
import type { RecvKind } from "./_socket_core.ts";

/** How a cancelled operation ends: a timed-out poll answers 0, anything else rejects. */
type Outcome = { ok: true; value: unknown } | { ok: false; reason: unknown };

/** What every pending operation has: its promise's settlers and how it was cancelled. */
export interface Pending {
  resolve(value: never): void;
  reject(reason: unknown): void;
  cancelled?: Outcome;
  cleanup?: () => void;
}

/** A pending receive of one frame, of a whole multipart message, of a Message, or of a batch. */
export interface RecvOp extends Pending {
  kind: RecvKind;
  frames: Uint8Array[];
}

/** A pending send: its frames, and how many of them went out already. */
export interface SendOp extends Pending {
  frames: Uint8Array[];
  index: number;
  /** `copy: false`: zero-copy frames go out by sharing their messages (core/zero_copy.ts). */
  shared?: boolean;
  /** Where a DRAFT socket's message goes (a routing id or a group), if it is addressed. */
  address?: MessageAddress;
}

/** A pending poll for the events of `mask`. */
export interface PollOp extends Pending {
  mask: number;
}

/** The three queues by name. */
export type QueueName = "send" | "recv" | "poll";

const EAGAIN = ERRNO.EAGAIN;

type OpOf<Q extends QueueName> = Q extends "send" ? SendOp : Q extends "recv" ? RecvOp : PollOp;

/** The socket's side of serving the queues: its zmq_* calls and what a failure does to it. */
export interface QueueIO {
  /** Sends the rest of `op`'s frames; answers 0 when done, else the errno. */
  send(ptr: Pointer, op: SendOp): number;
  /** Receives a frame or a whole message into `frames`; answers 0 when done, else the errno. */
  recv(ptr: Pointer, kind: RecvKind, frames: Uint8Array[]): number;
  /** Reads ZMQ_EVENTS; answers minus the errno on failure. */
  events(ptr: Pointer): number;
  /** A message of the queue went out. */
  sent(): void;
  /**
   * Rejects `op` with errno `err`; answers true if that ended the socket (ETERM: every other
   * operation was rejected too, serving stops).
   */
  failed(op: Pending, err: number, what: string): boolean;
  /** Reading ZMQ_EVENTS failed with `err`: the socket is finished, reject everything. */
  broken(err: number): void;
}

function settle(op: Pending, outcome: Outcome): void {
  op.cleanup?.();
  if (outcome.ok) op.resolve(outcome.value as never);
  else op.reject(outcome.reason);
}

/** What a receive that succeeded answers: its frame, its message or its batch. */
function received(op: RecvOp): unknown {
  const kind = op.kind;
  if (kind === "frame" || kind === "sharedFrame") return op.frames[0];
  return kind instanceof BatchReceive ? kind.messages : op.frames;
}

/** True for a send whose first frames went out: the rest must follow, whatever happens. */
function halfSent(op: Pending): boolean {
  return "index" in op && (op as SendOp).index > 0;
}

/** Settles and removes the cancelled operations of a queue (a half-sent message must finish). */
function purge(q: Pending[]): void {
  for (let i = q.length - 1; i >= 0; i--) {
    const op = q[i];
    if (op.cancelled === undefined || halfSent(op)) continue;
    q.splice(i, 1);
    settle(op, op.cancelled);
  }
}

/** The pending operations of one socket. */
export class PendingOps {
  /** Sends, in call order. */
  send: SendOp[] = [];
  /** Receives, in call order. */
  recv: RecvOp[] = [];
  /** Polls, in call order. */
  poll: PollOp[] = [];
  #watcher: Watched;

  /** `watcher` is what the reactor sees of the socket these operations belong to. */
  constructor(watcher: Watched) {
    this.#watcher = watcher;
  }

  /** True if any operation is pending. */
  get any(): boolean {
    return this.send.length > 0 || this.recv.length > 0 || this.poll.length > 0;
  }

  /**
   * Queues an operation for the reactor with its timeout and abort signal.
   * `timeoutValue`, when given, resolves the op with that value on timeout instead of rejecting.
   */
  enqueue<T, Q extends QueueName>(
    queue: Q,
    fields: Omit<OpOf<Q>, keyof Pending> & Pick<Partial<Pending>, "cleanup">,
    timeout: number,
    signal: AbortSignal | undefined,
    context: ErrorContext,
    timeoutValue?: unknown,
  ): Promise<T> {
    // timeout 0 means "do not wait": behind other pending operations it cannot succeed now
    if (timeout === 0) {
      fields.cleanup?.();
      return timeoutValue !== undefined
        ? Promise.resolve(timeoutValue as T)
        : Promise.reject(timeoutError(0, context));
    }
    return new Promise<T>((resolve, reject) => {
      const op = fields as unknown as OpOf<Q>; // a fresh object from the caller
      op.resolve = resolve;
      op.reject = reject;
      const own = op.cleanup; // the caller's (a zero-copy send's pins), run with the queue's
      let deadline: Deadline | undefined;
      if (timeout > 0) {
        deadline = addDeadline(timeout, () => {
          // a poll that times out answers "nothing ready"; a send or recv rejects
          this.#cancel(
            op,
            queue,
            timeoutValue !== undefined
              ? { ok: true, value: timeoutValue }
              : { ok: false, reason: timeoutError(timeout, context) },
          );
        });
      }
      if (signal !== undefined) {
        const onAbort = () => this.#cancel(op, queue, { ok: false, reason: signal.reason });
        signal.addEventListener("abort", onAbort, { once: true });
        op.cleanup = () => {
          own?.();
          if (deadline !== undefined) removeDeadline(deadline);
          signal.removeEventListener("abort", onAbort);
        };
      } else if (deadline !== undefined) {
        const d = deadline;
        op.cleanup = own === undefined ? () => removeDeadline(d) : () => {
          own();
          removeDeadline(d);
        };
      }
      (this[queue] as Pending[]).push(op);
      reactor.watch(this.#watcher);
    });
  }

  #cancel(op: Pending, queue: QueueName, outcome: Outcome): void {
    if (op.cancelled !== undefined) return;
    op.cancelled = outcome;
    if (reactor.defer(this.#watcher)) return; // the loop settles it once its poll has returned
    const q: Pending[] = this[queue];
    const i = q.indexOf(op);
    if (i < 0 || halfSent(op)) return;
    q.splice(i, 1);
    settle(op, outcome);
  }

  /** Settles the operations that were cancelled while the reactor's poll was in flight. */
  purgeCancelled(): void {
    if (this.send.length > 0) purge(this.send);
    if (this.recv.length > 0) purge(this.recv);
    if (this.poll.length > 0) purge(this.poll);
  }

  /**
   * Does what can be done now, in order: sends, then receives, then polls. Answers the events
   * still awaited for the reactor (0: nothing waits), with FRESH set if the last libzmq call
   * showed them not ready.
   */
  serve(ptr: Pointer, io: QueueIO): number {
    this.purgeCancelled();
    let want = 0;
    while (this.send.length > 0) {
      const op = this.send[0];
      const err = io.send(ptr, op);
      if (err === EAGAIN) {
        want |= POLLOUT;
        break;
      }
      this.send.shift();
      op.cleanup?.();
      if (err === 0) {
        io.sent();
        op.resolve(undefined as never);
      } else if (io.failed(op, err, "send")) return 0;
    }
    while (this.recv.length > 0) {
      const op = this.recv[0];
      const err = io.recv(ptr, op.kind, op.frames);
      if (err === EAGAIN) {
        want |= POLLIN;
        break;
      }
      this.recv.shift();
      op.cleanup?.();
      if (err === 0) op.resolve(received(op) as never);
      else if (io.failed(op, err, "recv")) return 0;
    }
    if (this.poll.length > 0) {
      const ready = io.events(ptr);
      if (ready < 0) {
        io.broken(-ready);
        return 0;
      }
      this.poll = this.poll.filter((op) => {
        if ((ready & op.mask) === 0) {
          want |= op.mask;
          return true;
        }
        op.cleanup?.();
        op.resolve((ready & op.mask) as never);
        return false;
      });
      return want === 0 ? 0 : want | FRESH; // the last call read ZMQ_EVENTS itself
    }
    // A failed recv was the last call: it processed libzmq's commands just as reading
    // ZMQ_EVENTS would, so the reactor may poll without reading it again.
    return want === POLLIN ? want | FRESH : want;
  }

  /**
   * The reactor cannot serve these operations now: they reject with `error`, except a
   * multipart send already half out, which must finish first (it stays queued and goes on when
   * the next operation makes the reactor wait again).
   */
  failPending(error: unknown): void {
    const started = this.send.filter(halfSent);
    const rest: Pending[] = [
      ...this.send.filter((op) => !halfSent(op)),
      ...this.recv,
      ...this.poll,
    ];
    this.send = started;
    this.recv = [];
    this.poll = [];
    for (const op of rest) {
      op.cleanup?.();
      op.reject(error);
    }
  }

  /** Rejects every pending operation with `error` (the socket is closed). */
  rejectAll(error: unknown): void {
    const all: Pending[] = [...this.send, ...this.recv, ...this.poll];
    this.send = [];
    this.recv = [];
    this.poll = [];
    for (const op of all) {
      op.cleanup?.();
      op.reject(error);
    }
  }
}
