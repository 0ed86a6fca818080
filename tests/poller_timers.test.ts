// Loop timers: callLater and PeriodicCallback fire only while the loop runs, never after
// stop(), in due order, with errors reported like stream callbacks'; and a zmqpolling-style
// run (control PULL, SUB on topic 9) with a heartbeat and a watchdog timer. The sanitizers
// check that a stopped loop leaves no timer pending.
import assert from "node:assert/strict";
import { Context, Loop, PeriodicCallback, Stream, Timer } from "../mod.ts";
import { syncPubSub, throwsWith, within } from "./_util.ts";

/** Resolves after `ms` (to see that nothing fires meanwhile: a bound, not a handshake). */
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("callLater: fires only while the loop runs, in due order, once", async () => {
  const loop = new Loop();
  const fired: string[] = [];
  const late = loop.callLater(20, () => fired.push("20 ms"));
  loop.callLater(5, () => fired.push("5 ms"));
  await quiet(40); // due, but the loop is not running: nothing fires
  assert.deepEqual(fired, []);
  assert.equal(late.pending, true);
  loop.callLater(30, () => loop.stop());
  await within(loop.run(), 5000, "run");
  // both were overdue when the run began: they fire first, in due order
  assert.deepEqual(fired, ["5 ms", "20 ms"]);
  assert.equal(late.pending, false);
  assert.equal(late.cancel(), false);
});

Deno.test("callLater: cancel keeps a timer from firing; stop() keeps the rest for the next run", async () => {
  const loop = new Loop();
  const fired: string[] = [];
  const cancelled = loop.callLater(1, () => fired.push("cancelled"));
  assert.equal(cancelled.cancel(), true);
  assert.equal(cancelled.pending, false);
  // a callback that stops the loop: the timer due with it does not fire in this run
  loop.callLater(10, () => {
    fired.push("stop");
    loop.stop();
  });
  const next = loop.callLater(10, () => fired.push("next run"));
  await within(loop.run(), 5000, "first run");
  assert.deepEqual(fired, ["stop"]);
  assert.equal(next.pending, true);
  await quiet(30);
  assert.deepEqual(fired, ["stop"], "a timer fired while the loop was stopped");
  loop.callLater(5, () => loop.stop());
  await within(loop.run(), 5000, "second run");
  assert.deepEqual(fired, ["stop", "next run"]);
});

Deno.test("timers: an error rejects run() without onError, reaches onError with it", async () => {
  const failing = new Loop();
  failing.callLater(1, () => {
    throw new Error("timer failed");
  });
  await assert.rejects(within(failing.run(), 5000, "run"), /timer failed/);

  const seen: [string, unknown][] = [];
  const loop = new Loop({ onError: (e, source) => seen.push([(e as Error).message, source]) });
  const timer = loop.callLater(1, () => {
    throw new Error("sync");
  });
  const beat = new PeriodicCallback(() => Promise.reject(new Error("async")), 5, loop);
  beat.start();
  loop.callLater(40, () => loop.stop());
  await within(loop.run(), 5000, "run with onError");
  beat.stop();
  assert.deepEqual(seen[0], ["sync", timer]);
  assert.ok(seen.length >= 2 && seen.slice(1).every(([m, s]) => m === "async" && s === beat));
});

Deno.test("timers: run() waits for an async callback; none fires after stop()", async () => {
  const loop = new Loop();
  let finished = false;
  loop.callLater(1, async () => {
    loop.stop();
    await quiet(30);
    finished = true;
  });
  let beats = 0;
  const beat = new PeriodicCallback(() => void beats++, 2, loop);
  beat.start();
  await within(loop.run(), 5000, "run");
  assert.equal(finished, true, "run() resolved before the callback ended");
  const before = beats;
  await quiet(30);
  assert.equal(beats, before, "a periodic callback fired after stop()");
  assert.equal(beat.running, true); // stopped loop, started callback: it beats on the next run
  beat.stop();
  assert.equal(beat.running, false);
});

