// The bad-input table: wrong calls across the API. Each row asserts the error's class and
// code, then checks that the process and the sockets around the failed call keep working: a
// round trip over a REQ/REP pair (inproc) and a PUSH/PULL pair (tcp) that the row may itself
// have misused.
import assert from "node:assert/strict";
import { Context, LazyPirateClient, POLLIN, Socket, type SocketType, ZmqError } from "../mod.ts";

const decoder = new TextDecoder();
const INVALID_UTF8 = new Uint8Array([0xc3, 0x28, 0xff]);

/** What a row may use: a context, two healthy pairs, and scratch sockets closed for it. */
interface Fixture {
  ctx: Context;
  req: Socket;
  rep: Socket;
  push: Socket;
  pull: Socket;
  /** A tcp port the PULL is bound to. */
  port: number;
  /** Opens a scratch socket on `ctx`, closed after the row. */
  open(type: SocketType): Socket;
  /** Opens a scratch context, closed after the row. */
  context(): Context;
}

interface Row {
  /** The wrong call, as a reader would put it. */
  what: string;
  /** The expected error code. */
  code: string;
  /** The expected error class (default ZmqError). */
  error?: abstract new (...args: never[]) => Error;
  /** Makes the wrong call; may answer a promise that must reject. */
  call(f: Fixture): unknown;
  /** Extra checks after the error (the row's own sockets still work, say). */
  after?(f: Fixture): Promise<void> | void;
}

/** A REQ/REP pair on `ctx` over inproc, answering the two sockets. */
function reqRep(f: Fixture, name: string): [Socket, Socket] {
  const rep = f.open("REP");
  const req = f.open("REQ");
  rep.bind(`inproc://${name}`);
  req.connect(`inproc://${name}`);
  return [req, rep];
}

async function roundTrip(req: Socket, rep: Socket, text = "ping"): Promise<void> {
  await req.send(text, { timeout: 5000 });
  assert.equal(await rep.recvString({ timeout: 5000 }), text);
  await rep.send("pong", { timeout: 5000 });
  assert.equal(await req.recvString({ timeout: 5000 }), "pong");
}

