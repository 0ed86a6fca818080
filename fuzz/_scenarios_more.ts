// Scenarios built from more than two socket kinds: REQ/REP lockstep (REP or ROUTER serving),
// a steerable proxy paused and resumed under traffic, and a Worker relaying on an adopted
// context.
import { Context, startProxy, startRole, ZmqError } from "../mod.ts";
import { expectedFailure, Program, type Sink } from "./_engine.ts";
import { Finding, Ledger } from "./_ledger.ts";
import { frameCount, frameSize, makeMessage } from "./_payload.ts";
import { plainLane, plainSink, type Scenario } from "./_scenarios_pipes.ts";
import { Topology } from "./_topology.ts";

/**
 * REQ clients and one REP (or a ROUTER speaking REQ's envelope): each request answered once,
 * to the client that asked, in lockstep; receives time out and are retried.
 */
export const reqRep: Scenario = async (env, budget) => {
  const rng = env.rng;
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "REQs→REP");
  // A REP (a ROUTER inside) drops a reply it cannot queue at its SNDHWM, as any ROUTER does, and
  // a pipe learns of its peer's reads late: with an HWM of 1 to 10 a reply can go while its REQ
  // waits. Measured here (seeds 5, 12, 17 of the long campaign, all HWM 1); so HWMs stay ample.
  const topology = new Topology(env, program, ctx, { hwm: rng.pick([0, 1000]) });
  const router = rng.chance(0.35);
  const server = topology.open(router ? "ROUTER" : "REP", "server");
  const endpoint = topology.bind(server);
  const serverSink: Sink = {
    id: ledger.receiver(router ? "ROUTER(REP)" : "REP"),
    name: "server",
    socket: server,
    pending: 0,
    unwrap: (frames) => {
      if (!router) return frames;
      if (frames.length < 3 || frames[1].length !== 0) {
        throw new Finding(`ROUTER got a request without REQ's envelope (${frames.length} frames)`);
      }
      return frames.slice(2);
    },
  };
  const n = rng.range(1, 3);
  const clients = Array.from({ length: n }, (_, i) => {
    const socket = topology.open("REQ", "client");
    topology.connect(socket, endpoint);
    const sink = plainSink(ledger, `REQ#${i}`, socket);
    const request = plainLane(ledger, `REQ#${i}→server`, socket, [serverSink]);
    const reply = ledger.stream({
      name: `server→REQ#${i}`,
      mode: "one",
      allowed: new Set([sink.id]),
      promised: true,
    });
    return { socket, sink, request, reply, rng: rng.fork() };
  });
  const byRequest = new Map(clients.map((c) => [c.request.stream, c]));
  const rounds = Math.max(1, Math.floor(budget / (2 * n)));
  let finished = 0;

  const serve = async () => {
    const local = rng.fork();
    while (finished < n) {
      let frames: Uint8Array[];
      try {
        frames = await server.recvMultipart({ timeout: local.pick([1, 5, 20]) });
      } catch (e) {
        if (expectedFailure(e)) continue;
        throw e;
      }
      const envelope = router ? frames.slice(0, 2) : [];
      const stamp = program.deliver(serverSink, frames);
      program.check();
      const client = byRequest.get(stamp!.stream)!;
      const sizes = Array.from({ length: frameCount(local) }, () => frameSize(local, false));
      const seq = ledger.sending(client.reply);
      await server.send([...envelope, ...makeMessage(client.reply, seq, sizes)]);
      ledger.sent(client.reply, seq);
    }
  };
  const ask = async (c: (typeof clients)[number]) => {
    try {
      for (let i = 0; i < rounds; i++) {
        await program.send(c.request, false);
        if (ledger.lastState(c.request.stream) !== "sent") continue; // timed out: ask again
        const deadline = performance.now() + 20_000;
        for (;;) {
          if (performance.now() > deadline) {
            throw new Finding(
              `REQ#${clients.indexOf(c)}: no reply within 20 s to a request whose send resolved ` +
                `(${topology.label})`,
            );
          }
          try {
            const frames = await c.socket.recvMultipart(
              c.rng.chance(0.3)
                ? { signal: AbortSignal.timeout(c.rng.range(1, 20)) }
                : { timeout: c.rng.pick([1, 10, 100]) },
            );
            program.deliver(c.sink, frames);
            program.check();
            break;
          } catch (e) {
            if (!expectedFailure(e)) throw e;
          }
        }
      }
    } finally {
      finished++;
    }
  };
  env.trace(`${n} REQ→${router ? "ROUTER" : "REP"} over ${topology.label}`);
  try {
    await Promise.all([serve(), ...clients.map(ask)]);
    const missing = ledger.missing();
    if (missing.length > 0) throw new Finding(`REQ/REP: ${missing.join("; ")}`);
    ledger.confirm();
    await topology.finish();
  } finally {
    await program.close();
    ctx.close({ linger: 0 });
  }
  program.check();
  return ledger;
};

