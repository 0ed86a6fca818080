// The whole option table, walked: every socket and context option of libzmq 4.3.5 is set to a
// valid value and read back where libzmq reads it, refused with EBADVALUE for a value of the
// wrong type, with EINVAL out of range, with EREADONLY / EWRITEONLY where libzmq cannot, with
// EINVAL on a socket type it does not apply to, and with ENOTSUP where this build lacks the
// capability. A new option in the table without a line here fails the walk.
import assert from "node:assert/strict";
import {
  Context,
  CONTEXT_OPTION_SPECS,
  type ContextOptionName,
  curveKeypair,
  SOCKET_OPTIONS,
  SOCKET_TYPES,
  type SocketOptionName,
  type SocketType,
  zmqHas,
} from "../mod.ts";
import { throwsWith } from "./_util.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const keys = curveKeypair();

/** A valid value for each settable option, what reading it answers, and one out of range. */
interface Sample {
  value: unknown;
  /** What getOption answers after the set (default: `value`). */
  read?: unknown;
  /** A value of the right type that the option's range refuses (EINVAL). */
  outside?: unknown;
}

const SAMPLES: Record<SocketOptionName, Sample | "readonly"> = {
  AFFINITY: { value: 1n },
  ROUTING_ID: { value: bytes("peer-1"), outside: new Uint8Array(256) },
  SUBSCRIBE: { value: "topic" },
  UNSUBSCRIBE: { value: "topic" },
  RATE: { value: 200, outside: 0 },
  RECOVERY_IVL: { value: 5000, outside: -1 },
  SNDBUF: { value: 65536, outside: -2 },
  RCVBUF: { value: 65536, outside: -2 },
  RCVMORE: "readonly",
  FD: "readonly",
  EVENTS: "readonly",
  TYPE: "readonly",
  LINGER: { value: 0, outside: -2 },
  RECONNECT_IVL: { value: 250, outside: -2 },
  BACKLOG: { value: 50, outside: -1 },
  RECONNECT_IVL_MAX: { value: 1000, outside: -1 },
  MAXMSGSIZE: { value: 4096n, outside: -2n },
  SNDHWM: { value: 10, outside: -1 },
  RCVHWM: { value: 10, outside: -1 },
  MULTICAST_HOPS: { value: 3, outside: 256 },
  RCVTIMEO: { value: 100, outside: -2 },
  SNDTIMEO: { value: 100, outside: -2 },
  IPV4ONLY: { value: false },
  LAST_ENDPOINT: "readonly",
  ROUTER_MANDATORY: { value: true },
  TCP_KEEPALIVE: { value: 1, outside: 2 },
  TCP_KEEPALIVE_CNT: { value: 5, outside: 0 },
  TCP_KEEPALIVE_IDLE: { value: 60, outside: 32768 },
  TCP_KEEPALIVE_INTVL: { value: 10, outside: 0 },
  TCP_ACCEPT_FILTER: { value: "127.0.0.1", outside: "1".repeat(256) },
  IMMEDIATE: { value: true },
  XPUB_VERBOSE: { value: true },
  ROUTER_RAW: { value: false },
  IPV6: { value: true },
  MECHANISM: "readonly",
  PLAIN_SERVER: { value: true },
  PLAIN_USERNAME: { value: "alice", outside: "" },
  PLAIN_PASSWORD: { value: "secret", outside: "p".repeat(256) },
  CURVE_SERVER: { value: true },
  CURVE_PUBLICKEY: { value: keys.publicKey },
  CURVE_SECRETKEY: { value: keys.secretKey },
  CURVE_SERVERKEY: { value: keys.publicKey },
  PROBE_ROUTER: { value: true },
  REQ_CORRELATE: { value: true },
  REQ_RELAXED: { value: true },
  CONFLATE: { value: true },
  ZAP_DOMAIN: { value: "global", outside: "" },
  ROUTER_HANDOVER: { value: true },
  TOS: { value: 16, outside: 256 },
  IPC_FILTER_PID: { value: Deno.pid, outside: -1 },
  IPC_FILTER_UID: { value: 0, outside: -1 },
  IPC_FILTER_GID: { value: 0, outside: -1 },
  CONNECT_ROUTING_ID: { value: "next", outside: "" },
  GSSAPI_SERVER: { value: true },
  GSSAPI_PRINCIPAL: { value: "zmq" },
  GSSAPI_SERVICE_PRINCIPAL: { value: "zmq" },
  GSSAPI_PLAINTEXT: { value: true },
  HANDSHAKE_IVL: { value: 5000, outside: -1 },
  SOCKS_PROXY: { value: "127.0.0.1:1080", outside: "h".repeat(256) },
  XPUB_NODROP: { value: true },
  XPUB_MANUAL: { value: true },
  XPUB_WELCOME_MSG: { value: "welcome" },
  STREAM_NOTIFY: { value: false },
  INVERT_MATCHING: { value: true },
  HEARTBEAT_IVL: { value: 500, outside: -1 },
  // kept in deciseconds: 2050 ms reads back as 2000
  HEARTBEAT_TTL: { value: 2050, read: 2000, outside: 6_553_600 },
  HEARTBEAT_TIMEOUT: { value: 1500, outside: -1 },
  XPUB_VERBOSER: { value: true },
  CONNECT_TIMEOUT: { value: 300, outside: -1 },
  TCP_MAXRT: { value: 3000, outside: -1 },
  THREAD_SAFE: "readonly",
  MULTICAST_MAXTPDU: { value: 1400, outside: 0 },
  VMCI_BUFFER_SIZE: { value: 1024n },
  VMCI_BUFFER_MIN_SIZE: { value: 1024n },
  VMCI_BUFFER_MAX_SIZE: { value: 1024n },
  VMCI_CONNECT_TIMEOUT: { value: 100 },
  USE_FD: { value: -1, outside: -2 },
  GSSAPI_PRINCIPAL_NAMETYPE: { value: 1 },
  GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: { value: 1 },
  BINDTODEVICE: { value: "lo", outside: "x".repeat(16) },
  ZAP_ENFORCE_DOMAIN: { value: true },
  LOOPBACK_FASTPATH: { value: true },
  METADATA: { value: "X-Tenant:blue", outside: "Tenant:blue" },
  MULTICAST_LOOP: { value: false },
  ROUTER_NOTIFY: { value: 3, outside: 4 },
  XPUB_MANUAL_LAST_VALUE: { value: true },
  SOCKS_USERNAME: { value: "proxy-user", outside: "u".repeat(256) },
  SOCKS_PASSWORD: { value: "proxy-pass", outside: "p".repeat(256) },
  IN_BATCH_SIZE: { value: 4096, outside: 0 },
  OUT_BATCH_SIZE: { value: 4096, outside: 64 * 1024 * 1024 + 1 },
  WSS_KEY_PEM: { value: "-----BEGIN PRIVATE KEY-----" },
  WSS_CERT_PEM: { value: "-----BEGIN CERTIFICATE-----" },
  WSS_TRUST_PEM: { value: "-----BEGIN CERTIFICATE-----" },
  WSS_HOSTNAME: { value: "localhost" },
  WSS_TRUST_SYSTEM: { value: true },
  ONLY_FIRST_SUBSCRIBE: { value: true },
  RECONNECT_STOP: { value: 3, outside: 8 },
  HELLO_MSG: { value: bytes("hello") },
  DISCONNECT_MSG: { value: bytes("gone") },
  PRIORITY: { value: 1, outside: -1 },
  BUSY_POLL: { value: 0, outside: -1 },
  HICCUP_MSG: { value: bytes("hiccup") },
  XSUB_VERBOSE_UNSUBSCRIBE: { value: true },
  TOPICS_COUNT: "readonly",
  NORM_MODE: { value: 1, outside: 5 },
  NORM_UNICAST_NACK: { value: true },
  NORM_BUFFER_SIZE: { value: 1024, outside: 0 },
  NORM_SEGMENT_SIZE: { value: 1400, outside: 0 },
  NORM_BLOCK_SIZE: { value: 16, outside: 256 },
  NORM_NUM_PARITY: { value: 4, outside: 255 },
  NORM_NUM_AUTOPARITY: { value: 0, outside: 255 },
  NORM_PUSH: { value: true },
};

