import assert from "node:assert/strict";
import { Context, monitor, startProxy, SteerableProxy } from "../mod.ts";
import { ProxyLease, proxySteerable } from "../core/proxy_lease.ts";
import { rejectsWith, throwsWith, within } from "./_devices.ts";

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

Deno.test("proxy: one socket as both frontend and backend, a capture that cannot send or is one of them, is EINVAL", () => {
  using ctx = new Context();
  using router = ctx.socket("ROUTER");
  throwsWith(() => new SteerableProxy(router, router), "EINVAL");
  throwsWith(() => new ProxyLease(router, router), "EINVAL");
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  using sub = ctx.socket("SUB");
  throwsWith(() => new SteerableProxy(pull, push, { capture: sub }), "EINVAL");
  // a capture that is the backend (or frontend) mixed its copies into the traffic
  throwsWith(() => new SteerableProxy(pull, push, { capture: push }), "EINVAL");
  using dealer = ctx.socket("DEALER");
  throwsWith(() => new SteerableProxy(router, dealer, { capture: router }), "EINVAL");
  throwsWith(() => new ProxyLease(router, dealer, { capture: dealer }), "EINVAL");
  assert.equal(router.getOption("TYPE"), 6); // nothing was leased
  assert.equal(push.getOption("TYPE"), 8);
});

/**
 * A proxy that blocks: 50 messages wait on its PULL frontend before it starts, and its PUSH
 * backend holds two (SNDHWM 1 + the consumer's RCVHWM 1) while the consumer does not read.
 * libzmq's proxy forwards them in one burst of blocking sends, so it stays in the third send and
 * reads no command until the consumer reads. Answers once the first message has arrived.
 */
async function blockedProxy(ctx: Context, name: string, commandTimeout?: number) {
  const frontend = ctx.socket("PULL");
  const backend = ctx.socket("PUSH");
  const producer = ctx.socket("PUSH");
  const consumer = ctx.socket("PULL");
  backend.setOption("SNDHWM", 1);
  consumer.setOption("RCVHWM", 1);
  frontend.bind(`inproc://${name}-front`);
  backend.bind(`inproc://${name}-back`);
  producer.connect(`inproc://${name}-front`);
  consumer.connect(`inproc://${name}-back`);
  for (let i = 0; i < 50; i++) await producer.send(`m${i}`, { timeout: 5000 });
  const proxy = new SteerableProxy(frontend, backend, { commandTimeout });
  assert.equal(await consumer.poll(1, 5000), 1, "the proxy's first message arrived");
  const drain = async () => {
    for (let i = 0; i < 50; i++) {
      assert.equal(await consumer.recvString({ timeout: 5000 }), `m${i}`);
    }
  };
  return { proxy, drain, sockets: [frontend, backend, producer, consumer] };
}

Deno.test("proxy: blocked in a send to a full queue, a command rejects EAGAIN in time and takes effect once it drains", async () => {
  await using ctx = new Context({ linger: 0 });
  const { proxy, drain, sockets } = await blockedProxy(ctx, "dp-blocked", 200);
  try {
    const t0 = performance.now();
    const late = await within(proxy.statistics(), 5000, "statistics").then(() => null, (e) => e);
    assert.equal(late?.code, "EAGAIN", String(late));
    assert.match(late.message, /within 200 ms: .*blocks in a send/);
    assert.ok(performance.now() - t0 >= 190, "after about its timeout");
    // a pause made meanwhile waits (for ever, as asked) behind the unanswered STATISTICS
    const paused = proxy.pause({ timeout: -1 });
    const resumed = within(proxy.resume({ timeout: 50 }), 5000, "resume");
    await rejectsWith(resumed, "EAGAIN"); // queued behind the pause
    await drain();
    await within(paused, 10_000, "the pause, once the queue drained");
    const stats = await within(proxy.statistics(), 5000, "statistics"); // after the resume
    assert.equal(proxy.state, "running", "the resume queued behind the pause took effect too");
    assert.equal(stats.frontend.messagesIn, 50);
    assert.equal(stats.backend.messagesOut, 50);
    await within(proxy.terminate(), 5000, "terminate");
  } finally {
    for (const s of sockets) s.close();
  }
});

