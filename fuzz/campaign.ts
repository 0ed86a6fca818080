// Fuzz campaigns: many seeds of the model and wire tiers, each seed in its own subprocess (a
// crash or a hang is a finding too: the process is killed at its bound and reported), two at a
// time, with the totals at the end and a replay command for every failure. The known open
// findings (_known.ts) are left out and listed.
//
// Usage: deno run -A fuzz/campaign.ts [--tier model|wire|all] [--seeds 1-8] [--messages N]
//        [--until N] [--parallel 2] [--bound-ms 120000] [--include-known]
//        deno run -A fuzz/campaign.ts --long     (what `deno task fuzz:long` runs)
import { KNOWN_OPEN, KNOWN_OPEN_CHECKS } from "./_known.ts";
import { parseFlags, usageError } from "./_cli.ts";

/** A tier of the campaign. */
export type Tier = "model" | "wire";

/** One seed's run. */
export interface SeedOutcome {
  tier: Tier;
  seed: number;
  ok: boolean;
  /** Counts parsed from the seed's report line (delivered, confirmed, bytes, ...). */
  counts: Record<string, number>;
  /** Why it failed: the finding, the exit code or signal, or the hang. */
  failure?: string;
  /** The command that replays it. */
  replay: string;
  ms: number;
}

/** Options of a campaign. */
export interface CampaignOptions {
  tiers: Tier[];
  seeds: number[];
  /** Messages per model seed. */
  messages: number;
  /** Extra model arguments (e.g. ["--only", "hot"]). */
  modelArgs?: string[];
  /** Keep running seeds (after `seeds`) until this many messages were delivered. */
  until?: number;
  parallel: number;
  /** A seed still running after this is killed and fails as a hang. */
  boundMs: number;
  /** Run the known-open checks too. */
  includeKnown: boolean;
  /** Called with each outcome as it comes. */
  onOutcome?: (o: SeedOutcome) => void;
}

/** What a campaign did. */
export interface CampaignResult {
  outcomes: SeedOutcome[];
  totals: Record<string, number>;
  ms: number;
}

const SCRIPTS: Record<Tier, URL> = {
  model: new URL("./model.ts", import.meta.url),
  wire: new URL("./wire.ts", import.meta.url),
};

/** Parses "12 delivered, 3 confirmed exactly once, ..." into counts. */
function parseCounts(line: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of line.matchAll(/(\d+) ([a-z][a-z ]*?)(?=,|$)/g)) {
    const key = m[2].trim().split(" ")[0];
    if (key !== "ms" && key !== "seed") counts[key] = Number(m[1]);
  }
  return counts;
}

function args(tier: Tier, seed: number, o: CampaignOptions): string[] {
  const skip = o.includeKnown ? [] : KNOWN_OPEN_CHECKS.flatMap((c) => ["--skip", c]);
  if (tier === "wire") return ["--seed", String(seed), ...skip];
  return [
    "--seed",
    String(seed),
    "--messages",
    String(o.messages),
    ...(o.modelArgs ?? []),
    ...skip,
  ];
}

/** Runs one seed of one tier in a subprocess, bounded. */
export async function runSeed(tier: Tier, seed: number, o: CampaignOptions): Promise<SeedOutcome> {
  const a = args(tier, seed, o);
  const replay = `deno run -A fuzz/${tier}.ts ${a.join(" ")} --trace`;
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPTS[tier].pathname, ...a],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, o.boundMs);
  const out = await child.output().finally(() => clearTimeout(timer));
  const ms = Math.round(performance.now() - start);
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  const ok = new RegExp(`^${tier} ok: seed ${seed}, (.*)$`, "m").exec(stdout);
  if (!killed && out.success && ok) {
    return { tier, seed, ok: true, counts: parseCounts(ok[1]), replay, ms };
  }
  const why = killed
    ? `hung: killed after ${o.boundMs} ms`
    : out.signal
    ? `killed by ${out.signal}`
    : `exit code ${out.code}`;
  const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-12).join("\n");
  return { tier, seed, ok: false, counts: {}, failure: `${why}\n${tail}`, replay, ms };
}

