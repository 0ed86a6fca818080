import type { Context } from "../core/context.ts";
import { ZmqError } from "../core/errors.ts";
import { Service } from "../core/service.ts";
import type { Socket } from "../core/socket.ts";
import { checkEndpoints, checkInteger } from "../core/_util.ts";
import { bytes, idKey } from "./_frames.ts";
import { Liveness } from "./heartbeat.ts";
import {
  clientReply,
  isClientMessage,
  parseClientRequest,
  parseWorkerMessage,
  workerCommand,
  workerEnvelope,
} from "./mdp.ts";
import { answerMmi, isMmiService } from "./_mmi.ts";
import { runUntilStopped, ServingLoop } from "./_run.ts";
import { sendNow } from "./_router.ts";

/** Options of a {@linkcode MajordomoBroker}. */
export interface MajordomoBrokerOptions {
  /** Where the broker's ROUTER binds (one socket for clients and workers), e.g. `tcp://*:5555`. */
  bind: string | string[];
  /** Heartbeat interval agreed with the workers, in ms. Default 2500 (the zguide's). */
  heartbeatInterval?: number;
  /** Silent intervals after which a worker is dead. Default 3. */
  liveness?: number;
  /**
   * How long a request may wait for a worker of its service, in ms (RFC 7: requests for a
   * service nobody offers SHOULD expire). Default 10000.
   */
  requestTimeout?: number;
  /**
   * How many times one request is handed to a worker: when a worker dies or disconnects
   * holding a request, the broker gives it to another worker, up to this many deliveries in
   * all. Default 3. `1` never redelivers.
   */
  maxDeliveries?: number;
  /**
   * Called for each event worth logging (the zguide broker's `-v`). It runs inside the service's
   * loop: keep it quick, and do not throw from it (an exception ends the service, and `done`
   * rejects with it).
   */
  onEvent?: (event: BrokerEvent) => void;
}

/** Something that happened in a {@linkcode MajordomoBroker}, for logs and tests. */
export type BrokerEvent =
  | { type: "worker-ready"; worker: string; service: string }
  | { type: "worker-expired"; worker: string; service: string }
  | { type: "worker-disconnected"; worker: string; service: string; reason: string }
  | { type: "request"; client: string; service: string }
  | { type: "reply"; client: string; service: string }
  | { type: "redelivered"; client: string; service: string }
  | { type: "request-expired"; client: string; service: string }
  | { type: "dropped"; peer: string; reason: string };

/** Counters of a {@linkcode MajordomoBroker}, since it started. */
export interface BrokerStats {
  /** Client requests accepted (mmi.* included). */
  requests: number;
  /** Replies sent to clients (mmi.* included). */
  replies: number;
  /** Requests given to another worker after theirs died or disconnected. */
  redelivered: number;
  /** Requests dropped because no worker took them within `requestTimeout`. */
  expiredRequests: number;
  /** Requests dropped after `maxDeliveries` deliveries. */
  abandoned: number;
  /** Workers removed because they stopped heartbeating. */
  expiredWorkers: number;
  /** Messages dropped: invalid frames, replies to vanished clients, commands out of turn. */
  dropped: number;
}

/** What {@linkcode MajordomoBroker.services} reports for one service. */
export interface ServiceInfo {
  /** Workers registered for the service. */
  workers: number;
  /** Of those, the ones waiting for a request. */
  waiting: number;
  /** Requests queued for a worker. */
  queued: number;
}

interface QueuedRequest {
  client: Uint8Array;
  body: Uint8Array[];
  expires: number;
  deliveries: number;
}

interface ServiceEntry {
  name: string;
  nameFrame: Uint8Array;
  requests: QueuedRequest[];
  /** Idle workers, longest idle first. */
  waiting: BrokerWorker[];
  workers: Set<BrokerWorker>;
}

interface BrokerWorker {
  id: Uint8Array;
  key: string;
  service: ServiceEntry;
  liveness: Liveness;
  /** The request it holds, or null while waiting. */
  holding: QueuedRequest | null;
}

