// How a program run by runMain reports a failure: one line, the usage when the command line was
// at fault, and an exit code (2 for a mistake on the command line, 1 for anything else).
import { ZmqError } from "../core/errors.ts";
import { UsageError } from "./usage_error.ts";
import { RoleError } from "./worker.ts";

/** What to print and how to exit. */
export interface Failure {
  /** The one line to print (without the program's name). */
  message: string;
  /** Whether the command line was at fault, so the usage follows the line. */
  usage: boolean;
  /** The process exit code. */
  exitCode: number;
}

/** libzmq's answers to an endpoint the user typed (a flag's value) that cannot be used. */
const ENDPOINT_MISTAKES = new Set([
  "EADDRINUSE",
  "EADDRNOTAVAIL",
  "EINVAL",
  "EPROTONOSUPPORT",
  "ENOCOMPATPROTO",
  "ENODEV",
]);

function parseArgsMessage(error: Error): string {
  // node:util's parseArgs adds a paragraph on positionals after an unknown option, and spreads
  // an ambiguous value over three lines: one line is enough
  const first = error.message.split(". To specify a positional argument")[0];
  return first.replace(/^Unknown option '([^']+)'$/, "unknown option $1")
    .replace(
      /^Option '([^']+)' argument is ambiguous\.[\s\S]*'(--[^=]+=-XYZ)'\.$/,
      "$1 needs a value (for one that starts with a dash: $2)",
    )
    .replace(/\s*\n\s*/g, " ");
}

/** Classifies what a program's `main` threw. */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { message: error.message, usage: true, exitCode: 2 };
  if (
    error instanceof Error &&
    String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")
  ) {
    return { message: parseArgsMessage(error), usage: true, exitCode: 2 };
  }
  if (
    error instanceof ZmqError && error.endpoint !== undefined && ENDPOINT_MISTAKES.has(error.code)
  ) {
    const message = error.code === "EADDRINUSE"
      ? `${error.endpoint} is already in use (another program is bound to it): stop it or ` +
        `choose another port`
      : `cannot ${error.op ?? "use"} ${error.endpoint}: ${error.message}`;
    return { message, usage: true, exitCode: 2 };
  }
  if (error instanceof RoleError && error.code !== undefined && ENDPOINT_MISTAKES.has(error.code)) {
    return { message: error.message, usage: true, exitCode: 2 };
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return { message: error.message, usage: false, exitCode: 2 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, usage: false, exitCode: 1 };
}
