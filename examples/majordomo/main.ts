/**
 * Majordomo all in one: a broker, `--workers` echo workers and a client, each in a Web Worker
 * (or, with `--process`, each an OS process): the client's requests go through the broker to
 * whichever worker is free.
 *
 * Run: `deno task mdp [--port 5555] [--workers 2] [--count 10] [--process] [--async]`
 *
 * @module
 */
import type { RoleEnv, RunResult } from "../../workers/mod.ts";
import { RUN_FLAGS, runExample } from "../_tutorial.ts";
import { intArg, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task mdp",
  about: "Runs a Majordomo broker, echo workers and a client (Web Workers, or --process).",
  flags: {
    port: { type: "string", default: "5555", help: "broker's TCP port on 127.0.0.1" },
    workers: { type: "string", default: "2", help: "echo workers" },
    count: { type: "string", default: "10", help: "client requests" },
    async: { type: "boolean", default: false, help: "use the asynchronous DEALER client" },
    heartbeat: { type: "string", default: "500", help: "heartbeat interval, ms" },
    ...RUN_FLAGS,
  },
} as const;

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const port = intArg(flags.port, "port", 1, 65535);
  const workers = intArg(flags.workers, "workers", 0, 100);
  const count = String(intArg(flags.count, "count"));
  const heartbeat = String(intArg(flags.heartbeat, "heartbeat", 1));
  const endpoint = `tcp://127.0.0.1:${port}`;
  const here = (file: string) => new URL(file, import.meta.url);
  return await runExample(
    [
      {
        module: here("./broker.ts"),
        name: "broker",
        args: ["--bind", endpoint, "--heartbeat", heartbeat],
        service: true,
      },
      ...Array.from({ length: workers }, (_, i) => ({
        module: here("./worker.ts"),
        name: `worker${i + 1}`,
        args: ["--connect", endpoint, "--heartbeat", heartbeat, "--reconnect", heartbeat],
        service: true,
      })),
      {
        module: here("./client.ts"),
        name: "client",
        args: ["--connect", endpoint, "--count", count, ...(flags.async ? ["--async"] : [])],
      },
    ],
    env,
    flags,
  );
}

if (import.meta.main) await runProgram(async (a, e) => void await main(a, e), "mdp", PROGRAM);
