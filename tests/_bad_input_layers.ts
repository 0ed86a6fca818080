// Bad-input rows for the rest of the API: more of Context and Socket, Z85 and CURVE keys,
// monitors, proxies and devices, patterns, the reliable client, the poller and streams, the
// authenticator and certificates, Worker roles.
import { startProcessRole } from "../workers/mod.ts";
import {
  Authenticator,
  BackgroundDevice,
  connectAndWait,
  Context,
  createCertificate,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  LazyPirateClient,
  loadCertificate,
  loadPublicKeys,
  Loop,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  monitor,
  MonitoredQueue,
  monitoredQueue,
  openPair,
  openPub,
  openPull,
  openPush,
  openRep,
  openReq,
  openSub,
  parseCertificate,
  PeriodicCallback,
  type Pollable,
  Poller,
  POLLIN,
  processWork,
  pushWork,
  request,
  requestString,
  RoleError,
  runRoles,
  saveCertificate,
  serveReplies,
  sinkResults,
  startDevice,
  startForwarder,
  startProxy,
  startQueue,
  startRole,
  startStreamer,
  Stream,
  waitForEvent,
  z85Decode,
  z85Encode,
  zmqHas,
} from "../mod.ts";
import { ProxyLease, proxySteerable } from "../core/proxy_lease.ts";
import {
  awaitWorkers,
  formatUpdate,
  parseUpdate,
  publishUpdate,
  receiveUpdates,
} from "../patterns/unstable_tutorial.ts";
import { reqRep, type Row } from "./_bad_input.ts";

const INVALID_UTF8 = new Uint8Array([0xc3, 0x28, 0xff]);
const THROWS = new URL("./fixtures/throws.ts", import.meta.url);
const WAITS = new URL("./fixtures/waits.ts", import.meta.url);

const contextRows: Row[] = [
  {
    what: "a context with a fractional ioThreads",
    code: "EBADVALUE",
    call: () => new Context({ ioThreads: 1.5 }),
  },
  {
    what: "a context with a string maxSockets",
    code: "EBADVALUE",
    call: () => new Context({ maxSockets: "9" as never }),
  },
  {
    what: "a context with a string linger",
    code: "EBADVALUE",
    call: () => new Context({ linger: "0" as never }),
  },
  {
    what: "ctx.setOption IO_THREADS with a fraction",
    code: "EBADVALUE",
    call: (f) => f.context().setOption("IO_THREADS", 1.5),
  },
  {
    what: "ctx.setOption IPV6 with a string",
    code: "EBADVALUE",
    call: (f) => f.ctx.setOption("IPV6", "yes" as never),
  },
  {
    what: "ctx.getOption with an unknown name",
    code: "EUNKNOWNOPTION",
    call: (f) => f.ctx.getOption("NOPE" as never),
  },
  {
    what: "the handle of a closed context",
    code: "ECLOSED",
    call: (f) => {
      const c = f.context();
      c.close();
      return c.handle;
    },
  },
  { what: "adopt a string handle", code: "EINVAL", call: () => Context.adopt("123" as never) },
];

