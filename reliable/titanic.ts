import type { Context } from "../core/context.ts";
import { Service } from "../core/service.ts";
import { badValue } from "../core/errors.ts";
import { checkInteger } from "../core/_util.ts";
import { bytes, textOrNull } from "./_frames.ts";
import { delay, runUntilStopped, ServingLoop } from "./_run.ts";
import { isServiceName } from "./mdp.ts";
import { MajordomoClient } from "./mdp_client.ts";
import { MajordomoWorker } from "./mdp_worker.ts";
import { isTitanicUuid, type StoredRequest, TitanicStore } from "./titanic_store.ts";
import type { WorkerEvent } from "./worker_session.ts";

/** Options of a {@linkcode TitanicServer}. */
export interface TitanicServerOptions {
  /** The Majordomo broker to serve through, e.g. `tcp://localhost:5555`. */
  broker: string;
  /** The SQLite file (opened and closed by the server), or a store you opened yourself. */
  store: string | TitanicStore;
  /** Heartbeat interval agreed with the broker, in ms. Default 2500. */
  heartbeatInterval?: number;
  /** Silent intervals after which the broker is dead. Default 3. */
  liveness?: number;
  /** Reconnect delay of the server's workers, in ms. Default 2500. */
  reconnect?: number;
  /**
   * How long one attempt to run a stored request may take, in ms. A request whose attempt
   * times out stays pending and is tried again, so it may run more than once. Default 5000.
   */
  timeout?: number;
  /** Stored requests run at the same time. Default 4. */
  dispatchers?: number;
  /** How long to wait before trying a request again whose service was absent or slow. Default 1000. */
  retryInterval?: number;
  /**
   * Called for each event worth logging. It runs inside the service's loop: keep it quick, and do
   * not throw from it (an exception ends the service, and `done` rejects with it).
   */
  onEvent?: (event: TitanicEvent) => void;
}

/** Something that happened in a {@linkcode TitanicServer}. */
export type TitanicEvent =
  | { type: "stored"; uuid: string; service: string }
  | { type: "completed"; uuid: string; service: string }
  | { type: "deferred"; uuid: string; service: string; reason: string }
  | { type: "closed"; uuid: string }
  | { type: "worker"; service: string; event: WorkerEvent };

/** Counters of a {@linkcode TitanicServer} since it started. */
export interface TitanicStats {
  /** Requests stored (and acknowledged with an id). */
  stored: number;
  /** Requests run and their replies stored. */
  completed: number;
  /** Attempts put off because the service was absent, slow or failing. */
  deferred: number;
}

/**
 * The Titanic service of ZeroMQ RFC 9 (the zguide's disconnected reliability): it looks like a
 * worker to clients and like a client to workers, and keeps every request and reply in a
 * {@linkcode TitanicStore} (one SQLite file), so that a client gets its reply even when the
 * broker, this service or the worker was killed and restarted in between.
 *
 * It registers three Majordomo services: `titanic.request` (`[service, ...body]` → `"200"`
 * and a 32-hex-digit id, answered only after the request is committed to the file),
 * `titanic.reply` (`[id]` → `"200"` and the reply, `"300"` while pending, `"400"` for an
 * unknown id) and `titanic.close` (`[id]` → `"200"`, deleting both). Meanwhile its
 * dispatchers run the stored requests, oldest first: they ask the broker's `mmi.service`
 * whether the service has a worker, send the request, store the reply. A request whose
 * service is absent, slow or failing stays stored and is tried again later, so requests run
 * at least once (RFC 7 assumes idempotent workers); their replies are stored once.
 *
 * A {@linkcode Service}: the constructor opens the store, `start()` starts its three services
 * and dispatchers (and resolves at once), `stop()` stops them and closes the store if the
 * server opened it, `done` settles then (or rejects if a loop failed), `await using` stops it;
 * `run(signal)` is `start()`, then `done`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   Context,
 *   MajordomoBroker,
 *   MajordomoWorker,
 *   TitanicClient,
 *   TitanicServer,
 * } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * const endpoint = "inproc://titanic-doc";
 * await using _broker = await new MajordomoBroker(ctx, { bind: endpoint }).start();
 * await using titanic = await new TitanicServer(ctx, { broker: endpoint, store: ":memory:" })
 *   .start();
 * await using _echo = await new MajordomoWorker(ctx, endpoint, "echo").start((body) => body);
 * using client = new TitanicClient(ctx, endpoint, { pollInterval: 50 });
 * const [reply] = await client.request("echo", "Hello");
 * assert.equal(new TextDecoder().decode(reply), "Hello");
 * assert.equal(titanic.stats.completed, 1);
 * ```
 */
