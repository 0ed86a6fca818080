// Batch receives (issue 12 item 4): Socket.recvMany and Socket.batches drain every queued message
// in one call, whole and in order, and hand them out as views into ONE buffer per batch that
// holds that batch's frames and nothing else (issue 10 finding 1 keeps holding: no frame shows
// another message's bytes, and detaching one batch's buffer changes nothing outside it).
import assert from "node:assert/strict";
import { Context, type Socket, ZmqError } from "../mod.ts";
import { contains, pushPullUnbounded, rejectsWith, text } from "./_util.ts";

const encoder = new TextEncoder();

/** Every byte of a batch's frames, in order. */
function concat(batch: Uint8Array[][]): Uint8Array {
  const frames = batch.flat();
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

Deno.test("recvMany answers every queued message whole and in order, up to max", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-order");
  using _push = push, _pull = pull;
  for (let i = 0; i < 10; i++) await push.send(`m${i}`);
  await push.send(["multi", "", "part"]);
  await push.send(new Uint8Array(0));
  const first = await pull.recvMany(4, { timeout: 5000 });
  assert.deepEqual(first.map(text), [["m0"], ["m1"], ["m2"], ["m3"]]);
  const rest = await pull.recvMany(Infinity, { timeout: 5000 });
  assert.deepEqual(rest.map(text), [
    ["m4"],
    ["m5"],
    ["m6"],
    ["m7"],
    ["m8"],
    ["m9"],
    ["multi", "", "part"],
    [""],
  ]);
  // nothing left: a zero timeout answers EAGAIN at once
  await rejectsWith(pull.recvMany(10, { timeout: 0 }), "EAGAIN");
});

Deno.test("a batch never splits a multipart message, whatever max says", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-whole");
  using _push = push, _pull = pull;
  const frames = Array.from({ length: 50 }, (_, i) => `f${i}`);
  await push.send(frames);
  await push.send(frames);
  const one = await pull.recvMany(1, { timeout: 5000 });
  assert.equal(one.length, 1);
  assert.deepEqual(text(one[0]), frames);
  assert.deepEqual(text((await pull.recvMany(1, { timeout: 5000 }))[0]), frames);
});

Deno.test("a batch's frames view one buffer holding exactly that batch's bytes", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-own");
  using _push = push, _pull = pull;
  const secret = encoder.encode("an earlier batch's secret");
  await push.send(secret);
  await push.send(["kept", "too"]);
  const earlier = await pull.recvMany(10, { timeout: 5000 });
  assert.deepEqual(earlier.map(text), [["an earlier batch's secret"], ["kept", "too"]]);
  for (let i = 0; i < 20; i++) await push.send(`job ${i} ${"x".repeat(i * 40)}`);
  const batch = await pull.recvMany(100, { timeout: 5000 });
  assert.equal(batch.length, 20);
  const buffers = new Set(batch.flat().map((f) => f.buffer));
  assert.equal(buffers.size, 1, "one buffer for the whole batch");
  const whole = new Uint8Array([...buffers][0]);
  assert.deepEqual(whole, concat(batch), "the buffer holds this batch's frames and nothing else");
  assert.equal(contains(whole, secret), false);
  assert.notEqual(earlier[0][0].buffer, batch[0][0].buffer);
});

Deno.test("detaching a batch's buffer empties that batch only; nothing else changes", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-detach");
  const [other, otherPull] = await pushPullUnbounded(ctx, "batch-detach-other");
  using _push = push, _pull = pull, _other = other, _otherPull = otherPull;
  await push.send("kept batch");
  const kept = await pull.recvMany(10, { timeout: 5000 });
  await push.send("moved one");
  await push.send("moved two");
  const moved = await pull.recvMany(10, { timeout: 5000 });
  assert.deepEqual(moved.map(text), [["moved one"], ["moved two"]]);
  const buffer = moved[0][0].buffer as ArrayBuffer;
  const away = structuredClone(buffer, { transfer: [buffer] }); // as postMessage does
  assert.equal(new TextDecoder().decode(away), "moved onemoved two");
  assert.equal(moved[0][0].byteLength, 0);
  assert.equal(moved[1][0].byteLength, 0, "the batch's frames share the buffer");
  assert.deepEqual(kept.map(text), [["kept batch"]], "an earlier batch is untouched");
  (kept[0][0].buffer as ArrayBuffer).transfer(); // and detach the other one in place
  // later batches, single receives and another socket's pending receive all still work
  const waiting = otherPull.recvMany(10, { timeout: 5000 });
  await push.send(["after", "detach"]);
  assert.deepEqual((await pull.recvMany(10, { timeout: 5000 })).map(text), [["after", "detach"]]);
  await push.send("single");
  assert.equal(await pull.recvString({ timeout: 5000 }), "single");
  await other.send("other socket");
  assert.deepEqual((await waiting).map(text), [["other socket"]]);
});

Deno.test("a frame too big for the staging area has a buffer of its own, the rest share one", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-big");
  using _push = push, _pull = pull;
  const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
  await push.send("small one");
  await push.send(["head", big]);
  await push.send("small two");
  const batch = await pull.recvMany(10, { timeout: 5000 });
  assert.equal(batch.length, 3);
  assert.deepEqual(batch[1][1], big);
  assert.equal(batch[1][1].buffer.byteLength, big.length, "the big frame's buffer is its own");
  const small = [batch[0][0], batch[1][0], batch[2][0]];
  assert.equal(new Set(small.map((f) => f.buffer)).size, 1);
  assert.equal(small[0].buffer.byteLength, "small one".length + "head".length + "small two".length);
  assert.deepEqual(text(small), ["small one", "head", "small two"]);
});

