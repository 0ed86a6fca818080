/**
 * `deno task bench`: runs the anchors' `run_all.sh` with the Deno stack added (all four stacks in
 * one round-robin run, so every figure is comparable), then writes the side-by-side table to
 * `bench/latest.md`, a bar chart to `bench/latest.svg` and the raw lines to `bench/latest.jsonl`.
 *
 *     deno task bench                       # STACKS="c py node deno", RUNS=3
 *     deno task bench --runs 1 --stacks "py deno"
 *     deno task bench --from bench/latest.jsonl   # re-render from raw results, no run
 *
 * Environment: ANCHORS_DIR (default ../shared/anchors next to this repository), ZMQJS_DIR
 * (/tmp/zmqjs, installed with npm when missing), PORT_BASE (19000).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { barChart, type Panel } from "./_chart.ts";

const HERE = new URL(".", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const STACK_ORDER = ["c", "py", "node", "deno"];
const STACK_NAMES: Record<string, string> = {
  c: "C / libzmq",
  py: "Python / pyzmq",
  node: "Node / zeromq.js",
  deno: "Deno / this library",
};
const COLORS: Record<string, string> = {
  c: "#7f7f7f",
  py: "#3572a5",
  node: "#e0a030",
  deno: "#2ca05a",
};

/** One raw result line from run_all.sh. */
type Row = Record<string, unknown> & { stack: string; bench: string; n: number; size: number };

const METRICS: Record<string, string[]> = {
  reqrep: ["median_us", "p99_us", "mean_us"],
  queue: ["median_us", "p99_us", "mean_us"],
  tcp_floor: ["median_us", "p99_us", "mean_us"],
  pushpull: ["msgs_per_s", "mb_per_s"],
  pubsub: ["msgs_per_s", "pub_msgs_per_s"],
};

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(x: number): string {
  if (x >= 1000) return Math.round(x).toLocaleString("en-US");
  if (x < 100) return x.toFixed(2);
  return x.toFixed(1);
}

const good = (r: Row) => !r.failed && r.ok !== false;

/** Results grouped by workload key ("bench n size") then stack. */
function group(rows: Row[]): Map<string, Map<string, Row[]>> {
  const g = new Map<string, Map<string, Row[]>>();
  for (const r of rows) {
    const key = `${r.bench} ${r.n} ${r.size}`;
    if (!g.has(key)) g.set(key, new Map());
    const by = g.get(key)!;
    if (!by.has(r.stack)) by.set(r.stack, []);
    by.get(r.stack)!.push(r);
  }
  return g;
}

/** The median over good runs of one metric, or null. */
function med(g: Map<string, Map<string, Row[]>>, key: string, stack: string, metric: string) {
  const vals = (g.get(key)?.get(stack) ?? []).filter(good).map((r) => Number(r[metric]));
  return vals.length ? median(vals) : null;
}

interface Workload {
  key: string;
  label: string;
  metric: string;
  unit: string;
  better: "lower" | "higher";
}

const WORKLOADS: Workload[] = [
  {
    key: "reqrep 20000 1",
    label: "REQ/REP 1 B, median",
    metric: "median_us",
    unit: "µs",
    better: "lower",
  },
  {
    key: "reqrep 20000 1",
    label: "REQ/REP 1 B, p99",
    metric: "p99_us",
    unit: "µs",
    better: "lower",
  },
  {
    key: "pushpull 1000000 16",
    label: "PUSH/PULL 16 B",
    metric: "msgs_per_s",
    unit: "msgs/s",
    better: "higher",
  },
  {
    key: "pushpull 100000 1024",
    label: "PUSH/PULL 1 KiB",
    metric: "msgs_per_s",
    unit: "msgs/s",
    better: "higher",
  },
  {
    key: "pubsub 1000000 16",
    label: "PUB/SUB 16 B, 1 of 10 topics, delivered",
    metric: "msgs_per_s",
    unit: "msgs/s",
    better: "higher",
  },
  {
    key: "queue 20000 1",
    label: "QUEUE (ROUTER/DEALER proxy), median",
    metric: "median_us",
    unit: "µs",
    better: "lower",
  },
  { key: "queue 20000 1", label: "QUEUE, p99", metric: "p99_us", unit: "µs", better: "lower" },
];

