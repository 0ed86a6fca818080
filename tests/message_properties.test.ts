// Message properties (zmq_msg_gets through recvMessage): the standard ones per transport, a
// peer's METADATA, the User-Id and metadata an Authenticator's identify attaches (PLAIN and
// CURVE), identify failing closed, a User-Id claimed by a raw ZMTP peer, and the frames' own
// buffers. Handshakes are awaited through monitor events; every wait is bounded.
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  curveKeypair,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  type Message,
  waitForEvent,
  type ZapDecision,
} from "../mod.ts";
import { greeting, ready } from "../fuzz/_zmtp.ts";
import { assertRefused } from "./_auth.ts";
import { text, throwsWith, within } from "./_util.ts";

const decoder = new TextDecoder();

Deno.test("properties: Socket-Type, Peer-Address and a DEALER's ROUTING_ID over tcp", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  using dealer = ctx.socket("DEALER");
  dealer.setOption("ROUTING_ID", "alice");
  const port = router.bindToRandomPort();
  dealer.connect(`tcp://127.0.0.1:${port}`);
  await dealer.send(["a", "b"]);
  const m = await within(router.recvMessage(), 5000, "the DEALER's message");
  assert.deepEqual(text(m.frames), ["alice", "a", "b"]);
  assert.equal(m.get("Socket-Type"), "DEALER");
  assert.equal(m.get("Peer-Address"), "127.0.0.1");
  assert.equal(m.get("Routing-Id"), "alice");
  assert.equal(m.get("Identity"), "alice"); // libzmq's older name
  assert.equal(m.get("User-Id"), undefined); // no authenticator
  assert.equal(m.routingId, undefined); // a ROUTER's routing id is the first frame
  assert.equal(m.group, undefined);
  assert.deepEqual(m.properties, {
    "Socket-Type": "DEALER",
    "Routing-Id": "alice",
    "Peer-Address": "127.0.0.1",
  });
});

Deno.test("properties: ipc says the peer's process, inproc has none at all", async () => {
  await using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  const path = `ipc:///tmp/zmq-deno-props-${Deno.pid}`;
  pull.bind(path);
  push.connect(path);
  await push.send("over ipc");
  const m = await within(pull.recvMessage(), 5000, "the ipc message");
  assert.equal(m.get("Socket-Type"), "PUSH");
  // libzmq writes the peer's credentials: "<host>:<pid>:<uid>:<gid>" style text with the pid
  assert.match(m.get("Peer-Address") ?? "", new RegExp(`:${Deno.pid}$`));

  using a = ctx.socket("PAIR");
  using b = ctx.socket("PAIR");
  a.bind("inproc://props-inproc");
  b.connect("inproc://props-inproc");
  await b.send("over inproc");
  const n = await within(a.recvMessage(), 5000, "the inproc message");
  assert.equal(decoder.decode(n.frames[0]), "over inproc");
  assert.deepEqual(n.properties, {});
  assert.equal(n.get("Socket-Type"), undefined);
});

Deno.test("properties: a peer's METADATA arrives when asked for; other names throw EBADVALUE", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("SERVER");
  using client = ctx.socket("CLIENT");
  client.setOption("METADATA", "X-Tenant:acme");
  client.setOption("METADATA", "X-Region:eu-west");
  const port = server.bindToRandomPort();
  client.connect(`tcp://127.0.0.1:${port}`);
  await client.send("hi");
  const m = await within(
    server.recvMessage({ properties: ["X-Tenant", "X-Region", "X-Missing"] }),
    5000,
    "the message",
  );
  assert.equal(m.get("X-Tenant"), "acme");
  assert.equal(m.get("X-Region"), "eu-west");
  assert.equal(m.get("X-Missing"), undefined);
  assert.equal(m.get("Socket-Type"), "CLIENT");
  const e = throwsWith(() => m.get("X-Other"), "EBADVALUE");
  assert.match(e.message, /recvMessage\(\{ properties: \["X-Other"\] \}\)/);
  throwsWith(() => client.setOption("METADATA", "no-prefix:value"), "EINVAL"); // libzmq: X- only
});

/** A ROUTER server on `ctx` with `secure` applied, bound to a random port: [router, endpoint]. */
function routerServer(
  ctx: Context,
  secure: (router: ReturnType<Context["socket"]>) => void,
): [ReturnType<Context["socket"]>, string] {
  const router = ctx.socket("ROUTER");
  secure(router);
  const port = router.bindToRandomPort();
  return [router, `tcp://127.0.0.1:${port}`];
}

