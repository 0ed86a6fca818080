// The model-based fuzzer: from a seed, random programs over groups of sockets (PAIR, PUSH/PULL
// fan-out and fan-in, REQ/REP, DEALER/ROUTER, PUB/SUB with changing subscriptions, XPUB/XSUB, a
// steerable proxy, a Worker on an adopted context; inproc, tcp and ipc; CURVE with a refused
// intruder; monitors), every message checked against what ZeroMQ promises: intact, whole, in
// order per peer, exactly once where delivery is promised, only matching topics on a SUB.
// Frames from 0 B to 1 MiB; received frames kept and re-checked later, written to and detached
// as a user may; timeouts, aborts and piles of pending operations.
//
// Usage: deno run -A fuzz/model.ts --seed 7 [--messages 3000] [--only pubSub] [--skip CHECK]
//        [--no-large] [--trace]
// A failure prints the seed and a command that replays it.
import type { Env } from "./_engine.ts";
import { Finding, type LedgerTotals } from "./_ledger.ts";
import { Keeper } from "./_payload.ts";
import { Rng } from "./_rng.ts";
import { parseFlags, usageError } from "./_cli.ts";
import { dealerRouter, fanIn, fanOut, hot, pair, type Scenario } from "./_scenarios_pipes.ts";
import { pubSub, xpubXsub } from "./_scenarios_pubsub.ts";
import { proxied, reqRep, workerRelay } from "./_scenarios_more.ts";

/** The scenarios and how often a seed picks each. */
export const SCENARIOS: Readonly<Record<string, { run: Scenario; weight: number }>> = {
  pair: { run: pair, weight: 2 },
  fanOut: { run: fanOut, weight: 2 },
  fanIn: { run: fanIn, weight: 2 },
  dealerRouter: { run: dealerRouter, weight: 2 },
  reqRep: { run: reqRep, weight: 1.5 },
  pubSub: { run: pubSub, weight: 2 },
  xpubXsub: { run: xpubXsub, weight: 1.5 },
  proxied: { run: proxied, weight: 1 },
  workerRelay: { run: workerRelay, weight: 0.6 },
  // tens of thousands of messages at once: only in long campaigns, or with --only hot
  hot: { run: hot, weight: 0 },
};

/** Options of one model run. */
export interface ModelOptions {
  /** Messages to send over the whole seed (default 3000). */
  messages?: number;
  /** Checks to leave out (see fuzz/_known.ts). */
  skip?: Iterable<string>;
  /** Run only these scenarios. */
  only?: string[];
  /** Frames up to 1 MiB (default true); else up to 64 KiB. */
  large?: boolean;
  /** Prints trace lines. */
  trace?: (line: string) => void;
}

/** What one seed did. */
export interface ModelReport extends LedgerTotals {
  seed: number;
  /** Scenarios run, by name. */
  scenarios: Record<string, number>;
  /** Kept frames re-checked. */
  rechecks: number;
  /** Wall time in ms. */
  ms: number;
}

let names = 0;

