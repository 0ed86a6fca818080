// The authenticator's rules and the decision they make about one ZAP request. Synchronous and
// free of callbacks: nothing here can wait, and an exception in it refuses the peer.
import { curveKeyToZ85, z85Encode } from "../core/mod.ts";
import { canonicalAddress } from "./_addresses.ts";
import { refusal, type ZapDecision, type ZapRequest } from "./_zap.ts";
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
    const o = options as { domain?: unknown; passwords?: unknown } | null | undefined;
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
    const o = (options ?? {}) as { domain?: unknown; allowAny?: unknown; publicKeys?: unknown };
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