Deno.test("batches past the staging area's fill arrive whole over several calls", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-fill");
  using _push = push, _pull = pull;
  const count = 100;
  const frame = (i: number) => new Uint8Array(8000).fill(i);
  for (let i = 0; i < count; i++) await push.send(frame(i));
  const got: Uint8Array[] = [];
  let calls = 0;
  while (got.length < count) {
    for (const [f] of await pull.recvMany(Infinity, { timeout: 5000 })) got.push(f);
    calls++;
  }
  assert.ok(calls >= 2, "800 kB of staged frames cannot come in one batch");
  for (let i = 0; i < count; i++) assert.deepEqual(got[i], frame(i), `frame ${i}`);
});

Deno.test("frames with buffers of their own count toward a batch's fill too", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-big-fill");
  using _push = push, _pull = pull;
  const mib = (i: number) => new Uint8Array(1 << 20).fill(i);
  for (let i = 0; i < 8; i++) await push.send(mib(i));
  await push.send("last");
  // 8 MiB queued: each batch stops once it holds 128 KiB, so each takes one of them
  const sizes: number[] = [];
  while (sizes.length < 9) {
    const batch = await pull.recvMany(Infinity, { timeout: 5000 });
    assert.equal(batch.length, 1, `batch ${sizes.length} took ${batch.length} messages`);
    sizes.push(batch[0][0].length);
    if (sizes.length <= 8) assert.equal(batch[0][0][0], sizes.length - 1);
  }
  assert.deepEqual(sizes, [...Array(8).fill(1 << 20), 4]);
});

Deno.test("a pending recvMany settles once with every message there when it wakes", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-pending");
  using _push = push, _pull = pull;
  const pending = pull.recvMany(100, { timeout: 5000 });
  // the three sends happen in one synchronous run, before the reactor's first sweep
  void push.send("a");
  void push.send("b");
  void push.send(["c", "d"]);
  assert.deepEqual((await pending).map(text), [["a"], ["b"], ["c", "d"]]);
  // queued behind another receive, it waits its turn
  const single = pull.recvString({ timeout: 5000 });
  const after = pull.recvMany(100, { timeout: 5000 });
  await push.send("first");
  await push.send("second");
  assert.equal(await single, "first");
  assert.deepEqual((await after).map(text), [["second"]]);
});

Deno.test("recvMany times out, aborts and rejects bad arguments with typed errors", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-errors");
  using _push = push;
  await rejectsWith(pull.recvMany(10, { timeout: 20 }), "EAGAIN");
  const controller = new AbortController();
  const aborted = pull.recvMany(10, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  for (const bad of [0, -1, 1.5, NaN, "10" as unknown as number]) {
    const e = await rejectsWith(pull.recvMany(bad), "EBADVALUE");
    assert.match(e.message, /max must be a whole number/);
  }
  await rejectsWith(pull.recvMany(10, null as never), "EBADVALUE");
  // after all that the socket still answers
  await push.send("still fine");
  assert.deepEqual((await pull.recvMany(10, { timeout: 5000 })).map(text), [["still fine"]]);
  const waiting = pull.recvMany(10);
  pull.close();
  await rejectsWith(waiting, "ECLOSED");
  await rejectsWith(pull.recvMany(), "ECLOSED");
});

Deno.test("batches() yields batches in order until the socket closes", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-iter");
  using _push = push;
  const seen: string[] = [];
  const done = (async () => {
    for await (const batch of pull.batches(3)) {
      assert.ok(batch.length >= 1 && batch.length <= 3, `batch of ${batch.length}`);
      for (const message of batch) seen.push(text(message).join("+"));
      if (seen.length === 7) pull.close();
    }
  })();
  for (let i = 0; i < 6; i++) await push.send(`n${i}`);
  await push.send(["x", "y"]);
  await done;
  assert.deepEqual(seen, ["n0", "n1", "n2", "n3", "n4", "n5", "x+y"]);
});

Deno.test("a hot recvMany loop lets timers run", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "batch-turn");
  using _push = push, _pull = pull;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    // the queue never runs dry: every batch call completes at once
    const m = new Uint8Array(16);
    const until = performance.now() + 300;
    let received = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 10; i++) await push.send(m);
      received += (await pull.recvMany(10)).length;
    }
    assert.ok(received > 0);
    assert.ok(ticks >= 2, `the interval ticked ${ticks} times in 300 ms of hot receives`);
  } finally {
    clearInterval(timer);
  }
});

Deno.test("recvMany rejects on a non-receiving socket type like recv does", async () => {
  using ctx = new Context({ linger: 0 });
  using push = ctx.socket("PUSH");
  const e = await pull0(push);
  assert.ok(e instanceof ZmqError);
  assert.equal(e.code, "ENOTSUP");
});

async function pull0(s: Socket): Promise<unknown> {
  try {
    await s.recvMany(1, { timeout: 0 });
  } catch (e) {
    return e;
  }
  return null;
}
