/**
 * The Titanic service (ZeroMQ RFC 9) on a Majordomo broker: stores each request in an SQLite
 * file before acknowledging it, runs it when its service has a worker, keeps the reply until
 * the client closes it. Runs until Ctrl-C; restart it on the same file and nothing is lost.
 *
 * Run: `deno task titanic:service [--connect tcp://localhost:5555] [--db titanic.db]`
 *
 * @module
 */
import { TitanicServer } from "../../reliable/mod.ts";
import type { RoleEnv } from "../../workers/mod.ts";
import { withContext } from "../_tutorial.ts";
import { intArg, log, parseProgram, runProgram } from "../_reliable.ts";

const PROGRAM = {
  command: "deno task titanic:service",
  about: "Titanic (RFC 9): titanic.request / titanic.reply / titanic.close, stored in SQLite.",
  flags: {
    connect: { type: "string", default: "tcp://localhost:5555", help: "Majordomo broker endpoint" },
    db: { type: "string", default: "titanic.db", help: "SQLite file of requests and replies" },
    heartbeat: {
      type: "string",
      default: "2500",
      help: "heartbeat interval agreed with the broker, ms",
    },
    timeout: {
      type: "string",
      default: "5000",
      help: "ms one attempt at a stored request may take",
    },
    dispatchers: { type: "string", default: "4", help: "stored requests run at the same time" },
    verbose: { type: "boolean", default: false, help: "log every stored and completed request" },
  },
} as const;

/** Runs Titanic until the role is stopped. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const flags = parseProgram(PROGRAM, args);
  if (!flags) return;
  const heartbeat = intArg(flags.heartbeat, "heartbeat", 1);
  await withContext(env, async (ctx) => {
    const titanic = new TitanicServer(ctx, {
      broker: flags.connect,
      store: flags.db,
      heartbeatInterval: heartbeat,
      reconnect: heartbeat,
      timeout: intArg(flags.timeout, "timeout", 1),
      dispatchers: intArg(flags.dispatchers, "dispatchers", 1, 256),
      onEvent: (e) => {
        if (!flags.verbose) return;
        if (e.type === "worker") log(`I: ${e.service}: ${Object.values(e.event).join(" ")}`);
        else log(`I: ${Object.values(e).join(" ")}`);
      },
    });
    const { total, done } = titanic.store.counts();
    console.log(
      `I: Titanic on ${flags.connect}, ${flags.db}: ${total} requests kept, ${done} answered`,
    );
    try {
      await titanic.run(env.signal);
    } finally {
      await titanic.stop();
      const s = titanic.stats;
      console.log(
        `I: Titanic stopped: ${s.stored} stored, ${s.completed} completed, ${s.deferred} deferred`,
      );
    }
  });
}

if (import.meta.main) await runProgram(main, "titanic", PROGRAM);
