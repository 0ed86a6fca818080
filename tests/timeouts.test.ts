// Every timeout ends after about its length: not 20 times early, not 4 times late. The bounds
// are loose on purpose (0.8x to 3x, see endsAfterAbout); the waits of one test run at once, so
// the file costs about a second per test.
import assert from "node:assert/strict";
import {
  connectAndWait,
  Context,
  LazyPirateClient,
  Poller,
  POLLIN,
  POLLOUT,
  request,
  requestString,
  UnreachableError,
  waitForEvent,
  ZmqError,
} from "../mod.ts";
import { awaitWorkers } from "../patterns/unstable_tutorial.ts";
import { endsAfterAbout, freePorts, type Timed, within } from "./_util.ts";

const T = 400;

/** Asserts the operation rejected with a ZmqError of `code` whose message names `T` ms. */
function assertTimedOut(outcome: Timed<unknown>, what: string, code = "EAGAIN"): ZmqError {
  assert.ok("error" in outcome, `${what} resolved instead of timing out`);
  const e = outcome.error;
  assert.ok(e instanceof ZmqError, `${what}: expected a ZmqError, got ${e}`);
  assert.equal(e.code, code, `${what}: ${e.message}`);
  return e;
}

Deno.test("timeouts: send, recv and poll end after about their timeout", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  using lonelyPair = ctx.socket("PAIR");
  pull.bind("inproc://timeouts-silent"); // nothing is ever sent to it
  push.bind("inproc://timeouts-nobody"); // no peer: nothing can be sent
  lonelyPair.bind("inproc://timeouts-pair");
  const checks: [string, () => Promise<unknown>, (t: Timed<unknown>) => void][] = [
    ["recv", () => pull.recv({ timeout: T }), (t) => {
      const e = assertTimedOut(t, "recv");
      assert.match(e.message, new RegExp(`timed out after ${T} ms`));
    }],
    // a receive queued behind the one above has its own deadline
    ["recvMultipart", () => pull.recvMultipart({ timeout: T }), (t) => {
      assertTimedOut(t, "recvMultipart");
    }],
    ["send", () => push.send("nobody", { timeout: T }), (t) => {
      const e = assertTimedOut(t, "send");
      assert.match(e.message, new RegExp(`timed out after ${T} ms`));
    }],
    ["sendMultipart", () => lonelyPair.sendMultipart(["a", "b"], { timeout: T }), (t) => {
      assertTimedOut(t, "sendMultipart");
    }],
    ["poll(POLLIN)", () => pull.poll(POLLIN, T), (t) => {
      assert.deepEqual(t, { ms: t.ms, value: 0 }, "poll(POLLIN) answers 0 after its timeout");
    }],
    ["poll(POLLOUT)", () => push.poll(POLLOUT, T), (t) => {
      assert.deepEqual(t, { ms: t.ms, value: 0 }, "poll(POLLOUT) answers 0 after its timeout");
    }],
  ];
  await Promise.all(checks.map(async ([what, start, check]) => {
    check(await endsAfterAbout(what, T, start));
  }));
  // and the sockets still work
  push.connect("inproc://timeouts-silent");
  await push.send("after the timeouts");
  assert.equal(await pull.recvString({ timeout: 5000 }), "after the timeouts");
});

Deno.test("timeouts: RCVTIMEO and SNDTIMEO set by name bound recv and send", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://timeouts-rcvtimeo");
  push.bind("inproc://timeouts-sndtimeo");
  pull.setOption("RCVTIMEO", T);
  push.setOption("SNDTIMEO", T);
  const [recv, send] = await Promise.all([
    endsAfterAbout("recv with RCVTIMEO", T, () => pull.recv()),
    endsAfterAbout("send with SNDTIMEO", T, () => push.send("nobody")),
  ]);
  assertTimedOut(recv, "recv with RCVTIMEO");
  assertTimedOut(send, "send with SNDTIMEO");
});

