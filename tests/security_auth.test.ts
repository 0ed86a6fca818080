// The ZAP authenticator and CURVE on the wire. Rejections are proven by the server's
// handshake_failed_auth monitor event first, then by a receive that times out: the wait is
// bounded by the event, and the timeout only confirms that nothing was delivered afterwards.
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  curveKeypair,
  loadCertificate,
  loadPublicKeys,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  waitForEvent,
  type ZapDecision,
} from "../mod.ts";
import { rejectsWith, throwsWith } from "./_util.ts";
import { assertRefused } from "./_auth.ts";

const encoder = new TextEncoder();

function serverWithAuth(ctx: Context, decisions: ZapDecision[]): Promise<Authenticator> {
  return new Authenticator(ctx, { onDecision: (d) => decisions.push(d) }).start();
}

Deno.test("CURVE: an allowed client key is accepted and its messages arrive", async () => {
  await using ctx = new Context({ linger: 0 });
  const decisions: ZapDecision[] = [];
  await using auth = await serverWithAuth(ctx, decisions);
  const server = curveKeypair();
  const client = curveKeypair();
  auth.configureCurve({ publicKeys: [client.publicKey] });
  using rep = ctx.socket("REP");
  makeCurveServer(rep, server);
  const port = rep.bindToRandomPort();
  using req = ctx.socket("REQ");
  makeCurveClient(req, server.publicKey, client);
  req.connect(`tcp://127.0.0.1:${port}`);
  await req.send("hello");
  assert.equal(await rep.recvString(), "hello");
  await rep.send("welcome");
  assert.equal(await req.recvString(), "welcome");
  assert.equal(decisions.length, 1);
  assert.deepEqual(
    { ...decisions[0], domain: undefined },
    {
      allowed: true,
      status: 200,
      reason: "OK",
      domain: undefined,
      address: "127.0.0.1",
      mechanism: "CURVE",
      userId: client.publicKey,
    },
  );
});

Deno.test("CURVE: a client key not on the list is rejected, nothing delivered", async () => {
  await using ctx = new Context({ linger: 0 });
  const decisions: ZapDecision[] = [];
  await using auth = await serverWithAuth(ctx, decisions);
  const server = curveKeypair();
  auth.configureCurve({ publicKeys: [curveKeypair().publicKey] });
  using pull = ctx.socket("PULL");
  makeCurveServer(pull, server);
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  const intruder = makeCurveClient(push, server.publicKey); // a fresh, unknown key
  await assertRefused(pull, push, `tcp://127.0.0.1:${port}`, "let me in");
  assert.equal(decisions[0].allowed, false);
  assert.equal(decisions[0].mechanism, "CURVE");
  assert.match(decisions[0].reason, /not allowed/);
  assert.notEqual(intruder.publicKey, undefined);
});

Deno.test("CURVE: a client with the wrong server key fails the handshake", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configureCurve({ allowAny: true });
  using pull = ctx.socket("PULL");
  makeCurveServer(pull, curveKeypair());
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  makeCurveClient(push, curveKeypair().publicKey); // not the server's key
  const failed = waitForEvent(pull, [
    "handshake_failed_protocol",
    "handshake_failed_no_detail",
    "handshake_failed_auth",
  ], { timeout: 5000 });
  push.connect(`tcp://127.0.0.1:${port}`);
  await push.send("wrong door");
  assert.equal((await failed).event, "handshake_failed_protocol");
  await rejectsWith(pull.recv({ timeout: 200 }), "EAGAIN");
});

