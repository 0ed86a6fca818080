// Lazy Pirate client: numbered requests through LazyPirateClient, checking every reply.
import { parseArgs } from "node:util";
import { Context } from "../../core/context.ts";
import { ZmqError } from "../../core/errors.ts";
import { LazyPirateClient } from "../../reliable/lazy_pirate.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";

const USAGE =
  `Usage: client.ts [--connect tcp://127.0.0.1:5555] [--count N] [--timeout MS] [--retries N]

Sends numbered requests and checks that each reply echoes its number, retrying with a fresh
socket when the server does not answer (the Lazy Pirate client).
  --connect  server endpoint (default tcp://127.0.0.1:5555)
  --count    number of requests (default 10)
  --timeout  ms to wait for each reply (default 2500)
  --retries  retries per request before giving up (default 3)
  --help     print this help`;

/** Runs the client role. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      connect: { type: "string", default: "tcp://127.0.0.1:5555" },
      count: { type: "string", default: "10" },
      timeout: { type: "string", default: "2500" },
      retries: { type: "string", default: "3" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = Number(values.count);
  using ctx = new Context({ linger: 0 });
  using client = new LazyPirateClient(ctx, values.connect, {
    timeout: Number(values.timeout),
    retries: Number(values.retries),
    onRetry: (attempt) => console.log(`W: no response from server, retrying (attempt ${attempt})`),
  });
  for (let seq = 1; seq <= count; seq++) {
    const reply = await client.requestString(String(seq), { signal: env.signal });
    if (reply !== String(seq)) {
      throw new ZmqError("EPROTO", 0, `Malformed reply from server: ${JSON.stringify(reply)}`);
    }
    console.log(`I: server replied OK (${reply})`);
  }
  console.log(`I: ${count} replies, ${client.reconnects} reconnects`);
}

if (import.meta.main) await runMain(main, "client");
