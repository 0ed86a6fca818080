// A ZAP authenticator (ZeroMQ RFC 27, ZAP 1.0) served in-process: the rules of _rules.ts,
// answered on the context's ZAP endpoint (_zap_endpoint.ts) by an async loop on the JS thread,
// through the optional decision hook (_hook.ts). libzmq's I/O thread asks about every PLAIN or
// CURVE handshake (and NULL ones on sockets with a ZAP_DOMAIN) and waits for the answer
// without blocking anyone.
import type { Context, ZmqError } from "../core/mod.ts";
import { Service } from "../core/service.ts";
import { DecisionHook } from "./_hook.ts";
import { identified, Rules } from "./_rules.ts";
import type { ZapDecision, ZapIdentity, ZapRequest } from "./_zap.ts";
import { ZAP_ENDPOINT, ZapEndpoint, type ZapHandler } from "./_zap_endpoint.ts";
import { badValue } from "../core/errors.ts";

export { ZAP_ENDPOINT };
export type { ZapDecision, ZapIdentity };

/** Options of {@linkcode Authenticator.configureCurve}. */
export interface CurveAuthOptions {
  /** The ZAP domain these rules are for; `"*"` (the default) is every domain. */
  domain?: string;
  /** Accept any client key (the connection is still encrypted). Default false. */
  allowAny?: boolean;
  /** The client public keys allowed in, as 40-character Z85 strings or 32 bytes. */
  publicKeys?: Iterable<string | Uint8Array>;
}

/** Options of {@linkcode Authenticator.configurePlain}. */
export interface PlainAuthOptions {
  /** The ZAP domain these rules are for; `"*"` (the default) is every domain. */
  domain?: string;
  /** Username → password (at most 255 UTF-8 bytes each, PLAIN's limit). */
  passwords: Record<string, string> | Map<string, string>;
}

/** Options of a new {@linkcode Authenticator}. */
export interface AuthenticatorOptions {
  /**
   * Called with every decision before it is answered, e.g. to log or audit it; it may be async
   * and is then awaited (the handshake waits). It sees a frozen copy and cannot change the
   * answer. If it throws, rejects or runs out of time (`hookTimeout`), the peer is refused with
   * status 500 and the failure goes to `onError`. After running out of time it is left out for
   * as long as it overran (doubling while it keeps overrunning, at most a minute): requests are
   * refused meanwhile, so a hook that blocks cannot monopolise the JS thread.
   */
  onDecision?: (decision: Readonly<ZapDecision>) => void;
  /**
   * Told about every failure of `onDecision`: a ZmqError of code `EHOOK` (it threw or
   * rejected, or is left out; the hook's error is the `cause`) or `ETIMEDOUT`, and the refusal
   * that was answered. Without it, failures are printed with `console.error`, at most once per
   * 10 s.
   */
  onError?: (error: ZmqError, decision: Readonly<ZapDecision>) => void;
  /**
   * How long `onDecision` may take, in ms (default 1000). Keep it below the server sockets'
   * `HANDSHAKE_IVL` (libzmq's default 30000): an answer after that comes too late anyway.
   */
  hookTimeout?: number;
  /**
   * Says who an admitted peer is: called with every decision that lets a peer in (before
   * `onDecision`, which sees the result), it may answer a {@linkcode ZapIdentity}, a user id and
   * metadata that every message from the peer then carries (`message.get("User-Id")`,
   * `message.get("X-Tenant")`), or nothing to keep the default (the PLAIN username or the Z85
   * CURVE key, no metadata). It must answer at once. If it throws or answers something invalid,
   * the peer is refused (status 500). A property set here wins over the peer's own `METADATA`
   * of the same name.
   */
  identify?: (decision: Readonly<ZapDecision>) => ZapIdentity | undefined | void;
}

const DEFAULT_HOOK_TIMEOUT = 1000;

