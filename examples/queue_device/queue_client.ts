/**
 * The tutorial's queue_client: a REQ socket connected to the queue's frontend (5559) sending
 * "Hello from <id>" requests and printing the replies.
 *
 * With `--servers N` it first sends warm-up requests until N different servers have answered
 * (a handshake: afterwards every server is connected, so the counted requests are spread over
 * all of them), then prints how many replies each server gave.
 *
 * Run: `deno task queue:client [--port 5559] [--count 9] [--id N] [--servers 0]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the client with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task queue:client",
    about: "Sends requests through the queue device and prints the replies.",
  }, {
    port: { type: "string", default: "5559", help: "the device's frontend port" },
    count: { type: "string", default: "9", help: "requests to send" },
    id: { type: "string", help: "client id (default: random 1-10004)" },
    servers: { type: "string", default: "0", help: "warm up until this many servers answered" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const count = countFlag(values.count);
  const id = values.id ?? String(1 + Math.floor(Math.random() * 10004));
  const servers = intFlag(values.servers, "servers");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("REQ");
    socket.connect(`tcp://localhost:${port}`);
    const server = (reply: string) => reply.replace(/^World from server /, "");
    if (servers > 0) {
      const seen = new Set<string>();
      let warmups = 0;
      while (seen.size < servers) {
        await socket.send(`Warm-up from ${id}`, { signal });
        seen.add(server(await socket.recvString({ signal })));
        warmups++;
      }
      console.log(`Warm-up: ${seen.size} servers answered after ${warmups} requests`);
    }
    const tally = new Map<string, number>();
    for (let request = 1; request <= count; request++) {
      console.log(`Sending request ${request} ...`);
      await socket.send(`Hello from ${id}`, { signal });
      const reply = await socket.recvString({ signal });
      console.log(`Received reply ${request} [ ${reply} ]`);
      tally.set(server(reply), (tally.get(server(reply)) ?? 0) + 1);
    }
    const parts = [...tally].sort().map(([s, n]) => `server ${s}: ${n}`);
    console.log(`Replies by server: ${parts.join(", ")}`);
  });
}

if (import.meta.main) await runMain(main, "queue_client");
