// Majordomo, MDP/0.1 (RFC 7) with mmi.service (RFC 8): frames byte for byte, broker dispatch,
// expiry and redelivery, worker sessions, clients, and bad input.
import assert from "node:assert/strict";
import {
  AsyncMajordomoClient,
  Context,
  FaultRelay,
  MajordomoBroker,
  MajordomoClient,
  MajordomoWorker,
  type Socket,
  type WorkerEvent,
} from "../mod.ts";
import { rejectsWith, text, throwsWith, within } from "./_util.ts";
import { EventLog, waitUntil } from "./_reliable.ts";

const W = "MDPW01";
const C = "MDPC01";
const READY = Uint8Array.of(1);
const REQUEST = Uint8Array.of(2);
const REPLY = Uint8Array.of(3);
const HEARTBEAT = Uint8Array.of(4);
const DISCONNECT = Uint8Array.of(5);
const HB = 100;

/** Receives the next message that is not an MDP/Worker HEARTBEAT (checking those exactly). */
async function nextCommand(socket: Socket, timeout = 5000, offset = 0): Promise<Uint8Array[]> {
  for (;;) {
    const frames = await socket.recvMultipart({ timeout });
    const rest = frames.slice(offset);
    if (rest.length === 3 && rest[2].length === 1 && rest[2][0] === 4) {
      assert.deepEqual(text(rest), ["", W, "\x04"]);
      continue;
    }
    return frames;
  }
}

Deno.test("MDP worker: READY, REQUEST/REPLY, HEARTBEAT and DISCONNECT are byte-exact", async () => {
  await using ctx = new Context({ linger: 0 });
  using broker = ctx.socket("ROUTER");
  const endpoint = `tcp://127.0.0.1:${broker.bindToRandomPort()}`;
  const worker = new MajordomoWorker(ctx, endpoint, "echo", {
    heartbeatInterval: HB,
    reconnectInitial: 0,
  });
  const serving = worker.serve((body) => body);
  try {
    const [id, ...ready] = await nextCommand(broker, 5000, 1);
    assert.deepEqual(ready, [
      new Uint8Array(),
      new TextEncoder().encode(W),
      READY,
      new TextEncoder().encode("echo"),
    ]);
    await broker.send([id, "", W, REQUEST, "client-7", "", "a", "b"]);
    const reply = await nextCommand(broker, 5000, 1);
    assert.deepEqual(text(reply.slice(1)), ["", W, "\x03", "client-7", "", "a", "b"]);
    // A worker heartbeats while idle: exactly ["", "MDPW01", 0x04].
    const beat = await broker.recvMultipart({ timeout: 2000 });
    assert.deepEqual(beat.slice(1), [new Uint8Array(), new TextEncoder().encode(W), HEARTBEAT]);
    // DISCONNECT from the broker: the worker starts over on a new socket (a new identity).
    await broker.send([id, "", W, DISCONNECT]);
    const [id2, ...again] = await nextCommand(broker, 5000, 1);
    assert.deepEqual(text(again), ["", W, "\x01", "echo"]);
    assert.notDeepEqual(id2, id);
    assert.equal(worker.stats.reconnects, 1);
    await worker.close();
    // On close the worker says DISCONNECT.
    const bye = await nextCommand(broker, 5000, 1);
    assert.deepEqual(bye, [id2, new Uint8Array(), new TextEncoder().encode(W), DISCONNECT]);
  } finally {
    await worker.close();
    await serving;
  }
});

