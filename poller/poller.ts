import { POLLIN, POLLOUT, Socket } from "../core/mod.ts";
import {
  checkEvents,
  checkOptions,
  checkSignal,
  checkTimeout,
  describeValue,
  startTimer,
} from "../core/_util.ts";
import { badValue, zmqError } from "../core/errors.ts";

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
export class Poller {
  #items = new Map<Socket, number>();

  /**
   * Watches `socket` for `events` (default `POLLIN | POLLOUT`, as in pyzmq). Registering a
   * socket again replaces its events; registering it with `0` unregisters it.
   */
  register(socket: Socket, events: number = POLLIN | POLLOUT): void {
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
   */
  modify(socket: Socket, events: number): void {
    checkSocket(socket, "modify");
    if (!this.#items.has(socket)) {
      throw zmqError("EINVAL", "Socket is not registered with this poller", {
        op: "modify",
        socketType: socket.type,
      });
    }
    this.register(socket, events);
  }

  /** Stops watching `socket`; answers false if it was not registered. */
  unregister(socket: Socket): boolean {
    return this.#items.delete(socket);
  }

  /** The registered sockets and the events each is watched for, in registration order. */
  get sockets(): ReadonlyMap<Socket, number> {
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
  poll(options?: PollOptions): Promise<Map<Socket, number>>;
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
  poll(timeout?: number, signal?: AbortSignal): Promise<Map<Socket, number>>;
  async poll(
    options?: PollOptions | number,
    positionalSignal?: AbortSignal,
  ): Promise<Map<Socket, number>> {
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

function checkSocket(socket: unknown, op: string): asserts socket is Socket {
  if (!(socket instanceof Socket)) {
    throw badValue(`${op}: socket must be a Socket; got ${describeValue(socket)}`, {
      op,
    });
  }
}

/** Reads every item's readiness now (ZMQ_EVENTS); answers the ready ones. */
function readyNow(items: [Socket, number][]): Map<Socket, number> {
  const ready = new Map<Socket, number>();
  for (const [socket, events] of items) {
    const ev = socket.getOption("EVENTS") & events;
    if (ev !== 0) ready.set(socket, ev);
  }
  return ready;
}

/**
 * Waits until one item is ready, `ms` pass (Infinity: forever) or `signal` aborts. One wait per
 * socket, all cancelled through one AbortController as soon as any ends; resolves only once
 * every wait has settled, and rejects with a socket's error (say ECLOSED) if one failed.
 */
async function waitAny(
  items: [Socket, number][],
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
      items.map(([socket, events]) =>
        socket.poll(events, { signal: done.signal }).then((ev) => {
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
