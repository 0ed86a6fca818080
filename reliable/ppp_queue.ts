import type { Context } from "../core/context.ts";
import { POLLIN } from "../core/constants.ts";
import { ZmqError } from "../core/errors.ts";
import { Service } from "../core/service.ts";
import type { Socket } from "../core/socket.ts";
import { Poller } from "../poller/poller.ts";
import { checkEndpoints, checkInteger } from "../core/_util.ts";
import { idKey, splitEnvelope } from "./_frames.ts";
import { runUntilStopped, ServingLoop } from "./_run.ts";
import { sendNow } from "./_router.ts";
import { Liveness } from "./heartbeat.ts";
import { parseFromWorker, PPP_HEARTBEAT } from "./ppp.ts";

/** Options of a {@linkcode ParanoidPirateQueue}. */
export interface ParanoidPirateQueueOptions {
  /** Where clients connect (a ROUTER), e.g. `tcp://*:5555`. */
  frontend: string | string[];
  /** Where workers connect (a ROUTER), e.g. `tcp://*:5556`. */
  backend: string | string[];
  /** Heartbeat interval agreed with the workers, in ms. Default 1000 (the zguide's). */
  heartbeatInterval?: number;
  /** Silent intervals after which a worker is dead. Default 3. */
  liveness?: number;
  /**
   * How many times one request is handed to a worker: a request held by a worker that dies
   * goes to another one, up to this many deliveries in all. Default 3; `1` never redelivers.
   */
  maxDeliveries?: number;
  /**
   * Called for each event worth logging. It runs inside the service's loop: keep it quick, and do
   * not throw from it (an exception ends the service, and `done` rejects with it).
   */
  onEvent?: (event: QueueEvent) => void;
}

/** Something that happened in a {@linkcode ParanoidPirateQueue}. */
export type QueueEvent =
  | { type: "worker-ready"; worker: string }
  | { type: "worker-expired"; worker: string }
  | { type: "redelivered"; worker: string }
  | { type: "dropped"; peer: string; reason: string };

/** Counters of a {@linkcode ParanoidPirateQueue} since it started. */
export interface QueueStats {
  /** Requests taken from clients. */
  requests: number;
  /** Replies passed back to clients. */
  replies: number;
  /** Requests given to another worker after theirs died. */
  redelivered: number;
  /** Requests dropped after `maxDeliveries` deliveries. */
  abandoned: number;
  /** Workers removed because they stopped heartbeating. */
  expiredWorkers: number;
  /** Messages dropped: invalid, out of turn, or for a peer that is gone. */
  dropped: number;
}

interface Job {
  frames: Uint8Array[];
  deliveries: number;
}

interface QueueWorker {
  id: Uint8Array;
  key: string;
  liveness: Liveness;
  holding: Job | null;
}

const BATCH = 64;

/**
 * A Paranoid Pirate queue (ZeroMQ RFC 6, the zguide's `ppqueue`): clients (REQ, e.g.
 * {@linkcode LazyPirateClient}) connect to the frontend ROUTER, workers (PPP, e.g.
 * {@linkcode ParanoidPirateWorker}) to the backend ROUTER.
 *
 * A worker that said READY gets requests one at a time, longest idle first; the queue
 * heartbeats every worker and forgets one that has been silent for `liveness` intervals. It
 * reads from clients only while a worker is free, so requests wait in the clients' sockets,
 * not here. A request held by a worker that dies goes to another one (up to `maxDeliveries`):
 * requests may run twice, each client still gets one reply, since replies from forgotten
 * workers are dropped.
 *
 * A {@linkcode Service}: the constructor binds both sockets, `start()` starts serving (and
 * resolves at once), `stop()` stops serving and closes the sockets, `done` settles then (or
 * rejects if the loop failed), `await using` stops it; `run(signal)` is `start()`, then
 * `done`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, LazyPirateClient, ParanoidPirateQueue, ParanoidPirateWorker } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * await using queue = await new ParanoidPirateQueue(ctx, {
 *   frontend: "inproc://ppq-front",
 *   backend: "inproc://ppq-back",
 * }).start();
 * await using _worker = await new ParanoidPirateWorker(ctx, "inproc://ppq-back")
 *   .start((request) => request);
 * using client = new LazyPirateClient(ctx, "inproc://ppq-front");
 * assert.equal(await client.requestString("Hello"), "Hello");
 * assert.equal(queue.stats.replies, 1);
 * ```
 */
export class ParanoidPirateQueue extends Service {
  /** The heartbeat interval in ms. */
  readonly heartbeatInterval: number;
  /** Silent intervals after which a worker is dead. */
  readonly liveness: number;
  /** Counters since the queue started. */
  readonly stats: QueueStats = {
    requests: 0,
    replies: 0,
    redelivered: 0,
    abandoned: 0,
    expiredWorkers: 0,
    dropped: 0,
  };
  /** The frontend's last bound endpoint as libzmq reported it (with the port for `:*`). */
  readonly frontendEndpoint: string = "";
  /** The backend's last bound endpoint as libzmq reported it. */
  readonly backendEndpoint: string = "";
  #frontend: Socket;
  #backend: Socket;
  #maxDeliveries: number;
  #onEvent?: (event: QueueEvent) => void;
  #workers = new Map<string, QueueWorker>();
  /** Idle workers, longest idle first. */
  #idle: QueueWorker[] = [];
  /** Requests taken back from dead workers, served before new ones. */
  #again: Job[] = [];
  #loop = new ServingLoop();

