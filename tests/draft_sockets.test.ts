// The DRAFT socket types in one process: each pattern over each transport that takes it, the
// routing ids and groups, the reactor waiting on a zmq_poller's descriptor (pending receives,
// timeouts, poll, close), and a process that exits by itself afterwards. Every wait is bounded.
import assert from "node:assert/strict";
import process from "node:process";
import {
  Context,
  DRAFT_SOCKET_TYPES,
  type Message,
  POLLIN,
  POLLOUT,
  type Socket,
  ZmqError,
} from "../mod.ts";
import { rejectsWith, runFixture, text, within } from "./_util.ts";

const decoder = new TextDecoder();
const body = (m: Message) => decoder.decode(m.frames[0]);

/** UDP ports of this change's range (40000-40999): free ports cannot be probed without flags. */
let udpPort = 40100 + (Deno.pid % 400);
const nextUdpPort = () => udpPort++;

/** A bind and a connect endpoint of each stream transport. */
function endpoints(transport: string, name: string): { bind: string; connect: string } {
  switch (transport) {
    case "tcp":
      return { bind: "tcp://127.0.0.1:*", connect: "" }; // connect: the bound endpoint
    case "ws":
      return { bind: `ws://127.0.0.1:*/${name}`, connect: "" }; // one path segment (libzmq)
    case "ipc": {
      const path = `ipc:///tmp/zmq-deno-draft-${Deno.pid}-${name}`;
      return { bind: path, connect: path };
    }
    default:
      return { bind: `inproc://draft-${name}`, connect: `inproc://draft-${name}` };
  }
}

/** Binds `a` and connects `b` over `transport`. */
function link(a: Socket, b: Socket, transport: string, name: string): void {
  const e = endpoints(transport, name);
  a.bind(e.bind);
  b.connect(e.connect || a.lastEndpoint);
}

for (const transport of ["tcp", "ipc", "inproc", "ws"]) {
  Deno.test(`SERVER/CLIENT over ${transport}: the SERVER answers each CLIENT by its routing id`, async () => {
    await using ctx = new Context({ linger: 0 });
    using server = ctx.socket("SERVER");
    using alice = ctx.socket("CLIENT");
    using bob = ctx.socket("CLIENT");
    link(server, alice, transport, `sc-${transport}`);
    bob.connect(alice.getOption("LAST_ENDPOINT"));
    await alice.send("from alice");
    await bob.send("from bob");
    const got = new Map<string, number>();
    for (let i = 0; i < 2; i++) {
      const m = await within(server.recvMessage(), 5000, "a request");
      assert.equal(m.frames.length, 1);
      assert.equal(typeof m.routingId, "number");
      assert.ok(m.routingId! >= 1 && m.routingId! <= 2 ** 32 - 1);
      got.set(body(m), m.routingId!);
    }
    assert.deepEqual([...got.keys()].sort(), ["from alice", "from bob"]);
    assert.notEqual(got.get("from alice"), got.get("from bob"));
    // answered in the opposite order: each reply still reaches its own client
    await server.send("to bob", { routingId: got.get("from bob") });
    await server.send("to alice", { routingId: got.get("from alice") });
    assert.equal(await within(alice.recvString(), 5000, "alice's reply"), "to alice");
    assert.equal(await within(bob.recvString(), 5000, "bob's reply"), "to bob");
  });
}

