// Small helpers that set a socket's security options by role, before bind or connect.
import {
  type CurveKeypair,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  type Socket,
} from "../core/mod.ts";

/** Options of the `make*Server` helpers. */
export interface ServerSecurityOptions {
  /** The ZAP domain the authenticator sees (`ZAP_DOMAIN`); default none (`"*"` rules apply). */
  domain?: string;
}

/**
 * Makes `socket` a CURVE server: sets `CURVE_SERVER`, its secret (and public) key and, if given,
 * the ZAP domain. Call before `bind`. `secret` is a key pair or a secret key (40 Z85 characters
 * or 32 bytes); bad keys throw a ZmqError of code `EINVAL`.
 *
 * @example
 * ```ts
 * import { Context, curveKeypair, makeCurveServer } from "../mod.ts";
 * using ctx = new Context();
 * using rep = ctx.socket("REP");
 * const keys = curveKeypair(); // give keys.publicKey to the clients
 * makeCurveServer(rep, keys);
 * rep.bind("tcp://127.0.0.1:*");
 * ```
 */
export function makeCurveServer(
  socket: Socket,
  secret: CurveKeypair | string | Uint8Array,
  options: ServerSecurityOptions = {},
): void {
  const secretKey = curveKeyToZ85(
    typeof secret === "object" && !(secret instanceof Uint8Array) ? secret?.secretKey : secret,
    "secret key",
  );
  socket.setOption("CURVE_SERVER", true);
  socket.setOption("CURVE_SECRETKEY", secretKey);
  socket.setOption("CURVE_PUBLICKEY", curvePublic(secretKey));
  if (options.domain !== undefined) socket.setOption("ZAP_DOMAIN", options.domain);
}

/**
 * Makes `socket` a CURVE client of the server whose public key is `serverPublicKey`, with the
 * client key pair `keypair` (a new one if omitted). Call before `connect`. Answers the client
 * key pair in use (its public key is what the server's authenticator allows).
 *
 * @example
 * ```ts
 * import { Context, curveKeypair, makeCurveClient } from "../mod.ts";
 * using ctx = new Context();
 * using req = ctx.socket("REQ");
 * const server = curveKeypair();
 * const mine = makeCurveClient(req, server.publicKey);
 * console.log(mine.publicKey.length); // 40
 * ```
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
  return { publicKey, secretKey };
}

/**
 * Makes `socket` a PLAIN server (`PLAIN_SERVER`; usernames and passwords are checked by an
 * {@linkcode Authenticator}). PLAIN sends the password in clear text: use it only on trusted
 * networks, or prefer CURVE.
 */
export function makePlainServer(socket: Socket, options: ServerSecurityOptions = {}): void {
  socket.setOption("PLAIN_SERVER", true);
  if (options.domain !== undefined) socket.setOption("ZAP_DOMAIN", options.domain);
}

/** Makes `socket` a PLAIN client with this username and password. Call before `connect`. */
export function makePlainClient(socket: Socket, username: string, password: string): void {
  socket.setOption("PLAIN_USERNAME", username);
  socket.setOption("PLAIN_PASSWORD", password);
}
