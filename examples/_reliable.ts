// Helpers of the reliable-pattern programs (majordomo, paranoid_pirate, titanic): flags whose
// mistakes end the program with one line, the usage and exit code 2, and small shared bits.
import { type RoleEnv, type RoleMain, runMain } from "../workers/role.ts";
import type { WorkerEvent, WorkerSession } from "../reliable/worker_session.ts";
import { delay } from "../core/_util.ts";
import { ZmqError } from "../core/errors.ts";
import { envIfAllowed, ROLE_REPORT_ENV } from "../workers/_report.ts";
import { UsageError } from "../workers/usage_error.ts";
import { classifyFailure } from "../workers/_failure.ts";
import { type Flag, intFlag, parseFlags, usageText } from "./_tutorial.ts";

// A command-line mistake: the program prints it with its usage and exits with code 2.
export { UsageError } from "../workers/usage_error.ts";

/**
 * The program ran and did not succeed (some requests failed, say): it ends with the message
 * and exit code 1, no stack trace.
 */
export class ProgramFailure extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "ProgramFailure";
  }
}

/** A program's command line: its name, what it does, its flags. */
export interface Program<F extends Record<string, Flag>> {
  command: string;
  about: string;
  flags: F;
}

/** Parses `args`; answers null after printing the usage for `--help`; UsageError on mistakes. */
export function parseProgram<F extends Record<string, Flag>>(program: Program<F>, args: string[]) {
  try {
    return parseFlags(args, program, program.flags)?.values ?? null;
  } catch (e) {
    if (
      e instanceof TypeError && String((e as { code?: string }).code).startsWith("ERR_PARSE_ARGS")
    ) {
      throw new UsageError(classifyFailure(e).message);
    }
    throw e;
  }
}

/** An integer flag in [min, max], or a UsageError naming it. */
export function intArg(value: string, name: string, min = 0, max = 2 ** 31 - 1): number {
  try {
    return intFlag(value, name, { min, max });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A comma-separated list of endpoints, or a UsageError naming the flag. */
export function endpointsArg(value: string, name: string): string[] {
  const list = value.split(",").map((e) => e.trim()).filter((e) => e !== "");
  if (list.length === 0) throw new UsageError(`--${name} needs at least one endpoint`);
  return list;
}

/**
 * Runs a program's `main` on its own (see runMain); a UsageError prints one line and the
 * usage on stderr and sets exit code 2.
 */
export async function runProgram<F extends Record<string, Flag>>(
  main: RoleMain,
  name: string,
  program: Program<F>,
): Promise<void> {
  await runMain(async (args: string[], env: RoleEnv) => {
    try {
      await main(args, env);
    } catch (e) {
      if (e instanceof UsageError || isBadEndpoint(e)) {
        console.error(`${program.command}: ${e.message}\n\n${usageText(program, program.flags)}`);
        Deno.exitCode = 2;
      } else if (
        (e instanceof ProgramFailure || e instanceof ZmqError) &&
        envIfAllowed(ROLE_REPORT_ENV) !== "1"
      ) {
        // A failure the program explains itself (an address in use, requests that failed):
        // one line, no stack trace. Under an orchestrator, runMain reports it instead.
        console.error(`E: ${e.message}`);
        Deno.exitCode = 1;
      } else {
        throw e;
      }
    }
  }, name);
}

/** An endpoint flag that libzmq cannot even parse: a command-line mistake. */
function isBadEndpoint(e: unknown): e is ZmqError {
  return e instanceof ZmqError && (e.op === "bind" || e.op === "connect") &&
    (e.code === "EINVAL" || e.code === "EPROTONOSUPPORT");
}

/** Prints `[HH:MM:SS.mmm] text`, the time a log line needs when roles race. */
export function log(text: string): void {
  console.log(`${new Date().toISOString().slice(11, 23)} ${text}`);
}

/** Logs a worker's events: all of them with `verbose`, else all but the routine "connected". */
export function workerLog(verbose: boolean): (event: WorkerEvent) => void {
  return (e) => {
    if (verbose || e.type !== "connected") log(`I: ${Object.values(e).join(" ")}`);
  };
}

/**
 * Serves as an echo worker (after `work` ms of simulated work per request) until the role is
 * stopped, then prints the worker's counts.
 */
export async function serveEcho(
  worker: WorkerSession,
  { work, verbose, signal }: { work: number; verbose: boolean; signal: AbortSignal },
): Promise<void> {
  try {
    await worker.serve(async (request, { signal: stop }) => {
      if (verbose) log(`I: request ${new TextDecoder().decode(request[0])}`);
      await delay(work, stop);
      return request;
    }, { signal });
  } finally {
    await worker.stop();
    const s = worker.stats;
    console.log(
      `I: worker stopped: ${s.requests} requests, ${s.replies} replies, ${s.reconnects} reconnects`,
    );
  }
}
