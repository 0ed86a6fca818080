import assert from "node:assert/strict";
import { BackgroundDevice, BackgroundMonitoredQueue, Context, ZmqError } from "../mod.ts";
import {
  freePorts,
  rejectsWith,
  STOP_MS,
  stoppedAtEnd,
  syncPubSub,
  text,
  within,
} from "./_devices.ts";

const quiet = { onLine: () => {} };
// Every wait is bounded, so a device that passes nothing (or does not stop) fails its test by
// name instead of hanging the suite.
const WAIT = { timeout: 10_000 };
const START_MS = 30_000; // a Worker's start includes loading the library: generous

/** Starts `device` (configured), bounded; it stops when the caller's `await using` scope ends. */
async function started<D extends BackgroundDevice>(device: D): Promise<D & AsyncDisposable> {
  await within(device.start(), START_MS, `the ${device.kind} device's start()`);
  return stoppedAtEnd(device, `the ${device.kind} device`);
}

/**
 * Runs `body` with a context that devices in Workers share; terminates it afterwards. A Worker
 * that kept its sockets open makes termination hang: that fails by name too.
 */
async function withSharedContext(body: (ctx: Context) => Promise<void>): Promise<void> {
  const ctx = new Context();
  let failure: { error: unknown } | undefined;
  try {
    await body(ctx);
  } catch (error) {
    failure = { error };
  }
  try {
    await within(ctx.terminate(), STOP_MS, "terminating the shared context");
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;
}

Deno.test("background device: a STREAMER in a Worker, configured from socket types", async () => {
  const [inPort, outPort] = freePorts(2);
  await using device = await started(
    new BackgroundDevice("STREAMER", "PULL", "PUSH", quiet)
      .bindIn(`tcp://127.0.0.1:${inPort}`).bindOut(`tcp://127.0.0.1:${outPort}`)
      .setOptionIn("ROUTING_ID", "PULL").setOptionOut("ROUTING_ID", "PUSH"),
  );
  using ctx = new Context();
  using feeder = ctx.socket("PUSH");
  using worker = ctx.socket("PULL");
  feeder.connect(`tcp://127.0.0.1:${inPort}`);
  worker.connect(`tcp://127.0.0.1:${outPort}`);
  for (let i = 0; i < 5; i++) await feeder.send(`#${i}`);
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await worker.recvString(WAIT));
  assert.deepEqual(got, ["#0", "#1", "#2", "#3", "#4"]);
  await within(device.stop(), STOP_MS, "device.stop()");
  await within(device.stop(), STOP_MS, "device.stop() again"); // harmless
  await within(device.done, STOP_MS, "device.done");
});

Deno.test("background device: a QUEUE over inproc with a shared context; terminate ends it", async () => {
  await withSharedContext(async (ctx) => {
    await using device = await started(
      new BackgroundDevice("QUEUE", "ROUTER", "DEALER", { ...quiet, context: ctx })
        .bindIn("inproc://db-q-in").bindOut("inproc://db-q-out"),
    );
    using client = ctx.socket("REQ");
    using server = ctx.socket("REP");
    client.connect("inproc://db-q-in");
    server.connect("inproc://db-q-out");
    await client.send("Hello");
    assert.equal(await server.recvString(WAIT), "Hello");
    await server.send("World");
    assert.equal(await client.recvString(WAIT), "World");
    await within(device.stop(), STOP_MS, "device.stop()");
  });
});

