// zmq recv: prints every message received, one per line.
import type { Socket, SocketType } from "../mod.ts";
import { choice, Flags } from "./_args.ts";
import {
  type Command,
  exclusive,
  FORMAT_FLAGS,
  FORMAT_HELP,
  lineFormat,
  noArguments,
} from "./_command.ts";
import { isTimeout, RunError, UsageError } from "./_errors.ts";
import { formatMessage, type LineFormat } from "./_format.ts";
import { delay, type Interrupt } from "./_interrupt.ts";
import { out } from "./_io.ts";
import { SECURITY_HELP, securityFrom } from "./_security.ts";
import { ENDPOINT_HELP, Session, SOCKET_FLAGS, socketPlan } from "./_socket.ts";

const TYPES: readonly SocketType[] = ["PULL", "SUB", "PAIR", "DEALER", "ROUTER", "XSUB", "XPUB"];

const USAGE = `Usage: zmq recv [--type T] --bind EP | --connect EP [options]

Prints each message received as one line, until --count, --timeout or Ctrl-C.

  -t, --type T         ${TYPES.join(", ")} (default PULL)
${ENDPOINT_HELP}
  --subscribe TOPIC      SUB: receive messages starting with TOPIC (repeatable;
                       default: everything)
${FORMAT_HELP}
                       (default separator: a tab)
  --raw                write each frame's bytes as they are, with nothing between
  -n, --count N        stop after N messages
  --timeout MS         stop when no message comes for MS ms (exit 1 if --count was
                       given and not reached, else 0)
  --delay MS           wait MS ms after each message (a slow consumer)
${SECURITY_HELP}

Examples:
  zmq recv --bind tcp://127.0.0.1:5555 --count 2
  zmq recv --type SUB --connect tcp://127.0.0.1:5556 --subscribe 10001 --subscribe 10002`;

const FLAGS = {
  ...SOCKET_FLAGS,
  ...FORMAT_FLAGS,
  type: { type: "string", short: "t" },
  subscribe: { type: "string", multiple: true },
  raw: { type: "boolean" },
  count: { type: "string", short: "n" },
  timeout: { type: "string" },
  delay: { type: "string" },
} as const;

interface Limits {
  count?: number;
  timeout?: number;
  pause?: number;
}

async function receiveAll(
  socket: Socket,
  how: LineFormat | "raw",
  limits: Limits,
  signal: AbortSignal,
): Promise<number> {
  let got = 0;
  while (limits.count === undefined || got < limits.count) {
    let frames: Uint8Array[];
    try {
      frames = await socket.recvMultipart({ timeout: limits.timeout, signal });
    } catch (e) {
      if (!isTimeout(e)) throw e;
      if (limits.count === undefined) return 0; // silence for --timeout ms: the normal end
      throw new RunError(
        `no message for ${limits.timeout} ms (received ${got} of ${limits.count})`,
      );
    }
    got++;
    if (how === "raw") { for (const f of frames) await out(f); }
    else await out(formatMessage(frames, how, `message ${got}`) + "\n");
    if (limits.pause !== undefined) await delay(limits.pause, signal);
  }
  return 0;
}

/**
 * `zmq recv`: every message received, one per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./zmq.ts";
 * // nothing comes within 100 ms, and no --count was asked for: a normal end
 * assert.equal(await main(["recv", "--bind", "tcp://127.0.0.1:*", "--timeout", "100"]), 0);
 * ```
 */
export const recv: Command = {
  name: "recv",
  summary: "print the messages a socket receives, one per line",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, FLAGS);
    noArguments(flags);
    const type = choice("--type", flags.string("type") ?? "PULL", TYPES);
    const topics = flags.list("subscribe");
    if (topics.length > 0 && type !== "SUB") {
      throw new UsageError(`--subscribe is for --type SUB, not ${type}`);
    }
    exclusive(flags, "raw", "format");
    exclusive(flags, "raw", "separator");
    const how = flags.bool("raw") ? "raw" : lineFormat(flags, "\t");
    const limits: Limits = {
      count: flags.maybeInt("count", 1),
      timeout: flags.maybeInt("timeout"),
      pause: flags.maybeInt("delay"),
    };
    const plan = socketPlan(type, flags);
    const security = await securityFrom(flags);
    // linger 0: it sends nothing of the user's; what it queues (a SUB's subscriptions to a peer
    // that never came) must not hold up its end for ever
    await using session = new Session("recv", interrupt, security, 0);
    const socket = session.open(plan, {
      beforeEndpoints: (s) => {
        if (type === "SUB") { for (const t of topics.length > 0 ? topics : [""]) s.subscribe(t); }
      },
    });
    return await receiveAll(socket, how, limits, session.signal);
  },
};
