// The wire fuzzer's CI campaign (fuzz/wire.ts): raw TCP peers send mutated ZMTP 3.x greetings,
// NULL/PLAIN/CURVE handshakes and frames to bound sockets of every type while a good peer is
// served; the process must live and the good peer lose nothing. Each seed in a subprocess.
// FUZZ_WIRE_SEEDS="1-16" overrides the default.
import assert from "node:assert/strict";
import { parseSeeds, runCampaign, summary } from "../fuzz/campaign.ts";
import { mutate, opening } from "../fuzz/_attacks.ts";
import { admission, metadataTypes, speaksTo, takesShare } from "../fuzz/_admission.ts";
import { Rng } from "../fuzz/_rng.ts";
import {
  bytes,
  command,
  concat,
  CurveClient,
  firstCommand,
  frame,
  greeting,
  metadata,
  plainHello,
  plainInitiate,
  ready,
} from "../fuzz/_zmtp.ts";
import { Context, curveKeypair, makeCurveServer, SOCKET_TYPES, z85Decode } from "../mod.ts";

const SEEDS = parseSeeds(Deno.env.get("FUZZ_WIRE_SEEDS") ?? "1-16")!;

Deno.test(`wire fuzz: ${SEEDS.length} seeds, every socket type keeps its good peer`, async () => {
  const options = {
    tiers: ["wire" as const],
    seeds: SEEDS,
    messages: 0,
    parallel: 2,
    boundMs: 120_000,
    includeKnown: false,
  };
  const result = await runCampaign(options);
  const report = summary(result, options);
  console.log(report);
  assert.equal(result.outcomes.filter((o) => !o.ok).length, 0, report);
  // each seed attempts 400 sends; one that times out under load is withdrawn, not delivered, so
  // the bound leaves room for that (the long campaign of 2026-12-01 saw 386 at the lowest, CI
  // under load once less than 400) and is still far above "a handful" (issue 10)
  for (const o of result.outcomes) assert.ok(o.counts.delivered >= 200, report);
});

/** Reads from `conn` until `enough` says the bytes so far are enough, or 5 s pass. */
async function readUntil(conn: Deno.TcpConn, enough: (b: Uint8Array) => boolean) {
  let all = new Uint8Array(0);
  const buf = new Uint8Array(4096);
  const deadline = Date.now() + 5000;
  while (!enough(all) && Date.now() < deadline) {
    const n = await conn.read(buf);
    if (n === null) break;
    const next = new Uint8Array(all.length + n);
    next.set(all);
    next.set(buf.subarray(0, n), all.length);
    all = next;
  }
  return all;
}

Deno.test("wire: the raw NULL handshake is valid ZMTP 3 (a PULL takes a message from it)", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  const port = pull.bindToRandomPort();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(greeting("NULL"));
    await conn.write(ready("PUSH"));
    // ZMTP: messages only once the handshake is done, i.e. after the server's READY came. A
    // message sent before may reach libzmq while it still handshakes (when its I/O thread picks
    // up the connection after all our bytes arrived): it then drops the connection as a protocol
    // error, which made this test fail under load.
    const got = await readUntil(
      conn,
      (b) => b.length > 64 && firstCommand(b.subarray(64)) !== null,
    );
    const serverReady = firstCommand(got.subarray(64));
    assert.ok(serverReady, "the server's READY");
    assert.equal(new TextDecoder().decode(serverReady.subarray(1, 6)), "READY");
    await conn.write(new Uint8Array([0, 5, ...new TextEncoder().encode("hello")]));
    assert.equal(new TextDecoder().decode(await pull.recv({ timeout: 5000 })), "hello");
  } finally {
    conn.close();
  }
});

Deno.test("wire: the raw CURVE client's HELLO is valid (the server answers WELCOME)", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  const keys = curveKeypair();
  makeCurveServer(pull, keys);
  const port = pull.bindToRandomPort();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const client = new CurveClient(z85Decode(keys.publicKey));
    await conn.write(greeting("CURVE"));
    await conn.write(client.hello());
    const got = await readUntil(
      conn,
      (b) => b.length > 64 && firstCommand(b.subarray(64)) !== null,
    );
    const welcome = firstCommand(got.subarray(64));
    assert.ok(welcome && client.welcome(welcome), "a WELCOME that opens with our keys");
  } finally {
    conn.close();
  }
});