const socketRows: Row[] = [
  { what: "connect to an empty endpoint", code: "EINVAL", call: (f) => f.req.connect("") },
  {
    what: "connect with an unknown transport",
    code: "EPROTONOSUPPORT",
    call: (f) => f.req.connect("nonsense://x"),
  },
  {
    what: "disconnect with a number for an endpoint",
    code: "EINVAL",
    call: (f) => f.req.disconnect(5 as never),
  },
  { what: "unbind an empty endpoint", code: "EINVAL", call: (f) => f.rep.unbind("") },
  {
    what: "unbind on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PUB");
      s.close();
      s.unbind("inproc://x");
    },
  },
  {
    what: "bindToRandomPort with an unknown transport",
    code: "EPROTONOSUPPORT",
    call: (f) => f.open("PUB").bindToRandomPort("nonsense://x"),
  },
  {
    what: "lastEndpoint of a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PUB");
      s.close();
      return s.lastEndpoint;
    },
  },
  {
    what: "getOption on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("SUB");
      s.close();
      return s.getOption("LINGER");
    },
  },
  {
    what: "setOption RCVTIMEO with a string",
    code: "EBADVALUE",
    call: (f) => f.pull.setOption("RCVTIMEO", "5" as never),
  },
  {
    what: "setOption LINGER at 2^31",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("LINGER", 2 ** 31),
  },
  {
    what: "setOption ZAP_DOMAIN with a number",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("ZAP_DOMAIN", 5 as never),
  },
  {
    what: "setOption IPV6 with 2",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("IPV6", 2 as never),
  },
  {
    what: "setOption MAXMSGSIZE with a fraction",
    code: "EBADVALUE",
    call: (f) => f.pull.setOption("MAXMSGSIZE", 0.5),
  },
  {
    what: "setOption ROUTING_ID with an object",
    code: "EBADVALUE",
    call: (f) => f.req.setOption("ROUTING_ID", {} as never),
  },
  {
    what: "subscribe on a closed SUB socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("SUB");
      s.close();
      s.subscribe("x");
    },
  },
  {
    what: "subscribe with a number topic",
    code: "EBADVALUE",
    call: (f) => f.open("SUB").subscribe(5 as never),
  },
  { what: "unsubscribe on a REQ socket", code: "ENOTSUP", call: (f) => f.req.unsubscribe("x") },
  {
    what: "sendMultipart with an object frame",
    code: "EBADVALUE",
    call: (f) => f.push.sendMultipart(["a", {} as never]),
  },
  {
    what: "sendMultipart with no frames",
    code: "EBADVALUE",
    call: (f) => f.push.sendMultipart([]),
  },
  {
    what: "sendMultipart on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PUSH");
      s.close();
      return s.sendMultipart(["x"]);
    },
  },
  { what: "sendJson on a PULL socket", code: "ENOTSUP", call: (f) => f.pull.sendJson({ a: 1 }) },
  {
    what: "sendJson with a NaN timeout",
    code: "EBADVALUE",
    call: (f) => f.push.sendJson(1, { timeout: NaN }),
  },
  {
    what: "send with an undefined frame",
    code: "EBADVALUE",
    call: (f) => f.push.send([undefined as never]),
  },
  {
    what: "send with an already aborted signal",
    code: "ABORT_ERR",
    error: DOMException,
    call: (f) => f.push.send("x", { signal: AbortSignal.abort() }),
  },
  { what: "recvMultipart on a PUSH socket", code: "ENOTSUP", call: (f) => f.push.recvMultipart() },
  {
    what: "recvMultipart with a negative timeout",
    code: "EBADVALUE",
    call: (f) => f.pull.recvMultipart({ timeout: -2 }),
  },
  {
    what: "recvMultipart with an already aborted signal",
    code: "ABORT_ERR",
    error: DOMException,
    call: (f) => f.pull.recvMultipart({ signal: AbortSignal.abort() }),
  },
  {
    what: "recvString with timeout 0 and nothing queued",
    code: "EAGAIN",
    call: (f) => f.pull.recvString({ timeout: 0 }),
  },
  {
    what: "recvJson on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PULL");
      s.close();
      return s.recvJson();
    },
  },
  {
    what: "poll on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PULL");
      s.close();
      return s.poll(POLLIN, 0);
    },
  },
  { what: "poll for a fractional event mask", code: "EBADVALUE", call: (f) => f.pull.poll(1.5) },
  {
    what: "poll with an already aborted signal",
    code: "ABORT_ERR",
    error: DOMException,
    call: (f) => f.pull.poll(POLLIN, 100, AbortSignal.abort()),
  },
  {
    what: "close with a string linger",
    code: "EBADVALUE",
    call: (f) => f.open("PUSH").close({ linger: "0" as never }),
  },
  {
    what: "iterating over a PUSH socket",
    code: "ENOTSUP",
    call: async (f) => {
      for await (const _ of f.push) break;
    },
  },
];

