/**
 * pyzmq's monitoredqueue: a MonitoredQueue device in the background (ROUTER in on 5559, DEALER
 * out on 5560, PUB monitor on 5562, prefixes "in" and "out"), two servers, two clients, and a
 * monitor that prints every request and reply the device publishes.
 *
 * The monitor starts first and proves its subscription with probe requests; the clients start
 * once it is subscribed, so it sees every one of their exchanges and ends after all of them.
 *
 * Run: `deno task monitoredqueue [--frontend-port 5559] [--backend-port 5560]
 * [--monitor-port 5562] [--count 5]`
 *
 * @module
 */
import { BackgroundMonitoredQueue } from "../../devices/mod.ts";
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { Phases } from "../_phases.ts";

/** Runs the example; answers each role's printed lines (the device's as "monitoringdevice"). */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task monitoredqueue",
    about: "A background MonitoredQueue with two servers, two clients and a monitor.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "device's ROUTER port" },
    "backend-port": { type: "string", default: "5560", help: "device's DEALER port" },
    "monitor-port": { type: "string", default: "5562", help: "device's PUB monitor port" },
    count: { type: "string", default: "5", help: "requests per client" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const mon = String(portFlag(values["monitor-port"], "monitor-port"));
  const count = countFlag(values.count);
  const clients = 2;
  const timeout = intFlag(values.timeout, "timeout", { min: 1 });
  const run = new Phases({ quiet: values.quiet, timeout, process: values.process }, env.signal);
  // the tutorial's names: XREP and XREQ are ROUTER and DEALER; HWM sets SNDHWM and RCVHWM
  const device = new BackgroundMonitoredQueue("XREP", "XREQ", "PUB", {
    name: "monitoringdevice",
    onLine: run.printer("monitoringdevice"),
    inPrefix: "in",
    outPrefix: "out",
  });
  device.bindIn(`tcp://127.0.0.1:${front}`).bindOut(`tcp://127.0.0.1:${back}`);
  device.bindMon(`tcp://127.0.0.1:${mon}`);
  device.setOptionIn("HWM", 1).setOptionOut("HWM", 1);
  const here = (f: string) => new URL(f, import.meta.url);
  try {
    await run.startDevice(device, "the monitored queue to start");
    run.printer("monitoringdevice")("Program: Monitoring device has started", "stdout");
    for (const n of [1, 2]) {
      run.start({
        module: here("../queue_device/queue_server.ts"),
        name: `server${n}`,
        args: ["--port", back, "--id", String(n), "--delay", "0"],
      });
    }
    const monitor = run.start({
      module: here("./monitor.ts"),
      name: "monitor",
      // every exchange shows twice: "in" with the request, "out" with the reply
      args: ["--port", mon, "--probe", front, "--count", String(2 * clients * count)],
    });
    await run.waitForLine(
      monitor,
      (l) => l === "Monitor is subscribed",
      "the monitor to be subscribed",
    );
    const started = Array.from({ length: clients }, (_, i) =>
      run.start({
        module: here("../queue_device/queue_client.ts"),
        name: `client${i + 1}`,
        args: ["--port", front, "--id", String(i + 1), "--count", String(count)],
      }));
    await run.wait(
      Promise.all([...started.map((c) => c.done), monitor.done]),
      "the clients' requests and the monitor's messages",
    );
  } finally {
    await run.close();
  }
  return { lines: run.lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "monitoredqueue");