Deno.test("wire: mutations change the bytes, deterministically per seed", () => {
  const g = greeting("NULL");
  const a = Array.from({ length: 50 }, (_, i) => mutate(g, new Rng(i)));
  const b = Array.from({ length: 50 }, (_, i) => mutate(g, new Rng(i)));
  assert.deepEqual(a, b);
  assert.ok(a.filter((m) => m.length !== g.length || m.some((x, i) => x !== g[i])).length > 40);
});

/** True once `conn` ends (the server hung up); false if it is still open after 5 s. */
async function hungUp(conn: Deno.TcpConn): Promise<boolean> {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    conn.close(); // the pending read then fails
  }, 5000);
  try {
    const buf = new Uint8Array(4096);
    while ((await conn.read(buf)) !== null);
    return true;
  } catch (e) {
    if (expired) return false;
    if (e instanceof Deno.errors.ConnectionReset) return true;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

const encoder = new TextEncoder();
const text = (frames: Uint8Array[]) => frames.map((f) => new TextDecoder().decode(f));

Deno.test("wire: libzmq attaches a NULL peer whose READY lacks a Socket-Type, as the model says", async () => {
  const typed = (t: string) => ready(t);
  const sizeCut = () => {
    const r = ready("PUB");
    r[1] = 6; // the frame ends after the command name: no properties
    return r.subarray(0, 8);
  };
  const cases: { name: string; ready: Uint8Array; shares: boolean }[] = [
    { name: "an incompatible type", ready: typed("PUB"), shares: false },
    { name: "a compatible type", ready: typed("REP"), shares: true },
    {
      name: "the property's name mutated",
      ready: command("READY", metadata([["Socket-Typf", "PUB"]])),
      shares: true,
    },
    { name: "no properties", ready: command("READY"), shares: true },
    { name: "the size cut to the name", ready: sizeCut(), shares: true },
    {
      name: "properties that do not parse",
      ready: command("READY", encoder.encode("\x0bSocket-Type\x00\x00")),
      shares: false,
    },
  ];
  for (const c of cases) {
    const opening = concat(greeting("NULL"), c.ready);
    assert.equal(takesShare(opening, "NULL", ["REP", "ROUTER"]), c.shares, `model: ${c.name}`);
    await using ctx = new Context({ linger: 0 });
    using req = ctx.socket("REQ");
    const port = req.bindToRandomPort();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(opening);
      if (c.shares) {
        // the REQ has no other peer: its request goes to the raw one, after libzmq's READY
        await req.send("request", { timeout: 5000 });
        const got = await readUntil(conn, (b) => {
          const r = b.length > 64 ? firstCommand(b.subarray(64)) : null;
          return r !== null && b.length >= 64 + 2 + r.length + 11;
        });
        const r = firstCommand(got.subarray(64))!;
        const request = got.subarray(64 + 2 + r.length);
        assert.deepEqual([...request], [1, 0, 0, 7, ...encoder.encode("request")], c.name);
      } else {
        // libzmq hangs up on it, and the REQ has no peer to send to
        assert.ok(await hungUp(conn), `libzmq hung up on ${c.name}`);
        await assert.rejects(req.send("request", { timeout: 0 }), { code: "EAGAIN" });
      }
    } finally {
      try {
        conn.close();
      } catch {
        // closed already by hungUp's bound
      }
    }
  }
});

Deno.test("wire: libzmq hands a raw peer's SUBSCRIBE and CANCEL commands to a PULL as messages", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  const port = pull.bindToRandomPort();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(concat(greeting("NULL"), ready("PUSH")));
    await readUntil(conn, (b) => b.length > 64 && firstCommand(b.subarray(64)) !== null);
    const ping = command("PING", Uint8Array.of(0, 0));
    await conn.write(concat(command("CANCEL", bytes("a")), ping, command("SUBSCRIBE", bytes("b"))));
    // the PING between them stays in the engine (it answers PONG)
    assert.deepEqual(text(await pull.recvMultipart({ timeout: 5000 })), ["\x06CANCELa"]);
    assert.deepEqual(text(await pull.recvMultipart({ timeout: 5000 })), ["\x09SUBSCRIBEb"]);
  } finally {
    conn.close();
  }
});

