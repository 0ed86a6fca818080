import type { Context } from "../core/context.ts";
import { closedError, ZmqError, zmqError } from "../core/errors.ts";
import type { Frame, Socket } from "../core/socket.ts";
import { checkInteger } from "../core/_util.ts";

const OP = "LazyPirateClient";
/** The options are checked as integers with no upper bound (a timeout beyond setTimeout's
 * range waits forever, as a recv's does). */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Options for a {@linkcode LazyPirateClient}. */
export interface LazyPirateOptions {
  /** Milliseconds to wait for each reply before giving up on that attempt. Default 2500. */
  timeout?: number;
  /**
   * How many times a request is sent again after a timeout, so a request is tried at most
   * `retries + 1` times. Default 3.
   */
  retries?: number;
  /**
   * Called before each retry with the attempt about to be made (2, 3, ...) and the error that
   * ended the previous one. Useful for logging.
   */
  onRetry?: (attempt: number, error: ZmqError) => void;
}

/** Options for one {@linkcode LazyPirateClient.request}. */
export interface PirateRequestOptions {
  /** Stops waiting (and retrying) when aborted; the request rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Raised by {@linkcode LazyPirateClient.request} when the server did not answer any of the
 * attempts: a {@linkcode ZmqError} with code `"EUNREACHABLE"` that names the endpoint and
 * the number of attempts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnreachableError } from "../mod.ts";
 * const e = new UnreachableError("tcp://127.0.0.1:5555", 4, 2500);
 * assert.equal(e.code, "EUNREACHABLE");
 * assert.equal(e.attempts, 4);
 * assert.equal(e.endpoint, "tcp://127.0.0.1:5555");
 * ```
 */
export class UnreachableError extends ZmqError {
  /** How many times the request was sent. */
  readonly attempts: number;
  /** The per-attempt timeout, in ms. */
  readonly timeout: number;

  /**
   * Builds the error for `endpoint` after `attempts` attempts of `timeout` ms each.
   *
   * @param endpoint the server endpoint that did not answer
   * @param attempts how many times the request was sent
   * @param timeout the per-attempt timeout in ms
   */
  constructor(endpoint: string, attempts: number, timeout: number) {
    super(
      "EUNREACHABLE",
      0,
      `Server did not reply to ${attempts} attempt${
        attempts === 1 ? "" : "s"
      } of ${timeout} ms each; giving up`,
      { op: "request", socketType: "REQ", endpoint },
    );
    this.name = "UnreachableError";
    this.attempts = attempts;
    this.timeout = timeout;
  }
}

/**
 * A request client that survives a server restart: the zguide's "Lazy Pirate".
 *
 * A plain REQ socket gets stuck when its server dies between a request and the reply: the REQ
 * waits for a reply forever, and may not send again (lockstep). This client waits at most
 * `timeout` ms for each reply. After a timeout it closes the REQ socket (LINGER 0, dropping the
 * unanswered request), opens a fresh one connected to the same endpoint, and sends the request
 * again, up to `retries` times. If the server stays gone, the request rejects with an
 * {@linkcode UnreachableError} (code `"EUNREACHABLE"`).
 *
 * What it does not do: a request may reach the server more than once (the first copy may have
 * been processed before the reply was lost), so requests should be idempotent or carry an id
 * the server can deduplicate. Replies from an abandoned socket never reach the new one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, LazyPirateClient } from "../mod.ts";
 * using ctx = new Context();
 * using server = ctx.socket("REP");
 * server.bind("inproc://lazy-pirate-doc");
 * using client = new LazyPirateClient(ctx, "inproc://lazy-pirate-doc", { timeout: 1000 });
 * const reply = client.request("ping");
 * await server.send(await server.recv());
 * assert.equal(new TextDecoder().decode((await reply)[0]), "ping");
 * ```
 */
export class LazyPirateClient implements Disposable {
  /** The server endpoint this client connects to. */
  readonly endpoint: string;
  /** Per-attempt timeout in ms. */
  readonly timeout: number;
  /** Retries after the first attempt. */
  readonly retries: number;
  /** How many times the REQ socket was replaced after a timeout, over this client's life. */
  reconnects = 0;
  #context: Context;
  #socket: Socket | null;
  #onRetry?: (attempt: number, error: ZmqError) => void;
  #busy = false;
  #closed = false;