Deno.test("proxy: a terminate that timed out behind a blocked send ends the proxy once the queue drains", async () => {
  await using ctx = new Context({ linger: 0 });
  const { proxy, drain, sockets } = await blockedProxy(ctx, "dp-blocked-end");
  try {
    await rejectsWith(within(proxy.terminate({ timeout: 100 }), 5000, "terminate"), "EAGAIN");
    assert.equal(proxy.state, "running");
    throwsWith(() => sockets[0].close(), "EBUSY"); // still the proxy's
    await drain();
    await within(proxy.done, 10_000, "the terminate, once the queue drained");
    assert.equal(proxy.state, "terminated");
    await rejectsWith(proxy.pause(), "ECLOSED");
  } finally {
    for (const s of sockets) s.close();
  }
});

Deno.test("proxy: command timeouts are checked", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("PULL");
  using backend = ctx.socket("PUSH");
  frontend.bind("inproc://dp-timeouts-front");
  backend.bind("inproc://dp-timeouts-back");
  for (const commandTimeout of [-2, "1", NaN]) {
    throwsWith(
      () => new SteerableProxy(frontend, backend, { commandTimeout: commandTimeout as number }),
      "EBADVALUE",
    );
  }
  throwsWith(() => new SteerableProxy(frontend, backend, null as never), "EBADVALUE");
  const proxy = new SteerableProxy(frontend, backend);
  await rejectsWith(proxy.statistics({ timeout: -5 }), "EBADVALUE");
  await rejectsWith(proxy.pause(null as never), "EBADVALUE");
  assert.equal(proxy.state, "running");
  assert.equal((await proxy.statistics({ timeout: Infinity })).frontend.messagesIn, 0);
  // beyond setTimeout's 2^31-1 ms a timeout is forever, as everywhere in the library
  assert.equal((await proxy.statistics({ timeout: 2 ** 40 })).frontend.messagesIn, 0);
  await proxy.terminate({ timeout: 5000 });
});

Deno.test("proxy: terminate() of its context ends a running proxy and closes everything", async () => {
  // terminate() closed the sockets one by one, threw EBUSY at the first one the proxy held and
  // left the context half closed, the proxy running and its done pending for ever
  const ctx = new Context({ linger: 0 });
  const frontend = ctx.socket("PULL");
  const backend = ctx.socket("PUSH");
  const other = ctx.socket("PAIR");
  frontend.bind("inproc://dp-ctx-front");
  backend.bind("inproc://dp-ctx-back");
  const proxy = new SteerableProxy(frontend, backend);
  const ended = proxy.done.then(() => "stopped", (e) => e.code);
  await within(ctx.terminate(), 5000, "terminate of a context under a running proxy");
  assert.equal(await within(ended, 5000, "the proxy's done"), "EPROXY");
  assert.equal(proxy.running, false);
  assert.ok(frontend.closed && backend.closed && other.closed && ctx.closed);
  await within(proxy.stop(), 5000, "stop after its context ended it");
});

Deno.test("proxy: close() of its context under a running proxy is EBUSY and closes nothing", async () => {
  const ctx = new Context({ linger: 0 });
  using push = ctx.socket("PUSH"); // opened first: closed first, before the one the proxy holds
  using pull = ctx.socket("PULL");
  const frontend = ctx.socket("PULL");
  const backend = ctx.socket("PUSH");
  frontend.bind("inproc://dp-close-front");
  backend.bind("inproc://dp-close-back");
  push.connect("inproc://dp-close-front");
  pull.connect("inproc://dp-close-back");
  const proxy = new SteerableProxy(frontend, backend);
  throwsWith(() => ctx.close(), "EBUSY");
  assert.ok(!ctx.closed && !push.closed && !pull.closed, "a context closes whole or not at all");
  await push.send("still flowing");
  assert.equal(await pull.recvString({ timeout: 5000 }), "still flowing");
  await proxy.stop();
  ctx.close();
  assert.ok(frontend.closed && push.closed);
});
