/**
 * The tutorial's pairclient: connects a PAIR socket to the pairserver (port 5556 by default)
 * and, each round, prints the server's message and sends "client message to server1" and
 * "client message to server2".
 *
 * Run: `deno task pair:client [--port 5556] [--count 10] [--interval 1000]`
 *
 * @module
 */
import { openPair } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the pair client with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pair:client",
    about: "Connects a PAIR socket to the pairserver and exchanges messages with it.",
  }, {
    host: { type: "string", default: "localhost", help: "server host" },
    port: { type: "string", default: "5556", help: "server port" },
    count: { type: "string", default: "10", help: "rounds before exiting ('forever' for no end)" },
    interval: { type: "string", default: "1000", help: "pause between rounds, in ms" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  const interval = intFlag(parsed.values.interval, "interval");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = openPair(ctx, { connect: `tcp://${parsed.values.host}:${port}` });
    for (let round = 0; round < count; round++) {
      console.log(await socket.recvString({ signal }));
      await socket.send("client message to server1", { signal });
      await socket.send("client message to server2", { signal });
      await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "pairclient");
