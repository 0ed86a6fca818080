// Hostile raw peers for the wire fuzzer: each connects with Deno.connect, plays a ZMTP 3.x
// handshake (NULL, PLAIN or CURVE) built valid and then mutated at one random place, maybe
// follows it with odd frames (commands, reserved flags, sizes that lie, huge claims, messages
// cut short), reads what the server answers, and hangs up. Bounded in time and bytes.
import type { Rng } from "./_rng.ts";
import {
  bytes,
  command,
  concat,
  CurveClient,
  firstCommand,
  frame,
  greeting,
  metadata,
  plainHello,
  plainInitiate,
  ready,
} from "./_zmtp.ts";
import { speaksTo, takesShare } from "./_admission.ts";

/** What the attacker knows of its target. */
export interface Target {
  port: number;
  mechanism: "NULL" | "PLAIN" | "CURVE";
  /** Socket types a raw peer may announce (compatible ones only where that is harmless). */
  announce: string[];
  /** PLAIN credentials that the server accepts. */
  plain?: { user: string; password: string };
  /** The CURVE server's public key (32 bytes). */
  serverKey?: Uint8Array;
  /**
   * The peer types that would take a share of the good peer's messages (a PUSH's PULL, a REQ's
   * REP and ROUTER); empty where a stranger takes nothing (a PULL, a ROUTER, a PUB). Against such
   * a socket, a raw peer never sends what libzmq would attach as one of them: a ZMTP 1.0 greeting
   * (taken with NULL security and no type check), or a mutated READY or INITIATE that lost its
   * Socket-Type (checked only when present) or now names a compatible type (see _admission.ts).
   * Its share would be lost when it hangs up, legitimately.
   */
  sharing: readonly string[];
  /**
   * The peer types libzmq attaches that must stay quiet once attached (a REP's REQ and DEALER):
   * a raw peer that libzmq would attach as one of them (or with no type check) sends no message
   * after its handshake. libzmq's REP drops the next reply after reading a request without an
   * empty delimiter from a peer already gone (router.cpp's rollback; see the README).
   */
  quiet: readonly string[];
}

/** Keeps a greeting (or bytes standing for one) ZMTP 3: signature and major version intact. */
function keepZmtp3(g: Uint8Array): Uint8Array {
  const out = g.length < 11 ? concat(g, new Uint8Array(11 - g.length)) : new Uint8Array(g);
  out[0] = 0xff;
  out[9] |= 1;
  if (out[10] < 3) out[10] = 3;
  return out;
}

/** What one attack did, for the report. */
export interface AttackReport {
  kind: string;
  sent: number;
  received: number;
}

/** Socket types no libzmq socket answers to. */
const BOGUS_TYPES = ["", "NOPE", "pair", "PAIR\0", "X".repeat(200)];

