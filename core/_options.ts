// Checking option values before they reach libzmq: the type, and the range libzmq (and the
// kernel under it) accepts, said in the error. A value outside the range is refused here, not
// passed on: libzmq answers a bare EINVAL for some, silently breaks every connection for others
// (TCP keepalive values beyond the kernel's limits), and a few context values abort the process.
// Error messages describe a refused string or bytes value by its length only: option values
// include CURVE secret keys and PLAIN passwords. The option table itself is options.ts.
import {
  CONTEXT_OPTIONS,
  type ContextOptionName,
  type OptionSpec,
  SOCKET_OPTIONS,
  type SocketOptionName,
} from "./options.ts";
import { type ErrorContext, type ZmqError, zmqError } from "./errors.ts";
import { optionHint } from "./_names.ts";
import { describeValue } from "./_util.ts";

const encoder = new TextEncoder();
const INT_MAX = 2 ** 31 - 1;

/** Allowed values: one or more closed intervals, and what the special values mean. */
interface Range {
  intervals: [number, number][];
  /** Explains special values, e.g. "-1: the OS default". */
  note?: string;
}

const from = (min: number, note?: string): Range => ({ intervals: [[min, INT_MAX]], note });
const between = (min: number, max: number, note?: string): Range => ({
  intervals: [[min, max]],
  note,
});
/** -1 (the OS default) or 1..max: the kernel refuses 0 and larger values (measured: every
 * connection of a socket with TCP_KEEPALIVE_IDLE 65536 silently fails). */
const osDefaultOr = (max: number): Range => ({
  intervals: [[-1, -1], [1, max]],
  note: "-1: the OS default",
});

/** Ranges of the integer socket options (libzmq 4.3.5's options.cpp, Linux's TCP limits). */
const INT_RANGES: Partial<Record<SocketOptionName, Range>> = {
  RATE: from(1),
  RECOVERY_IVL: from(0),
  SNDBUF: from(-1, "-1: the OS default"),
  RCVBUF: from(-1, "-1: the OS default"),
  LINGER: from(-1, "-1: wait for ever"),
  RECONNECT_IVL: from(-1, "-1: no reconnection"),
  BACKLOG: from(0),
  RECONNECT_IVL_MAX: from(0, "0: no exponential backoff"),
  SNDHWM: from(0, "0: no limit"),
  RCVHWM: from(0, "0: no limit"),
  MULTICAST_HOPS: between(1, 255),
  RCVTIMEO: from(-1, "-1: wait for ever"),
  SNDTIMEO: from(-1, "-1: wait for ever"),
  TCP_KEEPALIVE: between(-1, 1, "-1: the OS default"),
  TCP_KEEPALIVE_CNT: osDefaultOr(127),
  TCP_KEEPALIVE_IDLE: osDefaultOr(32767),
  TCP_KEEPALIVE_INTVL: osDefaultOr(32767),
  TOS: between(0, 255),
  HANDSHAKE_IVL: from(0, "0: no limit"),
  HEARTBEAT_IVL: from(0, "0: no heartbeats"),
  // libzmq keeps the TTL in deciseconds in 16 bits
  HEARTBEAT_TTL: between(0, 6_553_599),
  HEARTBEAT_TIMEOUT: from(0),
  CONNECT_TIMEOUT: from(0, "0: the OS default"),
  TCP_MAXRT: from(0, "0: the OS default"),
  MULTICAST_MAXTPDU: from(1),
};

/** Longest value (in bytes) of the string and bytes options libzmq limits. */
const MAX_BYTES: Partial<Record<SocketOptionName, [number, number]>> = {
  ROUTING_ID: [1, 255],
  CONNECT_ROUTING_ID: [1, 255],
  PLAIN_USERNAME: [1, 255],
  PLAIN_PASSWORD: [1, 255],
  ZAP_DOMAIN: [0, 255],
};

/** The 64-bit options: [min, max] as bigints. */
const BIG_RANGES: Partial<Record<SocketOptionName, [bigint, bigint, string]>> = {
  MAXMSGSIZE: [-1n, 2n ** 63n - 1n, "a byte count, -1: no limit"],
  AFFINITY: [0n, 2n ** 64n - 1n, "a bit mask of I/O threads"],
};

function describeRange(r: Range): string {
  const parts = r.intervals.map(([a, b]) => a === b ? `${a}` : `${a} to ${b}`);
  return `an integer ${parts.join(" or ")}${r.note ? ` (${r.note})` : ""}`;
}

function inRange(r: Range, value: number): boolean {
  return r.intervals.some(([a, b]) => value >= a && value <= b);
}

/** A refused option value: EBADVALUE for the wrong type, EINVAL outside libzmq's range. */
function refused(
  value: unknown,
  want: string,
  context: ErrorContext,
  code: "EBADVALUE" | "EINVAL" = "EBADVALUE",
): ZmqError {
  return zmqError(
    code,
    `Option ${context.option} takes ${want}; got ${describeValue(value)}`,
    context,
  );
}

/** An unknown option's name for a message: shown if it looks like one, else described (a
 * secret passed as the name by mistake must not be printed). */
function nameForMessage(name: unknown): string {
  return typeof name === "string" && /^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name)
    ? JSON.stringify(name)
    : `(${describeValue(name)})`;
}

/** How an error's context names an option: its name when it is one we know, else described. */
export function optionLabel(name: unknown, table: object = SOCKET_OPTIONS): string {
  if (typeof name === "string" && Object.hasOwn(table, name)) return name;
  return nameForMessage(name);
}

