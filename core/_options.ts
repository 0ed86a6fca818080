// Checking option values before they reach libzmq: the type, and the range libzmq (and the
// kernel under it) accepts, said in the error. A value outside the range is refused here, not
// passed on: libzmq answers a bare EINVAL for some, silently breaks every connection for others
// (TCP keepalive values beyond the kernel's limits), and a few context values abort the process.
// Error messages describe a refused string or bytes value by its length only: option values
// include CURVE secret keys and PLAIN passwords. The option table itself is options.ts.
import {
  CONTEXT_OPTION_SPECS,
  type ContextOptionName,
  type ContextOptionSpec,
  type OptionSpec,
  SOCKET_OPTIONS,
  type SocketOptionName,
} from "./options.ts";
import { badValue, type ErrorContext, type ZmqError, zmqError } from "./errors.ts";
import { optionHint } from "./_names.ts";
import { zmqHas } from "./info.ts";
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

/** The bytes a connection's read or write buffer may take (IN_BATCH_SIZE, OUT_BATCH_SIZE):
 * libzmq allocates that much for every connection and aborts when the allocation fails. */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

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
  IPC_FILTER_PID: from(0, "a process id"),
  IPC_FILTER_UID: from(0, "a user id"),
  IPC_FILTER_GID: from(0, "a group id"),
  HANDSHAKE_IVL: from(0, "0: no limit"),
  HEARTBEAT_IVL: from(0, "0: no heartbeats"),
  // libzmq keeps the TTL in deciseconds in 16 bits
  HEARTBEAT_TTL: between(0, 6_553_599),
  HEARTBEAT_TIMEOUT: from(0),
  CONNECT_TIMEOUT: from(0, "0: the OS default"),
  TCP_MAXRT: from(0, "0: the OS default"),
  MULTICAST_MAXTPDU: from(1),
  VMCI_CONNECT_TIMEOUT: from(-1, "-1: the default"),
  USE_FD: from(-1, "-1: none; else a listening socket's descriptor"),
  GSSAPI_PRINCIPAL_NAMETYPE: between(0, 2, "0 host based, 1 user name, 2 Kerberos principal"),
  GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: between(
    0,
    2,
    "0 host based, 1 user name, 2 Kerberos principal",
  ),
  ROUTER_NOTIFY: between(0, 3, "a bit mask: 1 connects, 2 disconnects"),
  IN_BATCH_SIZE: between(1, MAX_BATCH_BYTES, "bytes read at once per connection"),
  OUT_BATCH_SIZE: between(1, MAX_BATCH_BYTES, "bytes written at once per connection"),
  RECONNECT_STOP: between(
    0,
    7,
    "a bit mask: 1 connection refused, 2 handshake failed, 4 after a disconnect",
  ),
  PRIORITY: from(0, "SO_PRIORITY; above 6 needs CAP_NET_ADMIN or CAP_NET_RAW"),
  BUSY_POLL: from(0, "µs of busy polling, 0: off"),
  NORM_MODE: between(0, 4, "0 fixed, 1 CC, 2 CCL, 3 CCE, 4 CCE ECN only"),
  NORM_BUFFER_SIZE: from(1, "kilobytes"),
  NORM_SEGMENT_SIZE: from(1, "bytes"),
  NORM_BLOCK_SIZE: between(1, 255),
  NORM_NUM_PARITY: between(0, 254),
  NORM_NUM_AUTOPARITY: between(0, 254),
};

/** Shortest and longest value (in bytes) of the string and bytes options libzmq limits. */
const MAX_BYTES: Partial<Record<SocketOptionName, [number, number]>> = {
  ROUTING_ID: [1, 255],
  CONNECT_ROUTING_ID: [1, 255],
  PLAIN_USERNAME: [1, 255],
  PLAIN_PASSWORD: [1, 255],
  // libzmq 4.3.5 refuses an empty ZAP_DOMAIN: a domain once set cannot be cleared
  ZAP_DOMAIN: [1, 255],
  SOCKS_PROXY: [0, 255],
  SOCKS_USERNAME: [0, 255],
  SOCKS_PASSWORD: [0, 255],
  TCP_ACCEPT_FILTER: [0, 255],
  GSSAPI_PRINCIPAL: [1, 255],
  GSSAPI_SERVICE_PRINCIPAL: [1, 255],
  // the kernel's IFNAMSIZ, less the terminating NUL
  BINDTODEVICE: [0, 15],
  // "X-" and at least one character, ":", a value; the name at most 255 bytes
  METADATA: [5, 65535],
};

/** Options whose empty value libzmq takes only as a NULL pointer (which clears them). */
const EMPTY_IS_NULL: ReadonlySet<string> = new Set([
  "SOCKS_PROXY",
  "SOCKS_USERNAME",
  "SOCKS_PASSWORD",
  "TCP_ACCEPT_FILTER",
  "BINDTODEVICE",
  "HELLO_MSG",
  "DISCONNECT_MSG",
  "HICCUP_MSG",
]);

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