/** Applies one random mutation to `chunk`. */
export function mutate(chunk: Uint8Array, rng: Rng): Uint8Array {
  const out = new Uint8Array(chunk);
  const at = out.length ? rng.int(out.length) : 0;
  switch (rng.int(8)) {
    case 0:
      if (out.length) out[at] ^= 1 << rng.int(8);
      return out;
    case 1:
      if (out.length) out[at] = rng.pick([0, 0xff, 0x7f, 0x80, 1]);
      return out;
    case 2:
      return out.subarray(0, at);
    case 3:
      return concat(out, randomBytes(rng, rng.int(40)));
    case 4:
      return concat(out, out);
    case 5: {
      // a size that lies: the second byte of a short frame, or a long size
      if (out.length > 1) out[1] = rng.pick([0, 1, 0xff, out[1] + 1, out[1] - 1]);
      return out;
    }
    case 6:
      return randomBytes(rng, out.length);
    default:
      return new Uint8Array(0);
  }
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

/** Frames a raw peer may send after its handshake (or in place of it). */
function oddFrame(rng: Rng): Uint8Array {
  switch (rng.int(12)) {
    case 0:
      return command(
        "PING",
        concat(Uint8Array.of(rng.int(256), rng.int(256)), randomBytes(rng, rng.int(20))),
      );
    case 1:
      return command("PONG", randomBytes(rng, rng.int(20)));
    case 2:
      return command(
        rng.pick(["XYZZY", "READY", "HELLO", "ERROR", "", "x".repeat(255)]),
        randomBytes(rng, rng.int(30)),
      );
    case 3:
      return command(rng.pick(["SUBSCRIBE", "CANCEL"]), bytes(rng.pick(["", "a", "raw"])));
    case 4: {
      const f = frame(randomBytes(rng, rng.int(10)));
      f[0] |= rng.pick([0x08, 0x10, 0x80, 0xf8]); // reserved flag bits
      return f;
    }
    case 5: {
      // a long frame claiming a huge size, then only a few bytes
      const head = new Uint8Array(9);
      head[0] = rng.pick([0x02, 0x03, 0x06]);
      new DataView(head.buffer).setBigUint64(
        1,
        rng.pick([2n ** 63n - 1n, 2n ** 40n, 2n ** 32n, 256n]),
      );
      return concat(head, randomBytes(rng, rng.int(64)));
    }
    case 6:
      return frame(randomBytes(rng, rng.int(300)), { more: true }); // and the message never ends
    case 7:
      return frame(new Uint8Array(0), { long: true });
    case 8:
      return frame(bytes(rng.pick(["\x01", "\x00", "\x01raw", "\x00raw"]))); // (un)subscriptions
    default:
      return concat(frame(bytes("raw"), { more: true }), frame(randomBytes(rng, rng.int(100))));
  }
}

/** The handshake a valid client of `target` would send, as chunks, with the reads it needs. */
function handshake(
  target: Target,
  rng: Rng,
  type: string,
): { chunks: Uint8Array[]; curve?: CurveClient } {
  const g = greeting(target.mechanism, false, 3, rng.pick([0, 1]));
  if (target.mechanism === "NULL") {
    return {
      chunks: [g, ready(type, rng.chance(0.3) ? [["Identity", randomBytes(rng, rng.int(8))]] : [])],
    };
  }
  if (target.mechanism === "PLAIN") {
    const good = target.plain && rng.chance(0.5);
    const user = good ? target.plain!.user : rng.pick(["", "admin", "x".repeat(255)]);
    const password = good ? target.plain!.password : rng.pick(["", "secret", "y".repeat(255)]);
    return { chunks: [g, plainHello(user, password), plainInitiate(type)] };
  }
  const curve = new CurveClient(rng.chance(0.85) ? target.serverKey! : randomBytes(rng, 32));
  return { chunks: [g, curve.hello()], curve };
}

/** What a raw peer sends before any answer of the server matters. */
export interface Opening {
  /** What kind of peer it plays, for the report. */
  kind: string;
  /** Written at once, in order: greeting, handshake, odd frames (all but CURVE's later part). */
  first: Uint8Array[];
  /**
   * CURVE: what follows once WELCOME came: INITIATE (maybe mutated), then, unless `quiet`,
   * encrypted messages and the odd frames.
   */
  curve?: {
    client: CurveClient;
    type: string;
    badInitiate: boolean;
    quiet: boolean;
    tail: Uint8Array[];
  };
  /** True if a mutation was left out: libzmq would have attached the peer to take a share. */
  defused: boolean;
}

/** Frames a raw peer may send after its handshake: odd ones, maybe a stray metadata body. */
function oddTail(rng: Rng, type: string): Uint8Array[] {
  const tail: Uint8Array[] = [];
  for (let i = 0, n = rng.int(5); i < n; i++) {
    const f = oddFrame(rng);
    tail.push(rng.chance(0.2) ? mutate(f, rng) : f);
  }
  if (rng.chance(0.2)) tail.push(metadata([["Socket-Type", type]])); // a stray body
  return tail;
}

/**
 * Plans one raw peer's bytes. What libzmq would attach to take a share of a sharing socket's
 * messages, or attach as a quiet type and then hear a message from (see _admission.ts), is
 * replaced by the same bytes without the odd frames, or without their mutation (a valid
 * handshake announcing a type libzmq refuses, or a quiet one that then says nothing), or nothing.
 */
export function opening(target: Target, rng: Rng): Opening {
  const kind = rng.int(10);
  const type = rng.chance(0.8) ? rng.pick(target.announce) : rng.pick(BOGUS_TYPES);
  const guarded = target.sharing.length > 0 || target.quiet.length > 0;
  // ZMTP 1.0 is taken with no type check under NULL: against a guarded socket, keep ZMTP 3
  const v3 = (g: Uint8Array) => (target.mechanism === "NULL" && guarded ? keepZmtp3(g) : g);
  const harmless = (c: Uint8Array[]) => {
    const bytes = concat(...c);
    return !takesShare(bytes, target.mechanism, target.sharing) &&
      !speaksTo(bytes, target.mechanism, target.quiet);
  };
  const safe = (label: string, candidates: Uint8Array[][]): Opening => {
    const first = candidates.find(harmless) ?? [];
    return { kind: label, first, defused: first !== candidates[0] };
  };
  if (kind === 0) return safe("garbage", [[v3(randomBytes(rng, rng.int(200)))]]);
  if (kind === 1) {
    const g = greeting(
      rng.pick(["NULL", "PLAIN", "CURVE", "GSSAPI", "", "NOPE"]),
      rng.chance(0.5),
      rng.pick([3, 3, 1, 2, 4, 255]),
      rng.int(3),
    );
    return safe("greeting only", [[v3(rng.chance(0.6) ? mutate(g, rng) : g)], [v3(g)]]);
  }
  const { chunks, curve } = handshake(target, rng, type);
  const bad = rng.chance(0.6) ? rng.int(chunks.length + (curve ? 1 : 0)) : -1;
  const label = `${target.mechanism} handshake as ${JSON.stringify(type)}${
    bad >= 0 ? `, stage ${bad} mutated` : ""
  }`;
  const sent = chunks.map((c, i) => (i === bad ? mutate(c, rng) : c));
  sent[0] = v3(sent[0]);
  const tail = oddTail(rng, type);
  if (curve) {
    return {
      kind: label,
      first: sent,
      curve: {
        client: curve,
        type,
        badInitiate: bad === chunks.length,
        quiet: target.quiet.includes(type),
        tail,
      },
      defused: false,
    };
  }
  const plan = safe(label, [[...sent, ...tail], sent, [...chunks, ...tail], chunks]);
  return plan.defused ? { ...plan, kind: `${label} (its mutation left out)` } : plan;
}

/** One hostile connection; resolves when it is done (it never rejects). */
export async function attack(target: Target, rng: Rng, deadlineMs = 1500): Promise<AttackReport> {
  const report: AttackReport = { kind: "", sent: 0, received: 0 };
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port: target.port });
  } catch {
    report.kind = "connect refused";
    return report;
  }
  const deadline = performance.now() + deadlineMs;
  let inbox: Uint8Array = new Uint8Array(0);
  let closed = false;
  const reader = (async () => {
    const buf = new Uint8Array(4096);
    while (!closed) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return;
      report.received += n;
      if (inbox.length < 1 << 16) inbox = concat(inbox, buf.subarray(0, n));
    }
  })();
  const write = async (chunk: Uint8Array) => {
    // sometimes byte by byte, sometimes in two pieces, as a slow or odd peer would
    const pieces: Uint8Array[] = [];
    if (rng.chance(0.1) && chunk.length < 80) {
      for (let i = 0; i < chunk.length; i++) pieces.push(chunk.subarray(i, i + 1));
    } else if (rng.chance(0.2) && chunk.length > 1) {
      const at = 1 + rng.int(chunk.length - 1);
      pieces.push(chunk.subarray(0, at), chunk.subarray(at));
    } else pieces.push(chunk);
    for (const piece of pieces) {
      for (let at = 0; at < piece.length;) {
        if (performance.now() > deadline) return false;
        at += await conn.write(piece.subarray(at));
      }
      report.sent += piece.length;
    }
    return true;
  };
  /** Waits for the server's answer to arrive (its greeting, then a command), briefly. */
  const awaitCommand = async (): Promise<Uint8Array | null> => {
    while (performance.now() < deadline) {
      if (inbox.length > 64) {
        const body = firstCommand(inbox.subarray(64));
        if (body) return body;
      }
      if (closed) return null;
      await new Promise((r) => setTimeout(r, 5));
    }
    return null;
  };
  try {
    const plan = opening(target, rng);
    report.kind = plan.kind;
    let ok = true;
    for (let i = 0; i < plan.first.length && ok; i++) ok = await write(plan.first[i]);
    const curve = plan.curve;
    if (curve && ok) {
      // WELCOME, then INITIATE (maybe mutated) and encrypted messages; the odd frames in any case
      const welcome = await awaitCommand();
      if (welcome && curve.client.welcome(welcome)) {
        const initiate = curve.client.initiate(curve.type);
        ok = await write(curve.badInitiate ? mutate(initiate, rng) : initiate);
        for (let i = 0; ok && !curve.quiet && i < rng.int(4); i++) {
          const data = concat(bytes("raw"), randomBytes(rng, rng.int(50)));
          const m = curve.client.message(data, false, rng.chance(0.2) ? 1 : undefined);
          ok = await write(rng.chance(0.3) ? mutate(m, rng) : m);
        }
      }
      for (let i = 0; i < curve.tail.length && ok && !curve.quiet; i++) {
        ok = await write(curve.tail[i]);
      }
    }
    // linger a little, reading, as a slow peer would
    const linger = rng.pick([0, 0, 10, 50, 200]);
    const end = Math.min(deadline, performance.now() + linger);
    while (performance.now() < end) await new Promise((r) => setTimeout(r, 5));
  } catch (e) {
    // the server hung up on us: that is its right; anything else is the fuzzer's own bug
    if (!(e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset)) {
      throw e;
    }
  } finally {
    closed = true;
    try {
      conn.close();
    } catch {
      // already closed
    }
    await reader;
  }
  return report;
}
