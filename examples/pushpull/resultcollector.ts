/**
 * The tutorial's resultcollector: binds a PULL socket (127.0.0.1:5558 by default), collects
 * `--count` results from the consumers (1000, as in the tutorial) and prints how many came
 * from each consumer, as pyzmq's `pprint` prints a dict: `{3362: 233, 9312: 767}`.
 *
 * Run: `deno task pushpull:collector [--port 5558] [--count 1000]`
 *
 * @module
 */
import { openPull, sinkResults } from "../../patterns/mod.ts";
import { type RoleEnv, runMain, UsageError } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the collector with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pushpull:collector",
    about: "Binds a PULL socket, collects --count results and prints them per consumer.",
  }, {
    port: { type: "string", default: "5558", help: "port to bind" },
    count: { type: "string", default: "1000", help: "results to collect before printing" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  if (count === Infinity) throw new UsageError("--count must be a number of results");
  await withContext(env, async (ctx) => {
    const receiver = openPull(ctx, { bind: `tcp://127.0.0.1:${port}` });
    const perConsumer = new Map<number, number>();
    for await (
      const result of sinkResults<{ consumer: number; num: number }>(receiver, {
        count,
        signal: env.signal,
      })
    ) {
      perConsumer.set(result.consumer, (perConsumer.get(result.consumer) ?? 0) + 1);
    }
    const entries = [...perConsumer].sort(([a], [b]) => a - b);
    console.log(`{${entries.map(([c, n]) => `${c}: ${n}`).join(", ")}}`);
  });
}

if (import.meta.main) await runMain(main, "resultcollector");
