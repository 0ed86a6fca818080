/**
 * The tutorial's forwarder_subscriber: a SUB socket connected to the forwarder's backend (5560)
 * subscribed to topic "9", printing the ten updates it receives as `<topic> <messagedata>`.
 *
 * With `--publishers N` it keeps receiving after `--count` updates until it has heard from N
 * different publishers.
 *
 * Run: `deno task forwarder:subscriber [--port 5560] [--topic 9] [--count 10] [--publishers 0]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the subscriber with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task forwarder:subscriber",
    about: "Subscribes to one topic through the forwarder device.",
  }, {
    port: { type: "string", default: "5560", help: "the device's backend port" },
    topic: { type: "string", default: "9", help: "topic prefix to subscribe to" },
    count: { type: "string", default: "10", help: "updates to receive" },
    publishers: { type: "string", default: "0", help: "also wait for this many publishers" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const count = countFlag(values.count);
  const publishers = intFlag(values.publishers, "publishers");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("SUB");
    console.log("Collecting updates from server...");
    socket.connect(`tcp://localhost:${port}`);
    socket.subscribe(values.topic);
    const seen = new Set<string>();
    for (let received = 0; received < count || seen.size < publishers; received++) {
      const [topic, messagedata] = (await socket.recvString({ signal })).split(" ");
      seen.add(messagedata);
      console.log(`${topic} ${messagedata}`);
    }
  });
}

if (import.meta.main) await runMain(main, "forwarder_subscriber");
