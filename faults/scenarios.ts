/**
 * The fault scenarios of issue 14, run against Majordomo and Paranoid Pirate with real OS
 * processes and the {@linkcode FaultRelay}: a broker killed with SIGKILL and restarted;
 * workers frozen, cut and killed; a client behind a partition that heals; a Paranoid Pirate
 * queue killed and restarted. Each answers a {@linkcode Tally}: every request sent ends
 * answered (with its own reply) or reported failed to its caller; `lost` and `twice` must be
 * 0. `tests/faults_scenarios.test.ts` runs them small; `deno task faults` runs them big.
 *
 * @module
 */
import { Context } from "../core/context.ts";
import { delay } from "../core/_util.ts";
import { MajordomoBroker } from "../reliable/mdp_broker.ts";
import { MajordomoWorker } from "../reliable/mdp_worker.ts";
import { type ProcessRoleHandle, startProcessRole } from "../workers/process.ts";
import { addTally, asyncLoad, Progress, syncLoad, type Tally, titanicLoad } from "./_load.ts";
import { FaultRelay } from "./relay.ts";

export type { Tally };

/** How big and how fast a scenario runs. */
export interface ScenarioOptions {
  /** Concurrent clients. Default 2. */
  clients?: number;
  /** Requests per client. Default 20. */
  requests?: number;
  /** Heartbeat interval of brokers, queues and workers, in ms. Default 100. */
  heartbeat?: number;
  /** Prints what the scenario does. */
  log?: (line: string) => void;
}

/** One scenario: its name, what it shows, and how to run it. */
export interface Scenario {
  name: string;
  about: string;
  /** True if every request must be answered (the fault heals within the retry budget). */
  allAnswered: boolean;
  run(options?: ScenarioOptions): Promise<Tally>;
}

const here = (file: string) => new URL(file, import.meta.url);
const BROKER = here("../examples/majordomo/broker.ts");
const MDP_WORKER = here("../examples/majordomo/worker.ts");
const PP_QUEUE = here("../examples/paranoid_pirate/queue.ts");
const PP_WORKER = here("../examples/paranoid_pirate/worker.ts");
const TITANIC = here("../examples/titanic/titanic.ts");

interface Setup {
  ctx: Context;
  hb: number;
  clients: number;
  requests: number;
  /** Per-attempt client timeout: a few heartbeats. */
  timeout: number;
  /** Client retries: enough to ride out a fault of a dozen heartbeats. */
  retries: number;
  log: (line: string) => void;
  /** Things to stop at the end, last first. */
  cleanup: (() => Promise<unknown>)[];
}

async function withSetup(options: ScenarioOptions, body: (s: Setup) => Promise<Tally>) {
  const hb = options.heartbeat ?? 100;
  const ctx = new Context({ linger: 0 });
  const setup: Setup = {
    ctx,
    hb,
    clients: options.clients ?? 2,
    requests: options.requests ?? 20,
    timeout: hb * 5,
    retries: 8,
    log: options.log ?? (() => {}),
    cleanup: [],
  };
  try {
    return await body(setup);
  } finally {
    for (const stop of setup.cleanup.reverse()) await stop().catch(() => {});
    await ctx.terminate({ linger: 0 });
  }
}

/** `n` different TCP ports that were free a moment ago. */
function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => l.addr.port);
  for (const l of listeners) l.close();
  return ports;
}

/** Starts a role process and resolves once it printed a line starting with `ready`. */
async function role(
  s: Setup,
  module: URL,
  name: string,
  args: string[],
  ready: string,
): Promise<ProcessRoleHandle> {
  let up!: () => void;
  const started = new Promise<void>((resolve) => up = resolve);
  const handle = startProcessRole(module, {
    name,
    args,
    onLine: (line) => {
      if (line.startsWith(ready)) up();
      if (line.startsWith("E:") || line.includes("Error")) s.log(`[${name}] ${line}`);
    },
  });
  s.cleanup.push(() => handle.stop());
  await Promise.race([
    started,
    handle.done.then(() => {
      throw new Error(`${name} ended before it was ready`);
    }),
  ]);
  return handle;
}