Deno.test("CURVE: allowAny accepts any client key, per domain", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configureCurve({ domain: "open", allowAny: true });
  const server = curveKeypair();
  using open = ctx.socket("PULL");
  makeCurveServer(open, server, { domain: "open" });
  const openPort = open.bindToRandomPort();
  using closed = ctx.socket("PULL");
  makeCurveServer(closed, server, { domain: "closed" }); // no rule: refused
  const closedPort = closed.bindToRandomPort();

  using a = ctx.socket("PUSH");
  makeCurveClient(a, server.publicKey);
  a.connect(`tcp://127.0.0.1:${openPort}`);
  await a.send("any key will do");
  assert.equal(await open.recvString(), "any key will do");

  using b = ctx.socket("PUSH");
  makeCurveClient(b, server.publicKey);
  await assertRefused(closed, b, `tcp://127.0.0.1:${closedPort}`, "other domain");
});

Deno.test("PLAIN: the right password is accepted, a wrong one rejected", async () => {
  await using ctx = new Context({ linger: 0 });
  const decisions: ZapDecision[] = [];
  await using auth = await serverWithAuth(ctx, decisions);
  auth.configurePlain({ passwords: { admin: "s3cret" } });
  using pull = ctx.socket("PULL");
  makePlainServer(pull);
  const port = pull.bindToRandomPort();

  using good = ctx.socket("PUSH");
  makePlainClient(good, "admin", "s3cret");
  good.connect(`tcp://127.0.0.1:${port}`);
  await good.send("from admin");
  assert.equal(await pull.recvString(), "from admin");
  assert.equal(decisions[0].userId, "admin");

  using bad = ctx.socket("PUSH");
  makePlainClient(bad, "admin", "guess");
  await assertRefused(pull, bad, `tcp://127.0.0.1:${port}`, "from a guesser");
  assert.equal(decisions[1].allowed, false);
  assert.match(decisions[1].reason, /password/);

  // near misses are wrong too: a prefix, an extension, one letter's case
  for (const guess of ["s3cre", "s3cret!", "s", "S3cret", "s3creT"]) {
    using guesser = ctx.socket("PUSH");
    makePlainClient(guesser, "admin", guess);
    await assertRefused(pull, guesser, `tcp://127.0.0.1:${port}`, `from ${JSON.stringify(guess)}`);
  }
  assert.deepEqual(decisions.slice(2).map((d) => d.allowed), [false, false, false, false, false]);
});

Deno.test("IP deny list: a denied address is rejected; allow list: others are", async () => {
  await using ctx = new Context({ linger: 0 });
  const decisions: ZapDecision[] = [];
  await using auth = await serverWithAuth(ctx, decisions);
  auth.deny("127.0.0.1");
  using pull = ctx.socket("PULL");
  pull.setOption("ZAP_DOMAIN", "global"); // NULL security asks ZAP only with a domain
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  await assertRefused(pull, push, `tcp://127.0.0.1:${port}`, "denied");
  assert.match(decisions[0].reason, /deny list/);
  await auth.stop();

  // the same client address passes when it is not denied...
  await using auth2 = await new Authenticator(ctx).start();
  auth2.deny("10.9.8.7");
  using pull2 = ctx.socket("PULL");
  pull2.setOption("ZAP_DOMAIN", "global");
  const port2 = pull2.bindToRandomPort();
  using push2 = ctx.socket("PUSH");
  push2.connect(`tcp://127.0.0.1:${port2}`);
  await push2.send("not denied");
  assert.equal(await pull2.recvString(), "not denied");
  await auth2.stop();

  // ...and fails when an allow list leaves it out
  await using auth3 = await new Authenticator(ctx).start();
  auth3.allow("10.9.8.7");
  using pull3 = ctx.socket("PULL");
  pull3.setOption("ZAP_DOMAIN", "global");
  const port3 = pull3.bindToRandomPort();
  using push3 = ctx.socket("PUSH");
  await assertRefused(pull3, push3, `tcp://127.0.0.1:${port3}`, "not allowed");
});