/** A value of the wrong type for each kind. */
const WRONG_TYPE: Record<string, unknown> = {
  int: "5",
  bool: "yes",
  int64: "5",
  uint64: 1.5,
  bytes: 5,
  string: bytes("not a string"),
  key: 5,
};

/** The socket type to try an option on: the first it applies to that this build can open. */
function typeFor(sockets: readonly string[] | undefined): SocketType {
  const usable = (sockets ?? ["DEALER"]).filter((t) => Object.hasOwn(SOCKET_TYPES, t));
  return (usable[0] ?? "DEALER") as SocketType;
}

Deno.test("every socket option: set, read back, wrong type, out of range, wrong socket", () => {
  using ctx = new Context({ linger: 0 });
  const names = Object.keys(SOCKET_OPTIONS) as SocketOptionName[];
  assert.deepEqual(names.filter((n) => !(n in SAMPLES)), [], "options without a sample");
  let checked = 0;
  for (const name of names) {
    const spec = SOCKET_OPTIONS[name];
    const sample = SAMPLES[name];
    const type = typeFor("sockets" in spec ? spec.sockets : undefined);
    using socket = ctx.socket(type);
    const set = (value: unknown) => socket.setOption(name, value as never);
    if ("needs" in spec && !zmqHas(spec.needs)) {
      // not in this build: said so by name, both ways
      if (spec.set) {
        const e = throwsWith(() => set((sample as Sample).value), "ENOTSUP");
        assert.match(e.message, new RegExp(`needs a libzmq built with ${spec.needs}`));
      }
      if (spec.get) throwsWith(() => socket.getOption(name), "ENOTSUP");
      checked++;
      continue;
    }
    if (sample === "readonly") {
      assert.equal(spec.set, false, `${name} has a sample`);
      throwsWith(() => set(1), "EREADONLY");
      assert.doesNotThrow(() => socket.getOption(name), name);
      checked++;
      continue;
    }
    assert.equal(spec.set, true, `${name} is settable`);
    throwsWith(() => set(WRONG_TYPE[spec.kind]), "EBADVALUE");
    if (sample.outside !== undefined) {
      // a 64-bit value beyond its range is refused like a wrong type: nothing may wrap around
      const code = spec.kind === "int64" || spec.kind === "uint64" ? "EBADVALUE" : "EINVAL";
      throwsWith(() => set(sample.outside), code);
    }
    set(sample.value);
    if (spec.get) {
      const read = socket.getOption(name);
      const want = sample.read ?? sample.value;
      assert.deepEqual(
        read instanceof Uint8Array ? new TextDecoder().decode(read) : read,
        want instanceof Uint8Array ? new TextDecoder().decode(want) : want,
        `${name} read back`,
      );
    } else {
      throwsWith(() => socket.getOption(name), "EWRITEONLY");
    }
    // an option for some socket types only, on another: EINVAL naming the types
    if ("sockets" in spec) {
      const applies: readonly string[] = spec.sockets;
      const other = (Object.keys(SOCKET_TYPES) as SocketType[]).find((t) => !applies.includes(t))!;
      using wrong = ctx.socket(other);
      const e = throwsWith(() => wrong.setOption(name, sample.value as never), "EINVAL");
      assert.match(e.message, /applies to .* sockets only/);
    }
    checked++;
  }
  assert.equal(checked, names.length);
});

