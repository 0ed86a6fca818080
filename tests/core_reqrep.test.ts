import assert from "node:assert/strict";
import { Context } from "../mod.ts";
import { rejectsWith } from "./_util.ts";

const EFSM_MESSAGE = "Operation cannot be accomplished in current state";

function pair(ctx: Context, name: string) {
  const rep = ctx.socket("REP");
  const req = ctx.socket("REQ");
  rep.bind(`inproc://${name}`);
  req.connect(`inproc://${name}`);
  return { req, rep };
}

async function roundTrip(req: ReturnType<Context["socket"]>, rep: ReturnType<Context["socket"]>) {
  await req.send("ping");
  assert.equal(await rep.recvString(), "ping");
  await rep.send("pong");
  assert.equal(await req.recvString(), "pong");
}

Deno.test("REQ/REP: a round trip over tcp with a random port", async () => {
  using ctx = new Context();
  using rep = ctx.socket("REP");
  using req = ctx.socket("REQ");
  const port = rep.bindToRandomPort();
  req.connect(`tcp://127.0.0.1:${port}`);
  await req.send("Hello");
  assert.equal(await rep.recvString(), "Hello");
  await rep.send("World");
  assert.equal(await req.recvString(), "World");
});

Deno.test("REQ/REP lockstep: a second send on REQ before the reply is EFSM", async () => {
  using ctx = new Context();
  const { req, rep } = pair(ctx, "lock1");
  using _req = req;
  using _rep = rep;
  await req.send("first");
  const e = await rejectsWith(req.send("second"), "EFSM");
  assert.ok(e.message.startsWith(EFSM_MESSAGE), e.message);
  assert.equal(e.socketType, "REQ");
  // the first request is still answered, and the socket goes on working
  assert.equal(await rep.recvString(), "first");
  await rep.send("reply");
  assert.equal(await req.recvString(), "reply");
  await roundTrip(req, rep);
});

Deno.test("REQ/REP lockstep: a send on REP before any request is EFSM", async () => {
  using ctx = new Context();
  const { req, rep } = pair(ctx, "lock2");
  using _req = req;
  using _rep = rep;
  const e = await rejectsWith(rep.send("unasked"), "EFSM");
  assert.ok(e.message.startsWith(EFSM_MESSAGE), e.message);
  assert.equal(e.socketType, "REP");
  await roundTrip(req, rep);
});

Deno.test("REQ/REP lockstep: a recv on REQ before any send is EFSM", async () => {
  using ctx = new Context();
  const { req, rep } = pair(ctx, "lock3");
  using _req = req;
  using _rep = rep;
  const e = await rejectsWith(req.recv(), "EFSM");
  assert.ok(e.message.startsWith(EFSM_MESSAGE), e.message);
  await roundTrip(req, rep);
});

Deno.test("REQ/REP: a pending recv on REP is answered when the request comes", async () => {
  using ctx = new Context();
  const { req, rep } = pair(ctx, "pending");
  using _req = req;
  using _rep = rep;
  const incoming = rep.recvString(); // waits in the reactor
  await req.send("late");
  assert.equal(await incoming, "late");
  const reply = req.recvString();
  await rep.send("done");
  assert.equal(await reply, "done");
});

Deno.test("REQ/REP: JSON helpers round-trip a value", async () => {
  using ctx = new Context();
  const { req, rep } = pair(ctx, "json");
  using _req = req;
  using _rep = rep;
  await req.sendJson({ num: 7, list: [1, "two"] });
  assert.deepEqual(await rep.recvJson(), { num: 7, list: [1, "two"] });
  await rep.sendJson(null);
  assert.equal(await req.recvJson(), null);
});