function checkOptions(options: unknown): AuthenticatorOptions {
  const op = "new Authenticator";
  if (options === undefined) return {};
  if (options === null || typeof options !== "object") {
    throw badValue("Authenticator options must be an object", { op: op });
  }
  const o = options as Record<string, unknown>;
  for (const name of ["onDecision", "onError", "identify"]) {
    if (o[name] !== undefined && typeof o[name] !== "function") {
      throw badValue(`${name} must be a function; got ${typeof o[name]}`, { op: op });
    }
  }
  const t = o.hookTimeout;
  if (
    t !== undefined && (typeof t !== "number" || !(t > 0) || !Number.isFinite(t) || t > 2 ** 31 - 1)
  ) {
    throw badValue(`hookTimeout is a number of ms above 0 (at most 2^31 - 1); got ${String(t)}`, {
      op: op,
    });
  }
  return o as AuthenticatorOptions;
}

/**
 * A ZAP authenticator for one {@linkcode Context}, in the spirit of pyzmq's `zmq.auth`: allow or
 * deny by IP address, PLAIN usernames and passwords, CURVE client keys (a set of allowed keys, or
 * any key). It only affects sockets of the same context, and only server sockets (those with
 * `PLAIN_SERVER` or `CURVE_SERVER` set, or a `ZAP_DOMAIN` for NULL security). Start it before
 * the server socket binds.
 *
 * It fails closed: once started on a context, that context refuses every handshake that asks
 * for ZAP and gets no decision, after {@linkcode Authenticator.stop} too, until the context
 * closes (or another authenticator takes over). One authenticator serves a context at a time.
 *
 * A {@linkcode Service}: `start()` resolves once it serves the context's ZAP endpoint, `stop()`
 * stops deciding (the context keeps refusing, see above), `done` settles then, `await using`
 * stops it. It may start again after a stop.
 *
 * Rules, per handshake: if an allow list is set, only those addresses pass; otherwise addresses
 * on the deny list are refused. Then NULL passes, PLAIN needs a matching username and password,
 * CURVE needs a configured key (or `allowAny`). Rules are looked up for the socket's
 * `ZAP_DOMAIN`, then for `"*"`. Anything not configured is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Authenticator, Context, curveKeypair, makeCurveClient, makeCurveServer } from "../mod.ts";
 * await using ctx = new Context();
 * const server = curveKeypair();
 * const client = curveKeypair();
 * await using auth = await new Authenticator(ctx).start();
 * auth.configureCurve({ publicKeys: [client.publicKey] });
 * using rep = ctx.socket("REP");
 * makeCurveServer(rep, server);
 * const port = rep.bindToRandomPort();
 * using req = ctx.socket("REQ");
 * makeCurveClient(req, server.publicKey, client);
 * req.connect(`tcp://127.0.0.1:${port}`);
 * await req.send("hello");
 * assert.equal(await rep.recvString(), "hello");
 * ```
 */