for (const transport of ["tcp", "ipc", "inproc", "ws"]) {
  Deno.test(`RADIO/DISH over ${transport}: a DISH gets the groups it joined, and none after leave`, async () => {
    await using ctx = new Context({ linger: 0 });
    using radio = ctx.socket("RADIO");
    using dish = ctx.socket("DISH");
    dish.join("weather");
    link(radio, dish, transport, `rd-${transport}`);
    // joins reach the RADIO asynchronously: it sends until the first message gets through
    const first = await untilReceived(dish, () => radio.send("sun", { group: "weather" }));
    assert.equal(first.group, "weather");
    assert.equal(body(first), "sun");
    // a group not joined is filtered out; messages of one pipe stay in order
    await radio.send("goal", { group: "sports" });
    await radio.send("rain", { group: "weather" });
    let m = await within(dish.recvMessage(), 5000, "the next weather message");
    while (body(m) === "sun") m = await within(dish.recvMessage(), 5000, "past the retries");
    assert.deepEqual([m.group, body(m)], ["weather", "rain"]);

    dish.leave("weather");
    dish.join("news");
    const news = await untilReceived(dish, async () => {
      await radio.send("late weather", { group: "weather" });
      await radio.send("headline", { group: "news" });
    }, (msg) => msg.group === "news");
    assert.equal(body(news), "headline");
    // the leave went to the RADIO before the join: from now on no weather reaches the DISH
    await radio.send("more weather", { group: "weather" });
    await radio.send("end", { group: "news" });
    let next = await within(dish.recvMessage(), 5000, "the end marker");
    while (body(next) === "headline") next = await within(dish.recvMessage(), 5000, "the end");
    assert.deepEqual([next.group, body(next)], ["news", "end"]);
  });
}

/** Calls `send` until `dish` receives a message that `wanted` accepts (at most 500 tries). */
async function untilReceived(
  dish: Socket,
  send: () => Promise<unknown>,
  wanted: (m: Message) => boolean = () => true,
): Promise<Message> {
  for (let i = 0; i < 500; i++) {
    await send();
    try {
      for (;;) {
        const m = await dish.recvMessage({ timeout: 10 });
        if (wanted(m)) return m;
      }
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
    }
  }
  assert.fail("nothing reached the DISH after 500 sends");
}

Deno.test("RADIO/DISH over udp: the DISH binds, the RADIO connects, groups are kept", async () => {
  await using ctx = new Context({ linger: 0 });
  using dish = ctx.socket("DISH");
  using radio = ctx.socket("RADIO");
  const port = nextUdpPort();
  dish.bind(`udp://127.0.0.1:${port}`);
  dish.join("weather");
  radio.connect(`udp://127.0.0.1:${port}`);
  // UDP has no handshake and may drop: send until one arrives
  const m = await untilReceived(dish, async () => {
    await radio.send("goal", { group: "sports" });
    await radio.send("sun", { group: "weather" });
  });
  assert.deepEqual([m.group, body(m)], ["weather", "sun"]);
  // the largest message libzmq's UDP buffer holds: 1 + group + body = 8192 bytes
  const big = new Uint8Array(8192 - 1 - "weather".length).fill(7);
  const got = await untilReceived(
    dish,
    () => radio.send(big, { group: "weather" }),
    (x) => x.frames[0].length > 3,
  );
  assert.deepEqual(got.frames[0], big);
});

Deno.test("RADIO/DISH over udp multicast: a DISH bound to a group address gets what is sent there", async () => {
  await using ctx = new Context({ linger: 0 });
  using dish = ctx.socket("DISH");
  using radio = ctx.socket("RADIO");
  const endpoint = `udp://239.0.0.1:${nextUdpPort()}`; // an administratively scoped group
  dish.bind(endpoint);
  dish.join("weather");
  radio.connect(endpoint);
  const m = await untilReceived(dish, async () => {
    await radio.send("goal", { group: "sports" });
    await radio.send("sun", { group: "weather" });
  });
  assert.deepEqual([m.group, body(m)], ["weather", "sun"]);
});

Deno.test("SCATTER/GATHER: every message reaches one GATHER, over tcp, inproc and ws", async () => {
  await using ctx = new Context({ linger: 0 });
  for (const transport of ["tcp", "inproc", "ws"]) {
    using scatter = ctx.socket("SCATTER");
    using gather = ctx.socket("GATHER");
    link(gather, scatter, transport, "sg");
    for (let i = 0; i < 10; i++) await scatter.send(`part ${i}`);
    const got: string[] = [];
    for (let i = 0; i < 10; i++) got.push(await within(gather.recvString(), 5000, "a part"));
    assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => `part ${i}`));
  }
});

