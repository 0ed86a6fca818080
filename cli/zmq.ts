#!/usr/bin/env -S deno run -A
/**
 * `zmq`: a command line for ZeroMQ work, built on this library's public API.
 *
 *     deno task zmq <command> [options]
 *     deno install -g -A -n zmq cli/zmq.ts      # then: zmq <command> [options]
 *
 * Commands: send, recv, req, rep, proxy, monitor, keygen, bench, info (`zmq --help`, and
 * `zmq <command> --help` for each). Exit codes: 0 done, 1 failed while running, 2 a mistake on
 * the command line (one line and the usage on stderr), 130 ended by Ctrl-C.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./zmq.ts";
 * const code = await main(["info"]); // prints the libzmq version, its file, ...
 * assert.equal(code, 0);
 * ```
 *
 * @module
 */
import { wantsHelp } from "./_args.ts";
import type { Command } from "./_command.ts";
import { messageOf, RunError, UsageError } from "./_errors.ts";
import { Interrupt, INTERRUPTED } from "./_interrupt.ts";
import { err, out } from "./_io.ts";
import { bench } from "./bench.ts";
import { info } from "./info.ts";
import { keygen } from "./keygen.ts";
import { monitorCommand } from "./monitor.ts";
import { proxy } from "./proxy.ts";
import { recv } from "./recv.ts";
import { rep } from "./rep.ts";
import { req } from "./req.ts";
import { send } from "./send.ts";

/** Every subcommand, by name, in the order `zmq --help` lists them. */
const COMMANDS: ReadonlyMap<string, Command> = new Map(
  [send, recv, req, rep, proxy, monitorCommand, keygen, bench, info].map((c) => [c.name, c]),
);

const USAGE = `Usage: zmq <command> [options]      (zmq <command> --help for each)

A command line for ZeroMQ: send, receive, request, serve, proxy, watch, make keys, measure.

Commands:
${[...COMMANDS.values()].map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join("\n")}

Exit codes: 0 done, 1 failed while running, 2 a mistake on the command line, 130 Ctrl-C.
Set ZMQ_CLI_DEBUG=1 to see the stack of an unexpected error.`;

function debug(): boolean {
  try {
    return Deno.env.get("ZMQ_CLI_DEBUG") === "1";
  } catch {
    return false;
  }
}

async function runCommand(command: Command, args: string[]): Promise<number> {
  if (wantsHelp(args)) {
    await out(command.usage + "\n");
    return 0;
  }
  using interrupt = new Interrupt();
  try {
    const code = await command.run(args, interrupt);
    return interrupt.interrupted ? INTERRUPTED : code;
  } catch (e) {
    if (interrupt.interrupted) return INTERRUPTED;
    if (e instanceof UsageError) {
      err(`zmq ${command.name}: ${messageOf(e)}\n\n${command.usage}\n`);
      return 2;
    }
    if (e instanceof Deno.errors.BrokenPipe) return 0; // the reader went away: `| head`
    err(`zmq ${command.name}: ${messageOf(e)}\n`);
    if (!(e instanceof RunError) && debug()) err(`${(e as Error)?.stack ?? e}\n`);
    return 1;
  }
}

/**
 * Runs `zmq` with `args` (the words after `zmq`) and answers the exit code; output goes to
 * stdout and stderr.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./zmq.ts";
 * assert.equal(await main(["keygen", "--help"]), 0); // prints keygen's usage
 * assert.equal(await main(["no-such-command"]), 2); // one line and the usage on stderr
 * ```
 *
 * @param args The command line after `zmq`, e.g. `["recv", "tcp://*:5555"]`.
 * @returns The exit code: 0 done, 1 a failure, 2 a mistake on the command line, 130 interrupted.
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    err(`zmq: missing command\n\n${USAGE}\n`);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const command = rest[0] === undefined ? undefined : COMMANDS.get(rest[0]);
    await out((command?.usage ?? USAGE) + "\n");
    return 0;
  }
  const command = COMMANDS.get(name);
  if (command === undefined) {
    const shown = name.startsWith("-") ? `option ${name.split("=")[0]}` : `command ${name}`;
    err(`zmq: unknown ${shown}\n\n${USAGE}\n`);
    return 2;
  }
  return await runCommand(command, rest);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
