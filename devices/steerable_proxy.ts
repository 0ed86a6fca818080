import { ProxyLease } from "../core/proxy_lease.ts";
import { Service } from "../core/service.ts";
import type { Socket } from "../core/socket.ts";
import { badValue, closedError, zmqError } from "../core/errors.ts";
import { checkTimeout, startTimer } from "../core/_util.ts";

/** Options for {@linkcode SteerableProxy}. */
export interface ProxyOptions {
  /** A socket (usually PUB) that receives a copy of every frame passing either way. */
  capture?: Socket;
  /**
   * How long `pause`, `resume`, `statistics` and `terminate` wait, in ms, unless given their own
   * `timeout` (default 5000; -1 or Infinity: for ever). libzmq's proxy reads its commands only
   * between bursts of forwarding, and sends every message of a burst with a blocking send: while
   * the queue it sends to is full (its high-water mark reached) and nobody reads it, the proxy
   * answers nothing. A command that waits longer rejects with a ZmqError of code `EAGAIN`; it
   * still takes effect once that queue drains, and later commands run after it.
   */
  commandTimeout?: number;
}

/** Options for one command of a {@linkcode SteerableProxy}. */
export interface ProxyCommandOptions {
  /** Milliseconds to wait (see {@linkcode ProxyOptions.commandTimeout}); -1: for ever. */
  timeout?: number;
}

const DEFAULT_COMMAND_TIMEOUT = 5000;

/**
 * What passed through one side of a proxy, as libzmq counts it. The libzmq inside npm:zeromq
 * 6.8.0 counts every frame as a message (a 3-frame request counts 3); libzmq 4.3.4 (Debian's
 * libzmq5) counts whole messages. Bytes are the sum of the frames' sizes in both.
 */
export interface SideStatistics {
  /** Messages (or frames, see above) received on this socket. */
  messagesIn: number;
  /** Bytes received on this socket. */
  bytesIn: number;
  /** Messages (or frames, see above) sent on this socket. */
  messagesOut: number;
  /** Bytes sent on this socket. */
  bytesOut: number;
}

/** Counts from libzmq's `STATISTICS` command, summed over every run of the proxy. */
export interface ProxyStatistics {
  /** The frontend socket's counts. */
  frontend: SideStatistics;
  /** The backend socket's counts. */
  backend: SideStatistics;
}

/** Where a {@linkcode SteerableProxy} is in its life. */
export type ProxyState = "running" | "paused" | "terminated";

let controls = 0;

function zero(): ProxyStatistics {
  const side = () => ({ messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 });
  return { frontend: side(), backend: side() };
}

function add(total: ProxyStatistics, frames: Uint8Array[]): void {
  const v = frames.map((f) =>
    Number(new DataView(f.buffer, f.byteOffset, 8).getBigUint64(0, true))
  );
  const sides = [total.frontend, total.backend];
  sides.forEach((s, i) => {
    s.messagesIn += v[i * 4];
    s.bytesIn += v[i * 4 + 1];
    s.messagesOut += v[i * 4 + 2];
    s.bytesOut += v[i * 4 + 3];
  });
}

function copy(s: ProxyStatistics): ProxyStatistics {
  return { frontend: { ...s.frontend }, backend: { ...s.backend } };
}

