// The authenticator fails closed: after stop(), while a decision races with stop(), when a hook
// tries to change the answer, with two authenticators, with addresses spelled another way.
// Each handshake's outcome is the server's monitor event (see tests/_auth.ts).
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  curveKeypair,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  z85Decode,
  type ZapDecision,
} from "../mod.ts";
import { assertAdmitted, assertRefused, curvePushPull, handshake } from "./_auth.ts";
import { rejectsWith, throwsWith } from "./_util.ts";

const tcp = (port: number) => `tcp://127.0.0.1:${port}`;

Deno.test("after stop(), a CURVE server refuses every key, listed or not", async () => {
  await using ctx = new Context({ linger: 0 });
  const auth = await new Authenticator(ctx).start();
  const server = curveKeypair();
  const listed = curveKeypair();
  auth.configureCurve({ publicKeys: [listed.publicKey] });
  using pull = ctx.socket("PULL");
  makeCurveServer(pull, server);
  const port = pull.bindToRandomPort();
  await auth.stop();
  assert.equal(auth.running, false);

  using stranger = ctx.socket("PUSH");
  makeCurveClient(stranger, server.publicKey); // a key nobody allowed
  await assertRefused(pull, stranger, tcp(port), "stranger");
  using known = ctx.socket("PUSH");
  makeCurveClient(known, server.publicKey, listed); // allowed while it ran: nobody decides now
  await assertRefused(pull, known, tcp(port), "listed");
});

Deno.test("before start(), a CURVE server refuses a key that is not on the allow list", async () => {
  // libzmq lets every CURVE client in while nothing serves the ZAP endpoint: an authenticator
  // that was made and configured, but not started yet (or never), must not leave that gap
  await using ctx = new Context({ linger: 0 });
  const auth = new Authenticator(ctx);
  const listed = curveKeypair();
  auth.configureCurve({ publicKeys: [listed.publicKey] });
  const { server, client, endpoint, serverKey } = curvePushPull(ctx); // a key nobody allowed
  using _server = server;
  using _client = client;
  await assertRefused(server, client, endpoint, "stranger");
  await auth.start(); // serving now: the listed key gets in, the stranger still not
  using known = ctx.socket("PUSH");
  makeCurveClient(known, serverKey, listed);
  await assertAdmitted(server, known, endpoint, "listed");
  await auth.stop();
});

Deno.test("after stop(), a PLAIN server refuses even the right password", async () => {
  // libzmq itself refuses PLAIN when nothing serves ZAP (plain_server.cpp): this holds on main
  // too, and must keep holding with the endpoint now staying bound after stop()
  await using ctx = new Context({ linger: 0 });
  const auth = await new Authenticator(ctx).start();
  auth.configurePlain({ passwords: { admin: "s3cret" } });
  using pull = ctx.socket("PULL");
  makePlainServer(pull);
  const port = pull.bindToRandomPort();
  await auth.stop();
  using push = ctx.socket("PUSH");
  makePlainClient(push, "admin", "s3cret");
  await assertRefused(pull, push, tcp(port));
});

Deno.test("after stop(), a NULL server with a ZAP domain still refuses a denied address", async () => {
  await using ctx = new Context({ linger: 0 });
  const auth = await new Authenticator(ctx).start();
  auth.deny("127.0.0.1");
  using pull = ctx.socket("PULL");
  pull.setOption("ZAP_DOMAIN", "global");
  const port = pull.bindToRandomPort();
  await auth.stop();
  using push = ctx.socket("PUSH");
  await assertRefused(pull, push, tcp(port));
});

