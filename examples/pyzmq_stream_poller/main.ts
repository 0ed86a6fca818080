/**
 * The polling chapter with callbacks (pyzmq's ZMQStream on an IOLoop): the zmqpolling servers
 * (commands on 5556, topics 8 and 9 on 5558) and the stream client, each in a Web Worker. The
 * client's command callback stops the loop on "Exit"; then the program ends.
 *
 * Run: `deno task stream_poller [--push-port 5556] [--pub-port 5558] [--count 6] [--interval 300]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { runPollingExample } from "../zmqpolling/_roles.ts";

/** Runs the example; answers each role's printed lines (undefined after `--help`). */
export function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  return runPollingExample(
    "deno task stream_poller",
    "Runs server_push, server_pub and the stream (callback) client, each in a Web Worker.",
    new URL("./client.ts", import.meta.url),
    args,
    env,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "stream_poller");
