/**
 * The request-reply example: two reqrep_servers (ports 5546 and 5556) and one reqrep_client
 * connected to both, each in a Web Worker. The replies alternate between the servers.
 *
 * Run: `deno task reqrep [--ports 5546,5556] [--count 10] [--delay 100]`
 * (`--inproc`: the Workers share one context and talk over `inproc://` instead of TCP)
 *
 * @module
 */
import { Context } from "../../core/mod.ts";
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portsFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task reqrep",
    about: "Runs the request-reply example: a server per port and one client connected to all.",
  }, {
    ports: { type: "string", default: "5546,5556", help: "one server per port" },
    count: { type: "string", default: "10", help: "requests the client sends" },
    delay: { type: "string", default: "100", help: "servers' simulated work per request, in ms" },
    inproc: {
      type: "boolean",
      default: false,
      help: "share one context between the Workers and talk over inproc:// instead of TCP",
    },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const ports = portsFlag(values.ports);
  const count = String(countFlag(values.count));
  const delay = String(intFlag(values.delay, "delay"));
  // With --inproc the roles share this context; each server binds inproc://reqrep-<port>.
  const shared = values.inproc ? new Context() : undefined;
  const endpoint = (port: number) => `inproc://reqrep-${port}`;
  try {
    return await runExample(
      [
        ...ports.map((port) => ({
          module: new URL("./reqrep_server.ts", import.meta.url),
          name: `server:${port}`,
          args: [String(port), "--delay", delay, ...(shared ? ["--endpoint", endpoint(port)] : [])],
          service: true,
        })),
        {
          module: new URL("./reqrep_client.ts", import.meta.url),
          name: "client",
          args: [
            ...ports.map(String),
            "--count",
            count,
            ...(shared ? ["--endpoints", ports.map(endpoint).join(",")] : []),
          ],
        },
      ],
      env,
      values,
      shared ?? env.context,
    );
  } finally {
    await shared?.terminate();
  }
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "reqrep");
