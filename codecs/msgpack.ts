/**
 * MessagePack for `Socket.sendSerialized` and `Socket.recvSerialized` (pyzmq's `send_serialized(obj, msgpack.packb)`), through npm:@msgpack/msgpack. Its own entry
 * point, `@zmq/deno/msgpack`: the root module does not import it, so a program that does not
 * use MessagePack does not download it.
 *
 * One value is one frame. Strings, numbers, booleans, null, arrays, plain objects (maps with
 * string keys), `Uint8Array` (MessagePack's bin, Python's `bytes`) and `Date` (the timestamp
 * extension) travel as they are; give `{ useBigInt64: true }` to encode and decode 64-bit
 * integers as bigints (beyond 2^53, numbers lose precision).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context } from "../mod.ts";
 * import { msgpack } from "./msgpack.ts";
 * using ctx = new Context();
 * using push = ctx.socket("PUSH");
 * using pull = ctx.socket("PULL");
 * pull.bind("inproc://msgpack-example");
 * push.connect("inproc://msgpack-example");
 * await push.sendSerialized({ id: 7, tags: ["a", "b"], raw: new Uint8Array([1, 2]) }, msgpack);
 * assert.deepEqual(await pull.recvSerialized(msgpack), {
 *   id: 7,
 *   tags: ["a", "b"],
 *   raw: new Uint8Array([1, 2]),
 * });
 * ```
 *
 * @module
 */
import { Decoder, Encoder } from "npm:@msgpack/msgpack@3.1.3";
import type { Codec } from "../core/codec.ts";

/**
 * Options of {@linkcode msgpackCodec}, handed to the npm package's encoder and decoder. The
 * limits bound what a message from an untrusted peer may make this process allocate.
 */
export interface MsgpackOptions {
  /** Encode and decode 64-bit integers as bigints (default: numbers, exact up to 2^53). */
  useBigInt64?: boolean;
  /** Encode a map's keys sorted: the same value always makes the same bytes. */
  sortKeys?: boolean;
  /** Leave out object fields whose value is `undefined` (default: they encode as nil). */
  ignoreUndefined?: boolean;
  /** The longest string a decoded value may hold, in bytes. */
  maxStrLength?: number;
  /** The longest byte string (bin) a decoded value may hold. */
  maxBinLength?: number;
  /** The most items an array of a decoded value may hold. */
  maxArrayLength?: number;
  /** The most entries a map of a decoded value may hold. */
  maxMapLength?: number;
}

/**
 * A MessagePack codec with `options`: one frame per value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { msgpackCodec } from "./msgpack.ts";
 * const codec = msgpackCodec({ useBigInt64: true });
 * const frame = codec.encode(2n ** 60n) as Uint8Array;
 * assert.equal(codec.decode([frame]), 1152921504606846976n);
 * ```
 *
 * @param options `useBigInt64`, `sortKeys`, `ignoreUndefined`, and decode limits for untrusted peers.
 * @default {{}} @msgpack/msgpack's defaults.
 * @returns The codec, for `sendSerialized` and `recvSerialized`.
 */
export function msgpackCodec(options: MsgpackOptions = {}): Codec<unknown> {
  const { useBigInt64, sortKeys, ignoreUndefined, ...limits } = options;
  const encoderOptions = { useBigInt64, sortKeys, ignoreUndefined };
  const decoderOptions = { useBigInt64, ...limits };
  // one Encoder and one Decoder per codec (encode() and decode() would build them per message);
  // encode answers a copy of the encoder's buffer, and both clone themselves if re-entered
  const encoder = new Encoder(encoderOptions);
  const decoder = new Decoder(decoderOptions);
  return Object.freeze({
    encode: (value: unknown) => encoder.encode(value),
    decode: (frames: Uint8Array[]) => {
      if (frames.length !== 1) {
        throw new TypeError(`MessagePack takes one frame per value; got ${frames.length}`);
      }
      return decoder.decode(frames[0]);
    },
  });
}

/**
 * MessagePack with @msgpack/msgpack's defaults: the codec to pass to `Socket.sendSerialized`
 * and `Socket.recvSerialized`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { msgpack } from "./msgpack.ts";
 * const frame = msgpack.encode({ ok: true }) as Uint8Array;
 * assert.deepEqual(frame, new Uint8Array([0x81, 0xa2, 0x6f, 0x6b, 0xc3])); // {"ok": true}: 5 bytes
 * assert.deepEqual(msgpack.decode([frame]), { ok: true });
 * ```
 */
export const msgpack: Codec<unknown> = msgpackCodec();
