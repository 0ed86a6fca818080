/**
 * Titanic all in one: a Majordomo broker, an echo worker, the Titanic service on an SQLite
 * file and a Titanic client, each in a Web Worker or, with `--process`, an OS process.
 *
 * Run: `deno task titanic [--port 5555] [--count 5] [--db FILE] [--process]`
 *
 * @module
 */
import type { RoleEnv, RunResult } from "../../workers/mod.ts";
import { RUN_FLAGS, runExample } from "../_tutorial.ts";
import { intArg, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task titanic",
  about: "Runs a broker, an echo worker, Titanic and a Titanic client (Web Workers, or --process).",
  flags: {
    port: { type: "string", default: "5555", help: "broker's TCP port on 127.0.0.1" },
    count: { type: "string", default: "5", help: "client requests" },
    db: { type: "string", help: "Titanic's SQLite file (default: a temporary file, removed)" },
    ...RUN_FLAGS,
  },
} as const;

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const endpoint = `tcp://127.0.0.1:${intArg(flags.port, "port", 1, 65535)}`;
  const count = String(intArg(flags.count, "count"));
  const dir = flags.db ? null : await Deno.makeTempDir({ prefix: "titanic-" });
  const db = flags.db ?? `${dir}/titanic.db`;
  const here = (file: string) => new URL(file, import.meta.url);
  const fast = ["--heartbeat", "500"];
  try {
    return await runExample(
      [
        {
          module: here("../majordomo/broker.ts"),
          name: "broker",
          args: ["--bind", endpoint, ...fast],
          service: true,
        },
        {
          module: here("../majordomo/worker.ts"),
          name: "echo",
          args: ["--connect", endpoint, ...fast, "--reconnect", "500"],
          service: true,
        },
        {
          module: here("./titanic.ts"),
          name: "titanic",
          args: ["--connect", endpoint, "--db", db, ...fast],
          service: true,
        },
        {
          module: here("./client.ts"),
          name: "ticlient",
          args: ["--connect", endpoint, "--count", count, "--poll", "100"],
        },
      ],
      env,
      flags,
    );
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await runProgram(async (a, e) => void await main(a, e), "titanic", PROGRAM);
