/**
 * The tutorial's task_feeder: a PUSH socket connected to the streamer's frontend (5559)
 * sending `--count` tasks "#1", "#2", ...
 *
 * With `--results PORT` it also binds a PULL socket where workers report each task done, and
 * waits for all of them; with `--workers N` it first sends warm-up tasks one at a time until N
 * different workers reported one (a handshake: afterwards every worker is connected, so the
 * tasks are spread over all of them). It then prints the tally per worker and any task lost
 * or done twice.
 *
 * Run: `deno task streamer:feeder [--port 5559] [--count 10] [--results 5561 --workers 2]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the feeder with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task streamer:feeder",
    about: "Feeds tasks into the streamer device (and collects the workers' reports).",
  }, {
    port: { type: "string", default: "5559", help: "the device's frontend port" },
    count: { type: "string", default: "10", help: "tasks to send" },
    results: { type: "string", help: "port to collect the workers' reports on" },
    workers: { type: "string", default: "0", help: "warm up until this many workers reported" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const count = countFlag(values.count);
  const workers = intFlag(values.workers, "workers");
  if (workers > 0 && values.results === undefined) {
    throw new TypeError("--workers needs --results: the feeder learns of workers from reports");
  }
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const tasks = ctx.socket("PUSH");
    tasks.connect(`tcp://localhost:${port}`);
    const results = values.results === undefined ? undefined : ctx.socket("PULL");
    results?.bind(`tcp://*:${portFlag(values.results, "results")}`);
    // a report is "<worker id> <task>"
    const report = async () => (await results!.recvString({ signal })).split(" ");
    if (workers > 0) {
      const seen = new Set<string>();
      let warmups = 0;
      while (seen.size < workers) {
        await tasks.send(`warm-up ${++warmups}`, { signal });
        for (;;) {
          const [worker, ...task] = await report();
          if (task.join(" ") === `warm-up ${warmups}`) {
            seen.add(worker);
            break;
          }
        }
      }
      console.log(`Warm-up: ${seen.size} workers reported after ${warmups} tasks`);
    }
    for (let n = 1; n <= count; n++) {
      await tasks.send(`#${n}`, { signal });
    }
    console.log(`Sent ${count} tasks`);
    if (!results) return;
    const done = new Map<string, string>();
    const tally = new Map<string, number>();
    let duplicates = 0;
    while (done.size < count) {
      const [worker, task] = await report();
      if (!task.startsWith("#")) continue; // a late warm-up report
      if (done.has(task)) duplicates++;
      done.set(task, worker);
      tally.set(worker, (tally.get(worker) ?? 0) + 1);
    }
    const parts = [...tally].sort().map(([w, n]) => `worker ${w}: ${n}`);
    console.log(
      `Tasks done: ${done.size} of ${count}, duplicates ${duplicates}; ${parts.join(", ")}`,
    );
  });
}

if (import.meta.main) await runMain(main, "task_feeder");
