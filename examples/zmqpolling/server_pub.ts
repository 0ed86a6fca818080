/**
 * The polling chapter's server_pub: binds a PUB socket (port 5558 by default) and publishes
 * "<topic> server#<id>" `--count` times (10 by default), one every `--interval` ms; the topic is
 * 8 or 9 at random and the id a random number chosen at start, as in the tutorial.
 *
 * Run: `deno task zmqpolling:pub [--port 5558] [--count 10] [--interval 1000]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the publisher with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task zmqpolling:pub",
    about: 'Binds a PUB socket and publishes "<topic> server#<id>" with topic 8 or 9.',
  }, {
    port: { type: "string", default: "5558", help: "port to bind" },
    count: { type: "string", default: "10", help: 'updates to publish ("forever": no limit)' },
    interval: { type: "string", default: "1000", help: "pause between updates, in ms" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  const interval = intFlag(parsed.values.interval, "interval");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("PUB");
    socket.bind(`tcp://*:${port}`);
    const publisherId = Math.floor(Math.random() * 10000);
    console.log(`Running server on port: ${port}`);
    for (let i = 0; i < count; i++) {
      const topic = 8 + Math.floor(Math.random() * 2);
      const messagedata = `server#${publisherId}`;
      console.log(`${topic} ${messagedata}`);
      await socket.send(`${topic} ${messagedata}`, { signal });
      await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "server_pub");
