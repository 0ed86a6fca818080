/**
 * The Lazy Pirate demo: a client keeps making requests while the orchestrator kills the
 * server's Worker in the middle and starts a new one on the same port; the client carries on.
 *
 * Run: `deno task pirate [--restarts 2] [--mode stop|crash] [--count 20]`
 *
 * @module
 */
import { Context } from "../../core/context.ts";
import {
  type RoleEnv,
  type RoleHandle,
  runMain,
  startRole,
  UsageError,
} from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag } from "../_tutorial.ts";

/** What the demo observed. */
export interface PirateRun {
  /** Requests each server instance answered, in start order. */
  served: number[];
  /** Lines the client printed. */
  clientLines: string[];
}

function freePort(): number {
  using ctx = new Context({ linger: 0 });
  using probe = ctx.socket("REP");
  return probe.bindToRandomPort();
}

/** Runs the demo; answers what each server served and what the client printed. */
export async function main(args: string[], env?: RoleEnv): Promise<PirateRun> {
  const parsed = parseFlags(args, {
    command: "deno task pirate",
    about: "Runs the Lazy Pirate server and client in Workers and restarts the server under " +
      "the client.",
  }, {
    restarts: { type: "string", default: "2", help: "times the server is killed and restarted" },
    mode: {
      type: "string",
      default: "stop",
      help: "stop: after --kill-after replies the server sits on the next request and its " +
        "Worker is stopped; crash: the server drops that request and ends by itself",
    },
    count: { type: "string", default: "20", help: "requests the client makes" },
    "kill-after": { type: "string", default: "5", help: "replies each server gives first" },
    port: { type: "string", help: "TCP port on 127.0.0.1 (default: a free port)" },
    timeout: { type: "string", default: "300", help: "client's ms per attempt" },
    retries: { type: "string", default: "5", help: "client's retries per request" },
    downtime: { type: "string", default: "400", help: "ms between a server's end and the next" },
  });
  if (!parsed) return { served: [], clientLines: [] };
  const { values } = parsed;
  const restarts = intFlag(values.restarts, "restarts");
  const killAfter = intFlag(values["kill-after"], "kill-after");
  const count = String(countFlag(values.count));
  const timeout = String(intFlag(values.timeout, "timeout", { min: 1 }));
  const retries = String(intFlag(values.retries, "retries"));
  const downtimeMs = intFlag(values.downtime, "downtime");
  if (values.mode !== "stop" && values.mode !== "crash") {
    throw new UsageError(`--mode must be stop or crash; got ${JSON.stringify(values.mode)}`);
  }
  const crash = values.mode === "crash";
  if (values.port !== undefined) portFlag(values.port);
  const endpoint = `tcp://127.0.0.1:${values.port ?? freePort()}`;
  const here = (file: string) => new URL(file, import.meta.url);

  const client = startRole(here("client.ts"), {
    name: "client",
    args: [
      "--connect",
      endpoint,
      "--count",
      count,
      "--timeout",
      timeout,
      "--retries",
      retries,
    ],
  });
  let clientDone = false;
  // Ctrl-C (the role's signal) ends the run at once: the client's end or the abort, first.
  const stopped = new Promise<never>((_, reject) => {
    const signal = env?.signal;
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  stopped.catch(() => {});
  const clientEnd = Promise.race([client.done, stopped]).finally(() => clientDone = true);
  const served: number[] = [];
  const running: RoleHandle[] = [client];
  let failure: unknown;
  try {
    for (let i = 0; i <= restarts && !clientDone; i++) {
      const last = i === restarts;
      let replies = 0;
      let reachedKillPoint!: () => void;
      const killPoint = new Promise<void>((resolve) => reachedKillPoint = resolve);
      served.push(0);
      const server = startRole(here("server.ts"), {
        name: `server#${i + 1}`,
        args: [
          "--bind",
          endpoint,
          ...(last ? [] : [crash ? "--crash-after" : "--hold-after", String(killAfter)]),
        ],
        onLine: (line, stream) => {
          (stream === "stderr" ? console.error : console.log)(`[server#${i + 1}] ${line}`);
          if (line.startsWith("I: normal request")) {
            served[i] = ++replies;
          }
          if (line.startsWith("I: holding")) reachedKillPoint();
        },
      });
      running.push(server);
      if (last) {
        await Promise.race([clientEnd, server.done]);
      } else {
        const ended = crash ? server.done : killPoint;
        await Promise.race([clientEnd, ended, server.done]);
        if (clientDone) break;
        await server.stop();
        running.splice(running.indexOf(server), 1);
        console.log(
          `[orchestrator] server#${i + 1} is gone; a new one starts in ${downtimeMs} ms`,
        );
        let timer: ReturnType<typeof setTimeout> | undefined;
        const downtime = new Promise((resolve) => timer = setTimeout(resolve, downtimeMs));
        await Promise.race([downtime, stopped]).finally(() => clearTimeout(timer));
        env?.signal.throwIfAborted();
      }
    }
    await clientEnd;
  } catch (error) {
    failure = error;
  }
  // Stop whatever still runs (the last server, or everything after a failure).
  const stops = await Promise.allSettled(running.map((r) => r.stop()));
  const stopFailure = stops.find((s) => s.status === "rejected");
  if (failure === undefined && stopFailure) failure = stopFailure.reason;
  if (failure !== undefined) throw failure;
  return { served, clientLines: client.lines };
}

if (import.meta.main) {
  await runMain(async (args, env) => {
    await main(args, env);
  }, "lazy_pirate");
}
