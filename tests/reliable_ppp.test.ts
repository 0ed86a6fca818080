// Paranoid Pirate (RFC 6) and the heartbeat helpers: frames, liveness, purging dead workers,
// redelivery, backoff, and a frozen queue noticed in time.
import assert from "node:assert/strict";
import {
  Backoff,
  Context,
  FaultRelay,
  LazyPirateClient,
  Liveness,
  ParanoidPirateQueue,
  ParanoidPirateWorker,
  type QueueEvent,
  type WorkerEvent,
} from "../mod.ts";
import { text, throwsWith } from "./_util.ts";
import { delay } from "../core/_util.ts";
import { EventLog, waitUntil } from "./_reliable.ts";

const HB = 100;

Deno.test("Liveness and Backoff: the arithmetic, on a clock the test owns", () => {
  const peer = new Liveness({ interval: 100, liveness: 3 }, 1000);
  assert.equal(peer.deadline, 1300);
  assert.ok(peer.alive(1300) && !peer.alive(1301));
  peer.beat(1250);
  assert.equal(peer.lastHeard, 1250);
  assert.equal(peer.deadline, 1550);
  peer.beat(1200); // a clock that goes back does not shorten the deadline
  assert.equal(peer.deadline, 1550);
  assert.equal(new Liveness({ interval: 10 }, 0).deadline, 30, "liveness defaults to 3");

  const backoff = new Backoff({ initial: 1000, max: 32000 });
  const delays = Array.from({ length: 8 }, () => backoff.next());
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000]);
  backoff.reset();
  assert.equal(backoff.next(), 1000);
  const zero = new Backoff({ initial: 0, max: 0 });
  assert.deepEqual([zero.next(), zero.next()], [0, 0]);

  throwsWith(() => new Liveness({ interval: 0 }), "EBADVALUE");
  throwsWith(() => new Liveness({ interval: 10, liveness: 0 }), "EBADVALUE");
  throwsWith(() => new Backoff({ initial: -1 }), "EBADVALUE");
  throwsWith(() => new Backoff({ initial: 100, max: 50 }), "EBADVALUE");
});

Deno.test("PPP worker: READY and HEARTBEAT are the single bytes 0x01 and 0x02; replies keep the envelope", async () => {
  await using ctx = new Context({ linger: 0 });
  using queue = ctx.socket("ROUTER");
  const endpoint = `tcp://127.0.0.1:${queue.bindToRandomPort()}`;
  const worker = new ParanoidPirateWorker(ctx, endpoint, { heartbeatInterval: HB });
  const serving = worker.serve((body) => [...body, "done"]);
  try {
    const [id, ready] = await queue.recvMultipart({ timeout: 5000 });
    assert.deepEqual(ready, Uint8Array.of(1));
    await queue.send([id, "client-a", "", "job"]);
    const next = async () => {
      for (;;) {
        const frames = await queue.recvMultipart({ timeout: 5000 });
        if (frames.length === 2 && frames[1].length === 1 && frames[1][0] === 2) continue;
        return frames;
      }
    };
    assert.deepEqual(text((await next()).slice(1)), ["client-a", "", "job", "done"]);
    // An envelope of several addresses (a client behind another ROUTER) comes back whole.
    await queue.send([id, "hop-1", "hop-2", "", "job", "part 2"]);
    assert.deepEqual(text((await next()).slice(1)), [
      "hop-1",
      "hop-2",
      "",
      "job",
      "part 2",
      "done",
    ]);
    const beat = await queue.recvMultipart({ timeout: 2000 });
    assert.deepEqual(beat.slice(1), [Uint8Array.of(2)]);
  } finally {
    await worker.close();
    await serving;
  }
});

Deno.test("PPP queue: purges a silent worker and gives its request to a live one", async () => {
  await using ctx = new Context({ linger: 0 });
  const events = new EventLog<QueueEvent>();
  const queue = new ParanoidPirateQueue(ctx, {
    frontend: "tcp://127.0.0.1:*",
    backend: "tcp://127.0.0.1:*",
    heartbeatInterval: HB,
    onEvent: events.push,
  });
  const running = queue.run();
  try {
    const silent = ctx.socket("DEALER");
    silent.connect(queue.backendEndpoint);
    await silent.send(Uint8Array.of(1));
    await events.wait("worker-ready");
    using client = new LazyPirateClient(ctx, queue.frontendEndpoint, { timeout: 5000, retries: 0 });
    const reply = client.requestString("work");
    // `silent` takes the request and never answers. A real worker comes along.
    const [, , body] = await silent.recvMultipart({ timeout: 5000 });
    assert.deepEqual(text([body]), ["work"]);
    const worker = new ParanoidPirateWorker(ctx, queue.backendEndpoint, { heartbeatInterval: HB });
    const serving = worker.serve((b) => b);
    const t0 = performance.now();
    assert.equal(await reply, "work");
    assert.ok(performance.now() - t0 >= HB * 2, "redelivered only once the silent worker expired");
    assert.equal(queue.stats.expiredWorkers, 1);
    assert.equal(queue.stats.redelivered, 1);
    assert.equal(queue.workers, 1);
    // A HEARTBEAT from a worker that never said READY is dropped, not taken as one.
    const stranger = ctx.socket("DEALER");
    stranger.connect(queue.backendEndpoint);
    await stranger.send(Uint8Array.of(2));
    await events.wait(
      "dropped",
      5000,
      0,
      (e) => e.type === "dropped" && /before READY/.test(e.reason),
    );
    assert.equal(queue.workers, 1);
    await worker.close();
    await serving;
  } finally {
    await queue.close();
    await running;
  }
});