  /**
   * Connects a new client to `endpoint` on `context`. Throws a ZmqError at once for a
   * malformed endpoint or bad options.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Context, LazyPirateClient } from "../mod.ts";
   * using ctx = new Context();
   * using client = new LazyPirateClient(ctx, "inproc://lazy-pirate-server", {
   *   timeout: 2500,
   *   retries: 3,
   * });
   * assert.equal(client.timeout, 2500);
   * assert.throws(() => new LazyPirateClient(ctx, "inproc://lazy-pirate-server", { retries: -1 }), {
   *   code: "EBADVALUE",
   * });
   * ```
   *
   * @param context The context for the REQ sockets (one at a time).
   * @param endpoint The server's endpoint.
   * @param options `timeout` per attempt (ms, default 2500), `retries` (default 3), `onRetry`.
   * @throws {ZmqError} `EBADVALUE` for bad options, `EINVAL` for a malformed endpoint.
   */

  constructor(context: Context, endpoint: string, options: LazyPirateOptions = {}) {
    this.timeout = checkInteger(options.timeout ?? 2500, "timeout", OP, 1, UNBOUNDED);
    this.retries = checkInteger(options.retries ?? 3, "retries", OP, 0, UNBOUNDED);
    this.endpoint = endpoint;
    this.#context = context;
    this.#onRetry = options.onRetry;
    this.#socket = this.#open();
  }

  #open(): Socket {
    const socket = this.#context.socket("REQ");
    try {
      socket.setOption("LINGER", 0);
      socket.connect(this.endpoint);
    } catch (e) {
      socket.close({ linger: 0 });
      throw e;
    }
    return socket;
  }

  /** True once {@linkcode LazyPirateClient.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends `message` (one frame or several) and answers the reply's frames. Retries after each
   * timeout with a fresh socket; rejects with {@linkcode UnreachableError} when every attempt
   * timed out, with the signal's reason when aborted, and with other ZmqErrors as they come
   * (e.g. `"ECLOSED"` if the client was closed meanwhile). Requests on one client run one at a
   * time: a second call while one is pending rejects with code `"EBUSY"`.
   *
   * @param message The request: one frame or several.
   * @param options `signal` to give up early (each attempt waits `timeout` ms).
   * @returns The reply's frames.
   * @throws {ZmqError} Rejects with {@linkcode UnreachableError} (`EUNREACHABLE`) after the last
   * attempt, `EBUSY` while another request is pending, `ECLOSED` once closed.
   */
  async request(
    message: Frame | Frame[],
    options: PirateRequestOptions = {},
  ): Promise<Uint8Array[]> {
    if (this.#closed) {
      throw closedError("Client is closed", {
        op: "request",
        socketType: "REQ",
        endpoint: this.endpoint,
      });
    }
    if (this.#busy) {
      throw zmqError(
        "EBUSY",
        "A request is already pending on this client; await it first (REQ is lockstep)",
        { op: "request", socketType: "REQ", endpoint: this.endpoint },
      );
    }
    const signal = options.signal;
    this.#busy = true;
    try {
      const attempts = this.retries + 1;
      for (let attempt = 1;; attempt++) {
        signal?.throwIfAborted();
        const socket = this.#socket ??= this.#open();
        try {
          await socket.send(message, { timeout: this.timeout, signal });
          return await socket.recvMultipart({ timeout: this.timeout, signal });
        } catch (e) {
          // The REQ socket may now be stuck waiting for a reply that will not come (lockstep),
          // so drop it, and the request it holds; the next attempt or request opens a new one.
          socket.close({ linger: 0 });
          if (this.#socket === socket) this.#socket = null;
          if (!(e instanceof ZmqError) || e.code !== "EAGAIN" || this.#closed) throw e;
          if (attempt >= attempts) throw new UnreachableError(this.endpoint, attempt, this.timeout);
          this.reconnects++;
          this.#onRetry?.(attempt + 1, e);
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Like {@linkcode LazyPirateClient.request}, for a text request and a text reply.
   *
   * @param message The request as text.
   * @param options `signal` to give up early.
   * @returns The reply's first frame as text.
   * @throws {ZmqError} As {@linkcode LazyPirateClient.request}, and `EBADUTF8` for a reply that is
   * not text.
   */
  async requestString(message: string, options: PirateRequestOptions = {}): Promise<string> {
    const frames = await this.request(message, options);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(frames[0]);
    } catch {
      throw zmqError("EBADUTF8", "Reply is not valid UTF-8", {
        op: "requestString",
        socketType: "REQ",
        endpoint: this.endpoint,
      });
    }
  }

  /** Closes the client's socket (dropping any unanswered request). Closing twice is harmless. */
  close(): void {
    this.#closed = true;
    this.#socket?.close({ linger: 0 });
    this.#socket = null;
  }

  /** Closes the client (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
