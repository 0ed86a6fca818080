// CURVE certificates on disk: the public key in `<name>.key`, the key pair in
// `<name>.key_secret` (mode 0600). A small text format of `name = "value"` lines; the reader also
// accepts the sectioned files pyzmq's zmq.auth writes.
import {
  type CurveKeypair,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  type ZmqError,
} from "../core/mod.ts";
import { redactWhenInspected } from "./_redact.ts";
import { zmqError, type ZmqErrorCode } from "../core/errors.ts";

/**
 * A certificate read from a file: the secret key is null for a public certificate. Inspected
 * (`console.log`, `Deno.inspect`), it shows `"[secret]"` in place of the secret key.
 */
export interface Certificate {
  /** The public key, 40 Z85 characters. */
  publicKey: string;
  /** The secret key (40 Z85 characters), or null if the file holds only the public key. */
  secretKey: string | null;
  /** Free-form metadata saved with the certificate. */
  metadata: Record<string, string>;
}

/** Where {@linkcode createCertificate} and {@linkcode saveCertificate} wrote a certificate. */
export interface CertificateFiles {
  /** The public certificate, safe to share: `<dir>/<name>.key`. */
  publicFile: string;
  /** The secret certificate, mode 0600: `<dir>/<name>.key_secret`. */
  secretFile: string;
}

/** The public file's suffix. */
export const PUBLIC_SUFFIX = ".key";
/** The secret file's suffix. */
export const SECRET_SUFFIX = ".key_secret";

const NAME = /^[A-Za-z0-9_.-]+$/;
const META_KEY = /^[A-Za-z0-9_-]+$/;

function certError(code: ZmqErrorCode, detail: string, file?: string): ZmqError {
  return zmqError(code, detail, { op: file ? `certificate ${file}` : "certificate" });
}

function join(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}

function render(kind: "public" | "secret", pair: CurveKeypair, meta: Record<string, string>) {
  const lines = [
    kind === "public"
      ? "# ZeroMQ CURVE certificate, public part: give it to peers."
      : "# ZeroMQ CURVE certificate, secret part: keep it private.",
    '# Written by @zmq/deno. Lines are: name = "value"',
    `public-key = ${JSON.stringify(pair.publicKey)}`,
  ];
  if (kind === "secret") lines.push(`secret-key = ${JSON.stringify(pair.secretKey)}`);
  for (const [k, v] of Object.entries(meta)) lines.push(`meta.${k} = ${JSON.stringify(v)}`);
  return lines.join("\n") + "\n";
}

function checkMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== "object") {
    throw certError("EBADVALUE", "metadata must be an object of strings");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (!META_KEY.test(k) || typeof v !== "string" || /[\r\n]/.test(v)) {
      throw certError(
        "EBADVALUE",
        `metadata ${
          JSON.stringify(k)
        }: names are letters, digits, _ and -; values one-line strings`,
      );
    }
    out[k] = v;
  }
  return out;
}

/**
 * Writes a key pair as two files in `dir` (created if missing): `<name>.key` with the public key
 * and `<name>.key_secret` with both keys, readable by the owner only (mode 0600, set before the
 * secret is written; the file is replaced atomically). Needs `--allow-write`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveKeypair, saveCertificate } from "../mod.ts";
 * const certs = await Deno.makeTempDir(); // "certs", say
 * const files = await saveCertificate(certs, "server", curveKeypair());
 * assert.equal(files.publicFile, `${certs}/server.key`);
 * assert.equal((await Deno.stat(files.secretFile)).mode! & 0o777, 0o600);
 * await Deno.remove(certs, { recursive: true });
 * ```
 *
 * @param dir The directory, created if missing.
 * @param name The files' base name: letters, digits, `_`, `.` and `-`.
 * @param keypair The keys to save; the public key must belong to the secret key.
 * @param metadata Optional `key = value` lines written into both files.
 * @returns The two file names.
 * @throws {ZmqError} `EBADVALUE` for a bad name or metadata, `EINVAL` for keys that do not match.
 */