/** Runs one seed of the model fuzzer; rejects with a Finding when a promise was broken. */
export async function runModel(seed: number, options: ModelOptions = {}): Promise<ModelReport> {
  const start = performance.now();
  const rng = new Rng(seed);
  const env: Env = {
    rng,
    userRng: rng.fork(),
    keeper: new Keeper(),
    skip: new Set(options.skip ?? []),
    allowLarge: options.large ?? true,
    trace: options.trace ?? (() => {}),
    name: (prefix) => `${prefix}-${seed}-${++names}`,
  };
  const budget = options.messages ?? 3000;
  const pool = Object.entries(SCENARIOS).filter(([name, s]) =>
    options.only
      ? options.only.includes(name)
      : s.weight > 0 || (name === "hot" && budget >= 20_000)
  ).map(([name, s]) => ({ name, run: s.run, weight: s.weight || 0.5 }));
  if (pool.length === 0) throw new Error(`no scenario matches --only ${options.only?.join(",")}`);
  const total = pool.reduce((n, s) => n + s.weight, 0);
  const report: ModelReport = {
    seed,
    scenarios: {},
    delivered: 0,
    bytes: 0,
    frames: 0,
    sent: 0,
    confirmed: 0,
    withdrawn: 0,
    rechecks: 0,
    ms: 0,
  };
  let left = budget;
  while (left > 0) {
    let r = rng.next() * total;
    const scenario = pool.find((s) => (r -= s.weight) < 0) ?? pool[pool.length - 1];
    const chunk = Math.min(left, rng.range(150, 1200));
    env.trace(`scenario ${scenario.name}, ${chunk} messages`);
    let ledger;
    try {
      ledger = await scenario.run(env, chunk);
    } catch (e) {
      if (e instanceof Finding) {
        e.message = `seed ${seed}, scenario ${scenario.name}: ${e.message}`;
        throw e;
      }
      throw new Finding(`seed ${seed}, scenario ${scenario.name}: ${e}`, { cause: e });
    }
    report.scenarios[scenario.name] = (report.scenarios[scenario.name] ?? 0) + 1;
    for (const k of ["delivered", "bytes", "frames", "sent", "confirmed", "withdrawn"] as const) {
      report[k] += ledger.totals[k];
    }
    left -= Math.max(chunk, ledger.totals.sent);
    const changed = env.keeper.recheck();
    if (changed) throw new Finding(`seed ${seed}, after ${scenario.name}: ${changed}`);
  }
  report.rechecks = env.keeper.rechecks;
  report.ms = Math.round(performance.now() - start);
  return report;
}

/** The command that replays a seed. */
export function replayCommand(seed: number, options: ModelOptions = {}): string {
  const parts = [
    "deno run -A fuzz/model.ts",
    `--seed ${seed}`,
    `--messages ${options.messages ?? 3000}`,
  ];
  if (options.only) parts.push(`--only ${options.only.join(",")}`);
  for (const s of options.skip ?? []) parts.push(`--skip ${s}`);
  if (options.large === false) parts.push("--no-large");
  return `${parts.join(" ")} --trace`;
}

/** One line summing up a report (the campaign parses it). */
export function formatReport(r: ModelReport): string {
  return `model ok: seed ${r.seed}, ${r.delivered} delivered, ${r.confirmed} confirmed exactly ` +
    `once, ${r.withdrawn} withdrawn, ${r.frames} frames, ${r.bytes} bytes, ${r.rechecks} ` +
    `rechecks, ${r.ms} ms, scenarios ${JSON.stringify(r.scenarios)}`;
}

const USAGE = `Usage: deno run -A fuzz/model.ts --seed N [--messages N] [--only a,b] [--skip CHECK]
                                  [--no-large] [--trace]

Runs random programs over groups of sockets and checks every message against ZeroMQ's promises.
Exits 0 when all held, 1 with the finding and a replay command otherwise.
Scenarios: ${Object.keys(SCENARIOS).join(", ")}`;

if (import.meta.main) {
  const values = parseFlags({
    seed: { type: "string", default: "1" },
    messages: { type: "string", default: "3000" },
    only: { type: "string" },
    skip: { type: "string", multiple: true, default: [] },
    "no-large": { type: "boolean", default: false },
    trace: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  }, USAGE);
  const seed = Number(values.seed);
  const messages = Number(values.messages);
  const only = values.only?.split(",");
  if (values.help) {
    console.log(USAGE);
  } else if (!Number.isInteger(seed) || !Number.isInteger(messages) || messages < 1) {
    usageError(`--seed and --messages take whole numbers`, USAGE);
  } else if (only?.some((o) => !Object.hasOwn(SCENARIOS, o))) {
    usageError(`--only takes scenario names`, USAGE);
  } else {
    const options: ModelOptions = {
      messages,
      only,
      skip: values.skip,
      large: !values["no-large"],
      trace: values.trace ? (line) => console.error(line) : undefined,
    };
    const replay = replayCommand(seed, options);
    addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      console.error(`MODEL FAILURE (replay: ${replay})\nunhandled rejection: ${event.reason}`);
      Deno.exit(1);
    });
    try {
      console.log(formatReport(await runModel(seed, options)));
    } catch (e) {
      console.error(`MODEL FAILURE (replay: ${replay})`);
      console.error(e instanceof Finding ? e.message : e);
      if (e instanceof Error && e.cause instanceof Error) console.error(e.cause.stack);
      Deno.exitCode = 1;
    }
  }
}
