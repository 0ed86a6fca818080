/**
 * The polling chapter with `zmq.Poller`: server_push (commands on 5556), server_pub (topics 8
 * and 9 on 5558) and the polling client, each in a Web Worker. The client processes topic 9
 * until server_push sends "Exit"; then the publisher is stopped and the program ends.
 *
 * Run: `deno task zmqpolling [--push-port 5556] [--pub-port 5558] [--count 6] [--interval 300]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { runPollingExample } from "./_roles.ts";

/** Runs the example; answers each role's printed lines (undefined after `--help`). */
export function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  return runPollingExample(
    "deno task zmqpolling",
    "Runs server_push, server_pub and the Poller client, each in a Web Worker.",
    new URL("./client.ts", import.meta.url),
    args,
    env,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "zmqpolling");
