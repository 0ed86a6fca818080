// The one lifecycle (core/service.ts): start resolves when ready, done settles once ended, stop
// is idempotent and never rejects, await using stops; then the same contract on every service
// class of the library.
import assert from "node:assert/strict";
import { Service } from "../core/service.ts";
import {
  Authenticator,
  BackgroundDevice,
  Context,
  Loop,
  MajordomoBroker,
  MajordomoWorker,
  MonitoredQueue,
  ParanoidPirateQueue,
  ParanoidPirateWorker,
  startDevice,
  SteerableProxy,
  TitanicServer,
} from "../mod.ts";
import { FaultRelay } from "../faults/mod.ts";
import { isCode, within } from "./_util.ts";

/** A service whose start and stop are steered by the test. */
class Probe extends Service {
  starts = 0;
  stops = 0;
  startWith: () => void | Promise<void> = () => {};
  stopWith: () => void | Promise<void> = () => {};
  constructor(restartable = false) {
    super("Probe", { restartable });
  }
  protected override onStart(): void | Promise<void> {
    this.starts++;
    return this.startWith();
  }
  protected override onStop(): void | Promise<void> {
    this.stops++;
    return this.stopWith();
  }
  fail(error: unknown): void {
    this.ended(error);
  }
}

/** Where `p` is once every microtask queued now has run: pending, resolved or rejected. */
async function state(p: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  let now: "pending" | "resolved" | "rejected" = "pending";
  p.then(() => now = "resolved", () => now = "rejected");
  await new Promise((resolve) => setTimeout(resolve, 0)); // after the microtasks
  return now;
}

Deno.test("Service: start resolves with the service once ready, the same promise while it runs", async () => {
  const probe = new Probe();
  const ready = Promise.withResolvers<void>();
  probe.startWith = () => ready.promise;
  const starting = probe.start();
  assert.equal(probe.running, false);
  assert.equal(probe.start(), starting); // a second start answers the same promise
  assert.equal(await state(starting), "pending");
  ready.resolve();
  assert.equal(await starting, probe);
  assert.equal(probe.running, true);
  assert.equal(await probe.start(), probe);
  assert.equal(probe.starts, 1);
  assert.equal(await state(probe.done), "pending");
  await probe.stop();
});

Deno.test("Service: stop is idempotent, waits for onStop, and done resolves after it", async () => {
  const probe = await new Probe().start();
  const stopped = Promise.withResolvers<void>();
  probe.stopWith = () => stopped.promise;
  const first = probe.stop();
  assert.equal(probe.stop(), first);
  assert.equal(probe.running, false); // stopping counts as not running
  assert.equal(await state(first), "pending");
  assert.equal(await state(probe.done), "pending");
  stopped.resolve();
  await first;
  assert.equal(await state(probe.done), "resolved");
  await probe.stop();
  assert.equal(probe.stops, 1);
  await assert.rejects(probe.start(), isCode("ECLOSED")); // a service runs once
});

Deno.test("Service: a failed onStop still ends it; stop resolves and done rejects with the failure", async () => {
  const probe = await new Probe().start();
  const failure = new Error("could not let go");
  probe.stopWith = () => Promise.reject(failure);
  await probe.stop(); // never rejects
  await assert.rejects(probe.done, (e) => e === failure);
});

Deno.test("Service: a failed start rejects start and done with the same error; stop still cleans up", async () => {
  const probe = new Probe();
  const failure = new Error("port taken");
  probe.startWith = () => Promise.reject(failure);
  await assert.rejects(probe.start(), (e) => e === failure);
  await assert.rejects(probe.done, (e) => e === failure);
  assert.equal(probe.running, false);
  await probe.stop();
  assert.equal(probe.stops, 1); // onStop lets go of what the failed start left
  const sync = new Probe();
  sync.startWith = () => {
    throw failure;
  };
  await assert.rejects(sync.start(), (e) => e === failure); // a rejection, never a throw
});

Deno.test("Service: ending by itself rejects done at once; a later stop still calls onStop once", async () => {
  const probe = await new Probe().start();
  const failure = new Error("peer vanished");
  probe.fail(failure);
  assert.equal(probe.running, false);
  await assert.rejects(probe.done, (e) => e === failure);
  probe.fail(new Error("a second report")); // only the first counts
  await assert.rejects(probe.done, (e) => e === failure);
  await probe.stop();
  await probe.stop();
  assert.equal(probe.stops, 1);
});

