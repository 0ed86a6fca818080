// Regression tests for the frame findings of issue 10: received frames share no memory (10.1),
// a message is checked whole before anything goes out (10.3), a queued send is not changed by
// what the caller does with its buffer afterwards (10.14), and frames of 2 GiB and more arrive
// whole (10.8).
import assert from "node:assert/strict";
import { Context, type Socket } from "../mod.ts";
import { contains, rejectsWith, runFixture, text } from "./_util.ts";

const encoder = new TextEncoder();

/** A PAIR pair over inproc, proven connected. */
async function pair(ctx: Context, name: string): Promise<[Socket, Socket]> {
  const a = ctx.socket("PAIR");
  const b = ctx.socket("PAIR");
  a.bind(`inproc://${name}`);
  b.connect(`inproc://${name}`);
  await a.send("hello");
  assert.equal(await b.recvString({ timeout: 5000 }), "hello");
  return [a, b];
}

Deno.test("a received frame's buffer holds that frame only, not earlier messages (10.1)", async () => {
  using ctx = new Context({ linger: 0 });
  const [a, b] = await pair(ctx, "hf-expose");
  using _a = a, _b = b;
  const secret = encoder.encode("peer A's secret token");
  await a.send(secret);
  await a.send("public");
  const first = await b.recv();
  const second = await b.recv();
  assert.deepEqual(first, secret);
  for (const frame of [first, second]) {
    assert.equal(frame.byteOffset, 0);
    assert.equal(frame.buffer.byteLength, frame.byteLength);
  }
  assert.equal(contains(new Uint8Array(second.buffer), secret), false);
  // every frame of a multipart message has its own buffer as well
  await a.send(["one", "two", "three"]);
  const frames = await b.recvMultipart();
  assert.deepEqual(text(frames), ["one", "two", "three"]);
  assert.equal(new Set(frames.map((f) => f.buffer)).size, 3);
});

Deno.test("detaching a received frame's buffer changes no other frame and loses no message (10.1)", async () => {
  using ctx = new Context({ linger: 0 });
  const [a, b] = await pair(ctx, "hf-detach");
  const [c, d] = await pair(ctx, "hf-detach-other");
  using _a = a, _b = b, _c = c, _d = d;
  await a.send("kept frame");
  await a.send("moved frame");
  const kept = await b.recv();
  const moved = await b.recv();
  // transfer one frame's memory away, as postMessage(f.buffer, [f.buffer]) does
  const buffer = moved.buffer as ArrayBuffer;
  const away = structuredClone(buffer, { transfer: [buffer] });
  assert.equal(new TextDecoder().decode(away), "moved frame");
  assert.equal(moved.byteLength, 0);
  assert.equal(new TextDecoder().decode(kept), "kept frame");
  (kept.buffer as ArrayBuffer).transfer(); // and detach the other one in place
  // the next receives of this isolate work, on this socket and on another one that waits
  const waiting = d.recvString({ timeout: 5000 });
  await a.send(["after", "detach"]);
  assert.deepEqual(text(await b.recvMultipart({ timeout: 5000 })), ["after", "detach"]);
  await c.send("other socket");
  assert.equal(await waiting, "other socket");
  // a multipart message: detaching frame 0 leaves frame 1 whole
  await a.send(["f0", "f1"]);
  const [f0, f1] = await b.recvMultipart();
  (f0.buffer as ArrayBuffer).transfer();
  assert.equal(new TextDecoder().decode(f1), "f1");
});

Deno.test("a frame array with a hole sends nothing; the next message arrives alone (10.3)", async () => {
  using ctx = new Context({ linger: 0 });
  const [a, b] = await pair(ctx, "hf-hole");
  using _a = a, _b = b;
  const holey: string[] = ["first"];
  holey[2] = "third";
  const e = await rejectsWith(a.send(holey), "EBADVALUE");
  assert.match(e.message, /Frame 1 is undefined/);
  await rejectsWith(a.sendMultipart(holey), "EBADVALUE");
  // a frame that fails late (a getter that throws, a detached buffer) sends nothing either
  const throwing = ["ok", "ok"];
  Object.defineProperty(throwing, 1, {
    get() {
      throw new RangeError("a getter that throws");
    },
  });
  await assert.rejects(a.send(throwing), RangeError);
  const detached = new Uint8Array([1, 2, 3]);
  detached.buffer.transfer();
  await rejectsWith(a.send(["ok", detached]), "EBADVALUE");
  await rejectsWith(a.send(detached), "EBADVALUE");
  // a view of fixed length whose resizable buffer shrank below its end is out of bounds: it
  // went out as an empty frame (a Uint8Array) or failed untyped (a DataView)
  const resizable = new ArrayBuffer(8, { maxByteLength: 16 });
  const shrunk = new Uint8Array(resizable, 0, 8);
  const shrunkView = new DataView(resizable, 0, 8);
  const empty = new Uint8Array(resizable, 0, 0); // in bounds whatever the size: a legal frame
  resizable.resize(4);
  await rejectsWith(a.send(shrunk), "EBADVALUE");
  await rejectsWith(a.send(["ok", shrunk]), "EBADVALUE");
  await rejectsWith(a.send(shrunkView as never), "EBADVALUE");
  await a.send(["", empty]);
  assert.deepEqual(text(await b.recvMultipart({ timeout: 5000 })), ["", ""]);
  await a.send("next");
  assert.deepEqual(text(await b.recvMultipart({ timeout: 5000 })), ["next"]);
  assert.equal(await b.poll(1, 0), 0, "nothing else arrived");
});

Deno.test("a send queued behind others goes out as it was at the call (10.14)", async () => {
  using ctx = new Context({ linger: 0 });
  using push = ctx.socket("PUSH");
  // PUSH with no peer cannot send: these wait in the queue
  const written = new Uint8Array([1, 2, 3]);
  const transferred = new Uint8Array([4, 5, 6]);
  const multipart = [new Uint8Array([7]), new Uint8Array([8])];
  const sends = [
    push.send(written),
    push.send(transferred),
    push.sendMultipart(multipart),
    push.send(new Uint16Array([0x0a09]).subarray(0, 1) as unknown as Uint8Array),
  ];
  written[0] = 99; // the caller reuses its buffer
  structuredClone(transferred.buffer, { transfer: [transferred.buffer] }); // or gives it away
  multipart[1][0] = 99;
  using pull = ctx.socket("PULL");
  pull.bind("inproc://hf-queued");
  push.connect("inproc://hf-queued");
  await Promise.all(sends);
  assert.deepEqual([...await pull.recv({ timeout: 5000 })], [1, 2, 3]);
  assert.deepEqual([...await pull.recv({ timeout: 5000 })], [4, 5, 6]);
  assert.deepEqual((await pull.recvMultipart({ timeout: 5000 })).map((f) => [...f]), [[7], [8]]);
  assert.deepEqual([...await pull.recv({ timeout: 5000 })], [9, 10]);
});

Deno.test({
  name: "a frame of 2 GiB + 1 MiB arrives whole, not cut at 2^31 - 1 bytes (10.8)",
  // about 4.5 GB of memory at the peak, in a subprocess so that it is all given back at once
  fn: async () => {
    const r = await runFixture("huge_frame.ts", { timeout: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(got, { length: 2 ** 31 + 2 ** 20, marks: [1, 2, 3, 4, 5, 6], more: false });
  },
});
