// The fault-injecting TCP relay, and ZMTP heartbeats detecting a frozen peer through it.
import assert from "node:assert/strict";
import { Context, FaultRelay, setZmtpHeartbeats, waitForEvent } from "../mod.ts";
import type { Socket } from "../mod.ts";
import { isCode, rejectsWith, throwsWith } from "./_util.ts";

const decoder = new TextDecoder();

/** A ROUTER bound on a random port and a DEALER connected to it through a fresh relay. */
function throughRelay(ctx: Context, setUp: (dealer: Socket) => void = () => {}) {
  const router = ctx.socket("ROUTER");
  const port = router.bindToRandomPort();
  const relay = FaultRelay.start({ target: `127.0.0.1:${port}` });
  const dealer = ctx.socket("DEALER");
  setUp(dealer);
  dealer.connect(relay.endpoint);
  return { router, dealer, relay };
}

/** One round trip DEALER → ROUTER → DEALER within `timeout` ms. */
async function roundTrip(router: Socket, dealer: Socket, text: string, timeout = 5000) {
  await dealer.send(text);
  const [id, body] = await router.recvMultipart({ timeout });
  await router.send([id, body]);
  assert.equal(decoder.decode(await dealer.recv({ timeout })), text);
}

Deno.test("relay: passes traffic both ways and counts it; delay adds latency", async () => {
  await using ctx = new Context({ linger: 0 });
  const { router, dealer, relay } = throughRelay(ctx);
  try {
    await roundTrip(router, dealer, "hello");
    assert.equal(relay.mode, "pass");
    assert.equal(relay.stats.accepted, 1);
    assert.ok(relay.stats.bytesUp > 5 && relay.stats.bytesDown > 5, JSON.stringify(relay.stats));
    relay.delay(150);
    const started = performance.now();
    await roundTrip(router, dealer, "slow");
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 280, `a round trip through 150 ms each way took ${elapsed} ms`);
    relay.pass();
    const fast = performance.now();
    await roundTrip(router, dealer, "fast again");
    assert.ok(performance.now() - fast < 280, "delay(0) / pass() removes the latency");
    throwsWith(() => relay.delay(-1), "EBADVALUE");
  } finally {
    await relay.close();
  }
});

Deno.test("relay: freeze holds traffic on an open connection; heal delivers it", async () => {
  await using ctx = new Context({ linger: 0 });
  const { router, dealer, relay } = throughRelay(ctx);
  try {
    await roundTrip(router, dealer, "before");
    relay.freeze();
    await dealer.send("while frozen");
    await rejectsWith(router.recvMultipart({ timeout: 300 }), "EAGAIN");
    assert.equal(relay.stats.active, 1, "the connection stays open");
    relay.heal();
    const [id, body] = await router.recvMultipart({ timeout: 5000 });
    assert.equal(decoder.decode(body), "while frozen");
    await router.send([id, "after"]);
    assert.equal(decoder.decode(await dealer.recv({ timeout: 5000 })), "after");
    // The same connection carried it all: the freeze was silent, nobody reconnected.
    assert.equal(relay.stats.accepted, 1);
  } finally {
    await relay.close();
  }
});

Deno.test("relay: cut drops the connection, the DEALER reconnects through the relay", async () => {
  await using ctx = new Context({ linger: 0 });
  const { router, dealer, relay } = throughRelay(
    ctx,
    (d) => d.setOption("RECONNECT_IVL", 50),
  );
  try {
    await roundTrip(router, dealer, "one");
    const dropped = waitForEvent(dealer, "disconnected", { timeout: 5000 });
    const back = waitForEvent(dealer, "handshake_succeeded", { timeout: 5000 });
    relay.cut();
    await dropped;
    await back;
    await roundTrip(router, dealer, "two");
    assert.equal(relay.stats.cut, 1);
    assert.equal(relay.stats.accepted, 2);
  } finally {
    await relay.close();
  }
});

