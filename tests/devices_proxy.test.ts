import assert from "node:assert/strict";
import { Context, monitor, startProxy, SteerableProxy } from "../mod.ts";
import { ProxyLease, proxySteerable } from "../core/proxy_lease.ts";
import { rejectsWith, throwsWith } from "./_devices.ts";

Deno.test("proxy: a queue forwards requests and replies; statistics count every frame", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("ROUTER");
  using backend = ctx.socket("DEALER");
  using req = ctx.socket("REQ");
  using rep = ctx.socket("REP");
  frontend.bind("inproc://dp-stats-front");
  backend.bind("inproc://dp-stats-back");
  req.connect("inproc://dp-stats-front");
  rep.connect("inproc://dp-stats-back");
  const proxy = startProxy(frontend, backend);
  for (let i = 0; i < 3; i++) {
    await req.send("hello");
    assert.equal(await rep.recvString(), "hello");
    await rep.send("world!");
    assert.equal(await req.recvString(), "world!");
  }
  const stats = await proxy.statistics();
  // each request is [routing id (5 bytes), empty delimiter, "hello"] on the frontend
  // bytes: routing id (5) + "hello" (5) in, plus the reply "world!" (6) back
  assert.deepEqual(
    [
      stats.frontend.bytesIn,
      stats.frontend.bytesOut,
      stats.backend.bytesIn,
      stats.backend.bytesOut,
    ],
    [30, 33, 33, 30],
  );
  const counts = [stats.frontend.messagesIn, stats.frontend.messagesOut];
  counts.push(stats.backend.messagesIn, stats.backend.messagesOut);
  // the same unit on every count: 9 frames or 3 messages each way
  assert.ok(
    counts.every((c) => c === 9) || counts.every((c) => c === 3),
    `counts ${counts.join(", ")}`,
  );
  await proxy.terminate();
  assert.equal(proxy.state, "terminated");
  await proxy.done;
});

Deno.test("proxy: pause stops traffic, resume restarts it, statistics survive the pause", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("PULL");
  using backend = ctx.socket("PUSH");
  using producer = ctx.socket("PUSH");
  using consumer = ctx.socket("PULL");
  frontend.bind("inproc://dp-pause-front");
  backend.bind("inproc://dp-pause-back");
  producer.connect("inproc://dp-pause-front");
  consumer.connect("inproc://dp-pause-back");
  const proxy = new SteerableProxy(frontend, backend);
  await producer.send("before");
  assert.equal(await consumer.recvString(), "before");
  await proxy.pause();
  assert.equal(proxy.state, "paused");
  await producer.send("during");
  await rejectsWith(consumer.recv({ timeout: 200 }), "EAGAIN");
  await proxy.resume();
  assert.equal(await consumer.recvString(), "during");
  const stats = await proxy.statistics();
  assert.equal(stats.frontend.messagesIn, 2); // one-frame messages: frames = messages
  assert.equal(stats.backend.messagesOut, 2);
  assert.equal(stats.backend.bytesOut, "before".length + "during".length);
  await proxy.terminate();
});

Deno.test("proxy: its sockets are busy while it runs and usable after terminate", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("PULL");
  using backend = ctx.socket("PUSH");
  frontend.bind("inproc://dp-busy-front");
  backend.bind("inproc://dp-busy-back");
  const proxy = new SteerableProxy(frontend, backend);
  throwsWith(() => frontend.close(), "EBUSY");
  throwsWith(() => backend.getOption("TYPE"), "EBUSY");
  await rejectsWith(frontend.recv(), "EBUSY");
  // a second proxy cannot take the same sockets
  throwsWith(() => new SteerableProxy(frontend, backend), "EBUSY");
  await proxy.terminate();
  await proxy.terminate(); // harmless
  await rejectsWith(proxy.pause(), "ECLOSED");
  assert.equal(backend.getOption("TYPE"), 8);
});

Deno.test("proxy: capture receives a copy of every frame", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("PULL");
  using backend = ctx.socket("PUSH");
  using capture = ctx.socket("PUSH");
  using captured = ctx.socket("PULL");
  using producer = ctx.socket("PUSH");
  using consumer = ctx.socket("PULL");
  frontend.bind("inproc://dp-cap-front");
  backend.bind("inproc://dp-cap-back");
  capture.bind("inproc://dp-cap");
  captured.connect("inproc://dp-cap");
  producer.connect("inproc://dp-cap-front");
  consumer.connect("inproc://dp-cap-back");
  const proxy = new SteerableProxy(frontend, backend, { capture });
  await producer.send(["a", "b"]);
  assert.deepEqual((await consumer.recvMultipart()).map((f) => new TextDecoder().decode(f)), [
    "a",
    "b",
  ]);
  assert.deepEqual((await captured.recvMultipart()).map((f) => new TextDecoder().decode(f)), [
    "a",
    "b",
  ]);
  await proxy.terminate();
});

Deno.test("proxySteerable / ProxyLease: bad input is a clear error", async () => {
  using ctx = new Context();
  using a = ctx.socket("PAIR");
  using b = ctx.socket("PAIR");
  throwsWith(() => new ProxyLease(a, undefined as never), "EBADVALUE");
  await rejectsWith(proxySteerable(a, b, { control: a }), "EBADVALUE");
  const closed = ctx.socket("PAIR");
  closed.close();
  throwsWith(() => new ProxyLease(a, closed), "ECLOSED");
  // a failed lease gives back what it took
  assert.equal(a.getOption("TYPE"), 0);
  const pending = a.recv();
  throwsWith(() => new ProxyLease(a, b), "EBUSY");
  b.close();
  a.close();
  await rejectsWith(pending, "ECLOSED");
});

Deno.test("proxy: monitoring a socket a proxy holds is EBUSY, not a race", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("PULL");
  using backend = ctx.socket("PUSH");
  frontend.bind("inproc://dp-mon-front");
  backend.bind("inproc://dp-mon-back");
  const proxy = startProxy(frontend, backend);
  throwsWith(() => monitor(frontend), "EBUSY");
  await proxy.terminate();
});

Deno.test("proxy: one socket as both frontend and backend, or a capture that cannot send, is EINVAL", () => {
  using ctx = new Context();
  using router = ctx.socket("ROUTER");
  throwsWith(() => new SteerableProxy(router, router), "EINVAL");
  throwsWith(() => new ProxyLease(router, router), "EINVAL");
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  using sub = ctx.socket("SUB");
  throwsWith(() => new SteerableProxy(pull, push, { capture: sub }), "EINVAL");
  assert.equal(router.getOption("TYPE"), 6); // nothing was leased
});
