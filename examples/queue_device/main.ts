/**
 * The queue device example: queue_device, two queue_servers and a queue_client, each in a Web
 * Worker, started in the order the tutorial's shells start them, each step by handshake: the
 * device is bound before the servers connect, both servers are connected before the client
 * starts, so the client's requests alternate between them from the first one.
 *
 * Run: `deno task queue [--frontend-port 5559] [--backend-port 5560] [--count 10]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { Phases } from "../_phases.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task queue",
    about: "Runs the queue device example: device, two servers and a client in Web Workers.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "port for clients" },
    "backend-port": { type: "string", default: "5560", help: "port for servers" },
    count: { type: "string", default: "10", help: "requests the client sends" },
    delay: { type: "string", default: "0", help: "servers' work time per request, in ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const count = String(countFlag(values.count));
  const delay = String(intFlag(values.delay, "delay"));
  const timeout = intFlag(values.timeout, "timeout", { min: 1 });
  const here = (f: string) => new URL(f, import.meta.url);
  const run = new Phases({ quiet: values.quiet, timeout, process: values.process }, env.signal);
  try {
    await run.startUntil(
      {
        module: here("./queue_device.ts"),
        name: "queue_device",
        args: ["--frontend", front, "--backend", back],
      },
      (l) => l.startsWith("Queue device:"),
      "the device to bind",
    );
    await run.startConnected([1, 2].map((n) => ({
      module: here("./queue_server.ts"),
      name: `queue_server${n}`,
      args: ["--port", back, "--delay", delay],
    })));
    const client = run.start({
      module: here("./queue_client.ts"),
      name: "queue_client",
      args: ["--port", front, "--count", count],
    });
    await run.wait(client.done, "the client's requests");
  } finally {
    await run.close();
  }
  return { lines: run.lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "queue");