const curveRows: Row[] = [
  { what: "zmqHas with a NUL inside", code: "EINVAL", call: () => zmqHas("cu\0rve") },
  { what: "z85Encode of a string", code: "EINVAL", call: () => z85Encode("abcd" as never) },
  { what: "z85Encode of 5 bytes", code: "EINVAL", call: () => z85Encode(new Uint8Array(5)) },
  { what: "z85Decode of a number", code: "EINVAL", call: () => z85Decode(5 as never) },
  { what: "z85Decode of 4 characters", code: "EINVAL", call: () => z85Decode("abcd") },
  {
    what: "z85Decode of a character outside the alphabet",
    code: "EINVAL",
    call: () => z85Decode("ab cd"),
  },
  { what: "z85Decode of a group above 2^32", code: "EINVAL", call: () => z85Decode("%%%%%") },
  { what: "curveKeyToZ85 of null", code: "EINVAL", call: () => curveKeyToZ85(null as never) },
  {
    what: "curveKeyToZ85 of 41 characters",
    code: "EINVAL",
    call: () => curveKeyToZ85("x".repeat(41)),
  },
  { what: "curvePublic of 31 bytes", code: "EINVAL", call: () => curvePublic(new Uint8Array(31)) },
  { what: "curvePublic of 40 spaces", code: "EINVAL", call: () => curvePublic(" ".repeat(40)) },
];

const monitorRows: Row[] = [
  {
    what: "monitor something that is not a Socket",
    code: "EINVAL",
    call: () => monitor({} as never),
  },
  {
    what: "monitor an unknown event",
    code: "EBADVALUE",
    call: (f) => monitor(f.pull, "nope" as never),
  },
  { what: "monitor an empty event list", code: "EBADVALUE", call: (f) => monitor(f.pull, []) },
  {
    what: "waitForEvent with a negative timeout",
    code: "EBADVALUE",
    call: (f) => waitForEvent(f.open("PUSH"), "connected", { timeout: -1 }),
  },
  {
    what: "waitForEvent that times out",
    code: "EAGAIN",
    call: (f) => waitForEvent(f.open("PUSH"), "connected", { timeout: 5 }),
  },
  {
    what: "waitForEvent with an already aborted signal",
    code: "ABORT_ERR",
    error: DOMException,
    call: (f) => waitForEvent(f.open("PUSH"), "connected", { signal: AbortSignal.abort() }),
  },
  {
    what: "connectAndWait until an unknown event",
    code: "EBADVALUE",
    call: (f) => connectAndWait(f.open("PUSH"), "inproc://x", { until: "accepted" as never }),
  },
  {
    what: "connectAndWait to an empty endpoint",
    code: "EINVAL",
    call: (f) => connectAndWait(f.open("PUSH"), "", { timeout: 1000 }),
  },
  {
    what: "connectAndWait to nobody, with a timeout",
    code: "EAGAIN",
    call: (f) => connectAndWait(f.open("PUSH"), "tcp://127.0.0.1:21997", { timeout: 20 }),
  },
  {
    what: "a monitor's next() while another next() is pending",
    code: "EBUSY",
    call: async (f) => {
      const m = monitor(f.open("PUSH"));
      f.later(() => m.close());
      const first = m.next();
      first.catch(() => {});
      await m.next();
    },
  },
];

const proxyRows: Row[] = [
  {
    what: "a ProxyLease whose frontend is its backend",
    code: "EINVAL",
    call: (f) => {
      const s = f.open("ROUTER");
      return new ProxyLease(s, s);
    },
  },
  {
    what: "a ProxyLease capturing to a PULL socket",
    code: "EINVAL",
    call: (f) => new ProxyLease(f.open("PULL"), f.open("PUSH"), { capture: f.open("PULL") }),
  },
  {
    what: "a ProxyLease on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PULL");
      s.close();
      return new ProxyLease(s, f.open("PUSH"));
    },
  },
  {
    what: "a ProxyLease on a socket with a receive pending",
    code: "EBUSY",
    call: (f) => {
      const s = f.open("PULL");
      s.recv().catch(() => {});
      return new ProxyLease(s, f.open("PUSH"));
    },
  },
  {
    what: "a socket used while a ProxyLease holds it",
    code: "EBUSY",
    call: (f) => {
      const s = f.open("PULL");
      const lease = new ProxyLease(s, f.open("PUSH"));
      f.later(() => lease.release());
      s.bind("inproc://leased");
    },
  },
  {
    what: "ProxyLease.run after release",
    code: "ECLOSED",
    call: (f) => {
      const lease = new ProxyLease(f.open("PULL"), f.open("PUSH"));
      lease.release();
      return lease.run();
    },
  },
  {
    what: "proxySteerable whose frontend is its backend",
    code: "EINVAL",
    call: (f) => {
      const s = f.open("DEALER");
      return proxySteerable(s, s);
    },
  },
  {
    what: "startProxy whose frontend is its backend",
    code: "EINVAL",
    call: (f) => {
      const s = f.open("DEALER");
      return startProxy(s, s);
    },
  },
  {
    what: "pause a terminated proxy",
    code: "ECLOSED",
    call: async (f) => {
      const proxy = startProxy(f.open("PULL"), f.open("PUSH"));
      await proxy.terminate();
      await proxy.pause();
    },
  },
];

