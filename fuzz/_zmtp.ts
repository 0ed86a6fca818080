// ZMTP 3.x on the wire, for the wire fuzzer: greetings, frames and commands (ZMTP 3.1, RFC 23),
// the NULL and PLAIN handshakes (RFC 24) and the CURVE client handshake (RFC 25/26, with
// tweetnacl for the boxes), built valid first so that mutations reach every stage.
import nacl from "npm:tweetnacl@1.0.3";

const encoder = new TextEncoder();

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** A 64-byte greeting: signature, version, mechanism, as-server, filler. */
export function greeting(mechanism: string, asServer = false, major = 3, minor = 1): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = major;
  g[11] = minor;
  g.set(bytes(mechanism).subarray(0, 20), 12);
  g[32] = asServer ? 1 : 0;
  return g;
}

/** A frame: flags (MORE, COMMAND), short or long size, body. */
export function frame(
  body: Uint8Array,
  options: { more?: boolean; command?: boolean; long?: boolean } = {},
): Uint8Array {
  const long = options.long || body.length > 255;
  const flags = (options.more ? 1 : 0) | (long ? 2 : 0) | (options.command ? 4 : 0);
  const head = new Uint8Array(long ? 9 : 2);
  head[0] = flags;
  if (long) new DataView(head.buffer).setBigUint64(1, BigInt(body.length));
  else head[1] = body.length;
  return concat(head, body);
}

/** A command frame: name-size, name, data. */
export function command(name: string, data: Uint8Array = new Uint8Array()): Uint8Array {
  const n = bytes(name);
  return frame(concat(Uint8Array.of(n.length), n, data), { command: true });
}

/** Metadata properties: name-size, name, value-size (4 bytes, network order), value. */
export function metadata(props: [string, string | Uint8Array][]): Uint8Array {
  return concat(...props.map(([name, value]) => {
    const n = bytes(name);
    const v = typeof value === "string" ? bytes(value) : value;
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, v.length);
    return concat(Uint8Array.of(n.length), n, size, v);
  }));
}

/** A NULL (or PLAIN) READY command announcing `socketType`. */
export function ready(socketType: string, extra: [string, string | Uint8Array][] = []): Uint8Array {
  return command("READY", metadata([["Socket-Type", socketType], ...extra]));
}

/** PLAIN's HELLO: username and password, each with a one-byte size. */
export function plainHello(user: string, password: string): Uint8Array {
  const u = bytes(user);
  const p = bytes(password);
  return command("HELLO", concat(Uint8Array.of(u.length), u, Uint8Array.of(p.length), p));
}

/** PLAIN's INITIATE with the client's metadata. */
export function plainInitiate(socketType: string): Uint8Array {
  return command("INITIATE", metadata([["Socket-Type", socketType]]));
}

function nonce(prefix: string, tail: Uint8Array): Uint8Array {
  return concat(bytes(prefix), tail);
}

function shortNonce(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** Answers the body of the first whole command frame in `data` (name-size onwards), or null. */
export function firstCommand(data: Uint8Array): Uint8Array | null {
  if (data.length < 2) return null;
  const long = (data[0] & 2) !== 0;
  const size = long
    ? (data.length >= 9 ? Number(new DataView(data.buffer, data.byteOffset).getBigUint64(1)) : -1)
    : data[1];
  const head = long ? 9 : 2;
  if (size < 0 || data.length < head + size) return null;
  return data.subarray(head, head + size);
}

/** A CURVE client's side of the handshake (the client's keys are made per connection). */
export class CurveClient {
  readonly serverKey: Uint8Array;
  readonly long = nacl.box.keyPair();
  readonly transient = nacl.box.keyPair();
  #nonce = 1;
  #serverTransient: Uint8Array | null = null;
  #cookie: Uint8Array | null = null;

  /** A client for the server's long-term public key (32 bytes). */
  constructor(serverKey: Uint8Array) {
    this.serverKey = serverKey;
  }

  /** HELLO: version 1.0, 72 bytes of padding, C', a short nonce, Box[64 zero bytes](C'->S). */
  hello(): Uint8Array {
    const n = shortNonce(this.#nonce++);
    const box = nacl.box(
      new Uint8Array(64),
      nonce("CurveZMQHELLO---", n),
      this.serverKey,
      this.transient.secretKey,
    );
    return command(
      "HELLO",
      concat(Uint8Array.of(1, 0), new Uint8Array(72), this.transient.publicKey, n, box),
    );
  }

  /** Reads WELCOME's body (name-size onwards): S' and the cookie. Answers false if it is not one. */
  welcome(body: Uint8Array): boolean {
    if (body.length !== 1 + 7 + 16 + 144) return false;
    const open = nacl.box.open(
      body.subarray(24),
      nonce("WELCOME-", body.subarray(8, 24)),
      this.serverKey,
      this.transient.secretKey,
    );
    if (!open) return false;
    this.#serverTransient = open.subarray(0, 32);
    this.#cookie = open.subarray(32, 128);
    return true;
  }

  /** INITIATE: the cookie, a short nonce, Box[C + vouch + metadata](C'->S'). */
  initiate(socketType: string): Uint8Array {
    const st = this.#serverTransient ?? new Uint8Array(32);
    const vouchNonce = nacl.randomBytes(16);
    const vouch = nacl.box(
      concat(this.transient.publicKey, this.serverKey),
      nonce("VOUCH---", vouchNonce),
      st,
      this.long.secretKey,
    );
    const n = shortNonce(this.#nonce++);
    const box = nacl.box(
      concat(this.long.publicKey, vouchNonce, vouch, metadata([["Socket-Type", socketType]])),
      nonce("CurveZMQINITIATE", n),
      st,
      this.transient.secretKey,
    );
    return command("INITIATE", concat(this.#cookie ?? new Uint8Array(96), n, box));
  }

  /** One message frame, encrypted: "\x07MESSAGE", a short nonce, Box[flags + data](C'->S'). */
  message(data: Uint8Array, more = false, nonceValue = this.#nonce++): Uint8Array {
    const n = shortNonce(nonceValue);
    const box = nacl.box(
      concat(Uint8Array.of(more ? 1 : 0), data),
      nonce("CurveZMQMESSAGEC", n),
      this.#serverTransient ?? new Uint8Array(32),
      this.transient.secretKey,
    );
    return frame(concat(Uint8Array.of(7), bytes("MESSAGE"), n, box), { more });
  }
}
