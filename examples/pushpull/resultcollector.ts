/**
 * The tutorial's resultcollector: binds a PULL socket (port 5558 by default), collects the
 * consumers' results for the even work items (10000 of the producer's 20000) and prints how
 * many each consumer sent.
 *
 * Run: `deno task pushpull:collector [--port 5558] [--count 20000]`
 *
 * @module
 */
import { openPull, sinkResults } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the collector with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pushpull:collector",
    about: "Binds a PULL socket, collects the consumers' results and prints the distribution.",
  }, {
    port: { type: "string", default: "5558", help: "port to bind" },
    count: {
      type: "string",
      default: "20000",
      help: "work items the producer sends (the collector waits for the even ones)",
    },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const items = countFlag(parsed.values.count);
  if (items === Infinity) throw new RangeError("--count must be a number of items");
  const expected = Math.ceil(items / 2);
  await withContext(env, async (ctx) => {
    const receiver = openPull(ctx, { bind: `tcp://127.0.0.1:${port}` });
    console.log(`Collecting ${expected} results...`);
    const perConsumer = new Map<number, number>();
    for await (
      const result of sinkResults<{ consumer: number; num: number }>(receiver, {
        count: expected,
        signal: env.signal,
      })
    ) {
      if (result.num % 2 !== 0) throw new Error(`odd number ${result.num} reached the collector`);
      perConsumer.set(result.consumer, (perConsumer.get(result.consumer) ?? 0) + 1);
    }
    const entries = [...perConsumer].sort(([a], [b]) => a - b);
    console.log(`{${entries.map(([c, n]) => `${c}: ${n}`).join(", ")}}`);
    for (const [c, n] of entries) console.log(`consumer #${c}: ${n} results`);
    console.log(`Total: ${entries.reduce((sum, [, n]) => sum + n, 0)} results`);
  });
}

if (import.meta.main) await runMain(main, "resultcollector");
