// The option tables: every socket and context option by name, its libzmq number, how its value
// is encoded and whether it can be read and written. The checks and the encoding of values live
// beside it, in _options.ts.

/**
 * How an option's value travels through zmq_setsockopt / zmq_getsockopt. `key` is a CURVE key:
 * set as 32 bytes or 40 Z85 characters, read back as Z85 text.
 */
export type OptionKind = "int" | "bool" | "int64" | "uint64" | "bytes" | "string" | "key";

/** One socket option: its libzmq number, value kind, and whether it can be read and written. */
export interface OptionSpec {
  /** libzmq's number for the option (`ZMQ_SNDHWM` is 23). */
  id: number;
  /** How the value is encoded. */
  kind: OptionKind;
  /** Whether zmq_getsockopt accepts it. */
  get: boolean;
  /** Whether zmq_setsockopt accepts it. */
  set: boolean;
}

/**
 * Every socket option by name (libzmq's name without the `ZMQ_` prefix).
 *
 * @example
 * ```ts
 * import { SOCKET_OPTIONS } from "./options.ts";
 * console.log(SOCKET_OPTIONS.SNDHWM.id); // 23
 * ```
 */
export const SOCKET_OPTIONS = {
  AFFINITY: { id: 4, kind: "uint64", get: true, set: true },
  ROUTING_ID: { id: 5, kind: "bytes", get: true, set: true },
  SUBSCRIBE: { id: 6, kind: "bytes", get: false, set: true },
  UNSUBSCRIBE: { id: 7, kind: "bytes", get: false, set: true },
  RATE: { id: 8, kind: "int", get: true, set: true },
  RECOVERY_IVL: { id: 9, kind: "int", get: true, set: true },
  SNDBUF: { id: 11, kind: "int", get: true, set: true },
  RCVBUF: { id: 12, kind: "int", get: true, set: true },
  RCVMORE: { id: 13, kind: "bool", get: true, set: false },
  FD: { id: 14, kind: "int", get: true, set: false },
  EVENTS: { id: 15, kind: "int", get: true, set: false },
  TYPE: { id: 16, kind: "int", get: true, set: false },
  LINGER: { id: 17, kind: "int", get: true, set: true },
  RECONNECT_IVL: { id: 18, kind: "int", get: true, set: true },
  BACKLOG: { id: 19, kind: "int", get: true, set: true },
  RECONNECT_IVL_MAX: { id: 21, kind: "int", get: true, set: true },
  MAXMSGSIZE: { id: 22, kind: "int64", get: true, set: true },
  SNDHWM: { id: 23, kind: "int", get: true, set: true },
  RCVHWM: { id: 24, kind: "int", get: true, set: true },
  MULTICAST_HOPS: { id: 25, kind: "int", get: true, set: true },
  RCVTIMEO: { id: 27, kind: "int", get: true, set: true },
  SNDTIMEO: { id: 28, kind: "int", get: true, set: true },
  LAST_ENDPOINT: { id: 32, kind: "string", get: true, set: false },
  ROUTER_MANDATORY: { id: 33, kind: "bool", get: false, set: true },
  TCP_KEEPALIVE: { id: 34, kind: "int", get: true, set: true },
  TCP_KEEPALIVE_CNT: { id: 35, kind: "int", get: true, set: true },
  TCP_KEEPALIVE_IDLE: { id: 36, kind: "int", get: true, set: true },
  TCP_KEEPALIVE_INTVL: { id: 37, kind: "int", get: true, set: true },
  IMMEDIATE: { id: 39, kind: "bool", get: true, set: true },
  XPUB_VERBOSE: { id: 40, kind: "bool", get: false, set: true },
  ROUTER_RAW: { id: 41, kind: "bool", get: false, set: true },
  IPV6: { id: 42, kind: "bool", get: true, set: true },
  MECHANISM: { id: 43, kind: "int", get: true, set: false },
  PLAIN_SERVER: { id: 44, kind: "bool", get: true, set: true },
  PLAIN_USERNAME: { id: 45, kind: "string", get: true, set: true },
  PLAIN_PASSWORD: { id: 46, kind: "string", get: true, set: true },
  CURVE_SERVER: { id: 47, kind: "bool", get: true, set: true },
  CURVE_PUBLICKEY: { id: 48, kind: "key", get: true, set: true },
  CURVE_SECRETKEY: { id: 49, kind: "key", get: true, set: true },
  CURVE_SERVERKEY: { id: 50, kind: "key", get: true, set: true },
  PROBE_ROUTER: { id: 51, kind: "bool", get: false, set: true },
  REQ_CORRELATE: { id: 52, kind: "bool", get: false, set: true },
  REQ_RELAXED: { id: 53, kind: "bool", get: false, set: true },
  CONFLATE: { id: 54, kind: "bool", get: false, set: true },
  ZAP_DOMAIN: { id: 55, kind: "string", get: true, set: true },
  ROUTER_HANDOVER: { id: 56, kind: "bool", get: false, set: true },
  TOS: { id: 57, kind: "int", get: true, set: true },
  CONNECT_ROUTING_ID: { id: 61, kind: "bytes", get: false, set: true },
  HANDSHAKE_IVL: { id: 66, kind: "int", get: true, set: true },
  SOCKS_PROXY: { id: 68, kind: "string", get: true, set: true },
  XPUB_NODROP: { id: 69, kind: "bool", get: false, set: true },
  XPUB_MANUAL: { id: 71, kind: "bool", get: false, set: true },
  XPUB_WELCOME_MSG: { id: 72, kind: "bytes", get: false, set: true },
  STREAM_NOTIFY: { id: 73, kind: "bool", get: false, set: true },
  INVERT_MATCHING: { id: 74, kind: "bool", get: true, set: true },
  HEARTBEAT_IVL: { id: 75, kind: "int", get: false, set: true },
  HEARTBEAT_TTL: { id: 76, kind: "int", get: false, set: true },
  HEARTBEAT_TIMEOUT: { id: 77, kind: "int", get: false, set: true },
  XPUB_VERBOSER: { id: 78, kind: "bool", get: false, set: true },
  CONNECT_TIMEOUT: { id: 79, kind: "int", get: true, set: true },
  TCP_MAXRT: { id: 80, kind: "int", get: true, set: true },
  THREAD_SAFE: { id: 81, kind: "bool", get: true, set: false },
  MULTICAST_MAXTPDU: { id: 84, kind: "int", get: true, set: true },
  BINDTODEVICE: { id: 92, kind: "string", get: true, set: true },
  // DRAFT options (libzmq 4.3.5 built with DRAFT), the few the DRAFT sockets' tests need; the
  // whole table is another change's (issue 11, item 4)
  METADATA: { id: 95, kind: "string", get: false, set: true },
  ROUTER_NOTIFY: { id: 97, kind: "int", get: true, set: true },
  HELLO_MSG: { id: 110, kind: "bytes", get: false, set: true },
  DISCONNECT_MSG: { id: 111, kind: "bytes", get: false, set: true },
  HICCUP_MSG: { id: 114, kind: "bytes", get: false, set: true },
} as const satisfies Record<string, OptionSpec>;