Deno.test("background device: a FORWARDER passes every topic, or only those of its SUBSCRIBE options", async () => {
  await withSharedContext(async (ctx) => {
    const forwarder = (name: string) =>
      new BackgroundDevice("FORWARDER", "SUB", "PUB", { ...quiet, context: ctx })
        .bindIn(`inproc://db-f-${name}-in`).bindOut(`inproc://db-f-${name}-out`);
    await using all = await started(forwarder("all"));
    await using nine = await started(forwarder("nine").setOptionIn("SUBSCRIBE", "9 "));
    using pubAll = ctx.socket("PUB");
    using subAll = ctx.socket("SUB");
    using pubNine = ctx.socket("PUB");
    using subNine = ctx.socket("SUB");
    pubAll.connect("inproc://db-f-all-in");
    subAll.connect("inproc://db-f-all-out");
    pubNine.connect("inproc://db-f-nine-in");
    subNine.connect("inproc://db-f-nine-out");
    subAll.subscribe("");
    subNine.subscribe(""); // the device's own subscription is the filter
    // with no SUBSCRIBE option the device's SUB takes everything: the sync markers pass
    await syncPubSub(pubAll, subAll);
    for (let topic = 0; topic <= 10; topic++) await pubAll.send(`${topic} all`);
    const got = [];
    for (let topic = 0; topic <= 10; topic++) got.push(await subAll.recvString(WAIT));
    assert.deepEqual(got, Array.from({ length: 11 }, (_, topic) => `${topic} all`));

    // with SUBSCRIBE "9 ": probes on topic 9 until one passes, then only topic 9 arrives
    const deadline = performance.now() + WAIT.timeout;
    for (;;) {
      assert.ok(performance.now() < deadline, "no topic 9 probe passed the forwarder");
      await pubNine.send("9 probe");
      if ((await subNine.recv({ timeout: 10 }).catch(() => null)) !== null) break;
    }
    for (let topic = 0; topic <= 10; topic++) await pubNine.send(`${topic} nine`);
    await pubNine.send("9 last");
    const passed: string[] = [];
    for (;;) {
      const m = await subNine.recvString(WAIT);
      if (m === "9 last") break;
      if (m !== "9 probe") passed.push(m); // probes still in flight
    }
    assert.deepEqual(passed, ["9 nine"]);
    await within(all.stop(), STOP_MS, "the all forwarder's stop()");
    await within(nine.stop(), STOP_MS, "the nine forwarder's stop()");
  });
});

Deno.test("background monitored queue: the monitor sees in and out in its Worker", async () => {
  await withSharedContext(async (ctx) => {
    await using device = await started(
      new BackgroundMonitoredQueue("ROUTER", "DEALER", "PUB", { ...quiet, context: ctx })
        .bindIn("inproc://db-mq-in").bindOut("inproc://db-mq-out").bindMon("inproc://db-mq-mon"),
    );
    using watcher = ctx.socket("SUB");
    using client = ctx.socket("REQ");
    using server = ctx.socket("REP");
    watcher.subscribe("");
    watcher.connect("inproc://db-mq-mon");
    client.setOption("ROUTING_ID", "c1");
    client.connect("inproc://db-mq-in");
    server.connect("inproc://db-mq-out");
    // exchanges until the monitor has caught one (slow joiner), then every one is seen
    const deadline = performance.now() + WAIT.timeout;
    let seen = false;
    for (let i = 0; !seen; i++) {
      assert.ok(performance.now() < deadline, `the monitor caught none of ${i} exchanges`);
      await client.send(`Hello ${i}`);
      await server.recv(WAIT);
      await server.send(`World ${i}`);
      await client.recv(WAIT);
      // drain what the monitor caught of this exchange: possibly nothing, or only its "out"
      const caught: string[][] = [];
      for (;;) {
        const m = await watcher.recvMultipart({ timeout: 50 }).catch(() => null);
        if (m === null) break;
        caught.push(text(m));
      }
      if (caught.length === 2) {
        seen = true;
        assert.deepEqual(caught, [["in", "c1", "", `Hello ${i}`], ["out", "c1", "", `World ${i}`]]);
      }
    }
    await client.send("last");
    assert.equal(await server.recvString(WAIT), "last");
    await server.send("reply");
    assert.equal(await client.recvString(WAIT), "reply");
    assert.deepEqual(text(await watcher.recvMultipart(WAIT)), ["in", "c1", "", "last"]);
    assert.deepEqual(text(await watcher.recvMultipart(WAIT)), ["out", "c1", "", "reply"]);
    await within(device.stop(), STOP_MS, "device.stop()");
  });
});

