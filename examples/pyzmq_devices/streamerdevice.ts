/**
 * pyzmq's streamerdevice: a STREAMER device in the background (a Web Worker, like pyzmq's
 * ProcessDevice) configured from socket types, PULL in on 5559 and PUSH out on 5560, then two
 * workers and a feeder sending ten tasks `#0` ... `#9` as text, as the chapter does.
 *
 * Run: `deno task streamerdevice [--frontend-port 5559] [--backend-port 5560] [--count 10]`
 *
 * @module
 */
import { BackgroundDevice } from "../../devices/mod.ts";
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { Phases } from "../_phases.ts";
import { feedAndTally } from "../streamer_device/_tally.ts";

/** Runs the example; answers each role's printed lines (the device's as "streamerdevice"). */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task streamerdevice",
    about: "A background STREAMER device (PULL/PUSH) with a task feeder and two workers.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "device's PULL port" },
    "backend-port": { type: "string", default: "5560", help: "device's PUSH port" },
    count: { type: "string", default: "10", help: "tasks to feed" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const count = countFlag(values.count);
  const timeout = intFlag(values.timeout, "timeout", { min: 1 });
  const run = new Phases({ quiet: values.quiet, timeout, process: values.process }, env.signal);
  const device = new BackgroundDevice("STREAMER", "PULL", "PUSH", {
    name: "streamerdevice",
    onLine: run.printer("streamerdevice"),
  });
  device.bindIn(`tcp://127.0.0.1:${front}`).bindOut(`tcp://127.0.0.1:${back}`);
  // the tutorial's zmq.IDENTITY (libzmq calls it ROUTING_ID today)
  device.setOptionIn("IDENTITY", "PULL").setOptionOut("IDENTITY", "PUSH");
  const here = (f: string) => new URL(f, import.meta.url);
  try {
    await run.startDevice(device, "the streamer device to start");
    run.printer("streamerdevice")("Program: Streamer device has started", "stdout");
    const workers = await run.startConnected([0, 1].map((n) => ({
      module: here("../streamer_device/task_worker.ts"),
      name: `worker${n}`,
      args: ["--port", back, "--id", String(n), "--format", "text"],
    })));
    await feedAndTally(
      run,
      {
        module: here("../streamer_device/task_feeder.ts"),
        name: "server",
        args: ["--port", front, "--count", String(count), "--interval", "0", "--format", "text"],
      },
      workers,
      count,
      "streamerdevice",
    );
  } finally {
    await run.close();
  }
  return { lines: run.lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "streamerdevice");
