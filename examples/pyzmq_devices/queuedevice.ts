/**
 * pyzmq's queuedevice: a QUEUE device in the background (a Web Worker, like pyzmq's
 * ProcessDevice) configured from socket types, ROUTER in on 5559 and DEALER out on 5560, then
 * two servers and two clients whose requests are load-balanced over the servers.
 *
 * Run: `deno task queuedevice [--frontend-port 5559] [--backend-port 5560] [--count 5]`
 *
 * @module
 */
import { BackgroundDevice } from "../../devices/mod.ts";
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { Phases } from "../_phases.ts";

/** Runs the example; answers each role's printed lines (the device's as "queuedevice"). */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task queuedevice",
    about: "A background QUEUE device (ROUTER/DEALER) with two servers and two clients.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "device's ROUTER port" },
    "backend-port": { type: "string", default: "5560", help: "device's DEALER port" },
    count: { type: "string", default: "5", help: "requests per client" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const count = String(countFlag(values.count));
  const timeout = intFlag(values.timeout, "timeout", { min: 1 });
  const run = new Phases({ quiet: values.quiet, timeout, process: values.process }, env.signal);
  // the tutorial's names: XREP and XREQ are ROUTER and DEALER; HWM sets SNDHWM and RCVHWM
  const device = new BackgroundDevice("QUEUE", "XREP", "XREQ", {
    name: "queuedevice",
    onLine: run.printer("queuedevice"),
  });
  device.bindIn(`tcp://127.0.0.1:${front}`).bindOut(`tcp://127.0.0.1:${back}`);
  device.setOptionIn("HWM", 1).setOptionOut("HWM", 1);
  const here = (f: string) => new URL(f, import.meta.url);
  try {
    await run.startDevice(device, "the queue device to start");
    run.printer("queuedevice")("Program: Queue device has started", "stdout");
    await run.startConnected([1, 2].map((n) => ({
      module: here("../queue_device/queue_server.ts"),
      name: `server${n}`,
      args: ["--port", back, "--id", String(n), "--delay", "0"],
    })));
    const clients = [1, 2].map((n) =>
      run.start({
        module: here("../queue_device/queue_client.ts"),
        name: `client${n}`,
        args: ["--port", front, "--id", String(n), "--count", count],
      })
    );
    await run.wait(Promise.all(clients.map((c) => c.done)), "the clients' requests");
  } finally {
    await run.close();
  }
  return { lines: run.lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "queuedevice");
