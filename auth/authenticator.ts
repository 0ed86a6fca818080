// A ZAP handler (ZeroMQ RFC 27, ZAP 1.0) served in-process: a ROUTER socket bound on
// inproc://zeromq.zap.01 of the context, answered by an async loop on the JS thread. libzmq's
// I/O thread asks it about every PLAIN or CURVE handshake (and NULL ones on sockets with a
// ZAP_DOMAIN), and waits for the answer without blocking anyone.
import { type Context, curveKeyToZ85, type Socket, z85Encode, ZmqError } from "../core/mod.ts";

/** The endpoint libzmq sends ZAP requests to (RFC 27). */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

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
  /** Username → password. */
  passwords: Record<string, string> | Map<string, string>;
}

/** What the authenticator decided about one handshake (see `AuthenticatorOptions.onDecision`). */
export interface ZapDecision {
  /** True if the peer was let in. */
  allowed: boolean;
  /** The ZAP status code answered: 200 (allowed), 400 (denied) or 500 (bad request). */
  status: 200 | 400 | 500;
  /** Why, in words. */
  reason: string;
  /** The socket's ZAP domain. */
  domain: string;
  /** The peer's IP address. */
  address: string;
  /** `"NULL"`, `"PLAIN"` or `"CURVE"`. */
  mechanism: string;
  /** The user id answered: the username (PLAIN) or the Z85 client key (CURVE); "" if none. */
  userId: string;
}

/** Options of a new {@linkcode Authenticator}. */
export interface AuthenticatorOptions {
  /** Called with every decision, e.g. to log it. */
  onDecision?: (decision: ZapDecision) => void;
}

interface CurveRule {
  allowAny: boolean;
  keys: Set<string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function badArg(detail: string, op: string): ZmqError {
  return new ZmqError("EBADVALUE", 0, detail, { op });
}

function checkAddresses(addresses: string[], op: string): void {
  for (const a of addresses) {
    if (typeof a !== "string" || a === "") {
      throw badArg(`${op} takes IP addresses as non-empty strings; got ${String(a)}`, op);
    }
  }
}

function checkDomain(domain: unknown, op: string): string {
  if (typeof domain !== "string") throw badArg("domain must be a string", op);
  return domain;
}

/**
 * A ZAP authenticator for one {@linkcode Context}, in the spirit of pyzmq's `zmq.auth`: allow or
 * deny by IP address, PLAIN usernames and passwords, CURVE client keys (a set of allowed keys, or
 * any key). It only affects sockets of the same context, and only server sockets (those with
 * `PLAIN_SERVER` or `CURVE_SERVER` set, or a `ZAP_DOMAIN` for NULL security). Start it before
 * the server socket binds.
 *
 * Rules, per handshake: if an allow list is set, only those addresses pass; otherwise addresses
 * on the deny list are refused. Then NULL passes, PLAIN needs a matching username and password,
 * CURVE needs a configured key (or `allowAny`). Rules are looked up for the socket's
 * `ZAP_DOMAIN`, then for `"*"`. Anything not configured is refused.
 *
 * @example
 * ```ts
 * import { Authenticator, Context, curveKeypair, makeCurveClient, makeCurveServer } from "../mod.ts";
 * await using ctx = new Context();
 * const server = curveKeypair();
 * const client = curveKeypair();
 * await using auth = new Authenticator(ctx).start();
 * auth.configureCurve({ publicKeys: [client.publicKey] });
 * using rep = ctx.socket("REP");
 * makeCurveServer(rep, server);
 * const port = rep.bindToRandomPort();
 * using req = ctx.socket("REQ");
 * makeCurveClient(req, server.publicKey, client);
 * req.connect(`tcp://127.0.0.1:${port}`);
 * await req.send("hello");
 * console.log(await rep.recvString()); // "hello"
 * ```
 */
export class Authenticator implements Disposable, AsyncDisposable {
  /** The context whose handshakes this authenticator answers. */
  readonly context: Context;
  #options: AuthenticatorOptions;
  #socket: Socket | null = null;
  #loop: Promise<void> | null = null;
  #allow = new Set<string>();
  #deny = new Set<string>();
  #passwords = new Map<string, Map<string, string>>();
  #curve = new Map<string, CurveRule>();

