/**
 * A Majordomo client (MDP/0.1, ZeroMQ RFC 7), like the zguide's `mdclient` (REQ, retries) or
 * with `--async` its `mdclient2` (DEALER, all requests sent first): sends `--count` requests
 * to `--service` and prints each reply.
 *
 * Run: `deno task mdp:client [--connect tcp://localhost:5555] [--service echo] [--count 10]`
 *
 * @module
 */
import { AsyncMajordomoClient, MajordomoClient, UnreachableError, ZmqError } from "../../mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import { intArg, parseProgram, ProgramFailure, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task mdp:client",
  about: "Majordomo client (MDP/0.1): sends --count requests to a service, prints each reply.",
  flags: {
    connect: { type: "string", default: "tcp://localhost:5555", help: "broker endpoint" },
    service: { type: "string", default: "echo", help: "service to ask" },
    count: { type: "string", default: "10", help: "requests to send" },
    message: { type: "string", default: "Hello world", help: "request body (its number is added)" },
    timeout: { type: "string", default: "2500", help: "ms to wait for each reply (per attempt)" },
    retries: { type: "string", default: "3", help: "retries per request (REQ client only)" },
    async: { type: "boolean", default: false, help: "DEALER client: send all, then read replies" },
  },
} as const;

const decoder = new TextDecoder();
const show = (frames: Uint8Array[]) => frames.map((f) => decoder.decode(f)).join(" | ");

/** Runs the client; rejects if any request failed. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const count = intArg(flags.count, "count");
  const timeout = intArg(flags.timeout, "timeout", 1);
  const retries = intArg(flags.retries, "retries");
  const body = (i: number) => `${flags.message} ${i}`;
  let answered = 0;
  await withContext(env, async (ctx) => {
    if (flags.async) {
      using client = new AsyncMajordomoClient(ctx, flags.connect);
      for (let i = 1; i <= count; i++) {
        await client.send(flags.service, body(i), { signal: env.signal });
      }
      while (client.outstanding > 0) {
        try {
          const reply = await client.recv({ timeout, signal: env.signal });
          answered++;
          console.log(`I: reply ${answered}: ${show(reply.body)}`);
        } catch (e) {
          if (!(e instanceof ZmqError && e.code === "EAGAIN")) throw e;
          console.log(`E: no reply within ${timeout} ms; ${client.outstanding} requests lost`);
          break;
        }
      }
      return;
    }
    using client = new MajordomoClient(ctx, flags.connect, {
      timeout,
      retries,
      onRetry: (attempt) => console.log(`W: no reply, retrying (attempt ${attempt})`),
    });
    for (let i = 1; i <= count; i++) {
      try {
        const reply = await client.request(flags.service, body(i), { signal: env.signal });
        answered++;
        console.log(`I: reply ${i}: ${show(reply)}`);
      } catch (e) {
        if (!(e instanceof UnreachableError)) throw e;
        console.log(`E: request ${i} failed: ${e.message}`);
      }
    }
  });
  console.log(`I: ${count} requests, ${answered} replies, ${count - answered} failed`);
  if (answered < count) throw new ProgramFailure(`${count - answered} of ${count} requests failed`);
}

if (import.meta.main) await runProgram(main, "client", PROGRAM);