const deviceRows: Row[] = [
  {
    what: "a MonitoredQueue over something that is not a Socket",
    code: "EBADVALUE",
    call: (f) => new MonitoredQueue({} as never, f.open("DEALER"), f.open("PUB")),
  },
  {
    what: "monitoredQueue with a number prefix",
    code: "EBADVALUE",
    call: (f) =>
      monitoredQueue(f.open("ROUTER"), f.open("DEALER"), f.open("PUB"), { outPrefix: 7 as never }),
  },
  {
    what: "startProxy with no frontend",
    code: "EBADVALUE",
    call: (f) => startProxy(null as never, f.open("PUSH")),
  },
  {
    what: "startDevice of an unknown kind",
    code: "EINVAL",
    call: () => startDevice("NOPE" as never, { frontend: "inproc://a", backend: "inproc://b" }),
  },
  {
    what: "startDevice without options",
    code: "EBADVALUE",
    call: () => startDevice("QUEUE", null as never),
  },
  {
    what: "startQueue with an empty frontend",
    code: "EBADVALUE",
    call: () => startQueue({ frontend: "", backend: "inproc://bq" }),
  },
  {
    what: "startStreamer with an empty backend list",
    code: "EBADVALUE",
    call: () => startStreamer({ frontend: "inproc://s1", backend: [] }),
  },
  {
    what: "startForwarder on a tcp port in use",
    code: "EADDRINUSE",
    call: (f) => startForwarder({ frontend: `tcp://127.0.0.1:${f.port}`, backend: "inproc://fw" }),
  },
  {
    what: "startDevice with an empty capture endpoint",
    code: "EBADVALUE",
    call: () =>
      startDevice("STREAMER", { frontend: "inproc://c1", backend: "inproc://c2", capture: "" }),
  },
  {
    what: "a background device of an unknown kind",
    code: "EINVAL",
    call: () => new BackgroundDevice("NOPE" as never, "PULL", "PUSH").validate(),
  },
  {
    what: "a background device with no endpoints",
    code: "EINVAL",
    call: () => new BackgroundDevice("STREAMER", "PULL", "PUSH").validate(),
  },
  {
    what: "a background device with a malformed endpoint",
    code: "EINVAL",
    call: () =>
      new BackgroundDevice("STREAMER", "PULL", "PUSH").bindIn("nowhere").bindOut("inproc://o")
        .validate(),
  },
  {
    what: "a background device with an unknown socket option",
    code: "EUNKNOWNOPTION",
    call: () =>
      new BackgroundDevice("STREAMER", "PULL", "PUSH").bindIn("inproc://i").bindOut("inproc://o")
        .setOptionIn("NOPE", 1).validate(),
  },
  {
    what: "a background device with a bad option value",
    code: "EBADVALUE",
    call: () =>
      new BackgroundDevice("STREAMER", "PULL", "PUSH").bindIn("inproc://i").bindOut("inproc://o")
        .setOptionOut("SNDHWM", "many").validate(),
  },
  {
    what: "a background device of an unknown socket type",
    code: "EINVAL",
    call: () =>
      new BackgroundDevice("STREAMER", "PULLY" as never, "PUSH").bindIn("inproc://i")
        .bindOut("inproc://o").validate(),
  },
  {
    what: "a mon socket on a QUEUE background device",
    code: "EINVAL",
    call: () => new BackgroundDevice("QUEUE", "ROUTER", "DEALER").bindMon("inproc://m"),
  },
  {
    what: "a background device started after it was stopped (a service runs once)",
    code: "ECLOSED",
    call: async () => {
      const device = new BackgroundDevice("STREAMER", "PULL", "PUSH");
      device.bindIn("inproc://stopped-in").bindOut("inproc://stopped-out");
      await device.stop();
      await device.start();
    },
  },
];

