import assert from "node:assert/strict";
import { Context, Socket, ZmqError } from "../mod.ts";
import { rejectsWith, throwsWith } from "./_util.ts";

Deno.test("bad endpoints: a clear ZmqError naming the endpoint", () => {
  using ctx = new Context();
  using sock = ctx.socket("PUB");
  const e1 = throwsWith(() => sock.bind("nosuch://x"), "EPROTONOSUPPORT");
  assert.equal(e1.endpoint, "nosuch://x");
  assert.match(e1.message, /nosuch:\/\/x/);
  throwsWith(() => sock.bind("tcp://"), "EINVAL");
  throwsWith(() => sock.connect("tcp://127.0.0.1"), "EINVAL");
  throwsWith(() => sock.bind(""), "EINVAL");
  throwsWith(() => sock.bind("inproc://nul\0byte"), "EINVAL");
  throwsWith(() => sock.bind(42 as unknown as string), "EINVAL");
  throwsWith(() => sock.unbind("tcp://127.0.0.1:1"), "ENOENT");
  // the socket still works after all of that
  sock.bind("inproc://still-fine");
});

Deno.test("an address in use is EADDRINUSE", () => {
  using ctx = new Context();
  using a = ctx.socket("REP");
  using b = ctx.socket("REP");
  const port = a.bindToRandomPort();
  const e = throwsWith(() => b.bind(`tcp://127.0.0.1:${port}`), "EADDRINUSE");
  assert.equal(e.op, "bind");
  assert.equal(e.socketType, "REP");
  a.bind("inproc://taken");
  throwsWith(() => b.bind("inproc://taken"), "EADDRINUSE");
});

Deno.test("options: unknown names, wrong types, read-only and write-only", () => {
  using ctx = new Context();
  using sock = ctx.socket("DEALER");
  const unknown = throwsWith(
    () => sock.setOption("NO_SUCH" as "LINGER", 1),
    "EUNKNOWNOPTION",
  );
  assert.match(unknown.message, /NO_SUCH/);
  throwsWith(() => sock.getOption("NOPE" as "LINGER"), "EUNKNOWNOPTION");
  const bad = throwsWith(() => sock.setOption("SNDHWM", "many" as unknown as number), "EBADVALUE");
  assert.equal(bad.option, "SNDHWM");
  throwsWith(() => sock.setOption("SNDHWM", 1.5), "EBADVALUE");
  throwsWith(() => sock.setOption("SNDHWM", 2 ** 40), "EBADVALUE");
  throwsWith(() => sock.setOption("IMMEDIATE", "yes" as unknown as boolean), "EBADVALUE");
  throwsWith(() => sock.setOption("CURVE_SERVERKEY", "too short"), "EBADVALUE");
  throwsWith(() => sock.setOption("TYPE" as "LINGER", 1), "EREADONLY");
  throwsWith(() => sock.getOption("SUBSCRIBE" as "LINGER"), "EWRITEONLY");
  // libzmq's own check: a negative HWM is EINVAL
  throwsWith(() => sock.setOption("SNDHWM", -5), "EINVAL");
  // and good values round-trip
  sock.setOption("SNDHWM", 10);
  sock.setOption("MAXMSGSIZE", 1024n);
  sock.setOption("IMMEDIATE", true);
  assert.equal(sock.getOption("SNDHWM"), 10);
  assert.equal(sock.getOption("MAXMSGSIZE"), 1024n);
  assert.equal(sock.getOption("IMMEDIATE"), true);
  assert.equal(sock.getOption("TYPE"), 5);
});

Deno.test("a call the socket type does not support: subscribe on PUSH", () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  const e = throwsWith(() => push.subscribe("topic"), "ENOTSUP");
  assert.equal(e.socketType, "PUSH");
  assert.match(e.message, /SUB/);
});

Deno.test("unknown socket types and non-contexts are refused", () => {
  using ctx = new Context();
  const e = throwsWith(() => ctx.socket("BOGUS" as "REQ"), "EINVAL");
  assert.match(e.message, /BOGUS/);
  throwsWith(() => new Socket({} as Context, "REQ"), "EINVAL");
});

Deno.test("use after close: every call says ECLOSED", async () => {
  using ctx = new Context();
  const sock = ctx.socket("PAIR");
  sock.close();
  throwsWith(() => sock.bind("inproc://closed"), "ECLOSED");
  throwsWith(() => sock.connect("inproc://closed"), "ECLOSED");
  throwsWith(() => sock.setOption("LINGER", 0), "ECLOSED");
  throwsWith(() => sock.getOption("TYPE"), "ECLOSED");
  await rejectsWith(sock.send("x"), "ECLOSED");
  await rejectsWith(sock.recv(), "ECLOSED");
  await rejectsWith(sock.poll(), "ECLOSED");
});

Deno.test("frames of the wrong type are refused before anything is sent", async () => {
  using ctx = new Context();
  using a = ctx.socket("PAIR");
  using b = ctx.socket("PAIR");
  a.bind("inproc://frames");
  b.connect("inproc://frames");
  const e = await rejectsWith(a.send(42 as unknown as string), "EBADVALUE");
  assert.match(e.message, /Frame 0 is number/);
  await rejectsWith(a.send(["ok", { not: "bytes" } as unknown as string]), "EBADVALUE");
  await rejectsWith(a.send([]), "EBADVALUE");
  await rejectsWith(a.sendJson(10n), "EBADJSON");
  await rejectsWith(a.send("x", { timeout: -3 }), "EBADVALUE");
  await a.send("fine");
  assert.equal(await b.recvString(), "fine"); // nothing half-sent came first
});

Deno.test("recvString on bytes that are not UTF-8, recvJson on text that is not JSON", async () => {
  using ctx = new Context();
  using a = ctx.socket("PAIR");
  using b = ctx.socket("PAIR");
  a.bind("inproc://decode");
  b.connect("inproc://decode");
  await a.send(new Uint8Array([0xff, 0xfe, 0x00]));
  await rejectsWith(b.recvString(), "EBADUTF8");
  await a.send("{not json");
  const e = await rejectsWith(b.recvJson(), "EBADJSON");
  assert.ok(e instanceof ZmqError);
  await a.send("ok");
  assert.equal(await b.recvString(), "ok");
});

Deno.test("Context.adopt refuses what is not a live context handle", () => {
  throwsWith(() => Context.adopt(0n as never), "EINVAL");
  throwsWith(() => Context.adopt("12" as never), "EINVAL");
  const ctx = new Context();
  const handle = ctx.handle;
  const adopted = Context.adopt(handle);
  using s = adopted.socket("PAIR");
  s.bind("inproc://adopted");
  adopted.close(); // closes only the adopted view's sockets
  assert.ok(s.closed);
  assert.equal(ctx.closed, false);
  ctx.close();
  throwsWith(() => ctx.handle, "ECLOSED");
});

Deno.test("context options by name", () => {
  using ctx = new Context({ ioThreads: 2, maxSockets: 64 });
  assert.equal(ctx.getOption("IO_THREADS"), 2);
  assert.equal(ctx.getOption("MAX_SOCKETS"), 64);
  throwsWith(() => ctx.setOption("NOPE" as "IO_THREADS", 1), "EUNKNOWNOPTION");
  throwsWith(() => ctx.setOption("IO_THREADS", 1.5), "EBADVALUE");
  assert.throws(() => new Context({ linger: "x" as unknown as number }), ZmqError);
});
