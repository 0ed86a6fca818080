/**
 * The tutorial's producer: binds a PUSH socket (port 5557 by default) and pushes the work
 * items `{"num": 0}` ... `{"num": 19999}` as JSON. Start the collector and consumers first, or
 * give `--consumers N`: the producer then waits until N consumers answered its hello (over
 * the sync port) before it pushes, so every one of them gets a share.
 *
 * Run: `deno task pushpull:producer [--port 5557] [--count 20000] [--consumers 0]`
 *
 * @module
 */
import { awaitWorkers, openPull, openPush, pushWork } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the producer with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pushpull:producer",
    about: "Binds a PUSH socket and pushes {num} work items to the consumers.",
  }, {
    port: { type: "string", default: "5557", help: "port to bind for the work" },
    count: { type: "string", default: "20000", help: "work items to push" },
    consumers: {
      type: "string",
      default: "0",
      help: "wait until this many consumers are connected before pushing",
    },
    "sync-port": { type: "string", default: "5559", help: "port to bind for their answers" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  if (count === Infinity) throw new RangeError("--count must be a number of items");
  const consumers = intFlag(parsed.values.consumers, "consumers");
  const syncPort = portFlag(parsed.values["sync-port"], "sync-port");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const push = openPush(ctx, { bind: `tcp://127.0.0.1:${port}` });
    if (consumers > 0) {
      const ready = openPull(ctx, { bind: `tcp://127.0.0.1:${syncPort}` });
      console.log(`Waiting for ${consumers} consumers...`);
      const ids = await awaitWorkers(push, ready, consumers, { signal, interval: 50 });
      console.log(`Consumers ready: ${ids.map((id) => `#${id}`).join(", ")}`);
      ready.close({ linger: 0 });
    }
    const sent = await pushWork(
      push,
      (function* () {
        for (let num = 0; num < count; num++) yield { num };
      })(),
      { signal },
    );
    console.log(`Pushed ${sent} work items`);
  });
}

if (import.meta.main) await runMain(main, "producer");
