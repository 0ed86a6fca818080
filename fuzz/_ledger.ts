// The model of what ZeroMQ promises, as a ledger of every message sent and received. Each
// message belongs to a stream (one sender's sequence); the ledger answers at once when a receipt
// breaks a promise (a duplicate, a message out of order, one delivered to a socket that may not
// have it, one whose send was rejected) and, at the end, which promised messages never came.
import { checkMessage, type Stamp } from "./_payload.ts";

/** The model was broken: what the fuzzer exists to find. */
export class Finding extends Error {
  /** Builds a finding. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Finding";
  }
}

/** How a stream's messages must be delivered. */
export interface StreamSpec {
  /** A name for reports, e.g. `"PUSH#1 → PULLs"`. */
  name: string;
  /**
   * Who may receive: "one" (exactly one of `allowed`, e.g. PUSH fan-out) or "each" (every
   * receiver the sender names per message, at most once each, e.g. PUB).
   */
  mode: "one" | "each";
  /** Receivers allowed to get this stream's messages (ids from {@linkcode Ledger.receiver}). */
  allowed: Set<number>;
  /** Must every message whose send resolved arrive? */
  promised: boolean;
}

interface Sent {
  state: "sending" | "sent" | "withdrawn";
  /** For "each": who must get it (when promised); for "one": null. */
  expect: Set<number> | null;
  /** Who may get it, when narrower than the stream's `allowed`. */
  allowed: Set<number> | null;
  got: number[];
}

interface Stream extends StreamSpec {
  sent: Map<number, Sent>;
  nextSeq: number;
}

/** Counts for the report. */
export interface LedgerTotals {
  /** Messages received and found intact. */
  delivered: number;
  /** Bytes of those messages (all frames). */
  bytes: number;
  /** Frames of those messages. */
  frames: number;
  /** Messages whose send resolved. */
  sent: number;
  /** Promised deliveries confirmed exactly once at the end. */
  confirmed: number;
  /** Sends that were rejected (timeouts, aborts) and must never arrive. */
  withdrawn: number;
}

/** The ledger of one scenario. */
export class Ledger {
  #streams: Stream[] = [];
  #receivers: string[] = [];
  /** Highest seq seen per (receiver, stream). */
  #last = new Map<string, number>();
  readonly totals: LedgerTotals = {
    delivered: 0,
    bytes: 0,
    frames: 0,
    sent: 0,
    confirmed: 0,
    withdrawn: 0,
  };

  /** Registers a receiver; answers its id. */
  receiver(name: string): number {
    this.#receivers.push(name);
    return this.#receivers.length - 1;
  }

  /** Registers a stream; answers its id (carried in every message's header). */
  stream(spec: StreamSpec): number {
    this.#streams.push({ ...spec, sent: new Map(), nextSeq: 0 });
    return this.#streams.length - 1;
  }

  /** Stops promising delivery on a stream (its peers may now legitimately lose messages). */
  unpromise(stream: number): void {
    this.#streams[stream].promised = false;
  }

  /** Is the stream's delivery promised? */
  promised(stream: number): boolean {
    return this.#streams[stream].promised;
  }

  /**
   * A send is about to be made: answers the message's seq. `expect` (for "each" streams) names
   * who must get it; `allowed` narrows who may.
   */
  sending(
    stream: number,
    expect: Set<number> | null = null,
    allowed: Set<number> | null = null,
  ): number {
    const s = this.#streams[stream];
    const seq = s.nextSeq++;
    s.sent.set(seq, { state: "sending", expect, allowed, got: [] });
    return seq;
  }

  /** The send resolved: libzmq has the message. */
  sent(stream: number, seq: number): void {
    const m = this.#record(stream, seq);
    if (m.state !== "sending") throw new Finding(`${this.#what(stream, seq)}: settled twice`);
    m.state = "sent";
    this.totals.sent++;
  }

