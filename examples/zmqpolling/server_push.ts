/**
 * The polling chapter's server_push: binds a PUSH socket (port 5556 by default), sends
 * "Continue" `--count` times (6 by default), one every `--interval` ms, then "Exit".
 *
 * Run: `deno task zmqpolling:push [--port 5556] [--count 6] [--interval 1000]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the command server with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task zmqpolling:push",
    about: 'Binds a PUSH socket and sends "Continue" --count times, then "Exit".',
  }, {
    port: { type: "string", default: "5556", help: "port to bind" },
    count: { type: "string", default: "6", help: 'how many "Continue" before "Exit"' },
    interval: { type: "string", default: "1000", help: "pause between commands, in ms" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  const interval = intFlag(parsed.values.interval, "interval");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("PUSH");
    socket.bind(`tcp://*:${port}`);
    console.log(`Running server on port: ${port}`);
    // A PUSH send waits until a client is connected, so no command is lost.
    for (let i = 0; i < count; i++) {
      await socket.send("Continue", { signal });
      await delay(interval, signal);
    }
    await socket.send("Exit", { signal });
  });
}

if (import.meta.main) await runMain(main, "server_push");
