/**
 * The tutorial's producer: binds a PUSH socket (127.0.0.1:5557 by default) and pushes the
 * work items `{"num": 0}` ... `{"num": 19999}` as JSON. Start the collector and consumers
 * first, as the tutorial says, or give `--consumers N`: the producer then watches its own
 * socket until N consumers are connected (nothing is sent to them, so pyzmq's consumers count
 * too) and gives up, saying so, after `--wait` ms. Without it, a producer whose first item
 * finds no consumer for `--wait` ms says that it is waiting for one (and goes on waiting).
 *
 * Run: `deno task pushpull:producer [--port 5557] [--count 20000] [--consumers 0] [--wait 30000]`
 *
 * @module
 */
import { pushWork } from "../../patterns/mod.ts";
import { awaitWorkers } from "../../patterns/unstable_tutorial.ts";
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
    wait: {
      type: "string",
      default: "30000",
      help: "give up waiting for --consumers after this many ms (without it: say so, go on)",
    },
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
    if (count === 0) return;
    // the first item waits for a consumer; say so rather than hang in silence
    const first = await push.sendJson({ num: 0 }, { signal, timeout: wait }).then(
      () => true,
      (e) => {
        if (e?.code !== "EAGAIN") throw e;
        return false;
      },
    );
    if (!first) {
      console.log(
        `No consumer has connected to ${endpoint} in ${wait} ms; waiting for one ` +
          `(deno task pushpull:consumer)`,
      );
      await push.sendJson({ num: 0 }, { signal });
    }
    await pushWork(
      push,
      (function* () {
        for (let num = 1; num < count; num++) yield { num };
      })(),
      { signal },
    );
  });
}

if (import.meta.main) await runMain(main, "producer");
