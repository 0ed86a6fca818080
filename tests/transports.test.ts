// Transports and capabilities: zmqHas answers what works (each answer checked against a real
// bind or round trip), ws://, ipc:// with a path and abstract ipc://@name, IPv6 with the IPV6
// option, and tcp source addresses (what the peer sees, read by a plain Deno TCP listener).
import assert from "node:assert/strict";
import { Context, type Socket, ZmqError, zmqHas } from "../mod.ts";
import { throwsWith } from "./_util.ts";

/** A REQ/REP round trip of a two-frame message over `endpoint` (bound by the REP). */
async function roundTrip(ctx: Context, endpoint: string, setup?: (s: Socket) => void) {
  using rep = ctx.socket("REP");
  using req = ctx.socket("REQ");
  setup?.(rep);
  setup?.(req);
  rep.bind(endpoint);
  req.connect(rep.lastEndpoint);
  // over 64 KiB: a WebSocket frame with a 64-bit length, and more than one TCP segment
  const payload = new Uint8Array(70_000);
  crypto.getRandomValues(payload.subarray(0, 65_536));
  crypto.getRandomValues(payload.subarray(65_536));
  await req.send(["hello", payload], { timeout: 5000 });
  const [text, body] = await rep.recvMultipart({ timeout: 5000 });
  assert.equal(new TextDecoder().decode(text), "hello");
  assert.deepEqual(body, payload);
  await rep.send("world", { timeout: 5000 });
  assert.equal(await req.recvString({ timeout: 5000 }), "world");
  return rep.lastEndpoint;
}

/** Whether binding (or, for multicast-only transports, connecting) `endpoint` works here. */
function usable(ctx: Context, type: "PAIR" | "PUB", endpoint: string, bind: boolean): string {
  using s = ctx.socket(type);
  try {
    if (bind) s.bind(endpoint);
    else s.connect(endpoint);
    return "works";
  } catch (e) {
    if (!(e instanceof ZmqError)) throw e;
    return e.code;
  }
}

Deno.test("zmqHas answers what works, not what libzmq's zmq_has says", async () => {
  using ctx = new Context({ linger: 0 });
  // ws://: zmq_has("ws") is 0 in libzmq 4.3.5 (it compares "WS"), yet it works
  assert.equal(zmqHas("ws"), true);
  assert.equal(zmqHas("WS"), true);
  assert.match(await roundTrip(ctx, "ws://127.0.0.1:*"), /^ws:\/\/127\.0\.0\.1:\d+\/$/);
  // tcp and inproc are always there, though zmq_has does not name them
  assert.equal(zmqHas("tcp"), true);
  assert.equal(zmqHas("inproc"), true);
  assert.equal(zmqHas("ipc"), true);
  // every transport zmqHas denies is refused when used, and every one it grants binds
  const tries: [string, "PAIR" | "PUB", string, boolean][] = [
    ["wss", "PAIR", "wss://127.0.0.1:*", true],
    ["tipc", "PAIR", "tipc://{5560,0,0}", true],
    ["pgm", "PUB", "pgm://127.0.0.1;239.192.1.1:5555", false],
    ["epgm", "PUB", "epgm://127.0.0.1;239.192.1.1:5555", false],
    ["norm", "PUB", "norm://127.0.0.1:5555", false],
    ["vmci", "PAIR", "vmci://1:5555", false],
    ["ipc", "PAIR", `ipc:///tmp/deno-zmq-has-${crypto.randomUUID()}`, true],
    ["tcp", "PAIR", "tcp://127.0.0.1:*", true],
  ];
  for (const [name, type, endpoint, bind] of tries) {
    const outcome = usable(ctx, type, endpoint, bind);
    assert.equal(zmqHas(name), outcome === "works", `zmqHas("${name}") but ${outcome}`);
    if (!zmqHas(name)) assert.match(outcome, /^E(PROTONOSUPPORT|AFNOSUPPORT)$/, name);
  }
  assert.equal(zmqHas("curve"), true);
  assert.equal(zmqHas("draft"), true);
  assert.equal(zmqHas("no-such-thing"), false);
});

Deno.test("ws:// carries multipart messages and a resource path", async () => {
  using ctx = new Context({ linger: 0 });
  const endpoint = await roundTrip(ctx, "ws://127.0.0.1:*/chat-room");
  assert.match(endpoint, /^ws:\/\/127\.0\.0\.1:\d+\/chat-room$/);
  // one path segment only: libzmq 4.3.5 takes the path from the last "/" (ws_address.cpp)
  {
    using rep = ctx.socket("REP");
    throwsWith(() => rep.bind("ws://127.0.0.1:*/chat/room"), "EINVAL");
  }
  // pub/sub over ws too, with the subscription travelling upstream
  using pub = ctx.socket("XPUB");
  using sub = ctx.socket("SUB");
  pub.bind("ws://127.0.0.1:*");
  sub.connect(pub.lastEndpoint);
  sub.subscribe("news");
  const subscription = await pub.recv({ timeout: 5000 });
  assert.deepEqual(subscription, new Uint8Array([1, ...new TextEncoder().encode("news")]));
  await pub.send(["news", "over ws"]);
  assert.deepEqual(
    (await sub.recvMultipart({ timeout: 5000 })).map((f) => new TextDecoder().decode(f)),
    ["news", "over ws"],
  );
});

