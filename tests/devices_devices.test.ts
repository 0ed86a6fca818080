import assert from "node:assert/strict";
import {
  Context,
  MonitoredQueue,
  POLLIN,
  startDevice,
  startForwarder,
  startQueue,
  startStreamer,
} from "../mod.ts";
import {
  assertCount,
  rejectsWith,
  STOP_MS,
  stoppedAtEnd,
  syncPubSub,
  text,
  throwsWith,
  within,
} from "./_devices.ts";
import { isCode } from "./_util.ts";

// Every wait is bounded, so a device that passes nothing fails its test by name, not by hanging.
const WAIT = { timeout: 10_000 };

Deno.test("queue device: load balancing reaches every server", async () => {
  using ctx = new Context();
  await using queue = stoppedAtEnd(
    startQueue({ frontend: "inproc://dd-q-front", backend: "inproc://dd-q-back", context: ctx }),
    "queue",
  );
  using s1 = ctx.socket("REP");
  using s2 = ctx.socket("REP");
  using client = ctx.socket("REQ");
  s1.connect("inproc://dd-q-back");
  s2.connect("inproc://dd-q-back");
  client.connect("inproc://dd-q-front");
  const serve = async (rep: typeof s1, id: string, signal: AbortSignal) => {
    let served = 0;
    try {
      for (;;) {
        const req = await rep.recvString({ signal });
        served++;
        await rep.send(`${req} from ${id}`);
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
    return served;
  };
  const stop = new AbortController();
  const servers = [serve(s1, "s1", stop.signal), serve(s2, "s2", stop.signal)];
  const seen = new Map<string, number>();
  for (let i = 0; i < 10; i++) {
    await client.send(`request ${i}`);
    const reply = await client.recvString(WAIT);
    assert.ok(reply.startsWith(`request ${i} from `), reply);
    const id = reply.split(" from ")[1];
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  stop.abort();
  const served = await Promise.all(servers);
  assert.deepEqual([...seen.keys()].sort(), ["s1", "s2"]);
  assert.equal(served[0] + served[1], 10);
  await within(queue.stop(), STOP_MS, "queue.stop()");
  const stats = await queue.statistics();
  assertCount(stats.frontend.messagesIn, 30, 10, "frontend in"); // [id, "", body] per request
  assertCount(stats.backend.messagesIn, 30, 10, "backend in");
});

Deno.test("forwarder device: only the subscribed topic, from both publishers", async () => {
  using ctx = new Context();
  await using hub = stoppedAtEnd(
    startForwarder({ frontend: "inproc://dd-f-in", backend: "inproc://dd-f-out", context: ctx }),
    "forwarder",
  );
  using pubA = ctx.socket("PUB");
  using pubB = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  pubA.connect("inproc://dd-f-in");
  pubB.connect("inproc://dd-f-in");
  sub.connect("inproc://dd-f-out");
  sub.subscribe("9 ");
  sub.subscribe("sync");
  sub.subscribe("go");
  // both publishers' messages reach the subscriber once each has passed a sync through
  await syncPubSub(pubA, sub);
  await syncPubSub(pubB, sub);
  for (let topic = 0; topic <= 10; topic++) {
    await pubA.send(`${topic} from A`);
    await pubB.send(`${topic} from B`);
  }
  const got: string[] = [];
  while (got.length < 2) got.push(await sub.recvString(WAIT));
  await rejectsWith(sub.recv({ timeout: 100 }), "EAGAIN");
  assert.deepEqual(got.sort(), ["9 from A", "9 from B"]);
  assert.ok(got.every((m) => m.startsWith("9 ")), got.join());
  await within(hub.stop(), STOP_MS, "forwarder stop()");
});

Deno.test("streamer device: tasks spread over two workers, none lost or duplicated", async () => {
  using ctx = new Context();
  await using streamer = stoppedAtEnd(
    startStreamer({ frontend: "inproc://dd-s-in", backend: "inproc://dd-s-out", context: ctx }),
    "streamer",
  );
  using w1 = ctx.socket("PULL");
  using w2 = ctx.socket("PULL");
  using feeder = ctx.socket("PUSH");
  w1.connect("inproc://dd-s-out");
  w2.connect("inproc://dd-s-out");
  feeder.connect("inproc://dd-s-in");
  const N = 20;
  for (let i = 0; i < N; i++) await feeder.send(`task ${i}`);
  const got: Record<string, string[]> = { w1: [], w2: [] };
  // PUSH round-robins over both connected workers: each gets half
  const deadline = performance.now() + WAIT.timeout;
  while (got.w1.length + got.w2.length < N) {
    assert.ok(performance.now() < deadline, `only ${got.w1.length + got.w2.length} of ${N} tasks`);
    for (const [name, w] of [["w1", w1], ["w2", w2]] as const) {
      const m = await w.recvString({ timeout: 0 }).catch(() => null);
      if (m !== null) got[name].push(m);
    }
    if (got.w1.length + got.w2.length < N) {
      await Promise.race([w1.poll(POLLIN, 100), w2.poll(POLLIN, 100)]);
    }
  }
  const all = [...got.w1, ...got.w2].sort();
  assert.equal(new Set(all).size, N);
  assert.deepEqual(all, Array.from({ length: N }, (_, i) => `task ${i}`).sort());
  assert.ok(got.w1.length > 0 && got.w2.length > 0, `w1 ${got.w1.length} w2 ${got.w2.length}`);
  await rejectsWith(w1.recv({ timeout: 0 }), "EAGAIN");
  await within(streamer.stop(), STOP_MS, "streamer.stop()");
  const stats = await streamer.statistics();
  assert.equal(stats.frontend.messagesIn, N);
});

Deno.test("startDevice: bad configuration is a clear error and leaves nothing open", async () => {
  using ctx = new Context();
  using taken = ctx.socket("PAIR");
  taken.bind("inproc://dd-taken");
  throwsWith(
    () => startDevice("ROUTER" as never, { frontend: "inproc://a", backend: "inproc://b" }),
    "EINVAL",
  );
  assert.throws(() => startQueue({ frontend: "inproc://dd-x" } as never), isCode("EBADVALUE"));
  const e = throwsWith(
    () => startQueue({ frontend: "inproc://dd-ok", backend: "inproc://dd-taken", context: ctx }),
    "EADDRINUSE",
  );
  assert.equal(e.endpoint, "inproc://dd-taken");
  // the failed device closed its frontend: the endpoint can be bound again
  const again = startQueue({
    frontend: "inproc://dd-ok",
    backend: "inproc://dd-ok2",
    context: ctx,
  });
  await within(again.stop(), STOP_MS, "stop()");
});

Deno.test("monitored queue: the monitor sees [in, ...request] and [out, ...reply] for every exchange", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("ROUTER");
  using backend = ctx.socket("DEALER");
  using mon = ctx.socket("PUB");
  using watcher = ctx.socket("SUB");
  using client = ctx.socket("REQ");
  using server = ctx.socket("REP");
  frontend.bind("inproc://dd-mq-in");
  backend.bind("inproc://dd-mq-out");
  mon.bind("inproc://dd-mq-mon");
  watcher.connect("inproc://dd-mq-mon");
  watcher.subscribe("");
  await syncPubSub(mon, watcher);
  client.setOption("ROUTING_ID", "client-1");
  client.connect("inproc://dd-mq-in");
  server.connect("inproc://dd-mq-out");
  const queue = new MonitoredQueue(frontend, backend, mon);
  for (let i = 0; i < 3; i++) {
    await client.send(`Hello ${i}`);
    assert.equal(await server.recvString(WAIT), `Hello ${i}`);
    await server.send(`World ${i}`);
    assert.equal(await client.recvString(WAIT), `World ${i}`);
    assert.deepEqual(text(await watcher.recvMultipart(WAIT)), ["in", "client-1", "", `Hello ${i}`]);
    assert.deepEqual(text(await watcher.recvMultipart(WAIT)), [
      "out",
      "client-1",
      "",
      `World ${i}`,
    ]);
  }
  await within(queue.stop(), STOP_MS, "queue.stop()");
  await rejectsWith(watcher.recv({ timeout: 50 }), "EAGAIN");
});

Deno.test("monitored queue: ROUTER-ROUTER swaps the routing ids, with custom prefixes", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("ROUTER");
  using backend = ctx.socket("ROUTER");
  using mon = ctx.socket("PUB");
  using watcher = ctx.socket("SUB");
  using client = ctx.socket("DEALER");
  using worker = ctx.socket("DEALER");
  frontend.bind("inproc://dd-rr-in");
  backend.bind("inproc://dd-rr-out");
  mon.bind("inproc://dd-rr-mon");
  watcher.connect("inproc://dd-rr-mon");
  watcher.subscribe("");
  await syncPubSub(mon, watcher);
  client.setOption("ROUTING_ID", "C");
  worker.setOption("ROUTING_ID", "W");
  client.connect("inproc://dd-rr-in");
  worker.connect("inproc://dd-rr-out");
  const stop = new AbortController();
  const queue = new MonitoredQueue(frontend, backend, mon, {
    inPrefix: "request",
    outPrefix: new TextEncoder().encode("reply"),
    signal: stop.signal,
  });
  // the client addresses the worker by its id; the frontend sees [C, W, job] and the swap
  // makes it [W, C, job], so the backend routes it to W, which sees who asked
  await client.send(["W", "job"]);
  assert.deepEqual(text(await worker.recvMultipart(WAIT)), ["C", "job"]);
  assert.deepEqual(text(await watcher.recvMultipart(WAIT)), ["request", "W", "C", "job"]);
  await worker.send(["C", "done"]);
  assert.deepEqual(text(await client.recvMultipart(WAIT)), ["W", "done"]);
  assert.deepEqual(text(await watcher.recvMultipart(WAIT)), ["reply", "C", "W", "done"]);
  stop.abort();
  await within(queue.done, STOP_MS, "the queue's end after the abort");
  assert.throws(
    () => new MonitoredQueue(frontend, backend, mon, { inPrefix: 3 as never }),
    isCode("EBADVALUE"),
  );
  // a signal that is not one was an untyped TypeError; one socket in two roles relayed every
  // message back into itself
  assert.throws(
    () => new MonitoredQueue(frontend, backend, mon, { signal: {} as never }),
    isCode("EBADVALUE"),
  );
  assert.throws(() => new MonitoredQueue(frontend, frontend, mon), isCode("EINVAL"));
  assert.throws(() => new MonitoredQueue(frontend, backend, backend), isCode("EINVAL"));
});

Deno.test("startDevice: a capture endpoint gets a copy of the traffic", async () => {
  using ctx = new Context();
  await using streamer = stoppedAtEnd(
    startDevice("STREAMER", {
      frontend: "inproc://dd-c-in",
      backend: "inproc://dd-c-out",
      capture: "inproc://dd-c-cap",
      context: ctx,
    }),
    "streamer",
  );
  using feeder = ctx.socket("PUSH");
  using worker = ctx.socket("PULL");
  using captured = ctx.socket("SUB");
  feeder.connect("inproc://dd-c-in");
  worker.connect("inproc://dd-c-out");
  captured.connect("inproc://dd-c-cap");
  captured.subscribe("");
  // feed until the capture socket sees a task (its subscription has arrived), then one more
  const deadline = performance.now() + WAIT.timeout;
  let n = 0;
  for (;;) {
    assert.ok(performance.now() < deadline, `no copy of ${n} tasks reached the capture socket`);
    await feeder.send(`task ${n}`);
    assert.equal(await worker.recvString(WAIT), `task ${n++}`);
    if ((await captured.recv({ timeout: 10 }).catch(() => null)) !== null) break;
  }
  await feeder.send("last");
  assert.equal(await worker.recvString(WAIT), "last");
  while ((await captured.recvString(WAIT)) !== "last") {
    // copies of earlier tasks
  }
  await within(streamer.stop(), STOP_MS, "streamer.stop()");
});
