// Bugs of libzmq itself that the wire fuzzer ran into (README, "Known limits found in libzmq
// itself"), shown through this library and through pyzmq on Debian's libzmq: each test fails
// the day libzmq behaves, and the fuzzer's detour around it (fuzz/wire.ts, fuzz/_attacks.ts)
// can go.
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  makePlainClient,
  makePlainServer,
  POLLIN,
  type Socket,
  waitForEvent,
} from "../mod.ts";
import { hasPyzmq, PYTHON } from "./_peers.ts";

/** True if `req` gets its reply within `ms` (false: it is not coming). */
function answered(req: Socket, ms: number): Promise<boolean> {
  return req.recv({ timeout: ms }).then(() => true, (e) => {
    if (e?.code === "EAGAIN") return false;
    throw e;
  });
}

Deno.test("libzmq limit: a REP that dropped a request without a delimiter drops the next good reply", async () => {
  await using ctx = new Context({ linger: 0 });
  using rep = ctx.socket("REP");
  rep.setOption("SNDHWM", 1);
  rep.bind("inproc://limit-rep-rollback");
  using bad = ctx.socket("DEALER");
  bad.setOption("RCVHWM", 1);
  bad.connect("inproc://limit-rep-rollback");
  for (let i = 0; i < 2; i++) {
    // two replies it never reads: the REP's pipe to it is full (inproc: SNDHWM + RCVHWM)
    await bad.send(["", "q"], { timeout: 5000 });
    await rep.recv({ timeout: 5000 });
    await rep.send("unread", { timeout: 5000 });
  }
  await bad.send("no delimiter"); // a DEALER talking to a REP must send an empty frame first
  assert.equal(await rep.poll(POLLIN, 5000), POLLIN, "the bad request arrived");
  // the REP drops it, but its ROUTER keeps the "more" flag of the message it could not route
  // (router.cpp: rollback() resets it only if a pipe was being written)
  await assert.rejects(rep.recv({ timeout: 0 }), { code: "EAGAIN" });
  using req = ctx.socket("REQ");
  req.connect("inproc://limit-rep-rollback");
  await req.send("hello", { timeout: 5000 });
  assert.equal(await rep.recvString({ timeout: 5000 }), "hello");
  await rep.send("world", { timeout: 5000 }); // taken for the rest of the bad message: dropped
  assert.equal(await answered(req, 1000), false, "the good REQ's reply is lost");
  // the dropped reply cleared the flag: the next REQ is answered
  using next = ctx.socket("REQ");
  next.connect("inproc://limit-rep-rollback");
  await next.send("again", { timeout: 5000 });
  assert.equal(await rep.recvString({ timeout: 5000 }), "again");
  await rep.send("world", { timeout: 5000 });
  assert.equal(await answered(next, 5000), true, "answered once the flag was cleared");
});

Deno.test("libzmq limit: a REQ that is a PLAIN server behind an Authenticator drops the connection at its first reply", async () => {
  await using ctx = new Context({ linger: 0 });
  const auth = await new Authenticator(ctx).configurePlain({ passwords: { good: "pw" } }).start();
  try {
    using req = ctx.socket("REQ");
    makePlainServer(req);
    const port = req.bindToRandomPort();
    using rep = ctx.socket("REP");
    makePlainClient(rep, "good", "pw");
    rep.connect(`tcp://127.0.0.1:${port}`);
    await req.send("hello", { timeout: 5000 });
    assert.equal(await rep.recvString({ timeout: 5000 }), "hello");
    const dropped = waitForEvent(req, "disconnected", { timeout: 5000 });
    await rep.send("world", { timeout: 5000 });
    // libzmq hands the REQ's session the user id ZAP named before the reply, as a credential
    // message its REQ state machine refuses (req.cpp: req_session_t::push_msg): connection closed
    await dropped;
    assert.equal(await answered(req, 1000), false, "the reply is lost with the connection");
  } finally {
    await auth.stop();
  }
});

Deno.test({
  name: "libzmq limits: the same two with pyzmq on Debian's libzmq",
  ignore: !hasPyzmq,
  async fn() {
    const script = new URL("./py/libzmq_limits.py", import.meta.url).pathname;
    const child = new Deno.Command(PYTHON, { args: ["-u", script], stdout: "piped" }).spawn();
    const bound = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const { code, stdout } = await child.output();
    clearTimeout(bound);
    assert.equal(code, 0);
    assert.deepEqual(new TextDecoder().decode(stdout).trim().split("\n"), [
      "rep-rollback lost 1",
      "req-zap-user lost 1",
    ]);
  },
});