Deno.test("PeriodicCallback: beats on schedule, stops, starts again, never overlaps", async () => {
  const loop = new Loop();
  const times: number[] = [];
  let running = 0;
  let overlap = false;
  const started = performance.now();
  const beat = new PeriodicCallback(
    async () => {
      overlap ||= running > 0;
      running++;
      times.push(performance.now() - started);
      if (times.length === 3) beat.stop();
      // each call takes longer than the interval: the beats due meanwhile are skipped
      await quiet(times.length === 1 ? 35 : 0);
      running--;
    },
    10,
    loop,
  );
  beat.start();
  beat.start(); // already running: nothing changes
  loop.callLater(200, () => loop.stop());
  await within(loop.run(), 5000, "run");
  assert.equal(times.length, 3, `beats at ${times}`);
  assert.equal(overlap, false);
  // the first beat after about 10 ms; the second skips those due while the first ran
  assert.ok(times[0] >= 8, `first beat at ${times[0]}`);
  assert.ok(times[1] - times[0] >= 30, `second beat at ${times[1]}`);
  // started again: beats again on the next run
  beat.start();
  loop.callLater(50, () => loop.stop());
  await within(loop.run(), 5000, "second run");
  beat.stop();
  assert.ok(times.length > 3, "no beat after start() again");
});

Deno.test("timers: bad arguments are EBADVALUE", () => {
  const loop = new Loop();
  throwsWith(() => loop.callLater(-1, () => {}), "EBADVALUE");
  throwsWith(() => loop.callLater(NaN, () => {}), "EBADVALUE");
  throwsWith(() => loop.callLater(2 ** 31, () => {}), "EBADVALUE");
  throwsWith(() => loop.callLater(1, "later" as never), "EBADVALUE");
  throwsWith(() => new PeriodicCallback(() => {}, 0, loop), "EBADVALUE");
  throwsWith(() => new PeriodicCallback(() => {}, 10, {} as Loop), "EBADVALUE");
  throwsWith(() => new Timer({} as Loop, 1, () => {}), "EBADVALUE");
});

Deno.test("zmqpolling with timers: a heartbeat while polling, a watchdog bounding the run", async () => {
  // the polling chapter's client on a loop: commands on a PULL ("Continue" until "Exit"),
  // updates on a SUB for topic 9 only; a PeriodicCallback beats while it waits, and a callLater
  // watchdog would stop a run whose Exit never came
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  using pub = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  pull.bind("inproc://timers-control");
  push.connect("inproc://timers-control");
  pub.bind("inproc://timers-updates");
  sub.connect("inproc://timers-updates");
  sub.subscribe("sync");
  sub.subscribe("go");
  await syncPubSub(pub, sub);
  sub.unsubscribe("sync");
  sub.unsubscribe("go");
  sub.subscribe("9");

  const loop = new Loop();
  const log: string[] = [];
  let beats = 0;
  const heartbeat = new PeriodicCallback(() => void beats++, 5, loop);
  heartbeat.start();
  let watchdogFired = false;
  const watchdog = loop.callLater(10_000, () => {
    watchdogFired = true;
    loop.stop();
  });
  using control = new Stream(pull, loop);
  using updates = new Stream(sub, loop);
  control.onRecv(([command]) => {
    const text = new TextDecoder().decode(command);
    log.push(`command ${text}`);
    if (text === "Exit") {
      heartbeat.stop();
      watchdog.cancel();
      loop.stop();
    }
  });
  updates.onRecv(([update]) => void log.push(`update ${new TextDecoder().decode(update)}`));
  // the servers: each command after a few beats, so the heartbeat runs while the loop polls
  let sent = 0;
  const server = new PeriodicCallback(
    async () => {
      await pub.send(`8 ignored`);
      await pub.send(`9 update ${sent}`);
      await push.send(++sent < 4 ? "Continue" : "Exit");
      if (sent === 4) server.stop();
    },
    15,
    loop,
  );
  server.start();
  await within(loop.run(), 10_000, "the polling run");

  assert.equal(watchdogFired, false);
  assert.equal(watchdog.pending, false);
  assert.deepEqual(log.filter((l) => l.startsWith("command")), [
    "command Continue",
    "command Continue",
    "command Continue",
    "command Exit",
  ]);
  const updatesSeen = log.filter((l) => l.startsWith("update"));
  assert.ok(updatesSeen.length >= 3, `updates: ${updatesSeen}`);
  for (const line of updatesSeen) assert.match(line, /^update 9 update \d$/);
  assert.ok(beats >= 4, `the heartbeat beat ${beats} times in a run of 4 x 15 ms`);
  assert.equal(heartbeat.running, false);
  assert.equal(server.running, false);
});