/** The issue's targets, checked on medians over runs. */
function targets(g: Map<string, Map<string, Row[]>>): string[] {
  const lines = ["| target | measured | met |", "|---|---|---|"];
  const ratio = (key: string, metric: string, a: string, b: string) => {
    const x = med(g, key, a, metric), y = med(g, key, b, metric);
    return x === null || y === null ? null : x / y;
  };
  const row = (what: string, r: number | null, ok: (r: number) => boolean, unit = "×") => {
    lines.push(
      `| ${what} | ${r === null ? "n/a" : `${r.toFixed(2)}${unit}`} | ${
        r === null ? "n/a" : ok(r) ? "yes" : "**no**"
      } |`,
    );
  };
  row(
    "REQ/REP median ≤ pyzmq (deno/py)",
    ratio("reqrep 20000 1", "median_us", "deno", "py"),
    (r) => r <= 1,
  );
  row(
    "REQ/REP median ≤ 1.15× C (deno/C)",
    ratio("reqrep 20000 1", "median_us", "deno", "c"),
    (r) => r <= 1.15,
  );
  row(
    "REQ/REP p99 ≤ pyzmq (deno/py)",
    ratio("reqrep 20000 1", "p99_us", "deno", "py"),
    (r) => r <= 1,
  );
  row(
    "PUSH/PULL 16 B ≥ 1.5× pyzmq (deno/py)",
    ratio("pushpull 1000000 16", "msgs_per_s", "deno", "py"),
    (r) => r >= 1.5,
  );
  row(
    "PUSH/PULL 16 B ≥ 0.5× C (deno/C)",
    ratio("pushpull 1000000 16", "msgs_per_s", "deno", "c"),
    (r) => r >= 0.5,
  );
  row(
    "PUSH/PULL 1 KiB ≥ pyzmq (deno/py)",
    ratio("pushpull 100000 1024", "msgs_per_s", "deno", "py"),
    (r) => r >= 1,
  );
  row(
    "PUB/SUB delivered ≥ 3× pyzmq (deno/py)",
    ratio("pubsub 1000000 16", "msgs_per_s", "deno", "py"),
    (r) => r >= 3,
  );
  const subs = g.get("pubsub 1000000 16")?.get("deno") ?? [];
  lines.push(
    `| PUB/SUB delivered == expected, every run | ${
      subs.map((r) => `${r.delivered ?? "-"}/${r.expected ?? "-"}`).join(", ") || "n/a"
    } | ${subs.length && subs.every((r) => r.ok === true) ? "yes" : "**no**"} |`,
  );
  row(
    "QUEUE median ≤ pyzmq (deno/py)",
    ratio("queue 20000 1", "median_us", "deno", "py"),
    (r) => r <= 1,
  );
  for (
    const [key, label] of [
      ["pushpull 1000000 16", "PUSH/PULL 16 B"],
      ["pushpull 100000 1024", "PUSH/PULL 1 KiB"],
      ["pubsub 1000000 16", "PUB/SUB delivered"],
    ]
  ) {
    row(
      `${label} ≥ 10× zeromq.js (deno/node)`,
      ratio(key, "msgs_per_s", "deno", "node"),
      (r) => r >= 10,
    );
  }
  return lines;
}

