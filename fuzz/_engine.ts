// The model fuzzer's engine: a random program of sends, receives and scenario-specific
// actions over a group of sockets, every message checked by the ledger as it arrives, then a
// drain that waits for every promised message and a close that must settle every operation.
import { type Frame, POLLIN, type Socket, ZmqError } from "../mod.ts";
import { Finding, type Ledger } from "./_ledger.ts";
import {
  foreignBytes,
  frameCount,
  frameSize,
  type Keeper,
  makeMessage,
  type Stamp,
} from "./_payload.ts";
import type { Rng } from "./_rng.ts";
import { TickCounter } from "./_ticks.ts";

/** What a seed's scenarios share. */
export interface Env {
  /** Drives the program (consumed in order only, so a seed replays the same program). */
  rng: Rng;
  /** Drives what the "user" does with received frames (consumed as messages arrive). */
  userRng: Rng;
  /** Frames kept across scenarios and re-checked. */
  keeper: Keeper;
  /** Known open findings whose checks are left out (see _known.ts). */
  skip: ReadonlySet<string>;
  /** Frames up to 1 MiB (else up to 64 KiB). */
  allowLarge: boolean;
  /** Prints one line of trace. */
  trace(line: string): void;
  /** A fresh name for endpoints (unique in the process). */
  name(prefix: string): string;
}

/** A socket the program receives on. */
export interface Sink {
  /** The ledger's receiver id. */
  id: number;
  name: string;
  socket: Socket;
  /**
   * Removes (and checks) the envelope: routing id, topic. Answers header and body frames, or
   * null for a message that is not a ledger message (a subscription reaching an XPUB).
   * `token` is what {@linkcode Sink.issue} answered when the receive was made.
   */
  unwrap(frames: Uint8Array[], token: number): Uint8Array[] | null;
  /** Called when a receive is made; its answer reaches unwrap (e.g. a subscription epoch). */
  issue?(): number;
  /** Called after a message was accepted by the ledger. */
  accepted?(frames: Uint8Array[], stream: number): void;
  /** Receives in flight on this socket. */
  pending: number;
}

/**
 * What a lane sends next: the frames before the header, who must get it ("each" streams) and
 * who may (when narrower than the stream's peers).
 */
export interface Envelope {
  frames: Frame[];
  expect: Set<number> | null;
  allowed?: Set<number> | null;
}

/** A socket the program sends one stream on. */
export interface Lane {
  name: string;
  socket: Socket;
  stream: number;
  /** The envelope of the next message, or null when this lane cannot send now. */
  prepare(): Envelope | null;
  /** Every send must have a timeout (no peer may ever take it: a refused CURVE client). */
  mustTimeout?: boolean;
}

/** A scenario-specific step (change subscriptions, pause a proxy, ...). */
export interface Action {
  weight: number;
  name: string;
  run(): Promise<void> | void;
}

/** A sink's receives, by ticket: how many were made, the next to check, those settled. */
interface ReceiveQueue {
  issued: number;
  next: number;
  done: Map<number, { frames: Uint8Array[]; token: number } | null>;
}

