// The Poller: readiness across sockets, timeouts, registration, and no pending op left behind.
import assert from "node:assert/strict";
import { Context, Loop, Poller, POLLIN, POLLOUT, Socket, Stream } from "../mod.ts";
import { reactor } from "../core/_reactor.ts";
import { isCode, pipe, throwsWith } from "./_util.ts";

const decoder = new TextDecoder();

Deno.test("poller: nothing ready and a timeout answers an empty map", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-empty");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  const zero = await poller.poll(0);
  assert.ok(zero instanceof Map);
  assert.equal(zero.size, 0);
  const waited = await poller.poll(30);
  assert.equal(waited.size, 0);
  push.close();
  pull.close();
});

Deno.test("poller: reports the ready sockets with the ready events, nothing else", async () => {
  using ctx = new Context({ linger: 0 });
  const [pushA, pullA] = await pipe(ctx, "poller-ready-a");
  const [pushB, pullB] = await pipe(ctx, "poller-ready-b");
  const poller = new Poller();
  poller.register(pullA, POLLIN);
  poller.register(pullB, POLLIN);
  poller.register(pushA, POLLIN | POLLOUT); // a PUSH with a peer: writable, never readable
  await pushB.send("for B");
  const socks = await poller.poll(5000);
  assert.deepEqual([...socks], [[pullB, POLLIN], [pushA, POLLOUT]]);
  assert.equal(decoder.decode(await pullB.recv()), "for B");

  // Waiting: the poll starts before the message exists and reports it when it arrives.
  poller.unregister(pushA);
  const pending = poller.poll(5000);
  await pushA.send("for A");
  const later = await pending;
  assert.deepEqual([...later], [[pullA, POLLIN]]);
  assert.equal(decoder.decode(await pullA.recv()), "for A");
  for (const s of [pushA, pullA, pushB, pullB]) s.close();
});

Deno.test("poller: a message queued before poll() is reported at once (edge-triggered fd)", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-edge");
  // Two messages arrive; receiving the first consumes the fd's edge while the second waits.
  await push.send("one");
  await push.send("two");
  assert.equal(decoder.decode(await pull.recv()), "one");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  assert.deepEqual([...await poller.poll(0)], [[pull, POLLIN]]);
  // with no timeout at all: answered from ZMQ_EVENTS, not from the (silent) fd
  assert.deepEqual([...await poller.poll()], [[pull, POLLIN]]);
  assert.equal(decoder.decode(await pull.recv()), "two");
  push.close();
  pull.close();
});

Deno.test("poller: unregister stops reports", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-unregister");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  await push.send("waiting");
  assert.equal((await poller.poll(5000)).get(pull), POLLIN);
  assert.equal(poller.unregister(pull), true);
  assert.equal(poller.unregister(pull), false);
  assert.equal((await poller.poll(20)).size, 0); // the message is still there, unwatched
  poller.register(pull, POLLIN);
  poller.register(pull, 0); // pyzmq: registering with 0 unregisters
  assert.equal((await poller.poll(0)).size, 0);
  assert.equal(poller.sockets.size, 0);
  push.close();
  pull.close();
});

Deno.test("poller: modify changes the events watched", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-modify");
  const poller = new Poller();
  poller.register(push, POLLIN);
  assert.equal((await poller.poll(0)).size, 0);
  poller.modify(push, POLLOUT);
  assert.equal((await poller.poll(5000)).get(push), POLLOUT);
  assert.deepEqual([...poller.sockets], [[push, POLLOUT]]);
  assert.throws(() => poller.modify(pull, POLLIN), isCode("EINVAL"));
  push.close();
  pull.close();
});

Deno.test("poller: POLLOUT on a PUSH with no peer is not reported, then is once a peer connects", async () => {
  using ctx = new Context({ linger: 0 });
  using push = ctx.socket("PUSH");
  push.bind("inproc://poller-nopeer");
  const poller = new Poller();
  poller.register(push, POLLOUT);
  assert.equal((await poller.poll(0)).size, 0);
  assert.equal((await poller.poll(30)).size, 0);
  const waiting = poller.poll(5000);
  using pull = ctx.socket("PULL");
  pull.connect("inproc://poller-nopeer");
  assert.deepEqual([...await waiting], [[push, POLLOUT]]);
});

Deno.test("poller: hundreds of polls in a row leave no pending operation", async () => {
  using ctx = new Context({ linger: 0 });
  const [pushA, pullA] = await pipe(ctx, "poller-many-a");
  const [pushB, pullB] = await pipe(ctx, "poller-many-b");
  const poller = new Poller();
  poller.register(pullA, POLLIN);
  poller.register(pullB, POLLIN);
  for (let i = 0; i < 300; i++) {
    // every poll waits on both sockets; one wins, the other's wait is cancelled
    const [push, pull] = i % 2 === 0 ? [pushA, pullA] : [pushB, pullB];
    const pending = poller.poll(5000);
    await push.send(`m${i}`);
    const socks = await pending;
    assert.deepEqual([...socks], [[pull, POLLIN]], `poll ${i}`);
    assert.equal(reactor.polling, false, `poll ${i} left a poll(2) in flight`);
    assert.equal(decoder.decode(await pull.recv()), `m${i}`);
  }
  // and some that time out
  for (let i = 0; i < 20; i++) {
    assert.equal((await poller.poll(1)).size, 0);
    assert.equal(reactor.polling, false);
  }
  for (const s of [pushA, pullA, pushB, pullB]) s.close();
});