Deno.test("Service: an unobserved failure is no unhandled rejection", async () => {
  const probe = await new Probe().start();
  probe.fail(new Error("nobody looks at done"));
  await probe.stop();
  // the test runner fails the test on an unhandled rejection; give it a macrotask to see one
  await new Promise((resolve) => setTimeout(resolve, 0));
});

Deno.test("Service: stop while starting waits for the start, then stops", async () => {
  const probe = new Probe();
  const ready = Promise.withResolvers<void>();
  probe.startWith = () => ready.promise;
  const starting = probe.start();
  const stopping = probe.stop();
  assert.equal(probe.stops, 0);
  ready.resolve();
  await starting;
  await stopping;
  assert.equal(probe.stops, 1);
  assert.equal(probe.running, false);
});

Deno.test("Service: stop before start ends it, calling onStop (for what the constructor holds) but not onStart", async () => {
  const probe = new Probe();
  await probe.stop();
  await probe.stop();
  await within(probe.done, 1000, "done of a service stopped before it started");
  await assert.rejects(probe.start(), isCode("ECLOSED"));
  assert.deepEqual([probe.starts, probe.stops], [0, 1]);
});

Deno.test("Loop (a service that reports its own end): stop before start ends it; start and run work after", async () => {
  // a service that ends itself (endsItself) never reported the end of a run it never began:
  // done stayed pending, and a later start() or run() waited on it for ever
  const loop = new Loop();
  await within(loop.stop(), 1000, "stop of a loop never started");
  await within(loop.done, 1000, "done of a loop stopped before it started");
  await within(loop.start(), 1000, "start after stop");
  assert.equal(loop.running, true);
  await within(loop.stop(), 1000, "stop of the second run");
  await within(loop.done, 1000, "done of the second run");
  const again = new Loop();
  await again.stop();
  await within(again.run(AbortSignal.timeout(10)), 1000, "run after stop");
});

Deno.test("Service: await using stops it", async () => {
  let probe: Probe;
  {
    await using p = await new Probe().start();
    probe = p;
    assert.equal(probe.running, true);
  }
  assert.equal(probe.running, false);
  assert.equal(probe.stops, 1);
  assert.equal(await state(probe.done), "resolved");
});

Deno.test("Service: a restartable service starts again with a new done", async () => {
  const probe = await new Probe(true).start();
  const firstDone = probe.done;
  await probe.stop();
  assert.equal(await state(firstDone), "resolved");
  await probe.start();
  assert.equal(probe.running, true);
  assert.notEqual(probe.done, firstDone);
  assert.equal(await state(probe.done), "pending");
  const stopping = probe.stop();
  const again = probe.start(); // while stopping: starts once the stop is over
  await stopping;
  await again;
  assert.equal(probe.running, true);
  await probe.stop();
  assert.deepEqual([probe.starts, probe.stops], [3, 3]);
});

// ---- every background service of the library keeps the same contract ----

/** One handler: a worker started again with another one rejects (EBUSY). */
const echo = (body: Uint8Array[]) => body;

interface Case {
  name: string;
  /** Makes the service (started or not), on `ctx`, with a unique `tag` for endpoints. */
  make(ctx: Context, tag: string): Service | Promise<Service>;
  /** start() with what it needs (a worker's handler). */
  start?(service: Service): Promise<unknown>;
  restartable?: boolean;
}