for (const transport of ["tcp", "ws"]) {
  Deno.test(`PEER over ${transport}: connectPeer answers a routing id usable at once; both sides send by it`, async () => {
    await using ctx = new Context({ linger: 0 });
    using a = ctx.socket("PEER");
    using b = ctx.socket("PEER");
    using c = ctx.socket("PEER");
    a.bind(endpoints(transport, "peer").bind);
    const toA = b.connectPeer(a.lastEndpoint);
    const cToA = c.connectPeer(a.lastEndpoint);
    assert.ok(Number.isInteger(toA) && toA > 0);
    await b.send("from b", { routingId: toA }); // queued until connected
    await c.send("from c", { routingId: cToA });
    const seen = new Map<string, number>();
    for (let i = 0; i < 2; i++) {
      const m = await within(a.recvMessage(), 5000, "a peer's message");
      seen.set(body(m), m.routingId!);
      assert.equal(m.get("Socket-Type"), "PEER");
    }
    await a.send("to c", { routingId: seen.get("from c") });
    await a.send("to b", { routingId: seen.get("from b") });
    const atB = await within(b.recvMessage(), 5000, "b's answer");
    assert.deepEqual([body(atB), atB.routingId], ["to b", toA]);
    const atC = await within(c.recvMessage(), 5000, "c's answer");
    assert.deepEqual([body(atC), atC.routingId], ["to c", cToA]);
  });
}

Deno.test("CHANNEL: an exclusive pair of thread-safe sockets, both ways, over tcp, inproc and ws", async () => {
  await using ctx = new Context({ linger: 0 });
  for (const transport of ["tcp", "inproc", "ws"]) {
    using a = ctx.socket("CHANNEL");
    using b = ctx.socket("CHANNEL");
    link(a, b, transport, "channel");
    await b.send("ping");
    assert.equal(await within(a.recvString(), 5000, "ping"), "ping");
    await a.send("pong");
    assert.equal(await within(b.recvString(), 5000, "pong"), "pong");
  }
});

Deno.test("DGRAM over udp: [address, body] out, [sender address, body] in", async () => {
  await using ctx = new Context({ linger: 0 });
  using a = ctx.socket("DGRAM");
  using b = ctx.socket("DGRAM");
  const pa = nextUdpPort();
  const pb = nextUdpPort();
  a.bind(`udp://127.0.0.1:${pa}`);
  b.bind(`udp://127.0.0.1:${pb}`);
  let got: Uint8Array[] | undefined;
  for (let i = 0; i < 100 && got === undefined; i++) {
    await b.send([`127.0.0.1:${pa}`, "hello"]);
    got = await a.recvMultipart({ timeout: 20 }).catch(() => undefined);
  }
  assert.ok(got, "no datagram arrived in 100 tries");
  // libzmq's address frame ends with a NUL byte; sent back as it is, it reaches the sender
  assert.deepEqual(text(got), [`127.0.0.1:${pb}\0`, "hello"]);
  await a.send([text(got)[0], "back"]);
  let back: string[] = [];
  for (let i = 0; i < 100 && back[1] !== "back"; i++) {
    back = text(await within(b.recvMultipart(), 5000, "the answer"));
  }
  assert.deepEqual(back, [`127.0.0.1:${pa}\0`, "back"]);
});

Deno.test("thread-safe sockets wait in the reactor: receives pending before anything was sent", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("SERVER");
  using client = ctx.socket("CLIENT");
  const port = server.bindToRandomPort();
  client.connect(`tcp://127.0.0.1:${port}`);
  // five receives wait on the poller's descriptor; each message must wake one of them, in order
  const pending = Array.from({ length: 5 }, () => server.recvMessage({ timeout: 10_000 }));
  const replies = Array.from({ length: 5 }, () => client.recvString({ timeout: 10_000 }));
  for (let i = 0; i < 5; i++) {
    await client.send(`m${i}`);
    const m = await within(pending[i], 10_000, `message ${i}`);
    assert.equal(body(m), `m${i}`);
    await server.send(`r${i}`, { routingId: m.routingId });
  }
  assert.deepEqual(await within(Promise.all(replies), 10_000, "replies"), [
    "r0",
    "r1",
    "r2",
    "r3",
    "r4",
  ]);
});

