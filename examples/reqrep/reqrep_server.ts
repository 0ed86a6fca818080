/**
 * The tutorial's reqrep_server: binds a REP socket on the port given (5556 by default) and
 * answers every request with "World from <port>", after a pause that stands for work.
 *
 * Run: `deno task reqrep:server 5546` (or `--port 5546`) `[--count N] [--delay 1000]`
 *
 * @module
 */
import { openRep, serveReplies } from "../../patterns/mod.ts";
import { type RoleEnv, runMain, UsageError } from "../../workers/mod.ts";
import { countFlag, delay, intFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the server with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task reqrep:server",
    about: "Binds a REP socket and replies 'World from <port>' to every request.",
    positionals: "[port]",
  }, {
    port: { type: "string", default: "5556", help: "port to bind (or give it as the argument)" },
    count: { type: "string", default: "forever", help: "requests to serve before exiting" },
    delay: { type: "string", default: "1000", help: "simulated work before each reply, in ms" },
    endpoint: { type: "string", help: "bind this endpoint instead (e.g. inproc://reqrep-5546)" },
  });
  if (!parsed) return;
  if (parsed.positionals.length > 1) throw new UsageError("reqrep_server takes one port");
  const port = portFlag(parsed.positionals[0] ?? parsed.values.port);
  const count = countFlag(parsed.values.count);
  const pause = intFlag(parsed.values.delay, "delay");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    const rep = openRep(ctx, { bind: parsed.values.endpoint ?? `tcp://*:${port}` });
    await serveReplies(rep, async ([message]) => {
      console.log(`Received request: ${new TextDecoder().decode(message)}`);
      await delay(pause, signal);
      return `World from ${port}`;
    }, { count, signal });
  });
}

if (import.meta.main) await runMain(main, "reqrep_server");