const rows: Row[] = [
  // ---- endpoints ----
  { what: "bind to an empty endpoint", code: "EINVAL", call: (f) => f.req.bind("") },
  { what: "bind to tcp:// without address", code: "EINVAL", call: (f) => f.req.bind("tcp://") },
  {
    what: "bind with an unknown transport",
    code: "EPROTONOSUPPORT",
    call: (f) => f.req.bind("nonsense://x"),
  },
  {
    what: "bind to a non-numeric tcp port",
    code: "EINVAL",
    call: (f) => f.req.bind("tcp://127.0.0.1:notaport"),
  },
  {
    what: "connect to tcp without a port",
    code: "EINVAL",
    call: (f) => f.req.connect("tcp://127.0.0.1"),
  },
  {
    what: "bind to an address that is not an interface",
    code: "ENODEV",
    call: (f) => f.req.bind("tcp://256.1.1.1:5555"),
  },
  {
    what: "bind to an ipc path longer than sun_path",
    code: "ENAMETOOLONG",
    call: (f) => f.req.bind(`ipc:///tmp/${"x".repeat(200)}`),
  },
  {
    what: "bind a REQ socket to udp (transport not for this type)",
    code: "ENOCOMPATPROTO",
    call: (f) => f.req.bind("udp://127.0.0.1:5555"),
  },
  {
    what:
      "bind a STREAM socket to inproc (found by the fuzzer: libzmq aborted on a peer's message)",
    code: "ENOCOMPATPROTO",
    call: (f) => f.open("STREAM").bind("inproc://bad-input-stream"),
  },
  {
    what: "connect a STREAM socket to inproc",
    code: "ENOCOMPATPROTO",
    call: (f) => f.open("STREAM").connect("inproc://bad-input-healthy"),
  },
  {
    what: "bind an endpoint with a NUL inside",
    code: "EINVAL",
    call: (f) => f.req.bind("inproc://a\0b"),
  },
  {
    what: "bind with a number for an endpoint",
    code: "EINVAL",
    call: (f) => f.req.bind(42 as unknown as string),
  },
  {
    what: "bind a tcp port already in use",
    code: "EADDRINUSE",
    call: (f) => f.open("PULL").bind(`tcp://127.0.0.1:${f.port}`),
  },
  {
    what: "bind an inproc name already in use",
    code: "EADDRINUSE",
    call: (f) => f.open("REP").bind("inproc://bad-input-healthy"),
  },
  {
    what: "unbind an endpoint never bound",
    code: "ENOENT",
    call: (f) => f.req.unbind("tcp://127.0.0.1:21999"),
  },
  {
    what: "disconnect an endpoint never connected",
    code: "ENOENT",
    call: (f) => f.req.disconnect("tcp://127.0.0.1:21999"),
  },
  {
    what: "bindToRandomPort on a host name",
    code: "ENODEV",
    call: (f) => f.open("PUB").bindToRandomPort("tcp://no-such-host.invalid"),
  },
  // ---- options ----
  {
    what: "setOption with an unknown name",
    code: "EUNKNOWNOPTION",
    call: (f) => f.req.setOption("NO_SUCH_OPTION" as "LINGER", 1),
  },
  {
    what: "getOption with an unknown name",
    code: "EUNKNOWNOPTION",
    call: (f) => f.req.getOption("no_such" as "LINGER"),
  },
  {
    what: "setOption of an int option with a string",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("SNDHWM", "1000" as unknown as number),
  },
  {
    what: "setOption of an int option with a fraction",
    code: "EBADVALUE",
    call: (f) => f.push.setOption("SNDHWM", 1.5),
  },
  {
    what: "setOption of an int option beyond 32 bits",
    code: "EBADVALUE",
    call: (f) => f.push.setOption("RCVHWM", 2 ** 40),
  },
  {
    what: "setOption of an int option with a BigInt (found by the fuzzer: was a TypeError)",
    code: "EBADVALUE",
    call: (f) => f.push.setOption("SNDHWM", 5n as unknown as number),
  },
  {
    what: "setOption of a bool option with a string",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("IMMEDIATE", "yes" as unknown as boolean),
  },
  {
    what: "setOption of an int64 option with an object",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("MAXMSGSIZE", {} as unknown as number),
  },
  {
    what: "setOption LINGER below -1 (libzmq refuses)",
    code: "EINVAL",
    call: (f) => f.req.setOption("LINGER", -2),
  },
  {
    what: "setOption SNDHWM negative (libzmq refuses)",
    code: "EINVAL",
    call: (f) => f.push.setOption("SNDHWM", -1),
  },
  {
    what: "setOption ROUTING_ID longer than 255 bytes",
    code: "EINVAL",
    call: (f) => f.req.setOption("ROUTING_ID", new Uint8Array(256)),
  },
  {
    what: "setOption of a read-only option",
    code: "EREADONLY",
    call: (f) => f.req.setOption("TYPE" as "LINGER", 1),
  },
  {
    what: "getOption of a write-only option",
    code: "EWRITEONLY",
    call: (f) => f.req.getOption("SUBSCRIBE" as "LINGER"),
  },
  {
    what: "setOption XPUB_VERBOSE on a REQ socket",
    code: "EINVAL",
    call: (f) => f.req.setOption("XPUB_VERBOSE", true),
  },
  {
    what: "setOption SUBSCRIBE on a PUSH socket",
    code: "EINVAL",
    call: (f) => f.push.setOption("SUBSCRIBE", "x"),
  },
  {
    what: "CURVE_SERVERKEY of 39 characters",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("CURVE_SERVERKEY", "x".repeat(39)),
  },
  {
    what: "CURVE_SERVERKEY of 31 bytes",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("CURVE_SERVERKEY", new Uint8Array(31)),
  },
  {
    what: "CURVE_SERVERKEY of 40 characters that are not Z85",
    code: "EINVAL",
    call: (f) => f.req.setOption("CURVE_SERVERKEY", " ".repeat(40)),
  },
  {
    what: "CURVE_SECRETKEY as a number",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("CURVE_SECRETKEY", 7 as unknown as string),
  },
  // ---- frames ----
  {
    what: "send a number as a frame",
    code: "EBADVALUE",
    call: (f) => f.push.send(42 as unknown as string),
  },
  {
    what: "send an object as a frame",
    code: "EBADVALUE",
    call: (f) => f.push.send({ hello: "world" } as unknown as string),
  },
  {
    what: "send a message with no frames",
    code: "EBADVALUE",
    call: (f) => f.push.send([]),
  },
  {
    what: "send a multipart message with a null frame",
    code: "EBADVALUE",
    call: (f) => f.push.send(["ok", null as unknown as string, "ok"]),
  },
  {
    what: "sendMultipart with a string instead of an array",
    code: "EBADVALUE",
    call: (f) => f.push.sendMultipart("not an array" as unknown as string[]),
  },
  {
    what: "sendJson of a BigInt",
    code: "EBADJSON",
    call: (f) => f.push.sendJson({ n: 1n }),
  },
  {
    what: "sendJson of a cyclic object",
    code: "EBADJSON",
    call: (f) => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      return f.push.sendJson(cyclic);
    },
  },
  {
    what: "sendJson of undefined",
    code: "EBADJSON",
    call: (f) => f.push.sendJson(undefined),
  },
  // ---- wrong socket type or state ----
  { what: "send on a PULL socket", code: "ENOTSUP", call: (f) => f.pull.send("x") },
  { what: "recv on a PUSH socket", code: "ENOTSUP", call: (f) => f.push.recv() },
  { what: "send on a SUB socket", code: "ENOTSUP", call: (f) => f.open("SUB").send("x") },
  { what: "recv on a PUB socket", code: "ENOTSUP", call: (f) => f.open("PUB").recv() },
  { what: "subscribe on a PUSH socket", code: "ENOTSUP", call: (f) => f.push.subscribe("x") },
  { what: "REQ recv before any send", code: "EFSM", call: (f) => f.req.recv() },
  {
    what: "REQ sends twice without waiting for the reply",
    code: "EFSM",
    call: async (f) => {
      const [req, rep] = reqRep(f, "bad-input-req-twice");
      await req.send("first");
      try {
        await req.send("second");
      } finally {
        assert.equal(await rep.recvString(), "first");
        await rep.send("reply");
        assert.equal(await req.recvString(), "reply");
        await roundTrip(req, rep); // lockstep restored
      }
    },
  },
  {
    what: "REP replies before receiving",
    code: "EFSM",
    call: (f) => f.rep.send("unasked"),
  },
  {
    what: "open a socket of an unknown type",
    code: "EINVAL",
    call: (f) => f.ctx.socket("NOPE" as SocketType),
  },
  {
    what: "open a socket on something that is not a Context",
    code: "EINVAL",
    call: () => new Socket({} as Context, "REQ"),
  },
  // ---- timeouts and polls ----
  {
    what: "recv with a negative timeout",
    code: "EBADVALUE",
    call: (f) => f.pull.recv({ timeout: -5 }),
  },
  {
    what: "recv with a NaN timeout",
    code: "EBADVALUE",
    call: (f) => f.pull.recv({ timeout: NaN }),
  },
  {
    what: "send with a string timeout",
    code: "EBADVALUE",
    call: (f) => f.push.send("x", { timeout: "10" as unknown as number }),
  },
  {
    what: "recv with timeout 0 and nothing queued",
    code: "EAGAIN",
    call: (f) => f.pull.recv({ timeout: 0 }),
  },
  {
    what: "recv that times out",
    code: "EAGAIN",
    call: (f) => f.pull.recv({ timeout: 5 }),
  },
  {
    what: "recv with timeout 0 behind a pending recv (found by the fuzzer: hung forever)",
    code: "EAGAIN",
    call: (f) => {
      const s = f.open("PULL");
      s.recv().catch(() => {}); // rejects with ECLOSED when the row's sockets close
      return s.recv({ timeout: 0 });
    },
  },
  {
    what: "send with timeout 0 behind a pending send (found by the fuzzer: hung forever)",
    code: "EAGAIN",
    call: (f) => {
      const s = f.open("PUSH"); // no peer: sends wait
      s.send("first").catch(() => {});
      return s.send("second", { timeout: 0 });
    },
  },
  {
    what: "poll for no events",
    code: "EBADVALUE",
    call: (f) => f.pull.poll(0),
  },
  {
    what: "poll for an unknown event bit",
    code: "EBADVALUE",
    call: (f) => f.pull.poll(8),
  },
  {
    what: "poll with a negative timeout",
    code: "EBADVALUE",
    call: (f) => f.pull.poll(POLLIN, -3),
  },
  {
    what: "recv with an already aborted signal",
    code: "ABORT_ERR",
    error: DOMException,
    call: (f) => f.pull.recv({ signal: AbortSignal.abort() }),
  },
  // ---- closed sockets and contexts ----
  {
    what: "send on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PUSH");
      s.close();
      return s.send("x");
    },
  },
  {
    what: "bind a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PULL");
      s.close();
      s.bind("inproc://closed");
    },
  },
  {
    what: "setOption on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("DEALER");
      s.close();
      s.setOption("LINGER", 0);
    },
  },
  {
    what: "a pending recv when its socket is closed",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PULL");
      const pending = s.recv();
      s.close();
      return pending;
    },
  },
  {
    what: "a pending recv when its context is closed",
    code: "ECLOSED",
    call: (f) => {
      const c = f.context();
      const pending = c.socket("SUB").recv();
      c.close();
      return pending;
    },
  },
  {
    what: "open a socket on a closed context",
    code: "ECLOSED",
    call: (f) => {
      const c = f.context();
      c.close();
      c.socket("REQ");
    },
  },
  {
    what: "recv on a socket whose context was closed",
    code: "ECLOSED",
    call: (f) => {
      const c = f.context();
      const s = c.socket("PULL");
      c.close();
      return s.recv();
    },
  },
  {
    what: "context option on a closed context",
    code: "ECLOSED",
    call: (f) => {
      const c = f.context();
      c.close();
      c.getOption("IO_THREADS");
    },
  },
  {
    what: "context option with an unknown name",
    code: "EUNKNOWNOPTION",
    call: (f) => f.ctx.setOption("NOPE" as "IO_THREADS", 1),
  },
  {
    what: "context option with a string value",
    code: "EBADVALUE",
    call: (f) => f.ctx.setOption("MAX_SOCKETS", "many" as unknown as number),
  },
  {
    what: "a context with -1 I/O threads",
    code: "EINVAL",
    call: () => new Context({ ioThreads: -1 }),
  },
  // ---- Context.adopt ----
  { what: "adopt the handle 0n", code: "EINVAL", call: () => Context.adopt(0n as never) },
  { what: "adopt a negative handle", code: "EINVAL", call: () => Context.adopt(-5n as never) },
  {
    what: "adopt a number instead of a bigint",
    code: "EINVAL",
    call: () => Context.adopt(1 as never),
  },
  {
    what: "adopt a pointer to memory that is not a context",
    code: "EFAULT",
    call: () => {
      const buffer = new Uint8Array(new ArrayBuffer(64));
      return Context.adopt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)) as never);
    },
  },
  // ---- decoding what arrives ----
  {
    what: "recvString of bytes that are not UTF-8",
    code: "EBADUTF8",
    call: async (f) => {
      await f.push.send(INVALID_UTF8);
      return f.pull.recvString();
    },
  },
  {
    what: "recvJson of text that is not JSON",
    code: "EBADJSON",
    call: async (f) => {
      await f.push.send("{not json");
      return f.pull.recvJson();
    },
  },
  {
    what: "recvJson of bytes that are not UTF-8",
    code: "EBADUTF8",
    call: async (f) => {
      await f.push.send(INVALID_UTF8);
      return f.pull.recvJson();
    },
  },
  // ---- the reliable client ----
  {
    what: "LazyPirateClient with a zero timeout",
    code: "EBADVALUE",
    call: (f) => new LazyPirateClient(f.ctx, "inproc://x", { timeout: 0 }),
  },
  {
    what: "LazyPirateClient request to a server that never answers",
    code: "EUNREACHABLE",
    call: async (f) => {
      using client = new LazyPirateClient(f.ctx, "tcp://127.0.0.1:21998", {
        timeout: 5,
        retries: 1,
      });
      await client.request("anyone?");
    },
  },
];

