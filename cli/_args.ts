// Command-line flags on node:util's parseArgs, with the CLI's own one-line messages.
import { parseArgs } from "node:util";
import { UsageError } from "./_errors.ts";

/** One flag: a string (repeatable if `multiple`) or a boolean switch. */
export interface FlagSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
}

/** A command's flags by long name (without the leading `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** True if `--help` or `-h` comes before a `--` (then nothing else is checked). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/** parseArgs' messages are long and name JavaScript things: say what was wrong, in one line. */
function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = String(e?.message ?? error);
  // the option as typed, without anything after "=" (it may be a password)
  const name = (/'(-[^' ]*)/.exec(message)?.[1] ?? "").split("=")[0];
  if (e?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${name}`;
  if (e?.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return `option ${name} takes no value`;
    if (message.includes("ambiguous")) {
      return `option ${name} needs a value (write ${name}=VALUE for a value starting with -)`;
    }
    return `option ${name} needs a value`;
  }
  return "cannot read the arguments";
}

/** What a command got: its flags and its positional arguments. */
export class Flags {
  readonly positionals: string[];
  #values: Record<string, string | boolean | string[] | undefined>;

  /** Parses `args` strictly against `specs`; a mistake throws a {@linkcode UsageError}. */
  constructor(args: readonly string[], specs: FlagSpecs) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        options: { ...specs, help: { type: "boolean", short: "h" } },
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(describe(e));
    }
    this.#values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    this.positionals = parsed.positionals;
  }

  /** A string flag's value, or undefined when not given. */
  string(name: string): string | undefined {
    const v = this.#values[name];
    return typeof v === "string" ? v : undefined;
  }

  /** A repeatable flag's values, in order (empty when not given). */
  list(name: string): string[] {
    const v = this.#values[name];
    return Array.isArray(v) ? v : [];
  }

  /** A switch: true when given. */
  bool(name: string): boolean {
    return this.#values[name] === true;
  }

  /** True if the flag was given at all. */
  has(name: string): boolean {
    const v = this.#values[name];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  }

  /** An integer flag within [min, max], or `fallback` when not given. */
  int(name: string, fallback: number, min = 0, max = 2 ** 31 - 1): number {
    const v = this.string(name);
    return v === undefined ? fallback : intArg(`--${name}`, v, min, max);
  }

  /** An optional integer flag within [min, max]: undefined when not given. */
  maybeInt(name: string, min = 0, max = 2 ** 31 - 1): number | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : intArg(`--${name}`, v, min, max);
  }
}

/** Parses `value` as an integer within [min, max]; `what` names it in the error. */
export function intArg(what: string, value: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${what} takes a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Checks that there are between `min` and `max` positional arguments. */
export function positionals(flags: Flags, min: number, max: number, names: string): string[] {
  const p = flags.positionals;
  if (p.length < min) throw new UsageError(`missing ${names}`);
  if (p.length > max) {
    throw new UsageError(`unexpected argument ${JSON.stringify(p[max])}`);
  }
  return p;
}

/** Picks one of `choices` (case-insensitive), or throws a UsageError listing them. */
export function choice<T extends string>(what: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (found === undefined) {
    throw new UsageError(
      `${what} must be one of ${choices.join(", ")}; got ${JSON.stringify(value)}`,
    );
  }
  return found;
}
