/**
 * The tutorial's task_worker: prints `I am consumer #<id>`, then takes tasks from the
 * streamer's backend (127.0.0.1:5560) and prints a record for each, as the tutorial's Python
 * prints its dict: `{'num': 3, 'consumer': 8113}`.
 *
 * `--format text` takes text tasks and prints `Worker #<id> got message! #3`, as the pyzmq
 * devices chapter's streamerdevice does. With `--ready` it prints `Connected to <endpoint>`
 * once its connection to the device is up: the streamer example starts the feeder only then.
 *
 * Run: `deno task streamer:worker [--port 5560] [--id N] [--count forever]`
 *
 * @module
 */
import { connectAndWait } from "../../core/monitor.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";
import { formatFlag } from "./task_feeder.ts";

/** The line the worker prints for task `num`, as Python prints `{'num': n, 'consumer': id}`. */
export function record(num: number, consumer: number): string {
  return `{'num': ${num}, 'consumer': ${consumer}}`;
}

/** Runs the worker with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task streamer:worker",
    about: "Takes {num} tasks from the streamer device and prints a record for each.",
  }, {
    port: { type: "string", default: "5560", help: "the device's backend port" },
    id: { type: "string", help: "consumer id (default: random 1-10004)" },
    count: { type: "string", default: "forever", help: "tasks to take before exiting" },
    format: { type: "string", default: "json", help: "task format: json or text" },
    ready: { type: "boolean", default: false, help: "say when connected to the device" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const id = values.id === undefined
    ? 1 + Math.floor(Math.random() * 10004)
    : intFlag(values.id, "id");
  const count = countFlag(values.count);
  const format = formatFlag(values.format);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    if (format === "json") console.log(`I am consumer #${id}`);
    const endpoint = `tcp://127.0.0.1:${port}`;
    const receiver = ctx.socket("PULL");
    if (values.ready) {
      await connectAndWait(receiver, endpoint, { signal });
      console.log(`Connected to ${endpoint}`);
    } else receiver.connect(endpoint);
    for (let n = 0; n < count; n++) {
      if (format === "text") {
        console.log(`Worker #${id} got message! ${await receiver.recvString({ signal })}`);
        continue;
      }
      const work = await receiver.recvJson({ signal }) as { num?: unknown };
      if (typeof work?.num !== "number") {
        throw new TypeError(`a task without a numeric num: ${JSON.stringify(work)}`);
      }
      console.log(record(work.num, id));
    }
  });
}

if (import.meta.main) await runMain(main, "task_worker");