export class Authenticator extends Service implements Disposable {
  /** The context whose handshakes this authenticator answers. */
  readonly context: Context;
  #rules = new Rules();
  #hook: DecisionHook | null;
  #identify: AuthenticatorOptions["identify"];
  #endpoint: ZapEndpoint | null = null;
  #handler: ZapHandler = {
    answer: (request, signal) => this.#answer(request, signal),
    closed: () => this.ended(), // the context closed: nothing left to serve
  };

  /**
   * Makes an authenticator for `context`; call {@linkcode Authenticator.start} to serve. From
   * now on the context refuses every handshake that asks for ZAP (CURVE and PLAIN servers, NULL
   * ones with a ZAP_DOMAIN) until it serves, and again after it stopped: it fails closed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Authenticator, type AuthenticatorOptions, connectAndWait, Context } from "../mod.ts";
   * type Decision = Parameters<NonNullable<AuthenticatorOptions["onDecision"]>>[0];
   * await using ctx = new Context();
   * const decisions: Decision[] = [];
   * await using auth = await new Authenticator(ctx, {
   *   onDecision: (d) => void decisions.push(d), // sees every answer; cannot change it
   *   onError: (e) => console.error(e.code, e.message),
   *   hookTimeout: 1000,
   * }).start();
   * using rep = ctx.socket("REP");
   * rep.setOption("ZAP_DOMAIN", "global"); // NULL asks the authenticator only with a domain
   * const port = rep.bindToRandomPort();
   * using req = ctx.socket("REQ");
   * await connectAndWait(req, `tcp://127.0.0.1:${port}`, { timeout: 5000 });
   * assert.equal(decisions.length, 1);
   * assert.equal(decisions[0].mechanism, "NULL");
   * assert.equal(decisions[0].allowed, true);
   * assert.equal(auth.running, true);
   * ```
   *
   * @param context The context whose handshakes it will answer.
   * @param options A decision hook, its error handler and its time limit.
   * @throws {ZmqError} `EBADVALUE` for a context that is not a Context or bad options.
   */
  constructor(context: Context, options?: AuthenticatorOptions) {
    super("Authenticator", { restartable: true });
    if (context === null || typeof context !== "object" || typeof context.socket !== "function") {
      throw badValue("Authenticator takes a Context", { op: "new Authenticator" });
    }
    const { onDecision, onError, hookTimeout, identify } = checkOptions(options);
    this.context = context;
    // from now on the context refuses what asks for ZAP until this authenticator serves it:
    // libzmq would let any CURVE client in while nothing is bound to the ZAP endpoint
    ZapEndpoint.reserve(context);
    this.#identify = identify;
    this.#hook = onDecision
      ? new DecisionHook({ onDecision, onError, timeout: hookTimeout ?? DEFAULT_HOOK_TIMEOUT })
      : null;
  }

  /** True while the authenticator serves its context's ZAP requests. */
  override get running(): boolean {
    return super.running && (this.#endpoint?.serves(this.#handler) ?? false);
  }

  /**
   * Starts answering the context's ZAP requests (the {@linkcode Service} contract's `start`):
   * binds the ZAP endpoint, or takes it over from a stopped authenticator of the same context.
   * `start()` rejects with a ZmqError of code `EADDRINUSE` if another authenticator (or anything
   * else) serves the context, `ECLOSED` if the context is closed.
   */
  protected override onStart(): void {
    this.#endpoint = ZapEndpoint.attach(this.context, this.#handler);
  }

  /**
   * Stops deciding (the {@linkcode Service} contract's `stop`). The context keeps refusing
   * every handshake that asks for ZAP (CURVE and PLAIN servers, NULL ones with a ZAP_DOMAIN),
   * those in progress included, until another authenticator starts on it or it closes: libzmq
   * would let a CURVE client in without asking if nobody served the ZAP endpoint. The refusing
   * keeps a receive pending, so close the context when done.
   */
  protected override onStop(): void {
    this.#endpoint?.detach(this.#handler);
    this.#endpoint = null;
  }

  /** Stops the authenticator (for `using`): it stops deciding at once. */
  [Symbol.dispose](): void {
    void this.stop();
  }

  /**
   * Lets only these IP addresses in (every other address is refused). Cannot be combined with
   * {@linkcode Authenticator.deny}. Addresses are IPv4 or IPv6 text; host names and ranges are
   * refused with `EBADVALUE` (they would never match). An IPv4 client of a dual-stack socket
   * (`::ffff:10.0.0.1`) matches its IPv4 address.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Authenticator, connectAndWait, Context } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = await new Authenticator(ctx).start();
   * auth.allow("127.0.0.1", "::1");
   * using rep = ctx.socket("REP");
   * rep.setOption("ZAP_DOMAIN", "global");
   * const port = rep.bindToRandomPort();
   * using req = ctx.socket("REQ");
   * const event = await connectAndWait(req, `tcp://127.0.0.1:${port}`, { timeout: 5000 });
   * assert.equal(event.event, "handshake_succeeded"); // let in
   * ```
   *
   * @param addresses IPv4 or IPv6 addresses in text form.
   * @returns The authenticator, for chaining.
   * @throws {ZmqError} `EBADVALUE` for an address that is not one, or when a deny list is set.
   */
  allow(...addresses: string[]): this {
    this.#rules.addAddresses("allow", addresses);
    return this;
  }

  /**
   * Refuses these IP addresses (IPv4 or IPv6 text, as for {@linkcode Authenticator.allow}).
   * Cannot be combined with {@linkcode Authenticator.allow}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Authenticator, connectAndWait, Context } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = await new Authenticator(ctx).start();
   * auth.deny("192.0.2.7", "127.0.0.1");
   * using rep = ctx.socket("REP");
   * rep.setOption("ZAP_DOMAIN", "global");
   * const port = rep.bindToRandomPort();
   * using req = ctx.socket("REQ");
   * await assert.rejects(connectAndWait(req, `tcp://127.0.0.1:${port}`, { timeout: 5000 }), {
   *   code: "EHANDSHAKE",
   * });
   * ```
   *
   * @param addresses IPv4 or IPv6 addresses in text form.
   * @returns The authenticator, for chaining.
   * @throws {ZmqError} `EBADVALUE` for an address that is not one, or when an allow list is set.
   */
  deny(...addresses: string[]): this {
    this.#rules.addAddresses("deny", addresses);
    return this;
  }

  /**
   * Sets the PLAIN usernames and passwords for a domain (replacing earlier ones). Errors never
   * quote a password.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Authenticator, connectAndWait, Context, makePlainClient, makePlainServer } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = await new Authenticator(ctx).start();
   * auth.configurePlain({ passwords: { admin: "secret" } });
   * using rep = ctx.socket("REP");
   * makePlainServer(rep);
   * const port = rep.bindToRandomPort();
   * using admin = ctx.socket("REQ");
   * makePlainClient(admin, "admin", "secret");
   * await connectAndWait(admin, `tcp://127.0.0.1:${port}`, { timeout: 5000 });
   * using guess = ctx.socket("REQ");
   * makePlainClient(guess, "admin", "password");
   * await assert.rejects(connectAndWait(guess, `tcp://127.0.0.1:${port}`, { timeout: 5000 }), {
   *   code: "EHANDSHAKE",
   * });
   * ```
   *
   * @param options `passwords` (username to password) and the `domain` (default `"*"`).
   * @returns The authenticator, for chaining.
   * @throws {ZmqError} `EBADVALUE` for a malformed table (the message never quotes a password).
   */
  configurePlain(options: PlainAuthOptions): this {
    this.#rules.setPasswords(options);
    return this;
  }

  /**
   * Sets the CURVE rule for a domain (replacing an earlier one): the client public keys allowed
   * in, or `allowAny`. Keys are checked now; a bad key throws a ZmqError of code `EINVAL`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Authenticator, Context, curveKeypair } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = await new Authenticator(ctx).start();
   * auth.configureCurve({ publicKeys: [curveKeypair().publicKey] });
   * auth.configureCurve({ domain: "public", allowAny: true });
   * assert.throws(() => auth.configureCurve({ publicKeys: ["not a key"] }), { code: "EINVAL" });
   * ```
   *
   * @param options `publicKeys` (Z85 or 32 bytes) or `allowAny`, and the `domain` (default `"*"`).
   * @default {{}} no key is allowed in.
   * @returns The authenticator, for chaining.
   * @throws {ZmqError} `EINVAL` for a key that is not one, `EBADVALUE` for malformed options.
   */

  configureCurve(options: CurveAuthOptions = {}): this {
    this.#rules.setCurve(options);
    return this;
  }

  /** Decides about one request: the rules, who the peer is (identify), then the hook. */
  #answer(request: ZapRequest, signal: AbortSignal): ZapDecision | Promise<ZapDecision> {
    const ruled = this.#rules.decide(request);
    const decision = this.#identify ? identified(ruled, this.#identify) : ruled;
    return this.#hook ? this.#hook.run(decision, signal) : decision;
  }
}
