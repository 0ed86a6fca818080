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
  /** The socket types libzmq takes it on (absent: every type). */
  sockets?: readonly string[];
  /**
   * The capability libzmq must be built with for it (as `zmqHas` names it), e.g. `"gssapi"`:
   * without it the option is refused with `ENOTSUP`, naming the capability.
   */
  needs?: string;
  /** Part of libzmq's DRAFT API (zmq.h's `ZMQ_BUILD_DRAFT_API` section). */
  draft?: boolean;
  /** The value is a secret (a key or a password): never shown, not even in part. */
  secret?: boolean;
  /** Kept by libzmq for old programs; the text says what to use instead. */
  deprecated?: string;
}

const ROUTER_ONLY = ["ROUTER"] as const;
const XPUB_ONLY = ["XPUB"] as const;

/**
 * Every socket option of libzmq 4.3.5, stable and DRAFT, by name (libzmq's name without the
 * `ZMQ_` prefix), with its number, its value's kind and whether libzmq reads and writes it.
 * `get` and `set` are what this libzmq really does (measured on the binary): the heartbeat
 * options read back, `BUSY_POLL` does not (4.3.5's getsockopt answers EINVAL for it), and the
 * socket-type options (`ROUTER_*`, `XPUB_*`, `REQ_*`, `SUBSCRIBE`) are write-only.
 * `sockets` lists the types an option applies to; `needs` names a capability this build may
 * lack (gssapi, vmci, wss, norm: not in npm:zeromq's build); `draft` marks DRAFT options.
 * Ranges are checked before libzmq sees a value; see the README's "Socket options" section.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SOCKET_OPTIONS } from "./options.ts";
 * assert.equal(SOCKET_OPTIONS.SNDHWM.id, 23);
 * assert.deepEqual(SOCKET_OPTIONS.ROUTER_NOTIFY.sockets, ["ROUTER"]);
 * ```
 */
