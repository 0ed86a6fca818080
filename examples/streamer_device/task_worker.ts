/**
 * The tutorial's task_worker: a PULL socket connected to the streamer's backend (5560)
 * printing each task it gets; with `--results PORT` it reports "<id> <task>" to the feeder.
 *
 * Run: `deno task streamer:worker [--port 5560] [--id N] [--results 5561] [--count forever]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the worker with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task streamer:worker",
    about: "Takes tasks from the streamer device.",
  }, {
    port: { type: "string", default: "5560", help: "the device's backend port" },
    id: { type: "string", help: "worker id (default: random 1-10004)" },
    results: { type: "string", help: "the feeder's report port" },
    count: { type: "string", default: "forever", help: "tasks to take before exiting" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const id = values.id ?? String(1 + Math.floor(Math.random() * 10004));
  const count = countFlag(values.count);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const work = ctx.socket("PULL");
    work.connect(`tcp://localhost:${port}`);
    const results = values.results === undefined ? undefined : ctx.socket("PUSH");
    results?.connect(`tcp://localhost:${portFlag(values.results, "results")}`);
    for (let n = 0; n < count; n++) {
      const task = await work.recvString({ signal });
      console.log(`Worker ${id} received work: ${task}`);
      await results?.send(`${id} ${task}`, { signal });
    }
  });
}

if (import.meta.main) await runMain(main, "task_worker");
