import { AsyncLocalStorage } from "node:async_hooks";
import type { Context } from "../core/context.ts";
import { Service } from "../core/service.ts";
import { badValue, ZmqError, zmqError } from "../core/errors.ts";
import type { Frame, Socket } from "../core/socket.ts";
import { checkInteger } from "../core/_util.ts";
import { bodyFrames } from "./_frames.ts";
import { delay, isAbort, runUntilStopped, ServingLoop } from "./_run.ts";
import { Backoff, Liveness } from "./heartbeat.ts";

/** What a worker session read from its peer. */
export type Incoming =
  | { kind: "heartbeat" }
  | { kind: "request"; envelope: Uint8Array[]; body: Uint8Array[] }
  | { kind: "disconnect" }
  | { kind: "invalid"; reason: string };

/** The frames of one protocol. */
export interface SessionCodec {
  /** Sent when a session opens (READY). */
  greeting(): Uint8Array[];
  /** Sent every heartbeat interval of silence. */
  heartbeat(): Uint8Array[];
  /** Sent when the worker stops, or null if the protocol has none. */
  farewell(): Uint8Array[] | null;
  /** Reads a message from the peer. */
  parse(frames: Uint8Array[]): Incoming;
  /** Frames a reply to the request that came with `envelope`. */
  reply(envelope: Uint8Array[], body: Uint8Array[]): Uint8Array[];
}

/** Settings of a heartbeating worker. */
export interface WorkerSessionOptions {
  /** Heartbeat interval agreed with the peer, in ms. */
  heartbeatInterval?: number;
  /** Silent intervals after which the peer is dead and the worker reconnects. Default 3. */
  liveness?: number;
  /** First reconnect delay in ms; it doubles after each failed session. */
  reconnectInitial?: number;
  /** The longest reconnect delay in ms. */
  reconnectMax?: number;
  /**
   * Called when the handler throws. The request gets no reply, and the worker starts a new
   * session (a Majordomo broker then gives the request to another worker, up to its
   * `maxDeliveries`; otherwise the client's retry or timeout reports it). Without it, `serve`
   * stops and rejects with the error.
   */
  onError?: (error: unknown, request: Uint8Array[]) => void;
  /** Called for each event worth logging. */
  onEvent?: (event: WorkerEvent) => void;
}

/** Something that happened in a worker, for logs and tests. */
export type WorkerEvent =
  | { type: "connected"; endpoint: string; session: number }
  | { type: "peer-dead"; endpoint: string; silentFor: number }
  | { type: "disconnected"; endpoint: string; reason: string }
  | { type: "reconnecting"; endpoint: string; delay: number }
  | { type: "invalid"; reason: string }
  | { type: "reply-discarded"; reason: string };

/** Counters of a worker since it started. */
export interface WorkerStats {
  /** Requests handed to the handler. */
  requests: number;
  /** Replies sent. */
  replies: number;
  /** Replies thrown away because their session ended while the handler ran. */
  discarded: number;
  /** Sessions opened after the first. */
  reconnects: number;
  /** Heartbeats sent. */
  heartbeats: number;
}

/** Makes a reply from a request's body frames; `signal` aborts when the worker stops. */
export type WorkerHandler = (
  request: Uint8Array[],
  info: { signal: AbortSignal },
) => Frame | Frame[] | Promise<Frame | Frame[]>;

/** One connection to the peer, from greeting to goodbye. */
interface Session {
  id: number;
  socket: Socket;
  /** When the worker last sent something (a heartbeat is due an interval later). */
  sentAt: number;
  /** Aborted to end this session and start a new one. */
  restart: AbortController;
}

/** Defaults of one protocol, and the name used in errors. */
export interface SessionDefaults {
  /** The worker class's name, for errors: "MajordomoWorker". */
  name: string;
  /** The protocol's usual heartbeat interval, ms. */
  heartbeatInterval: number;
  /** The protocol's usual first reconnect delay, ms. */
  reconnectInitial: number;
  /** The protocol's usual longest reconnect delay, ms. */
  reconnectMax: number;
}

