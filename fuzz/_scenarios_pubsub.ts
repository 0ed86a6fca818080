// Publish-subscribe scenarios. PUB/SUB: subscriptions change while messages flow; a SUB filters
// on its own side, so it may only ever return a message matching a subscription it held while
// the receive was pending, and each SUB's stable topic is delivered exactly once after a sync.
// XPUB/XSUB: the XPUB sees every subscription exactly once and in order, and delivers what it
// sends on a confirmed topic to that subscriber, nothing it never subscribed to.
import { Context, type Socket } from "../mod.ts";
import { type Lane, Program, type Sink } from "./_engine.ts";
import { Finding, Ledger } from "./_ledger.ts";
import { makeMessage } from "./_payload.ts";
import { runProgram, type Scenario } from "./_scenarios_pipes.ts";
import { Topology } from "./_topology.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A SUB's subscriptions as libzmq counts them, with when each was last held (epochs). */
class Subscriptions {
  #count = new Map<string, number>();
  /** Epoch until which a topic was held (Infinity while held). */
  #heldUntil = new Map<string, number>();
  epoch = 0;

  add(topic: string): void {
    this.epoch++;
    this.#count.set(topic, (this.#count.get(topic) ?? 0) + 1);
    this.#heldUntil.set(topic, Infinity);
  }

  remove(topic: string): boolean {
    const n = this.#count.get(topic) ?? 0;
    if (n === 0) return false;
    this.epoch++;
    this.#count.set(topic, n - 1);
    if (n === 1) this.#heldUntil.set(topic, this.epoch);
    return true;
  }

  /** How many times `topic` is held. */
  count(topic: string): number {
    return this.#count.get(topic) ?? 0;
  }

  /** Held topics (with their counts). */
  held(): string[] {
    return [...this.#count].filter(([, n]) => n > 0).map(([t]) => t);
  }

  /** Did a subscription held at some epoch >= `since` match `topic`? */
  matchedSince(topic: string, since: number): boolean {
    for (const [t, until] of this.#heldUntil) {
      if (until >= since && topic.startsWith(t)) return true;
    }
    return false;
  }
}

/** PUB → SUBs with changing subscriptions. */
export const pubSub: Scenario = async (env, budget) => {
  const rng = env.rng;
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "PUB→SUBs");
  // (HWMs of 1 to 10 over tcp with subscriptions changing under bursts abort libzmq 4.3.5 in
  // session_base.cpp:233: a libzmq crash, documented in the README and kept out of the runs)
  const topology = new Topology(env, program, ctx, { hwm: rng.chance(0.7) ? 0 : 1000 });
  const promised = topology.hwm === 0; // at a HWM, PUB drops silently (ZeroMQ's rule)
  const pub = topology.open("PUB", "server");
  const endpoint = topology.bind(pub);
  const n = rng.range(1, 3);
  const subs: { sink: Sink; subs: Subscriptions; stable: string }[] = [];
  for (let i = 0; i < n; i++) {
    const socket = topology.open("SUB", "client");
    topology.connect(socket, endpoint);
    const state = new Subscriptions();
    const stable = `s${i}`;
    socket.subscribe(stable);
    state.add(stable);
    const name = `SUB#${i}`;
    const sink: Sink = {
      id: ledger.receiver(name),
      name,
      socket,
      pending: 0,
      issue: () => state.epoch,
      unwrap: (frames, since) => {
        const topic = decoder.decode(frames[0]);
        if (!state.matchedSince(topic, since)) {
          throw new Finding(
            `${name} returned topic ${JSON.stringify(topic)} while subscribed only to ${
              JSON.stringify(state.held())
            }`,
          );
        }
        return frames.slice(1);
      },
    };
    subs.push({ sink, subs: state, stable });
    program.sinks.push(sink);
  }
  const everyone = new Set(subs.map((s) => s.sink.id));
  try {
    await sync(program, pub, subs);
  } catch (e) {
    await program.close();
    ctx.close({ linger: 0 });
    throw e;
  }
  const pool = ["", "a", "ab", "abc", "b", "s", ...subs.map((s) => s.stable)];
  const stream = ledger.stream({ name: "PUB→SUBs", mode: "each", allowed: everyone, promised });
  const lane: Lane = {
    name: "PUB",
    socket: pub,
    stream,
    prepare: () => {
      const topic = rng.pick(pool) + rng.pick(["", "", "x", "bc", "1"]);
      const expect = new Set(subs.filter((s) => topic.startsWith(s.stable)).map((s) => s.sink.id));
      return { frames: [rng.chance(0.5) ? topic : encoder.encode(topic)], expect };
    },
  };
  program.lanes.push(lane);
  program.actions.push({
    weight: 3,
    name: "change a subscription",
    run: () => {
      const s = rng.pick(subs);
      const topic = rng.pick(pool);
      if (rng.chance(0.6)) {
        s.sink.socket.subscribe(topic);
        s.subs.add(topic);
      } else if ((topic !== s.stable || s.subs.count(topic) > 1) && s.subs.remove(topic)) {
        // (never the last hold of the stable topic: its delivery is promised)
        s.sink.socket.unsubscribe(topic);
      }
    },
  });
  env.trace(`PUB→${n} SUB over ${topology.label}${promised ? "" : " (not promised)"}`);
  return runProgram(program, topology, ctx, budget);
};

