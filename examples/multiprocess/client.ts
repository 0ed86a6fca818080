/**
 * The client of the tutorial's request_reply_processes: connects one REQ socket to all four
 * servers (ports 5550, 5552, 5554, 5556) and sends 20 requests, printing each reply. The REQ
 * hands the requests to the servers in turn, so each server gets five.
 *
 * Run: `deno task multiprocess:client [--ports 5550,5552,5554,5556] [--count 20]`
 *
 * @module
 */
import { openReq, requestString } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portsFlag, withContext } from "../_tutorial.ts";

/** Runs the client with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task multiprocess:client",
    about: "Connects a REQ socket to every server and sends --count requests.",
  }, {
    host: { type: "string", default: "localhost", help: "servers' host" },
    ports: { type: "string", default: "5550,5552,5554,5556", help: "servers' ports" },
    count: { type: "string", default: "20", help: "requests to send" },
    interval: { type: "string", default: "1000", help: "pause after each reply, in ms" },
  });
  if (!parsed) return;
  const ports = portsFlag(parsed.values.ports);
  const count = countFlag(parsed.values.count);
  const interval = intFlag(parsed.values.interval, "interval");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    console.log(`Connecting to server with ports [${ports.join(", ")}]`);
    const req = openReq(ctx, {
      connect: ports.map((p) => `tcp://${parsed.values.host}:${p}`),
    });
    for (let request = 0; request < count; request++) {
      console.log(`Sending request ${request} ...`);
      const reply = await requestString(req, "Hello", { signal });
      console.log(`Received reply ${request} [ ${reply} ]`);
      await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "client");