function mdpBroker(s: Setup, port: number, name = "broker") {
  return role(s, BROKER, name, [
    "--bind",
    `tcp://127.0.0.1:${port}`,
    "--heartbeat",
    String(s.hb),
  ], "I: MDP broker");
}

/** An in-process Majordomo echo worker connected to `endpoint`. */
function echoWorker(s: Setup, endpoint: string): MajordomoWorker {
  const worker = new MajordomoWorker(s.ctx, endpoint, "echo", {
    heartbeatInterval: s.hb,
    reconnectInitial: s.hb,
    reconnectMax: s.hb,
  });
  const serving = worker.serve((body) => body);
  s.cleanup.push(async () => {
    await worker.stop();
    await serving;
  });
  return worker;
}

/** A local broker: its endpoint, a wait for its workers, and its counts added to a tally. */
type LocalBroker = [string, (workers: number) => Promise<void>, (tally: Tally) => Tally];

/** An in-process broker (for the scenarios that break workers or clients, not the broker). */
function localBroker(s: Setup): LocalBroker {
  const broker = new MajordomoBroker(s.ctx, { bind: "tcp://127.0.0.1:*", heartbeatInterval: s.hb });
  const running = broker.run();
  s.cleanup.push(async () => {
    await broker.stop();
    await running;
  });
  const withStats = (tally: Tally) => ({ ...tally, redelivered: broker.stats.redelivered });
  // The load starts once every worker has registered: a fault must find them all at work.
  const registered = async (workers: number) => {
    const deadline = performance.now() + 10_000;
    while ((broker.services().get("echo")?.workers ?? 0) < workers) {
      if (performance.now() > deadline) throw new Error(`${workers} workers did not register`);
      await delay(10);
    }
  };
  return [broker.lastEndpoint, registered, withStats];
}

/** A relay in front of `endpoint`. */
function relayTo(s: Setup, endpoint: string): FaultRelay {
  const relay = FaultRelay.start({ target: endpoint });
  s.cleanup.push(() => relay.stop());
  return relay;
}

const load = (s: Setup, progress: Progress) => ({
  clients: s.clients,
  requests: s.requests,
  timeout: s.timeout,
  retries: s.retries,
  progress,
});

/** A third of all requests answered: the moment faults are injected. */
const third = (s: Setup) => Math.max(1, Math.floor((s.clients * s.requests) / 3));

/**
 * A local broker with two echo workers, the first behind a relay, and synchronous clients
 * already sending.
 */
async function relayedWorker(s: Setup) {
  const [endpoint, registered, withStats] = localBroker(s);
  const relay = relayTo(s, endpoint);
  echoWorker(s, relay.endpoint);
  echoWorker(s, endpoint);
  await registered(2);
  const progress = new Progress();
  const clients = syncLoad(s.ctx, endpoint, "echo", load(s, progress));
  return { endpoint, relay, withStats, progress, clients };
}

/**
 * Clients behind relays to a local broker; a third of the way through, the relays partition for
 * `timeouts` attempt timeouts, then heal. The clients retry `retries` times per request.
 */
async function partitionedClients(s: Setup, timeouts: number, retries: number): Promise<Tally> {
  const [endpoint, registered, withStats] = localBroker(s);
  echoWorker(s, endpoint);
  const relays = Array.from({ length: s.clients }, () => relayTo(s, endpoint));
  await registered(1);
  const progress = new Progress();
  const settings = { ...load(s, progress), retries };
  const clients = syncLoad(s.ctx, (c) => relays[c].endpoint, "echo", settings);
  await progress.reached(third(s));
  for (const r of relays) r.partition();
  s.log(`clients partitioned after ${progress.count} replies`);
  await delay(s.timeout * timeouts);
  for (const r of relays) r.heal();
  s.log("partition healed");
  return withStats(await clients);
}