const cases: Case[] = [
  {
    name: "SteerableProxy",
    make: (ctx, tag) => {
      const [f, b] = [ctx.socket("PULL"), ctx.socket("PUSH")];
      f.bind(`inproc://${tag}-f`);
      b.bind(`inproc://${tag}-b`);
      return new SteerableProxy(f, b);
    },
  },
  {
    name: "Device",
    make: (ctx, tag) =>
      startDevice("STREAMER", {
        frontend: `inproc://${tag}-f`,
        backend: `inproc://${tag}-b`,
        context: ctx,
      }),
  },
  {
    name: "MonitoredQueue",
    make: (ctx) =>
      new MonitoredQueue(ctx.socket("ROUTER"), ctx.socket("DEALER"), ctx.socket("PUB")),
  },
  {
    name: "BackgroundDevice",
    make: (_ctx, tag) => {
      const d = new BackgroundDevice("STREAMER", "PULL", "PUSH", { onLine: () => {} });
      return d.bindIn(`inproc://${tag}-f`).bindOut(`inproc://${tag}-b`);
    },
  },
  { name: "Authenticator", make: (ctx) => new Authenticator(ctx), restartable: true },
  { name: "Loop", make: () => new Loop(), restartable: true },
  {
    name: "MajordomoBroker",
    make: (ctx, tag) => new MajordomoBroker(ctx, { bind: `inproc://${tag}` }),
  },
  {
    name: "MajordomoWorker",
    make: (ctx, tag) => new MajordomoWorker(ctx, `inproc://${tag}`, "echo"),
    start: (w) => (w as MajordomoWorker).start(echo),
  },
  {
    name: "ParanoidPirateQueue",
    make: (ctx, tag) =>
      new ParanoidPirateQueue(ctx, { frontend: `inproc://${tag}-f`, backend: `inproc://${tag}-b` }),
  },
  {
    name: "ParanoidPirateWorker",
    make: (ctx, tag) => new ParanoidPirateWorker(ctx, `inproc://${tag}`),
    start: (w) => (w as ParanoidPirateWorker).start(echo),
  },
  {
    name: "TitanicServer",
    make: (ctx, tag) => new TitanicServer(ctx, { broker: `inproc://${tag}`, store: ":memory:" }),
  },
  { name: "FaultRelay", make: () => FaultRelay.start({ target: "127.0.0.1:9" }) },
];

for (const c of cases) {
  Deno.test(`${c.name} keeps the Service contract: start, done, idempotent stop, await using`, async () => {
    await using ctx = new Context({ linger: 0 });
    const tag = `service-${c.name}-${crypto.randomUUID()}`;
    const start = c.start ?? ((s: Service) => s.start());
    let service: Service;
    {
      await using s = await c.make(ctx, tag);
      service = s;
      assert.ok(s instanceof Service);
      assert.equal(await within(start(s), 10_000, `${c.name}.start()`), s);
      assert.equal(s.running, true);
      assert.equal(await start(s), s); // starting a started service answers it
      assert.equal(await state(s.done), "pending");
    } // await using: stop()
    assert.equal(service.running, false);
    assert.equal(await state(service.done), "resolved");
    await within(service.stop(), 10_000, `${c.name}.stop() again`); // idempotent
    if (c.restartable) {
      await within(start(service), 10_000, `${c.name}.start() again`);
      assert.equal(service.running, true);
      await within(service.stop(), 10_000, `${c.name}.stop()`);
    } else {
      await assert.rejects(start(service), isCode("ECLOSED"));
    }
  });
}

Deno.test("the old lifecycle names are deprecated aliases of stop()", async () => {
  await using ctx = new Context({ linger: 0 });
  const [f, b] = [ctx.socket("PULL"), ctx.socket("PUSH")];
  f.bind("inproc://alias-proxy-f");
  b.bind("inproc://alias-proxy-b");
  const proxy = new SteerableProxy(f, b);
  await within(proxy.terminate(), 5000, "terminate()"); // stop(), then done
  assert.equal(proxy.running, false);
  assert.equal(proxy.state, "terminated");
  const broker = await new MajordomoBroker(ctx, { bind: "inproc://alias-broker" }).start();
  await within(broker.close(), 5000, "MajordomoBroker.close()");
  assert.equal(broker.running, false);
  await assert.rejects(broker.run(), isCode("ECLOSED"));
  const worker = await new MajordomoWorker(ctx, "inproc://alias-broker", "echo").start(echo);
  await within(worker.close(), 5000, "MajordomoWorker.close()");
  assert.equal(worker.running, false);
  const relay = FaultRelay.start({ target: "127.0.0.1:9" });
  await within(relay.close(), 5000, "FaultRelay.close()");
  assert.equal(relay.running, false);
  assert.equal(await state(relay.done), "resolved");
});
