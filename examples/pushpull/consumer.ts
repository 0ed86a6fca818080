/**
 * The tutorial's consumer: prints `I am consumer #<id>`, pulls work items from the producer
 * (port 5557), keeps the even numbers and pushes `{"consumer": <id>, "num": <n>}` to the
 * result collector (port 5558). It runs until stopped (Ctrl-C).
 *
 * Run: `deno task pushpull:consumer [--id N] [--pull-port 5557] [--push-port 5558]`
 *
 * @module
 */
import { openPull, openPush, processWork } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the consumer with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pushpull:consumer",
    about: "Pulls {num} items, pushes the even ones on as {consumer, num}.",
  }, {
    id: { type: "string", help: "this consumer's id (default: random, 1 to 10004)" },
    host: { type: "string", default: "127.0.0.1", help: "producer's and collector's host" },
    "pull-port": { type: "string", default: "5557", help: "producer's port" },
    "push-port": { type: "string", default: "5558", help: "collector's port" },
    count: { type: "string", default: "forever", help: "items to process before exiting" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const id = values.id === undefined
    ? 1 + Math.floor(Math.random() * 10004)
    : intFlag(values.id, "id", { min: 1 });
  const host = values.host;
  const pullPort = portFlag(values["pull-port"], "pull-port");
  const pushPort = portFlag(values["push-port"], "push-port");
  const count = countFlag(values.count);
  await withContext(env, async (ctx) => {
    console.log(`I am consumer #${id}`);
    const receiver = openPull(ctx, { connect: `tcp://${host}:${pullPort}` });
    const sender = openPush(ctx, { connect: `tcp://${host}:${pushPort}` });
    await processWork(receiver, sender, (work) => {
      const num = (work as { num?: unknown }).num;
      if (typeof num !== "number") {
        throw new TypeError(`work item without a numeric num: ${JSON.stringify(work)}`);
      }
      return num % 2 === 0 ? { consumer: id, num } : undefined;
    }, { count, signal: env.signal });
  });
}

if (import.meta.main) await runMain(main, "consumer");
