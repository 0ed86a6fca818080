// ZAP 1.0 (ZeroMQ RFC 27) on the wire: a request as libzmq sends it to inproc://zeromq.zap.01,
// the reply it waits for. Pure functions, no socket.

/** What the authenticator decided about one handshake (see `AuthenticatorOptions.onDecision`). */
export interface ZapDecision {
  /** True if the peer was let in. */
  allowed: boolean;
  /** The ZAP status code answered: 200 (allowed), 400 (denied) or 500 (internal error). */
  status: 200 | 400 | 500;
  /** Why, in words. */
  reason: string;
  /** The socket's ZAP domain. */
  domain: string;
  /** The peer's IP address (IPv4-mapped IPv6 addresses in their IPv4 form). */
  address: string;
  /** `"NULL"`, `"PLAIN"` or `"CURVE"`. */
  mechanism: string;
  /**
   * The user id answered: the username (PLAIN) or the Z85 client key (CURVE), unless the
   * authenticator's `identify` chose another; "" if none. A message from the peer says it as
   * its `"User-Id"` property.
   */
  userId: string;
  /**
   * Properties attached to every message from the peer (`message.get(name)`), as the
   * authenticator's `identify` chose them, e.g. `{ "X-Tenant": "acme" }`. Answered only when the
   * peer is let in.
   */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Who an admitted peer is, as an authenticator's `identify` answers it: the user id its
 * messages carry (default: the PLAIN username or the Z85 CURVE key) and properties attached to
 * them. Property names are 1 to 255 characters of `A-Z a-z 0-9 - _ . +` (ZMTP's), not one of
 * libzmq's own (`Socket-Type`, `Identity`, `Routing-Id`, `User-Id`, `Peer-Address`); values
 * are text without NUL. At most 64 properties and 64 KiB in all; the user id is at most 255
 * bytes of UTF-8 without NUL.
 */
export interface ZapIdentity {
  /** The user id messages from the peer carry as `"User-Id"`. */
  userId?: string;
  /** Properties messages from the peer carry, e.g. `{ "X-Tenant": "acme" }`. */
  metadata?: Record<string, string>;
}

/** One ZAP request read from the endpoint's ROUTER socket. */
export interface ZapRequest {
  /** The routing frames up to and including the empty delimiter: the reply goes back on them. */
  envelope: Uint8Array[];
  /** The request id, echoed in the reply. */
  requestId: Uint8Array;
  /** False if the frames are not a ZAP 1.0 request (answered 500). */
  wellFormed: boolean;
  /** The socket's ZAP domain. */
  domain: string;
  /** The peer's address as libzmq wrote it. */
  address: string;
  /** The mechanism's name. */
  mechanism: string;
  /** The mechanism's credentials: PLAIN's username and password, CURVE's client key. */
  credentials: Uint8Array[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Parses a message read from the ZAP ROUTER; null if it has no envelope to answer on. */
export function parseZapRequest(frames: Uint8Array[]): ZapRequest | null {
  const sep = frames.findIndex((f) => f.length === 0);
  if (sep < 1) return null; // not from a REQ-style peer: there is nobody to answer
  const body = frames.slice(sep + 1);
  const text = (i: number) => decoder.decode(body[i] ?? EMPTY);
  return {
    envelope: frames.slice(0, sep + 1),
    requestId: body[1] ?? EMPTY,
    wellFormed: body.length >= 6 && text(0) === "1.0",
    domain: text(2),
    address: text(3),
    mechanism: text(5),
    credentials: body.slice(6),
  };
}

/**
 * The reply frames (envelope included) for a decision. Only `allowed === true` answers 200: a
 * decision whose fields disagree refuses.
 */
export function zapReply(request: ZapRequest, decision: ZapDecision): Uint8Array[] {
  const status = decision.allowed === true ? 200 : decision.status === 500 ? 500 : 400;
  return [
    ...request.envelope,
    encoder.encode("1.0"),
    request.requestId,
    encoder.encode(String(status)),
    encoder.encode(decision.reason),
    encoder.encode(status === 200 ? decision.userId : ""),
    status === 200 && decision.metadata ? encodeMetadata(decision.metadata) : EMPTY,
  ];
}

/**
 * ZAP's metadata frame: each property as ZMTP writes them (RFC 23), a one-byte name length,
 * the name, a four-byte big-endian value length, the value. The names and values were checked
 * (auth/_rules.ts) before they got here.
 */
export function encodeMetadata(metadata: Readonly<Record<string, string>>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(metadata)) {
    const n = encoder.encode(name);
    const v = encoder.encode(value);
    const head = new Uint8Array(1 + n.length + 4);
    head[0] = n.length;
    head.set(n, 1);
    new DataView(head.buffer).setUint32(1 + n.length, v.length);
    parts.push(head, v);
  }
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A decision that refuses `request`, for `reason`. */
export function refusal(
  request: ZapRequest,
  status: 400 | 500,
  reason: string,
  address = request.address,
): ZapDecision {
  return {
    allowed: false,
    status,
    reason,
    domain: request.domain,
    address,
    mechanism: request.mechanism,
    userId: "",
  };
}
