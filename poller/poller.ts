import { fdReadiness, POLLIN, POLLOUT, Socket, waitFd } from "../core/mod.ts";
import {
  checkEvents,
  checkOptions,
  checkSignal,
  checkTimeout,
  describeValue,
  isSocket,
  startTimer,
} from "../core/_util.ts";
import { badValue, zmqError } from "../core/errors.ts";

/** What a {@linkcode Poller} watches: a socket, or a plain file descriptor (a number). */
export type Pollable = Socket | number;

/** Options of {@linkcode Poller.poll}: the `{ timeout, signal }` of a socket's send and recv. */
export interface PollOptions {
  /**
   * Milliseconds to wait: `0` answers at once; `-1` or `Infinity` waits forever. When it
   * passes with nothing ready, the answer is an empty map.
   *
   * @default {Infinity}
   */
  timeout?: number;
  /** Rejects the wait with the signal's reason when aborted. */
  signal?: AbortSignal;
}

/**
 * Waits on several sockets at once: pyzmq's `zmq.Poller`. Register sockets with the events
 * they should be watched for (`POLLIN`, `POLLOUT` or both), then
 * `await poller.poll({ timeout })` answers a `Map` from each ready socket to its ready events.
 * Plain file descriptors (numbers: a pipe, another library's TCP socket) can be registered
 * beside the sockets, as in pyzmq, on a `Poller<Pollable>` (`Poller` alone takes sockets: its
 * answer's keys are sockets); they are answered with `POLLIN`, `POLLOUT` and `POLLERR` (a
 * hang-up or error), as `zmq_poll` answers them.
 *
 * It is built on the sockets' own readiness checks (one reactor per isolate, a single
 * `poll(2)` in flight for every waiting socket): no busy loop and no thread per socket.
 * Readiness is read from `ZMQ_EVENTS` first, so a message that was already queued before
 * `poll()` is reported at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, POLLIN, Poller } from "../mod.ts";
 * using ctx = new Context();
 * using commands = ctx.socket("PULL");
 * using news = ctx.socket("SUB");
 * using push = ctx.socket("PUSH");
 * commands.bind("inproc://poller-example");
 * push.connect("inproc://poller-example");
 * news.subscribe("9");
 *
 * const poller = new Poller();
 * poller.register(commands, POLLIN);
 * poller.register(news, POLLIN);
 * await push.send("Exit");
 * const socks = await poller.poll({ timeout: 1000 });
 * assert.equal(socks.get(commands), POLLIN);
 * assert.equal(await commands.recvString(), "Exit");
 * assert.equal(socks.has(news), false); // nothing published: absent from the answer
 * ```
 */
export class Poller<T extends Pollable = Socket> {
  #items = new Map<T, number>();

  /**
   * Watches `socket` (or a file descriptor) for `events` (default `POLLIN | POLLOUT`, as in
   * pyzmq). Registering it again replaces its events; registering it with `0` unregisters it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, type Pollable, POLLIN, Poller } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * const poller = new Poller<Pollable>(); // sockets and descriptors (default: sockets)
   * poller.register(pull, POLLIN);
   * poller.register(0, POLLIN); // standard input, beside the socket
   * assert.equal(poller.sockets.size, 2);
   * ```
   *
   * @param socket The socket (or file descriptor) to watch.
   * @param events `POLLIN`, `POLLOUT` or both; 0 unregisters.
   * @default {POLLIN | POLLOUT}
   * @throws {ZmqError} `EBADVALUE` for what is not a Socket (or descriptor) or a mask out of range.
   */
  register(socket: T, events: number = POLLIN | POLLOUT): void {
    checkSocket(socket, "register");
    if (events === 0) {
      this.#items.delete(socket);
      return;
    }
    this.#items.set(socket, checkEvents(events, { op: "register" }));
  }

  /**
   * Changes the events a registered socket is watched for. Throws a ZmqError of code
   * `"EINVAL"` if the socket was not registered.
   *
   * @param socket A registered socket.
   * @param events The new mask (0 unregisters).
   * @throws {ZmqError} `EINVAL` for a socket that is not registered, `EBADVALUE` for a bad mask.
   */
  modify(socket: T, events: number): void {
    checkSocket(socket, "modify");
    if (!this.#items.has(socket)) {
      throw zmqError("EINVAL", `${describeItem(socket)} is not registered with this poller`, {
        op: "modify",
        socketType: typeof socket === "number" ? undefined : socket.type,
      });
    }
    this.register(socket, events);
  }

  /**
   * Stops watching `socket` (or a file descriptor); answers false if it was not registered.
   *
   * @param socket The socket or descriptor to stop watching.
   * @returns Whether it was registered.
   */
  unregister(socket: T): boolean {
    return this.#items.delete(socket);
  }

