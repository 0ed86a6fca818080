/**
 * The streamer device example: streamer_device, a task_feeder and two task_workers, each in a
 * Web Worker. The workers report to the feeder, which counts every task done exactly once,
 * spread over both workers.
 *
 * Run: `deno task streamer [--frontend-port 5559] [--backend-port 5560] [--count 10]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task streamer",
    about: "Runs the streamer device example: device, a task feeder and two workers.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "port for the feeder" },
    "backend-port": { type: "string", default: "5560", help: "port for the workers" },
    "results-port": { type: "string", default: "5561", help: "port for the workers' reports" },
    count: { type: "string", default: "10", help: "tasks to feed" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const results = String(portFlag(values["results-port"], "results-port"));
  const count = String(countFlag(values.count));
  const here = (f: string) => new URL(f, import.meta.url);
  return await runExample(
    [
      {
        module: here("./streamer_device.ts"),
        name: "streamer_device",
        args: ["--frontend", front, "--backend", back],
        service: true,
      },
      ...[1, 2].map((n) => ({
        module: here("./task_worker.ts"),
        name: `task_worker${n}`,
        args: ["--port", back, "--id", String(n), "--results", results],
        service: true,
      })),
      {
        module: here("./task_feeder.ts"),
        name: "task_feeder",
        args: ["--port", front, "--count", count, "--results", results, "--workers", "2"],
      },
    ],
    env,
    values,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "streamer");
