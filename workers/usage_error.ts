/**
 * A mistake on a program's command line: an unknown flag, a value that is not what the flag
 * takes, a port that is already in use. {@linkcode runMain} answers it with one line naming the
 * mistake, the program's usage (its `--help`) and exit code 2, never a stack trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "../mod.ts";
 * function portFlag(value: string): number {
 *   const port = Number(value);
 *   if (!Number.isInteger(port) || port < 1 || port > 65535) {
 *     throw new UsageError(`--port must be an integer from 1 to 65535; got ${value}`);
 *   }
 *   return port;
 * }
 * assert.equal(portFlag("5556"), 5556);
 * ```
 */
export class UsageError extends Error {
  /**
   * Builds the error from the one line the user will read.
   *
   * @param message The line to print, without the program's name.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
