/**
 * The Paranoid Pirate queue (ZeroMQ RFC 6, the zguide's `ppqueue`): clients connect to the
 * frontend, PPP workers to the backend; workers are heartbeaten and forgotten when silent.
 *
 * Run: `deno task ppqueue [--frontend tcp://*:5555] [--backend tcp://*:5556]`
 *
 * @module
 */
import { ParanoidPirateQueue } from "../../reliable/mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import { endpointsArg, intArg, log, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task ppqueue",
  about: "Paranoid Pirate queue (RFC 6): load-balances client requests over heartbeating workers.",
  flags: {
    frontend: { type: "string", default: "tcp://*:5555", help: "clients' endpoint(s)" },
    backend: { type: "string", default: "tcp://*:5556", help: "workers' endpoint(s)" },
    heartbeat: {
      type: "string",
      default: "1000",
      help: "heartbeat interval agreed with workers, ms",
    },
    liveness: { type: "string", default: "3", help: "silent heartbeats before a worker is dead" },
    verbose: { type: "boolean", default: false, help: "log worker events" },
  },
} as const;

/** Runs the queue until the role is stopped. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const frontend = endpointsArg(flags.frontend, "frontend");
  const backend = endpointsArg(flags.backend, "backend");
  await withContext(env, async (ctx) => {
    const queue = new ParanoidPirateQueue(ctx, {
      frontend,
      backend,
      heartbeatInterval: intArg(flags.heartbeat, "heartbeat", 1),
      liveness: intArg(flags.liveness, "liveness", 1, 1000),
      onEvent: (e) => {
        if (flags.verbose || e.type !== "worker-ready") log(`I: ${Object.values(e).join(" ")}`);
      },
    });
    console.log(
      `I: Paranoid Pirate queue: clients ${frontend.join(", ")}, workers ${backend.join(", ")}`,
    );
    try {
      await queue.run(env.signal);
    } finally {
      await queue.stop();
      const s = queue.stats;
      console.log(
        `I: queue stopped: ${s.requests} requests, ${s.replies} replies, ` +
          `${s.redelivered} redelivered, ${s.expiredWorkers} workers expired`,
      );
    }
  });
}

if (import.meta.main) await runProgram(main, "ppqueue", PROGRAM);
