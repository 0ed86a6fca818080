// zmq rep: a REP server that echoes each request or answers it with a command's output.
import type { Socket } from "../mod.ts";
import { Flags } from "./_args.ts";
import { type Command, exclusive, FORMAT_FLAGS, FORMAT_HELP, lineFormat } from "./_command.ts";
import { messageOf, RunError, UsageError } from "./_errors.ts";
import { formatMessage, type LineFormat, parseMessage } from "./_format.ts";
import type { Interrupt } from "./_interrupt.ts";
import { err, out } from "./_io.ts";
import { SECURITY_HELP, securityFrom } from "./_security.ts";
import { ENDPOINT_HELP, Session, SOCKET_FLAGS, socketPlan } from "./_socket.ts";

const USAGE = `Usage: zmq rep EP (--echo | --exec COMMAND) [options]
       zmq rep --bind EP | --connect EP (--echo | --exec COMMAND) [options]

A REP server: binds EP and answers every request, printing each request on a line.

  --echo               reply with the request itself
  --exec COMMAND       run COMMAND with sh -c for each request: the request (one line,
                       in --format, frames joined by --separator) is its stdin, its stdout
                       (less one trailing newline) is the reply
${ENDPOINT_HELP}
${FORMAT_HELP}
                       (default separator: a tab when printing; none when reading a reply)
  -n, --count N        stop after answering N requests
  -q, --quiet          do not print the requests
${SECURITY_HELP}

Examples:
  zmq rep tcp://127.0.0.1:5555 --echo
  zmq rep tcp://127.0.0.1:5555 --exec 'tr a-z A-Z'
  zmq rep --connect tcp://127.0.0.1:5560 --exec date      # behind zmq proxy queue`;

const FLAGS = {
  ...SOCKET_FLAGS,
  ...FORMAT_FLAGS,
  echo: { type: "boolean" },
  exec: { type: "string" },
  count: { type: "string", short: "n" },
  quiet: { type: "boolean", short: "q" },
} as const;

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Runs `command` with `input` on its stdin; answers its stdout. A failure is logged. */
async function execute(command: string, input: string, n: number, signal: AbortSignal) {
  const child = new Deno.Command("sh", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    signal,
  }).spawn();
  const writer = child.stdin.getWriter();
  // a command that does not read its stdin may close it early: that is not an error
  await writer.write(encoder.encode(input)).catch(() => {});
  await writer.close().catch(() => {});
  const result = await child.output();
  if (!result.success) {
    err(`zmq rep: --exec command ended with status ${result.code} on request ${n}\n`);
  }
  return withoutNewline(result.stdout);
}

function withoutNewline(b: Uint8Array): Uint8Array {
  let end = b.length;
  if (end > 0 && b[end - 1] === 10) end--;
  if (end > 0 && b[end - 1] === 13 && end < b.length) end--;
  return b.subarray(0, end);
}

/** The reply from a command's output: its bytes as they are, or parsed as --format says. */
function replyFrom(output: Uint8Array, how: LineFormat, n: number): Uint8Array[] {
  if (how.format === "text" && how.separator === undefined) return [output];
  const where = `the --exec reply to request ${n}`;
  let text: string;
  try {
    text = utf8.decode(output);
  } catch {
    throw new RunError(`${where} is not UTF-8 text`);
  }
  try {
    return parseMessage(text, how, where);
  } catch (e) {
    throw new RunError(messageOf(e));
  }
}

interface Serving {
  how: LineFormat;
  printed: LineFormat;
  exec?: string;
  count?: number;
  quiet: boolean;
}

async function serve(socket: Socket, s: Serving, signal: AbortSignal): Promise<number> {
  for (let n = 1; s.count === undefined || n <= s.count; n++) {
    const request = await socket.recvMultipart({ signal });
    if (!s.quiet) await out(formatMessage(request, s.printed, `request ${n}`) + "\n");
    let reply = request;
    if (s.exec !== undefined) {
      const input = formatMessage(request, s.printed, `request ${n}`) + "\n";
      reply = replyFrom(await execute(s.exec, input, n, signal), s.how, n);
    }
    await socket.send(reply, { signal });
  }
  return 0;
}

/**
 * `zmq rep`: a REP server answering with `--echo` or `--exec COMMAND`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const zmq = new URL("./zmq.ts", import.meta.url).pathname; // the command line, run as a program
 * const run = new Deno.Command(Deno.execPath(), { args: ["run", "-A", zmq, "rep", "--help"], stderr: "piped" });
 * const { code, stdout, stderr } = await run.output();
 * assert.equal(code, 0, new TextDecoder().decode(stderr)); // else stderr says why
 * assert.match(new TextDecoder().decode(stdout), /^Usage: zmq rep EP \(--echo \| --exec COMMAND\)/);
 * ```
 */
export const rep: Command = {
  name: "rep",
  summary: "answer requests (REP): --echo, or --exec a command",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, FLAGS);
    const named = flags.has("connect") || flags.has("bind");
    const [first, ...rest] = flags.positionals;
    if (!named && first === undefined) throw new UsageError("missing EP (where to listen)");
    const extra = named ? flags.positionals[0] : rest[0];
    if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
    exclusive(flags, "echo", "exec");
    if (!flags.bool("echo") && !flags.has("exec")) {
      throw new UsageError("say how to answer: --echo or --exec COMMAND");
    }
    const exec = flags.string("exec");
    if (exec !== undefined && exec.trim() === "") throw new UsageError("--exec needs a command");
    const plan = socketPlan("REP", flags, named ? {} : { bind: [first] });
    const how = lineFormat(flags);
    const serving: Serving = {
      how,
      printed: { ...how, separator: how.separator ?? "\t" },
      exec,
      count: flags.maybeInt("count", 1),
      quiet: flags.bool("quiet"),
    };
    const security = await securityFrom(flags);
    await using session = new Session("rep", interrupt, security);
    const socket = session.open(plan);
    return await serve(socket, serving, session.signal);
  },
};
