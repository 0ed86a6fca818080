// Majordomo (RFC 7/8) and Paranoid Pirate (RFC 6) against Python peers written from the RFCs
// (tests/py/mdp_peers.py, tests/py/ppp_peers.py): every mix of our broker/queue, worker and
// client with theirs. The Python peers check every frame they receive and fail on the first
// deviation from the RFC.
import assert from "node:assert/strict";
import {
  AsyncMajordomoClient,
  Context,
  LazyPirateClient,
  MajordomoBroker,
  MajordomoClient,
  MajordomoWorker,
  ParanoidPirateQueue,
  ParanoidPirateWorker,
} from "../mod.ts";
import { freePort, freePorts, hasPyzmq, type PyPeer, pyPeer } from "./_peers.ts";

const HEARTBEAT = 250;
const COUNT = 5;
const decoder = new TextDecoder();
const bodies = Array.from({ length: COUNT }, (_, i) => `request ${i}`);

type Side = "ours" | "py";
type ClientSide = "sync" | "async" | "py";

/** Runs one MDP mix: COUNT echo requests through broker and worker from the given sides. */
async function mdpMix(broker: Side, worker: Side, client: ClientSide): Promise<void> {
  await using ctx = new Context({ linger: 0 });
  const port = freePort();
  const endpoint = `tcp://127.0.0.1:${port}`;
  const peers: PyPeer[] = [];
  const stops: (() => Promise<void>)[] = [];
  let pyWorker: PyPeer | null = null;
  try {
    if (broker === "ours") {
      const b = new MajordomoBroker(ctx, { bind: endpoint, heartbeatInterval: HEARTBEAT });
      const running = b.run();
      stops.push(async () => {
        await b.close();
        await running;
        assert.equal(b.stats.dropped, 0, "our broker dropped a message");
      });
    } else {
      const p = pyPeer("mdp_peers.py", "broker", endpoint, String(HEARTBEAT));
      peers.push(p);
      await p.waitFor("ready");
    }
    if (worker === "ours") {
      const w = new MajordomoWorker(ctx, endpoint, "echo", { heartbeatInterval: HEARTBEAT });
      const serving = w.serve((body) => body);
      stops.unshift(async () => {
        await w.close();
        await serving;
        assert.equal(w.stats.replies, COUNT);
      });
    } else {
      pyWorker = pyPeer("mdp_peers.py", "worker", endpoint, "echo", String(HEARTBEAT));
      peers.unshift(pyWorker);
      await pyWorker.waitFor("ready");
    }
    if (client === "sync") {
      using c = new MajordomoClient(ctx, endpoint, { timeout: 5000, retries: 1 });
      for (const body of bodies) {
        assert.deepEqual(await c.requestText("echo", body), [body]);
      }
    } else if (client === "async") {
      using c = new AsyncMajordomoClient(ctx, endpoint);
      for (const body of bodies) await c.send("echo", body);
      const got: string[] = [];
      while (c.outstanding > 0) {
        const reply = await c.recv({ timeout: 5000 });
        assert.equal(reply.service, "echo");
        got.push(decoder.decode(reply.body[0]));
      }
      assert.deepEqual(got.sort(), [...bodies].sort());
    } else {
      const lines = await pyPeer("mdp_peers.py", "client", endpoint, "echo", String(COUNT))
        .finished();
      assert.deepEqual(lines, bodies.map((b) => `reply ${b}`));
    }
  } finally {
    for (const stop of stops) await stop();
    for (const p of peers) await p.stop(); // asserts exit code 0: no protocol error seen
  }
  if (pyWorker) {
    // Read once the worker has exited: its lines may trail the replies.
    const handled = pyWorker.lines.filter((l) => l.startsWith("request "));
    assert.equal(handled.length, COUNT, pyWorker.lines.join("|"));
  }
}

const MIXES: [Side, Side, ClientSide][] = [];
for (const broker of ["ours", "py"] as const) {
  for (const worker of ["ours", "py"] as const) {
    for (const client of ["sync", "async", "py"] as const) {
      const anyPython = broker === "py" || worker === "py" || client === "py";
      const allPython = broker === "py" && worker === "py" && client === "py";
      if (anyPython && !allPython) MIXES.push([broker, worker, client]);
    }
  }
}

for (const [broker, worker, client] of MIXES) {
  Deno.test({
    name: `interop MDP: broker ${broker}, worker ${worker}, client ${client}`,
    ignore: !hasPyzmq,
    fn: () => mdpMix(broker, worker, client),
  });
}