Deno.test("a new authenticator takes over a stopped one's context without a gap", async () => {
  await using ctx = new Context({ linger: 0 });
  const first = await new Authenticator(ctx).start();
  const server = curveKeypair();
  using pull = ctx.socket("PULL");
  makeCurveServer(pull, server);
  const port = pull.bindToRandomPort();
  await first.stop();
  const alice = curveKeypair();
  await using second = await new Authenticator(ctx).start();
  second.configureCurve({ publicKeys: [alice.publicKey] });
  assert.equal(second.running, true);
  assert.equal(first.running, false);
  using a = ctx.socket("PUSH");
  makeCurveClient(a, server.publicKey, alice);
  await assertAdmitted(pull, a, tcp(port), "alice");
  using m = ctx.socket("PUSH");
  makeCurveClient(m, server.publicKey);
  await assertRefused(pull, m, tcp(port), "mallory");
  // the first one may start again once the second stops
  await second.stop();
  await first.start();
  assert.equal(first.running, true);
  await first.stop();
});

Deno.test("a decision still pending when stop() is called refuses the peer", async () => {
  await using ctx = new Context({ linger: 0 });
  const asked = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const auth = await new Authenticator(ctx, {
    onDecision: async () => {
      asked.resolve();
      await release.promise; // the audit log answers only after stop()
    },
    hookTimeout: 10_000,
  }).start();
  auth.configureCurve({ allowAny: true }); // the rules say yes
  const { server, client, endpoint } = curvePushPull(ctx);
  const outcome = handshake(server, client, endpoint, "raced");
  await asked.promise;
  await auth.stop();
  release.resolve(); // too late: the answer was sent at stop()
  const e = await outcome;
  assert.equal(e.event, "handshake_failed_auth");
  assert.equal(e.value, 400);
});

Deno.test("onDecision cannot turn a refusal into an admission", async () => {
  await using ctx = new Context({ linger: 0 });
  const seen: ZapDecision[] = [];
  await using auth = await new Authenticator(ctx, {
    onDecision: (d) => {
      seen.push(d);
      const writable = d as ZapDecision;
      writable.allowed = true; // a buggy logger "normalising" fields
      writable.status = 200;
    },
    onError: () => {},
  }).start();
  auth.configurePlain({ passwords: { admin: "s3cret" } });
  using pull = ctx.socket("PULL");
  makePlainServer(pull);
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  makePlainClient(push, "admin", "guess");
  await assertRefused(pull, push, tcp(port), "guesser", null);
  assert.equal(seen[0].allowed, false);
  assert.ok(Object.isFrozen(seen[0]));
});

Deno.test("two authenticators: one context has one, in this isolate and through adopt()", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  await rejectsWith(new Authenticator(ctx).start(), "EADDRINUSE");
  using same = Context.adopt(ctx.handle); // another object for the same libzmq context
  await rejectsWith(new Authenticator(same).start(), "EADDRINUSE");
  await auth.stop();
  // stopped, it still holds the endpoint for its context; a second object cannot take it...
  await rejectsWith(new Authenticator(same).start(), "EADDRINUSE");
  // ...but an authenticator on the same Context object can
  await using next = await new Authenticator(ctx).start();
  assert.equal(next.running, true);
});

Deno.test("a context closed under a pending decision ends it: no leak, no late answer", async () => {
  const ctx = new Context({ linger: 0 });
  const asked = Promise.withResolvers<void>();
  const never = Promise.withResolvers<void>();
  const auth = await new Authenticator(ctx, {
    onDecision: () => {
      asked.resolve();
      return never.promise; // an audit backend that hangs
    },
    hookTimeout: 60_000, // its timer must go when the context does, not in a minute
  }).start();
  auth.configureCurve({ allowAny: true });
  const { client, endpoint } = curvePushPull(ctx); // closed with the context
  client.connect(endpoint);
  await asked.promise;
  await ctx.terminate();
  assert.equal(auth.running, false);
  never.resolve();
  await auth.stop(); // harmless
  await rejectsWith(auth.start(), "ECLOSED");
});

