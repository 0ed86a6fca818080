/**
 * The tutorial's queue_server: a REP socket connected to the queue's backend (5560) answering
 * "World from server <id>" to each request.
 *
 * Run: `deno task queue:server [--port 5560] [--id N] [--delay 1000] [--count forever]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the server with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task queue:server",
    about: "Connects a REP socket to the queue device's backend and answers requests.",
  }, {
    port: { type: "string", default: "5560", help: "the device's backend port" },
    id: { type: "string", help: "server id (default: random 1-10004)" },
    delay: { type: "string", default: "1000", help: "work time per request, in ms" },
    count: { type: "string", default: "forever", help: "requests to serve before exiting" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const id = values.id ?? String(1 + Math.floor(Math.random() * 10004));
  const work = intFlag(values.delay, "delay");
  const count = countFlag(values.count);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("REP");
    socket.connect(`tcp://localhost:${port}`);
    for (let served = 0; served < count; served++) {
      const message = await socket.recvString({ signal });
      console.log(`Received request: ${message}`);
      await delay(work, signal);
      await socket.send(`World from server ${id}`, { signal });
    }
  });
}

if (import.meta.main) await runMain(main, "queue_server");