/**
 * What {@linkcode MajordomoWorker} and {@linkcode ParanoidPirateWorker} share: a DEALER session
 * with one peer (a broker or a queue) that greets, heartbeats, notices a silent peer after
 * `liveness` intervals, and starts a new session after a backoff delay; requests are handled
 * one at a time while heartbeats go on. Each protocol's worker extends it with its frames.
 *
 * A {@linkcode Service}: `start(handler)` connects and greets (and resolves at once: the peer
 * may come later), `stop()` says goodbye (DISCONNECT where the protocol has one) and resolves
 * once the session has ended, `done` settles then (or rejects with the handler's error when
 * there is no `onError`), `await using` stops it; `serve(handler, { signal })` is
 * `start(handler)`, then `done`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MajordomoWorker, ParanoidPirateWorker, type WorkerSession } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * const workers: WorkerSession[] = [
 *   new MajordomoWorker(ctx, "tcp://127.0.0.1:5555", "echo"),
 *   new ParanoidPirateWorker(ctx, "tcp://127.0.0.1:5556", { heartbeatInterval: 500 }),
 * ];
 * assert.deepEqual(workers.map((w) => w.heartbeatInterval), [2500, 500]);
 * await Promise.all(workers.map((w) => w.stop()));
 * ```
 */
export class WorkerSession extends Service {
  /** The peer's endpoint. */
  readonly endpoint: string;
  /** The heartbeat interval in ms. */
  readonly heartbeatInterval: number;
  /** Silent intervals after which the peer is dead. */
  readonly liveness: number;
  /** Counters since the worker started. */
  readonly stats: WorkerStats = {
    requests: 0,
    replies: 0,
    discarded: 0,
    reconnects: 0,
    heartbeats: 0,
  };
  #context: Context;
  #codec: SessionCodec;
  #name: string;
  #backoff: Backoff;
  #onError?: (error: unknown, request: Uint8Array[]) => void;
  #onEvent?: (event: WorkerEvent) => void;
  #loop = new ServingLoop();
  #handler: WorkerHandler | null = null;
  #session = 0;
  #failure: { error: unknown } | null = null;

