/**
 * The Majordomo broker (MDP/0.1, ZeroMQ RFC 7, with RFC 8's mmi.service): one ROUTER for
 * clients and workers, as in the zguide's `mdbroker`. Runs until Ctrl-C.
 *
 * Run: `deno task mdp:broker [--bind tcp://*:5555] [--heartbeat 2500] [--verbose]`
 *
 * @module
 */
import { MajordomoBroker } from "../../reliable/mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import { endpointsArg, intArg, log, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task mdp:broker",
  about: "Majordomo broker (MDP/0.1): routes requests to workers by service name.",
  flags: {
    bind: { type: "string", default: "tcp://*:5555", help: "endpoint(s) to bind, comma-separated" },
    heartbeat: {
      type: "string",
      default: "2500",
      help: "heartbeat interval agreed with workers, ms",
    },
    liveness: { type: "string", default: "3", help: "silent heartbeats before a worker is dead" },
    "request-timeout": {
      type: "string",
      default: "10000",
      help: "ms a request waits for a worker of its service",
    },
    verbose: { type: "boolean", default: false, help: "log every worker and request event" },
  },
} as const;

/** Runs the broker until the role is stopped. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const bind = endpointsArg(flags.bind, "bind");
  const heartbeatInterval = intArg(flags.heartbeat, "heartbeat", 1);
  const liveness = intArg(flags.liveness, "liveness", 1, 1000);
  const requestTimeout = intArg(flags["request-timeout"], "request-timeout", 1);
  await withContext(env, async (ctx) => {
    const broker = new MajordomoBroker(ctx, {
      bind,
      heartbeatInterval,
      liveness,
      requestTimeout,
      onEvent: (e) => {
        if (flags.verbose || e.type === "worker-expired" || e.type === "redelivered") {
          log(`I: ${Object.values(e).join(" ")}`);
        }
      },
    });
    console.log(`I: MDP broker/0.1 is active at ${bind.join(", ")}`);
    try {
      await broker.run(env.signal);
    } finally {
      await broker.stop();
      const s = broker.stats;
      console.log(
        `I: broker stopped: ${s.requests} requests, ${s.replies} replies, ` +
          `${s.redelivered} redelivered, ${s.expiredWorkers} workers expired, ${s.dropped} dropped`,
      );
    }
  });
}

if (import.meta.main) await runProgram(main, "broker", PROGRAM);
