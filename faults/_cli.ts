// The command lines of faults/campaign.ts and faults/netns.ts: a mistake prints one line and
// the usage, and exits with code 2.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A program's name and usage line. */
export interface Cli {
  name: string;
  usage: string;
}

/** Prints `name: message` and the usage on stderr, exits with code 2. */
export function usageError(cli: Cli, message: string): never {
  console.error(`${cli.name}: ${message}\n${cli.usage}`);
  Deno.exit(2);
}

/** Parses Deno.args as string flags with defaults (plus --help: print the usage, exit 0). */
export function cliFlags<K extends string>(
  cli: Cli,
  defaults: Record<K, string>,
): Record<K, string> {
  const options: ParseArgsOptionsConfig = { help: { type: "boolean", default: false } };
  for (const [name, value] of Object.entries<string>(defaults)) {
    options[name] = { type: "string", default: value };
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: Deno.args, options }).values;
  } catch (e) {
    usageError(cli, (e as Error).message);
  }
  if (values.help) {
    console.log(cli.usage);
    Deno.exit(0);
  }
  return values as Record<K, string>;
}

/** An integer flag >= `min`, or a usage error naming it. */
export function cliInt(cli: Cli, value: string, name: string, min: number): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    usageError(cli, `--${name} must be an integer >= ${min}; got ${JSON.stringify(value)}`);
  }
  return n;
}
