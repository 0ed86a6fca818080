import { ProxyLease } from "../core/proxy_lease.ts";
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
 * JS thread stays free, steered from JS: {@linkcode SteerableProxy.pause}, {@linkcode SteerableProxy.resume},
 * {@linkcode SteerableProxy.statistics}, {@linkcode SteerableProxy.terminate}.
 *
 * The proxy owns its sockets until it is terminated: using one from JS meanwhile (even
 * `close`) throws a ZmqError of code `EBUSY`. Terminate the proxy before closing its context.
 *
 * Pausing stops the libzmq proxy loop (messages wait in the sockets' queues) and resuming
 * starts it again: the libzmq inside npm:zeromq 6.8.0 acknowledges a `PAUSE` command but keeps
 * forwarding, so this class does not rely on it.
 *
 * @example
 * ```ts
 * import { Context, SteerableProxy } from "../mod.ts";
 * using ctx = new Context();
 * using frontend = ctx.socket("ROUTER");
 * using backend = ctx.socket("DEALER");
 * frontend.bind("inproc://proxy-doc-front");
 * backend.bind("inproc://proxy-doc-back");
 * const proxy = new SteerableProxy(frontend, backend);
 * await proxy.pause();
 * await proxy.resume();
 * console.log((await proxy.statistics()).frontend.messagesIn); // 0
 * await proxy.terminate();
 * ```
 */
export class SteerableProxy implements AsyncDisposable {
  /** Resolves once the proxy is terminated; rejects if libzmq's proxy failed. */
  readonly done: Promise<void>;
  #lease: ProxyLease;
  #control: Socket;
  #steer: Socket;
  #run: Promise<void> | null = null;
  #state: ProxyState = "running";
  #totals = zero();
  #queue: Promise<unknown> = Promise.resolve();
  #finish!: (error?: unknown) => void;
  #failure: unknown = undefined;

  /**
   * Starts proxying between `frontend` and `backend` at once. Throws a ZmqError: `EBADVALUE`
   * for a missing frontend (the backend is checked by {@linkcode ProxyLease}), `EBUSY` for a
   * socket already held by a proxy or with operations pending, `ECLOSED` for a closed one.
   */
  constructor(frontend: Socket, backend: Socket, options: ProxyOptions = {}) {
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
    this.done = new Promise<void>((resolve, reject) => {
      this.#finish = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.done.catch(() => {}); // a failure is also reported by the next command
    this.#start();
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
    while (await this.#steer.poll(1, 0)) await this.#steer.recvMultipart();
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

  /**
   * Stops the proxy for good: resolves once libzmq's proxy call has returned and the sockets
   * are usable (and closable) again. Terminating twice is harmless.
   */
  terminate(): Promise<void> {
    return this.#serial("terminate", async () => {
      if (this.#state === "terminated") return;
      if (this.#state === "running") await this.#stopRun();
      this.#end();
    });
  }

  #end(error?: unknown): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    this.#run = null;
    this.#lease.release();
    this.#control.close();
    this.#steer.close();
    if (error !== undefined) this.#failure = error;
    this.#finish(error);
  }

  /** Terminates the proxy (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }
}

/**
 * Starts a {@linkcode SteerableProxy} between `frontend` and `backend` (pyzmq's `zmq.proxy`, but
 * steerable and not blocking the caller).
 *
 * @example
 * ```ts
 * import { Context, startProxy } from "../mod.ts";
 * using ctx = new Context();
 * using pull = ctx.socket("PULL");
 * using push = ctx.socket("PUSH");
 * pull.bind("inproc://start-proxy-in");
 * push.bind("inproc://start-proxy-out");
 * const proxy = startProxy(pull, push);
 * await proxy.terminate();
 * ```
 */
export function startProxy(
  frontend: Socket,
  backend: Socket,
  options: ProxyOptions = {},
): SteerableProxy {
  return new SteerableProxy(frontend, backend, options);
}
