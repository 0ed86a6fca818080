// The authenticator's rules and the decision they make about one ZAP request. Synchronous and
// free of callbacks: nothing here can wait, and an exception in it refuses the peer.
import { curveKeyToZ85, z85Encode } from "../core/mod.ts";
import { canonicalAddress } from "./_addresses.ts";
import { refusal, type ZapDecision, type ZapIdentity, type ZapRequest } from "./_zap.ts";
import { badValue } from "../core/errors.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** PLAIN's HELLO carries the username and the password with a one-byte length each. */
const PLAIN_MAX_BYTES = 255;

/** A CURVE rule of one domain. */
interface CurveRule {
  allowAny: boolean;
  keys: Set<string>;
}

function checkDomain(domain: unknown, op: string): string {
  if (typeof domain !== "string") throw badValue("domain must be a string", { op: op });
  return domain;
}

/**
 * An options object of these fields only: a misspelt field (`publicKey`, `allowany`) would be
 * left out without a word, and the rule be another than the one meant.
 */
function checkFields(options: unknown, fields: readonly string[], op: string): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw badValue(`${op} takes an object like { ${fields.join(", ")} }`, { op });
  }
  for (const key of Object.keys(options)) {
    if (!fields.includes(key)) {
      throw badValue(
        `${op} has no field ${JSON.stringify(key.slice(0, 40))}; it takes ${fields.join(", ")}`,
        { op },
      );
    }
  }
}

/** Compares two byte strings in time that depends on their lengths only. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Allow/deny lists, PLAIN passwords and CURVE keys, per ZAP domain ("*" for any). */
export class Rules {
  #allow = new Set<string>();
  #deny = new Set<string>();
  #passwords = new Map<string, Map<string, Uint8Array>>();
  #curve = new Map<string, CurveRule>();

  /** Adds addresses to the allow list (`op` "allow") or the deny list (`op` "deny"). */
  addAddresses(op: "allow" | "deny", addresses: unknown[]): void {
    const canonical: string[] = [];
    for (const a of addresses) {
      const c = typeof a === "string" ? canonicalAddress(a) : null;
      if (c === null) {
        throw badValue(
          `${op} takes IPv4 or IPv6 addresses (no host names or ranges); got ${
            typeof a === "string" ? JSON.stringify(a) : typeof a
          }`,
          { op: op },
        );
      }
      canonical.push(c);
    }
    const other = op === "allow" ? this.#deny : this.#allow;
    if (other.size > 0) {
      throw badValue("An authenticator has an allow list or a deny list, not both", { op: op });
    }
    const list = op === "allow" ? this.#allow : this.#deny;
    for (const c of canonical) list.add(c);
  }

  /** Replaces the PLAIN usernames and passwords of a domain. */
  setPasswords(options: unknown): void {
    const op = "configurePlain";
    checkFields(options, ["domain", "passwords"], op);
    const o = options as { domain?: unknown; passwords?: unknown };
    const domain = checkDomain(o?.domain ?? "*", op);
    const given = o?.passwords;
    const entries = given instanceof Map
      ? [...given]
      : given !== null && typeof given === "object"
      ? Object.entries(given)
      : null;
    if (entries === null) {
      throw badValue("configurePlain needs passwords: { username: password }", { op: op });
    }
    const table = new Map<string, Uint8Array>();
    for (const [user, pass] of entries) {
      if (typeof user !== "string" || typeof pass !== "string") {
        throw badValue("usernames and passwords must be strings", { op: op });
      }
      const bytes = encoder.encode(pass);
      if (encoder.encode(user).length > PLAIN_MAX_BYTES || bytes.length > PLAIN_MAX_BYTES) {
        throw badValue(
          `PLAIN usernames and passwords are at most ${PLAIN_MAX_BYTES} bytes (UTF-8); ` +
            `the entry of user number ${table.size + 1} is longer`,
          { op: op },
        );
      }
      table.set(user, bytes);
    }
    this.#passwords.set(domain, table);
  }

