import assert from "node:assert/strict";
import { Context, POLLIN, POLLOUT } from "../mod.ts";
import { endsAfterAbout, freePorts, rejectsWith } from "./_util.ts";

Deno.test("a recv timeout rejects with EAGAIN and leaves the socket usable", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://timeout");
  push.connect("inproc://timeout");
  const e = await rejectsWith(pull.recv({ timeout: 20 }), "EAGAIN");
  assert.match(e.message, /timed out after 20 ms/);
  await rejectsWith(pull.recv({ timeout: 0 }), "EAGAIN");
  await push.send("after the timeout");
  assert.equal(await pull.recvString({ timeout: 5000 }), "after the timeout");
});

Deno.test("RCVTIMEO set by name is the default timeout, as in pyzmq", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  pull.bind("inproc://rcvtimeo");
  pull.setOption("RCVTIMEO", 15);
  await rejectsWith(pull.recv(), "EAGAIN");
  assert.equal(pull.getOption("RCVTIMEO"), 15);
});

Deno.test("an abort rejects with the signal's reason and leaves the socket usable", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://abort");
  push.connect("inproc://abort");
  const controller = new AbortController();
  const pending = pull.recv({ signal: controller.signal });
  controller.abort(new Error("changed my mind"));
  await assert.rejects(pending, /changed my mind/);
  // an already aborted signal rejects at once
  await assert.rejects(pull.recv({ signal: controller.signal }), /changed my mind/);
  await push.send("still here");
  assert.equal(await pull.recvString(), "still here");
});

Deno.test("several pending receives are served in the order they were made", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://order");
  push.connect("inproc://order");
  const first = pull.recvString();
  const second = pull.recvMultipart();
  const third = pull.recvString();
  await push.send("one");
  await push.send(["two", "parts"]);
  await push.send("three");
  assert.equal(await first, "one");
  assert.equal((await second).length, 2);
  assert.equal(await third, "three");
});

Deno.test("sends queue behind a full pipe and go out in order once a peer comes", async () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  push.bind("inproc://queued-sends");
  // no peer yet: PUSH cannot send, so the sends wait in our queue, in order
  const sends = [push.send("a"), push.send("b"), push.send("c")];
  using pull = ctx.socket("PULL");
  pull.connect("inproc://queued-sends");
  await Promise.all(sends);
  assert.deepEqual(
    [await pull.recvString(), await pull.recvString(), await pull.recvString()],
    ["a", "b", "c"],
  );
});

Deno.test("a send timeout rejects with EAGAIN when no peer takes the message", async () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  push.bind("inproc://no-peer");
  await rejectsWith(push.send("nobody", { timeout: 10 }), "EAGAIN");
  await rejectsWith(push.send("nobody", { timeout: 0 }), "EAGAIN");
});

Deno.test("40 sockets waiting at once do not deadlock", async () => {
  using ctx = new Context();
  const pulls = Array.from({ length: 40 }, () => ctx.socket("PULL"));
  const pushes = Array.from({ length: 40 }, () => ctx.socket("PUSH"));
  try {
    const ports = pulls.map((p) => p.bindToRandomPort());
    const pending = pulls.map((p) => p.recvString());
    pushes.forEach((p, i) => p.connect(`tcp://127.0.0.1:${ports[i]}`));
    // answer in reverse order, to wake waiters that are not first in the poll set
    for (let i = 39; i >= 0; i--) await pushes[i].send(`msg ${i}`);
    assert.deepEqual(await Promise.all(pending), pulls.map((_, i) => `msg ${i}`));
  } finally {
    [...pulls, ...pushes].forEach((s) => s.close());
  }
});

Deno.test("closing a socket rejects its pending operations with ECLOSED", async () => {
  using ctx = new Context();
  const pull = ctx.socket("PULL");
  pull.bind("inproc://close-pending");
  const pending = pull.recv();
  pull.close();
  await rejectsWith(pending, "ECLOSED");
  await rejectsWith(pull.recv(), "ECLOSED");
  pull.close(); // twice is harmless
});

Deno.test("closing the context closes its sockets; later calls say ECLOSED", async () => {
  const ctx = new Context();
  const pull = ctx.socket("PULL");
  pull.bind("inproc://ctx-close");
  const pending = pull.recv();
  ctx.close();
  await rejectsWith(pending, "ECLOSED");
  assert.ok(pull.closed);
  await rejectsWith(pull.recv(), "ECLOSED");
  assert.throws(() => ctx.socket("PUSH"), /Context is closed/);
});

Deno.test("Socket.poll answers readiness, and 0 after its timeout", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://poll");
  assert.equal(await push.poll(POLLOUT, 0), 0); // no peer: cannot send
  push.connect("inproc://poll");
  assert.equal(await push.poll(POLLOUT, 0), POLLOUT);
  assert.equal(await pull.poll(POLLIN, 10), 0);
  const ready = pull.poll(POLLIN);
  await push.send("x");
  assert.equal(await ready, POLLIN);
  assert.equal(await pull.recvString(), "x");
});

Deno.test("a terminated context (async) lets a program finish without blocking", async () => {
  const ctx = new Context();
  const push = ctx.socket("PUSH");
  const linger = 300;
  push.setOption("LINGER", linger);
  const [nobody] = freePorts(1);
  push.connect(`tcp://127.0.0.1:${nobody}`); // no peer will come: the message stays queued
  await push.send("never delivered", { timeout: 0 });
  // termination waits for the message's LINGER, off the JS thread: timers keep firing meanwhile
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  try {
    const t = await endsAfterAbout(
      "terminate() of a context with a lingering message",
      linger,
      () => ctx.terminate(),
    );
    assert.ok("value" in t, "terminate() resolves");
  } finally {
    clearInterval(ticker);
  }
  assert.ok(ticks >= 5, `only ${ticks} timer ticks in ${linger} ms: terminate blocked the thread`);
  assert.ok(ctx.closed && push.closed);
  await ctx.terminate(); // a second time is harmless
});
