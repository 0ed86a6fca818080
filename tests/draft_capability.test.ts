// A libzmq without the DRAFT API (Debian's libzmq5, through DENO_ZMQ_LIBRARY) refuses every
// DRAFT capability with a MissingCapabilityError naming it, and keeps what needs no DRAFT.
import assert from "node:assert/strict";
import { DRAFT_SOCKET_TYPES, MissingCapabilityError, ZmqError, zmqHas } from "../mod.ts";
import { runFixture } from "./_util.ts";
import { DEBIAN_LIBZMQ, hasDebianLibzmq } from "./_peers.ts";

Deno.test({
  name:
    "without DRAFT: each DRAFT type, monitor v2 and peerState are refused by name; properties still work",
  // Debian's libzmq5 comes with python3-zmq, which .ci/run installs
  ignore: !hasDebianLibzmq,
  async fn() {
    const r = await runFixture("no_draft.ts", {
      env: { DENO_ZMQ_LIBRARY: DEBIAN_LIBZMQ },
      timeout: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(out.draft, false);
    const expected = Object.fromEntries(
      [...Object.keys(DRAFT_SOCKET_TYPES), "monitor v2", "peerState"].map((k) => [
        k,
        "ENOTSUP draft (names the library)",
      ]),
    );
    assert.deepEqual(out.refused, expected);
    assert.deepEqual(
      [out.userId, out.tenant, out.socketType, out.routingId],
      ["guest", "public", "DEALER", null],
    );
  },
});

Deno.test("the DRAFT capability error is a ZmqError of code ENOTSUP that names the capability", () => {
  const e = new MissingCapabilityError("draft", "SERVER sockets", { op: "open socket" });
  assert.ok(e instanceof ZmqError);
  assert.equal(e.code, "ENOTSUP");
  assert.equal(e.capability, "draft");
  assert.match(e.message, /SERVER sockets need libzmq's DRAFT API/);
  assert.match(e.message, /zmqHas\("draft"\) is false/);
  assert.equal(zmqHas("draft"), true); // this build (npm:zeromq's) has it
});