Deno.test("Authenticator: misuse is a typed error", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  assert.equal(await auth.start(), auth); // starting a started one answers it, still running
  await rejectsWith(new Authenticator(ctx).start(), "EADDRINUSE"); // one ZAP handler per context
  throwsWith(() => auth.configureCurve({ publicKeys: ["short"] }), "EINVAL");
  throwsWith(() => auth.configureCurve({ publicKeys: [new Uint8Array(31)] }), "EINVAL");
  // a field of the wrong type or name was left out without a word: allowAny "yes" refused all,
  // and a rule meant for one domain could land on "*"
  throwsWith(() => auth.configureCurve({ allowAny: "yes" as never }), "EBADVALUE");
  throwsWith(() => auth.configureCurve({ publicKey: [] } as never), "EBADVALUE");
  throwsWith(() => auth.configureCurve(null as never), "EBADVALUE");
  throwsWith(() => auth.configurePlain({ passwords: {}, domian: "x" } as never), "EBADVALUE");
  auth.configureCurve(); // no options: the "*" domain, no key
  auth.configureCurve({ allowAny: false, publicKeys: [], domain: "d" });
  throwsWith(
    () => auth.configurePlain({ passwords: null as unknown as Record<string, string> }),
    "EBADVALUE",
  );
  auth.allow("127.0.0.1");
  throwsWith(() => auth.deny("127.0.0.2"), "EBADVALUE");
  throwsWith(() => new Authenticator(null as unknown as Context), "EBADVALUE");
  using s = ctx.socket("REP");
  throwsWith(() => makeCurveServer(s, "not a key"), "EINVAL");
  throwsWith(() => makeCurveClient(s, new Uint8Array(31)), "EINVAL");
  await auth.stop();
  await auth.stop(); // twice is harmless
  assert.equal(auth.running, false);
  await using again = await new Authenticator(ctx).start(); // the endpoint is free again
  assert.equal(again.running, true);
});

Deno.test("Authenticator: closing its context ends it; stop() afterwards is harmless", async () => {
  const ctx = new Context({ linger: 0 });
  const auth = await new Authenticator(ctx).start();
  assert.equal(auth.running, true);
  await ctx.terminate();
  assert.equal(auth.running, false);
  await auth.stop();
  assert.equal(auth.running, false);
  await rejectsWith(auth.start(), "ECLOSED");
});

// ---- what crosses the wire ----

/** A TCP relay on 127.0.0.1 that forwards both ways to `targetPort` and records every byte. */
class Relay {
  readonly port: number;
  readonly bytes: Uint8Array[] = [];
  #listener: Deno.TcpListener;
  #conns: Deno.Conn[] = [];
  #pumps: Promise<void>[] = [];
  #accepting: Promise<void>;

  constructor(targetPort: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
    this.#accepting = this.#accept(targetPort);
  }

