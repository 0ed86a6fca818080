// Load-test role: takes tasks from the streamer's backend, sends results to the collector.
import { parseArgs } from "node:util";
import { Context } from "../core/context.ts";
import { type RoleEnv, runMain } from "../workers/mod.ts";
import { pack, unpack, work } from "./_task.ts";

const USAGE = `Usage: worker.ts --tasks ENDPOINT --results ENDPOINT
Pulls tasks, answers each with [id, f(id, payload)] on a PUSH socket, until stopped.`;

/** Runs a worker role until its signal aborts. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      tasks: { type: "string", default: "tcp://127.0.0.1:5558" },
      results: { type: "string", default: "tcp://127.0.0.1:5559" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const own = env.context === undefined;
  const ctx = env.context ?? new Context();
  const pull = ctx.socket("PULL");
  const push = ctx.socket("PUSH");
  let done = 0;
  let malformed = 0;
  try {
    pull.connect(values.tasks);
    push.connect(values.results);
    console.log("ready");
    const options = { signal: env.signal };
    for (;;) {
      const task = unpack(await pull.recv(options));
      if (task === null) {
        malformed++;
        continue;
      }
      await push.send(pack(task[0], work(task[0], task[1])), options);
      done++;
    }
  } finally {
    console.log(`processed ${done}${malformed ? `, ${malformed} malformed` : ""}`);
    pull.close({ linger: 0 });
    push.close();
    if (own) await ctx.terminate();
  }
}

if (import.meta.main) await runMain(main, "worker");