Deno.test("poller: several sockets ready at once are all reported by one poll", async () => {
  using ctx = new Context({ linger: 0 });
  const pipes = await Promise.all(["a", "b", "c"].map((n) => pipe(ctx, `poller-all-${n}`)));
  const pulls = pipes.map(([, pull]) => pull);
  const poller = new Poller();
  for (const pull of pulls) poller.register(pull, POLLIN);
  for (const [i, [push]] of pipes.entries()) await push.send(`m${i}`);
  // each message has arrived (its socket says so) before the poller is asked
  for (const pull of pulls) assert.equal(await pull.poll(POLLIN, 5000), POLLIN);
  const expected = pulls.map((pull) => [pull, POLLIN]);
  assert.deepEqual([...await poller.poll(0)], expected, "poll(0): every ready socket");
  assert.deepEqual([...await poller.poll(5000)], expected, "poll(5000): every ready socket");
  // one of them read: the others are still reported, together
  assert.equal(decoder.decode(await pulls[1].recv({ timeout: 0 })), "m1");
  assert.deepEqual([...await poller.poll(0)], [expected[0], expected[2]]);
  for (const [push, pull] of pipes) {
    push.close();
    pull.close();
  }
});

Deno.test("poller: an abort signal rejects with its reason and cancels every wait", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-abort");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  const controller = new AbortController();
  const pending = poller.poll(undefined, controller.signal);
  const reason = new Error("stop polling");
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  assert.equal(reactor.polling, false);
  await assert.rejects(poller.poll(0, controller.signal), (e) => e === reason);
  push.close();
  pull.close();
});

Deno.test("poller: a socket closed while polled rejects with ECLOSED", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-closed");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  poller.register(push, POLLIN);
  const pending = poller.poll(5000);
  pull.close();
  await assert.rejects(pending, isCode("ECLOSED"));
  await assert.rejects(poller.poll(0), isCode("ECLOSED"));
  poller.unregister(pull);
  assert.equal((await poller.poll(0)).size, 0);
  push.close();
});

Deno.test("poller: bad arguments get clear errors", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  const poller = new Poller();
  assert.throws(() => poller.register({} as Socket, POLLIN), isCode("EBADVALUE"));
  assert.throws(() => poller.register(pull, 4), isCode("EBADVALUE"));
  assert.throws(() => poller.register(pull, 1.5), isCode("EBADVALUE"));
  assert.throws(() => poller.register(pull, "1" as unknown as number), isCode("EBADVALUE"));
  await assert.rejects(poller.poll(-5), isCode("EBADVALUE"));
  await assert.rejects(poller.poll(NaN), isCode("EBADVALUE"));
  // nothing registered, no timeout, no signal: would wait forever
  await assert.rejects(poller.poll(), isCode("EINVAL"));
  assert.equal((await poller.poll(5)).size, 0);
});

Deno.test("poll takes { timeout, signal } like send and recv; the positional shapes still work", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-options");
  const poller = new Poller();
  poller.register(pull, POLLIN);
  // options: a timeout that passes, an abort that rejects with its reason
  const t0 = performance.now();
  assert.equal((await poller.poll({ timeout: 30 })).size, 0);
  assert.ok(performance.now() - t0 >= 20, "the timeout was honoured, not skipped");
  assert.equal(await pull.poll(POLLIN, { timeout: 30 }), 0);
  const stop = new AbortController();
  const reason = new Error("stop polling");
  const waiting = poller.poll({ signal: stop.signal });
  const waitingOne = pull.poll(POLLIN, { signal: stop.signal });
  stop.abort(reason);
  await assert.rejects(waiting, (e) => e === reason);
  await assert.rejects(waitingOne, (e) => e === reason);
  // ready: both shapes answer the same
  await push.send("x");
  assert.equal((await poller.poll({ timeout: 1000 })).get(pull), POLLIN);
  assert.equal((await poller.poll(1000)).get(pull), POLLIN);
  assert.equal(await pull.poll(POLLIN, { timeout: 1000 }), POLLIN);
  assert.equal(await pull.poll(POLLIN, 1000), POLLIN);
  assert.equal(await pull.poll(POLLIN, 1000, undefined), POLLIN);
  // bad options are EBADVALUE either way
  await assert.rejects(poller.poll({ timeout: -5 }), isCode("EBADVALUE"));
  await assert.rejects(poller.poll([] as never), isCode("EBADVALUE"));
  await assert.rejects(pull.poll(POLLIN, { timeout: "soon" as never }), isCode("EBADVALUE"));
  await assert.rejects(pull.poll(POLLIN, { signal: "no" as never }), isCode("EBADVALUE"));
  push.close();
  pull.close();
});

Deno.test("Poller and Stream refuse a Proxy of a Socket (it passes instanceof, then fails every call untyped)", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  const fake = new Proxy(pull, {});
  assert.ok(fake instanceof Socket);
  const poller = new Poller();
  throwsWith(() => poller.register(fake, POLLIN), "EBADVALUE");
  assert.equal((await poller.poll({ timeout: 0 })).size, 0);
  throwsWith(() => new Stream(fake, new Loop()), "EBADVALUE");
  poller.register(pull, POLLIN); // the socket itself is fine
  assert.equal((await poller.poll({ timeout: 0 })).size, 0);
});
