// Helpers shared by the tutorial's example programs (pair, reqrep, pubsub, pushpull,
// multiprocess): flags, ports, a role's context, and running an example's roles.
import { parseArgs } from "node:util";
import { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import type { SocketType } from "../core/constants.ts";
import type { RoleEnv } from "../workers/role.ts";
import { UsageError } from "../workers/usage_error.ts";
import { type RoleSpec, type RunResult, runRoles } from "../workers/orchestrate.ts";

export { delay } from "../core/_util.ts";

/** One flag of a program: its type, default and help text. */
export interface Flag {
  type: "string" | "boolean";
  default?: string | boolean;
  help: string;
}

/**
 * Parses `args` against `flags` (strictly: an unknown flag is a TypeError naming it).
 * Answers null after printing the usage when `--help` is given.
 */
export function parseFlags<F extends Record<string, Flag>>(
  args: string[],
  usage: { command: string; about: string; positionals?: string },
  flags: F,
): {
  values: { [K in keyof F]: F[K]["type"] extends "boolean" ? boolean : string };
  positionals: string[];
} | null {
  const options: Record<string, { type: "string" | "boolean"; default?: string | boolean }> = {
    help: { type: "boolean", default: false },
  };
  for (const [name, f] of Object.entries(flags)) {
    options[name] = { type: f.type, default: f.default };
  }
  const parsed = parseArgs({
    args,
    options,
    strict: true,
    allowPositionals: usage.positionals !== undefined,
  });
  if (parsed.values.help) {
    console.log(usageText(usage, flags));
    return null;
  }
  // deno-lint-ignore no-explicit-any
  return { values: parsed.values as any, positionals: parsed.positionals };
}

/** The help text {@linkcode parseFlags} prints for `--help`. */
export function usageText(
  usage: { command: string; about: string; positionals?: string },
  flags: Record<string, Flag>,
): string {
  const lines = [
    `Usage: ${usage.command} [options]${usage.positionals ? ` ${usage.positionals}` : ""}`,
    "",
    usage.about,
    "",
    "Options:",
  ];
  for (const [name, f] of Object.entries(flags)) {
    const left = f.type === "string" ? `--${name} <value>` : `--${name}`;
    const def = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : "";
    lines.push(`  ${left.padEnd(24)} ${f.help}${def}`);
  }
  lines.push(`  ${"--help".padEnd(24)} show this help`);
  return lines.join("\n");
}

/** Parses an integer flag, with a UsageError naming the flag when it is not one in range. */
export function intFlag(
  value: string | undefined,
  name: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const n = value === undefined || value.trim() === "" ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Parses a count flag: an integer >= 0, or "forever" / "0" for no limit when allowed. */
export function countFlag(value: string | undefined, name = "count"): number {
  if (value === "forever") return Infinity;
  return intFlag(value, name, { min: 0 });
}

/** Parses a TCP port flag. */
export function portFlag(value: string | undefined, name = "port"): number {
  return intFlag(value, name, { min: 1, max: 65535 });
}

/** Parses a comma-separated list of ports, e.g. "5546,5556". */
export function portsFlag(value: string | undefined, name = "ports"): number[] {
  const parts = (value ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) throw new UsageError(`--${name} needs at least one port`);
  return parts.map((p) => portFlag(p, name));
}

/** How long unsent messages may linger when a role ends normally, in ms. */
export const DELIVERY_LINGER = 5000;

/**
 * Runs a role's body with a context: the shared one from `env` if the orchestrator passed one,
 * else a new one that is terminated afterwards with every socket opened on it. Don't close the
 * sockets yourself: on a normal end unsent messages get {@linkcode DELIVERY_LINGER} ms to go
 * out; when the role is stopped or fails they are dropped, so stopping never hangs.
 */
export async function withContext<T>(
  env: RoleEnv,
  body: (ctx: Context) => Promise<T>,
): Promise<T> {
  if (env.context) return await withSharedContext(env.context, env.signal, body);
  const ctx = new Context({ linger: DELIVERY_LINGER });
  let ok = false;
  try {
    const result = await body(ctx);
    ok = true;
    return result;
  } finally {
    await ctx.terminate(ok && !env.signal.aborted ? {} : { linger: 0 });
  }
}

/**
 * The shared-context case of {@linkcode withContext}: the context belongs to the orchestrator,
 * so only the sockets this role opened are closed, with the same linger policy.
 */
async function withSharedContext<T>(
  shared: Context,
  signal: AbortSignal,
  body: (ctx: Context) => Promise<T>,
): Promise<T> {
  const opened: Socket[] = [];
  const ctx = new Proxy(shared, {
    get(target, prop) {
      if (prop === "socket") {
        return (type: SocketType) => {
          const socket = target.socket(type);
          opened.push(socket);
          return socket;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  let ok = false;
  try {
    const result = await body(ctx);
    ok = true;
    return result;
  } finally {
    const linger = ok && !signal.aborted ? DELIVERY_LINGER : 0;
    for (const socket of opened) socket.close({ linger });
  }
}

/** Options every orchestrator takes. */
export const RUN_FLAGS = {
  quiet: { type: "boolean", default: false, help: "don't print the roles' lines" },
  process: {
    type: "boolean",
    default: false,
    help: "run each role as an OS process (deno run) instead of a Web Worker",
  },
  timeout: {
    type: "string",
    default: "60000",
    help: "fail if the example has not finished after this many ms",
  },
} as const satisfies Record<string, Flag>;

/**
 * Runs an example's roles in Web Workers, or OS processes with `process` (see runRoles),
 * printing their lines as `[role] line` unless `quiet`, and failing after `timeout` ms. With
 * `context`, every role shares it (for `inproc://`; Workers only).
 */
export function runExample(
  specs: RoleSpec[],
  env: RoleEnv,
  flags: { quiet: boolean; timeout: string; process?: boolean },
  context: Context | undefined = env.context,
): Promise<RunResult> {
  const timeout = intFlag(flags.timeout, "timeout", { min: 1 });
  const onLine = flags.quiet ? () => {} : undefined;
  if (flags.process && context) {
    throw new RangeError("--process cannot share a context: roles in processes talk over tcp");
  }
  return runRoles(
    specs.map((s) => ({ ...s, onLine: s.onLine ?? onLine })),
    { timeout, signal: env.signal, context, as: flags.process ? "process" : "worker" },
  );
}

/** A module next to `base`, as a URL for a RoleSpec. */
export function sibling(base: string, file: string): URL {
  return new URL(file, base);
}
