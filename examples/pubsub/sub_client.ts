/**
 * The tutorial's sub_client: connects one SUB socket to every port given (5556 by default, as
 * in the tutorial), subscribes to topic "10001", collects five updates and prints the average
 * of their messagedata as an integer with an F: `... for topic '10001' was 23F`. The average is
 * over the updates received (the tutorial divided by one less).
 *
 * Run: `deno task pubsub:client 5556 5546` (or `--ports 5556,5546`) `[--count 5]`
 *
 * @module
 */
import { openSub } from "../../patterns/mod.ts";
import { receiveUpdates } from "../../patterns/unstable_tutorial.ts";
import { type RoleEnv, runMain, UsageError } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portsFlag, withContext } from "../_tutorial.ts";

/** Runs the subscriber with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pubsub:client",
    about: "Subscribes to a topic on every publisher given and prints the average messagedata.",
    positionals: "[port ...]",
  }, {
    host: { type: "string", default: "localhost", help: "publishers' host" },
    ports: { type: "string", default: "5556", help: "publishers' ports, comma-separated" },
    topic: { type: "string", default: "10001", help: "topic to subscribe to" },
    count: { type: "string", default: "5", help: "updates to average" },
    sources: {
      type: "string",
      default: "0",
      help: "keep going until updates came from this many publishers (needs pub_server --sign)",
    },
  });
  if (!parsed) return;
  const ports = portsFlag(
    parsed.positionals.length ? parsed.positionals.join(",") : parsed.values.ports,
  );
  const topic = parsed.values.topic;
  const count = countFlag(parsed.values.count);
  if (count === 0 || count === Infinity) throw new UsageError("--count must be at least 1");
  const sources = intFlag(parsed.values.sources, "sources", { max: ports.length });
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const sub = openSub(ctx, {
      connect: ports.map((p) => `tcp://${parsed.values.host}:${p}`),
    }, [topic]);
    console.log("Collecting updates from weather server...");
    const seen = new Set<string>();
    let total = 0;
    let received = 0;
    for await (const update of receiveUpdates(sub, { signal })) {
      const [value, source] = update.data.split(" ");
      const messagedata = Number(value);
      if (!/^-?\d+$/.test(value)) {
        throw new TypeError(`update ${JSON.stringify(update)} has no numeric messagedata`);
      }
      total += messagedata;
      received++;
      if (source !== undefined) seen.add(source);
      console.log(
        source === undefined
          ? `${update.topic} ${messagedata}`
          : `${update.topic} ${messagedata} (from ${source})`,
      );
      if (received >= count && seen.size >= sources) break;
    }
    // Python 2's integer division, as the tutorial's `%dF` of `total_value / update_nbr`
    const average = Math.floor(total / received);
    console.log(`Average messagedata value for topic '${topic}' was ${average}F`);
  });
}

if (import.meta.main) await runMain(main, "sub_client");
