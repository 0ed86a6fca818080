// A readiness check made outside the reactor (Socket.poll with timeout 0, getOption("EVENTS"))
// reads ZMQ_EVENTS, which consumes the edge of the socket's ZMQ_FD. An operation already waiting
// in the reactor on that socket must still be served: the check wakes the reactor.
import assert from "node:assert/strict";
import { Context, POLLIN } from "../mod.ts";

const decoder = new TextDecoder();

for (
  const [name, check] of [
    ["Socket.poll(POLLIN, 0)", (s: import("../mod.ts").Socket) => s.poll(POLLIN, 0)],
    ['getOption("EVENTS")', (s: import("../mod.ts").Socket) => s.getOption("EVENTS")],
  ] as const
) {
  Deno.test(`reactor: ${name} while a recv waits does not strand the recv`, async () => {
    using ctx = new Context({ linger: 0 });
    using pull = ctx.socket("PULL");
    using push = ctx.socket("PUSH");
    pull.bind("inproc://reactor-edge");
    push.connect("inproc://reactor-edge");
    for (let i = 0; i < 200; i++) {
      // Without the wake-up this recv never learns of the message (it used to hang here
      // within a few rounds); the timeout turns a hang into a failure.
      const waiting = pull.recv({ timeout: 5000 });
      await Promise.resolve(); // let the reactor start its poll(2) for the recv
      await push.send(`m${i}`);
      await check(pull); // may or may not see the message yet; it reads ZMQ_EVENTS either way
      assert.equal(decoder.decode(await waiting), `m${i}`);
    }
  });
}

/** A DEALER `x` whose pipe to DEALER `y` is full (a send with timeout 0 fails). */
async function fullPipe(ctx: Context, name: string) {
  const x = ctx.socket("DEALER");
  const y = ctx.socket("DEALER");
  x.setOption("SNDHWM", 1);
  y.setOption("RCVHWM", 1);
  y.bind(`inproc://${name}`);
  x.connect(`inproc://${name}`);
  let sent = 0;
  while (await x.send(`fill ${sent}`, { timeout: 0 }).then(() => true, () => false)) sent++;
  assert.ok(sent > 0);
  return { x, y, sent };
}

Deno.test("reactor: a send that fails with timeout 0 while a recv waits does not strand the recv", async () => {
  using ctx = new Context({ linger: 0 });
  const { x, y } = await fullPipe(ctx, "reactor-edge-send");
  try {
    for (let i = 0; i < 100; i++) {
      const waiting = x.recv({ timeout: 5000 });
      await Promise.resolve(); // let the reactor start its poll(2) for the recv
      await y.send(`m${i}`);
      await x.send("more", { timeout: 0 }).catch(() => {}); // the pipe is full: EAGAIN
      assert.equal(decoder.decode(await waiting), `m${i}`);
    }
  } finally {
    x.close();
    y.close();
  }
});

Deno.test("reactor: a recv that fails with timeout 0 while a send waits does not strand the send", async () => {
  using ctx = new Context({ linger: 0 });
  const { x, y, sent } = await fullPipe(ctx, "reactor-edge-recv");
  try {
    for (let i = 0; i < 100; i++) {
      const waiting = x.send(`queued ${i}`, { timeout: 5000 });
      await Promise.resolve(); // let the reactor start its poll(2) for the send
      await y.recv(); // frees room in the pipe
      await x.recv({ timeout: 0 }).catch(() => {}); // nothing to receive: EAGAIN
      await waiting;
    }
    for (let i = 0; i < sent; i++) await y.recv(); // the rest of what was queued
  } finally {
    x.close();
    y.close();
  }
});
