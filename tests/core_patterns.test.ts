import assert from "node:assert/strict";
import { Context } from "../mod.ts";
import { syncPubSub, text } from "./_util.ts";

const decoder = new TextDecoder();

Deno.test("PUB/SUB: prefix filtering, several subscriptions, exact counts per topic", async () => {
  using ctx = new Context();
  using pub = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  const port = pub.bindToRandomPort();
  sub.connect(`tcp://127.0.0.1:${port}`);
  sub.subscribe("sync");
  sub.subscribe("go");
  sub.subscribe("10001");
  sub.subscribe("20000");
  await syncPubSub(pub, sub);
  const topics = ["10001", "10002", "20000", "100010", "30000"];
  for (let i = 0; i < 50; i++) await pub.send(`${topics[i % topics.length]} ${i}`);
  await pub.send("go end");
  const counts: Record<string, number> = {};
  for (;;) {
    const msg = await sub.recvString();
    if (msg === "go end") break;
    const topic = msg.split(" ")[0];
    counts[topic] = (counts[topic] ?? 0) + 1;
  }
  // "10001" is a prefix of "100010": prefix matching delivers both; 10002 and 30000 are filtered
  assert.deepEqual(counts, { "10001": 10, "20000": 10, "100010": 10 });
});

Deno.test("PUB/SUB: unsubscribe stops a topic, the empty subscription receives all", async () => {
  using ctx = new Context();
  using pub = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  using all = ctx.socket("SUB");
  pub.bind("inproc://pubsub-unsub");
  sub.connect("inproc://pubsub-unsub");
  all.connect("inproc://pubsub-unsub");
  sub.subscribe("a");
  sub.subscribe("b");
  sub.subscribe("sync");
  sub.subscribe("go");
  all.subscribe(); // everything
  await syncPubSub(pub, all);
  await syncPubSub(pub, sub);
  // SUB filters on its own side too, so whatever is still in flight for these is dropped
  sub.unsubscribe("a");
  sub.unsubscribe("sync");
  sub.unsubscribe("go");
  for (const m of ["a1", "b1", "c1", "a2", "b2", "b end"]) await pub.send(m);
  const got: string[] = [];
  for (let m = await sub.recvString(); m !== "b end"; m = await sub.recvString()) got.push(m);
  assert.deepEqual(got, ["b1", "b2"]);
  const everything: string[] = [];
  for (let m = await all.recvString(); m !== "b end"; m = await all.recvString()) {
    everything.push(m);
  }
  // `all` also saw the syncs sent for `sub`; the data arrive complete and in order
  assert.deepEqual(everything.filter((m) => /^[abc]\d$/.test(m)), ["a1", "b1", "c1", "a2", "b2"]);
});

Deno.test("PAIR: messages flow both ways", async () => {
  using ctx = new Context();
  using a = ctx.socket("PAIR");
  using b = ctx.socket("PAIR");
  const port = a.bindToRandomPort();
  b.connect(`tcp://127.0.0.1:${port}`);
  await b.send("client message to server1");
  assert.equal(await a.recvString(), "client message to server1");
  await a.send("Server message to client3");
  assert.equal(await b.recvString(), "Server message to client3");
  await a.send(["two", "frames"]);
  assert.deepEqual(text(await b.recvMultipart()), ["two", "frames"]);
});

Deno.test("PUSH/PULL: PUSH round-robins across two PULLs", async () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  using pull1 = ctx.socket("PULL");
  using pull2 = ctx.socket("PULL");
  push.bind("inproc://rr");
  // inproc connects complete synchronously, so both pipes exist before the first send
  pull1.connect("inproc://rr");
  pull2.connect("inproc://rr");
  for (let i = 0; i < 20; i++) await push.send(String(i));
  const got1: number[] = [];
  const got2: number[] = [];
  for (let i = 0; i < 10; i++) {
    got1.push(Number(await pull1.recvString()));
    got2.push(Number(await pull2.recvString()));
  }
  assert.equal(got1.length + got2.length, 20);
  assert.deepEqual([...got1, ...got2].sort((x, y) => x - y), [...Array(20).keys()]);
  // strict alternation: one PULL has all the even numbers, the other all the odd ones
  const parity = (xs: number[]) => new Set(xs.map((x) => x % 2));
  assert.equal(parity(got1).size, 1);
  assert.equal(parity(got2).size, 1);
  assert.notDeepEqual(parity(got1), parity(got2));
});

Deno.test("PUSH/PULL: PULL fair-queues between two PUSHes", async () => {
  using ctx = new Context();
  using pull = ctx.socket("PULL");
  using pushA = ctx.socket("PUSH");
  using pushB = ctx.socket("PUSH");
  pull.bind("inproc://fq");
  pushA.connect("inproc://fq");
  pushB.connect("inproc://fq");
  for (let i = 0; i < 10; i++) await pushA.send(`A${i}`);
  for (let i = 0; i < 10; i++) await pushB.send(`B${i}`);
  const order: string[] = [];
  for (let i = 0; i < 20; i++) order.push(await pull.recvString());
  // both queues were full before the first recv: fair queuing takes one from each in turn
  const sources = order.map((m) => m[0]).join("");
  assert.ok(sources === "AB".repeat(10) || sources === "BA".repeat(10), sources);
  // and each source's messages keep their order
  assert.deepEqual(order.filter((m) => m[0] === "A"), [...Array(10).keys()].map((i) => `A${i}`));
});

Deno.test("DEALER/ROUTER: the ROUTER sees the routing id and routes the reply back", async () => {
  using ctx = new Context();
  using router = ctx.socket("ROUTER");
  using dealer = ctx.socket("DEALER");
  using req = ctx.socket("REQ");
  router.bind("inproc://envelopes");
  dealer.setOption("ROUTING_ID", "dealer-1");
  dealer.connect("inproc://envelopes");
  req.setOption("ROUTING_ID", new TextEncoder().encode("req-1"));
  req.connect("inproc://envelopes");
  assert.equal(decoder.decode(dealer.getOption("ROUTING_ID")), "dealer-1");

  await dealer.send(["", "from dealer"]);
  const [id, empty, body] = await router.recvMultipart();
  assert.equal(decoder.decode(id), "dealer-1");
  assert.equal(empty.length, 0);
  assert.equal(decoder.decode(body), "from dealer");

  await req.send("from req");
  // REQ adds the empty delimiter frame itself
  assert.deepEqual(text(await router.recvMultipart()), ["req-1", "", "from req"]);

  await router.send(["req-1", "", "reply to req"]);
  await router.send([id, "", "reply to dealer"]);
  assert.equal(await req.recvString(), "reply to req");
  assert.deepEqual(text(await dealer.recvMultipart()), ["", "reply to dealer"]);
});

Deno.test("async iteration yields multipart messages and ends when the socket closes", async () => {
  using ctx = new Context();
  using push = ctx.socket("PUSH");
  const pull = ctx.socket("PULL");
  push.bind("inproc://iterate");
  pull.connect("inproc://iterate");
  for (let i = 0; i < 3; i++) await push.send([`k${i}`, `v${i}`]);
  const seen: string[][] = [];
  for await (const frames of pull) {
    seen.push(text(frames));
    if (seen.length === 3) pull.close();
  }
  assert.deepEqual(seen, [["k0", "v0"], ["k1", "v1"], ["k2", "v2"]]);
  assert.ok(pull.closed);
});