/**
 * libzmq's proxy between a frontend and a backend socket, running on Deno's thread pool so the
 * JS thread stays free, steered from JS: {@linkcode SteerableProxy.pause},
 * {@linkcode SteerableProxy.resume}, {@linkcode SteerableProxy.statistics}.
 *
 * A {@linkcode Service}: it runs once constructed (`start()` answers at once), `stop()` ends it
 * and resolves once libzmq's proxy call has returned, `done` settles then (or rejects if
 * libzmq's proxy failed), `await using` stops it.
 *
 * The proxy owns its sockets until it is stopped: using one from JS meanwhile (even `close`)
 * throws a ZmqError of code `EBUSY`. Stop the proxy before closing its context.
 *
 * Pausing stops the libzmq proxy loop (messages wait in the sockets' queues) and resuming
 * starts it again: the libzmq inside npm:zeromq 6.8.0 acknowledges a `PAUSE` command but keeps
 * forwarding, so this class does not rely on it.
 *
 * Commands wait at most `commandTimeout` (5 s by default) and then reject with a ZmqError of
 * code `EAGAIN`: libzmq's proxy sends with blocking sends, so while the queue it forwards to is
 * full and nobody reads it, it reads no command (a command that timed out still takes effect
 * once that queue drains; the sockets stay the proxy's until then, and a context cannot be
 * closed under a proxy that still holds its sockets).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, SteerableProxy } from "../mod.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("ROUTER");
 * using backend = ctx.socket("DEALER");
 * frontend.bind("inproc://proxy-doc-front");
 * backend.bind("inproc://proxy-doc-back");
 * const proxy = new SteerableProxy(frontend, backend);
 * await proxy.pause();
 * assert.equal(proxy.state, "paused");
 * await proxy.resume();
 * assert.equal((await proxy.statistics()).frontend.messagesIn, 0);
 * await proxy.stop();
 * assert.equal(proxy.state, "terminated");
 * frontend.close(); // the sockets are JS's again
 * ```
 */
export class SteerableProxy extends Service {
  #lease: ProxyLease;
  #control: Socket;
  #steer: Socket;
  #run: Promise<void> | null = null;
  #state: ProxyState = "running";
  #totals = zero();
  #queue: Promise<unknown> = Promise.resolve();
  #failure: unknown = undefined;
  #commandTimeout: number;
  /** A STATISTICS sent whose answer was not read yet (its command timed out): read it first. */
  #asked = false;

