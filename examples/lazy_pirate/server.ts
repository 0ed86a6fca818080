/**
 * The Lazy Pirate server: a REP echo server that can be told to "crash" (end without replying)
 * after serving N requests, so the client has to notice the silence and retry.
 *
 * Run: `deno task pirate:server [--bind tcp://127.0.0.1:5555] [--crash-after N]`
 *
 * @module
 */
import { Context } from "../../core/context.ts";
import { ZmqError } from "../../core/errors.ts";
import type { Socket } from "../../core/socket.ts";
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { countFlag, parseFlags } from "../_tutorial.ts";

/** Binds, retrying for a moment while a previous server's port is being released. */
async function bindPatiently(socket: Socket, endpoint: string, signal: AbortSignal) {
  for (let tries = 0;; tries++) {
    try {
      socket.bind(endpoint);
      return;
    } catch (e) {
      if (!(e instanceof ZmqError) || e.code !== "EADDRINUSE" || tries >= 40) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
      signal.throwIfAborted();
    }
  }
}

/** Runs the server role. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task pirate:server",
    about: "Echoes each request back (the Lazy Pirate server).",
  }, {
    bind: { type: "string", default: "tcp://127.0.0.1:5555", help: "endpoint to bind" },
    "crash-after": {
      type: "string",
      default: "forever",
      help: "after N replies, take one more request and end without answering it",
    },
    "hold-after": {
      type: "string",
      default: "forever",
      help: "after N replies, take one more request and sit on it until stopped",
    },
    count: { type: "string", default: "forever", help: "serve at most N requests, then end" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const crashAfter = countFlag(values["crash-after"], "crash-after");
  const holdAfter = countFlag(values["hold-after"], "hold-after");
  const count = countFlag(values.count);
  const ctx = new Context({ linger: 0 });
  try {
    const rep = ctx.socket("REP");
    await bindPatiently(rep, values.bind, env.signal);
    console.log(`I: serving on ${values.bind}`);
    for (let served = 0; served < count; served++) {
      const request = await rep.recvMultipart({ signal: env.signal });
      if (served >= crashAfter) {
        console.log(`I: simulating a crash after ${served} replies`);
        return;
      }
      if (served >= holdAfter) {
        // Hang on to the request until the orchestrator kills this role.
        console.log(`I: holding a request after ${served} replies until stopped`);
        await new Promise((_, reject) => {
          env.signal.addEventListener("abort", () => reject(env.signal.reason), { once: true });
          if (env.signal.aborted) reject(env.signal.reason);
        });
      }
      await rep.send(request, { signal: env.signal });
      console.log(`I: normal request (${new TextDecoder().decode(request[0])})`);
    }
  } finally {
    ctx.close({ linger: 0 });
  }
}

if (import.meta.main) await runMain(main, "server");
