/**
 * The tutorial's producer: binds a PUSH socket (127.0.0.1:5557 by default) and pushes the
 * work items `{"num": 0}` ... `{"num": 19999}` as JSON. Start the collector and consumers
 * first, as the tutorial says, or give `--consumers N`: the producer then watches its own
 * socket until N consumers are connected (nothing is sent to them, so pyzmq's consumers count
 * too) and gives up, saying so, after `--wait` ms.
 *
 * Run: `deno task pushpull:producer [--port 5557] [--count 20000] [--consumers 0] [--wait 30000]`
 *
 * @module
 */
import { awaitWorkers, pushWork } from "../../patterns/mod.ts";
import { type RoleEnv, runMain, UsageError } from "../../workers/mod.ts";
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
    wait: { type: "string", default: "30000", help: "give up waiting for them after this many ms" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  if (count === Infinity) throw new UsageError("--count must be a number of items");
  const consumers = intFlag(parsed.values.consumers, "consumers");
  const wait = intFlag(parsed.values.wait, "wait", { min: 1 });
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const endpoint = `tcp://127.0.0.1:${port}`;
    const push = ctx.socket("PUSH");
    const connected = consumers > 0
      ? awaitWorkers(push, consumers, { timeout: wait, signal })
      : undefined;
    push.bind(endpoint);
    if (connected) {
      console.log(`Waiting for ${consumers} consumers on ${endpoint}...`);
      await connected.catch((e) => {
        if (e?.code !== "EAGAIN") throw e;
        throw new Error(
          `${consumers} consumers did not all connect to ${endpoint} within ${wait} ms; ` +
            `start them first (deno task pushpull:consumer)`,
        );
      });
      console.log(`${consumers} consumers connected`);
    }
    await pushWork(
      push,
      (function* () {
        for (let num = 0; num < count; num++) yield { num };
      })(),
      { signal },
    );
  });
}

if (import.meta.main) await runMain(main, "producer");