  /** The registered sockets (and descriptors), with the events each is watched for, in order. */
  get sockets(): ReadonlyMap<T, number> {
    return new Map(this.#items);
  }

  /**
   * Waits until at least one registered socket is ready for its events, and answers every
   * ready socket with the events it is ready for (a subset of those registered), in
   * registration order. Sockets that are not ready are absent from the map.
   *
   * Every wait started for this call has ended when the promise settles: nothing stays
   * pending behind it.
   *
   * @param options `timeout` in ms (`0` answers at once, none waits forever) and a `signal`
   * that rejects the wait with its reason.
   * @returns The ready sockets and their ready events; empty once the timeout passed.
   * @throws {ZmqError} Rejects with `EBADVALUE` for a timeout or signal out of range, `EINVAL`
   * when nothing is registered and it would wait forever, `ECLOSED` when a registered socket
   * is (or gets) closed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, POLLOUT, Poller } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * push.bind("inproc://nobody");
   * const poller = new Poller();
   * poller.register(push, POLLOUT);
   * assert.equal((await poller.poll({ timeout: 10 })).size, 0); // no peer: nothing can be sent
   * ```
   */
  poll(options?: PollOptions): Promise<Map<T, number>>;
  /**
   * The positional shape of {@linkcode Poller.poll}: `poll(timeout, signal)`.
   *
   * @deprecated Use `poll({ timeout, signal })`, the shape of a socket's `send` and `recv`.
   *
   * @param timeout Milliseconds, `-1` for none.
   * @param signal Rejects the wait with its reason.
   * @returns The ready sockets and their ready events.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Poller } from "../mod.ts";
   * const poller = new Poller();
   * assert.equal((await poller.poll({ timeout: 0 })).size, 0); // was: poller.poll(0)
   * ```
   */
  poll(timeout?: number, signal?: AbortSignal): Promise<Map<T, number>>;
  async poll(
    options?: PollOptions | number,
    positionalSignal?: AbortSignal,
  ): Promise<Map<T, number>> {
    const { timeout, signal } = typeof options === "object" && options !== null
      ? checkOptions(options, { op: "poll" })
      : { timeout: options, signal: positionalSignal };
    const ms = checkTimeout(timeout, { op: "poll" });
    checkSignal(signal, { op: "poll" });
    signal?.throwIfAborted();
    const deadline = ms < 0 ? Infinity : performance.now() + ms;
    for (;;) {
      const items = [...this.#items];
      const ready = readyNow(items);
      if (ready.size > 0) return ready;
      const remaining = deadline - performance.now();
      if (ms === 0 || remaining <= 0) return ready;
      if (items.length === 0 && remaining === Infinity && signal === undefined) {
        throw zmqError(
          "EINVAL",
          "Nothing is registered and there is no timeout or signal: poll would wait forever",
          { op: "poll" },
        );
      }
      await waitAny(items, remaining, signal);
      signal?.throwIfAborted();
    }
  }
}

function checkSocket(socket: unknown, op: string): asserts socket is Pollable {
  if (socket instanceof Socket && isSocket(socket)) return;
  if (typeof socket === "number" && Number.isInteger(socket) && socket >= 0 && socket < 2 ** 31) {
    return;
  }
  throw badValue(
    `${op}: takes a Socket or a file descriptor (an integer 0 or more); got ${
      describeValue(socket)
    }`,
    { op },
  );
}

function describeItem(item: Pollable): string {
  return typeof item === "number" ? `File descriptor ${item}` : "Socket";
}

/** Reads every item's readiness now (ZMQ_EVENTS, or poll(2) for a descriptor). */
function readyNow<T extends Pollable>(items: [T, number][]): Map<T, number> {
  const ready = new Map<T, number>();
  for (const [item, events] of items) {
    const ev = typeof item === "number"
      ? fdReadiness(item, events)
      : item.getOption("EVENTS") & events;
    if (ev !== 0) ready.set(item, ev);
  }
  return ready;
}

/**
 * Waits until one item is ready, `ms` pass (Infinity: forever) or `signal` aborts. One wait per
 * socket, all cancelled through one AbortController as soon as any ends; resolves only once
 * every wait has settled, and rejects with a socket's error (say ECLOSED) if one failed.
 */
async function waitAny(
  items: [Pollable, number][],
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const done = new AbortController();
  const finish = () => done.abort();
  signal?.addEventListener("abort", finish, { once: true });
  const cancelTimer = startTimer(ms === Infinity ? -1 : Math.max(1, Math.ceil(ms)), finish);
  try {
    if (items.length === 0) {
      await new Promise<void>((resolve) => done.signal.addEventListener("abort", () => resolve()));
      return;
    }
    const results = await Promise.allSettled(
      items.map(([item, events]) =>
        (typeof item === "number"
          ? waitFd(item, events, { signal: done.signal })
          : item.poll(events, { signal: done.signal })).then((ev) => {
            if (ev !== 0) finish();
          }, (error) => {
            finish();
            throw error;
          })
      ),
    );
    for (const r of results) {
      if (r.status === "rejected" && r.reason !== done.signal.reason) throw r.reason;
    }
  } finally {
    cancelTimer();
    signal?.removeEventListener("abort", finish);
  }
}
