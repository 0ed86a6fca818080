// The ZAP endpoint of one context in this isolate: a ROUTER bound on inproc://zeromq.zap.01 and
// the loop that answers it. libzmq skips ZAP when nothing is bound there (a CURVE server then
// accepts any key, a NULL server any address), so once an authenticator has served a context,
// the endpoint stays bound and refuses every request while no authenticator is attached, until
// the context closes. A new authenticator takes it over without a gap.
//
// Answers may be asynchronous (an awaited decision hook): many are in flight at once, up to
// MAX_IN_FLIGHT (beyond that a request is refused at once, so a storm of handshakes costs
// bounded memory and the loop keeps reading, which is how it learns that the context closed),
// and each is sent once, by whoever settles it first: the handler, its detach (which refuses
// what it left undecided) or the context's closing (which drops everything).
import type { Context, Socket } from "../core/mod.ts";
import { parseZapRequest, refusal, type ZapDecision, zapReply, type ZapRequest } from "./_zap.ts";
import { zmqError } from "../core/errors.ts";

/** The endpoint libzmq sends ZAP requests to (RFC 27). */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

/** Answers the requests of an endpoint while attached to it. */
export interface ZapHandler {
  /**
   * Decides about one request. `signal` aborts when the answer is no longer wanted (the handler
   * was detached or the context closed): the handler should then drop its timers.
   */
  answer(request: ZapRequest, signal: AbortSignal): ZapDecision | Promise<ZapDecision>;
  /** Told once the context closed while the handler was attached: it serves no more. */
  closed?(): void;
}

/** Requests being decided at once at most; more are refused until some are answered. */
const MAX_IN_FLIGHT = 256;
/** The loop lets timers and I/O run at least this often (ms) while requests keep coming. */
const TURN_MS = 10;

interface Pending {
  request: ZapRequest;
  handler: ZapHandler;
  controller: AbortController;
}

const endpoints = new WeakMap<Context, ZapEndpoint>();

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** One context's ZAP endpoint in this isolate (see the file's comment). */
export class ZapEndpoint {
  #socket: Socket;
  #handler: ZapHandler | null = null;
  #pending = new Set<Pending>();

  private constructor(socket: Socket) {
    this.#socket = socket;
    void this.#serve();
  }

  /**
   * Attaches `handler` to the context's endpoint, binding it first if this isolate has none.
   * Throws `EADDRINUSE` if another handler is attached or something else holds the endpoint,
   * `ECLOSED` if the context is closed.
   */
  static attach(context: Context, handler: ZapHandler): ZapEndpoint {
    let endpoint = endpoints.get(context);
    if (endpoint === undefined || endpoint.closed) {
      const socket = context.socket("ROUTER");
      try {
        socket.setOption("LINGER", 0);
        socket.bind(ZAP_ENDPOINT);
      } catch (e) {
        socket.close();
        throw e;
      }
      endpoint = new ZapEndpoint(socket);
      endpoints.set(context, endpoint);
    } else if (endpoint.#handler !== null && endpoint.#handler !== handler) {
      throw zmqError(
        "EADDRINUSE",
        "This context already has a running Authenticator (one ZAP handler per context)",
        { op: "Authenticator.start", endpoint: ZAP_ENDPOINT },
      );
    }
    endpoint.#handler = handler;
    return endpoint;
  }

  /**
   * Makes the context refuse every handshake that asks for ZAP until a handler is attached:
   * binds this isolate's endpoint with no handler if it has none. Where that cannot be done
   * (the context is closed, or something else serves its ZAP endpoint), it is left as it is:
   * `attach` reports it.
   */
  static reserve(context: Context): void {
    const endpoint = endpoints.get(context);
    if (endpoint !== undefined && !endpoint.closed) return;
    let socket: Socket | undefined;
    try {
      socket = context.socket("ROUTER");
      socket.setOption("LINGER", 0);
      socket.bind(ZAP_ENDPOINT);
    } catch {
      socket?.close();
      return;
    }
    endpoints.set(context, new ZapEndpoint(socket));
  }

  /** True once the context (and with it the endpoint's socket) is closed. */
  get closed(): boolean {
    return this.#socket.closed;
  }

  /** True while `handler` answers this endpoint. */
  serves(handler: ZapHandler): boolean {
    return this.#handler === handler && !this.closed;
  }

  /**
   * Detaches `handler`: from now on every request is refused, and those it has not answered
   * yet are refused now (a late answer of the handler is ignored).
   */
  detach(handler: ZapHandler): void {
    if (this.#handler === handler) this.#handler = null;
    for (const p of [...this.#pending]) {
      if (p.handler !== handler) continue;
      this.#settle(p, refusal(p.request, 400, "The authenticator stopped before it decided"));
      p.controller.abort();
    }
  }

  async #serve(): Promise<void> {
    let turn = performance.now();
    for (;;) {
      let frames: Uint8Array[];
      try {
        frames = await this.#socket.recvMultipart();
      } catch {
        break; // the context is closing
      }
      try {
        this.#handle(frames);
      } catch {
        // unanswered, the handshake times out: still closed, and the loop goes on
      }
      if (performance.now() - turn >= TURN_MS) {
        await macrotask(); // a burst of requests or a slow hook must not starve timers
        turn = performance.now();
      }
    }
    for (const p of [...this.#pending]) {
      this.#pending.delete(p);
      p.controller.abort();
    }
    const handler = this.#handler;
    this.#handler = null;
    handler?.closed?.();
  }

  #handle(frames: Uint8Array[]): void {
    const request = parseZapRequest(frames);
    if (request === null) return; // not a request anyone can be answered on
    const handler = this.#handler;
    if (handler === null) {
      this.#send(request, refusal(request, 400, "No authenticator is running on this context"));
      return;
    }
    if (this.#pending.size >= MAX_IN_FLIGHT) {
      this.#send(request, refusal(request, 500, "Too many handshakes are being decided"));
      return;
    }
    const pending: Pending = { request, handler, controller: new AbortController() };
    this.#pending.add(pending);
    let answer: ZapDecision | Promise<ZapDecision>;
    try {
      answer = handler.answer(request, pending.controller.signal);
    } catch {
      answer = refusal(request, 500, "Internal error while deciding");
    }
    if (answer instanceof Promise) {
      answer.then(
        (decision) => this.#settle(pending, decision),
        () => this.#settle(pending, refusal(request, 500, "Internal error while deciding")),
      );
    } else {
      this.#settle(pending, answer);
    }
  }

  /** Sends the answer of a pending request unless it was answered already. */
  #settle(pending: Pending, decision: ZapDecision): void {
    if (!this.#pending.delete(pending)) return;
    this.#send(pending.request, decision);
  }

  #send(request: ZapRequest, decision: ZapDecision): void {
    if (this.closed) return;
    // a ROUTER never waits to send; a closed socket or a gone peer just drops the reply
    try {
      this.#socket.send(zapReply(request, decision)).catch(() => {});
    } catch {
      // the same: the handshake fails without an answer
    }
  }
}
