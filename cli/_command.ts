// The shape every subcommand module exports, and the options several of them share.
import { choice, type Flags, type FlagSpecs, positionals } from "./_args.ts";
import { UsageError } from "./_errors.ts";
import { FORMATS, type LineFormat, separatorArg } from "./_format.ts";
import type { Interrupt } from "./_interrupt.ts";

/** One subcommand of `zmq`. */
export interface Command {
  /** Its name on the command line, e.g. `"send"`. */
  readonly name: string;
  /** One line for `zmq --help`. */
  readonly summary: string;
  /** The full `zmq <name> --help` text. */
  readonly usage: string;
  /**
   * Runs the subcommand with the arguments after its name; answers the exit code. Mistakes on
   * the command line throw a UsageError, failures a RunError (main prints them).
   */
  run(args: string[], interrupt: Interrupt): Promise<number>;
}

/** --format and --separator. */
export const FORMAT_FLAGS: FlagSpecs = {
  format: { type: "string", short: "f" },
  separator: { type: "string", short: "s" },
};

/** The usage lines of {@linkcode FORMAT_FLAGS}. */
export const FORMAT_HELP =
  `  -f, --format F       each frame as text (UTF-8, the default), json, hex or base64
  -s, --separator SEP  between the frames of a multipart message (\\t, \\n, \\\\ escapes)`;

/** Reads --format and --separator; `outputSeparator` is the default when printing. */
export function lineFormat(flags: Flags, outputSeparator?: string): LineFormat {
  const f = flags.string("format");
  const format = f === undefined ? "text" : choice("--format", f, FORMATS);
  const s = flags.string("separator");
  return { format, separator: s === undefined ? outputSeparator : separatorArg(s) };
}

/** Refuses positional arguments for a command that takes none. */
export function noArguments(flags: Flags): void {
  positionals(flags, 0, 0, "");
}

/** Refuses a flag that makes no sense with another. */
export function exclusive(flags: Flags, a: string, b: string): void {
  if (flags.has(a) && flags.has(b)) {
    throw new UsageError(`--${a} and --${b} cannot be used together`);
  }
}
