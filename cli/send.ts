// zmq send: stdin lines (or the whole of stdin, or the arguments) become messages.
import type { Socket, SocketType } from "../mod.ts";
import { choice, Flags } from "./_args.ts";
import { type Command, exclusive, FORMAT_FLAGS, FORMAT_HELP, lineFormat } from "./_command.ts";
import { isTimeout, RunError, UsageError } from "./_errors.ts";
import { type LineFormat, parseMessage } from "./_format.ts";
import { delay, type Interrupt } from "./_interrupt.ts";
import { readAll, readLines } from "./_io.ts";
import { SECURITY_HELP, securityFrom } from "./_security.ts";
import { ENDPOINT_HELP, Session, SOCKET_FLAGS, socketPlan } from "./_socket.ts";

const TYPES: readonly SocketType[] = ["PUSH", "PUB", "PAIR", "DEALER", "ROUTER", "XPUB", "XSUB"];

const USAGE = `Usage: zmq send [--type T] --bind EP | --connect EP [options] [MESSAGE...]

Sends each MESSAGE, or else each line of stdin, as one message; ends when all are sent.

  -t, --type T         ${TYPES.join(", ")} (default PUSH)
${ENDPOINT_HELP}
  --raw                send the whole of stdin, bytes as they are, as one message
${FORMAT_HELP}
                       (without --separator a line is one frame)
  -n, --count N        send at most N messages
  --timeout MS         give up (exit 1) when a message cannot be sent within MS ms
                       (no peer to take it); also bounds the wait for delivery at the end
  --delay MS           wait MS ms before each message (lets subscribers join a PUB)
${SECURITY_HELP}

A PUB drops messages sent before a subscriber has joined: use --delay, or a PUSH.
Examples:
  printf 'hello\\nworld\\n' | zmq send --connect tcp://127.0.0.1:5555
  zmq send --type PUB --bind tcp://*:5556 --delay 500 --separator ' ' 'weather sunny'`;

const FLAGS = {
  ...SOCKET_FLAGS,
  ...FORMAT_FLAGS,
  type: { type: "string", short: "t" },
  raw: { type: "boolean" },
  count: { type: "string", short: "n" },
  timeout: { type: "string" },
  delay: { type: "string" },
} as const;

/** Where the messages come from: the arguments, stdin's lines, or all of stdin as one. */
async function* messages(flags: Flags, how: LineFormat, signal: AbortSignal) {
  if (flags.bool("raw")) {
    yield [await readAll(Deno.stdin.readable)];
    return;
  }
  const lines = flags.positionals.length > 0
    ? flags.positionals
    : readLines(Deno.stdin.readable, signal);
  let n = 0;
  for await (const line of lines) {
    n++;
    const where = flags.positionals.length > 0 ? `message ${n}` : `stdin line ${n}`;
    yield parseMessage(line, how, where);
  }
}

/** --count, --timeout and --delay. */
interface Pace {
  count?: number;
  timeout?: number;
  pause?: number;
}

async function sendAll(
  socket: Socket,
  messages: AsyncIterable<Uint8Array[]>,
  pace: Pace,
  signal: AbortSignal,
): Promise<void> {
  const { count, timeout, pause } = pace;
  let sent = 0;
  for await (const frames of messages) {
    if (pause !== undefined) await delay(pause, signal);
    try {
      await socket.send(frames, { timeout, signal });
    } catch (e) {
      if (!isTimeout(e)) throw e;
      throw new RunError(
        `message ${sent + 1} could not be sent within ${timeout} ms (no peer ready to take it?)`,
      );
    }
    if (++sent === count) break;
  }
}

/**
 * `zmq send`: stdin lines, the arguments, or all of stdin (`--raw`) as messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./zmq.ts";
 * // a PUB with no subscriber drops the message and the command ends at once
 * assert.equal(await main(["send", "--type", "PUB", "--bind", "tcp://127.0.0.1:*", "hi"]), 0);
 * ```
 */
export const send: Command = {
  name: "send",
  summary: "send stdin lines (or arguments) as messages",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, FLAGS);
    const type = choice("--type", flags.string("type") ?? "PUSH", TYPES);
    const how = lineFormat(flags);
    if (flags.bool("raw")) {
      exclusive(flags, "raw", "format");
      exclusive(flags, "raw", "separator");
      if (flags.positionals.length > 0) {
        throw new UsageError("--raw reads stdin; it takes no MESSAGE arguments");
      }
    }
    const plan = socketPlan(type, flags);
    const pace: Pace = {
      count: flags.maybeInt("count", 1),
      timeout: flags.maybeInt("timeout"),
      pause: flags.maybeInt("delay"),
    };
    const security = await securityFrom(flags);
    // what is queued may take up to --timeout to be delivered at the end, else as long as it takes
    await using session = new Session("send", interrupt, security, pace.timeout ?? -1);
    const socket = session.open(plan);
    await sendAll(socket, messages(flags, how, session.signal), pace, session.signal);
    return 0;
  },
};
