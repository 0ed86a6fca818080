// Load test: tasks through a STREAMER device (libzmq's proxy, PULL → PUSH) to workers in Web
// Workers and on to a collector that accounts for every task exactly once.
//
//   ventilator (PUSH) → [PULL streamer PUSH] → workers (PULL … PUSH) → collector (PULL)
import { parseArgs } from "node:util";
import { Context } from "../core/context.ts";
import { startStreamer } from "../devices/device.ts";
import { type RoleEnv, type RoleHandle, runMain, startRole, UsageError } from "../workers/mod.ts";
import type { Accounting } from "./collector.ts";
import { intFlag } from "./_task.ts";

const USAGE = `Usage: pipeline.ts [--tasks N] [--workers N] [--transport inproc|tcp] [--quiet]

Sends N tasks (default 20000) through a STREAMER to N workers (default 4) and a collector,
then prints how many came back, missing, duplicated or wrong, and how long it took.`;

/** Options for {@linkcode runPipeline}. */
export interface PipelineOptions {
  /** Number of tasks. Default 20000. */
  tasks?: number;
  /** Number of worker Workers. Default 4. */
  workers?: number;
  /** inproc (one shared context) or tcp on 127.0.0.1. Default inproc. */
  transport?: "inproc" | "tcp";
  /** The collector gives up after this many ms without a result. Default 10000. */
  idle?: number;
  /** Print each role's lines. Default true. */
  verbose?: boolean;
}

/** What a pipeline run observed. */
export interface PipelineReport extends Accounting {
  /** Tasks each worker processed. */
  perWorker: number[];
  /** Milliseconds from starting the ventilator to the collector's report. */
  wallMs: number;
  /** Tasks per second over wallMs. */
  rate: number;
}

function freeTcpEndpoint(ctx: Context): string {
  const probe = ctx.socket("PULL");
  try {
    return `tcp://127.0.0.1:${probe.bindToRandomPort()}`;
  } finally {
    probe.unbind(probe.lastEndpoint);
    probe.close({ linger: 0 });
  }
}

/** Runs the pipeline once and answers the collector's accounting. */
export async function runPipeline(options: PipelineOptions = {}): Promise<PipelineReport> {
  const tasks = options.tasks ?? 20_000;
  const workerCount = options.workers ?? 4;
  const tcp = options.transport === "tcp";
  const verbose = options.verbose ?? true;
  const here = (f: string) => new URL(f, import.meta.url);
  const ctx = new Context();
  const id = crypto.randomUUID().slice(0, 8);
  const [front, back, sink] = tcp
    ? [freeTcpEndpoint(ctx), freeTcpEndpoint(ctx), freeTcpEndpoint(ctx)]
    : ["front", "back", "sink"].map((n) => `inproc://load-${n}-${id}`);
  const shared = tcp ? undefined : ctx;
  const roles: RoleHandle[] = [];
  const ready = (name: string) => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => resolve = r);
    return {
      promise,
      onLine: (line: string, stream: "stdout" | "stderr") => {
        if (verbose || stream === "stderr") {
          (stream === "stderr" ? console.error : console.log)(`[${name}] ${line}`);
        }
        if (line === "ready") resolve();
      },
    };
  };
  const streamer = startStreamer({ frontend: front, backend: back, context: ctx });
  try {
    let report: Accounting | undefined;
    const collectorReady = ready("collector");
    const collector = startRole(here("collector.ts"), {
      name: "collector",
      context: shared,
      args: ["--bind", sink, "--tasks", String(tasks), "--idle", String(options.idle ?? 10_000)],
      onLine: (line, stream) => {
        if (line.startsWith("RESULT ")) report = JSON.parse(line.slice(7));
        collectorReady.onLine(line, stream);
      },
    });
    roles.push(collector);
    const workers: RoleHandle[] = [];
    const workersReady: Promise<void>[] = [];
    for (let i = 0; i < workerCount; i++) {
      const r = ready(`worker#${i + 1}`);
      workersReady.push(r.promise);
      const w = startRole(here("worker.ts"), {
        name: `worker#${i + 1}`,
        context: shared,
        args: ["--tasks", back, "--results", sink],
        onLine: r.onLine,
      });
      workers.push(w);
      roles.push(w);
    }
    // Every worker and the collector must be connected before the first task goes out, or
    // the first workers take more than their share (no task is lost either way).
    const failed = Promise.race(roles.map((r) => r.done)).then(() => {
      throw new Error("a role ended before the pipeline was ready");
    });
    await Promise.race([Promise.all([collectorReady.promise, ...workersReady]), failed]);
    failed.catch(() => {});
    const started = performance.now();
    const ventilator = startRole(here("ventilator.ts"), {
      name: "ventilator",
      context: shared,
      args: ["--connect", front, "--tasks", String(tasks)],
      onLine: ready("ventilator").onLine,
    });
    roles.push(ventilator);
    await Promise.all([ventilator.done, collector.done]);
    const wallMs = performance.now() - started;
    for (const w of workers) await w.stop();
    if (!report) throw new Error("the collector printed no RESULT line");
    const perWorker = workers.map((w) =>
      Number(/processed (\d+)/.exec(w.lines.find((l) => l.startsWith("processed")) ?? "")?.[1])
    );
    return {
      ...report,
      perWorker,
      wallMs: Math.round(wallMs),
      rate: Math.round(tasks / wallMs * 1000),
    };
  } finally {
    await Promise.allSettled(roles.map((r) => r.stop()));
    await streamer.stop();
    await ctx.terminate();
  }
}

/** The command line: runs the pipeline and prints the report. */
export async function main(args: string[], _env?: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      tasks: { type: "string" },
      workers: { type: "string" },
      transport: { type: "string", default: "inproc" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  if (values.transport !== "inproc" && values.transport !== "tcp") {
    throw new UsageError("--transport must be inproc or tcp");
  }
  const report = await runPipeline({
    tasks: intFlag(values.tasks, 20_000, "tasks"),
    workers: intFlag(values.workers, 4, "workers"),
    transport: values.transport,
    verbose: !values.quiet,
  });
  console.log(JSON.stringify(report));
  const ok = report.missing === 0 && report.duplicates === 0 && report.wrong === 0 &&
    report.checksum === report.expectedChecksum;
  console.log(
    `${ok ? "OK" : "FAILED"}: ${report.distinct}/${report.tasks} tasks accounted for once ` +
      `(missing ${report.missing}, duplicates ${report.duplicates}, wrong ${report.wrong}) ` +
      `in ${report.wallMs} ms, ${report.rate} tasks/s, per worker ${report.perWorker.join("/")}`,
  );
  if (!ok) throw new Error("tasks were lost, duplicated or wrong");
}

if (import.meta.main) await runMain(main, "pipeline");
