/**
 * A Majordomo worker (MDP/0.1, ZeroMQ RFC 7) that echoes each request, like the zguide's
 * `mdworker`: registers its service, heartbeats, reconnects when the broker goes away.
 *
 * Run: `deno task mdp:worker [--connect tcp://localhost:5555] [--service echo] [--delay 0]`
 *
 * @module
 */
import { MajordomoWorker } from "../../reliable/mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import {
  intArg,
  parseProgram,
  runProgram,
  serveEcho,
  UsageError,
  workerLog,
} from "../_reliable.ts";

const PROGRAM = {
  command: "deno task mdp:worker",
  about: "Majordomo worker (MDP/0.1): answers each request of its service with the request.",
  flags: {
    connect: { type: "string", default: "tcp://localhost:5555", help: "broker endpoint" },
    service: { type: "string", default: "echo", help: "service to register" },
    heartbeat: {
      type: "string",
      default: "2500",
      help: "heartbeat interval agreed with the broker, ms",
    },
    liveness: { type: "string", default: "3", help: "silent heartbeats before the broker is dead" },
    reconnect: { type: "string", default: "2500", help: "ms to wait before reconnecting" },
    delay: { type: "string", default: "0", help: "ms of simulated work per request" },
    verbose: { type: "boolean", default: false, help: "log every request and session event" },
  },
} as const;

/** Runs the worker until the role is stopped. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  if (flags.service === "" || flags.service.startsWith("mmi.")) {
    throw new UsageError(
      `--service must be a name outside "mmi."; got ${JSON.stringify(flags.service)}`,
    );
  }
  const work = intArg(flags.delay, "delay");
  const reconnect = intArg(flags.reconnect, "reconnect");
  await withContext(env, async (ctx) => {
    const worker = new MajordomoWorker(ctx, flags.connect, flags.service, {
      heartbeatInterval: intArg(flags.heartbeat, "heartbeat", 1),
      liveness: intArg(flags.liveness, "liveness", 1, 1000),
      reconnectInitial: reconnect,
      reconnectMax: reconnect,
      onEvent: workerLog(flags.verbose),
    });
    console.log(`I: ${flags.service} worker for ${flags.connect}`);
    await serveEcho(worker, { work, verbose: flags.verbose, signal: env.signal });
  });
}

if (import.meta.main) await runProgram(main, "worker", PROGRAM);
