import type { Context } from "../core/context.ts";
import { ZmqError } from "../core/errors.ts";
import type { Frame } from "../core/socket.ts";
import { checkInteger, checkName } from "../core/_util.ts";
import { bodyFrames, bytes, textOrNull } from "./_frames.ts";
import { delay } from "./_run.ts";
import { MajordomoClient } from "./mdp_client.ts";
import type { LazyPirateOptions } from "./lazy_pirate.ts";

/** Options of a {@linkcode TitanicClient}. */
export interface TitanicClientOptions extends Omit<LazyPirateOptions, "onRetry"> {
  /** How long to wait between asking for a reply that is still pending, in ms. Default 1000. */
  pollInterval?: number;
}

/** Options of one {@linkcode TitanicClient.request}. */
export interface TitanicRequestOptions {
  /** Stops waiting when aborted; the request stays stored (its id is lost to the caller). */
  signal?: AbortSignal;
  /** Called with the request's id once Titanic has stored it. */
  onStored?: (uuid: string) => void;
}

/** What Titanic answered for a reply: the reply, or that it is still pending. */
export type TitanicReply =
  | { status: "200"; body: Uint8Array[] }
  | { status: "300" };

/**
 * Titanic said no: status `"400"` (unknown id, or a malformed request: do not retry) or
 * `"500"` (Titanic failed: try later). A {@linkcode ZmqError} with code `"ETITANIC"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TitanicError } from "../mod.ts";
 * const e = new TitanicError("titanic.reply", "400");
 * assert.equal(e.code, "ETITANIC");
 * assert.equal(e.status, "400");
 * ```
 */
export class TitanicError extends ZmqError {
  /** The status Titanic answered. */
  readonly status: string;
  /**
   * Builds the error for `status` answered by `service`.
   *
   * @param service The Titanic service that answered (`"titanic.reply"`, say).
   * @param status The status it answered.
   */
  constructor(service: string, status: string) {
    super("ETITANIC", 0, `${service} answered ${JSON.stringify(status)}`, { op: service });
    this.name = "TitanicError";
    this.status = status;
  }
}

/**
 * A client of Titanic (ZeroMQ RFC 9) through a Majordomo broker: store a request, fetch its
 * reply later (even after the broker, Titanic or the worker restarted), then close it.
 * Underneath is a {@linkcode MajordomoClient}, so each call retries over fresh sockets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MajordomoBroker, TitanicClient, TitanicServer } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * const broker = new MajordomoBroker(ctx, { bind: "inproc://titanic-client-doc" });
 * const server = new TitanicServer(ctx, { broker: "inproc://titanic-client-doc", store: ":memory:" });
 * const running = [broker.run(), server.run()];
 * using titanic = new TitanicClient(ctx, "inproc://titanic-client-doc");
 * const uuid = await titanic.submit("echo", "Hello"); // stored: safe from here on
 * assert.deepEqual(await titanic.fetch(uuid), { status: "300" }); // no echo worker yet
 * await titanic.close(uuid); // done with it: Titanic forgets request and reply
 * await server.close();
 * await broker.close();
 * await Promise.all(running);
 * ```
 */
export class TitanicClient implements Disposable {
  /** How long to wait between polls of a pending reply, in ms. */
  readonly pollInterval: number;
  #client: MajordomoClient;

  /**
   * Connects to the broker at `endpoint`. Throws a ZmqError for bad options or endpoint.
   *
   * @param context The context for the client's REQ sockets.
   * @param endpoint The Majordomo broker's endpoint.
   * @param options `pollInterval` (ms, default 1000), and the Lazy Pirate `timeout` and `retries`.
   * @throws {ZmqError} `EBADVALUE` for bad options, the connect's error for a bad endpoint.
   */
  constructor(context: Context, endpoint: string, options: TitanicClientOptions = {}) {
    this.pollInterval = checkInteger(
      options.pollInterval ?? 1000,
      "pollInterval",
      "TitanicClient",
      1,
    );
    this.#client = new MajordomoClient(context, endpoint, options);
  }

  /** How many times the client replaced its socket after a timeout (retries), in all. */
  get reconnects(): number {
    return this.#client.reconnects;
  }