Deno.test("PPP queue: with no worker, requests wait in the clients' sockets until one comes", async () => {
  await using ctx = new Context({ linger: 0 });
  const queue = new ParanoidPirateQueue(ctx, {
    frontend: "tcp://127.0.0.1:*",
    backend: "tcp://127.0.0.1:*",
    heartbeatInterval: HB,
  });
  const running = queue.run();
  try {
    using client = new LazyPirateClient(ctx, queue.frontendEndpoint, { timeout: 5000, retries: 0 });
    const reply = client.requestString("patient");
    const early = await Promise.race([
      reply.then(() => "answered"),
      delay(3 * HB).then(() => "still waiting"),
    ]);
    assert.equal(early, "still waiting");
    assert.equal(queue.stats.requests, 0, "the queue did not read a request it could not serve");
    const worker = new ParanoidPirateWorker(ctx, queue.backendEndpoint, { heartbeatInterval: HB });
    const serving = worker.serve((b) => b);
    assert.equal(await reply, "patient");
    assert.equal(queue.stats.requests, 1);
    await worker.close();
    await serving;
  } finally {
    await queue.close();
    await running;
  }
});

Deno.test("PPP worker: notices a frozen queue within liveness x interval; reconnects with exponential backoff", async () => {
  await using ctx = new Context({ linger: 0 });
  using queue = ctx.socket("ROUTER");
  const port = queue.bindToRandomPort();
  await using relay = FaultRelay.start({ target: `127.0.0.1:${port}` });
  const events = new EventLog<WorkerEvent>();
  const worker = new ParanoidPirateWorker(ctx, relay.endpoint, {
    heartbeatInterval: HB,
    liveness: 3,
    reconnectInitial: 40,
    reconnectMax: 160,
    onEvent: events.push,
  });
  // The worker counts silence from its session's start, after `serve` began and before its
  // READY reaches the queue: so not before 3 intervals after `serve`, and not long after 3
  // intervals from the READY's arrival (which a loaded machine may see late).
  const served = performance.now();
  const serving = worker.serve((b) => b);
  try {
    await queue.recvMultipart({ timeout: 5000 }); // READY
    const frozenAt = performance.now();
    relay.freeze();
    await events.wait("peer-dead");
    const sinceServe = performance.now() - served;
    const sinceReady = performance.now() - frozenAt;
    assert.ok(
      sinceServe >= HB * 3 - 50 && sinceReady <= HB * 3 + 600,
      `noticed ${sinceServe} ms after serve, ${sinceReady} ms after its READY arrived`,
    );
    // The queue stays silent (frozen): each new session dies too, and the waits double.
    await waitUntil(
      () => events.events.filter((e) => e.type === "reconnecting").length >= 4,
      "four reconnects",
      10_000,
    );
    const delays = events.events.flatMap((e) => e.type === "reconnecting" ? [e.delay] : []);
    assert.deepEqual(delays.slice(0, 4), [40, 80, 160, 160]);
  } finally {
    await worker.close();
    await serving;
  }
});

Deno.test("PPP: bad options are EBADVALUE naming the option", async () => {
  await using ctx = new Context({ linger: 0 });
  const e = throwsWith(
    () => new ParanoidPirateQueue(ctx, { frontend: [], backend: "tcp://127.0.0.1:*" }),
    "EBADVALUE",
  );
  assert.equal(e.option, "frontend");
  throwsWith(
    () =>
      new ParanoidPirateQueue(ctx, {
        frontend: "tcp://127.0.0.1:*",
        backend: "tcp://127.0.0.1:*",
        heartbeatInterval: -5,
      }),
    "EBADVALUE",
  );
  throwsWith(
    () => new ParanoidPirateWorker(ctx, "tcp://127.0.0.1:1", { reconnectInitial: 1.5 }),
    "EBADVALUE",
  );
});
