// Received contents, byte for byte: random payloads around the sizes where the receive path
// changes (frames up to 8 KiB share a slab, larger ones get their own buffer, libzmq's message
// is released after 64 KiB), single and multipart, inproc and tcp. Frames are kept and checked
// again after later receives, so a buffer that is reused or overwritten later is caught.
import assert from "node:assert/strict";
import { Context, type Socket } from "../mod.ts";

const KiB = 1024;
/** The sizes the issue names (101 B, 8 KiB + 1, 64 KiB + 1, 1 MiB) and the edges between. */
const SIZES = [0, 1, 101, 8 * KiB, 8 * KiB + 1, 64 * KiB, 64 * KiB + 1, 1024 * KiB];
const RECV = { timeout: 10_000 }; // a bound on a hang, not a measure

/** `n` random bytes (getRandomValues fills at most 64 KiB per call). */
function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 64 * KiB) {
    crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 64 * KiB)));
  }
  return bytes;
}

/** Asserts `actual` holds exactly the bytes of `expected`; names the first difference. */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: not a Uint8Array`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${what}: byte ${i} of ${expected.length} is ${actual[i]}, sent ${expected[i]}`);
    }
  }
}

/** Connects `push` to `pull` over `transport`, proven by one message. */
async function connect(push: Socket, pull: Socket, transport: "inproc" | "tcp", name: string) {
  if (transport === "tcp") {
    push.connect(`tcp://127.0.0.1:${pull.bindToRandomPort()}`);
  } else {
    pull.bind(`inproc://${name}`);
    push.connect(`inproc://${name}`);
  }
  await push.send("hello");
  assert.equal(new TextDecoder().decode(await pull.recv(RECV)), "hello");
}

/** Receives many more frames (several slabs' worth, and big ones), checking each. */
async function churn(push: Socket, pull: Socket, label: string): Promise<void> {
  for (let i = 0; i < 48; i++) {
    const payload = randomBytes(i % 8 === 7 ? 200 * KiB : 3 * KiB + i);
    await push.send(payload);
    assertSameBytes(await pull.recv(RECV), payload, `${label}: churn frame ${i}`);
  }
}

for (const transport of ["inproc", "tcp"] as const) {
  Deno.test(`contents (${transport}): single frames of 0 B to 1 MiB arrive intact and stay so`, async () => {
    using ctx = new Context({ linger: 0 });
    using pull = ctx.socket("PULL");
    using push = ctx.socket("PUSH");
    await connect(push, pull, transport, "contents-single");
    const kept: [Uint8Array, Uint8Array, string][] = [];
    for (const size of SIZES) {
      for (let copy = 0; copy < 3; copy++) {
        const payload = randomBytes(size);
        const what = `${size} B frame #${copy}`;
        // one frame already there when recv is called, one received while waiting
        if (copy === 1) {
          const pending = pull.recv(RECV);
          await push.send(payload);
          kept.push([await pending, payload, `${what} (recv waiting)`]);
        } else {
          await push.send(payload);
          kept.push([await pull.recv(RECV), payload, what]);
        }
        const [frame, sent, label] = kept.at(-1)!;
        assertSameBytes(frame, sent, label);
      }
    }
    await churn(push, pull, transport);
    for (const [frame, sent, what] of kept) assertSameBytes(frame, sent, `${what}, checked again`);
  });

  Deno.test(`contents (${transport}): multipart messages with big frames anywhere arrive whole and intact`, async () => {
    using ctx = new Context({ linger: 0 });
    using pull = ctx.socket("PULL");
    using push = ctx.socket("PUSH");
    await connect(push, pull, transport, "contents-multipart");
    // every size once per message, rotated so that each one is first, inside and last
    const shapes = SIZES.map((_, shift) => SIZES.map((_, i) => SIZES[(i + shift) % SIZES.length]));
    shapes.push([64 * KiB + 1, 101], [1024 * KiB, 0, 8 * KiB + 1]);
    const kept: [Uint8Array[], Uint8Array[], string][] = [];
    for (const [n, shape] of shapes.entries()) {
      const message = shape.map(randomBytes);
      const what = `message ${n} (${shape.join(" + ")} B)`;
      await push.send(message);
      const frames = await pull.recvMultipart(RECV);
      assert.equal(frames.length, message.length, `${what}: frame count`);
      frames.forEach((f, i) => assertSameBytes(f, message[i], `${what} frame ${i}`));
      kept.push([frames, message, what]);
    }
    await churn(push, pull, transport);
    for (const [frames, message, what] of kept) {
      frames.forEach((f, i) => assertSameBytes(f, message[i], `${what} frame ${i}, checked again`));
    }
  });
}

Deno.test("contents: typed-array views, ArrayBuffers and strings are sent as their own bytes", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  await connect(push, pull, "inproc", "contents-views");
  const backing = randomBytes(3 * 8 * KiB);
  const cases: [string, unknown, Uint8Array][] = [
    [
      "a Uint8Array at an offset",
      backing.subarray(5, 5 + 8 * KiB + 1),
      backing.slice(5, 8 * KiB + 6),
    ],
    ["a DataView at an offset", new DataView(backing.buffer, 7, 101), backing.slice(7, 108)],
    [
      "an Int16Array at an offset",
      new Int16Array(backing.buffer, 2 * KiB, 64),
      backing.slice(2 * KiB, 2 * KiB + 128),
    ],
    ["an ArrayBuffer", backing.buffer.slice(100, 301), backing.slice(100, 301)],
    ["a string", "héllo ".repeat(40), new TextEncoder().encode("héllo ".repeat(40))],
  ];
  for (const [what, value, bytes] of cases) {
    await push.send(value as Uint8Array);
    assertSameBytes(await pull.recv(RECV), bytes, what);
  }
  await push.send(cases.map(([, value]) => value as Uint8Array));
  const frames = await pull.recvMultipart(RECV);
  cases.forEach(([what, , bytes], i) => assertSameBytes(frames[i], bytes, `${what} (multipart)`));
});