/**
 * Sends sync messages on each SUB's stable topic until every SUB got one: from then on, the
 * PUB knows every stable subscription and delivery on those topics is promised (HWM 0).
 */
async function sync(program: Program, pub: Socket, subs: { sink: Sink; stable: string }[]) {
  const ledger = program.ledger;
  const stream = ledger.stream({
    name: "sync",
    mode: "each",
    allowed: new Set(subs.map((s) => s.sink.id)),
    promised: false,
  });
  const waiting = new Set(subs);
  const deadline = performance.now() + 15_000;
  while (waiting.size > 0) {
    if (performance.now() > deadline) throw new Finding("PUB→SUBs: a SUB never got a sync message");
    for (const s of waiting) {
      const seq = ledger.sending(stream);
      await pub.send([s.stable, ...makeMessage(stream, seq, [])]);
      ledger.sent(stream, seq);
    }
    for (const s of [...waiting]) {
      for (;;) {
        const token = s.sink.issue?.() ?? 0;
        const frames = await s.sink.socket.recvMultipart({ timeout: 10 }).catch(() => null);
        if (frames === null) break;
        program.deliver(s.sink, frames, token);
        program.check();
        waiting.delete(s);
      }
    }
  }
}

/** XPUB ↔ XSUBs: subscriptions as messages upstream, filtered messages downstream. */
export const xpubXsub: Scenario = (env, budget) => {
  const rng = env.rng;
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "XPUB↔XSUBs");
  const topology = new Topology(env, program, ctx, { hwm: rng.chance(0.8) ? 0 : undefined });
  const promised = topology.hwm === 0;
  const xpub = topology.open("XPUB", "server");
  if (rng.chance(0.5)) xpub.setOption("XPUB_VERBOSE", true);
  const endpoint = topology.bind(xpub);
  const n = rng.range(1, 3);
  interface Peer {
    sink: Sink;
    topics: string[];
    /** What this XSUB holds (it subscribes only what it does not hold: set semantics). */
    held: Set<string>;
    ever: Set<string>;
    /** Subscription messages sent, not yet seen by the XPUB: [subscribe?, topic]. */
    inFlight: [boolean, string][];
    /** What the XPUB has seen this XSUB hold. */
    confirmed: Set<string>;
  }
  const peers: Peer[] = [];
  for (let i = 0; i < n; i++) {
    const socket = topology.open("XSUB", "client");
    topology.connect(socket, endpoint);
    const name = `XSUB#${i}`;
    const peer: Peer = {
      topics: Array.from({ length: 5 }, (_, j) => `x${i}.${j}`),
      held: new Set(),
      ever: new Set(),
      inFlight: [],
      confirmed: new Set(),
      sink: {
        id: ledger.receiver(name),
        name,
        socket,
        pending: 0,
        unwrap: (frames) => {
          const topic = decoder.decode(frames[0]);
          if (![...peer.ever].some((t) => topic.startsWith(t))) {
            throw new Finding(`${name} received topic ${JSON.stringify(topic)}: never subscribed`);
          }
          return frames.slice(1);
        },
      },
    };
    peers.push(peer);
    program.sinks.push(peer.sink);
  }
  const xpubSink: Sink = {
    id: ledger.receiver("XPUB"),
    name: "XPUB",
    socket: xpub,
    pending: 0,
    unwrap: (frames) => {
      const f = frames[0];
      if (frames.length !== 1 || f.length < 2 || (f[0] !== 0 && f[0] !== 1)) {
        throw new Finding(`XPUB received ${frames.length} frames that are not a subscription`);
      }
      const topic = decoder.decode(f.subarray(1));
      const peer = peers[Number(/^x(\d+)\./.exec(topic)?.[1] ?? -1)];
      if (!promised && peer) {
        // at a HWM an XSUB drops subscriptions as a PUB drops messages: skip the lost ones
        const at = peer.inFlight.findIndex(([sub, t]) => sub === (f[0] === 1) && t === topic);
        if (at > 0) peer.inFlight.splice(0, at);
      }
      const head = peer?.inFlight.shift();
      if (!head || head[0] !== (f[0] === 1) || head[1] !== topic) {
        throw new Finding(
          `XPUB saw ${f[0] === 1 ? "subscribe" : "unsubscribe"} ${JSON.stringify(topic)}; ` +
            `expected ${head ? `${head[0] ? "subscribe" : "unsubscribe"} ${head[1]}` : "nothing"}`,
        );
      }
      if (head[0]) peer.confirmed.add(topic);
      else peer.confirmed.delete(topic);
      return null;
    },
  };
  program.sinks.push(xpubSink);
  // (not promised: a subscription lost at a HWM never comes, nothing to wait for)
  program.outstanding = () => promised ? peers.reduce((k, p) => k + p.inFlight.length, 0) : 0;
  const stream = ledger.stream({
    name: "XPUB→XSUBs",
    mode: "each",
    allowed: new Set(peers.map((p) => p.sink.id)),
    promised,
  });
  const allTopics = [...peers.flatMap((p) => p.topics), "zz"];
  program.lanes.push({
    name: "XPUB",
    socket: xpub,
    stream,
    prepare: () => {
      const topic = rng.pick(allTopics) + rng.pick(["", "!", "~~"]);
      const match = (t: string) => topic.startsWith(t);
      // who must get it: what the XPUB confirmed, unless an unsubscribe is on its way; who may:
      // also what is on its way (the XPUB may have read it before we did)
      const expect = new Set<number>();
      const allowed = new Set<number>();
      for (const p of peers) {
        const leaving = p.inFlight.some(([sub, t]) => !sub && match(t));
        const coming = p.inFlight.some(([sub, t]) => sub && match(t));
        const confirmed = [...p.confirmed].some(match);
        if (confirmed && !leaving) expect.add(p.sink.id);
        if (confirmed || coming || leaving) allowed.add(p.sink.id);
      }
      return { frames: [topic], expect, allowed };
    },
  });
  program.actions.push({
    weight: 4,
    name: "XSUB (un)subscribes",
    run: async () => {
      const p = rng.pick(peers);
      const topic = rng.pick(p.topics);
      const subscribe = !p.held.has(topic);
      const frame = new Uint8Array(topic.length + 1);
      frame[0] = subscribe ? 1 : 0;
      frame.set(encoder.encode(topic), 1);
      // noted first: the XPUB may read it before this send's promise settles
      if (subscribe) {
        p.held.add(topic);
        p.ever.add(topic);
      } else p.held.delete(topic);
      p.inFlight.push([subscribe, topic]);
      await p.sink.socket.send(frame, { timeout: 5000 });
    },
  });
  env.trace(`XPUB↔${n} XSUB over ${topology.label}${promised ? "" : " (not promised)"}`);
  return runProgram(program, topology, ctx, budget);
};
