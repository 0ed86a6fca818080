// Streams on a loop: every message in order, none after stop, errors reported, nothing left
// pending when run() settles.
import assert from "node:assert/strict";
import { Context, Loop, type Socket, Stream } from "../mod.ts";
import { reactor } from "../core/_reactor.ts";
import { isCode, pipe, within } from "./_util.ts";

const decoder = new TextDecoder();
const text = (frames: Uint8Array[]) => frames.map((f) => decoder.decode(f));

Deno.test("stream: onRecv sees every message in order, and none after stop", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-order");
  const loop = new Loop();
  const stream = new Stream(pull, loop);
  const seen: string[][] = [];
  stream.onRecv((frames) => {
    seen.push(text(frames));
    if (seen.length === 500) loop.stop();
  });
  // half queued before the loop runs, half sent while it runs
  for (let i = 0; i < 250; i++) await push.send([`m${i}`, "part"]);
  const running = loop.run();
  for (let i = 250; i < 600; i++) await push.send([`m${i}`, "part"]);
  await running;
  assert.equal(seen.length, 500, "a callback ran after stop()");
  seen.forEach((frames, i) => assert.deepEqual(frames, [`m${i}`, "part"]));
  assert.equal(reactor.polling, false);

  // The rest were not lost: the next run delivers them, still in order.
  stream.onRecv((frames) => {
    seen.push(text(frames));
    if (seen.length === 600) loop.stop();
  });
  await loop.run();
  seen.forEach((frames, i) => assert.deepEqual(frames, [`m${i}`, "part"]));
  stream.close();
  push.close();
});

Deno.test("stream: loop.stop() from one stream's callback silences every stream", async () => {
  using ctx = new Context({ linger: 0 });
  const [pushA, pullA] = await pipe(ctx, "stream-two-a");
  const [pushB, pullB] = await pipe(ctx, "stream-two-b");
  const loop = new Loop();
  const log: string[] = [];
  using commands = new Stream(pullA, loop);
  using data = new Stream(pullB, loop);
  commands.onRecv(([f]) => {
    const t = decoder.decode(f);
    log.push(`cmd ${t}`);
    if (t === "Exit") loop.stop();
  });
  data.onRecv(([f]) => void log.push(`data ${decoder.decode(f)}`));
  await pushB.send("d1");
  await pushA.send("Continue");
  await pushA.send("Exit");
  await loop.run();
  assert.deepEqual(log.filter((l) => l.startsWith("cmd")), ["cmd Continue", "cmd Exit"]);
  const after = log.length;
  // Messages sent after the stop stay in their sockets: no callback fires without a run.
  await pushB.send("d2");
  await pushB.send("d3");
  assert.equal(await pullB.poll(1, 5000), 1);
  assert.equal(log.length, after);
  assert.equal(reactor.polling, false);
  pushA.close();
  pushB.close();
});

Deno.test("stream: stream.stop() ends its callbacks; setting onRecv again resumes in order", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-stop");
  const loop = new Loop();
  const stream = new Stream(pull, loop);
  const got: string[] = [];
  let phase = 1;
  const first = (frames: Uint8Array[]) => {
    got.push(`${phase}:${text(frames)[0]}`);
    if (got.length === 3) {
      stream.stop();
      phase = 2;
      queueMicrotask(() => stream.onRecv(second));
    }
  };
  const second = (frames: Uint8Array[]) => {
    got.push(`${phase}:${text(frames)[0]}`);
    if (got.length === 6) loop.stop();
  };
  stream.onRecv(first);
  for (let i = 0; i < 6; i++) await push.send(`m${i}`);
  await loop.run();
  assert.deepEqual(got, ["1:m0", "1:m1", "1:m2", "2:m3", "2:m4", "2:m5"]);
  assert.equal(stream.receiving, true);
  stream.close();
  assert.equal(stream.closed, true);
  assert.equal(pull.closed, true);
  push.close();
});

Deno.test("stream: send() queues, the loop sends in order and calls onSend after each", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-send");
  const loop = new Loop();
  using out = new Stream(push, loop);
  const sent: string[] = [];
  out.onSend((frames) => {
    sent.push(String(frames[0]));
    if (sent.length === 3) loop.stop();
  });
  out.send("one");
  out.send(["two", "2"]);
  out.sendMultipart(["three"]);
  assert.equal(out.queued, 3);
  assert.equal(await pull.poll(1, 0), 0, "nothing goes out before the loop runs");
  await loop.run();
  assert.deepEqual(sent, ["one", "two", "three"]);
  assert.equal(out.queued, 0);
  assert.deepEqual(text(await pull.recvMultipart()), ["one"]);
  assert.deepEqual(text(await pull.recvMultipart()), ["two", "2"]);
  assert.deepEqual(text(await pull.recvMultipart()), ["three"]);
  pull.close();
});

Deno.test("stream: an echo server on a REP socket", async () => {
  using ctx = new Context({ linger: 0 });
  using rep = ctx.socket("REP");
  using req = ctx.socket("REQ");
  rep.bind("inproc://stream-echo");
  req.connect("inproc://stream-echo");
  const loop = new Loop();
  using echo = new Stream(rep, loop);
  let replies = 0;
  echo.onRecv((frames, stream) => stream.send(frames));
  echo.onSend(() => {
    if (++replies === 20) loop.stop();
  });
  const running = loop.run();
  for (let i = 0; i < 20; i++) {
    await req.send(`ping ${i}`);
    assert.equal(await req.recvString(), `ping ${i}`);
  }
  await running;
});