export class TitanicServer extends Service {
  /** The store behind the service. */
  readonly store: TitanicStore;
  /** Counters since the server started. */
  readonly stats: TitanicStats = { stored: 0, completed: 0, deferred: 0 };
  #context: Context;
  #broker: string;
  #ownsStore: boolean;
  #timeout: number;
  #dispatchers: number;
  #retryInterval: number;
  #workers: MajordomoWorker[];
  #onEvent?: (event: TitanicEvent) => void;
  #claimed = new Set<string>();
  #notBefore = new Map<string, number>();
  #wake = new Set<() => void>();
  #loop = new ServingLoop();

  /**
   * Opens the store and prepares the three services; `run` connects them. Throws a ZmqError
   * for bad options (`EBADVALUE`) or a store that cannot be opened (`EIO`).
   *
   * @param context The context for its Majordomo clients and workers.
   * @param options The `broker` endpoint and the `store` (a SQLite file, or `":memory:"`).
   * @throws {ZmqError} `EBADVALUE` for bad options, `EIO` for a store that cannot be opened.
   */
  constructor(context: Context, options: TitanicServerOptions) {
    super("TitanicServer");
    const op = "TitanicServer";
    if (typeof options?.broker !== "string" || options.broker === "") {
      throw badValue("broker must be an endpoint", { op, option: "broker" });
    }
    this.#timeout = checkInteger(options.timeout ?? 5000, "timeout", op, 1);
    this.#dispatchers = checkInteger(options.dispatchers ?? 4, "dispatchers", op, 1, 256);
    this.#retryInterval = checkInteger(options.retryInterval ?? 1000, "retryInterval", op, 1);
    const workerOptions = {
      heartbeatInterval: options.heartbeatInterval ?? 2500,
      liveness: options.liveness,
      reconnectInitial: options.reconnect ?? 2500,
      reconnectMax: options.reconnect ?? 2500,
    };
    this.#workers = ["titanic.request", "titanic.reply", "titanic.close"].map((service) =>
      new MajordomoWorker(context, options.broker, service, {
        ...workerOptions,
        onEvent: (event) => this.#onEvent?.({ type: "worker", service, event }),
      })
    );
    this.#context = context;
    this.#broker = options.broker;
    this.#onEvent = options.onEvent;
    this.#ownsStore = typeof options.store === "string";
    this.store = typeof options.store === "string"
      ? new TitanicStore(options.store)
      : options.store;
  }

  /**
   * Serves until {@linkcode TitanicServer.stop} (resolves) or `signal` aborts (stops the
   * server and rejects with its reason): `start()`, then `done`.
   *
   * @param signal Stops the server when aborted.
   * @returns A promise that resolves once the server was stopped.
   * @throws {ZmqError} Rejects with `EBUSY` if the server runs already, `ECLOSED` once it was
   * stopped, and with what made one of its loops fail.
   */
  run(signal?: AbortSignal): Promise<void> {
    return runUntilStopped(this, "TitanicServer", signal);
  }

  /** Starts the services and the dispatchers (the {@linkcode Service} contract's `start`). */
  protected override onStart(): void {
    this.#loop.start((stop) => this.#serve(stop), (...failure) => this.ended(...failure));
  }

  async #serve(stop: AbortSignal): Promise<void> {
    const [request, reply, close] = this.#workers;
    const loops = [
      request.serve((body) => this.#onRequest(body), { signal: stop }),
      reply.serve((body) => this.#onReply(body), { signal: stop }),
      close.serve((body) => this.#onClose(body), { signal: stop }),
      ...Array.from({ length: this.#dispatchers }, () => this.#dispatch(stop)),
    ];
    const results = await Promise.allSettled(loops);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  #onRequest([service, ...body]: Uint8Array[]): Uint8Array[] {
    const name = textOrNull(service);
    if (!isServiceName(name) || body.length === 0) return [bytes("400")];
    let uuid: string;
    try {
      uuid = this.store.add(name, body);
    } catch {
      return [bytes("500")];
    }
    this.stats.stored++;
    this.#onEvent?.({ type: "stored", uuid, service: name });
    for (const wake of this.#wake) wake();
    return [bytes("200"), bytes(uuid)];
  }

  #onReply([id, ...rest]: Uint8Array[]): Uint8Array[] {
    const uuid = textOrNull(id);
    if (!isTitanicUuid(uuid) || rest.length > 0) return [bytes("400")];
    try {
      const stored = this.store.reply(uuid);
      if (stored.state === "done") return [bytes("200"), ...stored.reply];
      return [bytes(stored.state === "pending" ? "300" : "400")];
    } catch {
      return [bytes("500")];
    }
  }

  #onClose([id, ...rest]: Uint8Array[]): Uint8Array[] {
    const uuid = textOrNull(id);
    if (!isTitanicUuid(uuid) || rest.length > 0) return [bytes("400")];
    try {
      this.store.forget(uuid);
    } catch {
      return [bytes("500")];
    }
    this.#onEvent?.({ type: "closed", uuid: uuid.toLowerCase() });
    return [bytes("200")];
  }

  /** One dispatcher: takes the oldest unclaimed pending request, runs it, stores the reply. */
  async #dispatch(stop: AbortSignal): Promise<void> {
    using client = new MajordomoClient(this.#context, this.#broker, {
      timeout: this.#timeout,
      retries: 0,
    });
    while (!stop.aborted) {
      const next = this.#next();
      if (next === null) {
        await this.#idle(stop);
        continue;
      }
      this.#claimed.add(next.uuid);
      try {
        await this.#runOne(client, next, stop);
      } finally {
        this.#claimed.delete(next.uuid);
      }
    }
  }

  #next(): StoredRequest | null {
    const now = performance.now();
    const limit = this.#claimed.size + this.#notBefore.size + 16;
    for (const request of this.store.pending(limit)) {
      if (this.#claimed.has(request.uuid)) continue;
      if ((this.#notBefore.get(request.uuid) ?? 0) > now) continue;
      return request;
    }
    return null;
  }

  async #runOne(client: MajordomoClient, request: StoredRequest, stop: AbortSignal) {
    const { uuid, service } = request;
    try {
      const [found] = await client.requestText("mmi.service", service, { signal: stop });
      if (found !== "200") return this.#defer(request, "no worker offers the service");
      const reply = await client.request(service, request.body, { signal: stop });
      this.#notBefore.delete(uuid);
      if (this.store.complete(uuid, reply)) {
        this.stats.completed++;
        this.#onEvent?.({ type: "completed", uuid, service });
      }
    } catch (error) {
      if (stop.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.#defer(request, reason);
    }
  }

  #defer({ uuid, service }: StoredRequest, reason: string): void {
    this.stats.deferred++;
    this.#notBefore.set(uuid, performance.now() + this.#retryInterval);
    this.#onEvent?.({ type: "deferred", uuid, service, reason });
  }

  /** Waits for a new request or for the retry interval, whichever comes first. */
  async #idle(stop: AbortSignal): Promise<void> {
    const done = new AbortController();
    const woken = new Promise<void>((resolve) => {
      const wake = () => resolve();
      this.#wake.add(wake);
      done.signal.addEventListener("abort", () => this.#wake.delete(wake), { once: true });
    });
    const waited = delay(this.#retryInterval, AbortSignal.any([stop, done.signal])).catch(() => {});
    try {
      await Promise.race([woken, waited]);
    } finally {
      done.abort();
      // Forget retry times that have passed, so the map does not grow without bound.
      const now = performance.now();
      for (const [uuid, at] of this.#notBefore) if (at <= now) this.#notBefore.delete(uuid);
    }
  }

  /**
   * Stops serving, the services, and closes the store if the server opened it (the
   * {@linkcode Service} contract's `stop`).
   */
  protected override async onStop(): Promise<void> {
    await this.#loop.stop();
    await Promise.all(this.#workers.map((w) => w.stop()));
    if (this.#ownsStore) this.store.close();
  }

  /**
   * Stops the server, its services and its own store.
   *
   * @deprecated Use {@linkcode TitanicServer.stop}: every service of the library ends with
   * `stop()`.
   *
   * @returns A promise that resolves once the server has stopped.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, TitanicServer } from "../mod.ts";
   * await using ctx = new Context({ linger: 0 });
   * const titanic = new TitanicServer(ctx, { broker: "inproc://nowhere", store: ":memory:" });
   * await titanic.stop(); // was: await titanic.close()
   * assert.equal(titanic.running, false);
   * ```
   */
  close(): Promise<void> {
    return this.stop();
  }
}
