import type { Context } from "../core/context.ts";
import { zmqError } from "../core/errors.ts";
import type { Frame, OperationOptions, Socket } from "../core/socket.ts";
import { checkName } from "../core/_util.ts";
import { bodyFrames, EMPTY } from "./_frames.ts";
import { clientRequest, parseClientReply } from "./mdp.ts";

/** One reply read by an {@linkcode AsyncMajordomoClient}. */
export interface MajordomoReply {
  /** The service that answered. */
  service: string;
  /** The reply's body frames. */
  body: Uint8Array[];
}

/**
 * The asynchronous Majordomo client, MDP/0.1 (ZeroMQ RFC 7) over DEALER: send many requests,
 * then read the replies as they come (the zguide's `mdcliapi2`). It writes frame 0, the
 * empty frame, itself, as RFC 7 requires of a DEALER client.
 *
 * It never resends, so each request is delivered to a worker at most once by this client and
 * answered at most once; what is not answered in time is the caller's to report (a `recv`
 * timeout, code `EAGAIN`). Replies arrive in the order workers finish, not the order sent:
 * put an id in the body if the order matters. {@linkcode AsyncMajordomoClient.outstanding}
 * counts requests sent and not yet answered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AsyncMajordomoClient, Context, MajordomoBroker, MajordomoWorker } from "../mod.ts";
 * await using ctx = new Context({ linger: 0 });
 * const broker = new MajordomoBroker(ctx, { bind: "inproc://mdp-async-doc" });
 * const brokering = broker.run();
 * const worker = new MajordomoWorker(ctx, "inproc://mdp-async-doc", "echo");
 * const serving = worker.serve((request) => request);
 * using client = new AsyncMajordomoClient(ctx, "inproc://mdp-async-doc");
 * for (let i = 0; i < 3; i++) await client.send("echo", `request ${i}`);
 * const replies: string[] = [];
 * while (client.outstanding > 0) {
 *   const { body } = await client.recv({ timeout: 2500 }); // EAGAIN: the rest are lost
 *   replies.push(new TextDecoder().decode(body[0]));
 * }
 * assert.deepEqual(replies, ["request 0", "request 1", "request 2"]);
 * await worker.close();
 * await serving;
 * await broker.close();
 * await brokering;
 * ```
 */
export class AsyncMajordomoClient implements Disposable {
  /** The broker endpoint. */
  readonly endpoint: string;
  #socket: Socket;
  #outstanding = 0;

  /**
   * Connects a DEALER to the broker at `endpoint`. Throws a ZmqError for a bad endpoint.
   *
   * @param context The context for the DEALER socket.
   * @param endpoint The broker's endpoint.
   * @throws {ZmqError} The connect's error for a malformed endpoint.
   */
  constructor(context: Context, endpoint: string) {
    this.endpoint = endpoint;
    this.#socket = context.socket("DEALER");
    try {
      this.#socket.setOption("LINGER", 0);
      this.#socket.connect(endpoint);
    } catch (e) {
      this.#socket.close({ linger: 0 });
      throw e;
    }
  }

  /** Requests sent and not answered yet. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /**
   * Sends a request for `service` with `body` (one frame or several). Resolves once libzmq
   * has queued it; waits (or times out with `EAGAIN`) while the socket is at its high-water
   * mark.
   *
   * @param service The service's name (printable text, not `mmi.` unless a lookup).
   * @param body One frame or several.
   * @param options `timeout` in ms while the socket is at its high-water mark, `signal`.
   * @throws {ZmqError} Rejects with `EBADVALUE` for a bad service name, `EAGAIN` on timeout.
   */
  async send(
    service: string,
    body: Frame | Frame[],
    options: OperationOptions = {},
  ): Promise<void> {
    checkName(service, "service", "AsyncMajordomoClient.send");
    const frames = [
      EMPTY,
      ...clientRequest(service, bodyFrames(body, "AsyncMajordomoClient.send")),
    ];
    await this.#socket.send(frames, options);
    this.#outstanding++;
  }

  /**
   * Answers the next reply. Rejects with `EAGAIN` after `timeout` ms, the signal's reason when
   * aborted, `EPROTO` for a message that is not an MDP/0.1 reply (the socket stays usable).
   *
   * @param options `timeout` in ms, `signal`.
   * @returns The service that answered and the reply's body frames.
   * @throws {ZmqError} Rejects with `EAGAIN` on timeout, `EPROTO` for a message that is not a reply.
   */
  async recv(options: OperationOptions = {}): Promise<MajordomoReply> {
    const frames = await this.#socket.recvMultipart(options);
    const reply = parseClientReply(frames, true);
    if (reply.invalid !== undefined) {
      throw zmqError("EPROTO", reply.invalid, {
        op: "AsyncMajordomoClient.recv",
        socketType: "DEALER",
        endpoint: this.endpoint,
      });
    }
    if (this.#outstanding > 0) this.#outstanding--;
    return { service: reply.service, body: reply.body };
  }

  /** Closes the socket; replies still on their way are lost. Closing twice is harmless. */
  close(): void {
    this.#socket.close({ linger: 0 });
  }

  /** Closes the client (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
