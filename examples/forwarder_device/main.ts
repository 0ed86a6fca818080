/**
 * The forwarder device example: forwarder_device, two forwarder_servers publishing random
 * topics and a forwarder_subscriber to topic 9, each in a Web Worker. The subscriber gets only
 * topic 9, from both publishers.
 *
 * Run: `deno task forwarder [--frontend-port 5559] [--backend-port 5560] [--count 10]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task forwarder",
    about: "Runs the forwarder device example: device, two publishers, one subscriber.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "port for publishers" },
    "backend-port": { type: "string", default: "5560", help: "port for subscribers" },
    count: { type: "string", default: "10", help: "topic-9 messages the subscriber waits for" },
    interval: { type: "string", default: "20", help: "publishers' pause between messages, ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const front = String(portFlag(values["frontend-port"], "frontend-port"));
  const back = String(portFlag(values["backend-port"], "backend-port"));
  const count = String(countFlag(values.count));
  const interval = String(intFlag(values.interval, "interval"));
  const here = (f: string) => new URL(f, import.meta.url);
  return await runExample(
    [
      {
        module: here("./forwarder_device.ts"),
        name: "forwarder_device",
        args: ["--frontend", front, "--backend", back],
        service: true,
      },
      ...[1, 2].map((n) => ({
        module: here("./forwarder_server.ts"),
        name: `forwarder_server${n}`,
        args: ["--port", front, "--id", String(n), "--interval", interval],
        service: true,
      })),
      {
        module: here("./forwarder_subscriber.ts"),
        name: "forwarder_subscriber",
        args: ["--port", back, "--topic", "9", "--count", count, "--publishers", "2"],
      },
    ],
    env,
    values,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "forwarder");
