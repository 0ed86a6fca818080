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
