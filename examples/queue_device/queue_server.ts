/**
 * The tutorial's queue_server: a REP socket connected to the queue's backend (5560) answering
 * "World from server <id>" to each request, after a second of work.
 *
 * With `--ready` it prints `Connected to tcp://localhost:5560` once its connection to the
 * device is up (its ZMTP handshake done): the queue example starts the client only then.
 *
 * Run: `deno task queue:server [--port 5560] [--id N] [--delay 1000] [--count forever]`
 *
 * @module
 */
import { connectAndWait } from "../../core/monitor.ts";
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
    ready: { type: "boolean", default: false, help: "say when connected to the device" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const id = values.id === undefined
    ? String(1 + Math.floor(Math.random() * 10004))
    : String(intFlag(values.id, "id"));
  const work = intFlag(values.delay, "delay");
  const count = countFlag(values.count);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const endpoint = `tcp://localhost:${port}`;
    const socket = ctx.socket("REP");
    if (values.ready) {
      await connectAndWait(socket, endpoint, { signal });
      console.log(`Connected to ${endpoint}`);
    } else socket.connect(endpoint);
    for (let served = 0; served < count; served++) {
      //  Wait for next request from client
      const message = await socket.recvString({ signal });
      console.log(`Received request: ${message}`);
      await delay(work, signal);
      await socket.send(`World from server ${id}`, { signal });
    }
  });
}

if (import.meta.main) await runMain(main, "queue_server");
