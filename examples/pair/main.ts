/**
 * The pair example: runs pairserver and pairclient in Web Workers; the client makes `--count`
 * rounds, then the server is stopped.
 *
 * Run: `deno task pair [--port 5556] [--count 5] [--interval 100]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task pair",
    about: "Runs the exclusive-pair example: pairserver and pairclient, each in a Web Worker.",
  }, {
    port: { type: "string", default: "5556", help: "port the server binds" },
    count: { type: "string", default: "5", help: "rounds the client makes" },
    interval: { type: "string", default: "100", help: "pause between rounds, in ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = String(portFlag(values.port));
  const count = String(countFlag(values.count));
  const interval = String(intFlag(values.interval, "interval"));
  return await runExample(
    [
      {
        module: new URL("./pairserver.ts", import.meta.url),
        name: "pairserver",
        args: ["--port", port, "--interval", interval],
        service: true,
      },
      {
        module: new URL("./pairclient.ts", import.meta.url),
        name: "pairclient",
        args: ["--port", port, "--count", count, "--interval", interval],
      },
    ],
    env,
    values,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "pair");