/** May an operation end with this error? (ZmqError, or the signal's own reason.) */
export function expectedFailure(e: unknown): boolean {
  if (e instanceof ZmqError) return true;
  return e instanceof DOMException && (e.name === "AbortError" || e.name === "TimeoutError");
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Ops in a row without a macrotask that count as starving the event loop (issue 10, 4). */
export const STARVE_OPS = 50_000;

/** One scenario's program. */
export class Program {
  readonly env: Env;
  readonly ledger: Ledger;
  readonly title: string;
  sinks: Sink[] = [];
  lanes: Lane[] = [];
  actions: Action[] = [];
  /** Sends made (attempted). */
  attempts = 0;
  #inflight = new Set<Promise<unknown>>();
  #failure: Finding | null = null;
  #progress = 0;
  #sockets: Socket[] = [];

  constructor(env: Env, ledger: Ledger, title: string) {
    this.env = env;
    this.ledger = ledger;
    this.title = title;
  }

  /** Registers a socket to close at the end. */
  own<S extends Socket>(socket: S): S {
    this.#sockets.push(socket);
    return socket;
  }

  /** Records a finding met in a callback; the program stops at its next step. */
  fail(e: unknown): void {
    this.#failure ??= e instanceof Finding ? e : new Finding(`${this.title}: ${describe(e)}`, {
      cause: e,
    });
  }

  /** Throws the first finding recorded so far. */
  check(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Tracks a promise that must settle; its failure, if not an expected one, is a finding. */
  track(p: Promise<unknown>, what: string): void {
    const settled = p.then(
      () => {},
      (e) => {
        if (!expectedFailure(e)) this.fail(new Finding(`${what} rejected with ${describe(e)}`));
      },
    );
    this.#inflight.add(settled);
    settled.finally(() => this.#inflight.delete(settled));
  }

  /** Work still outstanding besides the ledger's (e.g. subscriptions not yet seen). */
  outstanding: () => number = () => 0;

  /**
   * A message arrived on `sink`: check it, then do what a user might with its frames. Answers
   * the message's stamp (null for a message outside the ledger, or after a finding).
   */
  deliver(sink: Sink, frames: Uint8Array[], token = 0): Stamp | null {
    if (this.#failure) return null;
    try {
      const payload = sink.unwrap(frames, token);
      this.#progress++;
      if (payload === null) return null;
      const stamp = this.ledger.received(sink.id, payload);
      this.env.trace(`  ${sink.name} ← ${stamp.stream}/${stamp.seq}`);
      sink.accepted?.(frames, stamp.stream);
      this.#userActions(frames, payload, `${sink.name} ${stamp.stream}/${stamp.seq}`);
      return stamp;
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  #userActions(all: Uint8Array[], payload: Uint8Array[], what: string): void {
    const rng = this.env.userRng;
    const slabChecks = !this.env.skip.has("slab-frames");
    if (slabChecks && rng.chance(0.03)) {
      const foreign = foreignBytes(all);
      if (foreign) throw new Finding(`${what}: ${foreign}`);
    }
    const keep = rng.chance(0.04) ? rng.int(payload.length) : -1;
    if (keep >= 0) this.env.keeper.keep(payload[keep], what);
    for (let i = 0; i < payload.length; i++) {
      if (i === keep) continue;
      // a user may write into a frame it received, or hand its buffer to a Worker: that must
      // touch nothing else (no other frame, no later receive)
      if (rng.chance(0.02)) payload[i].fill(0xee);
      else if (slabChecks && rng.chance(0.01)) {
        const buffer = payload[i].buffer as ArrayBuffer;
        structuredClone(buffer, { transfer: [buffer] });
      }
    }
    if (rng.chance(0.01)) {
      const changed = this.env.keeper.recheck();
      if (changed) throw new Finding(changed);
    }
  }

  // ---- sends ----

  /** Builds the next message of `lane`; answers its frames and seq, or null. */
  #compose(lane: Lane): { frames: Frame[]; seq: number } | null {
    const envelope = lane.prepare();
    if (envelope === null) return null;
    const rng = this.env.rng;
    const sizes = Array.from(
      { length: frameCount(rng) },
      () => frameSize(rng, this.env.allowLarge),
    );
    const seq = this.ledger.sending(lane.stream, envelope.expect, envelope.allowed ?? null);
    const payload: Frame[] = makeMessage(lane.stream, seq, sizes);
    // sometimes a body frame is a view into a larger buffer with other bytes around it
    for (let i = 1; i < payload.length; i++) {
      if (rng.chance(0.05)) {
        const f = payload[i] as Uint8Array;
        const big = new Uint8Array(f.length + 16).fill(0x77);
        big.set(f, 8);
        payload[i] = big.subarray(8, 8 + f.length);
      }
    }
    this.attempts++;
    return { frames: [...envelope.frames, ...payload], seq };
  }

  /** One send on `lane`, awaited or left in flight, with a timeout or a signal or neither. */
  async send(lane: Lane, background = this.env.rng.chance(0.5), timeout?: number): Promise<void> {
    const msg = this.#compose(lane);
    if (msg === null) return;
    const rng = this.env.rng;
    const options: { timeout?: number; signal?: AbortSignal } = {};
    const r = rng.int(10);
    if (timeout !== undefined) options.timeout = timeout;
    else if (!background || lane.mustTimeout || r < 3) {
      options.timeout = rng.pick([0, 1, 5, 20, 100]);
    } else if (r === 3) options.signal = AbortSignal.timeout(rng.range(1, 10));
    const scribble = rng.chance(0.2);
    this.env.trace(
      `  send ${lane.name} seq ${msg.seq} ${background ? "bg" : "await"} ${
        JSON.stringify({ timeout: options.timeout, signal: options.signal !== undefined })
      }`,
    );
    const op = rng.chance(0.5)
      ? lane.socket.send(msg.frames, options)
      : lane.socket.sendMultipart(msg.frames, options);
    const settled = op.then(() => {
      this.ledger.sent(lane.stream, msg.seq);
      this.#progress++;
      // the caller's buffers are the caller's again once the send resolved
      if (scribble) { for (const f of msg.frames) if (f instanceof Uint8Array) f.fill(0x55); }
    }, (e) => {
      if (!expectedFailure(e)) throw e;
      this.ledger.withdrawn(lane.stream, msg.seq, describe(e));
      this.#progress++;
    }).catch((e) => this.fail(e));
    if (background && timeout === undefined) this.track(settled, `send on ${lane.name}`);
    else await settled;
  }

  // ---- receives ----

  /** One receive on `sink`, in one of the ways a user may receive. */
  async recv(sink: Sink): Promise<void> {
    const rng = this.env.rng;
    const socket = sink.socket;
    const how = rng.int(12);
    if (how < 3) {
      // awaited with a short timeout: EAGAIN must leave the message for the next receive
      await this.receive(sink, socket.recvMultipart({ timeout: rng.pick([0, 1, 5, 20]) }));
    } else if (how < 6) {
      // a pile-up of receives in flight, served in order as messages come
      const n = rng.chance(0.2) ? rng.range(10, 40) : rng.range(1, 3);
      for (let i = 0; i < n; i++) this.receive(sink, socket.recvMultipart(), true);
    } else if (how === 6) {
      const controller = new AbortController();
      this.receive(sink, socket.recvMultipart({ signal: controller.signal }), true);
      const delay = rng.pick([0, 1, 3]);
      if (delay === 0) controller.abort();
      else setTimeout(() => controller.abort(), delay);
    } else if (how === 7) {
      const signal = AbortSignal.timeout(rng.range(1, 8));
      this.receive(sink, socket.recvMultipart({ signal }), true);
    } else if (how === 8 && sink.pending === 0) {
      // readiness first: POLLIN promises that a receive with timeout 0 succeeds
      const wait = rng.pick([0, 2, 10]);
      await this.receive(
        sink,
        socket.poll(POLLIN, { timeout: wait }).then((ready) => {
          if ((ready & POLLIN) === 0) return null;
          return socket.recvMultipart({ timeout: 0 }).catch((e) => {
            throw new Finding(`${sink.name}: poll answered POLLIN, then recv(timeout 0): ${e}`);
          });
        }),
      );
    } else if (how === 9 && sink.pending === 0) {
      // frame by frame, RCVMORE telling where the message ends
      await this.receive(
        sink,
        socket.recv({ timeout: rng.pick([0, 5]) }).then(async (first) => {
          const frames = [first];
          while (socket.getOption("RCVMORE")) frames.push(await socket.recv({ timeout: 0 }));
          return frames;
        }),
      );
    } else if (how === 10) {
      const it = socket[Symbol.asyncIterator]();
      this.receive(
        sink,
        it.next().then((r) => {
          if (r.done) throw new ZmqError("ECLOSED", 0, "iteration ended");
          return r.value;
        }),
        true,
      );
    } else {
      await this.receive(sink, socket.recvMultipart({ timeout: rng.pick([10, 50]) }));
    }
  }

  /**
   * Tracks one receive made on `sink` just now. The library serves a socket's receives in the
   * order they were made, but their promise chains may settle in another order: each receive
   * takes a ticket, and messages reach the ledger in ticket order. A receive that answers null
   * got nothing (a poll that found nothing ready).
   */
  receive(sink: Sink, op: Promise<Uint8Array[] | null>, background = false): Promise<void> {
    const q = this.#queueOf(sink);
    const ticket = q.issued++;
    const token = sink.issue?.() ?? 0;
    sink.pending++;
    const settled = op.then((frames) => {
      q.done.set(ticket, frames === null ? null : { frames, token });
    }, (e) => {
      q.done.set(ticket, null);
      if (!expectedFailure(e)) {
        this.fail(new Finding(`recv on ${sink.name} rejected with ${describe(e)}`, { cause: e }));
      }
    }).finally(() => {
      sink.pending--;
      for (let next = q.done.get(q.next); next !== undefined; next = q.done.get(q.next)) {
        q.done.delete(q.next++);
        if (next !== null) this.deliver(sink, next.frames, next.token);
      }
    });
    if (background) this.track(settled, `recv on ${sink.name}`);
    return settled;
  }

  #queues = new Map<Sink, ReceiveQueue>();

  #queueOf(sink: Sink): ReceiveQueue {
    let q = this.#queues.get(sink);
    if (q === undefined) this.#queues.set(sink, q = { issued: 0, next: 0, done: new Map() });
    return q;
  }

  // ---- the program ----

  /** Runs random steps until `budget` messages were sent (or a finding). */
  async run(budget: number): Promise<void> {
    const rng = this.env.rng;
    const steps: Action[] = [
      ...this.lanes.map((lane) => ({
        weight: 10 / this.lanes.length,
        name: `send ${lane.name}`,
        run: () => this.send(lane),
      })),
      ...this.lanes.map((lane) => ({
        weight: 2 / this.lanes.length,
        name: `burst ${lane.name}`,
        run: async () => {
          const n = rng.range(5, 60);
          for (let i = 0; i < n; i++) await this.send(lane, true);
        },
      })),
      ...this.sinks.map((sink) => ({
        weight: 11 / this.sinks.length,
        name: `recv ${sink.name}`,
        run: () => this.recv(sink),
      })),
      ...this.actions,
    ];
    const total = steps.reduce((n, s) => n + s.weight, 0);
    while (this.attempts < budget) {
      this.check();
      let r = rng.next() * total;
      const step = steps.find((s) => (r -= s.weight) < 0) ?? steps[steps.length - 1];
      this.env.trace(`${this.title}: ${step.name}`);
      await step.run();
    }
    this.check();
  }

  /**
   * Receives on every sink until each send has settled and every promised message arrived.
   * A stall of `stallMs` without progress is a finding that lists what is missing.
   */
  async drain(stallMs = 10_000): Promise<void> {
    let done = false;
    const pumps = this.sinks.map(async (sink) => {
      while (!done && !this.#failure) {
        await this.receive(sink, sink.socket.recvMultipart({ timeout: 20 }));
      }
    });
    try {
      let last = -1;
      let since = performance.now();
      for (;;) {
        this.check();
        if (
          this.ledger.unsettled() === 0 && this.ledger.missing(1).length === 0 &&
          this.outstanding() === 0
        ) break;
        if (this.#progress !== last) {
          last = this.#progress;
          since = performance.now();
        } else if (performance.now() - since > stallMs) {
          throw new Finding(
            `${this.title}: nothing moved for ${stallMs} ms; ${this.ledger.unsettled()} sends ` +
              `unsettled; missing: ${this.ledger.missing().join("; ") || "none"}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      done = true;
      await Promise.all(pumps);
    }
    this.check();
    this.ledger.confirm();
  }

  /**
   * Consumes `count` queued messages of `sink` in a tight loop, counting receives in a row
   * without a macrotask: more than {@linkcode STARVE_OPS} starves timers (issue 10, finding 4).
   */
  async consumeHot(sink: Sink, count: number): Promise<void> {
    const ticks = new TickCounter();
    try {
      for (let i = 0; i < count; i++) {
        await this.receive(sink, sink.socket.recvMultipart({ timeout: 5000 }));
        ticks.bump();
        this.check();
      }
    } finally {
      ticks.stop();
    }
    const worst = ticks.worst;
    if (!this.env.skip.has("starvation") && worst > STARVE_OPS) {
      throw new Finding(
        `${this.title}: ${worst} receives in a row resolved without letting a timer run ` +
          `(more than ${STARVE_OPS}): the event loop starves`,
      );
    }
  }

  /** Closes every socket, then waits (bounded) for every operation in flight to settle. */
  async close(): Promise<void> {
    for (const s of this.#sockets.reverse()) {
      try {
        s.close({ linger: 0 });
      } catch (e) {
        this.fail(new Finding(`close ${s.type}: ${describe(e)}`, { cause: e }));
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), 5000));
    const outcome = await Promise.race([Promise.all(this.#inflight), late]);
    clearTimeout(timer);
    if (outcome === "late") {
      this.fail(new Finding(`${this.title}: ${this.#inflight.size} operations never settled`));
    }
  }
}
