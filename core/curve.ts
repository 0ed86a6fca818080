// CURVE key pairs and Z85 text (ZeroMQ RFC 32), through libzmq's own functions. Input is
// checked here first, so bad input is a ZmqError with a code, never a crash in native code.
import * as backend from "./_backend.ts";
import { describeValue } from "./_util.ts";
import { type ErrorContext, errorFromErrno, type ZmqError, zmqError } from "./errors.ts";

/** A CURVE key pair as two 40-character Z85 strings. */
export interface CurveKeypair {
  /** The public key: share it with peers. */
  publicKey: string;
  /** The secret key: keep it private. */
  secretKey: string;
}

/** Z85's 85 characters, in value order (ZeroMQ RFC 32). */
export const Z85_ALPHABET =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

const Z85_CHARS = new Set(Z85_ALPHABET);

function invalid(detail: string, context: ErrorContext): ZmqError {
  return zmqError("EINVAL", detail, context);
}

/**
 * Encodes bytes as Z85 text (ZeroMQ RFC 32). The length must be a multiple of 4; a 32-byte CURVE
 * key gives 40 characters. Throws a ZmqError with code `EINVAL` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z85Encode } from "../mod.ts";
 * const bytes = new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
 * assert.equal(z85Encode(bytes), "HelloWorld");
 * ```
 *
 * @param bytes A multiple of 4 bytes.
 * @returns The Z85 text, 5 characters per 4 bytes.
 * @throws {ZmqError} `EINVAL` for a length that is not a multiple of 4 or a value that is not bytes.
 */
export function z85Encode(bytes: Uint8Array): string {
  const context = { op: "z85Encode" };
  if (!(bytes instanceof Uint8Array)) {
    throw invalid(`z85Encode takes a Uint8Array; got ${describeValue(bytes)}`, context);
  }
  if (bytes.length % 4 !== 0) {
    throw invalid(
      `Z85 encodes a multiple of 4 bytes; got ${bytes.length} bytes`,
      context,
    );
  }
  if (bytes.length === 0) return "";
  const text = backend.z85Encode(bytes);
  if (text === null) throw invalid("libzmq could not encode the bytes as Z85", context);
  return text;
}

/**
 * Decodes Z85 text (ZeroMQ RFC 32) to bytes. The length must be a multiple of 5 and every
 * character must be in Z85's alphabet; throws a ZmqError with code `EINVAL` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z85Decode } from "../mod.ts";
 * assert.deepEqual(z85Decode("HelloWorld"), new Uint8Array([134, 79, 210, 111, 181, 89, 247, 91]));
 * assert.throws(() => z85Decode("Hell"), { code: "EINVAL" }); // not a multiple of 5 characters
 * ```
 *
 * @param text Z85 text, a multiple of 5 characters.
 * @returns The bytes, 4 per 5 characters.
 * @throws {ZmqError} `EINVAL` naming the first character outside Z85's alphabet, or a bad length.
 */
export function z85Decode(text: string): Uint8Array {
  const context = { op: "z85Decode" };
  if (typeof text !== "string") {
    throw invalid(`z85Decode takes a string; got ${describeValue(text)}`, context);
  }
  if (text.length % 5 !== 0) {
    throw invalid(
      `Z85 text has a length that is a multiple of 5; got ${text.length} characters`,
      context,
    );
  }
  for (let i = 0; i < text.length; i++) {
    if (!Z85_CHARS.has(text[i])) {
      throw invalid(
        `Character ${JSON.stringify(text[i])} at index ${i} is not in the Z85 alphabet`,
        context,
      );
    }
  }
  if (text.length === 0) return new Uint8Array(0);
  // each group of 5 characters must fit in 32 bits ("%%%%%" does not)
  const out = backend.z85Decode(text, context);
  if (out === null) {
    throw invalid("Z85 text encodes a value above 2^32 - 1 in a group of 5 characters", context);
  }
  return out;
}

function needCurve(op: string): void {
  if (!backend.has("curve")) {
    throw zmqError(
      "ENOTSUP",
      'This libzmq was built without CURVE (see zmqHas("curve") and DENO_ZMQ_LIBRARY)',
      { op },
    );
  }
}

/**
 * Checks a CURVE key given as 40 Z85 characters or 32 bytes and answers it as Z85 text.
 * Throws a ZmqError with code `EINVAL` naming what is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveKeypair, curveKeyToZ85 } from "../mod.ts";
 * const { publicKey } = curveKeypair();
 * assert.equal(curveKeyToZ85(publicKey), publicKey);
 * ```
 *
 * @param key 40 Z85 characters or 32 bytes.
 * @param what What to call the key in an error.
 * @default {"key"}
 * @returns The key as 40 Z85 characters.
 * @throws {ZmqError} `EINVAL` for anything else (the key is never quoted).
 */
export function curveKeyToZ85(key: string | Uint8Array, what = "key"): string {
  const context = { op: "curve key" };
  if (typeof key === "string") {
    if (key.length !== 40) {
      throw invalid(
        `A CURVE ${what} is 40 Z85 characters or 32 bytes; got ${describeValue(key)}`,
        context,
      );
    }
    z85Decode(key); // checks the alphabet
    return key;
  }
  if (key instanceof Uint8Array) {
    if (key.length !== 32) {
      throw invalid(
        `A CURVE ${what} is 40 Z85 characters or 32 bytes; got ${describeValue(key)}`,
        context,
      );
    }
    return z85Encode(key);
  }
  throw invalid(
    `A CURVE ${what} is 40 Z85 characters or 32 bytes; got ${describeValue(key)}`,
    context,
  );
}

/**
 * Generates a new CURVE key pair with libzmq (`zmq_curve_keypair`), as Z85 text.
 * Throws a ZmqError with code `ENOTSUP` if this libzmq has no CURVE.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveKeypair } from "../mod.ts";
 * const { publicKey, secretKey } = curveKeypair();
 * assert.equal(publicKey.length, 40);
 * assert.equal(secretKey.length, 40);
 * ```
 *
 * @returns A new key pair, both keys as 40 Z85 characters.
 * @throws {ZmqError} `ENOTSUP` when this libzmq has no CURVE.
 */
export function curveKeypair(): CurveKeypair {
  needCurve("curveKeypair");
  const pair = backend.curveKeypair();
  if (typeof pair === "number") {
    throw errorFromErrno(pair, "libzmq could not generate a CURVE key pair", {
      op: "curveKeypair",
    });
  }
  return pair;
}

/**
 * Derives the public key from a CURVE secret key (`zmq_curve_public`). The secret key is 40 Z85
 * characters or 32 bytes; the answer is Z85 text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveKeypair, curvePublic } from "../mod.ts";
 * const pair = curveKeypair();
 * assert.equal(curvePublic(pair.secretKey), pair.publicKey);
 * ```
 *
 * @param secretKey The secret key, 40 Z85 characters or 32 bytes.
 * @returns Its public key as 40 Z85 characters.
 * @throws {ZmqError} `EINVAL` for a bad key, `ENOTSUP` when this libzmq has no CURVE.
 */
export function curvePublic(secretKey: string | Uint8Array): string {
  needCurve("curvePublic");
  const secret = curveKeyToZ85(secretKey, "secret key");
  const publicKey = backend.curvePublic(secret, { op: "curvePublic" });
  if (publicKey === null) {
    throw invalid("libzmq could not derive the public key", { op: "curvePublic" });
  }
  return publicKey;
}