export async function saveCertificate(
  dir: string,
  name: string,
  keypair: CurveKeypair,
  metadata?: Record<string, string>,
): Promise<CertificateFiles> {
  if (typeof dir !== "string" || dir === "") throw certError("EBADVALUE", "dir must be a path");
  if (typeof name !== "string" || !NAME.test(name)) {
    throw certError("EBADVALUE", `name must be letters, digits, _, . and -; got ${String(name)}`);
  }
  const secretKey = curveKeyToZ85(keypair?.secretKey, "secret key");
  const publicKey = curveKeyToZ85(keypair?.publicKey, "public key");
  if (curvePublic(secretKey) !== publicKey) {
    throw certError("EINVAL", "The public key does not belong to the secret key");
  }
  const meta = checkMetadata(metadata);
  const pair = { publicKey, secretKey };
  await Deno.mkdir(dir, { recursive: true });
  const publicFile = join(dir, name + PUBLIC_SUFFIX);
  const secretFile = join(dir, name + SECRET_SUFFIX);
  await Deno.writeTextFile(publicFile, render("public", pair, meta));
  const tmp = `${secretFile}.${crypto.randomUUID()}.tmp`;
  try {
    // created with 0600 (narrowed further by the umask), then made exactly 0600
    await Deno.writeTextFile(tmp, "", { createNew: true, mode: 0o600 });
    if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
    await Deno.writeTextFile(tmp, render("secret", pair, meta));
    await Deno.rename(tmp, secretFile);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return { publicFile, secretFile };
}

/**
 * Generates a key pair and saves it with {@linkcode saveCertificate} (pyzmq's
 * `create_certificates`). Answers the file names and the keys (inspected, it shows
 * `"[secret]"` in place of the secret key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCertificate } from "../mod.ts";
 * const certs = await Deno.makeTempDir();
 * const server = await createCertificate(certs, "server", { role: "server" });
 * assert.equal(server.publicKey.length, 40);
 * assert.ok(!Deno.inspect(server).includes(server.secretKey)); // shown as "[secret]"
 * await Deno.remove(certs, { recursive: true });
 * ```
 *
 * @param dir The directory, created if missing.
 * @param name The files' base name.
 * @param metadata Optional `key = value` lines.
 * @returns The file names and the new keys.
 */
export async function createCertificate(
  dir: string,
  name: string,
  metadata?: Record<string, string>,
): Promise<CertificateFiles & CurveKeypair> {
  const pair = curveKeypair();
  const files = await saveCertificate(dir, name, pair, metadata);
  return redactWhenInspected({ ...files, ...pair }, ["secretKey"]);
}

/**
 * Parses certificate text (this library's format, or pyzmq's sectioned one). Throws a ZmqError
 * of code `EINVAL` naming `source` (a file name, say) when the text holds no valid public key, a bad key, or a
 * secret key that does not match the public key.
 *
 * @param text The certificate file's text.
 * @param source What to name in an error (a file name, say).
 * @returns The public key, and the secret key or null.
 * @throws {ZmqError} `EINVAL` naming `source` for text that is not a valid certificate,
 * `EBADVALUE` for text that is not a string.
 */
export function parseCertificate(text: string, source?: string): Certificate {
  if (typeof text !== "string") throw certError("EBADVALUE", "text must be a string", source);
  let publicKey: string | null = null;
  let secretKey: string | null = null;
  const metadata: Record<string, string> = {};
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, "");
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const m = /^(\s*)([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      if (!/^\s/.test(line)) section = line.trim();
      continue;
    }
    const [, indent, key, rawValue] = m;
    if (indent === "") section = "";
    let value = rawValue;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      try {
        value = JSON.parse(value);
      } catch {
        value = value.slice(1, -1);
      }
    }
    if (key === "public-key") publicKey = value;
    else if (key === "secret-key") secretKey = value;
    else if (key.startsWith("meta.")) metadata[key.slice(5)] = value;
    else if (section === "metadata") metadata[key] = value;
  }
  if (publicKey === null) throw certError("EINVAL", "No public-key in the certificate", source);
  const check = (key: string, what: string) => {
    try {
      return curveKeyToZ85(key, what);
    } catch {
      // not the key checker's message: it may quote a character of the (secret) key
      throw certError("EINVAL", `Bad ${what}: not 40 characters of Z85`, source);
    }
  };
  publicKey = check(publicKey, "public key");
  if (secretKey !== null) {
    secretKey = check(secretKey, "secret key");
    if (curvePublic(secretKey) !== publicKey) {
      throw certError("EINVAL", "The public key does not belong to the secret key", source);
    }
  }
  return redactWhenInspected({ publicKey, secretKey, metadata }, ["secretKey"]);
}

async function readText(file: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw zmqError("ENOENT", `No such certificate file (${file})`, {
        op: "loadCertificate",
      });
    }
    throw e;
  }
}

/**
 * Reads a certificate file: a public one (`.key`, `secretKey` null) or a secret one
 * (`.key_secret`, both keys). A missing file is a ZmqError of code `ENOENT`, a bad one `EINVAL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCertificate, loadCertificate } from "../mod.ts";
 * const certs = await Deno.makeTempDir();
 * const saved = await createCertificate(certs, "server");
 * const { publicKey, secretKey } = await loadCertificate(`${certs}/server.key_secret`);
 * assert.equal(publicKey, saved.publicKey);
 * assert.equal(secretKey, saved.secretKey);
 * assert.equal((await loadCertificate(`${certs}/server.key`)).secretKey, null);
 * await assert.rejects(loadCertificate(`${certs}/nobody.key`), { code: "ENOENT" });
 * await Deno.remove(certs, { recursive: true });
 * ```
 *
 * @param file A `.key` or `.key_secret` file.
 * @returns Its public key, and its secret key or null.
 * @throws {ZmqError} `ENOENT` for a missing file, `EINVAL` for one that is not a certificate.
 */
export async function loadCertificate(file: string): Promise<Certificate> {
  return parseCertificate(await readText(file), file);
}

/**
 * Reads the public key of every `*.key` file in `dir` (sorted by file name), e.g. the clients
 * allowed in: `auth.configureCurve({ publicKeys: await loadPublicKeys("clients") })`.
 * A file that is not a valid certificate is a ZmqError of code `EINVAL` naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Authenticator, Context, createCertificate, loadPublicKeys } from "../mod.ts";
 * const clients = await Deno.makeTempDir(); // "certs/clients", say
 * const alice = await createCertificate(clients, "alice");
 * const bob = await createCertificate(clients, "bob");
 * await using ctx = new Context();
 * await using auth = await new Authenticator(ctx).start();
 * const publicKeys = await loadPublicKeys(clients);
 * assert.deepEqual(publicKeys, [alice.publicKey, bob.publicKey]); // by file name
 * auth.configureCurve({ publicKeys });
 * await Deno.remove(clients, { recursive: true });
 * ```
 *
 * @param dir A directory of `.key` files (other files are left alone).
 * @returns The public keys, sorted by file name.
 * @throws {ZmqError} `ENOENT` for a missing directory, `EINVAL` naming a bad file.
 */

export async function loadPublicKeys(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(PUBLIC_SUFFIX)) names.push(entry.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw zmqError("ENOENT", `No such directory (${dir})`, { op: "loadPublicKeys" });
    }
    throw e;
  }
  names.sort();
  const keys: string[] = [];
  for (const n of names) keys.push((await loadCertificate(join(dir, n))).publicKey);
  return keys;
}
