// The wire fuzzer's CI campaign (fuzz/wire.ts): raw TCP peers send mutated ZMTP 3.x greetings,
// NULL/PLAIN/CURVE handshakes and frames to bound sockets of every type while a good peer is
// served; the process must live and the good peer lose nothing. Each seed in a subprocess.
// FUZZ_WIRE_SEEDS="1-16" overrides the default.
import assert from "node:assert/strict";
import { parseSeeds, runCampaign, summary } from "../fuzz/campaign.ts";
import { mutate } from "../fuzz/_attacks.ts";
import { Rng } from "../fuzz/_rng.ts";
import { CurveClient, firstCommand, greeting, ready } from "../fuzz/_zmtp.ts";
import { Context, curveKeypair, makeCurveServer, z85Decode } from "../mod.ts";

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
  for (const o of result.outcomes) assert.ok(o.counts.delivered >= 400, report);
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
