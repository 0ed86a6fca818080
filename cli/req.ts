// zmq req: sends requests to a server and prints its replies.
import { Flags } from "./_args.ts";
import { type Command, FORMAT_FLAGS, FORMAT_HELP, lineFormat } from "./_command.ts";
import { isTimeout, RunError, UsageError } from "./_errors.ts";
import { formatMessage, parseMessage } from "./_format.ts";
import type { Interrupt } from "./_interrupt.ts";
import { out, readLines } from "./_io.ts";
import { SECURITY_HELP, securityFrom } from "./_security.ts";
import { ENDPOINT_HELP, Session, SOCKET_FLAGS, socketPlan } from "./_socket.ts";

const USAGE = `Usage: zmq req EP [MESSAGE...] [options]
       zmq req --connect EP [--connect EP2 ...] [options] [MESSAGE...]

A REQ client: connects to EP, sends each MESSAGE (or else each line of stdin) as one
request and prints each reply on a line.

${ENDPOINT_HELP}
${FORMAT_HELP}
                       (default separator when printing: a tab)
  -n, --count N        send at most N requests
  --timeout MS         give up (exit 1) when a reply takes longer than MS ms
${SECURITY_HELP}

Examples:
  zmq req tcp://127.0.0.1:5555 Hello
  seq 3 | zmq req tcp://127.0.0.1:5555 --timeout 2000`;

const FLAGS = {
  ...SOCKET_FLAGS,
  ...FORMAT_FLAGS,
  count: { type: "string", short: "n" },
  timeout: { type: "string" },
} as const;

/**
 * `zmq req`: requests from the arguments or stdin, replies printed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const zmq = new URL("./zmq.ts", import.meta.url).pathname; // the command line, run as a program
 * const run = new Deno.Command(Deno.execPath(), { args: ["run", "-A", zmq, "req", "--help"], stderr: "piped" });
 * const { code, stdout, stderr } = await run.output();
 * assert.equal(code, 0, new TextDecoder().decode(stderr)); // else stderr says why
 * assert.match(new TextDecoder().decode(stdout), /^Usage: zmq req EP \[MESSAGE\.\.\.\]/);
 * ```
 */
export const req: Command = {
  name: "req",
  summary: "send requests (REQ) and print the replies",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, FLAGS);
    const named = flags.has("connect") || flags.has("bind");
    const [first, ...rest] = flags.positionals;
    if (!named && first === undefined) throw new UsageError("missing EP (the server's endpoint)");
    const plan = socketPlan("REQ", flags, named ? {} : { connect: [first] });
    const texts = named ? flags.positionals : rest;
    const how = lineFormat(flags);
    const output = { ...how, separator: how.separator ?? "\t" };
    const count = flags.maybeInt("count", 1);
    const timeout = flags.maybeInt("timeout");
    const security = await securityFrom(flags);
    // linger 0: a request answered was delivered, and one that was not is given up on (a
    // --timeout that ran out must not be followed by a wait for ever at the end)
    await using session = new Session("req", interrupt, security, 0);
    const socket = session.open(plan);
    const signal = session.signal;
    const lines = texts.length > 0 ? texts : readLines(Deno.stdin.readable, signal);
    let n = 0;
    for await (const line of lines) {
      n++;
      const where = texts.length > 0 ? `message ${n}` : `stdin line ${n}`;
      try {
        await socket.send(parseMessage(line, how, where), { timeout, signal });
      } catch (e) {
        if (!isTimeout(e)) throw e;
        throw new RunError(`request ${n} could not be sent within ${timeout} ms`);
      }
      let reply: Uint8Array[];
      try {
        reply = await socket.recvMultipart({ timeout, signal });
      } catch (e) {
        if (!isTimeout(e)) throw e;
        throw new RunError(`no reply to request ${n} within ${timeout} ms`);
      }
      await out(formatMessage(reply, output, `reply ${n}`) + "\n");
      if (n === count) break;
    }
    return 0;
  },
};
