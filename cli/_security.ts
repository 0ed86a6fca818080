// --curve-server, --curve-keys, --curve-allow and --plain: what they mean, how they are read
// (keys inline or from certificate files) and how they are applied to a socket.
import {
  type CurveKeypair,
  loadCertificate,
  loadPublicKeys,
  type MonitorEvent,
  Z85_ALPHABET,
  ZmqError,
} from "../mod.ts";
import type { Flags, FlagSpecs } from "./_args.ts";
import { addSecret, UsageError } from "./_errors.ts";

/** The security flags every socket-making subcommand takes. */
export const SECURITY_FLAGS: FlagSpecs = {
  "curve-server": { type: "string" },
  "curve-keys": { type: "string" },
  "curve-allow": { type: "string", multiple: true },
  plain: { type: "string" },
};

/** The usage lines of {@linkcode SECURITY_FLAGS}. */
export const SECURITY_HELP = `
Security (both ends must use the same mechanism):
  --curve-server KEY   be a CURVE client of the server with this public key
                       (40 Z85 characters, or its .key file)
  --curve-keys FILE    this side's CURVE certificate (a .key_secret file from zmq keygen).
                       Without --curve-server it makes this side a CURVE server; with it,
                       it is the client's own key pair (default: a fresh pair)
  --curve-allow KEY    as a CURVE server, let in only these client keys (a key, a .key
                       file or a directory of them; repeatable). Default: any client key
  --plain USER:PASS    PLAIN: a socket that binds checks this user and password, one that
                       connects sends them (PASS from $ZMQ_PASSWORD when only USER is given).
                       PLAIN is clear text on the wire
  A server (--curve-keys, or --plain on a binding socket) cuts off a peer that sends a
  frame over 1 MiB; -o MAXMSGSIZE=N sets another limit, -o MAXMSGSIZE=-1 none`;

/** The environment variable `--plain USER` reads the password from. */
export const PASSWORD_ENV = "ZMQ_PASSWORD";

/** What the security flags asked for. */
export type Security =
  | { mechanism: "null" }
  | { mechanism: "curve-client"; serverKey: string; keys?: CurveKeypair }
  | { mechanism: "curve-server"; keys: CurveKeypair; allow: string[] | null }
  | { mechanism: "plain"; user: string; password: string };

const Z85 = new Set(Z85_ALPHABET);

/** True for 40 characters of Z85's alphabet (the text form of a CURVE key). */
export function isZ85Key(text: string): boolean {
  return text.length === 40 && [...text].every((c) => Z85.has(c));
}

async function certificate(flag: string, file: string) {
  try {
    return await loadCertificate(file);
  } catch (e) {
    // the certificate's own message may quote part of a key: say only what is wrong
    if (e instanceof ZmqError && e.code === "ENOENT") {
      throw new UsageError(`${flag}: no such file ${file}`);
    }
    if (e instanceof ZmqError) {
      throw new UsageError(`${flag}: ${file} is not a valid CURVE certificate`);
    }
    throw new UsageError(`${flag}: cannot read ${file} (${(e as Error)?.name ?? "error"})`);
  }
}

async function publicKeyArg(flag: string, value: string): Promise<string[]> {
  if (isZ85Key(value)) return [value];
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(value);
  } catch {
    // not echoed: a mistyped secret key must not end up on the screen
    throw new UsageError(
      `${flag} takes a 40-character Z85 public key or a certificate file; got ${value.length} ` +
        "characters that are neither",
    );
  }
  if (info.isDirectory) {
    try {
      return await loadPublicKeys(value);
    } catch {
      throw new UsageError(`${flag}: ${value} holds a file that is not a valid certificate`);
    }
  }
  return [(await certificate(flag, value)).publicKey];
}

async function keysArg(file: string): Promise<CurveKeypair> {
  const cert = await certificate("--curve-keys", file);
  if (cert.secretKey === null) {
    throw new UsageError(
      `--curve-keys: ${file} holds no secret key (give the .key_secret file of zmq keygen)`,
    );
  }
  addSecret(cert.secretKey);
  return { publicKey: cert.publicKey, secretKey: cert.secretKey };
}

const encoder = new TextEncoder();

function plainArg(value: string): Security {
  const at = value.indexOf(":");
  const user = at < 0 ? value : value.slice(0, at);
  const password = at < 0 ? Deno.env.get(PASSWORD_ENV) ?? "" : value.slice(at + 1);
  addSecret(password);
  if (user === "") throw new UsageError("--plain takes USER:PASS; the user name is empty");
  if (password === "") {
    throw new UsageError(
      at < 0
        // not quoted: a value without a colon may be the password itself
        ? `--plain takes USER:PASS; there is no colon and no $${PASSWORD_ENV} for the password`
        : "--plain takes USER:PASS; the password is empty",
    );
  }
  // ZMTP's PLAIN carries each as at most 255 bytes
  if (encoder.encode(user).length > 255 || encoder.encode(password).length > 255) {
    throw new UsageError("--plain: the user name and the password are at most 255 bytes each");
  }
  return { mechanism: "plain", user, password };
}

/** Reads the security flags (and the files they name). Mistakes throw a UsageError. */
export async function securityFrom(flags: Flags): Promise<Security> {
  const serverKey = flags.string("curve-server");
  const keysFile = flags.string("curve-keys");
  const allow = flags.list("curve-allow");
  const plain = flags.string("plain");
  if (plain !== undefined) {
    if (serverKey !== undefined || keysFile !== undefined || allow.length > 0) {
      throw new UsageError("--plain and the --curve-* options cannot be used together");
    }
    return plainArg(plain);
  }
  if (serverKey !== undefined) {
    if (allow.length > 0) {
      throw new UsageError("--curve-allow is for a CURVE server; --curve-server makes a client");
    }
    const [key] = await publicKeyArg("--curve-server", serverKey);
    const keys = keysFile === undefined ? undefined : await keysArg(keysFile);
    return { mechanism: "curve-client", serverKey: key, keys };
  }
  if (keysFile !== undefined) {
    const keys = await keysArg(keysFile);
    const allowed: string[] = [];
    for (const a of allow) allowed.push(...await publicKeyArg("--curve-allow", a));
    if (allow.length > 0 && allowed.length === 0) {
      throw new UsageError("--curve-allow: no client keys found (an empty directory?)");
    }
    return { mechanism: "curve-server", keys, allow: allow.length > 0 ? allowed : null };
  }
  if (allow.length > 0) {
    throw new UsageError("--curve-allow needs --curve-keys (the server's own certificate)");
  }
  return { mechanism: "null" };
}

const PROTOCOL_ERRORS: Record<number, string> = {
  0x10000001: "unexpected ZMTP command",
  0x10000018: "invalid metadata (do the socket types match?)",
  0x11000001: "cryptographic error (a wrong CURVE key?)",
  0x11000002: "the two ends use different security mechanisms",
};

/** Says in words why a handshake failed, from its monitor event. */
export function handshakeFailure(e: MonitorEvent): string {
  switch (e.event) {
    case "handshake_failed_auth":
      return `refused by the server (ZAP status ${e.value}: wrong user or password, or a ` +
        "CURVE key that is not allowed)";
    case "handshake_failed_protocol":
      return PROTOCOL_ERRORS[e.value] ??
        `protocol error 0x${e.value.toString(16)} during the handshake`;
    default:
      return "the peer closed the connection during the handshake (a wrong --curve-server " +
        "key, or the peer expects other security?)";
  }
}