  async #accept(targetPort: number) {
    try {
      for await (const inbound of this.#listener) {
        this.#conns.push(inbound);
        const outbound = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        this.#conns.push(outbound);
        this.#pumps.push(this.#pump(inbound, outbound), this.#pump(outbound, inbound));
      }
    } catch {
      // the listener was closed
    }
  }

  async #pump(from: Deno.Conn, to: Deno.Conn) {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        this.bytes.push(buf.slice(0, n));
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch {
      // a side was closed
    }
    this.#closeConn(from);
    this.#closeConn(to);
  }

  #closeConn(c: Deno.Conn) {
    try {
      c.close();
    } catch {
      // already closed
    }
  }

  contains(text: string): boolean {
    const all = new Uint8Array(this.bytes.reduce((n, b) => n + b.length, 0));
    let off = 0;
    for (const b of this.bytes) {
      all.set(b, off);
      off += b.length;
    }
    const needle = encoder.encode(text);
    outer: for (let i = 0; i + needle.length <= all.length; i++) {
      for (let j = 0; j < needle.length; j++) if (all[i + j] !== needle[j]) continue outer;
      return true;
    }
    return false;
  }

  get total(): number {
    return this.bytes.reduce((n, b) => n + b.length, 0);
  }

  async close() {
    this.#listener.close();
    await this.#accepting;
    for (const c of this.#conns) this.#closeConn(c);
    await Promise.all(this.#pumps);
  }
}

async function talkThroughRelay(curve: boolean, question: string, answer: string) {
  const relay = await (async () => {
    await using ctx = new Context({ linger: 0 });
    const server = curveKeypair();
    using rep = ctx.socket("REP");
    using req = ctx.socket("REQ");
    if (curve) {
      makeCurveServer(rep, server);
      makeCurveClient(req, server.publicKey);
    }
    const relay = new Relay(rep.bindToRandomPort());
    try {
      req.connect(`tcp://127.0.0.1:${relay.port}`);
      await req.send(question);
      assert.equal(await rep.recvString(), question);
      await rep.send(answer);
      assert.equal(await req.recvString(), answer);
    } catch (e) {
      await relay.close();
      throw e;
    }
    return relay;
  })();
  await relay.close(); // the sockets are closed: the relay's connections end
  return relay;
}

Deno.test("CURVE on the wire: a relay between the peers never sees the plaintext", async () => {
  const question = "PLAINTEXT-QUESTION: the vault code is 7351-ALPHA";
  const answer = "PLAINTEXT-ANSWER: acknowledged, opening at dawn";
  const relay = await talkThroughRelay(true, question, answer);
  assert.ok(relay.total > question.length + answer.length, `only ${relay.total} bytes seen`);
  assert.equal(relay.contains(question), false);
  assert.equal(relay.contains(answer), false);
  assert.equal(relay.contains("CURVE"), true); // the ZMTP greeting names the mechanism

  // control: the same conversation without CURVE is readable on the relay
  const clear = await talkThroughRelay(false, question, answer);
  assert.equal(clear.contains(question), true);
  assert.equal(clear.contains(answer), true);
  assert.equal(clear.contains("CURVE"), false);
});

// ---- a pyzmq peer ----

const PY_CLIENT = `
import sys, zmq
endpoint, server_key, public, secret, text = sys.argv[1:6]
ctx = zmq.Context()
s = ctx.socket(zmq.REQ)
s.linger = 0
s.curve_serverkey = server_key.encode()
s.curve_publickey = public.encode()
s.curve_secretkey = secret.encode()
s.connect(endpoint)
s.send_string(text)
if s.poll(10000):
    print(s.recv_string())
else:
    print("TIMEOUT")
s.close()
ctx.term()
`;

Deno.test("interop: a pyzmq CURVE client whose certificate pyzmq wrote is let in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], 'py')", dir],
    }).output();
    assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
    const clientCert = await loadCertificate(`${dir}/py.key_secret`);

    await using ctx = new Context({ linger: 0 });
    const decisions: ZapDecision[] = [];
    await using auth = await serverWithAuth(ctx, decisions);
    auth.configureCurve({ publicKeys: await loadPublicKeys(dir) });
    const server = curveKeypair();
    using rep = ctx.socket("REP");
    makeCurveServer(rep, server);
    const port = rep.bindToRandomPort();
    const child = new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        PY_CLIENT,
        `tcp://127.0.0.1:${port}`,
        server.publicKey,
        clientCert.publicKey,
        clientCert.secretKey!,
        "hello from pyzmq",
      ],
    }).output();
    assert.equal(await rep.recvString({ timeout: 15000 }), "hello from pyzmq"); // a bound, not a measure
    await rep.send("hello from deno");
    const out = await child;
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "hello from deno");
    assert.equal(decisions[0].userId, clientCert.publicKey);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("example: ironhouse lets Alice in and refuses Mallory", async () => {
  const { ironhouse } = await import("../examples/security/ironhouse.ts");
  const lines: string[] = [];
  const result = await ironhouse(undefined, (l) => lines.push(l));
  assert.deepEqual(result, { reply: "Welcome, Alice", refused: "EHANDSHAKE" });
  assert.equal(lines.filter((l) => l.includes("allowed, OK")).length, 1, lines.join("\n"));
  assert.ok(lines.some((l) => l.includes("refused, Client key is not allowed")), lines.join("\n"));
});