Deno.test("an IPv4 client of a dual-stack socket is on the deny list by its IPv4 address", async () => {
  await using ctx = new Context({ linger: 0 });
  const seen: ZapDecision[] = [];
  await using auth = await new Authenticator(ctx, { onDecision: (d) => void seen.push(d) }).start();
  auth.deny("127.0.0.1");
  using pull = ctx.socket("PULL");
  pull.setOption("IPV6", true); // libzmq reports IPv4 peers as ::ffff:127.0.0.1
  pull.setOption("ZAP_DOMAIN", "global");
  const port = pull.bindToRandomPort("tcp://*");
  using push = ctx.socket("PUSH");
  await assertRefused(pull, push, tcp(port));
  assert.equal(seen[0].address, "127.0.0.1");
});

Deno.test("an IPv6 address matches however it is spelled; host names and ranges are refused", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.deny("0:0:0:0:0:0:0:1"); // ::1
  using pull = ctx.socket("PULL");
  pull.setOption("IPV6", true);
  pull.setOption("ZAP_DOMAIN", "global");
  const port = pull.bindToRandomPort("tcp://[::1]");
  using push = ctx.socket("PUSH");
  push.setOption("IPV6", true);
  await assertRefused(pull, push, `tcp://[::1]:${port}`);
  // entries that would never match a peer address, so a deny list would silently let it in
  for (const bad of ["localhost", "10.0.0.0/8", "127.0.0.01", "::1::", "", " 127.0.0.1"]) {
    throwsWith(() => new Authenticator(ctx).deny(bad), "EBADVALUE");
    throwsWith(() => new Authenticator(ctx).allow(bad), "EBADVALUE");
  }
  throwsWith(() => new Authenticator(ctx).deny(42 as unknown as string), "EBADVALUE");
});

Deno.test("malformed requests on the ZAP endpoint are answered 500 and serving goes on", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configureCurve({ allowAny: true });
  using rogue = ctx.socket("REQ"); // anything in the process may talk to the endpoint
  rogue.connect("inproc://zeromq.zap.01");
  for (const frames of [["2.0", "id", "d", "a", "i", "CURVE"], ["1.0"], ["garbage"]]) {
    await rogue.send(frames);
    const reply = (await rogue.recvMultipart({ timeout: 5000 })).map((f) =>
      new TextDecoder().decode(f)
    );
    assert.equal(reply[0], "1.0");
    assert.equal(reply[2], "500");
  }
  const { server, client, endpoint } = curvePushPull(ctx);
  await assertAdmitted(server, client, endpoint);
});

Deno.test("past 256 pending decisions, requests are refused at once; stop() refuses the rest", async () => {
  await using ctx = new Context({ linger: 0 });
  const never = Promise.withResolvers<void>();
  let calls = 0;
  const auth = await new Authenticator(ctx, {
    onDecision: () => {
      calls++;
      return never.promise;
    },
    hookTimeout: 60_000,
  }).start();
  auth.configureCurve({ allowAny: true });
  using zap = ctx.socket("DEALER"); // requests as libzmq's sessions send them
  zap.connect("inproc://zeromq.zap.01");
  const key = z85Decode(curveKeypair().publicKey);
  for (let i = 0; i < 300; i++) {
    await zap.send(["", "1.0", `r${i}`, "", "127.0.0.1", "", "CURVE", key]);
  }
  const reply = async () => {
    const f = (await zap.recvMultipart({ timeout: 5000 })).map((b) => new TextDecoder().decode(b));
    return { id: f[2], status: f[3] };
  };
  const early = [];
  for (let i = 0; i < 44; i++) early.push(await reply());
  assert.deepEqual(
    early,
    Array.from({ length: 44 }, (_, i) => ({ id: `r${256 + i}`, status: "500" })),
  );
  assert.equal(calls, 256);
  await auth.stop();
  const late = new Set<string>();
  for (let i = 0; i < 256; i++) {
    const r = await reply();
    assert.equal(r.status, "400");
    late.add(r.id);
  }
  assert.equal(late.size, 256);
  never.resolve();
});
