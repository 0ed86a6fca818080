/**
 * The publish-subscribe example: two pub_servers (ports 5556 and 5546) and one sub_client
 * subscribed to topic "10001" on both, each in a Web Worker. The publishers sign their updates
 * with their port and the client keeps listening until it has heard from both.
 *
 * Run: `deno task pubsub [--ports 5556,5546] [--count 5] [--interval 100]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portsFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task pubsub",
    about: "Runs the publish-subscribe example: a publisher per port, one subscriber to all.",
  }, {
    ports: { type: "string", default: "5556,5546", help: "one publisher per port" },
    count: { type: "string", default: "5", help: "updates the subscriber averages (at least)" },
    interval: { type: "string", default: "100", help: "publishers' pause between updates, ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const ports = portsFlag(values.ports);
  const count = String(countFlag(values.count));
  const interval = String(intFlag(values.interval, "interval"));
  return await runExample(
    [
      ...ports.map((port) => ({
        module: new URL("./pub_server.ts", import.meta.url),
        name: `server:${port}`,
        args: [String(port), "--interval", interval, "--sign"],
        service: true,
      })),
      {
        module: new URL("./sub_client.ts", import.meta.url),
        name: "client",
        args: [...ports.map(String), "--count", count, "--sources", String(ports.length)],
      },
    ],
    env,
    values,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "pubsub");
