/**
 * The Lazy Pirate client: numbered requests through {@linkcode LazyPirateClient}, checking that
 * every reply echoes its number, retrying with a fresh socket when the server does not answer.
 * When the server stays silent through every retry it gives up with one line and exit code 1.
 *
 * Run: `deno task pirate:client [--connect tcp://127.0.0.1:5555] [--count 10] [--timeout 2500]
 * [--retries 3]`
 *
 * @module
 */
import { Context } from "../../core/context.ts";
import { zmqError } from "../../core/errors.ts";
import { LazyPirateClient, UnreachableError } from "../../reliable/lazy_pirate.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags } from "../_tutorial.ts";

/** Runs the client role. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pirate:client",
    about: "Sends numbered requests and checks each reply, retrying with a fresh socket when " +
      "the server does not answer (the Lazy Pirate client).",
  }, {
    connect: { type: "string", default: "tcp://127.0.0.1:5555", help: "server endpoint" },
    count: { type: "string", default: "10", help: "number of requests" },
    timeout: { type: "string", default: "2500", help: "ms to wait for each reply" },
    retries: { type: "string", default: "3", help: "retries per request before giving up" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const count = countFlag(values.count);
  const timeout = intFlag(values.timeout, "timeout", { min: 1 });
  const retries = intFlag(values.retries, "retries");
  using ctx = new Context({ linger: 0 });
  using client = new LazyPirateClient(ctx, values.connect, {
    timeout,
    retries,
    onRetry: (attempt) => console.log(`W: no response from server, retrying (attempt ${attempt})`),
  });
  for (let seq = 1; seq <= count; seq++) {
    let reply: string;
    try {
      reply = await client.requestString(String(seq), { signal: env.signal });
    } catch (e) {
      if (!(e instanceof UnreachableError)) throw e;
      throw new Error(
        `server at ${values.connect} seems to be offline (no reply to ${e.attempts} attempts ` +
          `of ${e.timeout} ms), abandoning`,
      );
    }
    if (reply !== String(seq)) {
      throw zmqError("EPROTO", `Malformed reply from server: ${JSON.stringify(reply)}`);
    }
    console.log(`I: server replied OK (${reply})`);
  }
  console.log(`I: ${count} replies, ${client.reconnects} reconnects`);
}

if (import.meta.main) await runMain(main, "client");
