// What both polling examples share: the flags of their orchestrators and their three roles
// (server_push, server_pub and a client), run in Web Workers.
import type { RoleEnv, RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/**
 * Runs server_push (finite: its Exit ends the example), server_pub (a service, stopped at the
 * end) and `client` with the orchestrator's `args`.
 */
export async function runPollingExample(
  command: string,
  about: string,
  client: URL,
  args: string[],
  env: RoleEnv,
): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, { command, about }, {
    "push-port": { type: "string", default: "5556", help: "server_push's port" },
    "pub-port": { type: "string", default: "5558", help: "server_pub's port" },
    count: { type: "string", default: "6", help: 'how many "Continue" before "Exit"' },
    interval: { type: "string", default: "300", help: "pause between commands, in ms" },
    "pub-interval": { type: "string", default: "100", help: "pause between updates, in ms" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const pushPort = String(portFlag(values["push-port"], "push-port"));
  const pubPort = String(portFlag(values["pub-port"], "pub-port"));
  const count = String(countFlag(values.count));
  const interval = String(intFlag(values.interval, "interval"));
  const pubInterval = String(intFlag(values["pub-interval"], "pub-interval"));
  const here = (file: string) => new URL(file, import.meta.url);
  return await runExample(
    [
      {
        module: here("./server_push.ts"),
        name: "server_push",
        args: ["--port", pushPort, "--count", count, "--interval", interval],
      },
      {
        module: here("./server_pub.ts"),
        name: "server_pub",
        args: ["--port", pubPort, "--count", "forever", "--interval", pubInterval],
        service: true,
      },
      {
        module: client,
        name: "client",
        args: ["--push-port", pushPort, "--pub-port", pubPort],
      },
    ],
    env,
    values,
  );
}
