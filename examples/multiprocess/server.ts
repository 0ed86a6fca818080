/**
 * A server of the tutorial's request_reply_processes: binds a REP socket on `--port`, serves
 * five requests with "World from <port>", then exits (without a word, as the tutorial's).
 *
 * Run: `deno task multiprocess:server --port 5550 [--count 5]`
 *
 * @module
 */
import { openRep, serveReplies } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

/** Runs the server with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task multiprocess:server",
    about: "Binds a REP socket, serves --count requests, then exits.",
  }, {
    port: { type: "string", default: "5556", help: "port to bind" },
    count: { type: "string", default: "5", help: "requests to serve before exiting" },
  });
  if (!parsed) return;
  const port = portFlag(parsed.values.port);
  const count = countFlag(parsed.values.count);
  await withContext(env, async (ctx) => {
    const rep = openRep(ctx, { bind: `tcp://*:${port}` });
    console.log(`Running server on port: ${port}`);
    // serves only 5 requests and dies
    await serveReplies(rep, ([message], reqnum) => {
      console.log(`Received request #${reqnum}: ${new TextDecoder().decode(message)}`);
      return `World from ${port}`;
    }, { count, signal: env.signal });
  });
}

if (import.meta.main) await runMain(main, "server");