/**
 * A Majordomo broker, MDP/0.1 (ZeroMQ RFC 7) with the `mmi.service` lookup of RFC 8, on one
 * ROUTER socket for clients and workers, as in the zguide.
 *
 * - Requests name a service; each goes to the worker of that service that has waited longest.
 *   Requests for a service with no idle worker queue, and expire after `requestTimeout` ms.
 * - Workers register with READY and are heartbeaten every `heartbeatInterval` ms; one silent
 *   for `liveness` intervals is dropped. A request held by a worker that dies or disconnects
 *   goes to another worker (up to `maxDeliveries`), so a request may run twice (RFC 7 assumes
 *   idempotent workers); its client still gets one reply, since the dead worker's late reply
 *   is refused.
 * - Out-of-turn commands (a second READY, a REPLY or HEARTBEAT from a stranger) get a
 *   DISCONNECT; invalid messages are dropped and their worker forgotten. `mmi.*` services are
 *   answered by the broker: `mmi.service` with `"200"` or `"404"`, others with `"501"`;
 *   workers that try to register one are disconnected.
 * - The broker keeps no state worth saving: after a restart, workers reconnect (their
 *   heartbeats tell them) and clients retry.
 *
 * A {@linkcode Service}: the constructor binds, `start()` starts serving (and resolves at
 * once), `stop()` stops serving and closes the socket, `done` settles then (or rejects if the
 * loop failed), `await using` stops it; `run(signal)` is `start()`, then `done`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MajordomoBroker, MajordomoClient, MajordomoWorker } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * await using broker = await new MajordomoBroker(ctx, { bind: "inproc://mdp-broker-doc" })
 *   .start();
 * await using _worker = await new MajordomoWorker(ctx, "inproc://mdp-broker-doc", "echo")
 *   .start((request) => request);
 * using client = new MajordomoClient(ctx, "inproc://mdp-broker-doc");
 * const [reply] = await client.request("echo", "Hello");
 * assert.equal(new TextDecoder().decode(reply), "Hello");
 * assert.equal(broker.services().get("echo")?.workers, 1);
 * ```
 */
export class MajordomoBroker extends Service {
  /** The endpoints bound, as given. */
  readonly endpoints: string[];
  /** The heartbeat interval in ms. */
  readonly heartbeatInterval: number;
  /** Silent intervals after which a worker is dead. */
  readonly liveness: number;
  /** Counters since the broker started. */
  readonly stats: BrokerStats = {
    requests: 0,
    replies: 0,
    redelivered: 0,
    expiredRequests: 0,
    abandoned: 0,
    expiredWorkers: 0,
    dropped: 0,
  };
  #socket: Socket;
  #requestTimeout: number;
  #maxDeliveries: number;
  #onEvent?: (event: BrokerEvent) => void;
  #services = new Map<string, ServiceEntry>();
  #workers = new Map<string, BrokerWorker>();
  #loop = new ServingLoop();
  #lastEndpoint = "";

  /**
   * Opens the broker's ROUTER socket on `context` and binds it. Throws a ZmqError at once for
   * bad options (`EBADVALUE`) or an endpoint that cannot be bound (`EADDRINUSE`, ...).
   *
   * @param context The context for the ROUTER socket.
   * @param options `bind` (one endpoint or several), `heartbeatInterval` (default 2500 ms),
   * `liveness` (3), `requestTimeout` (10000 ms), `maxDeliveries` (3), `onEvent`.
   * @throws {ZmqError} `EBADVALUE` for bad options, the bind's error (`EADDRINUSE`, ...).
   */
  constructor(context: Context, options: MajordomoBrokerOptions) {
    super("MajordomoBroker");
    const op = "MajordomoBroker";
    this.endpoints = checkEndpoints(options?.bind, "bind", op);
    this.heartbeatInterval = checkInteger(
      options.heartbeatInterval ?? 2500,
      "heartbeatInterval",
      op,
      1,
    );
    this.liveness = checkInteger(options.liveness ?? 3, "liveness", op, 1, 1000);
    this.#requestTimeout = checkInteger(options.requestTimeout ?? 10_000, "requestTimeout", op, 1);
    this.#maxDeliveries = checkInteger(options.maxDeliveries ?? 3, "maxDeliveries", op, 1, 1000);
    this.#onEvent = options.onEvent;
    this.#socket = context.socket("ROUTER");
    try {
      this.#socket.setOption("LINGER", 0);
      // A send to a peer that is gone (or stuck at its high-water mark) fails at once instead
      // of vanishing: the broker then forgets that worker and redelivers its request.
      this.#socket.setOption("ROUTER_MANDATORY", true);
      for (const endpoint of this.endpoints) this.#socket.bind(endpoint);
      this.#lastEndpoint = this.#socket.lastEndpoint;
    } catch (e) {
      this.#socket.close({ linger: 0 });
      throw e;
    }
  }

  /** The last bound endpoint as libzmq reported it (with the port chosen for `:*`). */
  get lastEndpoint(): string {
    return this.#lastEndpoint;
  }

