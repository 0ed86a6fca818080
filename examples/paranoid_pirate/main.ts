/**
 * Paranoid Pirate all in one: the queue, `--workers` PPP workers and a Lazy Pirate client
 * (examples/lazy_pirate/client.ts), each in a Web Worker or, with `--process`, an OS process.
 *
 * Run: `deno task pp [--port 5555] [--workers 2] [--count 10] [--process]`
 *
 * @module
 */
import type { RoleEnv, RunResult } from "../../workers/mod.ts";
import { RUN_FLAGS, runExample } from "../_tutorial.ts";
import { intArg, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task pp",
  about:
    "Runs a Paranoid Pirate queue, workers and a Lazy Pirate client (Web Workers, or --process).",
  flags: {
    port: { type: "string", default: "5555", help: "clients' (frontend) port on 127.0.0.1" },
    "backend-port": { type: "string", help: "workers' (backend) port (default: --port + 1)" },
    workers: { type: "string", default: "2", help: "PPP workers" },
    count: { type: "string", default: "10", help: "client requests" },
    heartbeat: { type: "string", default: "500", help: "heartbeat interval, ms" },
    ...RUN_FLAGS,
  },
} as const;

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const port = intArg(flags.port, "port", 1, 65535);
  const backendPort = flags["backend-port"] === undefined
    ? port + 1
    : intArg(flags["backend-port"], "backend-port", 1, 65535);
  const workers = intArg(flags.workers, "workers", 0, 100);
  const heartbeat = String(intArg(flags.heartbeat, "heartbeat", 1));
  const frontend = `tcp://127.0.0.1:${port}`;
  const backend = `tcp://127.0.0.1:${backendPort}`;
  const here = (file: string) => new URL(file, import.meta.url);
  return await runExample(
    [
      {
        module: here("./queue.ts"),
        name: "ppqueue",
        args: ["--frontend", frontend, "--backend", backend, "--heartbeat", heartbeat],
        service: true,
      },
      ...Array.from({ length: workers }, (_, i) => ({
        module: here("./worker.ts"),
        name: `ppworker${i + 1}`,
        args: ["--connect", backend, "--heartbeat", heartbeat, "--reconnect-initial", heartbeat],
        service: true,
      })),
      {
        module: here("../lazy_pirate/client.ts"),
        name: "client",
        args: ["--connect", frontend, "--count", String(intArg(flags.count, "count"))],
      },
    ],
    env,
    flags,
  );
}

if (import.meta.main) await runProgram(async (a, e) => void await main(a, e), "pp", PROGRAM);