Deno.test("MDP clients: REQ and DEALER request frames are byte-exact; a wrong reply is EPROTO", async () => {
  await using ctx = new Context({ linger: 0 });
  using broker = ctx.socket("ROUTER");
  const endpoint = `tcp://127.0.0.1:${broker.bindToRandomPort()}`;
  using client = new MajordomoClient(ctx, endpoint, { timeout: 5000, retries: 0 });
  const pending = client.request("echo", ["x", new Uint8Array([0, 255])]);
  const [cid, ...request] = await broker.recvMultipart({ timeout: 5000 });
  assert.deepEqual(request, [
    new Uint8Array(),
    new TextEncoder().encode(C),
    new TextEncoder().encode("echo"),
    new TextEncoder().encode("x"),
    new Uint8Array([0, 255]),
  ]);
  await broker.send([cid, "", C, "echo", "y"]);
  assert.deepEqual(text(await pending), ["y"]);

  const wrong = client.request("echo", "z");
  const [cid2] = await broker.recvMultipart({ timeout: 5000 });
  await broker.send([cid2, "", C, "other", "y"]);
  await rejectsWith(wrong, "EPROTO");
  const notMdp = client.request("echo", "z");
  const [cid3] = await broker.recvMultipart({ timeout: 5000 });
  await broker.send([cid3, "", "MDPC02", "echo", "y"]);
  await rejectsWith(notMdp, "EPROTO");

  using dealer = new AsyncMajordomoClient(ctx, endpoint);
  await dealer.send("echo", "q");
  const [did, ...frames] = await broker.recvMultipart({ timeout: 5000 });
  assert.deepEqual(text(frames), ["", C, "echo", "q"]);
  assert.equal(dealer.outstanding, 1);
  await broker.send([did, "", C, "echo", "r"]);
  const reply = await dealer.recv({ timeout: 5000 });
  assert.equal(reply.service, "echo");
  assert.deepEqual(text(reply.body), ["r"]);
  assert.equal(dealer.outstanding, 0);
  await broker.send([did, "", "garbage"]);
  await rejectsWith(dealer.recv({ timeout: 5000 }), "EPROTO");
  await rejectsWith(dealer.recv({ timeout: 50 }), "EAGAIN");
});

/** Our broker on a random port, with raw DEALER peers. */
function brokerWithPeers(
  ctx: Context,
  options: { requestTimeout?: number; maxDeliveries?: number } = {},
) {
  const broker = new MajordomoBroker(ctx, {
    bind: "tcp://127.0.0.1:*",
    heartbeatInterval: HB,
    ...options,
  });
  const endpoint = broker.lastEndpoint;
  const running = broker.run();
  const peer = () => {
    const s = ctx.socket("DEALER");
    s.connect(endpoint);
    return s;
  };
  return { broker, endpoint, running, peer };
}

Deno.test("MDP broker: routes by service, heartbeats workers, answers mmi.service", async () => {
  await using ctx = new Context({ linger: 0 });
  const { broker, running, peer } = brokerWithPeers(ctx);
  try {
    const worker = peer();
    await worker.send(["", W, READY, "echo"]);
    const client = peer();
    await client.send(["", C, "echo", "hi", "there"]);
    const [empty, header, command, clientId, delimiter, ...body] = await nextCommand(worker);
    assert.deepEqual(text([empty, header, command]), ["", W, "\x02"]);
    assert.ok(clientId.length > 0);
    assert.equal(delimiter.length, 0);
    assert.deepEqual(text(body), ["hi", "there"]);
    await worker.send(["", W, REPLY, clientId, "", "hi!"]);
    assert.deepEqual(text(await client.recvMultipart({ timeout: 5000 })), ["", C, "echo", "hi!"]);
    // The broker heartbeats its workers: exactly ["", "MDPW01", 0x04].
    assert.deepEqual(text(await worker.recvMultipart({ timeout: 2000 })), ["", W, "\x04"]);

    await client.send(["", C, "mmi.service", "echo"]);
    assert.deepEqual(text(await client.recvMultipart({ timeout: 5000 })), [
      "",
      C,
      "mmi.service",
      "200",
    ]);
    await client.send(["", C, "mmi.service", "absent"]);
    assert.deepEqual(text(await client.recvMultipart({ timeout: 5000 })), [
      "",
      C,
      "mmi.service",
      "404",
    ]);
    await client.send(["", C, "mmi.workers", "echo"]);
    assert.deepEqual(text(await client.recvMultipart({ timeout: 5000 })), [
      "",
      C,
      "mmi.workers",
      "501",
    ]);
    assert.deepEqual(broker.services().get("echo"), { workers: 1, waiting: 1, queued: 0 });
  } finally {
    await broker.close();
    await running;
  }
});