Deno.test("wire: the admission model follows libzmq's greeting, frame and metadata rules", () => {
  const g = greeting("NULL");
  const v1 = Uint8Array.of(1, 0, 5, ...encoder.encode("hello"));
  assert.deepEqual(admission(concat(v1), "NULL"), {
    attached: true,
    types: [],
    messages: Infinity,
  });
  assert.deepEqual(admission(concat(v1), "PLAIN"), { attached: false }, "ZMTP 1.0 under ZAP");
  const v2 = greeting("NULL", false, 1);
  assert.deepEqual(admission(v2, "NULL"), { attached: true, types: [], messages: Infinity });
  assert.deepEqual(
    admission(g.subarray(0, 40), "NULL"),
    { attached: false },
    "a greeting cut short",
  );
  assert.deepEqual(admission(concat(g, ready("PUB")), "NULL"), {
    attached: true,
    types: ["PUB"],
    messages: 0,
  });
  // then a command (not delivered), a message, and a message cut short (not delivered either)
  const after = concat(command("PING", Uint8Array.of(0, 0)), frame(bytes("x")), frame(bytes("yz")));
  // SUBSCRIBE and CANCEL reach the socket as messages, whatever its type
  assert.deepEqual(admission(concat(g, ready("REQ"), command("CANCEL", bytes("a"))), "NULL"), {
    attached: true,
    types: ["REQ"],
    messages: 1,
  });
  assert.deepEqual(
    admission(concat(g, ready("REQ"), after.subarray(0, after.length - 1)), "NULL"),
    {
      attached: true,
      types: ["REQ"],
      messages: 1,
    },
  );
  assert.deepEqual(
    admission(concat(greeting("PLAIN"), ready("PUB")), "NULL"),
    { attached: false },
    "another mechanism",
  );
  assert.deepEqual(admission(concat(g, ready("PUB").subarray(0, 20)), "NULL"), { attached: false });
  assert.deepEqual(admission(concat(g, command("PING")), "NULL"), { attached: false });
  const plain = concat(greeting("PLAIN"), plainHello("good", "pw"), plainInitiate("REP"));
  assert.deepEqual(admission(plain, "PLAIN"), { attached: true, types: ["REP"], messages: 0 });
  assert.deepEqual(admission(plain, "CURVE"), { attached: false }, "CURVE is not modelled");
  assert.deepEqual(metadataTypes(metadata([["Identity", "x"], ["Socket-Type", "PUSH"]])), ["PUSH"]);
  assert.equal(metadataTypes(Uint8Array.of(0)), null, "one byte left over");
  assert.equal(metadataTypes(Uint8Array.of(3, 65, 66)), null, "a name longer than the bytes");
  assert.deepEqual(metadataTypes(new Uint8Array(0)), []);
  // a sharing socket takes the peer only with compatible types or none; others give nothing
  assert.equal(takesShare(concat(g, ready("PULL")), "NULL", ["PULL"]), true);
  assert.equal(takesShare(concat(g, ready("PUB")), "NULL", ["PULL"]), false);
  assert.equal(takesShare(concat(g, command("READY")), "NULL", []), false);
  // a quiet type may be attached, but not then speak
  assert.equal(speaksTo(concat(g, ready("REQ")), "NULL", ["REQ", "DEALER"]), false);
  assert.equal(speaksTo(concat(g, ready("REQ"), after), "NULL", ["REQ", "DEALER"]), true);
  assert.equal(speaksTo(concat(g, ready("PUB"), after), "NULL", ["REQ", "DEALER"]), false);
});

Deno.test("wire: no raw peer's opening takes a sharing socket's share or speaks to a quiet type", () => {
  const all = Object.keys(SOCKET_TYPES);
  const targets = [
    { mechanism: "NULL", sharing: ["REP", "ROUTER"], quiet: [], defused: [20, 500] }, // a REQ
    { mechanism: "PLAIN", sharing: ["PULL"], quiet: [], defused: [20, 500] }, // a PUSH
    { mechanism: "NULL", sharing: [], quiet: ["REQ", "DEALER"], defused: [100, 1500] }, // a REP
  ] as const;
  for (const { mechanism, sharing, quiet, defused: [low, high] } of targets) {
    const target = {
      port: 0,
      mechanism,
      announce: all.filter((t) => !(sharing as readonly string[]).includes(t)),
      sharing,
      quiet,
      plain: { user: "good", password: "horse battery" },
    };
    let defused = 0;
    for (let seed = 0; seed < 5000; seed++) {
      const plan = opening(target, new Rng(seed));
      const bytes = concat(...plan.first);
      assert.equal(takesShare(bytes, mechanism, sharing), false, `seed ${seed}`);
      assert.equal(speaksTo(bytes, mechanism, quiet), false, `seed ${seed}`);
      if (plan.defused) defused++;
    }
    // without the guard these would have been attached: it must have had work to do
    assert.ok(defused >= low && defused <= high, `${mechanism}: ${defused} of 5000 defused`);
  }
});
