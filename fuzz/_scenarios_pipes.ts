// Scenarios where every message is promised to exactly one peer: PAIR, PUSH/PULL fan-out and
// fan-in, DEALER/ROUTER both ways, and a hot burst that checks the event loop keeps turning.
import { Context, type Socket } from "../mod.ts";
import type { Env, Lane, Sink } from "./_engine.ts";
import { Program, STARVE_OPS } from "./_engine.ts";
import { TickCounter } from "./_ticks.ts";
import { Finding, Ledger } from "./_ledger.ts";
import { makeMessage } from "./_payload.ts";
import { Topology } from "./_topology.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A scenario: builds its sockets, runs a program of about `budget` messages, checks, closes. */
export type Scenario = (env: Env, budget: number) => Promise<Ledger>;

/** A sink that takes the message as it comes (no envelope). */
export function plainSink(ledger: Ledger, name: string, socket: Socket): Sink {
  return { id: ledger.receiver(name), name, socket, unwrap: (f) => f, pending: 0 };
}

/** A lane that sends plain messages (no envelope) on a "one" stream. */
export function plainLane(
  ledger: Ledger,
  name: string,
  socket: Socket,
  allowed: Sink[],
): Lane {
  const stream = ledger.stream({
    name,
    mode: "one",
    allowed: new Set(allowed.map((s) => s.id)),
    promised: true,
  });
  return { name, socket, stream, prepare: () => ({ frames: [], expect: null }) };
}

/** Runs a program to its end: run, drain, monitor checks, close (also after a finding). */
export async function runProgram(
  program: Program,
  topology: Topology | null,
  ctx: Context,
  budget: number,
): Promise<Ledger> {
  try {
    await program.run(budget);
    await program.drain();
    await topology?.finish();
  } finally {
    await program.close();
    ctx.close({ linger: 0 });
  }
  program.check();
  return program.ledger;
}

/** A refused CURVE client: it may send (each send times out) and must never receive. */
function addIntruder(
  program: Program,
  topology: Topology,
  endpoint: string,
  type: "PUSH" | "PULL" | "DEALER" | "PAIR",
): void {
  const s = topology.intruder(type);
  if (s === null) return;
  s.connect(endpoint);
  const ledger = program.ledger;
  if (type !== "PULL") {
    const stream = ledger.stream({
      name: `intruder ${type}`,
      mode: "one",
      allowed: new Set(),
      promised: false,
    });
    program.lanes.push({
      name: `intruder ${type}`,
      socket: s,
      stream,
      mustTimeout: true,
      prepare: () => ({ frames: type === "DEALER" ? [] : [], expect: null }),
    });
  }
  if (type !== "PUSH") program.sinks.push(plainSink(ledger, `intruder ${type}`, s));
}

/** PAIR ↔ PAIR: both directions, exactly once, in order. */
export const pair: Scenario = (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "PAIR");
  const topology = new Topology(env, program, ctx);
  const a = topology.open("PAIR", "server");
  const b = topology.open("PAIR", "client");
  topology.connect(b, topology.bind(a));
  const sa = plainSink(ledger, "PAIR a", a);
  const sb = plainSink(ledger, "PAIR b", b);
  program.sinks.push(sa, sb);
  program.lanes.push(
    plainLane(ledger, "PAIR a→b", a, [sb]),
    plainLane(ledger, "PAIR b→a", b, [sa]),
  );
  env.trace(`PAIR over ${topology.label}`);
  return runProgram(program, topology, ctx, budget);
};

/** One PUSH, several PULLs: each message to exactly one of them, in order per PULL. */
export const fanOut: Scenario = (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "PUSH→PULLs");
  const topology = new Topology(env, program, ctx);
  const push = topology.open("PUSH", "server");
  const endpoint = topology.bind(push);
  const n = env.rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const pull = topology.open("PULL", "client");
    topology.connect(pull, endpoint);
    program.sinks.push(plainSink(ledger, `PULL#${i}`, pull));
  }
  program.lanes.push(plainLane(ledger, "PUSH→PULLs", push, [...program.sinks]));
  addIntruder(program, topology, endpoint, "PULL");
  env.trace(`PUSH→${n} PULL over ${topology.label}`);
  return runProgram(program, topology, ctx, budget);
};