/** Renders latest.md and latest.svg from raw rows. */
export function render(
  rawLines: string[],
  command: string,
  when: Date = new Date(),
): { md: string; svg: string } {
  const rows = rawLines.filter((l) => l.trim()).map((l) => JSON.parse(l));
  const versions = rows[0]?.versions ? rows.shift() : {};
  const g = group(rows as Row[]);
  const stacks = STACK_ORDER.filter((s) => rows.some((r: Row) => r.stack === s));
  const date = when.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  const machine = `${versions.cpus ?? "?"}-vCPU ${versions.cpu ?? "?"}, Linux ${
    versions.uname ?? "?"
  }`;
  const runs = Math.max(
    0,
    ...[...g.values()].flatMap((by) => [...by.values()].map((r) => r.length)),
  );
  const md: string[] = [
    "# Benchmarks: Deno vs C libzmq, pyzmq and zeromq.js, side by side",
    "",
    `Run ${date} on a ${machine}, with \`${command}\` (${runs} runs round-robin over the stacks;`,
    "medians over runs). Compare stacks only within one run: the VM is noisy.",
    "",
    `Versions: ${
      Object.entries(versions).filter(([k]) => k !== "versions").map(([k, v]) => `${k} ${v}`)
        .join("; ")
    }; Deno ${Deno.version.deno}.`,
    "",
    "![side-by-side chart](latest.svg)",
    "",
    "## Summary (median over runs)",
    "",
    `| workload | ${stacks.map((s) => STACK_NAMES[s] ?? s).join(" | ")} |`,
    `|---|${stacks.map(() => "---:").join("|")}|`,
  ];
  for (const w of WORKLOADS) {
    md.push(
      `| ${w.label}, ${w.unit} | ${
        stacks.map((s) => {
          const v = med(g, w.key, s, w.metric);
          return v === null ? "-" : fmt(v);
        }).join(" | ")
      } |`,
    );
  }
  const floor = med(g, "tcp_floor 20000 1", "c-rawtcp", "median_us");
  if (floor !== null) md.push(`| raw TCP ping-pong floor (C, no ZeroMQ), µs | ${fmt(floor)} |`);
  md.push("", "## Targets (issue 6)", "", ...targets(g), "", "## Full table", "");
  md.push("| workload | stack | metric | min | median | max | runs ok |");
  md.push("|---|---|---|---:|---:|---:|---|");
  for (const [key, by] of g) {
    const [bench, n, size] = key.split(" ");
    for (
      const s of [...by.keys()].sort((a, b) => STACK_ORDER.indexOf(a) - STACK_ORDER.indexOf(b))
    ) {
      const rs = by.get(s)!;
      const ok = rs.filter(good);
      let note = `${ok.length}/${rs.length}`;
      if (bench === "pubsub") {
        note += ` delivered ${rs.map((r) => r.delivered ?? "-").join(",")} of ${
          rs[0].expected ?? "?"
        }`;
      }
      for (const m of METRICS[bench] ?? []) {
        const v = ok.map((r) => Number(r[m]));
        const cells = v.length
          ? [fmt(Math.min(...v)), fmt(median(v)), fmt(Math.max(...v))]
          : ["-", "-", "-"];
        md.push(`| ${bench} n=${n} ${size}B | ${s} | ${m} | ${cells.join(" | ")} | ${note} |`);
      }
    }
  }
  const panels: Panel[] = [];
  const lat = (key: string, title: string): Panel => ({
    title,
    unit: "µs",
    better: "lower",
    groups: ["median_us", "p99_us"].map((m) => ({
      label: m === "median_us" ? "median" : "p99",
      values: stacks.map((s) => med(g, key, s, m)),
    })),
  });
  const thr = (key: string, title: string): Panel => ({
    title,
    unit: "msgs/s",
    better: "higher",
    groups: [{ label: "", values: stacks.map((s) => med(g, key, s, "msgs_per_s")) }],
  });
  panels.push(
    lat("reqrep 20000 1", "REQ/REP round trip, 1 B"),
    thr("pushpull 1000000 16", "PUSH/PULL 16 B"),
    thr("pushpull 100000 1024", "PUSH/PULL 1 KiB"),
    thr("pubsub 1000000 16", "PUB/SUB delivered (1 of 10 topics)"),
    lat("queue 20000 1", "QUEUE round trip via proxy, 1 B"),
  );
  const svg = barChart(panels, {
    stacks: stacks.map((s) => STACK_NAMES[s] ?? s),
    colors: stacks.map((s) => COLORS[s] ?? "#999"),
    title: "ZeroMQ over tcp://127.0.0.1: Deno vs C, pyzmq, zeromq.js",
    subtitle: `${date}, ${machine}, median of ${runs} runs`,
  });
  return { md: md.join("\n") + "\n", svg };
}

