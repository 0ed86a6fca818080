/**
 * The tutorial's request_reply_processes: four servers (ports 5550, 5552, 5554, 5556) that
 * each serve five requests and exit, and one client connected to all four that sends twenty,
 * every one in its own Web Worker (the tutorial's `multiprocessing.Process`).
 *
 * Run: `deno task multiprocess [--ports 5550,5552,5554,5556] [--requests 5] [--interval 50]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { intFlag, parseFlags, portsFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task multiprocess",
    about: "Runs request_reply_processes: a server per port and one client, in Web Workers.",
  }, {
    ports: { type: "string", default: "5550,5552,5554,5556", help: "one server per port" },
    requests: { type: "string", default: "5", help: "requests each server serves" },
    interval: { type: "string", default: "50", help: "client's pause after each reply, ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const ports = portsFlag(values.ports);
  const requests = intFlag(values.requests, "requests", { min: 1 });
  const interval = String(intFlag(values.interval, "interval"));
  const here = (file: string) => new URL(file, import.meta.url);
  return await runExample(
    [
      ...ports.map((port) => ({
        module: here("./server.ts"),
        name: `server:${port}`,
        args: ["--port", String(port), "--count", String(requests)],
      })),
      {
        module: here("./client.ts"),
        name: "client",
        args: [
          "--ports",
          ports.join(","),
          "--count",
          String(ports.length * requests),
          "--interval",
          interval,
        ],
      },
    ],
    env,
    values,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "multiprocess");
