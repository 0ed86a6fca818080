import type { Context } from "../core/context.ts";
import { zmqError } from "../core/errors.ts";
import type { Frame } from "../core/socket.ts";
import { checkName } from "../core/_util.ts";
import { bodyFrames } from "./_frames.ts";
import {
  LazyPirateClient,
  type LazyPirateOptions,
  type PirateRequestOptions,
} from "./lazy_pirate.ts";
import { clientRequest, parseClientReply } from "./mdp.ts";

/** Options of a {@linkcode MajordomoClient}: per-attempt timeout, retries, retry callback. */
export type MajordomoClientOptions = LazyPirateOptions;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The synchronous Majordomo client, MDP/0.1 (ZeroMQ RFC 7) over REQ: one request at a time,
 * each waiting at most `timeout` ms per attempt; after a timeout the REQ socket is replaced
 * and the request sent again, up to `retries` times (the strategy RFC 7 recommends), then
 * the request rejects with an {@linkcode UnreachableError} (`EUNREACHABLE`).
 *
 * Every reply the application gets answers its own request: a reply to an abandoned attempt
 * goes to the closed socket and is lost. A request may be executed more than once (the first
 * attempt may have reached a worker); RFC 7 assumes idempotent workers. A reply that is not
 * MDP/0.1, or names another service, rejects with `EPROTO`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MajordomoClient, UnreachableError } from "../mod.ts";
 * using ctx = new Context({ linger: 0 });
 * // No broker listens here: each attempt times out, then the request gives up.
 * using client = new MajordomoClient(ctx, "inproc://mdp-client-nobody", { timeout: 100, retries: 2 });
 * await assert.rejects(
 *   client.request("echo", ["Hello", "world"]), // with a broker: the reply's frames
 *   (e) => e instanceof UnreachableError && e.code === "EUNREACHABLE" && e.attempts === 3,
 * );
 * ```
 */
export class MajordomoClient implements Disposable {
  #pirate: LazyPirateClient;

  /**
   * Connects to the broker at `endpoint`. Throws a ZmqError for a bad endpoint or options.
   *
   * @param context The context for the REQ sockets.
   * @param endpoint The broker's endpoint.
   * @param options `timeout` per attempt (ms, default 2500), `retries` (default 3), `onRetry`.
   * @throws {ZmqError} `EBADVALUE` for bad options, the connect's error for a bad endpoint.
   */
  constructor(context: Context, endpoint: string, options: MajordomoClientOptions = {}) {
    this.#pirate = new LazyPirateClient(context, endpoint, options);
  }

  /** The broker endpoint. */
  get endpoint(): string {
    return this.#pirate.endpoint;
  }

  /** How many times the REQ socket was replaced after a timeout. */
  get reconnects(): number {
    return this.#pirate.reconnects;
  }

  /**
   * Sends `body` (one frame or several) to `service` and answers the reply's body frames.
   * Rejects with `EUNREACHABLE` when every attempt timed out, `EPROTO` for a malformed reply,
   * `EBUSY` while another request is pending, `ECLOSED` once closed, or the signal's reason.
   *
   * @param service The service's name.
   * @param body One frame or several.
   * @param options `signal` to give up early.
   * @returns The reply's body frames.
   * @throws {ZmqError} Rejects with `EUNREACHABLE`, `EPROTO`, `EBUSY` or `ECLOSED` (see above).
   */
  async request(
    service: string,
    body: Frame | Frame[],
    options: PirateRequestOptions = {},
  ): Promise<Uint8Array[]> {
    checkName(service, "service", "MajordomoClient.request");
    const frames = clientRequest(service, bodyFrames(body, "MajordomoClient.request"));
    const reply = parseClientReply(await this.#pirate.request(frames, options), false);
    if (reply.invalid !== undefined || reply.service !== service) {
      throw zmqError(
        "EPROTO",
        reply.invalid ?? `The reply names service ${JSON.stringify(reply.service)}`,
        { op: "MajordomoClient.request", socketType: "REQ", endpoint: this.endpoint },
      );
    }
    return reply.body;
  }

  /**
   * Like {@linkcode MajordomoClient.request} for text: answers the reply's frames as text.
   *
   * @param service The service's name.
   * @param body One text frame or several.
   * @param options `signal` to give up early.
   * @returns The reply's frames as text.
   * @throws {ZmqError} As {@linkcode MajordomoClient.request}, and `EBADUTF8`.
   */
  async requestText(
    service: string,
    body: string | string[],
    options: PirateRequestOptions = {},
  ): Promise<string[]> {
    return decodeAll(await this.request(service, body, options), "MajordomoClient.requestText");
  }

  /** Closes the client's socket. Closing twice is harmless. */
  close(): void {
    this.#pirate.close();
  }

  /** Closes the client (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Decodes every frame as UTF-8, or throws EBADUTF8 naming `op`. */
export function decodeAll(frames: Uint8Array[], op: string): string[] {
  try {
    return frames.map((f) => utf8.decode(f));
  } catch {
    throw zmqError("EBADUTF8", "A reply frame is not valid UTF-8", { op });
  }
}