Deno.test("background device: bad configuration is a clear error at start, no Worker left", async () => {
  const badType = new BackgroundDevice("QUEUE", "ROUTR" as never, "DEALER", quiet);
  badType.bindIn("tcp://127.0.0.1:17010").bindOut("tcp://127.0.0.1:17011");
  const e1 = await rejectsWith(badType.start(), "EINVAL");
  assert.match(e1.message, /Unknown socket type "ROUTR"/);

  const noEndpoint = new BackgroundDevice("QUEUE", "ROUTER", "DEALER", quiet);
  noEndpoint.bindIn("tcp://127.0.0.1:17012");
  const e2 = await rejectsWith(noEndpoint.start(), "EINVAL");
  assert.match(e2.message, /out socket has no endpoint/);

  const badOption = new BackgroundDevice("STREAMER", "PULL", "PUSH", quiet);
  badOption.bindIn("tcp://127.0.0.1:17013").bindOut("tcp://127.0.0.1:17014");
  badOption.setOptionIn("NOT_AN_OPTION", 1);
  await rejectsWith(badOption.start(), "EUNKNOWNOPTION");

  const noMon = new BackgroundDevice("PROXY", "XSUB", "XPUB", quiet);
  await rejectsWith(noMon.start(), "EINVAL");

  // an endpoint in use: the Worker's bind fails and start rejects with its code
  using ctx = new Context();
  using taken = ctx.socket("PUB");
  const takenPort = taken.bindToRandomPort();
  const [freePort] = freePorts(1);
  const inUse = new BackgroundDevice("FORWARDER", "SUB", "PUB", quiet);
  inUse.bindIn(`tcp://127.0.0.1:${freePort}`).bindOut(`tcp://127.0.0.1:${takenPort}`);
  const e3 = await rejectsWith(inUse.start(), "EADDRINUSE");
  assert.match(e3.message, new RegExp(`:${takenPort}`));
  await assert.rejects(inUse.done, ZmqError);
  await inUse.stop().catch(() => {}); // already ended
});

Deno.test("background device: a PROXY (XSUB/XPUB) with a capture socket", async () => {
  await withSharedContext(async (ctx) => {
    await using device = await started(
      new BackgroundDevice("PROXY", "XSUB", "XPUB", "PUB", { ...quiet, context: ctx })
        .bindIn("inproc://db-p-in").bindOut("inproc://db-p-out").bindMon("inproc://db-p-cap"),
    );
    using pub = ctx.socket("PUB");
    using sub = ctx.socket("SUB");
    using captured = ctx.socket("SUB");
    pub.connect("inproc://db-p-in");
    sub.connect("inproc://db-p-out");
    sub.subscribe("");
    captured.connect("inproc://db-p-cap");
    captured.subscribe("");
    // publish until both the subscriber (through XSUB/XPUB) and the capture socket see traffic
    const deadline = performance.now() + WAIT.timeout;
    let viaProxy = false, viaCapture = false;
    while (!viaProxy || !viaCapture) {
      assert.ok(
        performance.now() < deadline,
        `no traffic ${viaProxy ? "" : "through the proxy "}${viaCapture ? "" : "to the capture"}`,
      );
      await pub.send("sync");
      viaProxy ||= (await sub.recv({ timeout: 10 }).catch(() => null)) !== null;
      viaCapture ||= (await captured.recv({ timeout: 10 }).catch(() => null)) !== null;
    }
    await pub.send("hello");
    const seen = async (s: typeof sub) => {
      while (new TextDecoder().decode(await s.recv(WAIT)) !== "hello") {
        // syncs still in flight
      }
    };
    await seen(sub);
    await seen(captured);
    await within(device.stop(), STOP_MS, "device.stop()");
  });
});

Deno.test("background device: a program that stopped its devices exits by itself", async () => {
  const script = new URL("./fixtures/devices_exit.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // a program that does not exit is killed, and the test fails on its exit status
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "stopped");
  } finally {
    clearTimeout(timer);
  }
});
