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
  /** The user id answered: the username (PLAIN) or the Z85 client key (CURVE); "" if none. */
  userId: string;
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
    EMPTY, // no metadata
  ];
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