Deno.test("timeouts: a timeout beyond setTimeout's range (2^31 ms) is a long wait", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://timeouts-long");
  push.connect("inproc://timeouts-long");
  const pending = pull.recvString({ timeout: 2 ** 40 });
  const early = await Promise.race([
    pending.then(() => "resolved", () => "rejected"),
    new Promise<string>((resolve) => setTimeout(() => resolve("still waiting"), 50)),
  ]);
  assert.equal(early, "still waiting");
  await push.send("late");
  assert.equal(await pending, "late");
});

Deno.test("timeouts: Poller.poll answers an empty map after about its timeout", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://timeouts-poller-in");
  push.bind("inproc://timeouts-poller-out");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  poller.register(push, POLLOUT);
  const empty = new Poller();
  const [some, none] = await Promise.all([
    endsAfterAbout("Poller.poll", T, () => poller.poll(T)),
    endsAfterAbout("Poller.poll with nothing registered", T, () => empty.poll(T)),
  ]);
  assert.ok("value" in some && some.value.size === 0, "Poller.poll: nothing was ready");
  assert.ok("value" in none && none.value.size === 0, "empty Poller.poll: nothing was ready");
});

Deno.test("timeouts: waitForEvent and connectAndWait reject with EAGAIN after about their timeout", async () => {
  using ctx = new Context({ linger: 0 });
  using idle = ctx.socket("PUSH");
  using dialer = ctx.socket("PUSH");
  const [nobody] = freePorts(1); // no one listens there: the connection never comes up
  const [wait, connect] = await Promise.all([
    endsAfterAbout(
      "waitForEvent",
      T,
      () => waitForEvent(idle, "connected", { timeout: T }),
    ),
    endsAfterAbout(
      "connectAndWait",
      T,
      () => connectAndWait(dialer, `tcp://127.0.0.1:${nobody}`, { timeout: T }),
    ),
  ]);
  assert.match(assertTimedOut(wait, "waitForEvent").message, new RegExp(`within ${T} ms`));
  assertTimedOut(connect, "connectAndWait");
});

Deno.test("timeouts: request, requestString, awaitWorkers and LazyPirateClient give up in time", async () => {
  using ctx = new Context({ linger: 0 });
  // a REP that takes requests and never answers
  using silent = ctx.socket("REP");
  silent.bind("inproc://timeouts-silent-rep");
  using req1 = ctx.socket("REQ");
  using req2 = ctx.socket("REQ");
  req1.connect("inproc://timeouts-silent-rep");
  req2.connect("inproc://timeouts-silent-rep");
  // a producer whose workers never come
  using push = ctx.socket("PUSH");
  push.bindToRandomPort();
  using pirate = new LazyPirateClient(ctx, "inproc://timeouts-silent-rep", {
    timeout: T / 2,
    retries: 1, // two attempts of T / 2 each
  });
  const [req, reqString, workers, pirated] = await Promise.all([
    endsAfterAbout("request", T, () => request(req1, "hello?", { timeout: T })),
    endsAfterAbout("requestString", T, () => requestString(req2, "hello?", { timeout: T })),
    endsAfterAbout(
      "awaitWorkers",
      T,
      () => awaitWorkers(push, 1, { timeout: T }),
    ),
    endsAfterAbout("LazyPirateClient.request", T, () => pirate.request("hello?")),
  ]);
  assertTimedOut(req, "request");
  assertTimedOut(reqString, "requestString");
  assert.match(assertTimedOut(workers, "awaitWorkers").message, new RegExp(`within ${T} ms`));
  const e = assertTimedOut(pirated, "LazyPirateClient.request", "EUNREACHABLE");
  assert.ok(e instanceof UnreachableError && e.attempts === 2, e.message);
  // the silent REP did get the requests: the timeouts were waits for replies
  assert.equal(await within(silent.recvString(), 5000, "the first request"), "hello?");
});