/** Runs a campaign; resolves with every outcome and the totals (it does not throw). */
export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const start = performance.now();
  const outcomes: SeedOutcome[] = [];
  const totals: Record<string, number> = {};
  const queue: [Tier, number][] = o.tiers.flatMap((t) =>
    o.seeds.map((s) => [t, s] as [Tier, number])
  );
  let nextSeed = Math.max(0, ...o.seeds) + 1;
  const take = (): [Tier, number] | undefined => {
    const job = queue.shift();
    if (job) return job;
    if (
      o.until !== undefined && (totals.delivered ?? 0) < o.until
    ) {
      return [o.tiers[0], nextSeed++];
    }
    return undefined;
  };
  await Promise.all(Array.from({ length: o.parallel }, async () => {
    for (let job = take(); job; job = take()) {
      const outcome = await runSeed(job[0], job[1], o);
      outcomes.push(outcome);
      for (const [k, v] of Object.entries(outcome.counts)) totals[k] = (totals[k] ?? 0) + v;
      o.onOutcome?.(outcome);
    }
  }));
  outcomes.sort((a, b) => a.tier.localeCompare(b.tier) || a.seed - b.seed);
  return { outcomes, totals, ms: Math.round(performance.now() - start) };
}

/** The lines a campaign prints at the end: totals, left-out checks, failures with replays. */
export function summary(r: CampaignResult, o: CampaignOptions): string {
  const lines: string[] = [];
  const failed = r.outcomes.filter((x) => !x.ok);
  lines.push(
    `campaign: ${r.outcomes.length} seeds (${o.tiers.join(", ")}), ${failed.length} failed, ` +
      `${(r.ms / 1000).toFixed(1)} s wall`,
  );
  lines.push(`totals: ${Object.entries(r.totals).map(([k, v]) => `${v} ${k}`).join(", ")}`);
  if (!o.includeKnown && KNOWN_OPEN.length > 0) {
    lines.push("left out (known open findings; --include-known runs them):");
    for (const k of KNOWN_OPEN) lines.push(`  ${k.check}: ${k.finding}; replay: ${k.replay}`);
  }
  for (const f of failed) {
    lines.push(`FAILED ${f.tier} seed ${f.seed}: ${f.failure}\n  replay: ${f.replay}`);
  }
  return lines.join("\n");
}

/** Parses "1-8" or "3,5,9" into seed numbers; null when malformed. */
export function parseSeeds(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (hi < lo) return null;
    for (let s = lo; s <= hi; s++) out.push(s);
  }
  return out;
}

const USAGE =
  `Usage: deno run -A fuzz/campaign.ts [--tier model|wire|all] [--seeds 1-8] [--messages N]
                                     [--until N] [--parallel N] [--bound-ms N] [--include-known]
       deno run -A fuzz/campaign.ts --long

Runs fuzz seeds in subprocesses and prints the totals; exits 1 if a seed failed (each failure
comes with a replay command). --long: model seeds of 20,000 messages until 1,000,000 were
delivered and checked, then 100 wire seeds.`;

if (import.meta.main) {
  const values = parseFlags({
    tier: { type: "string", default: "all" },
    seeds: { type: "string", default: "1-8" },
    messages: { type: "string", default: "3000" },
    until: { type: "string" },
    parallel: { type: "string", default: "2" },
    "bound-ms": { type: "string", default: "180000" },
    "include-known": { type: "boolean", default: false },
    long: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  }, USAGE);
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const seeds = parseSeeds(values.seeds);
  const numbers = [values.messages, values.parallel, values["bound-ms"], values.until ?? "1"].map(
    Number,
  );
  const tiers: Tier[] | null = values.tier === "all"
    ? ["model", "wire"]
    : values.tier === "model" || values.tier === "wire"
    ? [values.tier]
    : null;
  if (!seeds || !tiers || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    usageError(`bad --tier, --seeds or number`, USAGE);
  }
  const progress = (x: SeedOutcome) =>
    console.log(
      `${x.ok ? "ok  " : "FAIL"} ${x.tier} seed ${x.seed} (${x.ms} ms) ${
        Object.entries(x.counts).map(([k, v]) => `${v} ${k}`).join(", ")
      }`,
    );
  const base = {
    messages: numbers[0],
    parallel: numbers[1],
    boundMs: numbers[2],
    includeKnown: values["include-known"],
    onOutcome: progress,
  };
  const runs: CampaignOptions[] = values.long
    ? [
      { ...base, tiers: ["model"], seeds: [1], messages: 20_000, until: 1_000_000 },
      { ...base, tiers: ["wire"], seeds: parseSeeds("1-100")! },
    ]
    : [{ ...base, tiers, seeds, until: values.until ? numbers[3] : undefined }];
  let failed = false;
  for (const o of runs) {
    const result = await runCampaign(o);
    console.log(summary(result, o));
    failed ||= result.outcomes.some((x) => !x.ok);
  }
  Deno.exitCode = failed ? 1 : 0;
}
