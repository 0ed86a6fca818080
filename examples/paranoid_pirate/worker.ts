/**
 * A Paranoid Pirate worker (ZeroMQ RFC 6, the zguide's `ppworker`): echoes each request,
 * heartbeats, and reconnects with exponential backoff when the queue goes silent.
 *
 * Run: `deno task ppworker [--connect tcp://localhost:5556] [--delay 0]`
 *
 * @module
 */
import { ParanoidPirateWorker } from "../../reliable/mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import { intArg, parseProgram, runProgram, serveEcho, workerLog } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task ppworker",
  about: "Paranoid Pirate worker (RFC 6): echoes requests, heartbeats, reconnects with backoff.",
  flags: {
    connect: { type: "string", default: "tcp://localhost:5556", help: "queue's backend endpoint" },
    heartbeat: {
      type: "string",
      default: "1000",
      help: "heartbeat interval agreed with the queue, ms",
    },
    liveness: { type: "string", default: "3", help: "silent heartbeats before the queue is dead" },
    "reconnect-initial": { type: "string", default: "1000", help: "first reconnect delay, ms" },
    "reconnect-max": { type: "string", default: "32000", help: "longest reconnect delay, ms" },
    delay: { type: "string", default: "0", help: "ms of simulated work per request" },
    verbose: { type: "boolean", default: false, help: "log every request" },
  },
} as const;

/** Runs the worker until the role is stopped. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const work = intArg(flags.delay, "delay");
  const initial = intArg(flags["reconnect-initial"], "reconnect-initial");
  await withContext(env, async (ctx) => {
    const worker = new ParanoidPirateWorker(ctx, flags.connect, {
      heartbeatInterval: intArg(flags.heartbeat, "heartbeat", 1),
      liveness: intArg(flags.liveness, "liveness", 1, 1000),
      reconnectInitial: initial,
      reconnectMax: intArg(flags["reconnect-max"], "reconnect-max", initial),
      onEvent: workerLog(flags.verbose),
    });
    console.log(`I: Paranoid Pirate worker for ${flags.connect}`);
    await serveEcho(worker, { work, verbose: flags.verbose, signal: env.signal });
  });
}

if (import.meta.main) await runProgram(main, "ppworker", PROGRAM);