  /** The send rejected: the message must never arrive. */
  withdrawn(stream: number, seq: number, why: string): void {
    const m = this.#record(stream, seq);
    if (m.state !== "sending") throw new Finding(`${this.#what(stream, seq)}: settled twice`);
    m.state = "withdrawn";
    this.totals.withdrawn++;
    if (m.got.length > 0) {
      throw new Finding(
        `${this.#what(stream, seq)}: its send rejected (${why}) but ${
          this.#receivers[m.got[0]]
        } received it`,
      );
    }
  }

  /**
   * A receiver got `frames` (envelope removed): checks them and the promises; answers the stamp.
   * Throws a Finding when anything is wrong.
   */
  received(receiver: number, frames: Uint8Array[]): Stamp {
    const stamp = checkMessage(frames);
    const who = this.#receivers[receiver];
    if (typeof stamp === "string") throw new Finding(`${who} received a broken message: ${stamp}`);
    const { stream, seq } = stamp;
    const s = this.#streams[stream];
    if (s === undefined) throw new Finding(`${who} received a message of unknown stream ${stream}`);
    const m = s.sent.get(seq);
    const what = this.#what(stream, seq);
    if (m === undefined) throw new Finding(`${who} received ${what}, which was never sent`);
    if (m.state === "withdrawn") {
      throw new Finding(`${who} received ${what}, whose send had rejected`);
    }
    if (!s.allowed.has(receiver) || (m.allowed !== null && !m.allowed.has(receiver))) {
      throw new Finding(`${who} received ${what}: it may not have it (not its peer, or filtered)`);
    }
    if (m.got.includes(receiver)) throw new Finding(`${who} received ${what} twice`);
    if (s.mode === "one" && m.got.length > 0) {
      throw new Finding(
        `${who} received ${what}, already delivered to ${this.#receivers[m.got[0]]}`,
      );
    }
    const key = `${receiver}:${stream}`;
    const last = this.#last.get(key) ?? -1;
    if (seq <= last) {
      throw new Finding(`${who} received ${what} after seq ${last} of the same stream (order)`);
    }
    this.#last.set(key, seq);
    m.got.push(receiver);
    this.totals.delivered++;
    this.totals.frames += frames.length;
    for (const f of frames) this.totals.bytes += f.length;
    return stamp;
  }

  /** Promised messages not (yet) delivered, as descriptions (at most `limit`). */
  missing(limit = 5): string[] {
    const out: string[] = [];
    for (const [id, s] of this.#streams.entries()) {
      if (!s.promised) continue;
      for (const [seq, m] of s.sent) {
        if (m.state !== "sent") continue;
        if (s.mode === "one" && m.got.length === 0) {
          out.push(`${this.#what(id, seq)} never arrived`);
        } else if (s.mode === "each" && m.expect) {
          for (const r of m.expect) {
            if (!m.got.includes(r)) {
              out.push(`${this.#what(id, seq)} never reached ${this.#receivers[r]}`);
            }
          }
        }
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** The state of the last message of `stream` (null before the first). */
  lastState(stream: number): "sending" | "sent" | "withdrawn" | null {
    const s = this.#streams[stream];
    return s.sent.get(s.nextSeq - 1)?.state ?? null;
  }

  /** Sends not yet settled. */
  unsettled(): number {
    let n = 0;
    for (const s of this.#streams) for (const m of s.sent.values()) if (m.state === "sending") n++;
    return n;
  }

  /** Counts the promised deliveries (call once, at the end, after missing() came back empty). */
  confirm(): void {
    for (const s of this.#streams) {
      if (!s.promised) continue;
      for (const m of s.sent.values()) {
        if (m.state !== "sent") continue;
        this.totals.confirmed += s.mode === "one" ? 1 : (m.expect?.size ?? 0);
      }
    }
  }

  #record(stream: number, seq: number): Sent {
    const m = this.#streams[stream]?.sent.get(seq);
    if (m === undefined) throw new Finding(`${this.#what(stream, seq)}: unknown message`);
    return m;
  }

  #what(stream: number, seq: number): string {
    return `message ${seq} of ${this.#streams[stream]?.name ?? `stream ${stream}`}`;
  }
}