const patternRows: Row[] = [
  { what: "openPair with no endpoints", code: "EBADVALUE", call: (f) => openPair(f.ctx, {}) },
  {
    what: "openRep with a number endpoint",
    code: "EBADVALUE",
    call: (f) => openRep(f.ctx, { bind: 5 as never }),
  },
  {
    what: "openReq with null endpoints",
    code: "EBADVALUE",
    call: (f) => openReq(f.ctx, null as never),
  },
  {
    what: "openPub on a tcp port in use",
    code: "EADDRINUSE",
    call: (f) => openPub(f.ctx, { bind: `tcp://127.0.0.1:${f.port}` }),
  },
  {
    what: "openSub with a number topic",
    code: "EBADVALUE",
    call: (f) => openSub(f.ctx, { connect: "inproc://t" }, [1 as never]),
  },
  {
    what: "openPush to an empty endpoint",
    code: "EINVAL",
    call: (f) => openPush(f.ctx, { bind: "" }),
  },
  {
    what: "openPull with an unknown transport",
    code: "EPROTONOSUPPORT",
    call: (f) => openPull(f.ctx, { connect: "nonsense://x" }),
  },
  {
    what: "request to nobody with a timeout",
    code: "EAGAIN",
    call: (f) => {
      const req = f.open("REQ");
      req.connect("tcp://127.0.0.1:21996");
      return request(req, "anyone?", { timeout: 5 });
    },
  },
  {
    what: "requestString answered with bytes that are not UTF-8",
    code: "EBADUTF8",
    call: async (f) => {
      const [req, rep] = reqRep(f, "bad-input-utf8-reply");
      const serving = serveReplies(rep, () => INVALID_UTF8, { count: 1 });
      await requestString(req, "hello", { timeout: 5000 }).finally(() => serving);
    },
  },
  {
    what: "serveReplies without a handler",
    code: "EBADVALUE",
    call: (f) => serveReplies(f.rep, 5 as never),
  },
  {
    what: "serveReplies with a negative count",
    code: "EBADVALUE",
    call: (f) => serveReplies(f.rep, () => "", { count: -1 }),
  },
  {
    what: "formatUpdate with a space in the topic",
    code: "EBADVALUE",
    call: () => formatUpdate("a b", 1),
  },
  { what: "formatUpdate with an empty topic", code: "EBADVALUE", call: () => formatUpdate("", 1) },
  {
    what: "parseUpdate of bytes that are not UTF-8",
    code: "EBADUTF8",
    call: () => parseUpdate(INVALID_UTF8),
  },
  {
    what: "publishUpdate with an empty topic",
    code: "EBADVALUE",
    call: (f) => publishUpdate(f.open("PUB"), "", 1),
  },
  {
    what: "receiveUpdates with a fractional count",
    code: "EBADVALUE",
    call: (f) => receiveUpdates(f.open("SUB"), { count: 1.5 }).next(),
  },
  {
    what: "awaitWorkers for infinitely many workers",
    code: "EBADVALUE",
    call: (f) => awaitWorkers(f.open("PUSH"), Infinity),
  },
  {
    what: "awaitWorkers with a negative timeout",
    code: "EBADVALUE",
    call: (f) => awaitWorkers(f.open("PUSH"), 1, { timeout: -1 }),
  },
  {
    what: "awaitWorkers when no worker connects in time",
    code: "EAGAIN",
    call: (f) => {
      const push = f.open("PUSH");
      const waiting = awaitWorkers(push, 1, { timeout: 20 });
      push.bindToRandomPort();
      return waiting;
    },
  },
  {
    what: "processWork without a work function",
    code: "EBADVALUE",
    call: (f) => processWork(f.pull, null, 5 as never),
  },
  {
    what: "processWork of an item that is not JSON",
    code: "EBADJSON",
    call: async (f) => {
      await f.push.send("{not json");
      await processWork(f.pull, null, () => undefined, { count: 1 });
    },
  },
  {
    what: "sinkResults of a result that is not JSON",
    code: "EBADJSON",
    call: async (f) => {
      await f.push.send("[1,");
      await sinkResults(f.pull, { count: 1 }).next();
    },
  },
  {
    what: "sinkResults with a negative count",
    code: "EBADVALUE",
    call: (f) => sinkResults(f.pull, { count: -1 }).next(),
  },
  {
    what: "pushWork of an item that is not JSON",
    code: "EBADJSON",
    call: (f) => pushWork(f.push, [1n]),
  },
];

