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

/** A queue on random tcp ports with the test's heartbeat, running, its events logged. */
function runQueue(ctx: Context) {
  const events = new EventLog<QueueEvent>();
  const queue = new ParanoidPirateQueue(ctx, {
    frontend: "tcp://127.0.0.1:*",
    backend: "tcp://127.0.0.1:*",
    heartbeatInterval: HB,
    onEvent: events.push,
  });
  return { queue, events, running: queue.run() };
}

/** A hand-made PPP worker: a DEALER that said READY, and its next message that is no HEARTBEAT. */
async function rawWorker(ctx: Context, queue: ParanoidPirateQueue, events: EventLog<QueueEvent>) {
  const worker = ctx.socket("DEALER");
  worker.connect(queue.backendEndpoint);
  await worker.send(Uint8Array.of(1));
  await events.wait("worker-ready");
  const next = async () => {
    for (;;) {
      const frames = await worker.recvMultipart({ timeout: 5000 });
      if (frames.length === 1 && frames[0].length === 1 && frames[0][0] === 2) continue;
      return frames;
    }
  };
  return { worker, next };
}

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
  const { queue, events, running } = runQueue(ctx);
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

Deno.test("PPP queue: a request without an envelope is dropped at the frontend and never takes a worker out of service", async () => {
  await using ctx = new Context({ linger: 0 });
  const { queue, events, running } = runQueue(ctx);
  const worker = new ParanoidPirateWorker(ctx, queue.backendEndpoint, { heartbeatInterval: HB });
  const serving = worker.serve((b) => b);
  try {
    await events.wait("worker-ready");
    // A DEALER (or a ZMTP 1.0 peer writing random bytes) sends no empty delimiter: the worker
    // would echo it without one, and the queue dropped that reply but kept the worker busy.
    using garbage = ctx.socket("DEALER");
    garbage.connect(queue.frontendEndpoint);
    await garbage.send(["no", "delimiter"]);
    await garbage.send(""); // an empty frame alone: an envelope and no body
    await events.wait("dropped", 5000, 0, (e) => e.type === "dropped" && /envelope/.test(e.reason));
    await events.wait("dropped", 5000, 1, (e) => e.type === "dropped" && /envelope/.test(e.reason));
    using client = new LazyPirateClient(ctx, queue.frontendEndpoint, { timeout: 5000, retries: 0 });
    assert.equal(await client.requestString("work"), "work");
    assert.equal(queue.stats.replies, 1);
    assert.equal(queue.workers, 1);
  } finally {
    await worker.close();
    await serving;
    await queue.close();
    await running;
  }
});

Deno.test("PPP queue: a worker that answers with a malformed reply gets the request again, then the next", async () => {
  await using ctx = new Context({ linger: 0 });
  const { queue, events, running } = runQueue(ctx);
  try {
    const { worker, next } = await rawWorker(ctx, queue, events);
    using client = new LazyPirateClient(ctx, queue.frontendEndpoint, { timeout: 5000, retries: 0 });
    const first = client.requestString("one");
    first.catch(() => {}); // awaited below; a failure before that is the test's own
    const [address, , body] = await next();
    assert.deepEqual(text([body]), ["one"]);
    // the reply lacks its delimiter: the queue drops it; the worker was kept busy for ever
    await worker.send([address, "no delimiter"]);
    await events.wait(
      "dropped",
      5000,
      0,
      (e) => e.type === "dropped" && /reply needs/.test(e.reason),
    );
    const again = await next();
    assert.deepEqual(again[0], address);
    assert.deepEqual(text(again.slice(1)), ["", "one"], "delivered again, to the idle worker");
    await worker.send([address, "", "one"]);
    assert.equal(await first, "one");
    assert.equal(queue.stats.redelivered, 1);
    const second = client.requestString("two");
    second.catch(() => {});
    const last = await next();
    assert.deepEqual(last[0], address);
    assert.deepEqual(text(last.slice(1)), ["", "two"]);
    await worker.send([address, "", "two"]);
    assert.equal(await second, "two");
  } finally {
    await queue.close();
    await running;
  }
});