Deno.test("ipc:// with a path, and abstract ipc://@name that leaves no file", async () => {
  using ctx = new Context({ linger: 0 });
  const path = `/tmp/deno-zmq-ipc-${crypto.randomUUID()}`;
  assert.equal(await roundTrip(ctx, `ipc://${path}`), `ipc://${path}`);
  const name = `deno-zmq-abstract-${crypto.randomUUID()}`;
  const listed = async () => (await Deno.readTextFile("/proc/net/unix")).includes(`@${name}`);
  {
    // a context of its own: terminating it waits until libzmq has closed the listener
    using own = new Context({ linger: 0 });
    using pull = own.socket("PULL");
    pull.bind(`ipc://@${name}`);
    assert.equal(pull.lastEndpoint, `ipc://@${name}`);
    // the kernel lists an abstract socket with a leading @, and no file exists for it
    assert.ok(await listed(), "abstract socket not listed");
    assert.throws(() => Deno.statSync(name));
    assert.throws(() => Deno.statSync(`@${name}`));
    using push = own.socket("PUSH");
    push.connect(`ipc://@${name}`);
    await push.send("abstract");
    assert.equal(await pull.recvString({ timeout: 5000 }), "abstract");
  }
  // gone with its socket (libzmq closes the listener asynchronously: by the context's end)
  assert.equal(await listed(), false);
});

Deno.test("IPv6: tcp://[::1] with the IPV6 option, and a clear error without it", async () => {
  using ctx = new Context({ linger: 0 });
  using plain = ctx.socket("PULL");
  const e = throwsWith(() => plain.bind("tcp://[::1]:*"), "ENODEV");
  assert.match(e.message, /needs the IPV6 option/);
  const endpoint = await roundTrip(ctx, "tcp://[::1]:*", (s) => s.setOption("IPV6", true));
  assert.match(endpoint, /^tcp:\/\/\[::1\]:\d+$/);
  // the context's IPV6 is the default of the sockets opened after it
  ctx.setOption("IPV6", true);
  using v6 = ctx.socket("PULL");
  assert.equal(v6.getOption("IPV6"), true);
  v6.bind("tcp://[::1]:*");
  assert.match(v6.lastEndpoint, /^tcp:\/\/\[::1\]:/);
  // an IPv6 socket takes IPv4 peers too (libzmq maps them)
  await roundTrip(ctx, "tcp://127.0.0.1:*");
});

/** A free TCP port in this test file's own range (41000-41999), found by listening on it. */
function freePortInRange(): number {
  for (let tries = 0; tries < 50; tries++) {
    const port = 41000 + Math.floor(Math.random() * 1000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("no free port in 41000-41999");
}

Deno.test("tcp source addresses: the peer sees the address and port asked for", async () => {
  using ctx = new Context({ linger: 0 });
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const target = listener.addr.port;
  const accept = async (endpoint: string): Promise<Deno.NetAddr> => {
    using dealer = ctx.socket("DEALER");
    dealer.connect(endpoint);
    const timer = setTimeout(() => listener.close(), 5000); // a missing connection fails
    try {
      using conn = await listener.accept();
      return conn.remoteAddr;
    } finally {
      clearTimeout(timer);
    }
  };
  // any port, from 127.0.0.2 (all of 127/8 is loopback on Linux)
  const fromAddress = await accept(`tcp://127.0.0.2:0;127.0.0.1:${target}`);
  assert.equal(fromAddress.hostname, "127.0.0.2");
  // a given port
  const port = freePortInRange();
  const fromPort = await accept(`tcp://127.0.0.1:${port};127.0.0.1:${target}`);
  assert.deepEqual([fromPort.hostname, fromPort.port], ["127.0.0.1", port]);
  // and the message still flows with a source address on both ends of a ZeroMQ pair
  await roundTrip(ctx, "tcp://127.0.0.1:*", undefined);
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("tcp://127.0.0.1:*");
  push.connect(`tcp://127.0.0.3:0;${pull.lastEndpoint.slice("tcp://".length)}`);
  await push.send("from 127.0.0.3");
  assert.equal(await pull.recvString({ timeout: 5000 }), "from 127.0.0.3");
});
