// Command-line handling shared by the fuzzers: a user mistake is one line plus the usage and
// exit code 2, never a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Parses `Deno.args` with `options`; on a mistake prints it with `usage` and exits 2. */
export function parseFlags<O extends NonNullable<ParseArgsConfig["options"]>>(
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: Deno.args, options }).values;
  } catch (e) {
    return usageError((e as Error).message, usage);
  }
}

/** Prints `message` and `usage` to stderr and exits with code 2. */
export function usageError(message: string, usage: string): never {
  console.error(`${message}\n\n${usage}`);
  Deno.exit(2);
}