  /** Prepares a worker with the frames of `codec`; `serve` connects. */
  protected constructor(
    context: Context,
    endpoint: string,
    codec: SessionCodec,
    defaults: SessionDefaults,
    options: WorkerSessionOptions,
  ) {
    super(defaults.name);
    const op = defaults.name;
    if (typeof endpoint !== "string" || endpoint === "") {
      throw badValue("endpoint must be a non-empty string", { op });
    }
    this.endpoint = endpoint;
    this.heartbeatInterval = checkInteger(
      options.heartbeatInterval ?? defaults.heartbeatInterval,
      "heartbeatInterval",
      op,
      1,
    );
    this.liveness = checkInteger(options.liveness ?? 3, "liveness", op, 1, 1000);
    this.#backoff = new Backoff({
      initial: checkInteger(
        options.reconnectInitial ?? defaults.reconnectInitial,
        "reconnectInitial",
        op,
        0,
      ),
      max: checkInteger(options.reconnectMax ?? defaults.reconnectMax, "reconnectMax", op, 0),
    });
    this.#context = context;
    this.#codec = codec;
    this.#name = defaults.name;
    this.#onError = options.onError;
    this.#onEvent = options.onEvent;
  }

  /**
   * Starts serving requests with `handler` (the {@linkcode Service} contract's `start`): the
   * worker connects to its peer and greets it, and starts a new session whenever the peer
   * falls silent.
   *
   * @param handler Makes the reply to each request.
   * @returns The worker, at once (the peer may come later); the same promise while it runs.
   * @throws {ZmqError} Rejects with `EBADVALUE` for a handler that is not a function,
   * `EBUSY` for another handler while one serves, `ECLOSED` once stopped.
   */
  override start(handler?: WorkerHandler): Promise<this> {
    const op = `${this.#name}.start`;
    if (typeof handler !== "function") {
      return Promise.reject(badValue("handler must be a function", { op }));
    }
    if (this.running && handler !== this.#handler) {
      return Promise.reject(
        zmqError("EBUSY", `The ${this.#name} already serves another handler`, { op }),
      );
    }
    this.#handler ??= handler;
    return super.start();
  }

  /**
   * Serves requests until {@linkcode WorkerSession.stop} (resolves) or `signal` aborts (stops
   * the worker and rejects with its reason): `start(handler)`, then `done`.
   *
   * @param handler Makes the reply to each request.
   * @param options `signal`: stops the worker when aborted.
   * @returns A promise that resolves once the worker was stopped.
   * @throws {ZmqError} Rejects with `EBADVALUE` for a handler that is not a function, `EBUSY`
   * if already serving, `ECLOSED` once stopped, and with the handler's error if it throws and
   * no `onError` was given.
   */
  serve(handler: WorkerHandler, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (typeof handler !== "function") {
      return Promise.reject(
        badValue("handler must be a function", { op: `${this.#name}.serve` }),
      );
    }
    return runUntilStopped(this, this.#name, options.signal, () => this.start(handler));
  }

  /** Connects and serves with the handler given (the {@linkcode Service} contract's `start`). */
  protected override onStart(): void {
    const handler = this.#handler!;
    this.#loop.start((stop) => this.#serve(handler, stop), (...failure) => this.ended(...failure));
  }

  async #serve(handler: WorkerHandler, serving: AbortSignal): Promise<void> {
    const failed = new AbortController();
    const stop = AbortSignal.any([serving, failed.signal]);
    try {
      for (let first = true;; first = false) {
        if (!first) {
          const wait = this.#backoff.next();
          this.#onEvent?.({ type: "reconnecting", endpoint: this.endpoint, delay: wait });
          await delay(wait, stop);
          this.stats.reconnects++;
        }
        await this.#runSession(handler, stop, failed);
      }
    } catch (error) {
      if (this.#failure) throw this.#failure.error;
      throw error;
    }
  }

  async #runSession(handler: WorkerHandler, stop: AbortSignal, failed: AbortController) {
    const session: Session = {
      id: ++this.#session,
      socket: this.#context.socket("DEALER"),
      sentAt: performance.now(),
      restart: new AbortController(),
    };
    const { socket } = session;
    const signal = AbortSignal.any([stop, session.restart.signal]);
    let jobs: Promise<void> = Promise.resolve();
    let farewell = true;
    try {
      socket.setOption("LINGER", 0);
      socket.connect(this.endpoint);
      await socket.send(this.#codec.greeting(), { signal });
      this.#onEvent?.({ type: "connected", endpoint: this.endpoint, session: session.id });
      const peer = new Liveness({ interval: this.heartbeatInterval, liveness: this.liveness });
      for (;;) {
        const heartbeatAt = session.sentAt + this.heartbeatInterval;
        const until = Math.min(heartbeatAt, peer.deadline);
        const frames = await receive(
          socket,
          Math.max(0, Math.ceil(until - performance.now())),
          signal,
        );
        if (frames !== null) {
          peer.beat();
          this.#backoff.reset();
          const incoming = this.#codec.parse(frames);
          if (incoming.kind === "disconnect") {
            this.#onEvent?.({
              type: "disconnected",
              endpoint: this.endpoint,
              reason: "peer sent DISCONNECT",
            });
            farewell = false;
            return;
          }
          if (incoming.kind === "invalid") {
            this.#onEvent?.({ type: "invalid", reason: incoming.reason });
          } else if (incoming.kind === "request") {
            this.stats.requests++;
            jobs = jobs.then(() => this.#job(handler, incoming, session, stop, failed));
          }
        }
        const now = performance.now();
        if (!peer.alive(now)) {
          this.#onEvent?.({
            type: "peer-dead",
            endpoint: this.endpoint,
            silentFor: Math.round(now - peer.lastHeard),
          });
          farewell = false;
          return;
        }
        if (now >= session.sentAt + this.heartbeatInterval) {
          await socket.send(this.#codec.heartbeat(), { signal });
          this.stats.heartbeats++;
          session.sentAt = now;
        }
      }
    } catch (error) {
      // A handler failure reported to onError ends the session, not the worker.
      if (!(session.restart.signal.aborted && !stop.aborted)) throw error;
    } finally {
      this.#session++; // replies of this session's requests are now stale
      const bye = farewell && !socket.closed ? this.#codec.farewell() : null;
      if (bye) await socket.send(bye, { timeout: 0 }).catch(() => {});
      socket.close({ linger: bye ? 100 : 0 });
      await jobs;
    }
  }

  async #job(
    handler: WorkerHandler,
    request: { envelope: Uint8Array[]; body: Uint8Array[] },
    session: Session,
    stop: AbortSignal,
    failed: AbortController,
  ): Promise<void> {
    const stale = () => session.id !== this.#session || session.socket.closed;
    if (stale() || stop.aborted) return this.#discard("the session ended first");
    let reply: Uint8Array[];
    try {
      const made = inHandler.run(this, () => handler(request.body, { signal: stop }));
      reply = bodyFrames(await made, `${this.#name} handler`);
    } catch (error) {
      if (isAbort(error, stop)) return;
      if (!this.#onError) {
        this.#failure ??= { error };
        failed.abort(error);
        return;
      }
      this.#onError(error, request.body);
      // The request gets no reply. A new session tells the peer so (DISCONNECT, or the old
      // identity falls silent), and it may give the request to another worker.
      this.#onEvent?.({
        type: "disconnected",
        endpoint: this.endpoint,
        reason: "the handler failed",
      });
      session.restart.abort();
      return;
    }
    if (stale()) return this.#discard("its session ended");
    try {
      await session.socket.send(this.#codec.reply(request.envelope, reply), { signal: stop });
      this.stats.replies++;
      session.sentAt = performance.now();
    } catch (error) {
      if (!isAbort(error, stop) && !(error instanceof ZmqError && error.code === "ECLOSED")) {
        throw error;
      }
      this.#discard("its session ended");
    }
  }

  #discard(reason: string): void {
    this.stats.discarded++;
    this.#onEvent?.({ type: "reply-discarded", reason });
  }

  /**
   * Stops serving: the current session says goodbye (DISCONNECT where the protocol has one)
   * and closes its socket (the {@linkcode Service} contract's `stop`).
   */
  protected override async onStop(): Promise<void> {
    const stopped = this.#loop.stop();
    // called by its own handler: the loop waits for that handler, which waits for this stop,
    // so do not wait (the session ends and the handler's reply is discarded; done waits)
    if (inHandler.getStore() === this) return;
    await stopped;
  }

  /**
   * Stops serving and waits until the session has ended.
   *
   * @deprecated Use {@linkcode WorkerSession.stop}: every service of the library ends with
   * `stop()`.
   *
   * @returns A promise that resolves once the worker has stopped.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, MajordomoWorker } from "../mod.ts";
   * await using ctx = new Context({ linger: 0 });
   * const worker = new MajordomoWorker(ctx, "inproc://nowhere", "echo");
   * await worker.stop(); // was: await worker.close()
   * await worker.stop(); // a second stop is a no-op
   * assert.equal(worker.running, false);
   * ```
   */
  close(): Promise<void> {
    return this.stop();
  }
}

/** The worker whose handler is running, in that handler and what it awaits. */
const inHandler = new AsyncLocalStorage<WorkerSession>();

/** One receive that answers null on timeout. */
async function receive(
  socket: Socket,
  timeout: number,
  signal: AbortSignal,
): Promise<Uint8Array[] | null> {
  try {
    return await socket.recvMultipart({ timeout, signal });
  } catch (e) {
    if (e instanceof ZmqError && e.code === "EAGAIN") return null;
    throw e;
  }
}
