// zmq keygen: a CURVE certificate, as the two files pyzmq's zmq.auth reads.
import { createCertificate, PUBLIC_SUFFIX, SECRET_SUFFIX } from "../mod.ts";
import { Flags, positionals } from "./_args.ts";
import type { Command } from "./_command.ts";
import { RunError, UsageError } from "./_errors.ts";
import { err, out } from "./_io.ts";

const USAGE = `Usage: zmq keygen NAME [--dir DIR] [--force]

Makes a CURVE key pair and writes it as a certificate: DIR/NAME.key (the public key, to
give to peers) and DIR/NAME.key_secret (both keys, readable by you only). pyzmq's
zmq.auth.load_certificate reads both; so do --curve-keys, --curve-server and
--curve-allow. Prints the public key on stdout (and never the secret one).

  -d, --dir DIR        where to write the files (default: the current directory; created
                       if missing)
  --force              replace an existing certificate of that name

Example:
  SERVER_KEY=$(zmq keygen server --dir certs)`;

const FLAGS = {
  dir: { type: "string", short: "d" },
  force: { type: "boolean" },
} as const;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * `zmq keygen`: a CURVE certificate as NAME.key and NAME.key_secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const zmq = new URL("./zmq.ts", import.meta.url).pathname; // the command line, run as a program
 * const run = new Deno.Command(Deno.execPath(), { args: ["run", "-A", zmq, "keygen", "server", "--dir", dir], stderr: "piped" });
 * const { code, stdout, stderr } = await run.output();
 * assert.equal(code, 0, new TextDecoder().decode(stderr)); // else stderr says why
 * const publicKey = new TextDecoder().decode(stdout).trim(); // 40 Z85 characters
 * assert.equal(publicKey.length, 40);
 * assert.ok((await Deno.readTextFile(`${dir}/server.key`)).includes(publicKey));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const keygen: Command = {
  name: "keygen",
  summary: "make a CURVE certificate (NAME.key and NAME.key_secret)",
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const flags = new Flags(args, FLAGS);
    const [name] = positionals(flags, 1, 1, "NAME (the certificate's file name)");
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name)) {
      throw new UsageError(
        `NAME ${JSON.stringify(name)}: use letters, digits, _, - and . (not first)`,
      );
    }
    const dir = flags.string("dir") ?? ".";
    if (dir === "") throw new UsageError("--dir needs a directory");
    const base = `${dir.replace(/\/+$/, "") || "/"}/${name}`;
    if (!flags.bool("force")) {
      for (const f of [base + PUBLIC_SUFFIX, base + SECRET_SUFFIX]) {
        if (await exists(f)) throw new RunError(`${f} exists (use --force to replace it)`);
      }
    }
    const cert = await createCertificate(dir, name);
    err(`zmq keygen: wrote ${cert.publicFile} and ${cert.secretFile} (mode 0600)\n`);
    await out(cert.publicKey + "\n");
    return 0;
  },
};
