/**
 * `deno task bench`: sets up five stacks (C libzmq, pyzmq, zeromq.js on Node, zeromq.js on
 * Deno, this library), runs every workload of the bench contract on each, round-robin, with a
 * timeout, and writes the side-by-side report: `latest.md` (summary, ratios, the performance
 * targets, full table), `latest.svg` (all workloads), `latest-sizes.svg` (MB/s against message
 * size) and the raw lines `latest.jsonl`. A stack it cannot set up is skipped with one line.
 *
 *     deno task bench                                  # 3 runs, every stack, into bench/
 *     deno task bench --runs 1 --stacks "c deno" --only reqrep,pushpull-16
 *     deno task bench --quick                          # tiny N, into bench/results/quick/
 *     deno task bench --from bench/latest.jsonl        # re-render, no run
 *
 * Environment: PORT_BASE (34000) and PORT_SPAN (2000), ZMQJS_DIR, BENCH_CC, BENCH_PYTHON,
 * BENCH_NODE, XDG_CACHE_HOME (the cache folder is $XDG_CACHE_HOME/zmq-deno or ~/.cache/zmq-deno).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { STACKS, WORKLOADS } from "./_plan.ts";
import { render, type RunInfo } from "./_report.ts";
import { Ports, type Row, runOne } from "./_runner.ts";
import { type ReadyStack, setupStacks } from "./_stacks.ts";

const HERE = new URL(".", import.meta.url).pathname;
const ALL = STACKS.map((s) => s.id).join(" ");
const USAGE = `usage: deno task bench [--runs N] [--stacks "${ALL}"] [--only ID,...] [--quick]
                       [--timeout SECONDS] [--skip-after-hang] [--out DIR] [--from FILE.jsonl]
workload ids: ${WORKLOADS.map((w) => w.id).join(", ")}`;
/** zeromq.js under Deno is known to hang (docs/design.md, "zeromq.js under Deno"); its workloads
 * that complete take a few seconds (quick ones about one), so its timeout is capped to keep a run
 * short: six of its workloads hang, and at 10 s each they were two thirds of the CI smoke run. */

const ZMQJS_DENO_CAP = { full: 20, quick: 4 };