export const SOCKET_OPTIONS = {
  AFFINITY: { id: 4, kind: "uint64", get: true, set: true },
  ROUTING_ID: { id: 5, kind: "bytes", get: true, set: true },
  SUBSCRIBE: { id: 6, kind: "bytes", get: false, set: true, sockets: ["SUB"] },
  UNSUBSCRIBE: { id: 7, kind: "bytes", get: false, set: true, sockets: ["SUB"] },
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
  IPV4ONLY: { id: 31, kind: "bool", get: true, set: true, deprecated: "use IPV6 (its opposite)" },
  LAST_ENDPOINT: { id: 32, kind: "string", get: true, set: false },
  ROUTER_MANDATORY: { id: 33, kind: "bool", get: false, set: true, sockets: ROUTER_ONLY },
  TCP_KEEPALIVE: { id: 34, kind: "int", get: true, set: true },
  TCP_KEEPALIVE_CNT: { id: 35, kind: "int", get: true, set: true },
  TCP_KEEPALIVE_IDLE: { id: 36, kind: "int", get: true, set: true },
  TCP_KEEPALIVE_INTVL: { id: 37, kind: "int", get: true, set: true },
  TCP_ACCEPT_FILTER: {
    id: 38,
    kind: "string",
    get: false,
    set: true,
    deprecated: "use an Authenticator's allow list (ZAP)",
  },
  IMMEDIATE: { id: 39, kind: "bool", get: true, set: true },
  XPUB_VERBOSE: { id: 40, kind: "bool", get: false, set: true, sockets: XPUB_ONLY },
  ROUTER_RAW: {
    id: 41,
    kind: "bool",
    get: false,
    set: true,
    sockets: ROUTER_ONLY,
    deprecated: "use a STREAM socket",
  },
  IPV6: { id: 42, kind: "bool", get: true, set: true },
  MECHANISM: { id: 43, kind: "int", get: true, set: false },
  PLAIN_SERVER: { id: 44, kind: "bool", get: true, set: true },
  PLAIN_USERNAME: { id: 45, kind: "string", get: true, set: true },
  PLAIN_PASSWORD: { id: 46, kind: "string", get: true, set: true, secret: true },
  CURVE_SERVER: { id: 47, kind: "bool", get: true, set: true },
  CURVE_PUBLICKEY: { id: 48, kind: "key", get: true, set: true },
  CURVE_SECRETKEY: { id: 49, kind: "key", get: true, set: true, secret: true },
  CURVE_SERVERKEY: { id: 50, kind: "key", get: true, set: true },
  PROBE_ROUTER: {
    id: 51,
    kind: "bool",
    get: false,
    set: true,
    sockets: ["ROUTER", "DEALER", "REQ"],
  },
  REQ_CORRELATE: { id: 52, kind: "bool", get: false, set: true, sockets: ["REQ"] },
  REQ_RELAXED: { id: 53, kind: "bool", get: false, set: true, sockets: ["REQ"] },
  CONFLATE: { id: 54, kind: "bool", get: true, set: true },
  ZAP_DOMAIN: { id: 55, kind: "string", get: true, set: true },
  ROUTER_HANDOVER: { id: 56, kind: "bool", get: false, set: true, sockets: ROUTER_ONLY },
  TOS: { id: 57, kind: "int", get: true, set: true },
  IPC_FILTER_PID: {
    id: 58,
    kind: "int",
    get: false,
    set: true,
    deprecated: "use an Authenticator (ZAP)",
  },
  IPC_FILTER_UID: {
    id: 59,
    kind: "int",
    get: false,
    set: true,
    deprecated: "use an Authenticator (ZAP)",
  },
  IPC_FILTER_GID: {
    id: 60,
    kind: "int",
    get: false,
    set: true,
    deprecated: "use an Authenticator (ZAP)",
  },
  CONNECT_ROUTING_ID: {
    id: 61,
    kind: "bytes",
    get: false,
    set: true,
    sockets: ["ROUTER", "STREAM"],
  },
  GSSAPI_SERVER: { id: 62, kind: "bool", get: true, set: true, needs: "gssapi" },
  GSSAPI_PRINCIPAL: { id: 63, kind: "string", get: true, set: true, needs: "gssapi" },
  GSSAPI_SERVICE_PRINCIPAL: { id: 64, kind: "string", get: true, set: true, needs: "gssapi" },
  GSSAPI_PLAINTEXT: { id: 65, kind: "bool", get: true, set: true, needs: "gssapi" },
  HANDSHAKE_IVL: { id: 66, kind: "int", get: true, set: true },
  SOCKS_PROXY: { id: 68, kind: "string", get: true, set: true },
  XPUB_NODROP: {
    id: 69,
    kind: "bool",
    get: false,
    set: true,
    sockets: ["XPUB", "PUB", "RADIO"],
  },
  XPUB_MANUAL: { id: 71, kind: "bool", get: false, set: true, sockets: XPUB_ONLY },
  XPUB_WELCOME_MSG: { id: 72, kind: "bytes", get: false, set: true, sockets: XPUB_ONLY },
  STREAM_NOTIFY: { id: 73, kind: "bool", get: false, set: true, sockets: ["STREAM"] },
  INVERT_MATCHING: { id: 74, kind: "bool", get: true, set: true },
  HEARTBEAT_IVL: { id: 75, kind: "int", get: true, set: true },
  HEARTBEAT_TTL: { id: 76, kind: "int", get: true, set: true },
  HEARTBEAT_TIMEOUT: { id: 77, kind: "int", get: true, set: true },
  XPUB_VERBOSER: { id: 78, kind: "bool", get: false, set: true, sockets: XPUB_ONLY },
  CONNECT_TIMEOUT: { id: 79, kind: "int", get: true, set: true },
  TCP_MAXRT: { id: 80, kind: "int", get: true, set: true },
  THREAD_SAFE: { id: 81, kind: "bool", get: true, set: false },
  MULTICAST_MAXTPDU: { id: 84, kind: "int", get: true, set: true },
  VMCI_BUFFER_SIZE: { id: 85, kind: "uint64", get: false, set: true, needs: "vmci" },
  VMCI_BUFFER_MIN_SIZE: { id: 86, kind: "uint64", get: false, set: true, needs: "vmci" },
  VMCI_BUFFER_MAX_SIZE: { id: 87, kind: "uint64", get: false, set: true, needs: "vmci" },
  VMCI_CONNECT_TIMEOUT: { id: 88, kind: "int", get: false, set: true, needs: "vmci" },
  USE_FD: { id: 89, kind: "int", get: true, set: true },
  GSSAPI_PRINCIPAL_NAMETYPE: { id: 90, kind: "int", get: true, set: true, needs: "gssapi" },
  GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: {
    id: 91,
    kind: "int",
    get: true,
    set: true,
    needs: "gssapi",
  },
  BINDTODEVICE: { id: 92, kind: "string", get: true, set: true },
  // ---- DRAFT options (zmq.h's ZMQ_BUILD_DRAFT_API section) ----
  ZAP_ENFORCE_DOMAIN: { id: 93, kind: "bool", get: true, set: true, draft: true },
  LOOPBACK_FASTPATH: { id: 94, kind: "bool", get: true, set: true, draft: true },
  METADATA: { id: 95, kind: "string", get: false, set: true, draft: true },
  MULTICAST_LOOP: { id: 96, kind: "bool", get: true, set: true, draft: true },
  ROUTER_NOTIFY: { id: 97, kind: "int", get: true, set: true, sockets: ROUTER_ONLY, draft: true },
  XPUB_MANUAL_LAST_VALUE: {
    id: 98,
    kind: "bool",
    get: false,
    set: true,
    sockets: XPUB_ONLY,
    draft: true,
  },
  SOCKS_USERNAME: { id: 99, kind: "string", get: true, set: true, draft: true },
  SOCKS_PASSWORD: { id: 100, kind: "string", get: true, set: true, draft: true, secret: true },
  IN_BATCH_SIZE: { id: 101, kind: "int", get: true, set: true, draft: true },
  OUT_BATCH_SIZE: { id: 102, kind: "int", get: true, set: true, draft: true },
  WSS_KEY_PEM: {
    id: 103,
    kind: "string",
    get: false,
    set: true,
    needs: "wss",
    draft: true,
    secret: true,
  },
  WSS_CERT_PEM: { id: 104, kind: "string", get: false, set: true, needs: "wss", draft: true },
  WSS_TRUST_PEM: { id: 105, kind: "string", get: false, set: true, needs: "wss", draft: true },
  WSS_HOSTNAME: { id: 106, kind: "string", get: false, set: true, needs: "wss", draft: true },
  WSS_TRUST_SYSTEM: { id: 107, kind: "bool", get: false, set: true, needs: "wss", draft: true },
  ONLY_FIRST_SUBSCRIBE: {
    id: 108,
    kind: "bool",
    get: false,
    set: true,
    sockets: ["XPUB", "XSUB"],
    draft: true,
  },
  RECONNECT_STOP: { id: 109, kind: "int", get: true, set: true, draft: true },
  HELLO_MSG: {
    id: 110,
    kind: "bytes",
    get: false,
    set: true,
    sockets: ["ROUTER", "DEALER", "CLIENT", "SERVER", "PEER"],
    draft: true,
  },
  DISCONNECT_MSG: {
    id: 111,
    kind: "bytes",
    get: false,
    set: true,
    sockets: ["ROUTER", "SERVER", "PEER"],
    draft: true,
  },
  PRIORITY: { id: 112, kind: "int", get: true, set: true, draft: true },
  // libzmq 4.3.5's getsockopt stores BUSY_POLL and then answers EINVAL: write-only in effect
  BUSY_POLL: { id: 113, kind: "int", get: false, set: true, draft: true },
  HICCUP_MSG: {
    id: 114,
    kind: "bytes",
    get: false,
    set: true,
    sockets: ["DEALER", "CLIENT", "PEER"],
    draft: true,
  },
  XSUB_VERBOSE_UNSUBSCRIBE: {
    id: 115,
    kind: "bool",
    get: false,
    set: true,
    sockets: ["XSUB"],
    draft: true,
  },
  TOPICS_COUNT: {
    id: 116,
    kind: "int",
    get: true,
    set: false,
    sockets: ["PUB", "SUB", "XPUB", "XSUB"],
    draft: true,
  },
  NORM_MODE: { id: 117, kind: "int", get: true, set: true, needs: "norm", draft: true },
  NORM_UNICAST_NACK: { id: 118, kind: "bool", get: true, set: true, needs: "norm", draft: true },
  NORM_BUFFER_SIZE: { id: 119, kind: "int", get: true, set: true, needs: "norm", draft: true },
  NORM_SEGMENT_SIZE: { id: 120, kind: "int", get: true, set: true, needs: "norm", draft: true },
  NORM_BLOCK_SIZE: { id: 121, kind: "int", get: true, set: true, needs: "norm", draft: true },
  NORM_NUM_PARITY: { id: 122, kind: "int", get: true, set: true, needs: "norm", draft: true },
  NORM_NUM_AUTOPARITY: {
    id: 123,
    kind: "int",
    get: true,
    set: true,
    needs: "norm",
    draft: true,
  },
  NORM_PUSH: { id: 124, kind: "bool", get: true, set: true, needs: "norm", draft: true },
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
 * import assert from "node:assert/strict";
 * import { Context, SOCKET_OPTION_ALIASES } from "../mod.ts";
 * assert.deepEqual(SOCKET_OPTION_ALIASES.HWM, ["SNDHWM", "RCVHWM"]);
 * using ctx = new Context();
 * using push = ctx.socket("PUSH");
 * push.setOption("HWM", 10);
 * assert.equal(push.getOption("RCVHWM"), 10);
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
 * Context options by name (`zmq_ctx_set` / `zmq_ctx_get`), as libzmq numbers them. Two share a
 * number: `THREAD_PRIORITY` (set) and `SOCKET_LIMIT` (read) are both 3 in zmq.h.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTEXT_OPTIONS } from "./options.ts";
 * assert.equal(CONTEXT_OPTIONS.IO_THREADS, 1);
 * ```
 */
export const CONTEXT_OPTIONS = {
  IO_THREADS: 1,
  MAX_SOCKETS: 2,
  SOCKET_LIMIT: 3,
  THREAD_PRIORITY: 3,
  THREAD_SCHED_POLICY: 4,
  MAX_MSGSZ: 5,
  MSG_T_SIZE: 6,
  THREAD_AFFINITY_CPU_ADD: 7,
  THREAD_AFFINITY_CPU_REMOVE: 8,
  THREAD_NAME_PREFIX: 9,
  ZERO_COPY_RECV: 10,
  IPV6: 42,
  BLOCKY: 70,
} as const;

/** A context option name. */
export type ContextOptionName = keyof typeof CONTEXT_OPTIONS;

/** One context option: its number, value kind, and whether it can be read and written. */
export interface ContextOptionSpec {
  /** libzmq's number for the option. */
  id: number;
  /** `int` and `bool` values are ints in libzmq; `string` goes through `zmq_ctx_set_ext`. */
  kind: "int" | "bool" | "string";
  /** Whether zmq_ctx_get answers it. */
  get: boolean;
  /** Whether zmq_ctx_set takes it. */
  set: boolean;
  /** Part of libzmq's DRAFT API. */
  draft?: boolean;
  /**
   * Applied when libzmq starts the context's threads (its first socket): refused afterwards,
   * when it would change nothing.
   */
  beforeStart?: boolean;
}

/**
 * Every context option of libzmq 4.3.5 with its kind and whether libzmq reads and writes it
 * (measured: the thread options are write-only, except the name prefix and the policy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTEXT_OPTION_SPECS } from "./options.ts";
 * assert.equal(CONTEXT_OPTION_SPECS.MSG_T_SIZE.get, true);
 * assert.equal(CONTEXT_OPTION_SPECS.THREAD_PRIORITY.get, false);
 * ```
 */
