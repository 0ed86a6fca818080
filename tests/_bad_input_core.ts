// Bad-input rows for the core: endpoints, options, frames, socket types and states, timeouts,
// closed sockets and contexts, Context.adopt, decoding.
import assert from "node:assert/strict";
import {
  Context,
  fdReadiness,
  jsonCodec,
  LazyPirateClient,
  POLLIN,
  Socket,
  type SocketType,
  waitFd,
} from "../mod.ts";
import { reqRep, roundTrip, type Row } from "./_bad_input.ts";

const INVALID_UTF8 = new Uint8Array([0xc3, 0x28, 0xff]);

/** The core rows. */
export const coreRows: Row[] = [
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
  // ---- options by number, the option guards, descriptors, codecs (issue 11) ----
  {
    what: "setOptionRaw with a non-integer option number",
    code: "EBADVALUE",
    call: (f) => f.req.setOptionRaw(1.5, new Uint8Array(4)),
  },
  {
    what: "setOptionRaw with a string as the value",
    code: "EBADVALUE",
    call: (f) => f.req.setOptionRaw(23, "1000" as never),
  },
  {
    what: "setOptionRaw with 3 bytes for an int option (SNDHWM)",
    code: "EINVAL",
    call: (f) => f.req.setOptionRaw(23, new Uint8Array(3)),
  },
  {
    what: "setOptionRaw with a number libzmq does not know",
    code: "EINVAL",
    call: (f) => f.req.setOptionRaw(999, new Uint8Array(4)),
  },
  {
    what: "getOptionRaw of more than 64 KiB",
    code: "EBADVALUE",
    call: (f) => f.req.getOptionRaw(16, 65537),
  },
  {
    what: "getOptionRaw of a write-only option (SUBSCRIBE)",
    code: "EWRITEONLY",
    call: (f) => f.open("SUB").getOptionRaw(6, 16),
  },
  {
    what: "USE_FD that is standard input (libzmq aborts at bind)",
    code: "EINVAL",
    call: (f) => f.open("PULL").setOption("USE_FD", 0),
  },
  {
    what: "bind a PLAIN server with ZAP_ENFORCE_DOMAIN and no ZAP_DOMAIN",
    code: "EINVAL",
    call: (f) => {
      const s = f.open("ROUTER");
      s.setOption("ZAP_ENFORCE_DOMAIN", true);
      s.setOption("PLAIN_SERVER", true);
      s.bind("tcp://127.0.0.1:*");
    },
  },
  {
    what: "ROUTER_NOTIFY on a DEALER",
    code: "EINVAL",
    call: (f) => f.open("DEALER").setOption("ROUTER_NOTIFY", 1),
  },
  {
    what: "a GSSAPI option on a libzmq without GSSAPI",
    code: "ENOTSUP",
    call: (f) => f.req.setOption("GSSAPI_SERVER", true),
  },
  {
    what: "METADATA without the X- prefix",
    code: "EINVAL",
    call: (f) => f.req.setOption("METADATA", "Tenant:blue"),
  },
  {
    what: "an IPv6 address on a socket without IPV6",
    code: "ENODEV",
    call: (f) => f.open("PULL").bind("tcp://[::1]:*"),
  },
  {
    what: "context THREAD_SCHED_POLICY that is no Linux policy",
    code: "EINVAL",
    call: (f) => f.context().setOption("THREAD_SCHED_POLICY", 6),
  },
  {
    what: "context THREAD_NAME_PREFIX of 17 bytes",
    code: "EINVAL",
    call: (f) => f.context().setOption("THREAD_NAME_PREFIX", "x".repeat(17)),
  },
  {
    what: "context THREAD_AFFINITY_CPU_ADD after the first socket",
    code: "EINVAL",
    call: (f) => f.ctx.setOption("THREAD_AFFINITY_CPU_ADD", 0),
  },
  {
    what: "context THREAD_PRIORITY read (write-only in libzmq)",
    code: "EWRITEONLY",
    call: (f) => f.ctx.getOption("THREAD_PRIORITY"),
  },
  {
    what: "waitFd of a negative descriptor",
    code: "EBADVALUE",
    call: () => waitFd(-1, POLLIN),
  },
  {
    what: "fdReadiness with events 8",
    code: "EBADVALUE",
    call: () => fdReadiness(0, 8),
  },
  {
    what: "sendSerialized with a codec that throws",
    code: "ECODEC",
    call: (f) =>
      f.push.sendSerialized(1, () => {
        throw new Error("no");
      }),
  },
  {
    what: "sendSerialized of a bigint as JSON",
    code: "ECODEC",
    call: (f) => f.push.sendSerialized(1n, jsonCodec),
  },
  {
    what: "recvSerialized with something that is not a codec",
    code: "EBADVALUE",
    call: (f) => f.pull.recvSerialized({ encode: () => "x" } as never),
  },
];