  /**
   * Starts proxying between `frontend` and `backend` at once.
   *
   * @param frontend The socket clients talk to (ROUTER, SUB, PULL, ...).
   * @param backend The socket servers talk to (DEALER, PUB, PUSH, ...).
   * @param options A capture socket, if any.
   * @throws {ZmqError} `EBADVALUE` for a missing frontend or backend, `EINVAL` for a frontend
   * that is its backend or a capture socket that cannot send, `EBUSY` for a socket already held
   * by a proxy or with operations pending, `ECLOSED` for a closed one.
   */
  constructor(frontend: Socket, backend: Socket, options: ProxyOptions = {}) {
    super("SteerableProxy");
    if (frontend === null || typeof frontend !== "object" || !("context" in frontend)) {
      throw badValue("SteerableProxy: frontend must be a Socket", {
        op: "start proxy",
      });
    }
    if (typeof options !== "object" || options === null) {
      throw badValue("SteerableProxy: options must be an object", {
        op: "start proxy",
      });
    }
    this.#commandTimeout = checkTimeout(options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT, {
      op: "start proxy",
      option: "commandTimeout",
    });
    const ctx = frontend.context;
    const endpoint = `inproc://zmq-deno-proxy-control-${++controls}-${crypto.randomUUID()}`;
    const control = ctx.socket("PAIR");
    const steer = ctx.socket("PAIR");
    try {
      control.setOption("LINGER", 0);
      steer.setOption("LINGER", 0);
      control.bind(endpoint);
      steer.connect(endpoint);
      this.#lease = new ProxyLease(frontend, backend, { capture: options.capture, control });
    } catch (error) {
      control.close();
      steer.close();
      throw error;
    }
    this.#control = control;
    this.#steer = steer;
    this.#start();
    this.markStarted();
  }

  /** `"running"`, `"paused"` or `"terminated"`. */
  get state(): ProxyState {
    return this.#state;
  }

  #start(): void {
    const run = this.#lease.run();
    this.#run = run;
    run.catch((error) => {
      // libzmq's proxy failed on its own (not after our TERMINATE): end everything
      if (this.#run === run) this.#end(error);
    });
  }

  /**
   * Asks libzmq's proxy for its counts and waits for them; a STATISTICS left unanswered by a
   * command that timed out is not asked again: its answer is the one awaited.
   */
  async #statistics(): Promise<Uint8Array[]> {
    if (!this.#asked) {
      await this.#steer.send("STATISTICS");
      this.#asked = true;
    }
    // Some libzmq builds answer every command with an empty frame: skip those.
    for (;;) {
      const reply = await Promise.race([
        this.#steer.recvMultipart(),
        this.#run!.then(() => {
          throw zmqError("EPROXY", "Proxy ended while a command was pending", {
            op: "proxy statistics",
          });
        }),
      ]);
      if (reply.length === 8) {
        this.#asked = false;
        return reply;
      }
    }
  }

  /** Stops the current libzmq run after taking its counts. */
  async #stopRun(): Promise<void> {
    add(this.#totals, await this.#statistics());
    const run = this.#run!;
    this.#run = null;
    await this.#steer.send("TERMINATE");
    await run;
    // drop any acknowledgements left on the control pair
    while (await this.#steer.poll(1, { timeout: 0 })) await this.#steer.recvMultipart();
  }

  /**
   * Runs the commands one after the other. Each caller waits at most `timeout` (the command
   * goes on after that: libzmq's proxy gets to it once the queue it blocks on drains).
   */
  #serial<T>(
    op: string,
    options: ProxyCommandOptions,
    fn: () => Promise<T>,
  ): Promise<T> {
    let timeout: number;
    try {
      if (typeof options !== "object" || options === null) {
        throw badValue(`proxy ${op} takes { timeout }`, { op: `proxy ${op}` });
      }
      timeout = checkTimeout(options.timeout ?? this.#commandTimeout, { op: `proxy ${op}` });
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.#queue.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#state === "terminated" && op !== "terminate" && op !== "statistics") {
        throw closedError("Proxy was terminated", { op: `proxy ${op}` });
      }
      return fn();
    });
    this.#queue = next.catch(() => {});
    return timeout < 0 ? next : bounded(next, timeout, op);
  }

  /**
   * Stops forwarding: messages wait in the sockets' queues until {@linkcode SteerableProxy.resume}.
   * Resolves once the proxy has stopped. Pausing a paused proxy does nothing. Rejects with
   * `EAGAIN` after `options.timeout` ms (see {@linkcode ProxyOptions.commandTimeout}).
   *
   * @param options `timeout` in ms for the command (-1: for ever).
   * @default {{}} the proxy's `commandTimeout` (5000 ms).
   * @throws {ZmqError} Rejects with `EAGAIN` once the timeout passed, `ECLOSED` once stopped.
   */
  pause(options: ProxyCommandOptions = {}): Promise<void> {
    return this.#serial("pause", options, async () => {
      if (this.#state !== "running") return;
      await this.#stopRun();
      this.#state = "paused";
    });
  }

  /**
   * Starts forwarding again after {@linkcode SteerableProxy.pause}. Resuming a running proxy does
   * nothing. Waits for the commands before it, at most `options.timeout` ms.
   *
   * @param options `timeout` in ms for the command (-1: for ever).
   * @default {{}} the proxy's `commandTimeout` (5000 ms).
   * @throws {ZmqError} Rejects with `EAGAIN` once the timeout passed, `ECLOSED` once stopped.
   */
  resume(options: ProxyCommandOptions = {}): Promise<void> {
    return this.#serial("resume", options, () => {
      if (this.#state === "paused") {
        this.#state = "running";
        this.#start();
      }
      return Promise.resolve();
    });
  }

  /**
   * Frames and bytes that passed each socket so far (libzmq's `STATISTICS`, summed over
   * pauses). Counts taken across a pause may miss messages forwarded in the instant between the
   * proxy's last count and its stop. Rejects with `EAGAIN` after `options.timeout` ms.
   *
   * @param options `timeout` in ms for the command (-1: for ever).
   * @default {{}} the proxy's `commandTimeout` (5000 ms).
   * @returns Messages and bytes in and out of the frontend and the backend.
   * @throws {ZmqError} Rejects with `EAGAIN` once the timeout passed.
   */
  statistics(options: ProxyCommandOptions = {}): Promise<ProxyStatistics> {
    return this.#serial("statistics", options, async () => {
      if (this.#state !== "running") return copy(this.#totals);
      const total = copy(this.#totals);
      add(total, await this.#statistics());
      return total;
    });
  }

  /** Ends libzmq's proxy run and gives the sockets back (the {@linkcode Service} contract). */
  protected override async onStop(): Promise<void> {
    // a failure ended it already, and is done's to report; a command that timed out still
    // takes effect once libzmq's proxy reads it, and done settles then
    await this.#terminate({}).catch(() => {});
  }

  #terminate(options: ProxyCommandOptions): Promise<void> {
    return this.#serial("terminate", options, async () => {
      if (this.#state === "terminated") return;
      if (this.#state === "running") await this.#stopRun();
      this.#end();
    });
  }

  /**
   * Stops the proxy for good, then reports how it ended.
   *
   * @deprecated Use {@linkcode SteerableProxy.stop} (which never rejects) and
   * {@linkcode SteerableProxy.done} (which rejects if libzmq's proxy failed).
   *
   * @param options `timeout`: reject with `EAGAIN` after this many ms (the command goes on).
   * @default {5000} `options.timeout` (the proxy's `commandTimeout`)
   * @returns A promise that resolves once libzmq's proxy call has returned and the sockets are
   * usable again; it rejects if libzmq's proxy failed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, SteerableProxy } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * using push = ctx.socket("PUSH");
   * pull.bind("inproc://terminate-doc-in");
   * push.bind("inproc://terminate-doc-out");
   * const proxy = new SteerableProxy(pull, push);
   * await proxy.stop(); // was: await proxy.terminate()
   * await proxy.done;
   * assert.equal(proxy.running, false);
   * assert.equal(pull.closed, false); // the sockets are the caller's again
   * ```
   */
  async terminate(options: ProxyCommandOptions = {}): Promise<void> {
    await this.#terminate(options);
    await this.stop();
    await this.done;
  }

  #end(error?: unknown): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    this.#run = null;
    this.#lease.release();
    this.#control.close();
    this.#steer.close();
    if (error === undefined) {
      this.ended();
    } else {
      this.#failure = error;
      this.ended(error);
    }
  }
}