function usage(message: string): never {
  console.error(`bench: ${message}`);
  console.error(USAGE);
  Deno.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        runs: { type: "string" },
        stacks: { type: "string", default: ALL },
        only: { type: "string" },
        quick: { type: "boolean", default: false },
        timeout: { type: "string" },
        "skip-after-hang": { type: "boolean", default: false },
        out: { type: "string" },
        from: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const runs = Number(values.runs ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer`);
  const timeout = Number(values.timeout ?? (values.quick ? 30 : 120));
  if (!(timeout > 0)) usage(`--timeout must be a positive number of seconds`);
  const stacks = values.stacks.split(/[\s,]+/).filter(Boolean);
  for (const s of stacks) if (!STACKS.some((k) => k.id === s)) usage(`unknown stack ${s}`);
  const only = values.only?.split(",").filter(Boolean);
  for (const w of only ?? []) {
    if (!WORKLOADS.some((k) => k.id === w)) usage(`unknown workload ${w}`);
  }
  const out = values.out ?? (values.quick ? `${HERE}results/quick` : HERE.replace(/\/$/, ""));
  return { ...values, runs, timeout, stacks, only, out };
}

function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return Deno.loadavg()[0];
  }
}

function machine(): string {
  let cpu = "?";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ?? "?";
  } catch { /* unknown */ }
  return `${navigator.hardwareConcurrency}-vCPU ${cpu.trim()}, Linux ${Deno.osRelease()}`;
}

/** The command line as a reader would retype it. */
function commandLine(): string {
  return ["deno task bench", ...Deno.args.map((a) => /\s/.test(a) ? `"${a}"` : a)].join(" ");
}

async function runAll(o: ReturnType<typeof options>, raw: string): Promise<[RunInfo, Row[]]> {
  const info: RunInfo = {
    command: commandLine(),
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    quick: o.quick,
    runs: o.runs,
    load: [loadAverage(), 0],
    machine: machine(),
    versions: {},
    skipped: [],
  };
  const setups = await setupStacks(o.stacks);
  const ready = setups.filter((s): s is ReadyStack => "cmd" in s);
  for (const s of setups) {
    if ("skip" in s) info.skipped.push(`${s.id} (${s.skip})`);
    else Object.assign(info.versions, s.versions);
  }
  const workloads = WORKLOADS.filter((w) => !o.only || o.only.includes(w.id));
  const ports = new Ports(
    Number(Deno.env.get("PORT_BASE") ?? 34000),
    Number(Deno.env.get("PORT_SPAN") ?? 2000),
  );
  const rows: Row[] = [];
  const hung = new Set<string>();
  const file = await Deno.open(raw, { write: true, create: true, truncate: true });
  const write = (x: unknown) => file.writeSync(new TextEncoder().encode(JSON.stringify(x) + "\n"));
  try {
    for (let run = 1; run <= o.runs; run++) {
      for (const w of workloads) {
        for (const s of ready) {
          if (w.only && !w.only.includes(s.id)) continue;
          const cap = s.id === "deno-zmqjs" ? ZMQJS_DENO_CAP[o.quick ? "quick" : "full"] : Infinity;
          const timeout = Math.min(o.timeout, cap);
          const key = `${w.id}|${s.id}`;
          let row: Row;
          if (hung.has(key) && o["skip-after-hang"]) {
            row = {
              stack: s.id,
              bench: w.bench,
              workload: w.id,
              n: o.quick ? w.quickN : w.n,
              size: w.size,
              hangs: true,
              timeout_s: timeout,
              not_retried: true,
            };
          } else {
            console.error(`run ${run}/${o.runs}: ${s.id} ${w.id}`);
            row = await runOne(s, w, o.quick, ports.take(), timeout);
            if (row.failed && /address already in use/i.test(String(row.error))) {
              row = await runOne(s, w, o.quick, ports.take(), timeout); // someone took the port
            }
            if (row.hangs) hung.add(key);
            if (row.hangs) console.error(`  ${s.id} ${w.id}: hangs (killed after ${timeout} s)`);
            if (row.failed) console.error(`  ${s.id} ${w.id}: fails: ${row.error}`);
          }
          rows.push(row);
          write(row);
        }
      }
    }
  } finally {
    file.close();
  }
  info.load[1] = loadAverage();
  // the run's description goes first in the raw file
  const lines = (await Deno.readTextFile(raw)).trimEnd();
  await Deno.writeTextFile(raw, JSON.stringify({ run: info }) + "\n" + lines + "\n");
  return [info, rows];
}

async function main(): Promise<void> {
  const o = options();
  let info: RunInfo, rows: Row[];
  if (o.from) {
    let text: string;
    try {
      text = await Deno.readTextFile(o.from);
    } catch (e) {
      usage(`cannot read ${o.from}: ${(e as Error).message}`);
    }
    let lines;
    try {
      lines = text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    } catch (e) {
      usage(`${o.from} is not JSON lines: ${(e as Error).message}`);
    }
    if (!lines[0]?.run) usage(`${o.from} does not start with a run description`);
    info = lines[0].run;
    rows = lines.slice(1);
  } else {
    await Deno.mkdir(o.out, { recursive: true });
    [info, rows] = await runAll(o, `${o.out}/latest.jsonl`);
  }
  await Deno.mkdir(o.out, { recursive: true });
  const { md, svg, sizesSvg } = render(info, rows);
  await Deno.writeTextFile(`${o.out}/latest.md`, md);
  await Deno.writeTextFile(`${o.out}/latest.svg`, svg);
  await Deno.writeTextFile(`${o.out}/latest-sizes.svg`, sizesSvg);
  // keep the repository's `deno fmt --check` clean
  await new Deno.Command(Deno.execPath(), {
    args: [
      "fmt",
      "--quiet",
      `${o.out}/latest.md`,
      `${o.out}/latest.svg`,
      `${o.out}/latest-sizes.svg`,
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  console.log(await Deno.readTextFile(`${o.out}/latest.md`));
  console.error(`wrote ${o.out}/latest.md, latest.svg, latest-sizes.svg and latest.jsonl`);
}

if (import.meta.main) await main();
