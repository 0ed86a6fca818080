// The tutorial-era names a porter types (pyzmq keeps them): XREP/XREQ, IDENTITY and HWM are
// accepted as documented aliases, setsockopt/getsockopt as setOption/getOption; names that
// are not ours (pyzmq's integer constants, "ZMQ_" prefixes, lower case) fail with a hint.
import assert from "node:assert/strict";
import {
  BackgroundDevice,
  canonicalSocketType,
  Context,
  SOCKET_OPTION_ALIASES,
  SOCKET_TYPE_ALIASES,
} from "../mod.ts";
import { text, throwsWith } from "./_util.ts";

Deno.test("XREP and XREQ open ROUTER and DEALER sockets that route as such", async () => {
  await using ctx = new Context({ linger: 0 });
  const router = ctx.socket("XREP");
  const dealer = ctx.socket("XREQ");
  assert.equal(router.type, "ROUTER");
  assert.equal(dealer.type, "DEALER");
  assert.equal(router.getOption("TYPE"), 6); // libzmq's ZMQ_ROUTER, not a look-alike
  assert.equal(dealer.getOption("TYPE"), 5);
  dealer.setOption("IDENTITY", "d1");
  router.bind("inproc://aliases-route");
  dealer.connect("inproc://aliases-route");
  await dealer.send(["", "hello"]);
  assert.deepEqual(text(await router.recvMultipart()), ["d1", "", "hello"]);
  await router.send(["d1", "", "back"]);
  assert.deepEqual(text(await dealer.recvMultipart()), ["", "back"]);
  assert.deepEqual(SOCKET_TYPE_ALIASES, { XREP: "ROUTER", XREQ: "DEALER" });
  assert.equal(canonicalSocketType("XREP"), "ROUTER");
  assert.equal(canonicalSocketType("REQ"), "REQ");
  assert.equal(canonicalSocketType("xrep"), undefined);
});

Deno.test("HWM sets both SNDHWM and RCVHWM and reads SNDHWM; IDENTITY is ROUTING_ID", () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  push.setOption("HWM", 7);
  assert.equal(push.getOption("SNDHWM"), 7);
  assert.equal(push.getOption("RCVHWM"), 7);
  push.setOption("SNDHWM", 3);
  assert.equal(push.getOption("HWM"), 3);
  push.setsockopt("IDENTITY", "me");
  assert.equal(new TextDecoder().decode(push.getOption("ROUTING_ID")), "me");
  assert.equal(new TextDecoder().decode(push.getsockopt("IDENTITY")), "me");
  assert.deepEqual(SOCKET_OPTION_ALIASES.HWM, ["SNDHWM", "RCVHWM"]);
  // a bad value through an alias is the option's own error, and sets nothing
  throwsWith(() => push.setOption("HWM", "many" as never), "EBADVALUE");
  assert.equal(push.getOption("RCVHWM"), 7);
});

Deno.test("setsockopt and getsockopt are setOption and getOption", async () => {
  await using ctx = new Context({ linger: 0 });
  const sub = ctx.socket("SUB");
  const pub = ctx.socket("PUB");
  sub.setsockopt("SUBSCRIBE", "10001");
  assert.equal(sub.getsockopt("LINGER"), 0);
  pub.bind("inproc://aliases-sub");
  sub.connect("inproc://aliases-sub");
  await pub.send("10000 no");
  await pub.send("10001 yes");
  assert.equal(await sub.recvString({ timeout: 5000 }), "10001 yes");
  throwsWith(() => sub.getsockopt("SUBSCRIBE"), "EWRITEONLY");
});

Deno.test("pyzmq-style names that are not ours fail with a hint naming ours", () => {
  using ctx = new Context();
  using s = ctx.socket("PULL");
  const cases: [() => unknown, string, RegExp][] = [
    [
      () => ctx.socket(3 as never),
      "EINVAL",
      /Unknown socket type 3 \(names are strings here: "REQ"/,
    ],
    [() => ctx.socket("ZMQ_PUSH" as never), "EINVAL", /"ZMQ_PUSH" \(did you mean "PUSH"\?\)/],
    [() => ctx.socket("router" as never), "EINVAL", /"router" \(did you mean "ROUTER"\?\)/],
    [() => ctx.socket("ROUTR" as never), "EINVAL", /Unknown socket type "ROUTR"; expected one/],
    [
      () => s.setOption("ZMQ_LINGER" as never, 0 as never),
      "EUNKNOWNOPTION",
      /did you mean "LINGER"\?/,
    ],
    [() => s.setsockopt("hwm" as never, 1 as never), "EUNKNOWNOPTION", /did you mean "HWM"\?/],
    [() => s.getOption(17 as never), "EUNKNOWNOPTION", /names are strings here: "SUBSCRIBE"/],
  ];
  for (const [call, code, message] of cases) assert.match(throwsWith(call, code).message, message);
});

Deno.test("a background device takes the tutorial's XREP, XREQ and HWM", async () => {
  const device = new BackgroundDevice("QUEUE", "XREP", "XREQ", { onLine: () => {} });
  device.bindIn("tcp://127.0.0.1:*").bindOut("tcp://127.0.0.1:*");
  device.setOptionIn("HWM", 1).setOptionOut("IDENTITY", "backend");
  await device.start();
  await device.stop();
  const bad = new BackgroundDevice("QUEUE", "XREP", "XREQ", { onLine: () => {} });
  bad.bindIn("tcp://127.0.0.1:*").bindOut("tcp://127.0.0.1:*").setOptionIn("HWN", 1);
  await assert.rejects(bad.start(), /Unknown socket option "HWN"/);
});
