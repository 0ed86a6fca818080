import { ProxyLease } from "../core/proxy_lease.ts";
import { Service } from "../core/service.ts";
import type { Socket } from "../core/socket.ts";
import { badValue, closedError, zmqError } from "../core/errors.ts";

/** Options for {@linkcode SteerableProxy}. */
export interface ProxyOptions {
  /** A socket (usually PUB) that receives a copy of every frame passing either way. */
  capture?: Socket;
}

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

  /** Sends a command and waits for the proxy's answer to a STATISTICS sent right after. */
  async #statistics(): Promise<Uint8Array[]> {
    await this.#steer.send("STATISTICS");
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
      if (reply.length === 8) return reply;
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

  #serial<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#state === "terminated" && op !== "terminate" && op !== "statistics") {
        throw closedError("Proxy was terminated", { op: `proxy ${op}` });
      }
      return fn();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * Stops forwarding: messages wait in the sockets' queues until {@linkcode SteerableProxy.resume}.
   * Resolves once the proxy has stopped. Pausing a paused proxy does nothing.
   */
  pause(): Promise<void> {
    return this.#serial("pause", async () => {
      if (this.#state !== "running") return;
      await this.#stopRun();
      this.#state = "paused";
    });
  }

  /** Starts forwarding again after {@linkcode SteerableProxy.pause}. Resuming a running proxy does nothing. */
  resume(): Promise<void> {
    return this.#serial("resume", () => {
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
   * proxy's last count and its stop.
   */
  statistics(): Promise<ProxyStatistics> {
    return this.#serial("statistics", async () => {
      if (this.#state !== "running") return copy(this.#totals);
      const total = copy(this.#totals);
      add(total, await this.#statistics());
      return total;
    });
  }

  /** Ends libzmq's proxy run and gives the sockets back (the {@linkcode Service} contract). */
  protected override async onStop(): Promise<void> {
    await this.#serial("terminate", async () => {
      if (this.#state === "terminated") return;
      if (this.#state === "running") await this.#stopRun();
      this.#end();
    }).catch(() => {}); // a failure ended it already, and is done's to report
  }

  /**
   * Stops the proxy for good, then reports how it ended.
   *
   * @deprecated Use {@linkcode SteerableProxy.stop} (which never rejects) and
   * {@linkcode SteerableProxy.done} (which rejects if libzmq's proxy failed).
   *
   * @returns A promise that resolves once libzmq's proxy call has returned and the sockets are
   * usable again; it rejects if libzmq's proxy failed.
   *
   * @example
   * ```ts
   * import { Context, SteerableProxy } from "../mod.ts";
   * using ctx = new Context();
   * using pull = ctx.socket("PULL");
   * using push = ctx.socket("PUSH");
   * pull.bind("inproc://terminate-doc-in");
   * push.bind("inproc://terminate-doc-out");
   * const proxy = new SteerableProxy(pull, push);
   * await proxy.stop(); // was: await proxy.terminate()
   * await proxy.done;
   * ```
   */
  async terminate(): Promise<void> {
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