Deno.test("MDP broker: out-of-turn commands get DISCONNECT, invalid messages are dropped", async () => {
  await using ctx = new Context({ linger: 0 });
  const { broker, running, peer } = brokerWithPeers(ctx);
  try {
    const twice = peer();
    await twice.send(["", W, READY, "echo"]);
    await twice.send(["", W, READY, "echo"]);
    assert.deepEqual(text(await nextCommand(twice)), ["", W, "\x05"]);
    const stranger = peer();
    await stranger.send(["", W, HEARTBEAT]);
    assert.deepEqual(text(await nextCommand(stranger)), ["", W, "\x05"]);
    const replier = peer();
    await replier.send(["", W, REPLY, "nobody", "", "x"]);
    assert.deepEqual(text(await nextCommand(replier)), ["", W, "\x05"]);
    const mmi = peer();
    await mmi.send(["", W, READY, "mmi.service"]);
    assert.deepEqual(text(await nextCommand(mmi)), ["", W, "\x05"]);

    const garbage = peer();
    const before = broker.stats.dropped;
    await garbage.send(["no empty frame"]);
    await garbage.send(["", W, Uint8Array.of(9)]);
    await garbage.send(["", W, READY]); // READY without a service
    await garbage.send(["", C, "echo"]); // a request without a body
    await garbage.send(["", C, new Uint8Array([0xff, 0xfe]), "x"]); // a service that is not text
    // The broker still serves: a round trip through it proves it read all of the above.
    await garbage.send(["", C, "mmi.service", "echo"]);
    assert.deepEqual(text(await garbage.recvMultipart({ timeout: 5000 })).slice(-1), ["404"]);
    assert.equal(broker.stats.dropped - before, 5);
  } finally {
    await broker.close();
    await running;
  }
});

Deno.test("MDP broker: a silent worker expires and its request goes to another; its late reply is refused", async () => {
  await using ctx = new Context({ linger: 0 });
  const { broker, endpoint, running, peer } = brokerWithPeers(ctx);
  const silent = peer();
  try {
    await silent.send(["", W, READY, "echo"]);
    using client = new AsyncMajordomoClient(ctx, endpoint);
    await client.send("echo", "job");
    const [, , , clientId] = await nextCommand(silent);
    // `silent` now holds the request and stops talking. A real worker joins.
    const good = new MajordomoWorker(ctx, endpoint, "echo", { heartbeatInterval: HB });
    const serving = good.serve((body) => [...body, "by good"]);
    const t0 = performance.now();
    const reply = await client.recv({ timeout: 5000 });
    const took = performance.now() - t0;
    assert.deepEqual(text(reply.body), ["job", "by good"]);
    assert.ok(took >= HB * 3 - 50, `redelivered after ${took} ms, before the worker expired`);
    assert.equal(broker.stats.expiredWorkers, 1);
    assert.equal(broker.stats.redelivered, 1);
    // The expired worker wakes up and replies: the broker disconnects it, the client gets nothing.
    await silent.send(["", W, REPLY, clientId, "", "late"]);
    assert.deepEqual(text(await nextCommand(silent)), ["", W, "\x05"]);
    await rejectsWith(client.recv({ timeout: 3 * HB }), "EAGAIN");
    await good.close();
    await serving;
  } finally {
    await broker.close();
    await running;
  }
});