/** A socket option name, e.g. `"SNDHWM"`, `"LINGER"`, `"ROUTING_ID"`. */
export type SocketOptionName = keyof typeof SOCKET_OPTIONS;

/**
 * Older option names that pyzmq and the tutorial use, accepted by `setOption` and `getOption`:
 * `IDENTITY` is `ROUTING_ID`; `HWM` sets both `SNDHWM` and `RCVHWM` and reads `SNDHWM`, as
 * pyzmq's `socket.hwm` does (libzmq 3 split the old ZMQ_HWM in two).
 *
 * @example
 * ```ts
 * import { Context, SOCKET_OPTION_ALIASES } from "../mod.ts";
 * console.log(SOCKET_OPTION_ALIASES.HWM); // ["SNDHWM", "RCVHWM"]
 * using ctx = new Context();
 * using push = ctx.socket("PUSH");
 * push.setOption("HWM", 10);
 * console.log(push.getOption("RCVHWM")); // 10
 * ```
 */
export const SOCKET_OPTION_ALIASES = {
  IDENTITY: ["ROUTING_ID"],
  HWM: ["SNDHWM", "RCVHWM"],
} as const satisfies Record<string, readonly SocketOptionName[]>;

/** An older option name: `"IDENTITY"` (ROUTING_ID) or `"HWM"` (SNDHWM and RCVHWM). */
export type SocketOptionAlias = keyof typeof SOCKET_OPTION_ALIASES;

/** The option an alias reads and writes first (`HWM` → `SNDHWM`), or `N` itself. */
export type SocketOptionTarget<N extends SocketOptionName | SocketOptionAlias> = N extends
  SocketOptionAlias ? (typeof SOCKET_OPTION_ALIASES)[N][0]
  : N;

/** The JS type accepted when setting an option of kind `K`. */
export type OptionInput<K extends OptionKind> = K extends "int" ? number
  : K extends "bool" ? boolean
  : K extends "int64" | "uint64" ? bigint | number
  : K extends "bytes" | "key" ? Uint8Array | string
  : string;

/** The value type an option takes in `setOption`. */
export type SocketOptionValue<N extends SocketOptionName | SocketOptionAlias> = OptionInput<
  (typeof SOCKET_OPTIONS)[SocketOptionTarget<N>]["kind"]
>;

/** The JS type answered when reading an option of kind `K`. */
export type OptionOutput<K extends OptionKind> = K extends "int" ? number
  : K extends "bool" ? boolean
  : K extends "int64" | "uint64" ? bigint
  : K extends "bytes" ? Uint8Array
  : string;

/** The value type `getOption` answers for an option. */
export type SocketOptionResult<N extends SocketOptionName | SocketOptionAlias> = OptionOutput<
  (typeof SOCKET_OPTIONS)[SocketOptionTarget<N>]["kind"]
>;

/**
 * Context options by name (`zmq_ctx_set` / `zmq_ctx_get`).
 *
 * @example
 * ```ts
 * import { CONTEXT_OPTIONS } from "./options.ts";
 * console.log(CONTEXT_OPTIONS.IO_THREADS); // 1
 * ```
 */
export const CONTEXT_OPTIONS = {
  IO_THREADS: 1,
  MAX_SOCKETS: 2,
  SOCKET_LIMIT: 3,
  IPV6: 42,
  BLOCKY: 70,
} as const;

/** A context option name. */
export type ContextOptionName = keyof typeof CONTEXT_OPTIONS;
