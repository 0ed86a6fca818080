// Regression tests for issue 10.4: a loop over send/recv/poll whose operations complete at once
// (settled promises) must still let the event loop turn. The bound is counted, not timed: a
// macrotask queued before the loop runs before the loop has made more than TURN_OPS operations.
import assert from "node:assert/strict";
import { Context, POLLIN, POLLOUT, ZmqError } from "../mod.ts";
import { TURN_OPS } from "../core/_turn.ts";
import { pushPullUnbounded } from "./_util.ts";

/**
 * Runs `step` (one operation each) up to `limit` times and answers how many had run when a
 * macrotask queued just before the loop got its turn (Infinity if it never did).
 */
async function opsBeforeTurn(limit: number, step: (i: number) => Promise<unknown>) {
  let seen = Infinity;
  let ops = 0;
  setImmediate(() => seen = ops);
  for (let i = 0; i < limit && seen === Infinity; i++) {
    await step(i);
    ops++;
  }
  return seen;
}

const isEagain = (e: unknown) => e instanceof ZmqError && e.code === "EAGAIN";

Deno.test("a hot send/recv loop lets a macrotask run within TURN_OPS operations", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "ht-sendrecv");
  using _push = push, _pull = pull;
  const m = new Uint8Array(16);
  // each step is two operations that both complete at once
  const seen = await opsBeforeTurn(20 * TURN_OPS, async () => {
    await push.send(m);
    await pull.recv();
  });
  assert.ok(seen <= TURN_OPS / 2, `the macrotask waited for ${seen} steps`);
  while (await pull.poll(POLLIN, 0)) await pull.recv(); // drain
});

Deno.test("every kind of operation counts: recv, multipart, iteration, poll, rejections", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "ht-kinds");
  using _push = push, _pull = pull;
  using empty = ctx.socket("PULL");
  empty.bind("inproc://ht-empty");
  const closed = ctx.socket("PUSH");
  closed.close();
  const limit = 20 * TURN_OPS;
  for (let i = 0; i < limit; i++) await push.send(["a", "b"]);
  const loops: [string, (i: number) => Promise<unknown>][] = [
    ["recvMultipart (messages already queued)", () => pull.recvMultipart()],
    ["poll that is ready at once", () => push.poll(POLLOUT)],
    ["recv with timeout 0 on an empty socket", () => empty.recv({ timeout: 0 }).catch(isEagain)],
    ["sendJson that rejects", () => push.sendJson(10n).catch(() => {})],
    ["send on a closed socket", () => closed.send("x").catch(() => {})],
  ];
  for (const [what, step] of loops) {
    const seen = await opsBeforeTurn(limit / 2, step);
    assert.ok(seen <= TURN_OPS, `${what}: the macrotask waited for ${seen} operations`);
  }
  // async iteration over a socket with messages queued
  let seen = Infinity, ops = 0;
  setImmediate(() => seen = ops);
  for await (const _ of pull) {
    if (++ops >= limit / 4 || seen !== Infinity) break;
  }
  assert.ok(seen <= TURN_OPS, `for await: the macrotask waited for ${seen} messages`);
});

Deno.test("timers and an AbortSignal.timeout fire while a receive loop never waits", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "ht-timers");
  using _push = push, _pull = pull;
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  const signal = AbortSignal.timeout(20);
  const m = new Uint8Array(16);
  let ops = 0;
  try {
    // bounded by operations, not time: before the fix this ran all 2,000,000 with 0 ticks
    while ((ticks < 3 || !signal.aborted) && ops < 2_000_000) {
      await push.send(m);
      await pull.recv();
      ops += 2;
    }
  } finally {
    clearInterval(interval);
  }
  assert.ok(ticks >= 3, `setInterval ticked ${ticks} times in ${ops} operations`);
  assert.ok(signal.aborted, `AbortSignal.timeout(20) did not fire in ${ops} operations`);
});

Deno.test("operations that wait for the turn keep their order", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pushPullUnbounded(ctx, "ht-order");
  using _push = push, _pull = pull;
  const n = 5 * TURN_OPS;
  // started all at once: most of them wait for a turn, in call order
  const sends = Array.from({ length: n }, (_, i) => push.send(String(i)));
  const recvs = Array.from({ length: n }, () => pull.recvString({ timeout: 10_000 }));
  await Promise.all(sends);
  const got = await Promise.all(recvs);
  assert.deepEqual(got, Array.from({ length: n }, (_, i) => String(i)));
});