export const CONTEXT_OPTION_SPECS = {
  IO_THREADS: { id: 1, kind: "int", get: true, set: true },
  MAX_SOCKETS: { id: 2, kind: "int", get: true, set: true },
  SOCKET_LIMIT: { id: 3, kind: "int", get: true, set: false },
  THREAD_PRIORITY: { id: 3, kind: "int", get: false, set: true, beforeStart: true },
  THREAD_SCHED_POLICY: { id: 4, kind: "int", get: true, set: true, beforeStart: true },
  MAX_MSGSZ: { id: 5, kind: "int", get: true, set: true },
  MSG_T_SIZE: { id: 6, kind: "int", get: true, set: false },
  THREAD_AFFINITY_CPU_ADD: { id: 7, kind: "int", get: false, set: true, beforeStart: true },
  THREAD_AFFINITY_CPU_REMOVE: { id: 8, kind: "int", get: false, set: true, beforeStart: true },
  THREAD_NAME_PREFIX: { id: 9, kind: "string", get: true, set: true, beforeStart: true },
  ZERO_COPY_RECV: { id: 10, kind: "bool", get: true, set: true, draft: true },
  IPV6: { id: 42, kind: "bool", get: true, set: true },
  BLOCKY: { id: 70, kind: "bool", get: true, set: true },
} as const satisfies Record<ContextOptionName, ContextOptionSpec>;

/** The value `Context.setOption` takes for option `N`: a number (or boolean), or text. */
export type ContextOptionValue<N extends ContextOptionName> = N extends "THREAD_NAME_PREFIX"
  ? string | number
  : number | boolean;

/** The value `Context.getOption` answers for option `N`: a number, or text. */
export type ContextOptionResult<N extends ContextOptionName> = N extends "THREAD_NAME_PREFIX"
  ? string
  : number;