Deno.test("the heartbeat options read back (they used to be EWRITEONLY)", () => {
  using ctx = new Context({ linger: 0 });
  using dealer = ctx.socket("DEALER");
  assert.equal(dealer.getOption("HEARTBEAT_IVL"), 0);
  assert.equal(dealer.getOption("HEARTBEAT_TIMEOUT"), -1);
  dealer.setOption("HEARTBEAT_IVL", 250);
  dealer.setOption("HEARTBEAT_TTL", 3000);
  dealer.setOption("HEARTBEAT_TIMEOUT", 750);
  assert.deepEqual(
    [
      dealer.getOption("HEARTBEAT_IVL"),
      dealer.getOption("HEARTBEAT_TTL"),
      dealer.getOption("HEARTBEAT_TIMEOUT"),
    ],
    [250, 3000, 750],
  );
});

Deno.test("text options clear with an empty value where libzmq allows it", () => {
  using ctx = new Context({ linger: 0 });
  using dealer = ctx.socket("DEALER");
  dealer.setOption("SOCKS_PROXY", "127.0.0.1:1080");
  dealer.setOption("SOCKS_PROXY", "");
  assert.equal(dealer.getOption("SOCKS_PROXY"), "");
  dealer.setOption("BINDTODEVICE", "lo");
  dealer.setOption("BINDTODEVICE", "");
  assert.equal(dealer.getOption("BINDTODEVICE"), "");
  throwsWith(() => dealer.setOption("SOCKS_PROXY", "a\0b"), "EBADVALUE");
});

/** Valid values for the context options this test sets, and one out of range. */
const CONTEXT_SAMPLES: Record<ContextOptionName, Sample | "readonly"> = {
  IO_THREADS: { value: 2, outside: 65 },
  MAX_SOCKETS: { value: 512, outside: 0 },
  SOCKET_LIMIT: "readonly",
  THREAD_PRIORITY: { value: 0, outside: 100 },
  THREAD_SCHED_POLICY: { value: 3, outside: 4 }, // SCHED_BATCH; 4 is no policy on Linux
  MAX_MSGSZ: { value: 1 << 20, outside: -1 },
  MSG_T_SIZE: "readonly",
  THREAD_AFFINITY_CPU_ADD: { value: 0, outside: 1024 },
  THREAD_AFFINITY_CPU_REMOVE: { value: 0, outside: -1 },
  // four bytes: libzmq would take them for an int (see core/_options.ts)
  THREAD_NAME_PREFIX: { value: "walk", outside: "x".repeat(17) },
  ZERO_COPY_RECV: { value: false, read: 0 },
  IPV6: { value: true, read: 1 },
  BLOCKY: { value: false, read: 0 },
};