Deno.test({
  name: "interop MMI: mmi.service between our broker and a pyzmq client, and the reverse",
  ignore: !hasPyzmq,
  async fn() {
    await using ctx = new Context({ linger: 0 });
    const broker = new MajordomoBroker(ctx, {
      bind: "tcp://127.0.0.1:*",
      heartbeatInterval: HEARTBEAT,
    });
    const endpoint = broker.lastEndpoint;
    const running = broker.run();
    const worker = new MajordomoWorker(ctx, endpoint, "echo", { heartbeatInterval: HEARTBEAT });
    const serving = worker.serve((b) => b);
    using probe = new MajordomoClient(ctx, endpoint);
    await probe.request("echo", "registered?"); // the worker is registered once it answered
    assert.deepEqual(await pyPeer("mdp_peers.py", "mmi", endpoint, "echo").finished(), ["200"]);
    assert.deepEqual(await pyPeer("mdp_peers.py", "mmi", endpoint, "nope").finished(), ["404"]);
    await worker.close();
    await serving;
    await broker.close();
    await running;

    const port = freePort();
    const pyEndpoint = `tcp://127.0.0.1:${port}`;
    const pyBroker = pyPeer("mdp_peers.py", "broker", pyEndpoint, String(HEARTBEAT));
    try {
      await pyBroker.waitFor("ready");
      using client = new MajordomoClient(ctx, pyEndpoint, { timeout: 5000 });
      assert.deepEqual(await client.requestText("mmi.service", "echo"), ["404"]);
      assert.deepEqual(await client.requestText("mmi.whatever", "x"), ["501"]);
    } finally {
      await pyBroker.stop();
    }
  },
});

/** Runs one PPP mix: COUNT echo requests through queue and worker from the given sides. */
async function pppMix(queue: Side, worker: Side, client: Side): Promise<void> {
  await using ctx = new Context({ linger: 0 });
  const [front, back] = freePorts(2).map((p) => `tcp://127.0.0.1:${p}`);
  const peers: PyPeer[] = [];
  const stops: (() => Promise<void>)[] = [];
  let pyWorker: PyPeer | null = null;
  try {
    if (queue === "ours") {
      const q = new ParanoidPirateQueue(ctx, {
        frontend: front,
        backend: back,
        heartbeatInterval: HEARTBEAT,
      });
      const running = q.run();
      stops.push(async () => {
        await q.close();
        await running;
        assert.equal(q.stats.dropped, 0, "our queue dropped a message");
      });
    } else {
      const p = pyPeer("ppp_peers.py", "queue", front, back, String(HEARTBEAT));
      peers.push(p);
      await p.waitFor("ready");
    }
    if (worker === "ours") {
      const w = new ParanoidPirateWorker(ctx, back, { heartbeatInterval: HEARTBEAT });
      const serving = w.serve((body) => body);
      stops.unshift(async () => {
        await w.close();
        await serving;
        assert.equal(w.stats.replies, COUNT);
      });
    } else {
      pyWorker = pyPeer("ppp_peers.py", "worker", back, String(HEARTBEAT));
      peers.unshift(pyWorker);
      await pyWorker.waitFor("ready");
    }
    if (client === "ours") {
      using c = new LazyPirateClient(ctx, front, { timeout: 5000, retries: 1 });
      for (const body of bodies) assert.equal(await c.requestString(body), body);
    } else {
      const lines = await pyPeer("ppp_peers.py", "client", front, String(COUNT)).finished();
      assert.deepEqual(lines, bodies.map((b) => `reply ${b}`));
    }
  } finally {
    for (const stop of stops) await stop();
    for (const p of peers) await p.stop();
  }
  if (pyWorker) {
    assert.equal(pyWorker.lines.filter((l) => l.startsWith("request ")).length, COUNT);
  }
}

for (const queue of ["ours", "py"] as const) {
  for (const worker of ["ours", "py"] as const) {
    for (const client of ["ours", "py"] as const) {
      const sides = [queue, worker, client];
      if (sides.every((s) => s === "ours") || sides.every((s) => s === "py")) continue;
      Deno.test({
        name: `interop PPP: queue ${queue}, worker ${worker}, client ${client}`,
        ignore: !hasPyzmq,
        fn: () => pppMix(queue, worker, client),
      });
    }
  }
}