Deno.test("thread-safe sockets: poll, a timeout, recv and recvString, close rejecting a wait", async () => {
  await using ctx = new Context({ linger: 0 });
  using gather = ctx.socket("GATHER");
  using scatter = ctx.socket("SCATTER");
  gather.bind("inproc://ts-poll");
  scatter.connect("inproc://ts-poll");
  assert.equal(await gather.poll(POLLIN, 10), 0);
  assert.equal(await scatter.poll(POLLOUT, 1000), POLLOUT);
  await rejectsWith(gather.recv({ timeout: 20 }), "EAGAIN");
  const polled = gather.poll(POLLIN, 10_000);
  await scatter.send(new Uint8Array([1, 2, 3]));
  assert.equal(await within(polled, 10_000, "poll"), POLLIN);
  assert.deepEqual(await gather.recv(), new Uint8Array([1, 2, 3]));
  await scatter.send("text");
  assert.equal(await gather.recvString(), "text");
  const waiting = gather.recvMessage();
  gather.close();
  await rejectsWith(waiting, "ECLOSED");
  await rejectsWith(gather.recvMessage(), "ECLOSED");
});

Deno.test("every DRAFT type opens, reports its type, and closes", async () => {
  await using ctx = new Context({ linger: 0 });
  for (const type of Object.keys(DRAFT_SOCKET_TYPES) as (keyof typeof DRAFT_SOCKET_TYPES)[]) {
    const s = ctx.socket(type);
    assert.equal(s.type, type);
    assert.equal(s.getOption("TYPE"), DRAFT_SOCKET_TYPES[type]);
    assert.equal(s.getOption("THREAD_SAFE"), type !== "DGRAM");
    s.close();
    assert.equal(s.closed, true);
  }
});

Deno.test("a DRAFT socket of an adopted context works, and its owner's close reaps it", async () => {
  const owner = new Context({ linger: 0 });
  const adopted = Context.adopt(owner.handle);
  const server = owner.socket("SERVER");
  server.bind("inproc://adopted-draft");
  const client = adopted.socket("CLIENT");
  client.connect("inproc://adopted-draft");
  await client.send("from the adopter");
  const m = await within(server.recvMessage(), 5000, "the adopter's message");
  await server.send("back", { routingId: m.routingId });
  assert.equal(await within(client.recvString(), 5000, "the answer"), "back");
  const waiting = client.recv().then(() => null, (e) => e);
  await owner.terminate(); // closes the adopter's CLIENT too (its poller is left, not touched)
  const e = await within(waiting, 5000, "the reaped receive");
  assert.ok(e instanceof ZmqError && e.code === "ETERM", String(e));
  assert.equal(client.closed, true);
  adopted.close();
});

Deno.test("a program that used DRAFT sockets exits by itself", async () => {
  const r = await runFixture("draft_exit.ts", { timeout: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split("\n"), ["world", "timed out", "done"]);
});

Deno.test("an idle wait on a thread-safe socket sleeps: its poller's signal is drained", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("SERVER");
  using client = ctx.socket("CLIENT");
  const port = server.bindToRandomPort();
  client.connect(`tcp://127.0.0.1:${port}`);
  await client.send("wake");
  await within(server.recvMessage(), 5000, "the first message"); // commands reached the socket
  // A signal left in the poller's descriptor would make every poll return at once: the reactor
  // would spin for the whole wait, on the JS thread and the pool. Asleep, it costs nothing.
  const before = process.cpuUsage();
  const started = performance.now();
  await rejectsWith(server.recvMessage({ timeout: 400 }), "EAGAIN");
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(before);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  assert.ok(cpuMs < wallMs * 0.3, `${Math.round(cpuMs)} ms of CPU in ${Math.round(wallMs)} ms`);
});