/**
 * A broker process, an echo worker, Titanic as a process on a fresh file, and Titanic clients
 * storing their requests; a third of the way through, `victim` is SIGKILLed and restarted.
 * Then the clients fetch every reply.
 */
async function titanicUnderFire(s: Setup, victim: "titanic" | "broker"): Promise<Tally> {
  const [port] = freePorts(1);
  const endpoint = `tcp://127.0.0.1:${port}`;
  let broker = await mdpBroker(s, port);
  echoWorker(s, endpoint);
  const dir = await Deno.makeTempDir({ prefix: "titanic-faults-" });
  s.cleanup.unshift(() => Deno.remove(dir, { recursive: true }));
  const args = ["--connect", endpoint, "--db", `${dir}/titanic.db`, "--heartbeat", String(s.hb)];
  let titanic = await role(s, TITANIC, "titanic", args, "I: Titanic on");
  const progress = new Progress();
  const clients = titanicLoad(s.ctx, endpoint, { ...load(s, progress), retries: 40 });
  await progress.reached(third(s));
  if (victim === "titanic") {
    titanic.kill("SIGKILL");
    await titanic.done.catch(() => {});
    s.log(`Titanic killed after ${progress.count} requests stored`);
    titanic = await role(s, TITANIC, "titanic#2", args, "I: Titanic on");
  } else {
    broker.kill("SIGKILL");
    await broker.done.catch(() => {});
    s.log(`broker killed after ${progress.count} requests stored`);
    broker = await mdpBroker(s, port, "broker#2");
  }
  return await clients;
}