const reliableRows: Row[] = [
  {
    what: "LazyPirateClient with negative retries",
    code: "EBADVALUE",
    call: (f) => new LazyPirateClient(f.ctx, "inproc://x", { retries: -1 }),
  },
  {
    what: "LazyPirateClient with a fractional timeout",
    code: "EBADVALUE",
    call: (f) => new LazyPirateClient(f.ctx, "inproc://x", { timeout: 1.5 }),
  },
  {
    what: "LazyPirateClient to an empty endpoint",
    code: "EINVAL",
    call: (f) => new LazyPirateClient(f.ctx, ""),
  },
  {
    what: "LazyPirateClient request after close",
    code: "ECLOSED",
    call: (f) => {
      const client = new LazyPirateClient(f.ctx, "inproc://pirate-closed");
      client.close();
      return client.request("x");
    },
  },
  {
    what: "LazyPirateClient request while another is pending",
    code: "EBUSY",
    call: (f) => {
      const client = new LazyPirateClient(f.ctx, "inproc://pirate-busy", {
        timeout: 5,
        retries: 0,
      });
      f.later(() => client.close());
      client.request("first").catch(() => {});
      return client.request("second");
    },
  },
];

const pollerRows: Row[] = [
  {
    what: "Poller.register of something that is not a Socket",
    code: "EBADVALUE",
    call: () => new Poller().register({} as never),
  },
  {
    what: "Poller.register with an unknown event bit",
    code: "EBADVALUE",
    call: (f) => new Poller().register(f.pull, 4),
  },
  {
    what: "Poller.modify of a socket not registered",
    code: "EINVAL",
    call: (f) => new Poller().modify(f.pull, POLLIN),
  },
  {
    what: "Poller.register of a negative file descriptor",
    code: "EBADVALUE",
    call: () => new Poller<Pollable>().register(-1, POLLIN),
  },
  {
    what: "Poller.modify of a file descriptor not registered",
    code: "EINVAL",
    call: () => new Poller<Pollable>().modify(0, POLLIN),
  },
  {
    what: "Loop.callLater with a negative delay",
    code: "EBADVALUE",
    call: () => new Loop().callLater(-1, () => {}),
  },
  {
    what: "Loop.callLater without a callback",
    code: "EBADVALUE",
    call: () => new Loop().callLater(10, undefined as never),
  },
  {
    what: "PeriodicCallback every 0 ms",
    code: "EBADVALUE",
    call: () => new PeriodicCallback(() => {}, 0, new Loop()),
  },
  {
    what: "PeriodicCallback on something that is not a Loop",
    code: "EBADVALUE",
    call: () => new PeriodicCallback(() => {}, 10, {} as never),
  },
  {
    what: "Poller.poll with a negative timeout",
    code: "EBADVALUE",
    call: () => new Poller().poll(-5),
  },
  {
    what: "Poller.poll with a signal that is not an AbortSignal",
    code: "EBADVALUE",
    call: () => new Poller().poll(1, {} as never),
  },
  {
    what: "Poller.poll with nothing registered and no timeout",
    code: "EINVAL",
    call: () => new Poller().poll(),
  },
  {
    what: "Poller.poll with an already aborted signal",
    code: "ABORT_ERR",
    error: DOMException,
    call: (f) => {
      const p = new Poller();
      p.register(f.pull, POLLIN);
      return p.poll(100, AbortSignal.abort());
    },
  },
  {
    what: "Poller.poll with a closed socket registered",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("PULL");
      const p = new Poller();
      p.register(s, POLLIN);
      s.close();
      return p.poll(100);
    },
  },
  {
    what: "a Loop with an onError that is not a function",
    code: "EBADVALUE",
    call: () => new Loop({ onError: 5 as never }),
  },
  {
    what: "Loop.run while it runs",
    code: "EBUSY",
    call: (f) => {
      const loop = new Loop();
      const running = loop.run();
      f.later(async () => {
        loop.stop();
        await running;
      });
      return loop.run();
    },
  },
  {
    what: "Loop.run with a signal that is not an AbortSignal",
    code: "EBADVALUE",
    call: () => new Loop().run({} as never),
  },
  {
    what: "a Stream over something that is not a Socket",
    code: "EBADVALUE",
    call: () => new Stream({} as never, new Loop()),
  },
  {
    what: "a Stream on something that is not a Loop",
    code: "EBADVALUE",
    call: (f) => new Stream(f.pull, {} as never),
  },
  {
    what: "Stream.onRecv with a number",
    code: "EBADVALUE",
    call: (f) => new Stream(f.open("PULL"), new Loop()).onRecv(5 as never),
  },
  {
    what: "Stream.onSend with a string",
    code: "EBADVALUE",
    call: (f) => new Stream(f.open("PUSH"), new Loop()).onSend("x" as never),
  },
  {
    what: "Stream.send with no frames",
    code: "EBADVALUE",
    call: (f) => new Stream(f.open("PUSH"), new Loop()).send([]),
  },
  {
    what: "Stream.send with a number frame",
    code: "EBADVALUE",
    call: (f) => new Stream(f.open("PUSH"), new Loop()).send([5 as never]),
  },
  {
    what: "Stream.sendMultipart with a string",
    code: "EBADVALUE",
    call: (f) => new Stream(f.open("PUSH"), new Loop()).sendMultipart("x" as never),
  },
  {
    what: "Stream.send after close",
    code: "ECLOSED",
    call: (f) => {
      const stream = new Stream(f.open("PUSH"), new Loop());
      stream.close();
      stream.send("x");
    },
  },
];

