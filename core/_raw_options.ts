// Socket options by number (Socket.setOptionRaw / getOptionRaw): the escape hatch for an
// option this library has no name for. A number the option table knows takes the named path,
// with all its checks (so the raw path cannot pass a value libzmq would abort on); any other
// number goes to libzmq as it is, in a buffer padded so that libzmq never reads past it.
import { getsockoptRaw, setsockoptRaw } from "./_backend.ts";
import { badValue, type ErrorContext } from "./errors.ts";
import { SOCKET_OPTIONS } from "./options.ts";
import { checkOptionId, decodeRaw, MAX_RAW_BYTES, optionName, optionToGet } from "./_options.ts";
import type { SocketCore } from "./_socket_core.ts";
import { describeValue } from "./_util.ts";

const ZMQ_EVENTS = SOCKET_OPTIONS.EVENTS.id;

/** The bytes of a raw option value: a Uint8Array of at most MAX_RAW_BYTES. */
function checkRawBytes(bytes: unknown, context: ErrorContext): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_RAW_BYTES) {
    throw badValue(
      `setOptionRaw takes a Uint8Array of at most ${MAX_RAW_BYTES} bytes; got ${
        describeValue(bytes)
      }`,
      context,
    );
  }
  return bytes;
}

/** Sets option number `id` of `core`'s socket to `bytes`. */
export function setOptionRaw(
  core: SocketCore,
  id: unknown,
  bytes: unknown,
  context: ErrorContext,
): void {
  core.live("setOptionRaw", context);
  const n = checkOptionId(id, context);
  const value = checkRawBytes(bytes, context);
  const name = optionName(n);
  if (name !== undefined) {
    const named = { ...context, option: name };
    return core.setOption(name, decodeRaw(name, SOCKET_OPTIONS[name], value, named), named);
  }
  core.withPointer("setOptionRaw", context, (ptr) => setsockoptRaw(ptr, n, value, context));
}

/** Reads option number `id` of `core`'s socket into `size` bytes; answers those libzmq wrote. */
export function getOptionRaw(
  core: SocketCore,
  id: unknown,
  size: unknown,
  context: ErrorContext,
): Uint8Array {
  core.live("getOptionRaw", context);
  const n = checkOptionId(id, context);
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > MAX_RAW_BYTES) {
    throw badValue(
      `getOptionRaw takes a size of 0 to ${MAX_RAW_BYTES} bytes; got ${describeValue(size)}`,
      context,
    );
  }
  const name = optionName(n);
  if (name !== undefined) optionToGet(name, { ...context, option: name });
  const value = core.withPointer(
    "getOptionRaw",
    context,
    (ptr) => getsockoptRaw(ptr, n, size, context),
  );
  if (n === ZMQ_EVENTS) core.afterOp(); // reading ZMQ_EVENTS consumed the fd's edge
  return value;
}