  /**
   * Makes an authenticator for `context`; call {@linkcode Authenticator.start} to serve.
   *
   * @example
   * ```ts
   * import { Authenticator, Context } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = new Authenticator(ctx, { onDecision: (d) => console.log(d) }).start();
   * ```
   */
  constructor(context: Context, options: AuthenticatorOptions = {}) {
    if (context === null || typeof context !== "object" || typeof context.socket !== "function") {
      throw badArg("Authenticator takes a Context", "new Authenticator");
    }
    this.context = context;
    this.#options = options;
  }

  /** True while the authenticator serves requests. */
  get running(): boolean {
    return this.#socket !== null && !this.#socket.closed;
  }

  /**
   * Binds the ZAP endpoint and starts answering. Throws a ZmqError of code `EADDRINUSE` if the
   * context already has a ZAP handler, `EBUSY` if this one is already running. Answers `this`.
   */
  start(): this {
    if (this.#socket !== null) {
      throw new ZmqError("EBUSY", 0, "The authenticator is already running", {
        op: "Authenticator.start",
      });
    }
    const socket = this.context.socket("ROUTER");
    try {
      socket.setOption("LINGER", 0);
      socket.bind(ZAP_ENDPOINT);
    } catch (e) {
      socket.close();
      throw e;
    }
    this.#socket = socket;
    this.#loop = this.#serve(socket);
    return this;
  }

  /**
   * Stops answering and unbinds the ZAP endpoint; resolves once the serving loop has ended.
   * Handshakes in progress then fail. Stopping twice is harmless.
   */
  async stop(): Promise<void> {
    const socket = this.#socket;
    const loop = this.#loop;
    this.#socket = null;
    this.#loop = null;
    if (socket && !socket.closed) {
      try {
        socket.unbind(ZAP_ENDPOINT); // frees the name now; close alone frees it later
      } catch {
        // the context is closing
      }
      socket.close();
    }
    await loop;
  }

  /** Stops the authenticator (for `using`; prefer `await using`, which waits for the loop). */
  [Symbol.dispose](): void {
    void this.stop();
  }

  /** Stops the authenticator and waits for its loop to end (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * Lets only these IP addresses in (every other address is refused). Cannot be combined with
   * {@linkcode Authenticator.deny}.
   */
  allow(...addresses: string[]): this {
    checkAddresses(addresses, "allow");
    if (this.#deny.size > 0) {
      throw badArg("An authenticator has an allow list or a deny list, not both", "allow");
    }
    for (const a of addresses) this.#allow.add(a);
    return this;
  }

  /** Refuses these IP addresses. Cannot be combined with {@linkcode Authenticator.allow}. */
  deny(...addresses: string[]): this {
    checkAddresses(addresses, "deny");
    if (this.#allow.size > 0) {
      throw badArg("An authenticator has an allow list or a deny list, not both", "deny");
    }
    for (const a of addresses) this.#deny.add(a);
    return this;
  }

  /**
   * Sets the PLAIN usernames and passwords for a domain (replacing earlier ones).
   *
   * @example
   * ```ts
   * import { Authenticator, Context } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = new Authenticator(ctx).start();
   * auth.configurePlain({ passwords: { admin: "secret" } });
   * ```
   */
  configurePlain(options: PlainAuthOptions): this {
    const domain = checkDomain(options?.domain ?? "*", "configurePlain");
    const entries = options?.passwords instanceof Map
      ? [...options.passwords]
      : options?.passwords && typeof options.passwords === "object"
      ? Object.entries(options.passwords)
      : null;
    if (entries === null) {
      throw badArg("configurePlain needs passwords: { username: password }", "configurePlain");
    }
    for (const [user, pass] of entries) {
      if (typeof user !== "string" || typeof pass !== "string") {
        throw badArg("usernames and passwords must be strings", "configurePlain");
      }
    }
    this.#passwords.set(domain, new Map(entries));
    return this;
  }

