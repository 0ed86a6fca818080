/**
 * The tutorial's queue_client: a REQ socket connected to the queue's frontend (5559) sending
 * "Hello from <id>" requests and printing each reply. With two servers behind the device the
 * replies alternate between them.
 *
 * Run: `deno task queue:client [--port 5559] [--count 10] [--id N]`
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
    count: { type: "string", default: "10", help: "requests to send" },
    id: { type: "string", help: "client id (default: random 1-10004)" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const count = countFlag(values.count);
  const id = values.id === undefined
    ? String(1 + Math.floor(Math.random() * 10004))
    : String(intFlag(values.id, "id"));
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    console.log("Connecting to server...");
    const socket = ctx.socket("REQ");
    socket.connect(`tcp://localhost:${port}`);
    //  Do 10 requests, waiting each time for a response
    for (let request = 1; request <= count; request++) {
      console.log(`Sending request ${request} ...`);
      await socket.send(`Hello from ${id}`, { signal });
      //  Get the reply.
      const reply = await socket.recvString({ signal });
      console.log(`Received reply ${request} [ ${reply} ]`);
    }
  });
}

if (import.meta.main) await runMain(main, "queue_client");
