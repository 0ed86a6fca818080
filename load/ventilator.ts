// Load-test role: pushes --tasks numbered tasks into the streamer's frontend.
import { parseArgs } from "node:util";
import { Context } from "../core/context.ts";
import { type RoleEnv, runMain } from "../workers/mod.ts";
import { intFlag, pack, payloadOf } from "./_task.ts";

const USAGE = `Usage: ventilator.ts --connect ENDPOINT [--tasks N]
Sends N tasks (8 bytes: id, payload) through a PUSH socket.`;

/** Runs the ventilator role. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      connect: { type: "string", default: "tcp://127.0.0.1:5557" },
      tasks: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const tasks = intFlag(values.tasks, 1000, "tasks");
  const own = env.context === undefined;
  const ctx = env.context ?? new Context();
  const push = ctx.socket("PUSH");
  try {
    push.connect(values.connect);
    const options = { signal: env.signal };
    for (let id = 0; id < tasks; id++) {
      await push.send(pack(id, payloadOf(id)), options);
    }
    console.log(`sent ${tasks}`);
  } finally {
    push.close(); // LINGER default: queued tasks still go out
    if (own) await ctx.terminate();
  }
}

if (import.meta.main) await runMain(main, "ventilator");
