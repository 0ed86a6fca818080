// Timeouts beyond setTimeout's range (2^31 - 1 ms) mean "forever" everywhere (issue 16, point
// 4). setTimeout fires such a timer after 1 ms: Poller.poll(2 ** 40) used to wake about every
// millisecond (a busy loop) and waitForEvent / awaitWorkers gave up at once.
import assert from "node:assert/strict";
import { awaitWorkers, Context, Poller, POLLIN, waitForEvent } from "../mod.ts";
import { delay } from "../core/_util.ts";

const LONG = 2 ** 40;
const stop = () => new Error("stopped by the test");

Deno.test("Poller.poll(2 ** 40) waits without waking: one readiness check until the abort", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  pull.bind("inproc://long-poller"); // no peer: never readable
  let checks = 0;
  const getOption = pull.getOption.bind(pull);
  pull.getOption = ((name: Parameters<typeof getOption>[0]) => {
    if (name === "EVENTS") checks++;
    return getOption(name);
  }) as typeof pull.getOption;
  const poller = new Poller();
  poller.register(pull, POLLIN);
  const controller = new AbortController();
  const reason = stop();
  const polling = poller.poll(LONG, controller.signal);
  await delay(100); // a poller woken every ms would read EVENTS ~100 times by now
  controller.abort(reason);
  await assert.rejects(polling, (e) => e === reason);
  assert.ok(checks <= 2, `EVENTS read ${checks} times in 100 ms`);
});

Deno.test("Poller.poll(2 ** 40) answers when a message comes", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://long-poller-2");
  push.connect("inproc://long-poller-2");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  const polling = poller.poll(LONG, AbortSignal.timeout(5000));
  await push.send("go");
  assert.deepEqual([...(await polling)], [[pull, POLLIN]]);
});

/** Starts `wait` with a signal, checks it still waits after 50 ms, aborts it, expects the reason. */
async function waitsUntilAborted(wait: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  const reason = stop();
  let settled = false;
  const waiting = wait(controller.signal).finally(() => settled = true);
  await delay(50); // a timer of 2 ** 40 ms that fires after 1 ms has fired by now
  assert.equal(settled, false, "still waiting");
  controller.abort(reason);
  await assert.rejects(waiting, (e) => e === reason);
}

Deno.test("Socket.poll(POLLIN, 2 ** 40) waits until aborted, not 1 ms", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  pull.bind("inproc://long-socket-poll");
  await waitsUntilAborted((signal) => pull.poll(POLLIN, LONG, signal));
});

Deno.test("waitForEvent with a timeout of 2 ** 40 ms waits: no EAGAIN after 1 ms", async () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  await waitsUntilAborted((signal) => waitForEvent(push, "connected", { timeout: LONG, signal }));
});

Deno.test("awaitWorkers with a timeout of 2 ** 40 ms waits: no EAGAIN after 1 ms", async () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  push.bind("inproc://long-await-workers");
  await waitsUntilAborted((signal) => awaitWorkers(push, 1, { timeout: LONG, signal }));
});
