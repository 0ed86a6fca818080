import type { Context } from "../core/context.ts";
import {
  describeFailure,
  envIfAllowed,
  ROLE_ERROR_MARKER,
  ROLE_NAME_ENV,
  ROLE_REPORT_ENV,
} from "./_report.ts";
import { classifyFailure } from "./_failure.ts";

/** What a role's `main` receives besides its arguments. */
export interface RoleEnv {
  /** The role's name, e.g. `"server"`. */
  name: string;
  /**
   * Aborted when the role is asked to stop (by its orchestrator, or by Ctrl-C when it runs on
   * its own). Pass it to `recv`/`send` so a waiting role stops at once.
   */
  signal: AbortSignal;
  /**
   * A context shared with the orchestrator, when it passed one (needed for `inproc://`).
   * Otherwise undefined: the role makes its own.
   */
  context?: Context;
}

/**
 * The shape of a role module's entry point: `export async function main(args, env)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RoleEnv, RoleMain } from "./role.ts";
 * const seen: string[] = [];
 * export const main: RoleMain = async (args, env) => {
 *   seen.push(`${env.name} started with ${args.join(" ")}`);
 *   await Promise.resolve(); // a real role opens its sockets here and runs until env.signal
 * };
 * const env: RoleEnv = { name: "server", signal: new AbortController().signal };
 * await main(["--port", "5556"], env);
 * assert.deepEqual(seen, ["server started with --port 5556"]);
 * ```
 */
export type RoleMain = (args: string[], env: RoleEnv) => void | Promise<void>;

/**
 * True if `error` is the abort reason of `signal`: the role was asked to stop, not broken.
 *
 * @param error What a role's `main` threw.
 * @param signal The role's signal.
 * @returns Whether it is the signal's abort, not a failure.
 */
export function isStop(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (error === signal.reason ||
    (error instanceof DOMException && error.name === "AbortError"));
}

/**
 * Runs a role module's `main` as a program of its own: arguments from the command line, and
 * Ctrl-C (SIGINT) or SIGTERM aborts the role's signal so it can close its sockets and end.
 * Use it as `if (import.meta.main) await runMain(main, "server");`.
 *
 * Started by an orchestrator as an OS process ({@linkcode startProcessRole}), the role takes
 * the name the orchestrator gave it, and a failure ends the process with code 1 after one
 * marked line on stderr that the orchestrator turns into a {@linkcode RoleError}.
 *
 * On its own, a failure ends the process with one line on stderr, `<name>: <what went
 * wrong>`, never a stack trace. A mistake on the command line ({@linkcode UsageError}, an
 * unknown flag, an endpoint that is in use or malformed, a missing permission) exits with code
 * 2, followed by the program's usage (what `main(["--help"])` prints); anything else exits
 * with code 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runMain } from "./role.ts";
 * let ran: string[] | undefined;
 * export async function main(args: string[]) {
 *   ran = args; // a role's work; it ends when main returns
 * }
 * // in a program of its own: if (import.meta.main) await runMain(main, "server");
 * await runMain(main, "server");
 * assert.deepEqual(ran, Deno.args);
 * ```
 *
 * @param main The role's entry point.
 * @param name The program's name for its messages (an orchestrator may give another).
 */
export async function runMain(main: RoleMain, name: string): Promise<void> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new DOMException("Interrupted", "AbortError"));
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const listening = signals.filter((signal) => {
    try {
      Deno.addSignalListener(signal, onSignal);
      return true;
    } catch {
      return false; // no signals here or no permission: the signal just ends the process
    }
  });
  const report = envIfAllowed(ROLE_REPORT_ENV) === "1";
  let failure: unknown;
  let failed = false;
  try {
    await main(Deno.args, { name: envIfAllowed(ROLE_NAME_ENV) ?? name, signal: controller.signal });
  } catch (error) {
    if (!isStop(error, controller.signal)) {
      failed = true;
      failure = error;
    }
  } finally {
    for (const signal of listening) Deno.removeSignalListener(signal, onSignal);
  }
  if (!failed) return;
  if (report) {
    // under an orchestrator: one marked line it turns into a RoleError
    console.error(ROLE_ERROR_MARKER + JSON.stringify(describeFailure(failure)));
    Deno.exit(1);
  }
  const { message, usage, exitCode } = classifyFailure(failure);
  console.error(`${name}: ${message}`);
  if (usage) await printUsage(main, name);
  Deno.exit(exitCode);
}

/** Prints what the program's `--help` prints, on stderr. */
async function printUsage(main: RoleMain, name: string): Promise<void> {
  const log = console.log;
  console.log = console.error;
  try {
    console.error("");
    await main(["--help"], { name, signal: AbortSignal.abort() });
  } catch {
    // a program without --help: the line above is all there is
  } finally {
    console.log = log;
  }
}