/**
 * Throws what libzmq would refuse about using option `name` on this socket, said plainly:
 * EINVAL for a socket type it does not apply to, ENOTSUP for a capability this build lacks.
 */
function checkApplies(name: string, spec: OptionSpec, context: ErrorContext): void {
  const type = context.socketType;
  if (spec.sockets !== undefined && type !== undefined && !spec.sockets.includes(type)) {
    throw zmqError(
      "EINVAL",
      `Option ${name} applies to ${spec.sockets.join(", ")} sockets only; this is a ${type}`,
      context,
    );
  }
  if (spec.needs !== undefined && !zmqHas(spec.needs)) {
    throw zmqError(
      "ENOTSUP",
      `Option ${name} needs a libzmq built with ${spec.needs}; this one is not ` +
        `(zmqHas("${spec.needs}") is false)`,
      context,
    );
  }
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
  if (name === "METADATA") checkMetadata(value as string, context);
}

/** ZMQ_METADATA is one property, "X-Name:value": libzmq takes only that shape. */
function checkMetadata(text: string, context: ErrorContext): void {
  const colon = text.indexOf(":");
  const key = text.slice(0, colon);
  if (
    colon < 3 || colon === text.length - 1 || !key.startsWith("X-") ||
    encoder.encode(key).length > 255 || !/^[A-Za-z0-9.+_-]+$/.test(key)
  ) {
    throw zmqError(
      "EINVAL",
      `Option METADATA takes one property as "X-Name:value" (a name of letters, digits and ` +
        `.+_- after "X-", then a non-empty value); got ${describeValue(text)}`,
      context,
    );
  }
}