function errorCode(e: unknown): string | undefined {
  if (e instanceof ZmqError) return e.code;
  if (e instanceof DOMException) return e.name === "AbortError" ? "ABORT_ERR" : e.name;
  return undefined;
}

Deno.test("bad-input table has at least 30 distinct rows", () => {
  assert.ok(rows.length >= 30, `${rows.length} rows`);
  assert.equal(new Set(rows.map((r) => r.what)).size, rows.length, "row names are distinct");
});

for (const [i, row] of rows.entries()) {
  Deno.test(`bad input ${i + 1}: ${row.what} → ${row.code}`, async () => {
    const scratch: Socket[] = [];
    const contexts: Context[] = [];
    const ctx = new Context({ linger: 0 });
    try {
      const rep = ctx.socket("REP");
      const req = ctx.socket("REQ");
      rep.bind("inproc://bad-input-healthy");
      req.connect("inproc://bad-input-healthy");
      const pull = ctx.socket("PULL");
      const push = ctx.socket("PUSH");
      const port = pull.bindToRandomPort();
      push.connect(`tcp://127.0.0.1:${port}`);
      const f: Fixture = {
        ctx,
        req,
        rep,
        push,
        pull,
        port,
        open(type) {
          const s = ctx.socket(type);
          scratch.push(s);
          return s;
        },
        context() {
          const c = new Context({ linger: 0 });
          contexts.push(c);
          return c;
        },
      };

      let caught: unknown;
      try {
        await row.call(f);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught !== undefined, `${row.what}: expected ${row.code}, but nothing was thrown`);
      const want = row.error ?? ZmqError;
      assert.ok(
        caught instanceof want,
        `${row.what}: expected a ${want.name}, got ${String(caught)}`,
      );
      assert.equal(errorCode(caught), row.code, `${row.what}: ${(caught as Error).message}`);
      if (caught instanceof ZmqError) assert.ok(caught.message.length > 0);
      await row.after?.(f);

      // The process and the sockets the row touched keep working.
      await roundTrip(req, rep);
      await push.send(["still", "working"]);
      assert.deepEqual((await pull.recvMultipart()).map((b) => decoder.decode(b)), [
        "still",
        "working",
      ]);
    } finally {
      for (const s of scratch) s.close({ linger: 0 });
      for (const c of contexts) c.close({ linger: 0 });
      ctx.close({ linger: 0 });
    }
  });
}
