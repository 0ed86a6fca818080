// Would libzmq 4.3.5 attach a raw peer to its socket, judging by the peer's first bytes? The wire
// fuzzer asks before a hostile peer sends anything: a peer attached to a load-balancing socket (a
// REQ, a PUSH, a DEALER, a PAIR) takes its share of the good peer's messages and loses them when
// it hangs up, which is ZeroMQ's rule, not a fault of the library.
//
// What is modelled (zmtp_engine.cpp, null_mechanism.cpp, plain_server.cpp, mechanism.cpp):
// - a first byte other than 0xFF, a 10th byte with its low bit clear, or a major version 0 or 1
//   is ZMTP 1.0/2.0: refused under ZAP (PLAIN, CURVE), attached with no type check under NULL;
// - ZMTP 3.x: the greeting's mechanism must be the socket's; NULL's first frame must begin with
//   READY, PLAIN's second frame with INITIATE (the HELLO before it and the ZAP verdict are not
//   looked at: assumed to pass, the cautious side);
// - the metadata after the command name must parse exactly, and a Socket-Type property is
//   checked only when present: a READY without one is attached whatever the socket's type;
// - once attached, every message frame reaches the socket, and so do SUBSCRIBE and CANCEL
//   commands (as messages, whatever the socket's type); other commands stay in the engine.
// CURVE is not modelled: the socket type travels inside a box a mutation cannot forge.

/**
 * What libzmq makes of a peer's first bytes: not attached, or attached once the Socket-Type
 * values in `types` passed its check (none: attached with no check), after which it delivers
 * `messages` whole frames to the socket (commands but SUBSCRIBE and CANCEL left out; Infinity for
 * ZMTP 1.0/2.0, not decoded).
 */
export type Admission =
  | { attached: false }
  | { attached: true; types: string[]; messages: number };

const REFUSED: Admission = { attached: false };
const UNCHECKED: Admission = { attached: true, types: [], messages: Infinity };
const GREETING = 64;
const COMMAND = 4;
const decoder = new TextDecoder();

/** The whole frames after the greeting, in order: their flags and bodies. */
function frames(bytes: Uint8Array): { flags: number; body: Uint8Array }[] {
  const out: { flags: number; body: Uint8Array }[] = [];
  let at = GREETING;
  while (at + 2 <= bytes.length) {
    const flags = bytes[at];
    const head = (flags & 2) !== 0 ? 9 : 2;
    if (at + head > bytes.length) break;
    const size = head === 9
      ? Number(new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getBigUint64(0))
      : bytes[at + 1];
    if (at + head + size > bytes.length) break;
    out.push({ flags, body: bytes.subarray(at + head, at + head + size) });
    at += head + size;
  }
  return out;
}

/** libzmq's parse_metadata: the Socket-Type values, or null if the properties do not parse. */
export function metadataTypes(body: Uint8Array): string[] | null {
  const types: string[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  let left = body.length;
  while (left > 1) {
    const nameLength = body[at];
    at++, left--;
    if (left < nameLength) break;
    const name = decoder.decode(body.subarray(at, at + nameLength));
    at += nameLength, left -= nameLength;
    if (left < 4) break;
    const valueLength = view.getUint32(at);
    at += 4, left -= 4;
    if (left < valueLength) break;
    if (name === "Socket-Type") types.push(decoder.decode(body.subarray(at, at + valueLength)));
    at += valueLength, left -= valueLength;
  }
  return left > 0 ? null : types;
}

/**
 * A command the engine keeps: every one but SUBSCRIBE and CANCEL, which libzmq passes on to the
 * socket as a message whatever its type (a PULL receives "\x06CANCELa").
 */
function isCommand(f: { flags: number; body: Uint8Array }): boolean {
  if ((f.flags & COMMAND) === 0) return false;
  return !startsWith(f.body, "\x09SUBSCRIBE") && !startsWith(f.body, "\x06CANCEL");
}

function startsWith(body: Uint8Array, prefix: string): boolean {
  return body.length >= prefix.length && [...prefix].every((c, i) => body[i] === c.charCodeAt(0));
}

/** What libzmq 4.3.5, with `mechanism` set on its socket, makes of a peer that sends `bytes`. */
export function admission(bytes: Uint8Array, mechanism: Mechanism): Admission {
  if (bytes.length === 0) return REFUSED;
  const unversioned = bytes[0] !== 0xff || (bytes.length >= 10 && (bytes[9] & 1) === 0);
  if (unversioned || (bytes.length > 10 && bytes[10] < 2)) {
    return mechanism === "NULL" ? UNCHECKED : REFUSED;
  }
  if (bytes.length < GREETING || mechanism === "CURVE") return REFUSED;
  const name = bytes.subarray(12, 32);
  if (!startsWith(name, mechanism) || name.subarray(mechanism.length).some((b) => b !== 0)) {
    return REFUSED;
  }
  const prefix = mechanism === "NULL" ? "\x05READY" : "\x08INITIATE";
  const all = frames(bytes);
  const last = mechanism === "NULL" ? 0 : 1; // READY, or HELLO then INITIATE
  const body = all[last]?.body;
  if (body === undefined || !startsWith(body, prefix)) return REFUSED;
  const types = metadataTypes(body.subarray(prefix.length));
  if (types === null) return REFUSED;
  const messages = all.slice(last + 1).filter((f) => !isCommand(f)).length;
  return { attached: true, types, messages };
}

/** The security mechanism a bound socket runs. */
export type Mechanism = "NULL" | "PLAIN" | "CURVE";

/**
 * How libzmq would attach a peer sending `bytes`, if as one of `types` or with no type check;
 * null if not, or if `types` is empty (no type is guarded).
 */
function attachedAs(
  bytes: Uint8Array,
  mechanism: Mechanism,
  types: readonly string[],
): Extract<Admission, { attached: true }> | null {
  if (types.length === 0) return null;
  const a = admission(bytes, mechanism);
  return a.attached && a.types.every((t) => types.includes(t)) ? a : null;
}

/**
 * True if a peer sending `bytes` would take a share of the messages of a socket whose compatible
 * peer types are `sharing` (empty: the socket gives strangers nothing, a ROUTER or a PUB, say):
 * libzmq would attach it with no Socket-Type, or with compatible ones only.
 */
export function takesShare(
  bytes: Uint8Array,
  mechanism: Mechanism,
  sharing: readonly string[],
): boolean {
  return attachedAs(bytes, mechanism, sharing) !== null;
}

/**
 * True if a peer sending `bytes` would be attached as one of `quiet` types (or with no type
 * check) and then deliver a message. A REP's REQ and DEALER peers are quiet in the wire fuzzer:
 * libzmq's REP drops the next reply after a request without an empty delimiter from a peer that
 * is gone when it reads it (see the README's known limits).
 */
export function speaksTo(
  bytes: Uint8Array,
  mechanism: Mechanism,
  quiet: readonly string[],
): boolean {
  return (attachedAs(bytes, mechanism, quiet)?.messages ?? 0) > 0;
}