Deno.test("MDP broker: a request waits for its service's first worker, and expires if none comes", async () => {
  await using ctx = new Context({ linger: 0 });
  const { broker, endpoint, running } = brokerWithPeers(ctx, { requestTimeout: 300 });
  try {
    using client = new AsyncMajordomoClient(ctx, endpoint);
    await client.send("late", "early request");
    await client.send("never", "lost request");
    // Wait until the broker has seen both: its services list them as queued.
    await waitUntil(() => broker.services().get("never")?.queued === 1, "the broker queued it");
    const worker = new MajordomoWorker(ctx, endpoint, "late", { heartbeatInterval: HB });
    const serving = worker.serve((body) => body);
    assert.deepEqual(text((await client.recv({ timeout: 5000 })).body), ["early request"]);
    await waitUntil(() => broker.stats.expiredRequests === 1, "the request for never expired");
    assert.equal(broker.services().get("never"), undefined);
    await worker.close();
    await serving;
  } finally {
    await broker.close();
    await running;
  }
});

Deno.test("MDP worker: notices a frozen broker within liveness x interval and starts a new session", async () => {
  await using ctx = new Context({ linger: 0 });
  const broker = new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*", heartbeatInterval: HB });
  const running = broker.run();
  const port = Number(broker.lastEndpoint.split(":").at(-1));
  await using relay = FaultRelay.start({ target: `127.0.0.1:${port}` });
  const events = new EventLog<WorkerEvent>();
  const worker = new MajordomoWorker(ctx, relay.endpoint, "echo", {
    heartbeatInterval: HB,
    liveness: 3,
    reconnectInitial: 50,
    onEvent: events.push,
  });
  const serving = worker.serve((body) => body);
  try {
    using client = new MajordomoClient(ctx, broker.lastEndpoint, { timeout: 5000 });
    assert.deepEqual(await client.requestText("echo", "before"), ["before"]);
    const frozenAt = performance.now();
    relay.freeze();
    const dead = await events.wait("peer-dead");
    const detected = performance.now() - frozenAt;
    assert.ok(dead.type === "peer-dead");
    assert.ok(detected <= HB * 3 + 600, `the worker took ${detected} ms to notice`);
    relay.heal();
    assert.deepEqual(await client.requestText("echo", "after"), ["after"]);
    assert.ok(worker.stats.reconnects >= 1);
  } finally {
    await worker.close();
    await serving;
    await broker.close();
    await running;
  }
});

Deno.test("MDP worker: a throwing handler stops serve, or goes to onError and the worker goes on", async () => {
  await using ctx = new Context({ linger: 0 });
  const { broker, endpoint, running } = brokerWithPeers(ctx);
  try {
    const failing = new MajordomoWorker(ctx, endpoint, "boom", { heartbeatInterval: HB });
    const serving = failing.serve(() => {
      throw new RangeError("handler broke");
    });
    using client = new AsyncMajordomoClient(ctx, endpoint);
    await client.send("boom", "x");
    await assert.rejects(serving, RangeError);

    // With onError the worker starts a new session instead: the broker gives the request to
    // the next worker (here the same one, reconnected), up to maxDeliveries (3), then drops it.
    const seen: unknown[] = [];
    const tolerant = new MajordomoWorker(ctx, endpoint, "flaky", {
      heartbeatInterval: HB,
      reconnectInitial: 10,
      onError: (e) => seen.push(e),
    });
    const tolerating = tolerant.serve((body) => {
      if (text(body)[0] === "bad") throw new Error("bad request");
      return body;
    });
    await client.send("flaky", "bad");
    await client.send("flaky", "good");
    assert.deepEqual(text((await client.recv({ timeout: 5000 })).body), ["good"]);
    assert.equal(seen.length, 3);
    assert.equal(broker.stats.abandoned, 1);
    assert.ok(tolerant.stats.reconnects >= 3);
    await tolerant.close();
    await tolerating;
  } finally {
    await broker.close();
    await running;
  }
});