Deno.test("stream: a callback that throws makes run() reject, and stops the loop", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-throw");
  const loop = new Loop();
  using stream = new Stream(pull, loop);
  const seen: string[] = [];
  stream.onRecv(([f]) => {
    const t = decoder.decode(f);
    seen.push(t);
    if (t === "bad") throw new Error("callback failed on bad");
  });
  for (const t of ["ok", "bad", "after"]) await push.send(t);
  await assert.rejects(loop.run(), /callback failed on bad/);
  assert.deepEqual(seen, ["ok", "bad"]);
  assert.equal(loop.running, false);
  assert.equal(reactor.polling, false);
  push.close();
});

Deno.test("stream: with onError, errors are reported and the loop keeps running", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-onerror");
  const errors: string[] = [];
  const loop = new Loop({
    onError: (e, s) => {
      assert.equal((s as Stream).socket, pull); // a Stream, not a timer, here
      errors.push((e as Error).message);
    },
  });
  using stream = new Stream(pull, loop);
  const seen: string[] = [];
  stream.onRecv(async ([f]) => {
    const t = decoder.decode(f);
    seen.push(t);
    await Promise.resolve();
    if (t.startsWith("bad")) throw new Error(t);
    if (t === "Exit") loop.stop();
  });
  for (const t of ["bad1", "ok", "bad2", "Exit"]) await push.send(t);
  await loop.run();
  assert.deepEqual(seen, ["bad1", "ok", "bad2", "Exit"]);
  assert.deepEqual(errors, ["bad1", "bad2"]);
  push.close();
});

Deno.test("stream: an abort signal stops run() like stop()", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-signal");
  const loop = new Loop();
  using stream = new Stream(pull, loop);
  const seen: string[] = [];
  const first = new AbortController();
  stream.onRecv(([f]) => {
    seen.push(decoder.decode(f));
    if (seen.length === 1) first.abort();
  });
  for (const t of ["x", "y", "z"]) await push.send(t);
  // aborted from a callback: run() resolves and no callback fires after it
  await within(loop.run(first.signal), 5000, "run() aborted from a callback");
  assert.deepEqual(seen, ["x"], "a callback ran after the abort");
  assert.equal(loop.running, false);
  assert.equal(reactor.polling, false);
  // already aborted: returns at once, running no callback
  await within(loop.run(first.signal), 5000, "run() with an aborted signal");
  assert.deepEqual(seen, ["x"]);
  // like stop(), the messages not yet handed to a callback are kept for the next run; an
  // abort from outside, while the loop waits for more, ends that run too
  let gotAll!: () => void;
  const all = new Promise<void>((resolve) => gotAll = resolve);
  stream.onRecv(([f]) => {
    seen.push(decoder.decode(f));
    if (seen.length === 3) gotAll();
  });
  const second = new AbortController();
  const running = loop.run(second.signal);
  await within(all, 5000, "the kept messages");
  second.abort();
  await within(running, 5000, "run() aborted while waiting");
  assert.deepEqual(seen, ["x", "y", "z"]);
  assert.equal(reactor.polling, false);
  push.close();
});

Deno.test("stream: a stream closed from its callback ends quietly", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-close");
  const [push2, pull2] = await pipe(ctx, "stream-close-2");
  const loop = new Loop();
  const a = new Stream(pull, loop);
  using b = new Stream(pull2, loop);
  let closedNow!: () => void;
  const closed = new Promise<void>((resolve) => closedNow = resolve);
  a.onRecv((_frames, stream) => {
    stream.close();
    closedNow();
  });
  b.onRecv(() => loop.stop());
  const running = loop.run();
  await push.send("close me");
  await closed;
  // a is closed, its socket too, and further use throws ECLOSED
  assert.equal(pull.closed, true);
  assert.throws(() => a.send("x"), isCode("ECLOSED"));
  await push2.send("stop");
  await running;
  push.close();
  push2.close();
});

Deno.test("stream: bad arguments get clear errors", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  const loop = new Loop();
  assert.throws(() => new Stream({} as Socket, loop), isCode("EBADVALUE"));
  assert.throws(() => new Stream(pull, {} as Loop), isCode("EBADVALUE"));
  assert.throws(() => new Loop({ onError: 5 as unknown as () => void }), isCode("EBADVALUE"));
  using stream = new Stream(pull, loop);
  assert.throws(() => stream.onRecv(5 as unknown as () => void), isCode("EBADVALUE"));
  assert.throws(() => stream.send([]), isCode("EBADVALUE"));
  assert.throws(() => stream.send([{} as string]), isCode("EBADVALUE"));
  assert.throws(() => stream.sendMultipart("x" as unknown as string[]), isCode("EBADVALUE"));
  const controller = new AbortController();
  const running = loop.run(controller.signal);
  await assert.rejects(loop.run(), isCode("EBUSY"));
  controller.abort();
  await running;
});

Deno.test("stream: a socket has one open Stream; a second is EBUSY and the first gets every message", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "stream-one-per-socket");
  const loop = new Loop();
  using stream = new Stream(pull, loop);
  assert.throws(() => new Stream(pull, loop), isCode("EBUSY"));
  assert.throws(() => new Stream(pull, new Loop()), isCode("EBUSY"));
  const seen: string[] = [];
  stream.onRecv((frames) => {
    seen.push(...text(frames));
    if (seen.length === 4) loop.stop();
  });
  for (const m of ["a", "b", "c", "d"]) await push.send(m);
  await within(loop.run(), 5000, "the loop");
  assert.deepEqual(seen, ["a", "b", "c", "d"]);
  push.close();
});