  /**
   * Sets the CURVE rule for a domain (replacing an earlier one): the client public keys allowed
   * in, or `allowAny`. Keys are checked now; a bad key throws a ZmqError of code `EINVAL`.
   *
   * @example
   * ```ts
   * import { Authenticator, Context, curveKeypair } from "../mod.ts";
   * await using ctx = new Context();
   * await using auth = new Authenticator(ctx).start();
   * auth.configureCurve({ publicKeys: [curveKeypair().publicKey] });
   * auth.configureCurve({ domain: "public", allowAny: true });
   * ```
   */
  configureCurve(options: CurveAuthOptions = {}): this {
    const domain = checkDomain(options.domain ?? "*", "configureCurve");
    const keys = new Set<string>();
    for (const k of options.publicKeys ?? []) keys.add(curveKeyToZ85(k, "public key"));
    this.#curve.set(domain, { allowAny: options.allowAny === true, keys });
    return this;
  }

  async #serve(socket: Socket): Promise<void> {
    for (;;) {
      let frames: Uint8Array[];
      try {
        frames = await socket.recvMultipart();
      } catch {
        return; // closed by stop() or by the context
      }
      const sep = frames.findIndex((f) => f.length === 0);
      if (sep < 0) continue; // not a request from a REQ/DEALER peer: nothing to answer
      const reply = this.#answer(frames.slice(sep + 1));
      try {
        await socket.send([...frames.slice(0, sep + 1), ...reply]);
      } catch {
        return;
      }
    }
  }

  /** Answers one ZAP request (the frames after the envelope) with the reply frames. */
  #answer(req: Uint8Array[]): Uint8Array[] {
    const text = (i: number) => decoder.decode(req[i] ?? new Uint8Array());
    const requestId = req[1] ?? new Uint8Array();
    const decision: ZapDecision = {
      allowed: false,
      status: 400,
      reason: "",
      domain: text(2),
      address: text(3),
      mechanism: text(5),
      userId: "",
    };
    if (req.length < 6 || text(0) !== "1.0") {
      decision.status = 500;
      decision.reason = "Malformed ZAP request";
    } else {
      this.#decide(decision, req.slice(6));
    }
    try {
      this.#options.onDecision?.(decision);
    } catch {
      // a failing callback must not stop the authenticator
    }
    return [
      encoder.encode("1.0"),
      requestId,
      encoder.encode(String(decision.status)),
      encoder.encode(decision.reason),
      encoder.encode(decision.userId),
      new Uint8Array(),
    ];
  }

  #decide(d: ZapDecision, credentials: Uint8Array[]): void {
    const deny = (reason: string) => {
      d.allowed = false;
      d.status = 400;
      d.reason = reason;
    };
    if (this.#allow.size > 0 && !this.#allow.has(d.address)) {
      return deny(`Address ${d.address} is not on the allow list`);
    }
    if (this.#deny.has(d.address)) return deny(`Address ${d.address} is on the deny list`);
    switch (d.mechanism) {
      case "NULL":
        break;
      case "PLAIN": {
        const table = this.#passwords.get(d.domain) ?? this.#passwords.get("*");
        if (!table) return deny(`No PLAIN passwords for domain ${JSON.stringify(d.domain)}`);
        const user = decoder.decode(credentials[0] ?? new Uint8Array());
        const pass = decoder.decode(credentials[1] ?? new Uint8Array());
        if (!table.has(user) || table.get(user) !== pass) {
          return deny("Invalid username or password");
        }
        d.userId = user;
        break;
      }
      case "CURVE": {
        const rule = this.#curve.get(d.domain) ?? this.#curve.get("*");
        if (!rule) return deny(`No CURVE keys for domain ${JSON.stringify(d.domain)}`);
        const raw = credentials[0];
        if (!raw || raw.length !== 32) return deny("Malformed CURVE credentials");
        const key = z85Encode(raw);
        if (!rule.allowAny && !rule.keys.has(key)) {
          return deny("Client key is not allowed");
        }
        d.userId = key;
        break;
      }
      default:
        return deny(`Mechanism ${d.mechanism} is not supported`);
    }
    d.allowed = true;
    d.status = 200;
    d.reason = "OK";
  }
}
