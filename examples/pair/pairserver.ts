/**
 * The tutorial's pairserver: binds a PAIR socket (port 5556 by default) and, each round, sends
 * "Server message to client3" and prints the two messages the client sends back.
 *
 * Run: `deno task pair:server [--port 5556] [--count N] [--interval 1000]`
 *
 * @module
 */
import { openPair } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the pair server with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pair:server",
    about: "Binds a PAIR socket and exchanges messages with one pairclient.",
  }, {
    port: { type: "string", default: "5556", help: "port to bind" },
    count: { type: "string", default: "forever", help: "rounds before exiting" },
    interval: { type: "string", default: "1000", help: "pause between rounds, in ms" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  const interval = intFlag(parsed.values.interval, "interval");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = openPair(ctx, { bind: `tcp://*:${port}` });
    for (let round = 0; round < count; round++) {
      await socket.send("Server message to client3", { signal });
      // The client answers each message with two.
      for (let i = 0; i < 2; i++) console.log(await socket.recvString({ signal }));
      await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "pairserver");