/** `command`, or an EAGAIN naming the proxy's blocked send once `ms` passed first. */
function bounded<T>(command: Promise<T>, ms: number, op: string): Promise<T> {
  let cancel = () => {};
  const late = new Promise<never>((_, reject) => {
    cancel = startTimer(ms, () =>
      reject(
        zmqError(
          "EAGAIN",
          `Proxy did not answer ${op} within ${ms} ms: libzmq's proxy blocks in a send while ` +
            "the queue it forwards to is full and nobody reads it, and reads no command " +
            "meanwhile; the command takes effect once that queue drains",
          { op: `proxy ${op}` },
        ),
      ));
  });
  return Promise.race([command, late]).finally(() => cancel());
}

/**
 * Starts a {@linkcode SteerableProxy} between `frontend` and `backend` (pyzmq's `zmq.proxy`, but
 * steerable and not blocking the caller).
 *
 * @param frontend The socket clients talk to.
 * @param backend The socket servers talk to.
 * @param options A capture socket, if any.
 * @returns The running proxy.
 * @throws {ZmqError} As the {@linkcode SteerableProxy} constructor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, startProxy } from "../mod.ts";
 * using ctx = new Context();
 * using pull = ctx.socket("PULL");
 * using push = ctx.socket("PUSH");
 * using producer = ctx.socket("PUSH");
 * using worker = ctx.socket("PULL");
 * pull.bind("inproc://start-proxy-in");
 * push.bind("inproc://start-proxy-out");
 * producer.connect("inproc://start-proxy-in");
 * worker.connect("inproc://start-proxy-out");
 * await using proxy = startProxy(pull, push);
 * await producer.send("task");
 * assert.equal(await worker.recvString({ timeout: 5000 }), "task"); // through libzmq's proxy
 * ```
 */
export function startProxy(
  frontend: Socket,
  backend: Socket,
  options: ProxyOptions = {},
): SteerableProxy {
  return new SteerableProxy(frontend, backend, options);
}
