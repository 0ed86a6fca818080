// Serialization hooks: pyzmq's send_serialized / recv_serialized. A codec turns a value into
// the frames of one message and back; JSON is built in, MessagePack is its own entry point
// (codecs/msgpack.ts) so that a program that does not use it does not download it.
import type { Frame } from "./socket.ts";
import { badValue, type ErrorContext, type ZmqError, zmqError } from "./errors.ts";

/**
 * Turns values into the frames of one message and back (pyzmq's `serialize` / `deserialize`
 * pair). `encode` may answer one frame or several (a multipart message: a header frame and a
 * body, say); `decode` gets every frame of a received message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Codec } from "../mod.ts";
 * // a header frame naming the type, then the JSON body
 * const typed: Codec<{ type: string; body: unknown }> = {
 *   encode: ({ type, body }) => [type, JSON.stringify(body)],
 *   decode: ([type, body]) => ({
 *     type: new TextDecoder().decode(type),
 *     body: JSON.parse(new TextDecoder().decode(body)),
 *   }),
 * };
 * assert.deepEqual(typed.encode({ type: "point", body: [1, 2] }), ["point", "[1,2]"]);
 * ```
 */
export interface Codec<T = unknown> {
  /** The frames of the message that carries `value`. */
  encode(value: T): Frame | Frame[];
  /** The value a received message's frames carry. */
  decode(frames: Uint8Array[]): T;
}

/** A codec, or just its encoding function (pyzmq's `serialize`). */
export type Encoder<T> = Codec<T> | ((value: T) => Frame | Frame[]);
/** A codec, or just its decoding function (pyzmq's `deserialize`). */
export type Decoder<T> = Codec<T> | ((frames: Uint8Array[]) => T);

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON in one UTF-8 frame: what {@linkcode Socket.sendJson} and {@linkcode Socket.recvJson}
 * send and receive, as a codec. A message of more than one frame does not decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, jsonCodec } from "../mod.ts";
 * using ctx = new Context();
 * using push = ctx.socket("PUSH");
 * using pull = ctx.socket("PULL");
 * pull.bind("inproc://json-codec");
 * push.connect("inproc://json-codec");
 * await push.sendSerialized({ num: 1 }, jsonCodec);
 * assert.deepEqual(await pull.recvSerialized(jsonCodec), { num: 1 });
 * ```
 */
export const jsonCodec: Codec<unknown> = Object.freeze({
  encode(value: unknown): Frame {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
    return text;
  },
  decode(frames: Uint8Array[]): unknown {
    if (frames.length !== 1) throw new TypeError(`JSON takes 1 frame; got ${frames.length}`);
    return JSON.parse(utf8.decode(frames[0]));
  },
});

/** ECODEC, with what the codec threw as its cause (its message is the codec's, not the data). */
function codecError(what: string, cause: unknown, context: ErrorContext): ZmqError {
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  const error = zmqError("ECODEC", `${what} (${reason.slice(0, 200)})`, context);
  Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true });
  return error;
}

function checkCodec(codec: unknown, side: "encode" | "decode", context: ErrorContext): void {
  if (
    typeof codec !== "function" &&
    (typeof codec !== "object" || codec === null ||
      typeof (codec as Record<string, unknown>)[side] !== "function")
  ) {
    throw badValue(`Takes a codec ({ encode, decode }) or a function to ${side} with`, context);
  }
}

/** The frames `encoder` makes of `value`; ECODEC (with the cause) if it throws. */
export function encodeValue<T>(encoder: Encoder<T>, value: T, context: ErrorContext): Frame[] {
  checkCodec(encoder, "encode", context);
  let frames: Frame | Frame[];
  try {
    frames = typeof encoder === "function" ? encoder(value) : encoder.encode(value);
  } catch (e) {
    throw codecError("The codec could not encode the value", e, context);
  }
  const list = Array.isArray(frames) ? frames : [frames];
  if (list.length === 0 || list.some((f) => typeof f !== "string" && !(f instanceof Uint8Array))) {
    throw zmqError(
      "ECODEC",
      "The codec's encode must answer a frame (string or Uint8Array) or a non-empty array of them",
      context,
    );
  }
  return list;
}

/** The value `decoder` reads from `frames`; ECODEC (with the cause) if it throws. */
export function decodeValue<T>(
  decoder: Decoder<T>,
  frames: Uint8Array[],
  context: ErrorContext,
): T {
  checkCodec(decoder, "decode", context);
  try {
    return typeof decoder === "function" ? decoder(frames) : decoder.decode(frames);
  } catch (e) {
    throw codecError(
      `The codec could not decode a message of ${frames.length} frame(s), ${
        frames.reduce((n, f) => n + f.length, 0)
      } bytes`,
      e,
      context,
    );
  }
}

/** Checks a decoder before a receive takes a message that it could not hand over. */
export function checkDecoder(decoder: unknown, context: ErrorContext): void {
  checkCodec(decoder, "decode", context);
}