Deno.test("MDP: bad options and calls are ZmqErrors naming what was wrong", async () => {
  await using ctx = new Context({ linger: 0 });
  throwsWith(() => new MajordomoBroker(ctx, { bind: [] }), "EBADVALUE");
  throwsWith(
    () => new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*", heartbeatInterval: 0 }),
    "EBADVALUE",
  );
  throwsWith(
    () => new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*", maxDeliveries: 0 }),
    "EBADVALUE",
  );
  throwsWith(() => new MajordomoBroker(ctx, { bind: "nonsense://x" }), "EPROTONOSUPPORT");
  throwsWith(() => new MajordomoWorker(ctx, "tcp://127.0.0.1:1", "mmi.service"), "EBADVALUE");
  throwsWith(() => new MajordomoWorker(ctx, "tcp://127.0.0.1:1", ""), "EBADVALUE");
  throwsWith(
    () => new MajordomoWorker(ctx, "tcp://127.0.0.1:1", "echo", { liveness: 0 }),
    "EBADVALUE",
  );
  throwsWith(() => new MajordomoWorker(ctx, "", "echo"), "EBADVALUE");
  using client = new MajordomoClient(ctx, "tcp://127.0.0.1:1", { timeout: 50, retries: 0 });
  await rejectsWith(client.request("", "x"), "EBADVALUE");
  await rejectsWith(client.request("bad\nname", "x"), "EBADVALUE");
  await rejectsWith(client.request("echo", []), "EBADVALUE");
  // deno-lint-ignore no-explicit-any
  await rejectsWith(client.request("echo", [42 as any]), "EBADVALUE");
  await rejectsWith(client.request("echo", "nobody home"), "EUNREACHABLE");
  using dealer = new AsyncMajordomoClient(ctx, "tcp://127.0.0.1:1");
  await rejectsWith(dealer.send("", "x"), "EBADVALUE");

  const broker = new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*" });
  const running = broker.run();
  await rejectsWith(broker.run(), "EBUSY");
  await broker.close();
  await running;
  await rejectsWith(broker.run(), "ECLOSED");
  const worker = new MajordomoWorker(ctx, broker.lastEndpoint, "echo");
  // deno-lint-ignore no-explicit-any
  await rejectsWith(worker.serve(null as any), "EBADVALUE");
  const serving = worker.serve((b) => b);
  await rejectsWith(worker.serve((b) => b), "EBUSY");
  await worker.close();
  await serving;
  await rejectsWith(worker.serve((b) => b), "ECLOSED");
});

Deno.test("MDP: serve and run reject with the caller's abort reason", async () => {
  await using ctx = new Context({ linger: 0 });
  const controller = new AbortController();
  const broker = new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*" });
  const running = broker.run(controller.signal);
  const worker = new MajordomoWorker(ctx, broker.lastEndpoint, "echo");
  const serving = worker.serve((b) => b, { signal: controller.signal });
  const reason = new DOMException("stop now", "AbortError");
  controller.abort(reason);
  await assert.rejects(running, (e) => e === reason);
  await assert.rejects(serving, (e) => e === reason);
  await worker.close();
  await broker.close();
});

Deno.test("MDP worker: stop() from inside its own handler ends it instead of waiting for itself", async () => {
  // stop() waited for the serving loop, the loop for the handler, the handler for stop(): the
  // worker hung for ever, and so did everything awaiting it
  await using ctx = new Context({ linger: 0 });
  const broker = await new MajordomoBroker(ctx, {
    bind: "tcp://127.0.0.1:*",
    heartbeatInterval: 100,
  }).start();
  const events = new EventLog<WorkerEvent>();
  const worker: MajordomoWorker = new MajordomoWorker(ctx, broker.lastEndpoint, "echo", {
    heartbeatInterval: 100,
    onEvent: events.push,
  });
  let stopped = false;
  const serving = worker.serve(async (body) => {
    await worker.stop();
    stopped = true;
    return body;
  });
  using client = new MajordomoClient(ctx, broker.lastEndpoint, { timeout: 300, retries: 0 });
  await rejectsWith(client.request("echo", "last"), "EUNREACHABLE"); // its reply is discarded
  await within(serving, 5000, "serve() of a worker stopped by its handler");
  assert.ok(stopped, "the handler's stop() resolved");
  assert.equal(worker.running, false);
  await events.wait("reply-discarded");
  await broker.stop();
});
