/**
 * The tutorial's pub_server: binds a PUB socket on the port given (5556 by default) and
 * publishes "<topic> <messagedata>" updates, printing each one: the topic from 9999 to 10004
 * and the data from -79 to 134, both at random (the tutorial's `randrange(9999, 10005)` and
 * `randrange(1, 215) - 80`).
 *
 * Run: `deno task pubsub:server 5546` (or `--port 5546`) `[--count N] [--interval 1000]`
 *
 * @module
 */
import { openPub } from "../../patterns/mod.ts";
import { publishUpdate } from "../../patterns/unstable_tutorial.ts";
import { type RoleEnv, runMain, UsageError } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Python's `random.randrange(start, stop)`: an integer from start to stop - 1. */
function randrange(start: number, stop: number): number {
  return start + Math.floor(Math.random() * (stop - start));
}

/** Runs the publisher with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pubsub:server",
    about: "Binds a PUB socket and publishes '<topic> <messagedata>' updates.",
    positionals: "[port]",
  }, {
    port: { type: "string", default: "5556", help: "port to bind (or give it as the argument)" },
    count: { type: "string", default: "forever", help: "updates to publish before exiting" },
    interval: { type: "string", default: "1000", help: "pause between updates, in ms" },
    sign: {
      type: "boolean",
      default: false,
      help: "append the port to each update, so subscribers can tell publishers apart",
    },
  });
  if (!parsed) return;
  if (parsed.positionals.length > 1) throw new UsageError("pub_server takes one port");
  const port = portFlag(parsed.positionals[0] ?? parsed.values.port);
  const count = countFlag(parsed.values.count);
  const interval = intFlag(parsed.values.interval, "interval");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const pub = openPub(ctx, { bind: `tcp://*:${port}` });
    for (let i = 0; i < count; i++) {
      const topic = randrange(9999, 10005);
      const messagedata = randrange(1, 215) - 80;
      const data = parsed.values.sign ? `${messagedata} ${port}` : `${messagedata}`;
      console.log(`${topic} ${data}`);
      await publishUpdate(pub, topic, data);
      await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "pub_server");
