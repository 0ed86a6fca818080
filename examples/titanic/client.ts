/**
 * A Titanic client (ZeroMQ RFC 9), like the zguide's `ticlient`: stores each request with
 * titanic.request, polls titanic.reply until the reply is there, prints it, closes it.
 *
 * Run: `deno task titanic:client [--connect tcp://localhost:5555] [--service echo] [--count 10]`
 *
 * @module
 */
import { TitanicClient } from "../../reliable/mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import { intArg, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task titanic:client",
  about: "Titanic client (RFC 9): each request is stored first, then its reply fetched.",
  flags: {
    connect: { type: "string", default: "tcp://localhost:5555", help: "Majordomo broker endpoint" },
    service: { type: "string", default: "echo", help: "service the requests are for" },
    count: { type: "string", default: "10", help: "requests to make" },
    message: { type: "string", default: "Hello world", help: "request body (its number is added)" },
    timeout: { type: "string", default: "2500", help: "ms per attempt of each call to Titanic" },
    retries: {
      type: "string",
      default: "20",
      help: "retries per call (Titanic may be restarting)",
    },
    poll: { type: "string", default: "500", help: "ms between polls of a pending reply" },
  },
} as const;

const decoder = new TextDecoder();

/** Runs the client. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const count = intArg(flags.count, "count");
  await withContext(env, async (ctx) => {
    using titanic = new TitanicClient(ctx, flags.connect, {
      timeout: intArg(flags.timeout, "timeout", 1),
      retries: intArg(flags.retries, "retries"),
      pollInterval: intArg(flags.poll, "poll", 1),
    });
    for (let i = 1; i <= count; i++) {
      const reply = await titanic.request(flags.service, `${flags.message} ${i}`, {
        signal: env.signal,
        onStored: (uuid) => console.log(`I: request ${i} stored as ${uuid}`),
      });
      console.log(`I: reply ${i}: ${reply.map((f) => decoder.decode(f)).join(" | ")}`);
    }
  });
  console.log(`I: ${count} requests answered`);
}

if (import.meta.main) await runProgram(main, "ticlient", PROGRAM);
