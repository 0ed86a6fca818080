// Turns the raw lines of one `deno task bench` run into bench/latest.md (summary, the project's
// targets as ratios, notes, the full table) and the two charts.
import { barChart, lineChart, type Panel } from "./_chart.ts";
import { stackName, STACKS, WORKLOADS } from "./_plan.ts";
import type { Row } from "./_runner.ts";

/** What the harness records about the run, first line of the raw file. */
export interface RunInfo {
  command: string;
  date: string;
  quick: boolean;
  runs: number;
  /** 1-minute load average at the start and at the end. */
  load: [number, number];
  machine: string;
  versions: Record<string, string>;
  /** One line per skipped stack. */
  skipped: string[];
}

type Better = "lower" | "higher";

/** One figure of the summary: a workload's metric. */
interface Figure {
  workload: string;
  metric: string;
  label: string;
  unit: string;
  better: Better;
}

const fig = (workload: string, metric: string, label: string, unit: string, better: Better) => ({
  workload,
  metric,
  label,
  unit,
  better,
});

const FIGURES: Figure[] = [
  fig("reqrep", "median_us", "REQ/REP 1 B, median", "µs", "lower"),
  fig("reqrep", "p99_us", "REQ/REP 1 B, p99", "µs", "lower"),
  fig("pushpull-16", "msgs_per_s", "PUSH/PULL 16 B", "msgs/s", "higher"),
  fig("pushpull-1k", "msgs_per_s", "PUSH/PULL 1 KiB", "msgs/s", "higher"),
  fig("pushpull-64k", "mb_per_s", "PUSH/PULL 64 KiB", "MB/s", "higher"),
  fig("pushpull-1m", "mb_per_s", "PUSH/PULL 1 MiB", "MB/s", "higher"),
  fig("pushpull-16m", "mb_per_s", "PUSH/PULL 16 MiB", "MB/s", "higher"),
  fig("pushpull-64m", "mb_per_s", "PUSH/PULL 64 MiB", "MB/s", "higher"),
  fig("pubsub", "msgs_per_s", "PUB/SUB 16 B, 1 of 10 topics, delivered", "msgs/s", "higher"),
  fig("queue", "median_us", "QUEUE (ROUTER/DEALER proxy), median", "µs", "lower"),
  fig("queue", "p99_us", "QUEUE, p99", "µs", "lower"),
  fig("fanout", "msgs_per_s", "PUB fan-out to 50 SUB, delivered", "msgs/s", "higher"),
  fig("clients", "requests_per_s", "500 REQ clients via one ROUTER", "requests/s", "higher"),
  fig("clients", "p99_us", "500 REQ clients, p99", "µs", "lower"),
  fig("workers", "msgs_per_s", "PUSH/PULL from 4 Workers over inproc", "msgs/s", "higher"),
  fig("idle", "rss_kib_per_conn", "10,000 idle connections, memory", "KiB/conn", "lower"),
  fig("idle", "idle_cpu_percent", "10,000 idle connections, CPU while idle", "%", "lower"),
  fig("tcp_floor", "median_us", "raw TCP ping-pong floor (C, no ZeroMQ), median", "µs", "lower"),
];

const METRICS: Record<string, string[]> = {
  reqrep: ["median_us", "p99_us", "mean_us"],
  queue: ["median_us", "p99_us", "mean_us"],
  tcp_floor: ["median_us", "p99_us", "mean_us"],
  pushpull: ["msgs_per_s", "mb_per_s"],
  pubsub: ["msgs_per_s", "pub_msgs_per_s"],
  fanout: ["msgs_per_s", "lost"],
  clients: ["requests_per_s", "median_us", "p99_us"],
  workers: ["msgs_per_s"],
  idle: ["rss_mib", "rss_kib_per_conn", "idle_cpu_percent", "connect_s"],
};

/** Below this, idle CPU figures are the measurement's noise and count as equal. */
const CPU_FLOOR = 0.05;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A figure for humans: 2,783,085 / 94.5 / 2.35. */
export function fmt(x: number): string {
  if (x === 0) return "0";
  if (Math.abs(x) < 1) return x.toPrecision(2); // idle CPU percentages: 0.0040
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  if (Math.abs(x) < 100) return x.toFixed(2);
  return x.toFixed(1);
}