const authRows: Row[] = [
  {
    what: "an Authenticator on something that is not a Context",
    code: "EBADVALUE",
    call: () => new Authenticator({} as never),
  },
  {
    what: "a second Authenticator started on the same context",
    code: "EADDRINUSE",
    call: async (f) => {
      const context = f.context();
      const auth = await new Authenticator(context).start();
      f.later(() => auth.stop());
      await new Authenticator(context).start();
    },
  },
  {
    what: "Authenticator.allow of an empty address",
    code: "EBADVALUE",
    call: (f) => new Authenticator(f.ctx).allow(""),
  },
  {
    what: "Authenticator.deny after allow",
    code: "EBADVALUE",
    call: (f) => new Authenticator(f.ctx).allow("127.0.0.1").deny("10.0.0.1"),
  },
  {
    what: "configurePlain without passwords",
    code: "EBADVALUE",
    call: (f) => new Authenticator(f.ctx).configurePlain({} as never),
  },
  {
    what: "configurePlain with a number password",
    code: "EBADVALUE",
    call: (f) => new Authenticator(f.ctx).configurePlain({ passwords: { a: 1 as never } }),
  },
  {
    what: "configurePlain with a number domain",
    code: "EBADVALUE",
    call: (f) => new Authenticator(f.ctx).configurePlain({ domain: 5 as never, passwords: {} }),
  },
  {
    what: "configureCurve with a malformed public key",
    code: "EINVAL",
    call: (f) => new Authenticator(f.ctx).configureCurve({ publicKeys: ["not a key"] }),
  },
  {
    what: "makeCurveServer with a malformed secret key",
    code: "EINVAL",
    call: (f) => makeCurveServer(f.open("ROUTER"), "bad"),
  },
  {
    what: "makeCurveClient with a short server key",
    code: "EINVAL",
    call: (f) => makeCurveClient(f.open("DEALER"), "short"),
  },
  {
    what: "makeCurveClient with a key pair missing its secret",
    code: "EINVAL",
    call: (f) =>
      makeCurveClient(f.open("DEALER"), curveKeypair().publicKey, { publicKey: "x" } as never),
  },
  {
    what: "makePlainServer on a closed socket",
    code: "ECLOSED",
    call: (f) => {
      const s = f.open("REP");
      s.close();
      makePlainServer(s);
    },
  },
  {
    what: "makePlainClient with a number username",
    code: "EBADVALUE",
    call: (f) => makePlainClient(f.open("REQ"), 5 as never, "pw"),
  },
  {
    what: "parseCertificate of a number",
    code: "EBADVALUE",
    call: () => parseCertificate(5 as never),
  },
  {
    what: "parseCertificate without a public key",
    code: "EINVAL",
    call: () => parseCertificate("# nothing\n"),
  },
  {
    what: "parseCertificate with a malformed public key",
    code: "EINVAL",
    call: () => parseCertificate('public-key = "not a key"\n'),
  },
  {
    what: "parseCertificate whose secret key is not the public key's",
    code: "EINVAL",
    call: () =>
      parseCertificate(
        `public-key = "${curveKeypair().publicKey}"\nsecret-key = "${curveKeypair().secretKey}"\n`,
      ),
  },
  {
    what: "saveCertificate to an empty dir",
    code: "EBADVALUE",
    call: () => saveCertificate("", "x", curveKeypair()),
  },
  {
    what: "saveCertificate with a name that climbs out of the dir",
    code: "EBADVALUE",
    call: (f) => saveCertificate(f.dir(), "../x", curveKeypair()),
  },
  {
    what: "saveCertificate of keys that do not belong together",
    code: "EINVAL",
    call: (f) =>
      saveCertificate(f.dir(), "x", {
        publicKey: curveKeypair().publicKey,
        secretKey: curveKeypair().secretKey,
      }),
  },
  {
    what: "saveCertificate with multi-line metadata",
    code: "EBADVALUE",
    call: (f) => saveCertificate(f.dir(), "x", curveKeypair(), { note: "a\nb" }),
  },
  {
    what: "createCertificate with a bad name",
    code: "EBADVALUE",
    call: (f) => createCertificate(f.dir(), "a b"),
  },
  {
    what: "loadCertificate of a missing file",
    code: "ENOENT",
    call: (f) => loadCertificate(`${f.dir()}/none.key`),
  },
  {
    what: "loadPublicKeys of a missing directory",
    code: "ENOENT",
    call: (f) => loadPublicKeys(`${f.dir()}/none`),
  },
];