Deno.test("PLAIN: the username arrives as User-Id, with the metadata identify attached", async () => {
  await using ctx = new Context({ linger: 0 });
  const seen: ZapDecision[] = [];
  await using auth = await new Authenticator(ctx, {
    identify: (d) => ({ metadata: { "X-Tenant": d.userId === "admin" ? "ops" : "guests" } }),
    onDecision: (d) => seen.push(d),
  }).start();
  auth.configurePlain({ passwords: { admin: "secret" } });
  const [router, endpoint] = routerServer(ctx, (s) => makePlainServer(s));
  using _router = router;
  using dealer = ctx.socket("DEALER");
  makePlainClient(dealer, "admin", "secret");
  dealer.connect(endpoint);
  await dealer.send("hello");
  const m = await within(router.recvMessage({ properties: ["X-Tenant"] }), 5000, "PLAIN message");
  assert.equal(m.get("User-Id"), "admin");
  assert.equal(m.get("X-Tenant"), "ops");
  assert.equal(decoder.decode(m.frames[1]), "hello");
  assert.deepEqual(seen.map((d) => [d.allowed, d.userId, d.metadata]), [
    [true, "admin", { "X-Tenant": "ops" }],
  ]);
});

Deno.test("CURVE: the client's key is the User-Id; identify renames it and adds a tenant that wins over the peer's own", async () => {
  await using ctx = new Context({ linger: 0 });
  const server = curveKeypair();
  const alice = curveKeypair();
  const bob = curveKeypair();
  const names = new Map([[alice.publicKey, "alice"]]);
  await using auth = await new Authenticator(ctx, {
    // alice is renamed and gets a tenant; anyone else keeps the default (the key)
    identify: (d) =>
      names.has(d.userId)
        ? { userId: names.get(d.userId), metadata: { "X-Tenant": "acme" } }
        : undefined,
  }).start();
  auth.configureCurve({ publicKeys: [alice.publicKey, bob.publicKey] });
  const [router, endpoint] = routerServer(ctx, (s) => makeCurveServer(s, server));
  using _router = router;

  using a = ctx.socket("DEALER");
  makeCurveClient(a, server.publicKey, alice);
  a.setOption("METADATA", "X-Tenant:forged"); // the peer's own claim: the authenticator's wins
  a.setOption("METADATA", "X-Client:v2"); // a name the authenticator does not set: the peer's
  a.connect(endpoint);
  await a.send("from alice");
  const fromAlice = await within(
    router.recvMessage({ properties: ["X-Tenant", "X-Client"] }),
    5000,
    "alice's message",
  );
  assert.equal(fromAlice.get("User-Id"), "alice");
  assert.equal(fromAlice.get("X-Tenant"), "acme");
  assert.equal(fromAlice.get("X-Client"), "v2");

  using b = ctx.socket("DEALER");
  makeCurveClient(b, server.publicKey, bob);
  b.connect(endpoint);
  await b.send("from bob");
  const fromBob = await within(router.recvMessage({ properties: ["X-Tenant"] }), 5000, "bob's");
  assert.equal(fromBob.get("User-Id"), bob.publicKey);
  assert.equal(fromBob.get("X-Tenant"), undefined);
});

const badIdentities: [string, (d: Readonly<ZapDecision>) => unknown][] = [
  ["throws", () => {
    throw new Error("backend down");
  }],
  ["answers a promise", () => Promise.resolve({ userId: "late" })],
  ["answers a number", () => 42],
  ["answers a userId with a NUL", () => ({ userId: "root\0alice" })],
  ["answers a userId of 256 bytes", () => ({ userId: "u".repeat(256) })],
  ["answers libzmq's own property name", () => ({ metadata: { "User-Id": "root" } })],
  ["answers Socket-Type in any case", () => ({ metadata: { "socket-TYPE": "ROUTER" } })],
  ["answers a name with a space", () => ({ metadata: { "X Tenant": "acme" } })],
  ["answers a value that is not text", () => ({ metadata: { "X-Tenant": 7 } })],
  ["answers 65 properties", () => ({
    metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`X-${i}`, "v"])),
  })],
  ["answers 70 kB of metadata", () => ({ metadata: { "X-Big": "v".repeat(70_000) } })],
  ["answers an identity whose getter throws", () => ({
    get userId(): string {
      throw new Error("no");
    },
  })],
];

