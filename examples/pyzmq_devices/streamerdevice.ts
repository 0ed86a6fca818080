/**
 * pyzmq's streamerdevice: a STREAMER device in the background (a Web Worker, like pyzmq's
 * ProcessDevice) configured from socket types, PULL in on 5559 and PUSH out on 5560, then a
 * task feeder and two workers. The workers report to the feeder, which counts each task once.
 *
 * Run: `deno task streamerdevice [--frontend-port 5559] [--backend-port 5560] [--count 10]`
 *
 * @module
 */
import { BackgroundDevice } from "../../devices/mod.ts";
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { Phases } from "./_run.ts";

/** Runs the example; answers each role's printed lines (the device's as "streamerdevice"). */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task streamerdevice",
    about: "A background STREAMER device (PULL/PUSH) with a task feeder and two workers.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "device's PULL port" },
    "backend-port": { type: "string", default: "5560", help: "device's PUSH port" },
    "results-port": { type: "string", default: "5561", help: "the feeder's report port" },
    count: { type: "string", default: "10", help: "tasks to feed" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const results = String(portFlag(values["results-port"], "results-port"));
  const count = String(countFlag(values.count));
  const run = new Phases(values.quiet, intFlag(values.timeout, "timeout", { min: 1 }), env.signal);
  const device = new BackgroundDevice("STREAMER", "PULL", "PUSH", {
    name: "streamerdevice",
    onLine: run.printer("streamerdevice"),
  });
  device.bindIn(`tcp://127.0.0.1:${front}`).bindOut(`tcp://127.0.0.1:${back}`);
  device.setOptionIn("ROUTING_ID", "PULL").setOptionOut("ROUTING_ID", "PUSH");
  try {
    await run.wait(device.start());
    run.printer("streamerdevice")("Program: Streamer device has started", "stdout");
    for (const n of [1, 2]) {
      run.start({
        file: "../streamer_device/task_worker.ts",
        name: `worker${n}`,
        args: ["--port", back, "--id", String(n), "--results", results],
      });
    }
    const feeder = run.start({
      file: "../streamer_device/task_feeder.ts",
      name: "server",
      args: ["--port", front, "--count", count, "--results", results, "--workers", "2"],
    });
    await run.wait(feeder.done);
  } finally {
    await run.close([device]);
  }
  return { lines: run.lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "streamerdevice");