const roleRows: Row[] = [
  {
    what: "a Worker role whose main throws a ZmqError",
    code: "ENOTSUP",
    error: RoleError,
    call: () => startRole(THROWS, { onLine: () => {} }).done,
  },
  {
    what: "runRoles that outlive their timeout",
    code: "none",
    error: RoleError,
    call: () => runRoles([{ module: WAITS, onLine: () => {} }], { timeout: 50 }),
  },
  {
    // checked before any role starts (a negative timeout would never fire: no time limit at all)
    what: "runRoles with a negative timeout",
    code: "EBADVALUE",
    call: () => runRoles([{ module: WAITS, onLine: () => {} }], { timeout: -5 }),
  },
  {
    // a NaN timeout would never fire: a child that ignores SIGTERM would never be killed
    what: "a process role's stop with a NaN timeout",
    code: "EBADVALUE",
    call: async () => {
      const role = startProcessRole(WAITS, { onLine: () => {} });
      try {
        await role.stop({ timeout: NaN });
      } finally {
        await role.stop();
      }
    },
  },
];

/** The rows beyond the core. */
export const layerRows: Row[] = [
  ...contextRows,
  ...socketRows,
  ...curveRows,
  ...monitorRows,
  ...proxyRows,
  ...deviceRows,
  ...patternRows,
  ...reliableRows,
  ...pollerRows,
  ...authRows,
  ...roleRows,
];