  /**
   * Opens and binds both ROUTER sockets. Throws a ZmqError for bad options or endpoints.
   *
   * @param context The context for the two ROUTER sockets.
   * @param options The `frontend` (clients) and `backend` (workers) endpoints, the heartbeat.
   * @throws {ZmqError} `EBADVALUE` for bad options, the bind's error for an endpoint in use.
   */
  constructor(context: Context, options: ParanoidPirateQueueOptions) {
    super("ParanoidPirateQueue");
    const op = "ParanoidPirateQueue";
    const front = checkEndpoints(options?.frontend, "frontend", op);
    const back = checkEndpoints(options.backend, "backend", op);
    this.heartbeatInterval = checkInteger(
      options.heartbeatInterval ?? 1000,
      "heartbeatInterval",
      op,
      1,
    );
    this.liveness = checkInteger(options.liveness ?? 3, "liveness", op, 1, 1000);
    this.#maxDeliveries = checkInteger(options.maxDeliveries ?? 3, "maxDeliveries", op, 1, 1000);
    this.#onEvent = options.onEvent;
    this.#frontend = context.socket("ROUTER");
    this.#backend = context.socket("ROUTER");
    try {
      for (const socket of [this.#frontend, this.#backend]) {
        socket.setOption("LINGER", 0);
        socket.setOption("ROUTER_MANDATORY", true);
      }
      for (const endpoint of front) this.#frontend.bind(endpoint);
      for (const endpoint of back) this.#backend.bind(endpoint);
      this.frontendEndpoint = this.#frontend.lastEndpoint;
      this.backendEndpoint = this.#backend.lastEndpoint;
    } catch (e) {
      this.#frontend.close({ linger: 0 });
      this.#backend.close({ linger: 0 });
      throw e;
    }
  }

  /** Workers known to the queue (idle or busy). */
  get workers(): number {
    return this.#workers.size;
  }

  /**
   * Runs the queue until {@linkcode ParanoidPirateQueue.stop} (resolves) or `signal` aborts
   * (stops the queue and rejects with its reason): `start()`, then `done`.
   *
   * @param signal Stops the queue when aborted.
   * @returns A promise that resolves once the queue was stopped.
   * @throws {ZmqError} Rejects with `EBUSY` if the queue runs already, `ECLOSED` once it was
   * stopped, and with what made its loop fail.
   */
  run(signal?: AbortSignal): Promise<void> {
    return runUntilStopped(this, "ParanoidPirateQueue", signal);
  }

  /** Starts serving clients and workers (the {@linkcode Service} contract's `start`). */
  protected override onStart(): void {
    this.#loop.start((stop) => this.#serve(stop), (...failure) => this.ended(...failure));
  }

  async #serve(stop: AbortSignal): Promise<void> {
    const poller = new Poller();
    poller.register(this.#backend, POLLIN);
    let heartbeatAt = performance.now() + this.heartbeatInterval;
    let listening = false;
    for (;;) {
      await this.#assign();
      const wantClients = this.#idle.length > 0;
      if (wantClients !== listening) {
        poller.register(this.#frontend, wantClients ? POLLIN : 0);
        listening = wantClients;
      }
      const wait = Math.max(0, Math.ceil(heartbeatAt - performance.now()));
      const ready = await poller.poll({ timeout: wait, signal: stop });
      if (ready.has(this.#backend)) {
        for (let i = 0; i < BATCH; i++) {
          const frames = await take(this.#backend);
          if (frames === null) break;
          await this.#fromWorker(frames);
        }
      }
      if (ready.has(this.#frontend)) {
        for (let i = 0; i < BATCH && this.#idle.length > 0; i++) {
          const frames = await take(this.#frontend);
          if (frames === null) break;
          if (!isRequest(frames)) {
            // a DEALER or a ZMTP 1.0 peer writing bytes: its worker's reply would have no
            // envelope, and the request no one to go back to
            this.#drop(frames[0], "a request needs an envelope (an empty frame) and a body");
            continue;
          }
          this.stats.requests++;
          this.#again.push({ frames, deliveries: 0 });
          await this.#assign();
        }
      }
      if (performance.now() >= heartbeatAt) {
        await this.#heartbeat();
        heartbeatAt = performance.now() + this.heartbeatInterval;
      }
    }
  }

  /** Hands waiting requests to idle workers. */
  async #assign(): Promise<void> {
    while (this.#again.length > 0 && this.#idle.length > 0) {
      const worker = this.#idle.shift()!;
      const job = this.#again.shift()!;
      job.deliveries++;
      worker.holding = job;
      if (!(await this.#send(this.#backend, [worker.id, ...job.frames]))) this.#forget(worker);
    }
  }

  async #fromWorker([id, ...rest]: Uint8Array[]): Promise<void> {
    const key = idKey(id);
    const worker = this.#workers.get(key);
    const message = parseFromWorker(rest);
    worker?.liveness.beat();
    switch (message.kind) {
      case "ready":
        if (worker) {
          // A new session on the same identity: whatever it held is lost to it.
          this.#forget(worker);
        }
        this.#ready(id, key);
        return;
      case "heartbeat":
        if (!worker) this.#drop(id, "a HEARTBEAT before READY");
        return;
      case "reply":
        if (!worker || worker.holding === null) {
          return this.#drop(id, "a reply from a worker holding no request");
        }
        worker.holding = null;
        this.#idle.push(worker);
        if (await this.#send(this.#frontend, message.frames)) this.stats.replies++;
        else this.#drop(message.frames[0], "a reply to a client that is gone");
        return;
      case "invalid":
        this.#drop(id, message.reason);
        if (worker && worker.holding !== null) {
          // it answered its request badly, yet it is alive and done with it: the request is
          // delivered again (first), the worker is idle again
          const job = worker.holding;
          worker.holding = null;
          this.#idle.push(worker);
          this.#requeue(job, worker.key);
        }
        return;
    }
  }

  #ready(id: Uint8Array, key: string): void {
    const worker: QueueWorker = {
      id,
      key,
      liveness: new Liveness({ interval: this.heartbeatInterval, liveness: this.liveness }),
      holding: null,
    };
    this.#workers.set(key, worker);
    this.#idle.push(worker);
    this.#onEvent?.({ type: "worker-ready", worker: key });
  }

  async #heartbeat(): Promise<void> {
    const now = performance.now();
    for (const worker of [...this.#workers.values()]) {
      if (!worker.liveness.alive(now)) {
        this.stats.expiredWorkers++;
        this.#onEvent?.({ type: "worker-expired", worker: worker.key });
        this.#forget(worker);
      } else if (!(await this.#send(this.#backend, [worker.id, PPP_HEARTBEAT]))) {
        this.#forget(worker);
      }
    }
  }

  /** Removes a worker; the request it held is served again, first. */
  #forget(worker: QueueWorker): void {
    if (this.#workers.get(worker.key) !== worker) return;
    this.#workers.delete(worker.key);
    this.#idle = this.#idle.filter((w) => w !== worker);
    const job = worker.holding;
    worker.holding = null;
    if (job !== null) this.#requeue(job, worker.key);
  }

  /** Serves a request again, first, unless it was delivered as often as allowed. */
  #requeue(job: Job, worker: string): void {
    if (job.deliveries >= this.#maxDeliveries) {
      this.stats.abandoned++;
      this.#drop(job.frames[0], `a request that ${job.deliveries} workers failed to answer`);
      return;
    }
    this.stats.redelivered++;
    this.#onEvent?.({ type: "redelivered", worker });
    this.#again.unshift(job);
  }

  /** Sends without waiting; false if the peer is gone or not taking messages. */
  #send(socket: Socket, frames: Uint8Array[]): Promise<boolean> {
    return sendNow(socket, frames);
  }

  #drop(peer: Uint8Array | undefined, reason: string): void {
    this.stats.dropped++;
    this.#onEvent?.({ type: "dropped", peer: peer ? idKey(peer) : "?", reason });
  }

  /** Stops serving and closes both sockets (the {@linkcode Service} contract's `stop`). */
  protected override async onStop(): Promise<void> {
    await this.#loop.stop();
    this.#frontend.close({ linger: 0 });
    this.#backend.close({ linger: 0 });
  }

  /**
   * Stops the queue and closes its sockets.
   *
   * @deprecated Use {@linkcode ParanoidPirateQueue.stop}: every service of the library ends
   * with `stop()`.
   *
   * @returns A promise that resolves once the queue has stopped.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, ParanoidPirateQueue } from "../mod.ts";
   * await using ctx = new Context({ linger: 0 });
   * const queue = new ParanoidPirateQueue(ctx, {
   *   frontend: "inproc://ppq-close-front",
   *   backend: "inproc://ppq-close-back",
   * });
   * await queue.stop(); // was: await queue.close()
   * await queue.done; // settled once stopped
   * assert.equal(queue.running, false);
   * ```
   */
  close(): Promise<void> {
    return this.stop();
  }
}

/** One message if one is waiting, else null. */
/** A client's request: its address, more routing frames, the empty delimiter and a body. */
function isRequest(frames: Uint8Array[]): boolean {
  const [envelope, body] = splitEnvelope(frames);
  return envelope.length >= 2 && body.length > 0;
}

async function take(socket: Socket): Promise<Uint8Array[] | null> {
  try {
    return await socket.recvMultipart({ timeout: 0 });
  } catch (e) {
    if (e instanceof ZmqError && e.code === "EAGAIN") return null;
    throw e;
  }
}
