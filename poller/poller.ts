import { fdReadiness, POLLIN, POLLOUT, Socket, waitFd, ZmqError } from "../core/mod.ts";
import { checkEvents, checkTimeout } from "./_check.ts";

/** What a {@linkcode Poller} watches: a socket, or a plain file descriptor (a number). */
export type Pollable = Socket | number;

/**
 * Waits on several sockets at once: pyzmq's `zmq.Poller`. Register sockets with the events
 * they should be watched for (`POLLIN`, `POLLOUT` or both), then `await poller.poll(timeout)`
 * answers a `Map` from each ready socket to its ready events. Plain file descriptors (numbers:
 * a pipe, another library's TCP socket) can be registered beside the sockets, as in pyzmq, on
 * a `Poller<Pollable>` (`Poller` alone takes sockets: its answer's keys are sockets); they are
 * answered with `POLLIN`, `POLLOUT` and `POLLERR` (a hang-up or error), as `zmq_poll` answers
 * them.
 *
 * It is built on the sockets' own readiness checks (one reactor per isolate, a single
 * `poll(2)` in flight for every waiting socket): no busy loop and no thread per socket.
 * Readiness is read from `ZMQ_EVENTS` first, so a message that was already queued before
 * `poll()` is reported at once.
 *
 * @example
 * ```ts
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
 * const socks = await poller.poll(1000);
 * if (socks.get(commands) === POLLIN) {
 *   console.log(await commands.recvString()); // "Exit"
 * }
 * console.log(socks.has(news)); // false
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
   * import { Context, type Pollable, POLLIN, Poller } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * const poller = new Poller<Pollable>(); // sockets and descriptors (default: sockets)
   * poller.register(pull, POLLIN);
   * poller.register(0, POLLIN); // standard input, beside the socket
   * console.log(poller.sockets.size); // 2
   * ```
   */
  register(socket: T, events: number = POLLIN | POLLOUT): void {
    checkSocket(socket, "register");
    if (events === 0) {
      this.#items.delete(socket);
      return;
    }
    this.#items.set(socket, checkEvents(events, "register"));
  }

  /**
   * Changes the events a registered socket is watched for. Throws a ZmqError of code
   * `"EINVAL"` if the socket was not registered.
   */
  modify(socket: T, events: number): void {
    checkSocket(socket, "modify");
    if (!this.#items.has(socket)) {
      throw new ZmqError(
        "EINVAL",
        0,
        `${describeItem(socket)} is not registered with this poller`,
        {
          op: "modify",
          socketType: typeof socket === "number" ? undefined : socket.type,
        },
      );
    }
    this.register(socket, events);
  }

  /** Stops watching `socket` (or a file descriptor); answers false if it was not registered. */
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
   * `timeout` is in milliseconds: `0` answers at once, `-1`, `Infinity` or nothing waits
   * forever. When the timeout passes with nothing ready, the map is empty. Aborting `signal`
   * rejects with its reason. A registered socket that is (or gets) closed rejects with a
   * ZmqError of code `"ECLOSED"`.
   *
   * Every wait started for this call has ended when the promise settles: nothing stays
   * pending behind it.
   *
   * @example
   * ```ts
   * import { Context, POLLOUT, Poller } from "../mod.ts";
   * using ctx = new Context();
   * using push = ctx.socket("PUSH");
   * push.bind("inproc://nobody");
   * const poller = new Poller();
   * poller.register(push, POLLOUT);
   * console.log((await poller.poll(10)).size); // 0: no peer, so nothing can be sent
   * ```
   */
  async poll(timeout?: number, signal?: AbortSignal): Promise<Map<T, number>> {
    const ms = checkTimeout(timeout, "poll");
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new ZmqError("EBADVALUE", 0, "poll: signal must be an AbortSignal", { op: "poll" });
    }
    signal?.throwIfAborted();
    const deadline = ms < 0 ? Infinity : performance.now() + ms;
    for (;;) {
      const items = [...this.#items];
      const ready = readyNow(items);
      if (ready.size > 0) return ready;
      const remaining = deadline - performance.now();
      if (ms === 0 || remaining <= 0) return ready;
      if (items.length === 0 && remaining === Infinity && signal === undefined) {
        throw new ZmqError(
          "EINVAL",
          0,
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
  if (socket instanceof Socket) return;
  if (typeof socket === "number" && Number.isInteger(socket) && socket >= 0 && socket < 2 ** 31) {
    return;
  }
  throw new ZmqError(
    "EBADVALUE",
    0,
    `${op}: takes a Socket or a file descriptor (an integer 0 or more); got ${
      typeof socket === "number" ? socket : describe(socket)
    }`,
    { op },
  );
}

function describeItem(item: Pollable): string {
  return typeof item === "number" ? `File descriptor ${item}` : "Socket";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return Object.prototype.toString.call(value);
  return typeof value;
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (ms !== Infinity) timer = setTimeout(finish, Math.max(1, Math.ceil(ms)));
  try {
    if (items.length === 0) {
      await new Promise<void>((resolve) => done.signal.addEventListener("abort", () => resolve()));
      return;
    }
    const results = await Promise.allSettled(
      items.map(([item, events]) =>
        (typeof item === "number"
          ? waitFd(item, events, { signal: done.signal })
          : item.poll(events, -1, done.signal)).then((ev) => {
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
    clearTimeout(timer);
    signal?.removeEventListener("abort", finish);
  }
}
