// zmq info: which libzmq this is, from where, and what it can do.
import { zmqHas, zmqLibraryPath, zmqVersion } from "../mod.ts";
import { Flags } from "./_args.ts";
import { type Command, noArguments } from "./_command.ts";
import { out } from "./_io.ts";

/** This command line's version (the package's). */
export const CLI_VERSION = "0.1.0";

/** The capabilities `zmq_has` knows about. */
export const CAPABILITIES = ["curve", "ipc", "tipc", "draft", "pgm", "norm", "gssapi", "vmci"];

const USAGE = `Usage: zmq info [--json]

Prints the libzmq in use (its version and file), what it was built with (zmq_has), and
the Deno that runs it. DENO_ZMQ_LIBRARY chooses another libzmq file.

  --json               one JSON object instead of lines`;

/** What `zmq info` reports, as a plain object. */
export function infoReport(): Record<string, unknown> {
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

/** `zmq info`: see {@linkcode USAGE}. */
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
      `capabilities  ${(r.capabilities as string[]).join(" ")}` +
      ((r.missing as string[]).length > 0 ? ` (not: ${(r.missing as string[]).join(" ")})` : ""),
      `deno          ${r.deno} (V8 ${r.v8}, TypeScript ${r.typescript}, ${r.os})`,
    ];
    await out(lines.join("\n") + "\n");
    return 0;
  },
};
