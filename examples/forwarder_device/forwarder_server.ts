/**
 * The tutorial's forwarder_server: a PUB socket connected to the forwarder's frontend (5559)
 * publishing "<topic> server#<id>" with a random topic from 1 to 9.
 *
 * Run: `deno task forwarder:server [--port 5559] [--id N] [--interval 1000] [--count forever]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the publisher with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task forwarder:server",
    about: "Publishes random topics 1-9 into the forwarder device.",
  }, {
    port: { type: "string", default: "5559", help: "the device's frontend port" },
    id: { type: "string", help: "publisher id (default: random 0-9998)" },
    interval: { type: "string", default: "1000", help: "pause between messages, in ms" },
    count: { type: "string", default: "forever", help: "messages to publish" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const id = values.id ?? String(Math.floor(Math.random() * 9999));
  const interval = intFlag(values.interval, "interval");
  const count = countFlag(values.count);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("PUB");
    socket.connect(`tcp://localhost:${port}`);
    for (let i = 0; i < count; i++) {
      const topic = 1 + Math.floor(Math.random() * 9);
      const data = `server#${id}`;
      console.log(`${topic} ${data}`);
      await socket.send(`${topic} ${data}`, { signal });
      await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "forwarder_server");
