import assert from "node:assert/strict";
import { BackgroundDevice, BackgroundMonitoredQueue, Context, ZmqError } from "../mod.ts";
import { freePorts, rejectsWith, text } from "./_devices.ts";

const quiet = { onLine: () => {} };

Deno.test("background device: a STREAMER in a Worker, configured from socket types", async () => {
  const [inPort, outPort] = freePorts(2);
  const device = new BackgroundDevice("STREAMER", "PULL", "PUSH", quiet);
  device.bindIn(`tcp://127.0.0.1:${inPort}`).bindOut(`tcp://127.0.0.1:${outPort}`);
  device.setOptionIn("ROUTING_ID", "PULL").setOptionOut("ROUTING_ID", "PUSH");
  await device.start();
  using ctx = new Context();
  using feeder = ctx.socket("PUSH");
  using worker = ctx.socket("PULL");
  feeder.connect(`tcp://127.0.0.1:${inPort}`);
  worker.connect(`tcp://127.0.0.1:${outPort}`);
  for (let i = 0; i < 5; i++) await feeder.send(`#${i}`);
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await worker.recvString());
  assert.deepEqual(got, ["#0", "#1", "#2", "#3", "#4"]);
  await device.stop();
  await device.stop(); // harmless
  await device.done;
});

Deno.test("background device: a QUEUE over inproc with a shared context; terminate ends it", async () => {
  await using ctx = new Context();
  const device = new BackgroundDevice("QUEUE", "ROUTER", "DEALER", {
    ...quiet,
    context: ctx,
  });
  device.bindIn("inproc://db-q-in").bindOut("inproc://db-q-out");
  await device.start();
  using client = ctx.socket("REQ");
  using server = ctx.socket("REP");
  client.connect("inproc://db-q-in");
  server.connect("inproc://db-q-out");
  await client.send("Hello");
  assert.equal(await server.recvString(), "Hello");
  await server.send("World");
  assert.equal(await client.recvString(), "World");
  await device.stop();
});

Deno.test("background monitored queue: the monitor sees in and out in its Worker", async () => {
  await using ctx = new Context();
  const device = new BackgroundMonitoredQueue("ROUTER", "DEALER", "PUB", {
    ...quiet,
    context: ctx,
  });
  device.bindIn("inproc://db-mq-in").bindOut("inproc://db-mq-out").bindMon("inproc://db-mq-mon");
  await device.start();
  using watcher = ctx.socket("SUB");
  using client = ctx.socket("REQ");
  using server = ctx.socket("REP");
  watcher.subscribe("");
  watcher.connect("inproc://db-mq-mon");
  client.setOption("ROUTING_ID", "c1");
  client.connect("inproc://db-mq-in");
  server.connect("inproc://db-mq-out");
  // exchanges until the monitor has caught one (slow joiner), then every one is seen
  let seen = false;
  for (let i = 0; !seen; i++) {
    await client.send(`Hello ${i}`);
    await server.recv();
    await server.send(`World ${i}`);
    await client.recv();
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
  assert.equal(await server.recvString(), "last");
  await server.send("reply");
  assert.equal(await client.recvString(), "reply");
  assert.deepEqual(text(await watcher.recvMultipart()), ["in", "c1", "", "last"]);
  assert.deepEqual(text(await watcher.recvMultipart()), ["out", "c1", "", "reply"]);
  await device.stop();
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
  await using ctx = new Context();
  const device = new BackgroundDevice("PROXY", "XSUB", "XPUB", "PUB", { ...quiet, context: ctx });
  device.bindIn("inproc://db-p-in").bindOut("inproc://db-p-out").bindMon("inproc://db-p-cap");
  await device.start();
  using pub = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  using captured = ctx.socket("SUB");
  pub.connect("inproc://db-p-in");
  sub.connect("inproc://db-p-out");
  sub.subscribe("");
  captured.connect("inproc://db-p-cap");
  captured.subscribe("");
  // publish until both the subscriber (through XSUB/XPUB) and the capture socket see traffic
  let viaProxy = false, viaCapture = false;
  while (!viaProxy || !viaCapture) {
    await pub.send("sync");
    viaProxy ||= (await sub.recv({ timeout: 10 }).catch(() => null)) !== null;
    viaCapture ||= (await captured.recv({ timeout: 10 }).catch(() => null)) !== null;
  }
  await pub.send("hello");
  const seen = async (s: typeof sub) => {
    while (new TextDecoder().decode(await s.recv()) !== "hello") {
      // syncs still in flight
    }
  };
  await seen(sub);
  await seen(captured);
  await device.stop();
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
