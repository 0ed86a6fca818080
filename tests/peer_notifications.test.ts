// Who connects and leaves (libzmq 4.3.5's DRAFT options): ROUTER_NOTIFY, HELLO_MSG,
// DISCONNECT_MSG (to the side that accepted the connection) and HICCUP_MSG (to the side that
// made it); a ROUTER's view of one peer's queue (zmq_socket_get_peer_state). Waits end on the messages themselves or on monitor events; a short receive timeout
// only confirms that nothing more came after the last expected message.
import assert from "node:assert/strict";
import { Context, POLLOUT, type Socket, waitForEvent } from "../mod.ts";
import { rejectsWith, text, throwsWith, within } from "./_util.ts";

const decoder = new TextDecoder();

async function next(socket: Socket, what: string): Promise<string[]> {
  return text(await within(socket.recvMultipart(), 5000, what));
}

for (const transport of ["tcp", "ipc"]) {
  Deno.test(`ROUTER_NOTIFY over ${transport}: a ROUTER learns of a peer's arrival and departure`, async () => {
    await using ctx = new Context({ linger: 0 });
    using router = ctx.socket("ROUTER");
    router.setOption("ROUTER_NOTIFY", 3); // ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT
    assert.equal(router.getOption("ROUTER_NOTIFY"), 3);
    const endpoint = transport === "tcp"
      ? `tcp://127.0.0.1:${router.bindToRandomPort()}`
      : `ipc:///tmp/zmq-deno-notify-${Deno.pid}`;
    if (transport === "ipc") router.bind(endpoint);
    const dealer = ctx.socket("DEALER");
    dealer.setOption("ROUTING_ID", "worker-1");
    dealer.connect(endpoint);
    assert.deepEqual(await next(router, "the arrival"), ["worker-1", ""]);
    await dealer.send("work");
    assert.deepEqual(await next(router, "the message"), ["worker-1", "work"]);
    dealer.close();
    assert.deepEqual(await next(router, "the departure"), ["worker-1", ""]);
  });
}

Deno.test("ROUTER_NOTIFY 2 tells departures only; the option's range is checked", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  router.setOption("ROUTER_NOTIFY", 2);
  const port = router.bindToRandomPort();
  const dealer = ctx.socket("DEALER");
  dealer.setOption("ROUTING_ID", "d");
  dealer.connect(`tcp://127.0.0.1:${port}`);
  await dealer.send("first");
  assert.deepEqual(await next(router, "the first message"), ["d", "first"]); // no arrival
  dealer.close();
  assert.deepEqual(await next(router, "the departure"), ["d", ""]);
  throwsWith(() => router.setOption("ROUTER_NOTIFY", 4), "EINVAL");
  throwsWith(() => router.setOption("ROUTER_NOTIFY", -1), "EINVAL");
});

Deno.test("HELLO_MSG: each new peer gets the socket's hello first, again after a reconnect", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  router.setOption("HELLO_MSG", "welcome");
  const port = router.bindToRandomPort();
  for (const id of ["a", "b"]) {
    using dealer = ctx.socket("DEALER");
    dealer.setOption("ROUTING_ID", id);
    dealer.setOption("HELLO_MSG", `hi from ${id}`);
    dealer.connect(`tcp://127.0.0.1:${port}`);
    assert.deepEqual(await next(dealer, "the ROUTER's hello"), ["welcome"]);
    assert.deepEqual(await next(router, "the DEALER's hello"), [id, `hi from ${id}`]);
  }
  throwsWith(() => router.getOption("HELLO_MSG"), "EWRITEONLY");
});

Deno.test("HELLO_MSG between a SERVER and a CLIENT, both ways", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("SERVER");
  server.setOption("HELLO_MSG", "hello client");
  const port = server.bindToRandomPort();
  using client = ctx.socket("CLIENT");
  client.setOption("HELLO_MSG", "hello server");
  client.connect(`tcp://127.0.0.1:${port}`);
  assert.equal(await within(client.recvString(), 5000, "the SERVER's hello"), "hello client");
  const m = await within(server.recvMessage(), 5000, "the CLIENT's hello");
  assert.equal(decoder.decode(m.frames[0]), "hello server");
  await server.send("reply", { routingId: m.routingId }); // its routing id is the client's
  assert.equal(await within(client.recvString(), 5000, "the reply"), "reply");
});

for (const transport of ["tcp", "inproc"]) {
  Deno.test(`DISCONNECT_MSG over ${transport}: a SERVER learns that its CLIENT went away`, async () => {
    await using ctx = new Context({ linger: 0 });
    using server = ctx.socket("SERVER");
    server.setOption("DISCONNECT_MSG", "client left");
    const endpoint = transport === "tcp"
      ? `tcp://127.0.0.1:${server.bindToRandomPort()}`
      : "inproc://disconnect-msg";
    if (transport === "inproc") server.bind(endpoint);
    const client = ctx.socket("CLIENT");
    client.connect(endpoint);
    await client.send("hello");
    const hello = await within(server.recvMessage(), 5000, "the hello");
    client.close();
    const gone = await within(server.recvMessage(), 5000, "the disconnect message");
    assert.equal(decoder.decode(gone.frames[0]), "client left");
    assert.equal(gone.routingId, hello.routingId); // as if the client had sent it
  });
}