for (const [what, identify] of badIdentities) {
  Deno.test(`identify that ${what}: the peer is refused with status 500`, async () => {
    await using ctx = new Context({ linger: 0 });
    const seen: ZapDecision[] = [];
    await using auth = await new Authenticator(ctx, {
      identify: identify as (d: Readonly<ZapDecision>) => undefined,
      onDecision: (d) => seen.push(d),
    }).start();
    auth.configurePlain({ passwords: { admin: "secret" } });
    using pull = ctx.socket("PULL");
    makePlainServer(pull);
    const port = pull.bindToRandomPort();
    using push = ctx.socket("PUSH");
    makePlainClient(push, "admin", "secret");
    await assertRefused(pull, push, `tcp://127.0.0.1:${port}`, "let me in", 500);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].allowed, false);
    assert.equal(seen[0].userId, "");
    assert.match(seen[0].reason, /^identify /);
    assert.doesNotMatch(seen[0].reason, /secret|root|acme|backend down/); // no value quoted
  });
}

Deno.test("identify is not asked about a refused peer, and cannot let one in", async () => {
  await using ctx = new Context({ linger: 0 });
  let asked = 0;
  await using auth = await new Authenticator(ctx, {
    identify: () => {
      asked++;
      return { userId: "admin" };
    },
  }).start();
  auth.configurePlain({ passwords: { admin: "secret" } });
  using pull = ctx.socket("PULL");
  makePlainServer(pull);
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  makePlainClient(push, "admin", "wrong");
  await assertRefused(pull, push, `tcp://127.0.0.1:${port}`);
  assert.equal(asked, 0);
});

/** A raw ZMTP NULL client that announces `props` in its READY, then sends one message. */
async function rawClient(
  server: ReturnType<Context["socket"]>,
  port: number,
  props: [string, string][],
): Promise<Deno.TcpConn> {
  const up = waitForEvent(server, "handshake_succeeded", { timeout: 5000 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(greeting("NULL"));
  await conn.write(ready("DEALER", props));
  await up; // the server has our READY: a message may follow
  await conn.write(new Uint8Array([0, 5, ...new TextEncoder().encode("hello")]));
  return conn;
}

Deno.test("User-Id is the authenticator's: a raw peer's claim shows only where none answers", async () => {
  await using ctx = new Context({ linger: 0 });
  // no authenticator: what the peer put in its handshake is all libzmq has
  using open = ctx.socket("ROUTER");
  const openPort = open.bindToRandomPort();
  const c1 = await rawClient(open, openPort, [["User-Id", "root"], ["X-Tenant", "forged"]]);
  let m: Message;
  try {
    m = await within(open.recvMessage({ properties: ["X-Tenant"] }), 5000, "the raw message");
  } finally {
    c1.close();
  }
  assert.equal(m.get("User-Id"), "root");
  assert.equal(m.get("X-Tenant"), "forged");

  // with an authenticator (NULL with a ZAP domain), its answer replaces the claim
  await using auth = await new Authenticator(ctx, {
    identify: () => ({ userId: "guest", metadata: { "X-Tenant": "public" } }),
  }).start();
  using guarded = ctx.socket("ROUTER");
  guarded.setOption("ZAP_DOMAIN", "global");
  const port = guarded.bindToRandomPort();
  const c2 = await rawClient(guarded, port, [["User-Id", "root"], ["X-Tenant", "forged"]]);
  try {
    m = await within(guarded.recvMessage({ properties: ["X-Tenant"] }), 5000, "guarded message");
  } finally {
    c2.close();
  }
  assert.equal(m.get("User-Id"), "guest");
  assert.equal(m.get("X-Tenant"), "public");
  assert.ok(auth.running);
});

Deno.test("recvMessage: every frame owns its ArrayBuffer, large and empty frames whole", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  using dealer = ctx.socket("DEALER");
  const port = router.bindToRandomPort();
  dealer.connect(`tcp://127.0.0.1:${port}`);
  const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
  await dealer.send([big, new Uint8Array(0), "tail"]);
  const m = await within(router.recvMessage(), 5000, "the message");
  assert.equal(m.frames.length, 4);
  assert.deepEqual(m.frames[1], big);
  assert.equal(m.frames[2].length, 0);
  assert.equal(decoder.decode(m.frames[3]), "tail");
  for (const f of m.frames) {
    assert.equal(f.byteOffset, 0);
    assert.equal(f.buffer.byteLength, f.byteLength);
  }
  assert.equal(new Set(m.frames.map((f) => f.buffer)).size, m.frames.length);
});