/** Checks `value` for socket option `name` and answers it encoded for zmq_setsockopt. */
export function encodeOption(
  name: string,
  spec: OptionSpec,
  value: unknown,
  context: ErrorContext,
): number | bigint | Uint8Array | null {
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
      return bytes.length === 0 && EMPTY_IS_NULL.has(name) ? null : bytes;
    }
    case "string": {
      if (typeof value !== "string") throw refused(value, "a string", context);
      const bytes = encoder.encode(value);
      if (bytes.includes(0)) throw refused(value, "a string without NUL characters", context);
      checkLength(name, bytes, value, context);
      return bytes.length === 0 && EMPTY_IS_NULL.has(name) ? null : bytes;
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

/** The scheduling policies libzmq may give its threads (Linux's numbers): any other aborts. */
export const SCHED_POLICIES = { OTHER: 0, FIFO: 1, RR: 2, BATCH: 3, IDLE: 5 } as const;

const CONTEXT_RANGES: Record<ContextOptionName, Range | "bool" | "readonly" | "name"> = {
  IO_THREADS: between(0, MAX_IO_THREADS, "0: inproc only"),
  MAX_SOCKETS: between(1, MAX_SOCKETS_LIMIT),
  SOCKET_LIMIT: "readonly",
  THREAD_PRIORITY: between(
    0,
    99,
    "1 to 99 with SCHED_FIFO or SCHED_RR; with another policy, above 0 asks for nice -20",
  ),
  THREAD_SCHED_POLICY: {
    intervals: [[0, 3], [5, 5]],
    note: "0 SCHED_OTHER, 1 SCHED_FIFO, 2 SCHED_RR, 3 SCHED_BATCH, 5 SCHED_IDLE",
  },
  MAX_MSGSZ: from(0, "bytes"),
  MSG_T_SIZE: "readonly",
  THREAD_AFFINITY_CPU_ADD: between(0, 1023, "a CPU number"),
  THREAD_AFFINITY_CPU_REMOVE: between(0, 1023, "a CPU number"),
  THREAD_NAME_PREFIX: "name",
  ZERO_COPY_RECV: "bool",
  IPV6: "bool",
  BLOCKY: "bool",
};

/** The spec of a context option by name; EUNKNOWNOPTION otherwise. */
export function contextOptionSpec(name: string, context: ErrorContext): ContextOptionSpec {
  if (typeof name !== "string" || !Object.hasOwn(CONTEXT_OPTION_SPECS, name)) {
    throw zmqError("EUNKNOWNOPTION", `Unknown context option ${nameForMessage(name)}`, context);
  }
  return CONTEXT_OPTION_SPECS[name as ContextOptionName];
}

/** The number of a context option by name; EUNKNOWNOPTION otherwise. */
export function contextOption(name: string, context: ErrorContext): number {
  return contextOptionSpec(name, context).id;
}

/**
 * Checks `value` for context option `name` and answers it encoded: an int for zmq_ctx_set, or
 * bytes for zmq_ctx_set_ext (THREAD_NAME_PREFIX given as text).
 */
export function encodeContextOption(
  name: string,
  value: unknown,
  context: ErrorContext,
): number | Uint8Array {
  const range = CONTEXT_RANGES[name as ContextOptionName];
  if (range === "readonly") {
    throw zmqError("EREADONLY", `Context option ${name} is read-only`, context);
  }
  if (range === "bool") {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value === 0 || value === 1) return value;
    throw refused(value, "a boolean", context);
  }
  if (range === "name") {
    // libzmq names its threads "<prefix>/ZMQbg/..." in 16 bytes; a number becomes its digits
    const want = "a text of 1 to 16 bytes without NUL, or an integer 0 or more";
    if (typeof value === "number") return checkInt(value, from(0), context);
    if (typeof value !== "string") throw refused(value, want, context);
    const bytes = encoder.encode(value);
    if (bytes.length < 1 || bytes.length > 16 || bytes.includes(0)) {
      throw refused(value, want, context, "EINVAL");
    }
    // libzmq takes any 4-byte value as an int ("walk" became "1802264951"): a NUL after a
    // 4-byte name keeps it text, and libzmq's thread names stop at the NUL
    return bytes.length === 4 ? Uint8Array.of(...bytes, 0) : bytes;
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
): [OptionSpec, number | bigint | Uint8Array | null] {
  const spec = optionSpec(name, context);
  if (!spec.set) throw zmqError("EREADONLY", `Option ${name} is read-only`, context);
  const encoded = encodeOption(name, spec, value, context);
  checkApplies(name, spec, context);
  return [spec, encoded];
}

/** Why libzmq cannot read an option it writes, where that is libzmq's own doing. */
const WRITE_ONLY_WHY: Partial<Record<SocketOptionName, string>> = {
  BUSY_POLL: " (libzmq 4.3.5 stores it but its getsockopt answers EINVAL)",
};

/** The spec of socket option `name` (not an alias) for reading; EUNKNOWNOPTION, EWRITEONLY. */
export function optionToGet(name: string, context: ErrorContext): OptionSpec {
  const spec = optionSpec(name, context);
  if (!spec.get) {
    const why = WRITE_ONLY_WHY[name as SocketOptionName] ?? "";
    throw zmqError("EWRITEONLY", `Option ${name} is write-only${why}`, context);
  }
  checkApplies(name, spec, context);
  return spec;
}

// ---- options by number (Socket.setOptionRaw / getOptionRaw) ----

/** Socket option names by libzmq number. */
const OPTION_BY_ID: ReadonlyMap<number, SocketOptionName> = new Map(
  Object.entries(SOCKET_OPTIONS).map(([name, spec]) => [spec.id, name as SocketOptionName]),
);

/** The most bytes a raw option value may have, set or read. */
export const MAX_RAW_BYTES = 65536;

/** The name of the socket option numbered `id`, if this table has one. */
export function optionName(id: number): SocketOptionName | undefined {
  return OPTION_BY_ID.get(id);
}

/** Checks an option number for the raw calls: an integer 0 to 2^31 - 1. */
export function checkOptionId(id: unknown, context: ErrorContext): number {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > INT_MAX) {
    throw badValue(
      `An option number is an integer from 0 to ${INT_MAX}; got ${describeValue(id)}`,
      context,
    );
  }
  return id;
}

/**
 * The value of known option `name` that raw `bytes` stand for, decoded by the option's kind,
 * so that a raw set goes through the same checks as setOption. A size that does not fit the
 * kind is EINVAL, said plainly (libzmq would answer a bare EINVAL).
 */
export function decodeRaw(
  name: SocketOptionName,
  spec: OptionSpec,
  bytes: Uint8Array,
  context: ErrorContext,
): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = (n: number, what: string) => {
    if (bytes.length !== n) {
      throw zmqError(
        "EINVAL",
        `Option ${name} takes ${n} bytes (${what}); got ${bytes.length} bytes`,
        context,
      );
    }
  };
  switch (spec.kind) {
    case "int":
    case "bool":
      size(4, "a native-endian int");
      return view.getInt32(0, true);
    case "int64":
      size(8, "a native-endian int64");
      return view.getBigInt64(0, true);
    case "uint64":
      size(8, "a native-endian uint64");
      return view.getBigUint64(0, true);
    case "key":
      // 32 bytes, or 40 Z85 characters with or without their NUL
      if (bytes.length === 41 && bytes[40] === 0) {
        return new TextDecoder().decode(bytes.slice(0, 40));
      }
      if (bytes.length === 40) return new TextDecoder().decode(bytes);
      return bytes;
    case "string": {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw refused(bytes, "UTF-8 text", context, "EINVAL");
      }
    }
    default:
      return bytes;
  }
}