Deno.test("DISCONNECT_MSG on a ROUTER comes after its departure notification", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  router.setOption("ROUTER_NOTIFY", 2);
  router.setOption("DISCONNECT_MSG", "gone");
  const port = router.bindToRandomPort();
  const dealer = ctx.socket("DEALER");
  dealer.setOption("ROUTING_ID", "w");
  dealer.connect(`tcp://127.0.0.1:${port}`);
  await dealer.send("up");
  assert.deepEqual(await next(router, "the message"), ["w", "up"]);
  dealer.close();
  assert.deepEqual(await next(router, "the departure"), ["w", ""]);
  assert.deepEqual(await next(router, "the disconnect message"), ["w", "gone"]);
});

for (const type of ["CLIENT", "DEALER"] as const) {
  Deno.test(`HICCUP_MSG: a ${type} gets it when its server goes away`, async () => {
    await using ctx = new Context({ linger: 0 });
    const server = ctx.socket(type === "CLIENT" ? "SERVER" : "ROUTER");
    const port = server.bindToRandomPort();
    using client = ctx.socket(type);
    client.setOption("HICCUP_MSG", "server hiccup");
    const up = waitForEvent(server, "handshake_succeeded", { timeout: 5000 });
    client.connect(`tcp://127.0.0.1:${port}`);
    await up;
    server.close();
    assert.equal(await within(client.recvString(), 5000, "the hiccup"), "server hiccup");
  });
}

Deno.test("DISCONNECT_MSG is for accepted connections: a ROUTER that connected gets none", async () => {
  await using ctx = new Context({ linger: 0 });
  const server = ctx.socket("ROUTER");
  const port = server.bindToRandomPort();
  using router = ctx.socket("ROUTER");
  router.setOption("DISCONNECT_MSG", "gone");
  router.setOption("ROUTER_NOTIFY", 3);
  router.connect(`tcp://127.0.0.1:${port}`);
  const [id, empty] = await next(router, "the arrival");
  assert.equal(empty, "");
  server.close();
  assert.deepEqual(await next(router, "the departure"), [id, ""]);
  // an accepted connection's DISCONNECT_MSG follows its departure at once (test above)
  await rejectsWith(router.recv({ timeout: 300 }), "EAGAIN");
});

Deno.test("peerState: a ROUTER sees its peer's queue fill and drain", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  router.setOption("ROUTER_MANDATORY", true); // a full queue answers EAGAIN instead of dropping
  router.setOption("SNDHWM", 1);
  router.bind("inproc://peer-state");
  using dealer = ctx.socket("DEALER");
  dealer.setOption("ROUTING_ID", "worker-1");
  dealer.setOption("RCVHWM", 1);
  dealer.connect("inproc://peer-state");
  await dealer.send("ready");
  assert.deepEqual(await next(router, "the dealer's hello"), ["worker-1", "ready"]);
  assert.equal(router.peerState("worker-1"), POLLOUT);
  assert.equal(router.peerState(new TextEncoder().encode("worker-1")), POLLOUT); // bytes too
  throwsWith(() => router.peerState("nobody"), "EHOSTUNREACH");

  // fill the dealer's queue: the sends that fit, then one that would wait
  let queued = 0;
  for (; queued < 100; queued++) {
    const sent = await router.send(["worker-1", `job ${queued}`], { timeout: 0 }).then(
      () => true,
      (e) => (e as { code?: string }).code === "EAGAIN" ? false : Promise.reject(e),
    );
    if (!sent) break;
  }
  assert.ok(queued >= 1 && queued < 100, `${queued} sends fit`);
  assert.equal(router.peerState("worker-1"), 0); // full: a send to it would wait
  for (let i = 0; i < queued; i++) {
    assert.deepEqual(await next(dealer, "a queued job"), [`job ${i}`]);
  }
  assert.equal(router.peerState("worker-1"), POLLOUT); // drained: it takes messages again
});

Deno.test("peerState: a peer that left is unreachable once the ROUTER let go of it", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  router.setOption("ROUTER_NOTIFY", 2); // tells the departure (over tcp: inproc has no notices)
  const port = router.bindToRandomPort();
  const dealer = ctx.socket("DEALER");
  dealer.setOption("ROUTING_ID", "worker-1");
  dealer.connect(`tcp://127.0.0.1:${port}`);
  await dealer.send("ready");
  assert.deepEqual(await next(router, "the dealer's hello"), ["worker-1", "ready"]);
  assert.equal(router.peerState("worker-1"), POLLOUT);
  dealer.close();
  assert.deepEqual(await next(router, "the departure"), ["worker-1", ""]);
  // the pipe goes after it: the ROUTER reads past its end, then libzmq's pipe and session trade
  // their last commands (the receives below let the ROUTER process them)
  const reachable = () => {
    try {
      return router.peerState("worker-1") === POLLOUT;
    } catch (e) {
      if ((e as { code?: string }).code === "EHOSTUNREACH") return false;
      throw e;
    }
  };
  for (let i = 0; i < 100 && reachable(); i++) {
    await rejectsWith(router.recv({ timeout: 20 }), "EAGAIN");
  }
  throwsWith(() => router.peerState("worker-1"), "EHOSTUNREACH");
});

Deno.test("peerState: ROUTER only, routing ids of 1 to 255 bytes", async () => {
  await using ctx = new Context({ linger: 0 });
  using dealer = ctx.socket("DEALER");
  throwsWith(() => dealer.peerState("x"), "ENOTSUP");
  using router = ctx.socket("ROUTER");
  for (const bad of ["", "x".repeat(256), 7, null, new Uint8Array(0)]) {
    throwsWith(() => router.peerState(bad as string), "EBADVALUE");
  }
  router.close();
  throwsWith(() => router.peerState("x"), "ECLOSED");
});