/** Several PUSHes, one PULL (bound or connecting to each): per-sender order, exactly once. */
export const fanIn: Scenario = (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "PUSHes→PULL");
  const topology = new Topology(env, program, ctx);
  const pull = topology.open("PULL", "server");
  const sink = plainSink(ledger, "PULL", pull);
  program.sinks.push(sink);
  const n = env.rng.range(1, 4);
  const pullBinds = topology.curve !== null || env.rng.chance(0.7);
  const endpoint = pullBinds ? topology.bind(pull) : "";
  for (let i = 0; i < n; i++) {
    const push = topology.open("PUSH", pullBinds ? "client" : "server");
    if (pullBinds) topology.connect(push, endpoint);
    else topology.connect(pull, topology.bind(push));
    program.lanes.push(plainLane(ledger, `PUSH#${i}→PULL`, push, [sink]));
  }
  if (pullBinds) addIntruder(program, topology, endpoint, "PUSH");
  env.trace(
    `${n} PUSH→PULL (${pullBinds ? "PULL binds" : "PULL connects"}) over ${topology.label}`,
  );
  return runProgram(program, topology, ctx, budget);
};

/**
 * DEALERs ↔ ROUTER: the ROUTER sees each dealer's routing id first, and answers dealers it has
 * heard from, addressed by that id; every message exactly once, in order, to the right peer.
 */
export const dealerRouter: Scenario = (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "DEALERs↔ROUTER");
  const topology = new Topology(env, program, ctx);
  const router = topology.open("ROUTER", "server");
  router.setOption("SNDHWM", 0); // a ROUTER drops at its HWM: keep its sends promised
  router.setOption("ROUTER_MANDATORY", true);
  const endpoint = topology.bind(router);
  const idOf = new Map<number, string>(); // stream → the dealer's routing id
  const heard = new Set<string>();
  const routerSink: Sink = {
    id: ledger.receiver("ROUTER"),
    name: "ROUTER",
    socket: router,
    pending: 0,
    unwrap: (frames) => {
      if (frames.length < 2) throw new Finding(`ROUTER got ${frames.length} frames, no envelope`);
      return frames.slice(1);
    },
    accepted: (frames, stream) => {
      const id = decoder.decode(frames[0]);
      if (idOf.get(stream) !== id) {
        throw new Finding(`ROUTER: stream ${stream} came with routing id ${JSON.stringify(id)}`);
      }
      heard.add(id);
    },
  };
  program.sinks.push(routerSink);
  const n = env.rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const dealer = topology.open("DEALER", "client");
    const id = `dealer-${i}`;
    dealer.setOption("ROUTING_ID", id);
    topology.connect(dealer, endpoint);
    const sink = plainSink(ledger, `DEALER#${i}`, dealer);
    program.sinks.push(sink);
    const lane = plainLane(ledger, `DEALER#${i}→ROUTER`, dealer, [routerSink]);
    idOf.set(lane.stream, id);
    program.lanes.push(lane);
    const back = ledger.stream({
      name: `ROUTER→DEALER#${i}`,
      mode: "one",
      allowed: new Set([sink.id]),
      promised: true,
    });
    program.lanes.push({
      name: `ROUTER→DEALER#${i}`,
      socket: router,
      stream: back,
      prepare: () =>
        heard.has(id)
          ? { frames: [env.rng.chance(0.5) ? id : encoder.encode(id)], expect: null }
          : null,
    });
  }
  addIntruder(program, topology, endpoint, "DEALER");
  env.trace(`${n} DEALER↔ROUTER over ${topology.label}`);
  return runProgram(program, topology, ctx, budget);
};

/**
 * A hot burst over inproc with no HWM: tens of thousands of small messages sent and then
 * received in tight loops, counting operations between macrotasks (issue 10, finding 4).
 */
export const hot: Scenario = async (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "hot PAIR");
  const a = program.own(ctx.socket("PAIR"));
  const b = program.own(ctx.socket("PAIR"));
  for (const s of [a, b]) {
    s.setOption("SNDHWM", 0);
    s.setOption("RCVHWM", 0);
  }
  const name = `inproc://${env.name("hot")}`;
  a.bind(name);
  b.connect(name);
  const sink = plainSink(ledger, "hot PAIR b", b);
  program.sinks.push(sink);
  const lane = plainLane(ledger, "hot PAIR a→b", a, [sink]);
  const count = Math.max(budget, 60_000);
  env.trace(`hot burst of ${count}`);
  try {
    const ticks = new TickCounter();
    try {
      for (let i = 0; i < count; i++) {
        const seq = ledger.sending(lane.stream);
        await a.send(makeMessage(lane.stream, seq, []));
        ledger.sent(lane.stream, seq);
        ticks.bump();
      }
    } finally {
      ticks.stop();
    }
    const worst = ticks.worst;
    if (!env.skip.has("starvation") && worst > STARVE_OPS) {
      throw new Finding(`hot PAIR: ${worst} sends in a row resolved without letting a timer run`);
    }
    await program.consumeHot(sink, count);
    await program.drain();
  } finally {
    await program.close();
    ctx.close({ linger: 0 });
  }
  program.check();
  return ledger;
};