Deno.test("every context option: set, read back, wrong type, out of range", () => {
  const names = Object.keys(CONTEXT_OPTION_SPECS) as ContextOptionName[];
  assert.deepEqual(names.filter((n) => !(n in CONTEXT_SAMPLES)), []);
  using ctx = new Context();
  for (const name of names) {
    const spec = CONTEXT_OPTION_SPECS[name];
    const sample = CONTEXT_SAMPLES[name];
    const set = (value: unknown) => ctx.setOption(name, value as never);
    if (sample === "readonly") {
      throwsWith(() => set(1), "EREADONLY");
      assert.ok((ctx.getOption(name) as number) > 0, name);
      continue;
    }
    throwsWith(() => set(spec.kind === "string" ? true : "5"), "EBADVALUE");
    if (sample.outside !== undefined) throwsWith(() => set(sample.outside), "EINVAL");
    set(sample.value);
    if (spec.get) assert.equal(ctx.getOption(name), sample.read ?? sample.value, name);
    else throwsWith(() => ctx.getOption(name), "EWRITEONLY");
  }
  assert.equal(ctx.getOption("MSG_T_SIZE"), 64);
  assert.equal(ctx.getOption("SOCKET_LIMIT"), 65535);
  // the threads start with the first socket; their options would change nothing after it
  using push = ctx.socket("PUSH");
  const late = throwsWith(() => ctx.setOption("THREAD_NAME_PREFIX", "late"), "EINVAL");
  assert.match(late.message, /has started them/);
  assert.equal(ctx.getOption("THREAD_NAME_PREFIX"), "walk");
  push.close();
});

Deno.test("the context's threads are named after THREAD_NAME_PREFIX and pinned by affinity", async () => {
  using ctx = new Context({ ioThreads: 1 });
  ctx.setOption("THREAD_NAME_PREFIX", "optwalk");
  ctx.setOption("THREAD_AFFINITY_CPU_ADD", 0);
  using push = ctx.socket("PUSH");
  // the threads name themselves once running: look until both have (a bounded wait)
  let names: string[] = [];
  let pinned: string[] = [];
  for (let tries = 0; tries < 200 && names.length < 2; tries++) {
    if (tries > 0) await new Promise((r) => setTimeout(r, 10));
    names = [];
    pinned = [];
    for await (const entry of Deno.readDir("/proc/self/task")) {
      const dir = `/proc/self/task/${entry.name}`;
      const name = (await Deno.readTextFile(`${dir}/comm`)).trim();
      if (!name.startsWith("optwalk/")) continue;
      names.push(name);
      const status = await Deno.readTextFile(`${dir}/status`);
      pinned.push(/Cpus_allowed_list:\s*(\S+)/.exec(status)![1]);
    }
  }
  // libzmq's reaper and one I/O thread: "<prefix>/ZMQbg/Reaper" and "<prefix>/ZMQbg/IO/0",
  // cut to the kernel's 15 characters
  assert.equal(names.length, 2, `threads: ${names}`);
  assert.deepEqual(pinned, ["0", "0"]);
  push.close();
});

Deno.test("no error of a secret option shows the secret, named or by number", () => {
  using ctx = new Context({ linger: 0 });
  using dealer = ctx.socket("DEALER");
  const secret = `proxy-${crypto.randomUUID()}`;
  const tooLong = secret.repeat(10);
  const attempts: (() => unknown)[] = [
    () => dealer.setOption("SOCKS_PASSWORD", tooLong),
    () => dealer.setOption("SOCKS_PASSWORD", `${secret}\0`),
    () => dealer.setOption("SOCKS_PASSWORD", bytes(secret) as never),
    () => dealer.setOption("SOCKS_USERNAME", tooLong),
    () => dealer.setOption("WSS_KEY_PEM", secret),
    () => dealer.setOption("METADATA", secret),
    () => dealer.setOptionRaw(100, bytes(tooLong)),
    () => dealer.setOptionRaw(46, bytes(tooLong)),
    () => dealer.setOptionRaw(49, bytes(secret)),
    () => dealer.setOptionRaw(100, new Uint8Array([0xff, ...bytes(secret)])),
    () => ctx.setOption("THREAD_NAME_PREFIX", secret),
  ];
  for (const attempt of attempts) {
    let error: unknown;
    try {
      attempt();
    } catch (e) {
      error = e;
    }
    assert.ok(error !== undefined, `accepted: ${attempt}`);
    for (const text of [String(error), Deno.inspect(error), JSON.stringify(error)]) {
      assert.ok(!text.includes(secret.slice(6, 20)), `shows the secret: ${text}`);
    }
  }
  dealer.setOption("SOCKS_PASSWORD", secret);
  assert.equal(dealer.getOption("SOCKS_PASSWORD"), secret);
  assert.ok(!Deno.inspect(dealer).includes(secret.slice(6, 20)));
});