/** The spec of a socket option by name; EUNKNOWNOPTION otherwise. */
export function optionSpec(name: string, context: ErrorContext): OptionSpec {
  if (typeof name !== "string" || !Object.hasOwn(SOCKET_OPTIONS, name)) {
    throw zmqError(
      "EUNKNOWNOPTION",
      `Unknown socket option ${nameForMessage(name)}${optionHint(name)}`,
      context,
    );
  }
  return SOCKET_OPTIONS[name as SocketOptionName];
}

function checkInt(value: unknown, range: Range | undefined, context: ErrorContext): number {
  const want = range ? describeRange(range) : "a 32-bit integer";
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < -(2 ** 31) || value > INT_MAX
  ) {
    throw refused(value, want, context);
  }
  if (range && !inRange(range, value)) throw refused(value, want, context, "EINVAL");
  return value === 0 ? 0 : value; // -0 is refused by i32 FFI parameters
}

function checkLength(name: string, bytes: Uint8Array, value: unknown, context: ErrorContext) {
  const limits = MAX_BYTES[name as SocketOptionName];
  if (limits && (bytes.length < limits[0] || bytes.length > limits[1])) {
    throw refused(value, `${limits[0]} to ${limits[1]} bytes`, context, "EINVAL");
  }
}

/** Checks `value` for socket option `name` and answers it encoded for zmq_setsockopt. */
export function encodeOption(
  name: string,
  spec: OptionSpec,
  value: unknown,
  context: ErrorContext,
): number | bigint | Uint8Array {
  switch (spec.kind) {
    case "int":
      return checkInt(value, INT_RANGES[name as SocketOptionName], context);
    case "bool":
      if (typeof value === "boolean") return value ? 1 : 0;
      if (value === 0 || value === 1) return value;
      throw refused(value, "a boolean", context);
    case "int64":
    case "uint64": {
      const [min, max, what] = BIG_RANGES[name as SocketOptionName] ??
        (spec.kind === "int64"
          ? [-(2n ** 63n), 2n ** 63n - 1n, "a 64-bit integer"]
          : [0n, 2n ** 64n - 1n, "a 64-bit unsigned integer"]);
      const want = `an integer or bigint from ${min} to ${max} (${what})`;
      let big: bigint;
      if (typeof value === "bigint") big = value;
      else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
      else throw refused(value, want, context);
      // never let a value wrap around 64 bits (2^64 + 1000 would become 1000)
      if (big < min || big > max) throw refused(value, want, context);
      return big;
    }
    case "bytes": {
      let bytes: Uint8Array;
      if (typeof value === "string") bytes = encoder.encode(value);
      else if (value instanceof Uint8Array) bytes = value;
      else throw refused(value, "a string or Uint8Array", context);
      checkLength(name, bytes, value, context);
      return bytes;
    }
    case "string": {
      if (typeof value !== "string") throw refused(value, "a string", context);
      const bytes = encoder.encode(value);
      checkLength(name, bytes, value, context);
      return bytes;
    }
    case "key":
      if (typeof value === "string" && value.length === 40) return encoder.encode(value);
      if (value instanceof Uint8Array && value.length === 32) return value;
      throw refused(value, "a 40-character Z85 key or 32 bytes", context);
  }
}

// ---- context options ----

/** The largest MAX_SOCKETS: libzmq's ZMQ_SOCKET_LIMIT on this platform. Above it, libzmq sizes
 * its slot table from an int that overflows and aborts (std::length_error). */
export const MAX_SOCKETS_LIMIT = 65535;
/** The most I/O threads a context may ask for (AFFINITY addresses 64; each thread needs two
 * file descriptors, which libzmq cannot do without: it aborts when epoll_create fails). */
export const MAX_IO_THREADS = 64;

const CONTEXT_RANGES: Record<ContextOptionName, Range | "bool" | "readonly"> = {
  IO_THREADS: between(0, MAX_IO_THREADS, "0: inproc only"),
  MAX_SOCKETS: between(1, MAX_SOCKETS_LIMIT),
  SOCKET_LIMIT: "readonly",
  IPV6: "bool",
  BLOCKY: "bool",
};

/** The number of a context option by name; EUNKNOWNOPTION otherwise. */
export function contextOption(name: string, context: ErrorContext): number {
  if (typeof name !== "string" || !Object.hasOwn(CONTEXT_OPTIONS, name)) {
    throw zmqError("EUNKNOWNOPTION", `Unknown context option ${nameForMessage(name)}`, context);
  }
  return CONTEXT_OPTIONS[name as ContextOptionName];
}

/** Checks `value` for context option `name` and answers it as an int for zmq_ctx_set. */
export function encodeContextOption(name: string, value: unknown, context: ErrorContext): number {
  const range = CONTEXT_RANGES[name as ContextOptionName];
  if (range === "readonly") {
    throw zmqError("EREADONLY", `Context option ${name} is read-only`, context);
  }
  if (range === "bool") {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === 0 || value === 1) return value;
    throw refused(value, "a boolean", context);
  }
  return checkInt(value, range, context);
}

// ---- what Socket.setOption and getOption check ----

/**
 * The spec of socket option `name` (not an alias) and `value` encoded for zmq_setsockopt.
 * Throws EUNKNOWNOPTION, EREADONLY, or the value's EBADVALUE / EINVAL.
 */
export function optionToSet(
  name: string,
  value: unknown,
  context: ErrorContext,
): [OptionSpec, number | bigint | Uint8Array] {
  const spec = optionSpec(name, context);
  if (!spec.set) throw zmqError("EREADONLY", `Option ${name} is read-only`, context);
  return [spec, encodeOption(name, spec, value, context)];
}

/** The spec of socket option `name` (not an alias) for reading; EUNKNOWNOPTION, EWRITEONLY. */
export function optionToGet(name: string, context: ErrorContext): OptionSpec {
  const spec = optionSpec(name, context);
  if (!spec.get) throw zmqError("EWRITEONLY", `Option ${name} is write-only`, context);
  return spec;
}