Deno.test("relay: a partition holds new connections until it heals", async () => {
  await using ctx = new Context({ linger: 0 });
  const router = ctx.socket("ROUTER");
  const port = router.bindToRandomPort();
  await using relay = FaultRelay.start({ target: `127.0.0.1:${port}` });
  relay.partition();
  const late = ctx.socket("DEALER");
  late.connect(relay.endpoint);
  await late.send("from behind the partition");
  await rejectsWith(router.recvMultipart({ timeout: 300 }), "EAGAIN");
  assert.equal(relay.stats.active, 1, "accepted but held");
  relay.heal();
  const [, body] = await router.recvMultipart({ timeout: 5000 });
  assert.equal(decoder.decode(body), "from behind the partition");
});

Deno.test("relay: a malformed target is EBADVALUE; a refused target closes the connection", async () => {
  throwsWith(() => FaultRelay.start({ target: "no-port" }), "EBADVALUE");
  throwsWith(() => FaultRelay.start({ target: "127.0.0.1:70000" }), "EBADVALUE");
  throwsWith(() => FaultRelay.start({ target: { hostname: "127.0.0.1", port: 0 } }), "EBADVALUE");
  // Nothing listens behind this relay: a client's connection is accepted, then closed.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = probe.addr.port;
  probe.close();
  await using relay = FaultRelay.start({ target: `127.0.0.1:${deadPort}` });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: relay.port });
  const n = await conn.read(new Uint8Array(16)).catch(() => null);
  assert.equal(n, null, "the relay closes a connection it cannot forward");
  conn.close();
});

Deno.test("heartbeats: ZMTP heartbeats detect a frozen peer within the configured timeout", async () => {
  await using ctx = new Context({ linger: 0 });
  const timeout = 400;
  const { router, dealer, relay } = throughRelay(
    ctx,
    (d) => setZmtpHeartbeats(d, { interval: 100, timeout, ttl: 1000 }),
  );
  try {
    await roundTrip(router, dealer, "alive");
    const dropped = waitForEvent(dealer, "disconnected", { timeout: 5000 });
    const frozenAt = performance.now();
    relay.freeze();
    await dropped;
    const detected = performance.now() - frozenAt;
    console.log(
      `ZMTP heartbeats (interval 100, timeout ${timeout}): frozen peer noticed after ${
        Math.round(detected)
      } ms`,
    );
    // libzmq closes the connection once `timeout` passes without an answer to a PING.
    assert.ok(detected >= timeout - 150, `detected after ${detected} ms, before the timeout`);
    assert.ok(detected < timeout + 1500, `detected after ${detected} ms`);
  } finally {
    await relay.close();
  }
});

Deno.test("heartbeats: without them the same frozen peer goes unnoticed", async () => {
  await using ctx = new Context({ linger: 0 });
  const { router, dealer, relay } = throughRelay(ctx);
  try {
    await roundTrip(router, dealer, "alive");
    relay.freeze();
    await assert.rejects(
      waitForEvent(dealer, "disconnected", { timeout: 1200 }),
      isCode("EAGAIN"),
    );
  } finally {
    await relay.close();
  }
});

Deno.test("heartbeats: bad ZMTP heartbeat settings are EBADVALUE naming the option", () => {
  using ctx = new Context({ linger: 0 });
  using dealer = ctx.socket("DEALER");
  const e = throwsWith(() => setZmtpHeartbeats(dealer, { interval: 0 }), "EBADVALUE");
  assert.equal(e.option, "interval");
  assert.equal(
    throwsWith(() => setZmtpHeartbeats(dealer, { interval: 10, ttl: 7_000_000 }), "EBADVALUE")
      .option,
    "ttl",
  );
  throwsWith(() => setZmtpHeartbeats(dealer, { interval: 10, timeout: 1.5 }), "EBADVALUE");
  // deno-lint-ignore no-explicit-any
  throwsWith(() => setZmtpHeartbeats(dealer, undefined as any), "EBADVALUE");
});
