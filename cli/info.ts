// zmq info: which libzmq this is, from where, and what it can do.
import { zmqHas, zmqLibraryPath, zmqVersion } from "../mod.ts";
import { Flags } from "./_args.ts";
import { type Command, noArguments } from "./_command.ts";
import { out } from "./_io.ts";

/** This command line's version (the package's). */
export const CLI_VERSION = "0.1.0";

/** The capabilities `zmq info` asks `zmqHas` about. */
export const CAPABILITIES = [
  "curve",
  "ipc",
  "ws",
  "wss",
  "udp",
  "tipc",
  "draft",
  "pgm",
  "norm",
  "gssapi",
  "vmci",
];

const USAGE = `Usage: zmq info [--json]

Prints the libzmq in use (its version and file), what it can do (zmqHas: tried, not only
what zmq_has says), and the Deno that runs it. DENO_ZMQ_LIBRARY chooses another libzmq file.

  --json               one JSON object instead of lines`;

/** What `zmq info` reports. */
export interface InfoReport {
  /** This command line's version. */
  cli: string;
  /** libzmq's version, e.g. "4.3.5". */
  libzmq: string;
  /** The libzmq file that was opened. */
  library: string;
  /** The capabilities this libzmq has, of {@linkcode CAPABILITIES}. */
  capabilities: string[];
  /** Those it lacks. */
  missing: string[];
  /** Deno's version, and V8's and TypeScript's. */
  deno: string;
  v8: string;
  typescript: string;
  /** Operating system and architecture. */
  os: string;
}

/**
 * What `zmq info` reports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { infoReport } from "./info.ts";
 * assert.equal(infoReport().libzmq, "4.3.5");
 * ```
 */
export function infoReport(): InfoReport {
  const has = CAPABILITIES.filter((c) => zmqHas(c));
  return {
    cli: CLI_VERSION,
    libzmq: zmqVersion(),
    library: zmqLibraryPath(),
    capabilities: has,
    missing: CAPABILITIES.filter((c) => !has.includes(c)),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: `${Deno.build.os} ${Deno.build.arch}`,
  };
}

/**
 * `zmq info`: libzmq's version, its file, its capabilities and Deno's version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const zmq = new URL("./zmq.ts", import.meta.url).pathname; // the command line, run as a program
 * const run = new Deno.Command(Deno.execPath(), { args: ["run", "-A", zmq, "info", "--json"], stderr: "piped" });
 * const { code, stdout, stderr } = await run.output();
 * assert.equal(code, 0, new TextDecoder().decode(stderr)); // else stderr says why
 * const report = JSON.parse(new TextDecoder().decode(stdout)); // {"cli":"0.1.0","libzmq":"4.3.5",...}
 * assert.match(report.libzmq, /^\d+\.\d+\.\d+$/);
 * assert.ok(Array.isArray(report.capabilities));
 * ```
 */
export const info: Command = {
  name: "info",
  summary: "show the libzmq version, its file, its capabilities and Deno's version",
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const flags = new Flags(args, { json: { type: "boolean" } });
    noArguments(flags);
    const r = infoReport();
    if (flags.bool("json")) {
      await out(JSON.stringify(r) + "\n");
      return 0;
    }
    const lines = [
      `zmq CLI       ${r.cli} (@zmq/deno)`,
      `libzmq        ${r.libzmq}`,
      `library       ${r.library}`,
      `capabilities  ${r.capabilities.join(" ")}` +
      (r.missing.length > 0 ? ` (not: ${r.missing.join(" ")})` : ""),
      `deno          ${r.deno} (V8 ${r.v8}, TypeScript ${r.typescript}, ${r.os})`,
    ];
    await out(lines.join("\n") + "\n");
    return 0;
  },
};