async function ensureZmqjs(dir: string): Promise<void> {
  try {
    await Deno.stat(`${dir}/node_modules/zeromq/package.json`);
    return;
  } catch {
    // install below
  }
  console.error(`installing zeromq@6.8.0 for Node into ${dir}`);
  await Deno.mkdir(dir, { recursive: true });
  for (const args of [["init", "-y"], ["install", "zeromq@6.8.0"]]) {
    const r = await new Deno.Command("npm", { args, cwd: dir, stdout: "null" }).output();
    if (!r.success) throw new Error(`npm ${args.join(" ")} failed in ${dir}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: Deno.env.get("RUNS") ?? "3" },
      stacks: { type: "string", default: Deno.env.get("STACKS") ?? "c py node deno" },
      from: { type: "string" },
    },
  });
  let raw: string[];
  let command: string;
  let when = new Date();
  if (values.from) {
    raw = (await Deno.readTextFile(values.from)).split("\n");
    when = (await Deno.stat(values.from)).mtime ?? when;
    command = "deno task bench";
  } else {
    const anchors = Deno.env.get("ANCHORS_DIR") ?? `${ROOT}../shared/anchors`;
    const zmqjs = Deno.env.get("ZMQJS_DIR") ?? "/tmp/zmqjs";
    if (values.stacks.split(/\s+/).includes("node")) await ensureZmqjs(zmqjs);
    const out = `${HERE}results`; // git-ignored; shared/anchors is read-only
    await Deno.mkdir(`${out}/results`, { recursive: true });
    const before = new Set([...Deno.readDirSync(`${out}/results`)].map((e) => e.name));
    const env = {
      STACKS: values.stacks,
      RUNS: values.runs,
      ZMQJS_DIR: zmqjs,
      PORT_BASE: Deno.env.get("PORT_BASE") ?? "19000",
      ANCHORS_OUT: out,
      STACK_CMD_deno: `${Deno.execPath()} run -A ${HERE}bench.ts`,
    };
    command = `deno task bench` +
      (values.runs !== "3" ? ` --runs ${values.runs}` : "") +
      (values.stacks !== "c py node deno" ? ` --stacks "${values.stacks}"` : "");
    console.error(`running ${anchors}/run_all.sh with STACKS="${env.STACKS}" RUNS=${env.RUNS}`);
    const r = await new Deno.Command("bash", {
      args: [`${anchors}/run_all.sh`],
      env,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!r.success) throw new Error("run_all.sh failed");
    const made = [...Deno.readDirSync(`${out}/results`)].map((e) => e.name)
      .filter((n) => n.endsWith(".jsonl") && !before.has(n)).sort();
    const file = `${out}/results/${made.at(-1) ?? ""}`;
    raw = (await Deno.readTextFile(file)).split("\n");
    await Deno.writeTextFile(`${HERE}latest.jsonl`, raw.join("\n"));
  }
  const { md, svg } = render(raw, command, when);
  await Deno.writeTextFile(`${HERE}latest.md`, md);
  await Deno.writeTextFile(`${HERE}latest.svg`, svg);
  // keep the repository's `deno fmt --check` clean
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", `${HERE}latest.md`, `${HERE}latest.svg`],
  }).output();
  console.log(md);
  console.error(`wrote ${HERE}latest.md and ${HERE}latest.svg`);
}

if (import.meta.main) await main();