  /**
   * Stores a request for `service` and answers its id once Titanic has committed it. Rejects
   * with a {@linkcode TitanicError} for a status other than 200, and as
   * {@linkcode MajordomoClient.request} does when the broker does not answer.
   *
   * @param service The service to ask, through the broker.
   * @param body One frame or several.
   * @param options `signal` to give up early.
   * @returns The request's id (a UUID).
   * @throws {ZmqError} Rejects with {@linkcode TitanicError} (`ETITANIC`), `EUNREACHABLE`.
   */
  async submit(
    service: string,
    body: Frame | Frame[],
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    checkName(service, "service", "TitanicClient.submit");
    const frames = [bytes(service), ...bodyFrames(body, "TitanicClient.submit")];
    const [status, uuid] = await this.#call("titanic.request", frames, options.signal);
    const id = uuid;
    if (status !== "200" || id === null) throw new TitanicError("titanic.request", status ?? "");
    return id;
  }

  /**
   * Asks for the reply to `uuid`: `{ status: "200", body }` or `{ status: "300" }` (pending).
   *
   * @param uuid An id that {@linkcode TitanicClient.submit} answered.
   * @param options `signal` to give up early.
   * @returns `{ status: "200", body }` or `{ status: "300" }` (pending).
   * @throws {ZmqError} Rejects with {@linkcode TitanicError} for another status, `EUNREACHABLE`.
   */
  async fetch(uuid: string, options: { signal?: AbortSignal } = {}): Promise<TitanicReply> {
    const reply = await this.#client.request("titanic.reply", uuid, options);
    const status = textOrNull(reply[0]) ?? "";
    if (status === "200") return { status, body: reply.slice(1) };
    if (status === "300") return { status };
    throw new TitanicError("titanic.reply", status);
  }

  /**
   * Tells Titanic the reply to `uuid` was processed: it deletes request and reply.
   *
   * @param uuid The request's id.
   * @param options `signal` to give up early.
   * @throws {ZmqError} Rejects with `EUNREACHABLE` when the broker does not answer.
   */
  async close(uuid: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const [status] = await this.#call("titanic.close", [bytes(uuid)], options.signal);
    if (status !== "200") throw new TitanicError("titanic.close", status ?? "");
  }

  /**
   * The whole exchange: {@linkcode TitanicClient.submit}, then
   * {@linkcode TitanicClient.fetch} every `pollInterval` ms until the reply is there, then
   * {@linkcode TitanicClient.close}; answers the reply's body frames. A `"500"` from Titanic
   * is retried after `pollInterval`.
   *
   * @param service The service to ask, through the broker.
   * @param body One frame or several.
   * @param options `signal`, and `onStored` called with the id once stored.
   * @returns The reply's body frames.
   * @throws {ZmqError} Rejects with {@linkcode TitanicError}, `EUNREACHABLE`, or the signal's reason.
   */
  async request(
    service: string,
    body: Frame | Frame[],
    options: TitanicRequestOptions = {},
  ): Promise<Uint8Array[]> {
    const { signal } = options;
    const uuid = await this.#patiently(() => this.submit(service, body, { signal }), signal);
    options.onStored?.(uuid);
    for (;;) {
      const reply = await this.#patiently(() => this.fetch(uuid, { signal }), signal);
      if (reply.status === "200") {
        await this.#patiently(() => this.close(uuid, { signal }), signal);
        return reply.body;
      }
      await delay(this.pollInterval, signal);
    }
  }

  /** Retries `call` after `pollInterval` while Titanic answers "500". */
  async #patiently<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (e) {
        if (!(e instanceof TitanicError && e.status === "500")) throw e;
        await delay(this.pollInterval, signal);
      }
    }
  }

  async #call(
    service: string,
    frames: Uint8Array[],
    signal?: AbortSignal,
  ): Promise<(string | null)[]> {
    const reply = await this.#client.request(service, frames, { signal });
    return reply.map((f) => textOrNull(f));
  }

  /** Closes the client's socket. Closing twice is harmless. */
  dispose(): void {
    this.#client.close();
  }

  /** Closes the client (for `using`). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
