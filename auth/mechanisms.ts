// Small helpers that set a socket's security options by role, before bind or connect. The
// server helpers also bound the size of what a peer may send (MAXMSGSIZE): libzmq reads a
// frame's length before anything is authenticated and allocates it whole, so without a limit a
// stranger with no key can make a CURVE server hold gigabytes (measured: 4 connections sending
// 64 MiB each grew a server by 227 MiB; with the limit they were dropped at the frame header).
import {
  type CurveKeypair,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  type Socket,
} from "../core/mod.ts";
import { redactWhenInspected } from "./_redact.ts";
import { badValue } from "../core/errors.ts";

/**
 * The largest message frame (in bytes) a server made by {@linkcode makeCurveServer} or
 * {@linkcode makePlainServer} accepts unless told otherwise: 1 MiB.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, curveKeypair, DEFAULT_MAX_MESSAGE_SIZE, makeCurveServer } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * makeCurveServer(rep, curveKeypair());
 * assert.equal(DEFAULT_MAX_MESSAGE_SIZE, 1048576);
 * assert.equal(rep.getOption("MAXMSGSIZE"), 1048609n); // CURVE's 33 bytes a frame on top
 * ```
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

/** The smallest `maxMessageSize` the server helpers take: the handshake commands must fit. */
const MIN_MAX_MESSAGE_SIZE = 1024;
/** What CURVE adds to each frame on the wire ("\x07MESSAGE", nonce, flags, MAC). */
const CURVE_FRAME_OVERHEAD = 33;

/** Options of the `make*Server` helpers. */
export interface ServerSecurityOptions {
  /** The ZAP domain the authenticator sees (`ZAP_DOMAIN`); default none (`"*"` rules apply). */
  domain?: string;
  /**
   * The largest message frame a peer may send, in bytes of the frame as the application sees
   * it (CURVE's framing is added on top); a peer that sends a larger one is disconnected and the
   * frame is lost. Default {@linkcode DEFAULT_MAX_MESSAGE_SIZE} (1 MiB), unless `MAXMSGSIZE` was
   * already set on the socket (then it is kept as it is). At least 1024; `-1` for no limit.
   */
  maxMessageSize?: number;
}

/** Sets MAXMSGSIZE on a server socket (see ServerSecurityOptions.maxMessageSize). */
function limitMessageSize(
  socket: Socket,
  requested: unknown,
  overhead: number,
  op: string,
): void {
  if (requested === undefined) {
    if (socket.getOption("MAXMSGSIZE") !== -1n) return; // set by the program: keep it
    requested = DEFAULT_MAX_MESSAGE_SIZE;
  }
  if (requested === -1) {
    socket.setOption("MAXMSGSIZE", -1);
    return;
  }
  if (
    typeof requested !== "number" || !Number.isSafeInteger(requested) ||
    requested < MIN_MAX_MESSAGE_SIZE || requested > Number.MAX_SAFE_INTEGER - overhead
  ) {
    throw badValue(
      `maxMessageSize is -1 (no limit) or a whole number of bytes from ${MIN_MAX_MESSAGE_SIZE} ` +
        `(the handshake must fit) to 2^53 - 1; got ${String(requested)}`,
      { op: op },
    );
  }
  socket.setOption("MAXMSGSIZE", requested + overhead);
}

function checkOptions(options: unknown, op: string): ServerSecurityOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object") {
    throw badValue("options must be an object", { op: op });
  }
  const { domain } = options as ServerSecurityOptions;
  if (domain !== undefined && typeof domain !== "string") {
    throw badValue("domain must be a string", { op: op });
  }
  return options as ServerSecurityOptions;
}

/** PLAIN carries a username and a password of at most 255 bytes each. */
function checkPlainText(value: unknown, what: string, op: string): string {
  if (typeof value !== "string") throw badValue(`The ${what} must be a string`, { op: op });
  if (new TextEncoder().encode(value).length > 255) {
    throw badValue(`The ${what} is longer than PLAIN's 255 bytes (UTF-8)`, { op: op });
  }
  return value;
}

/**
 * Makes `socket` a CURVE server: sets `CURVE_SERVER`, its secret (and public) key, the largest
 * frame a client may send (`maxMessageSize`, 1 MiB by default) and, if given, the ZAP domain.
 * Call before `bind`. `secret` is a key pair or a secret key (40 Z85 characters or 32 bytes);
 * bad keys throw a ZmqError of code `EINVAL` (which never quotes the key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, curveKeypair, makeCurveServer } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * const keys = curveKeypair(); // give keys.publicKey to the clients
 * makeCurveServer(rep, keys);
 * rep.bind("tcp://127.0.0.1:*");
 * using upload = ctx.socket("PULL");
 * makeCurveServer(upload, keys, { maxMessageSize: 64 * 1024 * 1024 }); // 64 MiB frames
 * assert.equal(upload.getOption("CURVE_SERVER"), true);
 * assert.throws(() => makeCurveServer(upload, "not a key"), { code: "EINVAL" });
 * ```
 *
 * @param socket The socket to secure; call before `bind`.
 * @param secret The server's key pair, or its secret key (40 Z85 characters or 32 bytes).
 * @param options `domain` and `maxMessageSize` (default {@linkcode DEFAULT_MAX_MESSAGE_SIZE}).
 * @throws {ZmqError} `EINVAL` for a bad key (never quoted), `EBADVALUE` for bad options.
 */
