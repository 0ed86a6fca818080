/**
 * The tutorial's task_feeder: a PUSH socket connected to the streamer's frontend
 * (127.0.0.1:5559) sending `--count` tasks as JSON, `{"num": 0}`, `{"num": 1}`, ..., one every
 * `--interval` ms (the tutorial's 20000 tasks, one a second). Start the device and the
 * workers first: tasks sent before a worker is connected go to the workers already there.
 *
 * `--format text` sends `#0`, `#1`, ... instead, as the pyzmq devices chapter's streamerdevice
 * does.
 *
 * Run: `deno task streamer:feeder [--port 5559] [--count 20000] [--interval 1000]`
 *
 * @module
 */
import { type RoleEnv, runMain, UsageError } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Checks a `--format` flag: the streamer chapter's `json` or the devices chapter's `text`. */
export function formatFlag(value: string): "json" | "text" {
  if (value === "json" || value === "text") return value;
  throw new UsageError(`--format must be json or text; got ${JSON.stringify(value)}`);
}

/** Runs the feeder with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task streamer:feeder",
    about: "Feeds {num} tasks into the streamer device.",
  }, {
    port: { type: "string", default: "5559", help: "the device's frontend port" },
    count: { type: "string", default: "20000", help: "tasks to send" },
    interval: { type: "string", default: "1000", help: "pause after each task, in ms" },
    format: {
      type: "string",
      default: "json",
      help: 'task format: json ({"num": n}) or text (#n)',
    },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const count = countFlag(values.count);
  const interval = intFlag(values.interval, "interval");
  const format = formatFlag(values.format);
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("PUSH");
    socket.connect(`tcp://127.0.0.1:${port}`);
    for (let num = 0; num < count; num++) {
      if (format === "json") await socket.sendJson({ num }, { signal });
      else await socket.send(`#${num}`, { signal });
      if (num + 1 < count) await delay(interval, signal);
    }
  });
}

if (import.meta.main) await runMain(main, "task_feeder");