/**
 * PUSH → [PULL | proxy | PUSH] → PULL with the proxy paused, resumed and asked for statistics
 * under traffic: every message exactly once, in order; the statistics count them all. With small
 * HWMs libzmq's proxy blocks in a send while the consumer does not read, and then answers no
 * command: commands time out (EAGAIN, as documented) and take effect once the consumer read.
 */
export const proxied: Scenario = async (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "PUSH→proxy→PULL");
  const topology = new Topology(env, program, ctx);
  const frontend = topology.open("PULL", "server");
  const backend = topology.open("PUSH", "server");
  const producer = topology.open("PUSH", "client");
  const consumer = topology.open("PULL", "client");
  topology.connect(producer, topology.bind(frontend));
  topology.connect(consumer, topology.bind(backend));
  const sink = plainSink(ledger, "consumer", consumer);
  program.sinks.push(sink);
  program.lanes.push(plainLane(ledger, "producer", producer, [sink]));
  const proxy = startProxy(frontend, backend, { commandTimeout: COMMAND_MS });
  let seen = 0;
  let late = 0;
  /** A command; one the blocked proxy did not answer in time goes on in the background. */
  const command = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (e) {
      if (!(e instanceof ZmqError && e.code === "EAGAIN")) throw e;
      late++;
      env.trace(`proxy ${name}: no answer within ${COMMAND_MS} ms (a send blocks)`);
    }
  };
  program.actions.push(
    { weight: 1, name: "pause the proxy", run: () => command("pause", () => proxy.pause()) },
    { weight: 1.5, name: "resume the proxy", run: () => command("resume", () => proxy.resume()) },
    {
      weight: 0.5,
      name: "proxy statistics",
      run: () =>
        command("statistics", async () => {
          const s = await proxy.statistics();
          if (s.frontend.messagesIn < seen) {
            throw new Finding(`proxy statistics went back: ${s.frontend.messagesIn} < ${seen}`);
          }
          seen = s.frontend.messagesIn;
        }),
    },
  );
  env.trace(`proxy over ${topology.label}`);
  try {
    await program.run(budget);
    // the commands still waiting for a blocked proxy take effect while the consumer drains
    const resumed = proxy.resume({ timeout: -1 });
    await program.drain();
    await resumed;
    const stats = await proxy.statistics();
    if (stats.frontend.messagesIn < ledger.totals.delivered) {
      throw new Finding(
        `proxy counted ${stats.frontend.messagesIn} messages in, ${ledger.totals.delivered} passed`,
      );
    }
    env.trace(`proxy: ${late} commands answered late`);
    await topology.finish();
  } finally {
    await proxy.stop();
    await proxy.done.catch((e) => program.fail(e));
    await program.close();
    ctx.close({ linger: 0 });
  }
  program.check();
  return ledger;
};

/** How long the proxied scenario's commands wait for the proxy. */
const COMMAND_MS = 250;

/** A Worker on the adopted context relays PUSH → PULL over inproc: exactly once, in order. */
export const workerRelay: Scenario = async (env, budget) => {
  const ctx = new Context({ linger: 0 });
  const ledger = new Ledger();
  const program = new Program(env, ledger, "PUSH→Worker→PULL");
  const push = program.own(ctx.socket("PUSH"));
  const pull = program.own(ctx.socket("PULL"));
  const inName = `inproc://${env.name("relay-in")}`;
  const outName = `inproc://${env.name("relay-out")}`;
  push.bind(inName);
  pull.bind(outName);
  const sink = plainSink(ledger, "PULL (after the Worker)", pull);
  program.sinks.push(sink);
  program.lanes.push(plainLane(ledger, "PUSH (to the Worker)", push, [sink]));
  const role = startRole(new URL("./_relay_role.ts", import.meta.url), {
    name: "relay",
    context: ctx,
    args: [inName, outName],
    onLine: (line) => env.trace(`relay: ${line}`),
  });
  role.done.catch((e) => program.fail(new Finding(`the relay Worker failed: ${e}`, { cause: e })));
  env.trace("Worker relay over inproc");
  try {
    await program.run(budget);
    await program.drain();
  } finally {
    await role.stop({ timeout: 10_000 }).catch((e) => program.fail(e));
    await program.close();
    ctx.close({ linger: 0 });
  }
  program.check();
  return ledger;
};
