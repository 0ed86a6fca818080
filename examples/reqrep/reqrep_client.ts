/**
 * The tutorial's reqrep_client: connects one REQ socket to every port given (5556 by default)
 * and sends "Hello" ten times, printing each reply. With two servers the replies alternate
 * between them: a REQ hands its requests to its connections in turn.
 *
 * Run: `deno task reqrep:client 5546 5556` (or `--ports 5546,5556`) `[--count 10]`
 *
 * @module
 */
import { openReq, requestString } from "../../patterns/mod.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portsFlag, withContext } from "../_tutorial.ts";

/** Runs the client with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task reqrep:client",
    about: "Connects a REQ socket to the servers and sends 'Hello' --count times.",
    positionals: "[port ...]",
  }, {
    host: { type: "string", default: "localhost", help: "servers' host" },
    ports: { type: "string", default: "5556", help: "servers' ports, comma-separated" },
    count: { type: "string", default: "10", help: "requests to send" },
    endpoints: { type: "string", help: "connect to these endpoints instead, comma-separated" },
    timeout: {
      type: "string",
      default: "0",
      help: "fail if a reply takes longer than this many ms (0: wait for ever)",
    },
  });
  if (!parsed) return;
  const ports = portsFlag(
    parsed.positionals.length ? parsed.positionals.join(",") : parsed.values.ports,
  );
  const count = countFlag(parsed.values.count);
  const timeout = intFlag(parsed.values.timeout, "timeout");
  const signal = env.signal;
  await withContext(env, async (ctx) => {
    console.log("Connecting to server...");
    const req = openReq(ctx, {
      connect: parsed.values.endpoints?.split(",") ??
        ports.map((p) => `tcp://${parsed.values.host}:${p}`),
    });
    for (let request = 1; request <= count; request++) {
      console.log(`Sending request ${request} ...`);
      const reply = await requestString(req, "Hello", { signal, timeout: timeout || undefined });
      console.log(`Received reply ${request} [ ${reply} ]`);
    }
  });
}

if (import.meta.main) await runMain(main, "reqrep_client");