const isGood = (r: Row) => !r.hangs && !r.failed && r.ok !== false;

/** The rows of one run, looked up by workload and stack. */
class Results {
  readonly #by = new Map<string, Row[]>();
  constructor(rows: Row[]) {
    for (const r of rows) {
      const k = `${r.workload}|${r.stack}`;
      if (!this.#by.has(k)) this.#by.set(k, []);
      this.#by.get(k)!.push(r);
    }
  }
  rows(workload: string, stack: string): Row[] {
    return this.#by.get(`${workload}|${stack}`) ?? [];
  }
  /** The median over good runs, or null. */
  value(workload: string, stack: string, metric: string): number | null {
    const v = this.rows(workload, stack).filter(isGood).map((r) => Number(r[metric]));
    return v.length ? median(v) : null;
  }
  /** Why there is no value: "hangs", "fails", "loses messages", or null when not run. */
  status(workload: string, stack: string): string | null {
    const rs = this.rows(workload, stack);
    if (rs.length === 0) return null;
    if (rs.some((r) => r.hangs)) return "hangs";
    if (rs.some((r) => r.failed)) return "fails";
    return "loses messages";
  }
  /** A table cell: the median, plus how many runs were bad; or the status. */
  cell(workload: string, stack: string, metric: string): string {
    const v = this.value(workload, stack, metric);
    const rs = this.rows(workload, stack);
    if (v === null) return this.status(workload, stack) ?? "-";
    const bad = rs.length - rs.filter(isGood).length;
    return bad ? `${fmt(v)} (${bad}/${rs.length} ${this.status(workload, stack)})` : fmt(v);
  }
  /** For the charts: a number, a status word, or null. */
  chartValue(workload: string, stack: string, metric: string): number | string | null {
    return this.value(workload, stack, metric) ?? this.status(workload, stack);
  }
}

/** "a is r× b" in the figure's good direction: above 1 means a is better. */
function advantage(a: number, b: number, better: Better): number {
  return better === "higher" ? a / b : b / a;
}

/** The project's performance targets, every one as a ratio in this run, met or not. */
function targets(res: Results): string[] {
  const lines = ["| target | measured | met |", "|---|---|---|"];
  const row = (what: string, measured: string, met: boolean | null) =>
    lines.push(`| ${what} | ${measured} | ${met === null ? "n/a" : met ? "yes" : "**no**"} |`);
  const ratio = (w: string, m: string, other: string) => {
    const a = res.value(w, "deno", m), b = res.value(w, other, m);
    return a === null || b === null ? null : a / b;
  };
  const state = (w: string, stack: string) =>
    res.rows(w, stack).some(isGood) ? "ok" : res.status(w, stack) ?? "not run";
  const missing = (w: string, other: string) =>
    `n/a (deno: ${state(w, "deno")}, ${other}: ${state(w, other)})`;
  const check = (what: string, w: string, m: string, other: string, ok: (r: number) => boolean) => {
    const r = ratio(w, m, other);
    row(what, r === null ? missing(w, other) : `${r.toFixed(2)}×`, r === null ? null : ok(r));
  };
  check("REQ/REP median ≤ 1.05× C", "reqrep", "median_us", "c", (r) => r <= 1.05);
  check("REQ/REP p99 ≤ 1.0× pyzmq", "reqrep", "p99_us", "py", (r) => r <= 1.0);
  check("PUSH/PULL 16 B ≥ 0.7× C", "pushpull-16", "msgs_per_s", "c", (r) => r >= 0.7);
  check("PUSH/PULL 1 KiB ≥ 0.9× C", "pushpull-1k", "msgs_per_s", "c", (r) => r >= 0.9);
  {
    const r = ratio("pubsub", "msgs_per_s", "c");
    const runs = res.rows("pubsub", "deno");
    const lossless = runs.length > 0 && runs.every((x) => x.ok === true);
    row(
      "PUB/SUB ≥ 0.7× C, nothing lost",
      `${r === null ? missing("pubsub", "c") : `${r.toFixed(2)}×`}; delivered ${
        runs.map((x) => `${x.delivered ?? "-"}/${x.expected ?? "-"}`).join(", ") || "-"
      }`,
      runs.length && !lossless ? false : r === null ? null : r >= 0.7, // a loss fails it
    );
  }
  check("QUEUE median ≤ 1.02× C", "queue", "median_us", "c", (r) => r <= 1.02);
  for (
    const [w, label] of [["pushpull-1m", "1 MiB"], ["pushpull-16m", "16 MiB"], [
      "pushpull-64m",
      "64 MiB",
    ]]
  ) {
    check(`PUSH/PULL ${label} ≥ 0.9× C (MB/s)`, w, "mb_per_s", "c", (r) => r >= 0.9);
  }
  check("fan-out to 50 SUB ≥ pyzmq (delivered/s)", "fanout", "msgs_per_s", "py", (r) => r >= 1);
  {
    const runs = res.rows("fanout", "deno");
    row(
      "fan-out: nothing lost within HWM",
      runs.map((x) => x.hangs ? "hangs" : `lost ${x.lost ?? "?"}`).join(", ") || "not run",
      runs.length ? runs.every((x) => x.ok === true) : null,
    );
  }
  check("500 clients ≥ pyzmq (requests/s)", "clients", "requests_per_s", "py", (r) => r >= 1);
  check("500 clients p99 ≤ pyzmq", "clients", "p99_us", "py", (r) => r <= 1);
  check("4 Workers over inproc ≥ pyzmq (msgs/s)", "workers", "msgs_per_s", "py", (r) => r >= 1);
  check("10k idle connections: memory ≤ pyzmq", "idle", "rss_kib_per_conn", "py", (r) => r <= 1);
  {
    const a = res.value("idle", "deno", "idle_cpu_percent");
    const b = res.value("idle", "py", "idle_cpu_percent");
    row(
      `10k idle connections: idle CPU ≤ pyzmq (below ${CPU_FLOOR}% counts as equal)`,
      a === null || b === null ? missing("idle", "py") : `${a.toFixed(3)}% vs ${b.toFixed(3)}%`,
      a === null || b === null ? null : a <= Math.max(b, CPU_FLOOR),
    );
  }
  const dz = "deno-zmqjs";
  for (const f of FIGURES.filter((f) => f.workload !== "tcp_floor")) {
    const a = res.value(f.workload, "deno", f.metric), b = res.value(f.workload, dz, f.metric);
    const what = `${f.label}: ≥ 3× zeromq.js on Deno`;
    if (b === null) {
      const st = res.status(f.workload, dz);
      row(what, st ? `zeromq.js on Deno ${st}` : "zeromq.js on Deno not run", null);
    } else if (a === null) row(what, missing(f.workload, dz), null);
    else if (f.metric === "idle_cpu_percent" && Math.max(a, b) < CPU_FLOOR) {
      row(what, `${a.toFixed(3)}% vs ${b.toFixed(3)}% (both below ${CPU_FLOOR}%)`, null);
    } else {
      const r = advantage(a, b, f.better);
      row(what, `${r.toFixed(2)}×`, r >= 3);
    }
  }
  return lines;
}

const NOTES = [
  "- Every stack runs the same program shape: the untimed far end (REP echo, PUSH sender, PUB,",
  "  libzmq's own `zmq_proxy` for QUEUE, a ROUTER echo) in a child process with its own context",
  "  (C `fork()`, Python `multiprocessing`, Node and Deno/zeromq.js a child process of the same",
  "  runtime; this library: a Web Worker with its own Context), and the timed side in the parent.",
  "  A far end says it is ready once bound, before the timed side connects.",
  "- `workers`: C 4 pthreads on one context; pyzmq 4 `threading.Thread` on one Context (the GIL is",
  "  part of the result; processes cannot share inproc); zeromq.js 4 `worker_threads` on its global",
  "  context (the only one it shares between threads); this library 4 Web Workers that adopt the",
  "  main isolate's Context (`Context.adopt`).",
  "- `idle`: one ROUTER in the measured process holds the connections of 4 client processes of the",
  "  same stack; memory is the measured process's resident-set growth while they connect, CPU is",
  "  what it uses while a receive waits for 5 s.",
  "- `fanout`: default HWMs (1000); the publisher keeps at most 500 messages ahead of the slowest",
  "  SUB (credit from the SUB side every 100 messages), so nothing may be lost; `lost` is counted.",
  "- `tcp_floor` is C only (raw TCP, no ZeroMQ): the kernel's floor under every latency.",
  "- Large PUSH/PULL: SNDHWM/RCVHWM = clamp(128 MiB / size, 2, 1000) in every stack; pyzmq",
  "  receives with `copy=False` from 64 KiB up (its own idiom) and sends zero-copy above its",
  "  `copy_threshold`; this library does the same from 64 KiB up (`copy: false` receives, the",
  "  payload sent as one `ZeroCopyFrame` with `copy: false`: bench/deno/_io.ts); C copies on send.",
  '- "hangs": killed at the timeout with all its processes (zeromq.js under Deno: after 20 s; its',
  "  workloads that complete take a few seconds). zeromq.js under Deno runs the very program Node",
  "  runs. Its hangs are not deterministic: a workload may hang in one run and complete in the next,",
  "  so every run tries again (`--skip-after-hang` stops that).",
];

/** Renders latest.md and the two SVG charts from one run's rows. */
export function render(
  info: RunInfo,
  rows: Row[],
): { md: string; svg: string; sizesSvg: string } {
  const res = new Results(rows);
  const stacks = STACKS.filter((s) => rows.some((r) => r.stack === s.id));
  const busy = Math.max(...info.load) > 1
    ? `**taken on a busy shared machine** (load average ${info.load[0]} at the start, ${
      info.load[1]
    } at the end): absolute numbers are noise, only ratios within this run mean anything`
    : `load average ${info.load[0]} at the start, ${info.load[1]} at the end`;
  const md: string[] = [
    "# Benchmarks: this library against C libzmq, pyzmq and zeromq.js (Node and Deno)",
    "",
    `Run ${info.date} on a ${info.machine}, with \`${info.command}\` (${info.runs} run${
      info.runs === 1 ? "" : "s"
    } round-robin over the stacks${
      info.quick ? ", **quick mode: tiny N, not a measurement**" : ""
    }; medians over runs); ${busy}.`,
    "",
    `Versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join("; ")}.`,
    ...(info.skipped.length ? ["", "Skipped: " + info.skipped.join("; ") + "."] : []),
    "",
    "![all workloads, all stacks](latest.svg)",
    "",
    "![MB/s against message size](latest-sizes.svg)",
    "",
    "## Summary (median over runs)",
    "",
    `| workload | unit | ${stacks.map((s) => s.name).join(" | ")} |`,
    `|---|---|${stacks.map(() => "---:").join("|")}|`,
  ];
  for (const f of FIGURES) {
    if (!stacks.some((s) => res.rows(f.workload, s.id).length)) continue;
    md.push(
      `| ${f.label} | ${f.unit} | ${
        stacks.map((s) => res.cell(f.workload, s.id, f.metric)).join(" | ")
      } |`,
    );
  }
  const others = stacks.filter((s) => s.id !== "deno");
  if (stacks.some((s) => s.id === "deno") && others.length) {
    md.push(
      "",
      "## This library against each stack (above 1 = this library is better)",
      "",
      `| workload | ${others.map((s) => s.name).join(" | ")} |`,
      `|---|${others.map(() => "---:").join("|")}|`,
    );
    for (const f of FIGURES.filter((f) => f.workload !== "tcp_floor")) {
      const a = res.value(f.workload, "deno", f.metric);
      md.push(`| ${f.label} | ${
        others.map((s) => {
          const b = res.value(f.workload, s.id, f.metric);
          if (a === null || b === null) {
            return res.status(f.workload, b === null ? s.id : "deno") ?? "-";
          }
          if (f.metric === "idle_cpu_percent" && Math.max(a, b) < CPU_FLOOR) {
            return `both < ${CPU_FLOOR}%`;
          }
          return `${advantage(a, b, f.better).toFixed(2)}×`;
        }).join(" | ")
      } |`);
    }
  }
  md.push(
    "",
    "## Targets (the project's performance goals, as ratios)",
    "",
    ...targets(res),
    "",
    "## How each stack runs",
    "",
  );
  md.push(...NOTES, "", "## Full table", "");
  md.push("| workload | stack | metric | min | median | max | runs ok |");
  md.push("|---|---|---|---:|---:|---:|---|");
  for (const w of WORKLOADS) {
    for (const s of stacks) {
      const rs = res.rows(w.id, s.id);
      if (!rs.length) continue;
      const good = rs.filter(isGood);
      let note = `${good.length}/${rs.length}`;
      const bad = rs.filter((r) => !isGood(r));
      if (bad.length) {
        note += " — " +
          bad.map((r) =>
            r.hangs
              ? `hangs (killed at ${r.timeout_s} s${r.not_retried ? ", not retried" : ""})`
              : r.failed
              ? `fails: ${String(r.error ?? "").replace(/\|/g, "/")}`
              : `lost ${r.lost ?? Number(r.expected) - Number(r.delivered)}`
          ).join("; ");
      }
      for (const m of METRICS[w.bench] ?? []) {
        const v = good.map((r) => Number(r[m]));
        const cells = v.length
          ? [fmt(Math.min(...v)), fmt(median(v)), fmt(Math.max(...v))]
          : ["-", "-", "-"];
        md.push(`| ${w.label} | ${s.id} | ${m} | ${cells.join(" | ")} | ${note} |`);
      }
    }
  }
  const subtitle = `${info.date}, ${info.machine}, median of ${info.runs} run${
    info.runs === 1 ? "" : "s"
  }${info.quick ? " (quick mode)" : ""}${Math.max(...info.load) > 1 ? ", busy machine" : ""}`;
  const panel = (title: string, unit: string, better: Better, w: string, metrics: string[]) => ({
    title,
    unit,
    better,
    groups: metrics.map((m) => ({
      label: metrics.length > 1 ? m.replace("_us", "") : "",
      values: stacks.map((s) => res.chartValue(w, s.id, m)),
    })),
  });
  const panels: Panel[] = [
    panel("REQ/REP round trip, 1 B", "µs", "lower", "reqrep", ["median_us", "p99_us"]),
    panel("QUEUE round trip via proxy", "µs", "lower", "queue", ["median_us", "p99_us"]),
    panel("PUSH/PULL 16 B", "msgs/s", "higher", "pushpull-16", ["msgs_per_s"]),
    panel("PUSH/PULL 1 KiB", "msgs/s", "higher", "pushpull-1k", ["msgs_per_s"]),
    panel("PUB/SUB delivered, 1 of 10 topics", "msgs/s", "higher", "pubsub", ["msgs_per_s"]),
    panel("PUB fan-out to 50 SUB, delivered", "msgs/s", "higher", "fanout", ["msgs_per_s"]),
    panel("500 REQ clients, one ROUTER", "req/s", "higher", "clients", ["requests_per_s"]),
    panel("PUSH/PULL from 4 Workers, inproc", "msgs/s", "higher", "workers", ["msgs_per_s"]),
    panel("PUSH/PULL 16 MiB", "MB/s", "higher", "pushpull-16m", ["mb_per_s"]),
    panel("10k idle connections, memory", "KiB/conn", "lower", "idle", ["rss_kib_per_conn"]),
  ];
  const svg = barChart(panels, {
    stacks: stacks.map((s) => s.name),
    colors: stacks.map((s) => s.color),
    title: "ZeroMQ on one machine: this library vs C, pyzmq, zeromq.js on Node and on Deno",
    subtitle,
  });
  const sizes = WORKLOADS.filter((w) => w.bench === "pushpull");
  const sizesSvg = lineChart(
    stacks.map((s) => ({
      name: stackName(s.id),
      color: s.color,
      points: sizes.map((w) => ({ x: w.size, y: res.value(w.id, s.id, "mb_per_s") })),
    })),
    {
      title: "PUSH/PULL over tcp://127.0.0.1: MB/s against message size",
      subtitle,
      xLabel: "message size (log scale)",
      yLabel: "MB/s (log scale, higher is better)",
      xTicks: sizes.map((w) => [w.size, w.label.replace("PUSH/PULL ", "")]),
    },
  );
  return { md: md.join("\n") + "\n", svg, sizesSvg };
}