  /** Replaces the CURVE rule of a domain. */
  setCurve(options: unknown): void {
    const op = "configureCurve";
    checkFields(options, ["domain", "allowAny", "publicKeys"], op);
    const o = options as { domain?: unknown; allowAny?: unknown; publicKeys?: unknown };
    if (o.allowAny !== undefined && typeof o.allowAny !== "boolean") {
      throw badValue("allowAny must be true or false", { op, option: "allowAny" });
    }
    const domain = checkDomain(o.domain ?? "*", op);
    const given = o.publicKeys ?? [];
    if (
      typeof given === "string" ||
      typeof (given as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw badValue("publicKeys is a list of keys (40 Z85 characters or 32 bytes each)", {
        op: op,
      });
    }
    const keys = new Set<string>();
    for (const k of given as Iterable<string | Uint8Array>) {
      keys.add(curveKeyToZ85(k, "public key"));
    }
    this.#curve.set(domain, { allowAny: o.allowAny === true, keys });
  }

  /** Decides about a request; never throws (a failure refuses with status 500). */
  decide(request: ZapRequest): ZapDecision {
    const address = canonicalAddress(request.address) ?? request.address;
    if (!request.wellFormed) return refusal(request, 500, "Malformed ZAP request", address);
    try {
      return this.#decide(request, address);
    } catch {
      return refusal(request, 500, "Internal error while deciding", address);
    }
  }

  #decide(request: ZapRequest, address: string): ZapDecision {
    const deny = (reason: string) => refusal(request, 400, reason, address);
    if (this.#allow.size > 0 && !this.#allow.has(address)) {
      return deny(`Address ${address} is not on the allow list`);
    }
    if (this.#deny.has(address)) return deny(`Address ${address} is on the deny list`);
    const { domain, mechanism, credentials } = request;
    let userId = "";
    switch (mechanism) {
      case "NULL":
        break;
      case "PLAIN": {
        const table = this.#passwords.get(domain) ?? this.#passwords.get("*");
        if (!table) return deny(`No PLAIN passwords for domain ${JSON.stringify(domain)}`);
        const user = decoder.decode(credentials[0] ?? new Uint8Array());
        const expected = table.get(user);
        const given = credentials[1] ?? new Uint8Array();
        // compare even for an unknown user, so that timing tells nothing about the usernames
        const match = sameBytes(expected ?? new Uint8Array(PLAIN_MAX_BYTES + 1), given);
        if (expected === undefined || !match) return deny("Invalid username or password");
        userId = user;
        break;
      }
      case "CURVE": {
        const rule = this.#curve.get(domain) ?? this.#curve.get("*");
        if (!rule) return deny(`No CURVE keys for domain ${JSON.stringify(domain)}`);
        const raw = credentials[0];
        if (!raw || raw.length !== 32) return deny("Malformed CURVE credentials");
        const key = z85Encode(raw);
        if (!rule.allowAny && !rule.keys.has(key)) return deny("Client key is not allowed");
        userId = key;
        break;
      }
      default:
        return deny(`Mechanism ${JSON.stringify(mechanism)} is not supported`);
    }
    return { allowed: true, status: 200, reason: "OK", domain, address, mechanism, userId };
  }
}

// ---- who an admitted peer is (the authenticator's identify) ----

const PROPERTY_NAME = /^[A-Za-z0-9\-_.+]{1,255}$/;
/** libzmq's own property names: a ZAP handler setting one would break or forge the handshake. */
const RESERVED = new Set(["socket-type", "identity", "routing-id", "user-id", "peer-address"]);
const MAX_PROPERTIES = 64;
const MAX_METADATA_BYTES = 64 * 1024;
const MAX_USER_ID_BYTES = 255;

/** Why `identity` cannot be answered, or null if it can (never quotes a value). */
function identityProblem(identity: ZapIdentity): string | null {
  const { userId, metadata } = identity;
  if (userId !== undefined) {
    if (typeof userId !== "string") return "userId is not a string";
    if (userId.includes("\0") || encoder.encode(userId).length > MAX_USER_ID_BYTES) {
      return `userId is not at most ${MAX_USER_ID_BYTES} bytes without NUL`;
    }
  }
  if (metadata === undefined) return null;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    return "metadata is not an object of names and texts";
  }
  const entries = Object.entries(metadata);
  if (entries.length > MAX_PROPERTIES) return `metadata has more than ${MAX_PROPERTIES} properties`;
  let bytes = 0;
  for (const [name, value] of entries) {
    if (!PROPERTY_NAME.test(name)) {
      return "a metadata name is not 1 to 255 characters of A-Z a-z 0-9 - _ . +";
    }
    if (RESERVED.has(name.toLowerCase())) return `metadata name ${name} is libzmq's own`;
    if (typeof value !== "string" || value.includes("\0")) {
      return `metadata ${name} is not a text without NUL`;
    }
    bytes += 5 + name.length + encoder.encode(value).length;
  }
  if (bytes > MAX_METADATA_BYTES) return `metadata is larger than ${MAX_METADATA_BYTES} bytes`;
  return null;
}

/**
 * Applies the authenticator's `identify` to a decision that lets a peer in: its user id and
 * metadata replace the decision's. A refusal is left as it is. Never throws: if `identify`
 * throws, answers a promise or something that is not a valid identity, the peer is refused
 * (status 500), and the reason says which (without quoting a value).
 */
export function identified(
  decision: ZapDecision,
  identify: (decision: Readonly<ZapDecision>) => ZapIdentity | undefined | void,
): ZapDecision {
  if (!decision.allowed) return decision;
  const refuse = (why: string): ZapDecision => ({
    ...decision,
    allowed: false,
    status: 500,
    reason: `identify ${why}; the peer was refused`,
    userId: "",
    metadata: undefined,
  });
  let identity: unknown;
  try {
    identity = identify(Object.freeze({ ...decision }));
  } catch (e) {
    return refuse(`threw (${e instanceof Error ? e.name : typeof e})`);
  }
  if (identity === undefined) return decision;
  try {
    if (typeof (identity as { then?: unknown } | null)?.then === "function") {
      return refuse("answered a promise (it must answer at once)");
    }
    if (identity === null || typeof identity !== "object" || Array.isArray(identity)) {
      return refuse("answered an invalid identity: it is not an object like { userId, metadata }");
    }
    // a copy, checked: what is answered is what was checked, whatever getters say later
    const { userId, metadata } = identity as ZapIdentity;
    const copy: ZapIdentity = {
      userId,
      metadata: metadata !== null && typeof metadata === "object" && !Array.isArray(metadata)
        ? Object.fromEntries(Object.entries(metadata))
        : metadata,
    };
    const problem = identityProblem(copy);
    if (problem !== null) return refuse(`answered an invalid identity: ${problem}`);
    return {
      ...decision,
      userId: copy.userId ?? decision.userId,
      metadata: copy.metadata ? Object.freeze(copy.metadata) : decision.metadata,
    };
  } catch (e) {
    return refuse(
      `answered an identity that could not be read (${e instanceof Error ? e.name : typeof e})`,
    );
  }
}
