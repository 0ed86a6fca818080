/**
 * The streamer device example: streamer_device, two task_workers and a task_feeder, each in a
 * Web Worker, started in the order of the tutorial's shells, each step by handshake: the
 * device is bound before the workers connect, both workers are connected before the feeder
 * starts, so the tasks spread over both. Once every task has been printed by a worker, the
 * example checks that each was done exactly once and says how they spread.
 *
 * Run: `deno task streamer [--frontend-port 5559] [--backend-port 5560] [--count 10]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { Phases } from "../_phases.ts";
import { feedAndTally } from "./_tally.ts";

/** Runs the example; answers each role's printed lines (the check's as "streamer"). */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task streamer",
    about: "Runs the streamer device example: device, two workers and a task feeder.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "port for the feeder" },
    "backend-port": { type: "string", default: "5560", help: "port for the workers" },
    count: { type: "string", default: "10", help: "tasks to feed" },
    interval: { type: "string", default: "0", help: "feeder's pause after each task, in ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const count = countFlag(values.count);
  const interval = String(intFlag(values.interval, "interval"));
  const timeout = intFlag(values.timeout, "timeout", { min: 1 });
  const here = (f: string) => new URL(f, import.meta.url);
  const run = new Phases({ quiet: values.quiet, timeout, process: values.process }, env.signal);
  try {
    await run.startUntil(
      {
        module: here("./streamer_device.ts"),
        name: "streamer_device",
        args: ["--frontend", front, "--backend", back],
      },
      (l) => l.startsWith("Streamer device:"),
      "the device to bind",
    );
    const workers = await run.startConnected([1, 2].map((n) => ({
      module: here("./task_worker.ts"),
      name: `task_worker${n}`,
      args: ["--port", back],
    })));
    await feedAndTally(
      run,
      {
        module: here("./task_feeder.ts"),
        name: "task_feeder",
        args: ["--port", front, "--count", String(count), "--interval", interval],
      },
      workers,
      count,
      "streamer",
    );
  } finally {
    await run.close();
  }
  return { lines: run.lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "streamer");