  /**
   * The services known to the broker (registered or with queued requests).
   *
   * @returns Each service's idle workers and queued requests, by name.
   */
  services(): Map<string, ServiceInfo> {
    return new Map(
      [...this.#services].map(([name, s]) => [
        name,
        { workers: s.workers.size, waiting: s.waiting.length, queued: s.requests.length },
      ]),
    );
  }

  /**
   * Serves clients and workers until {@linkcode MajordomoBroker.stop} (then it resolves) or
   * until `signal` aborts (then it stops the broker and rejects with the signal's reason): the
   * broker's `start()`, then its `done`.
   *
   * @param signal Stops the broker when aborted.
   * @returns A promise that resolves once the broker was stopped.
   * @throws {ZmqError} Rejects with `EBUSY` if the broker runs already, `ECLOSED` once it was
   * stopped, and with what made its loop fail.
   */
  run(signal?: AbortSignal): Promise<void> {
    return runUntilStopped(this, "MajordomoBroker", signal);
  }

  /** Starts serving clients and workers (the {@linkcode Service} contract's `start`). */
  protected override onStart(): void {
    this.#loop.start((stop) => this.#serve(stop), (...failure) => this.ended(...failure));
  }

  async #serve(stop: AbortSignal): Promise<void> {
    let heartbeatAt = performance.now() + this.heartbeatInterval;
    for (;;) {
      const wait = Math.max(0, Math.ceil(heartbeatAt - performance.now()));
      let frames: Uint8Array[] | null = null;
      try {
        frames = await this.#socket.recvMultipart({ timeout: wait, signal: stop });
      } catch (e) {
        if (!(e instanceof ZmqError && e.code === "EAGAIN")) throw e;
      }
      if (frames !== null) await this.#handle(frames);
      if (performance.now() >= heartbeatAt) {
        await this.#heartbeat();
        heartbeatAt = performance.now() + this.heartbeatInterval;
      }
    }
  }

  async #handle(frames: Uint8Array[]): Promise<void> {
    const [sender, ...rest] = frames;
    if (rest.length === 0) return this.#drop(sender, "an empty message");
    if (isClientMessage(rest)) return await this.#clientRequest(sender, rest);
    await this.#workerMessage(sender, rest);
  }

  async #clientRequest(client: Uint8Array, frames: Uint8Array[]): Promise<void> {
    const request = parseClientRequest(frames);
    if (request.invalid !== undefined) return this.#drop(client, request.invalid);
    this.stats.requests++;
    this.#onEvent?.({ type: "request", client: idKey(client), service: request.service });
    if (isMmiService(request.service)) {
      const answer = answerMmi(request.service, request.body, (name) => {
        const service = this.#services.get(name);
        return service !== undefined && service.workers.size > 0;
      });
      await this.#reply(client, frames[2], [bytes(answer)]);
      return;
    }
    const service = this.#service(request.service);
    service.requests.push({
      client,
      body: request.body,
      expires: performance.now() + this.#requestTimeout,
      deliveries: 0,
    });
    await this.#dispatch(service);
  }

  async #workerMessage(sender: Uint8Array, frames: Uint8Array[]): Promise<void> {
    const key = idKey(sender);
    const worker = this.#workers.get(key);
    const message = parseWorkerMessage(frames);
    if (message.command === null) {
      // RFC 7: drop invalid messages and treat the peer as invalid.
      if (worker) await this.#forget(worker, message.invalid);
      return this.#drop(sender, message.invalid);
    }
    worker?.liveness.beat();
    switch (message.command) {
      case "READY": {
        if (worker) return await this.#disconnect(worker, "a second READY");
        if (isMmiService(message.service)) {
          this.#drop(sender, `READY for the broker's own ${message.service}`);
          return await this.#sendDisconnect(sender);
        }
        const service = this.#service(message.service);
        const fresh: BrokerWorker = {
          id: sender,
          key,
          service,
          liveness: new Liveness({ interval: this.heartbeatInterval, liveness: this.liveness }),
          holding: null,
        };
        this.#workers.set(key, fresh);
        service.workers.add(fresh);
        service.waiting.push(fresh);
        this.#onEvent?.({ type: "worker-ready", worker: key, service: service.name });
        return await this.#dispatch(service);
      }
      case "REPLY": {
        if (!worker || worker.holding === null) {
          this.#drop(sender, "a REPLY without a request");
          if (worker) return await this.#disconnect(worker, "a REPLY without a request");
          return await this.#sendDisconnect(sender);
        }
        worker.holding = null;
        worker.service.waiting.push(worker);
        this.#onEvent?.({
          type: "reply",
          client: idKey(message.client),
          service: worker.service.name,
        });
        await this.#reply(message.client, worker.service.nameFrame, message.body);
        return await this.#dispatch(worker.service);
      }
      case "HEARTBEAT":
        if (!worker) return await this.#sendDisconnect(sender);
        return;
      case "DISCONNECT":
        if (worker) await this.#forget(worker, "it sent DISCONNECT");
        return;
      case "REQUEST":
        // Only a broker sends REQUEST: valid in form, out of turn from a worker.
        if (worker) return await this.#disconnect(worker, "a REQUEST from a worker");
        return await this.#sendDisconnect(sender);
    }
  }

  #service(name: string): ServiceEntry {
    let service = this.#services.get(name);
    if (!service) {
      service = { name, nameFrame: bytes(name), requests: [], waiting: [], workers: new Set() };
      this.#services.set(name, service);
    }
    return service;
  }

  async #dispatch(service: ServiceEntry): Promise<void> {
    this.#expireRequests(service, performance.now());
    while (service.waiting.length > 0 && service.requests.length > 0) {
      const worker = service.waiting.shift()!;
      const request = service.requests.shift()!;
      request.deliveries++;
      worker.holding = request;
      const sent = await this.#send(
        worker.id,
        workerEnvelope("REQUEST", request.client, request.body),
      );
      if (!sent) await this.#forget(worker, "it is unreachable");
    }
  }

  #expireRequests(service: ServiceEntry, now: number): void {
    const kept = service.requests.filter((r) => r.expires > now);
    for (const r of service.requests) {
      if (r.expires > now) continue;
      this.stats.expiredRequests++;
      this.#onEvent?.({ type: "request-expired", client: idKey(r.client), service: service.name });
    }
    service.requests = kept;
  }

  async #heartbeat(): Promise<void> {
    const now = performance.now();
    for (const worker of [...this.#workers.values()]) {
      if (!worker.liveness.alive(now)) {
        this.stats.expiredWorkers++;
        this.#onEvent?.({
          type: "worker-expired",
          worker: worker.key,
          service: worker.service.name,
        });
        await this.#forget(worker, "it stopped heartbeating", false);
        continue;
      }
      if (!(await this.#send(worker.id, workerCommand("HEARTBEAT")))) {
        await this.#forget(worker, "it is unreachable");
      }
    }
    for (const service of [...this.#services.values()]) {
      this.#expireRequests(service, now);
      if (service.workers.size === 0 && service.requests.length === 0) {
        this.#services.delete(service.name);
      }
    }
  }

  /** Sends DISCONNECT to a worker and forgets it (RFC 7: unexpected command). */
  async #disconnect(worker: BrokerWorker, reason: string): Promise<void> {
    await this.#sendDisconnect(worker.id);
    await this.#forget(worker, reason);
  }

  async #sendDisconnect(id: Uint8Array): Promise<void> {
    await this.#send(id, workerCommand("DISCONNECT"));
  }

  /** Removes a worker; the request it held goes back to the front of its queue. */
  async #forget(worker: BrokerWorker, reason: string, report = true): Promise<void> {
    if (this.#workers.get(worker.key) !== worker) return;
    this.#workers.delete(worker.key);
    const service = worker.service;
    service.workers.delete(worker);
    service.waiting = service.waiting.filter((w) => w !== worker);
    if (report) {
      this.#onEvent?.({
        type: "worker-disconnected",
        worker: worker.key,
        service: service.name,
        reason,
      });
    }
    const held = worker.holding;
    worker.holding = null;
    if (held === null) return;
    if (held.deliveries >= this.#maxDeliveries) {
      this.stats.abandoned++;
      this.#drop(held.client, `a request that ${held.deliveries} workers failed to answer`);
      return;
    }
    this.stats.redelivered++;
    this.#onEvent?.({ type: "redelivered", client: idKey(held.client), service: service.name });
    held.expires = performance.now() + this.#requestTimeout;
    service.requests.unshift(held);
    await this.#dispatch(service);
  }

  async #reply(client: Uint8Array, service: Uint8Array, body: Uint8Array[]): Promise<void> {
    if (await this.#send(client, clientReply(service, body))) this.stats.replies++;
    else this.#drop(client, "a reply to a client that is gone");
  }

  /** Sends without waiting; false if the peer is gone or not taking messages. */
  #send(id: Uint8Array, frames: Uint8Array[]): Promise<boolean> {
    return sendNow(this.#socket, [id, ...frames]);
  }

  #drop(peer: Uint8Array | undefined, reason: string): void {
    this.stats.dropped++;
    this.#onEvent?.({ type: "dropped", peer: peer ? idKey(peer) : "?", reason });
  }

  /** Stops serving and closes the socket (the {@linkcode Service} contract's `stop`). */
  protected override async onStop(): Promise<void> {
    await this.#loop.stop();
    this.#socket.close({ linger: 0 });
  }

  /**
   * Stops the broker and closes its socket.
   *
   * @deprecated Use {@linkcode MajordomoBroker.stop}: every service of the library ends with
   * `stop()`.
   *
   * @returns A promise that resolves once the broker has stopped.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, MajordomoBroker } from "../mod.ts";
   * await using ctx = new Context({ linger: 0 });
   * const broker = await new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*" }).start();
   * assert.equal(broker.running, true);
   * await broker.stop(); // was: await broker.close()
   * assert.equal(broker.running, false);
   * ```
   */
  close(): Promise<void> {
    return this.stop();
  }
}