export function makeCurveServer(
  socket: Socket,
  secret: CurveKeypair | string | Uint8Array,
  options?: ServerSecurityOptions,
): void {
  const op = "makeCurveServer";
  const { domain, maxMessageSize } = checkOptions(options, op);
  const secretKey = curveKeyToZ85(
    typeof secret === "object" && !(secret instanceof Uint8Array) ? secret?.secretKey : secret,
    "secret key",
  );
  limitMessageSize(socket, maxMessageSize, CURVE_FRAME_OVERHEAD, op);
  socket.setOption("CURVE_SERVER", true);
  socket.setOption("CURVE_SECRETKEY", secretKey);
  socket.setOption("CURVE_PUBLICKEY", curvePublic(secretKey));
  if (domain !== undefined) socket.setOption("ZAP_DOMAIN", domain);
}

/**
 * Makes `socket` a CURVE client of the server whose public key is `serverPublicKey`, with the
 * client key pair `keypair` (a new one if omitted). Call before `connect`. Answers the client
 * key pair in use (its public key is what the server's authenticator allows; inspected, it
 * shows `"[secret]"` in place of the secret key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, curveKeypair, makeCurveClient } from "../mod.ts";
 * using ctx = new Context();
 * using req = ctx.socket("REQ");
 * const server = curveKeypair();
 * const mine = makeCurveClient(req, server.publicKey);
 * assert.equal(mine.publicKey.length, 40);
 * ```
 *
 * @param socket The socket to secure; call before `connect`.
 * @param serverPublicKey The server's public key (40 Z85 characters or 32 bytes).
 * @param keypair The client's keys.
 * @default {curveKeypair()} a new key pair.
 * @returns The client's key pair in use.
 * @throws {ZmqError} `EINVAL` for a bad key (never quoted).
 */
export function makeCurveClient(
  socket: Socket,
  serverPublicKey: string | Uint8Array,
  keypair: CurveKeypair = curveKeypair(),
): CurveKeypair {
  const serverKey = curveKeyToZ85(serverPublicKey, "server public key");
  const secretKey = curveKeyToZ85(keypair?.secretKey, "secret key");
  const publicKey = curveKeyToZ85(keypair?.publicKey, "public key");
  socket.setOption("CURVE_SERVERKEY", serverKey);
  socket.setOption("CURVE_PUBLICKEY", publicKey);
  socket.setOption("CURVE_SECRETKEY", secretKey);
  return redactWhenInspected({ publicKey, secretKey }, ["secretKey"]);
}

/**
 * Makes `socket` a PLAIN server (`PLAIN_SERVER`; usernames and passwords are checked by an
 * {@linkcode Authenticator}), with the largest frame a client may send (`maxMessageSize`, 1 MiB
 * by default) and, if given, the ZAP domain. PLAIN sends the password in clear text: use it
 * only on trusted networks, or prefer CURVE.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, makePlainServer } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * makePlainServer(rep, { domain: "intranet" });
 * rep.bind("tcp://127.0.0.1:*");
 * assert.equal(rep.getOption("MECHANISM"), 1); // ZMQ_PLAIN
 * assert.equal(rep.getOption("ZAP_DOMAIN"), "intranet");
 * ```
 *
 * @param socket The socket to make a PLAIN server; call before `bind`.
 * @param options `domain` and `maxMessageSize` (default {@linkcode DEFAULT_MAX_MESSAGE_SIZE}).
 * @throws {ZmqError} `EBADVALUE` for bad options.
 */
export function makePlainServer(socket: Socket, options?: ServerSecurityOptions): void {
  const op = "makePlainServer";
  const { domain, maxMessageSize } = checkOptions(options, op);
  limitMessageSize(socket, maxMessageSize, 0, op);
  socket.setOption("PLAIN_SERVER", true);
  if (domain !== undefined) socket.setOption("ZAP_DOMAIN", domain);
}

/**
 * Makes `socket` a PLAIN client with this username and password (at most 255 bytes each). Call
 * before `connect`. Errors never quote the password.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, makePlainClient } from "../mod.ts";
 * using ctx = new Context();
 * using req = ctx.socket("REQ");
 * makePlainClient(req, "admin", "secret");
 * assert.equal(req.getOption("PLAIN_USERNAME"), "admin");
 * assert.throws(() => makePlainClient(req, "admin", "x".repeat(256)), { code: "EBADVALUE" });
 * ```
 *
 * @param socket The socket to make a PLAIN client; call before `connect`.
 * @param username At most 255 bytes of UTF-8.
 * @param password At most 255 bytes of UTF-8; never quoted in an error.
 * @throws {ZmqError} `EBADVALUE` for a name or password that is too long or not a string.
 */

export function makePlainClient(socket: Socket, username: string, password: string): void {
  const op = "makePlainClient";
  const user = checkPlainText(username, "username", op);
  const pass = checkPlainText(password, "password", op);
  socket.setOption("PLAIN_USERNAME", user);
  socket.setOption("PLAIN_PASSWORD", pass);
}