/** The scenarios, in the order `deno task faults` runs them. */
export const SCENARIOS: Scenario[] = [
  {
    name: "broker-kill",
    about: "the broker process is SIGKILLed mid-stream and restarted on the same port",
    allAnswered: true,
    run: (options = {}) =>
      withSetup(options, async (s) => {
        const [port] = freePorts(1);
        const endpoint = `tcp://127.0.0.1:${port}`;
        let broker = await mdpBroker(s, port);
        echoWorker(s, endpoint);
        echoWorker(s, endpoint);
        const progress = new Progress();
        const clients = syncLoad(s.ctx, endpoint, "echo", load(s, progress));
        await progress.reached(third(s));
        broker.kill("SIGKILL");
        await broker.done.catch(() => {});
        s.log(`broker killed after ${progress.count} replies`);
        await delay(s.hb * 3);
        broker = await mdpBroker(s, port, "broker#2");
        s.log("broker restarted");
        return await clients;
      }),
  },
  {
    name: "worker-freeze",
    about: "one of two workers freezes (its connection stays open, silent) and later thaws",
    allAnswered: true,
    run: (options = {}) =>
      withSetup(options, async (s) => {
        const { endpoint, relay, withStats, progress, clients: sync } = await relayedWorker(s);
        await progress.reached(third(s));
        relay.freeze();
        s.log(`worker frozen after ${progress.count} replies`);
        // Asynchronous clients start now: some of their requests go to the frozen worker.
        const async = asyncLoad(s.ctx, endpoint, "echo", {
          ...load(s, new Progress()),
          quiet: s.hb * 20,
        });
        await delay(s.hb * 10);
        relay.heal();
        s.log("worker thawed");
        return withStats(addTally(await sync, await async));
      }),
  },
  {
    name: "worker-cut",
    about: "one of two workers has its TCP connection cut, three times",
    allAnswered: true,
    run: (options = {}) =>
      withSetup(options, async (s) => {
        const { relay, withStats, progress, clients } = await relayedWorker(s);
        const total = s.clients * s.requests;
        for (const at of [0.25, 0.5, 0.75]) {
          await progress.reached(Math.floor(total * at));
          relay.cut();
          s.log(`worker connection cut after ${progress.count} replies`);
        }
        return withStats(await clients);
      }),
  },
  {
    name: "worker-kill",
    about: "two worker processes; one is SIGKILLed mid-stream, then a new one starts",
    allAnswered: true,
    run: (options = {}) =>
      withSetup(options, async (s) => {
        const [endpoint, registered, withStats] = localBroker(s);
        const workerArgs = [
          "--connect",
          endpoint,
          "--heartbeat",
          String(s.hb),
          "--reconnect",
          String(s.hb),
        ];
        const victim = await role(s, MDP_WORKER, "worker1", workerArgs, "I: echo worker");
        await role(s, MDP_WORKER, "worker2", workerArgs, "I: echo worker");
        await registered(2);
        const progress = new Progress();
        const clients = syncLoad(s.ctx, endpoint, "echo", load(s, progress));
        await progress.reached(third(s));
        victim.kill("SIGKILL");
        s.log(`worker1 killed after ${progress.count} replies`);
        await victim.done.catch(() => {});
        await role(s, MDP_WORKER, "worker3", workerArgs, "I: echo worker");
        return withStats(await clients);
      }),
  },
  {
    name: "client-partition",
    about: "each client reaches the broker through a relay; the relays partition, then heal",
    allAnswered: true,
    // Shorter than the clients' retry budget (9 attempts): they ride it out.
    run: (options = {}) => withSetup(options, (s) => partitionedClients(s, 3, s.retries)),
  },
  {
    name: "client-partition-long",
    about: "a partition longer than the retry budget: the requests caught in it fail, loudly",
    allAnswered: false,
    // Five attempt timeouts of partition, three attempts per request: some must give up.
    run: (options = {}) => withSetup(options, (s) => partitionedClients(s, 5, 2)),
  },
  {
    name: "ppqueue-kill",
    about: "a Paranoid Pirate queue process is SIGKILLed mid-stream and restarted",
    allAnswered: true,
    run: (options = {}) =>
      withSetup(options, async (s) => {
        const [front, back] = freePorts(2);
        const queueArgs = [
          "--frontend",
          `tcp://127.0.0.1:${front}`,
          "--backend",
          `tcp://127.0.0.1:${back}`,
          "--heartbeat",
          String(s.hb),
        ];
        let queue = await role(s, PP_QUEUE, "ppqueue", queueArgs, "I: Paranoid Pirate queue");
        const workerArgs = [
          "--connect",
          `tcp://127.0.0.1:${back}`,
          "--heartbeat",
          String(s.hb),
          "--reconnect-initial",
          String(s.hb),
          "--reconnect-max",
          String(s.hb * 4),
        ];
        await role(s, PP_WORKER, "ppworker1", workerArgs, "I: Paranoid Pirate worker");
        await role(s, PP_WORKER, "ppworker2", workerArgs, "I: Paranoid Pirate worker");
        const progress = new Progress();
        const clients = syncLoad(s.ctx, `tcp://127.0.0.1:${front}`, null, load(s, progress));
        await progress.reached(third(s));
        queue.kill("SIGKILL");
        await queue.done.catch(() => {});
        s.log(`queue killed after ${progress.count} replies`);
        queue = await role(s, PP_QUEUE, "ppqueue#2", queueArgs, "I: Paranoid Pirate queue");
        s.log("queue restarted");
        return await clients;
      }),
  },
  {
    name: "titanic-kill",
    about: "Titanic (on SQLite) is SIGKILLed mid-stream and restarted on the same file",
    allAnswered: true,
    run: (options = {}) => withSetup(options, (s) => titanicUnderFire(s, "titanic")),
  },
  {
    name: "titanic-broker-kill",
    about: "the broker under Titanic is SIGKILLed mid-stream and restarted; Titanic reconnects",
    allAnswered: true,
    run: (options = {}) => withSetup(options, (s) => titanicUnderFire(s, "broker")),
  },
];

/** "sent N, answered A, reported failed F, lost L, answered twice T (retries, redeliveries)". */
export function formatTally(t: Tally): string {
  return `sent ${t.sent}, answered ${t.answered}, reported failed ${t.failed}, lost ${t.lost}, ` +
    `answered twice ${t.twice} (client retries ${t.retries}, redelivered ${t.redelivered})`;
}
