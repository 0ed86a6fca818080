// The Poller with plain file descriptors beside sockets (pyzmq's Poller takes fds): TCP
// sockets of Deno's own, whose descriptors are found through /proc, become ready for reading
// and writing, wait in the same reactor as the sockets, and report hang-ups and closed
// descriptors as POLLERR instead of hanging.
import assert from "node:assert/strict";
import {
  Context,
  fdReadiness,
  type Pollable,
  Poller,
  POLLERR,
  POLLIN,
  POLLOUT,
  waitFd,
} from "../mod.ts";
import { reactor } from "../core/_reactor.ts";
import { pipe, tcpSocketFd, throwsWith, within } from "./_util.ts";

/** A connected pair of Deno TCP streams, and the descriptor of the client end. */
async function tcpPair(): Promise<{ client: Deno.TcpConn; server: Deno.TcpConn; fd: number }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await accepted;
  return { client, server, fd: tcpSocketFd(client.localAddr.port, false) };
}

Deno.test("poller: a descriptor is reported beside sockets, ready to write and to read", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-fd");
  const { client, server, fd } = await tcpPair();
  const poller = new Poller<Pollable>();
  poller.register(pull, POLLIN);
  poller.register(fd, POLLIN);
  assert.equal((await poller.poll(0)).size, 0);
  // writable at once: asked for POLLOUT as well, it is answered with POLLOUT only
  poller.register(fd, POLLIN | POLLOUT);
  assert.deepEqual([...await poller.poll(1000)], [[fd, POLLOUT]]);
  poller.modify(fd, POLLIN);
  // the poll waits (in the reactor) until the peer writes
  const waiting = poller.poll(5000);
  await server.write(new TextEncoder().encode("bytes"));
  assert.deepEqual([...await within(waiting, 5000, "fd poll")], [[fd, POLLIN]]);
  // a socket and the descriptor ready together: both, in registration order
  await push.send("message");
  assert.deepEqual([...await poller.poll(1000)], [[pull, POLLIN], [fd, POLLIN]]);
  const buf = new Uint8Array(16);
  assert.equal(await client.read(buf), 5);
  assert.deepEqual([...await poller.poll(0)], [[pull, POLLIN]]);
  assert.equal(reactor.polling, false, "a finished poll left a wait behind");
  client.close();
  server.close();
  push.close();
  pull.close();
});

Deno.test("poller: the socket wins while the descriptor stays quiet, and the reverse", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "poller-fd-race");
  const { client, server, fd } = await tcpPair();
  const poller = new Poller<Pollable>();
  poller.register(fd, POLLIN);
  poller.register(pull, POLLIN);
  const first = poller.poll(5000);
  await push.send("first");
  assert.deepEqual([...await within(first, 5000, "socket side")], [[pull, POLLIN]]);
  await pull.recv();
  const second = poller.poll(5000);
  await server.write(Uint8Array.of(1));
  assert.deepEqual([...await within(second, 5000, "fd side")], [[fd, POLLIN]]);
  client.close();
  server.close();
  push.close();
  pull.close();
});

Deno.test("poller: a listening descriptor is readable once a connection is pending", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const fd = tcpSocketFd(listener.addr.port);
  const poller = new Poller<Pollable>();
  poller.register(fd, POLLIN);
  assert.equal((await poller.poll(20)).size, 0);
  const waiting = poller.poll(5000);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  assert.deepEqual([...await within(waiting, 5000, "listener poll")], [[fd, POLLIN]]);
  using accepted = await listener.accept();
  assert.equal((await poller.poll(0)).size, 0);
  conn.close();
  accepted.close();
});

Deno.test("waitFd: a hang-up and a descriptor that is not open end with POLLERR, not a hang", async () => {
  const { client, server, fd } = await tcpPair();
  server.close();
  // the peer's FIN: readable (the end of the stream)
  assert.equal((await within(waitFd(fd, POLLIN), 5000, "EOF")) & POLLIN, POLLIN);
  client.close();
  // not open (any more): POLLERR at once, however long the wait asked for
  assert.equal(fdReadiness(fd, POLLIN), POLLERR);
  assert.equal(await within(waitFd(fd, POLLIN), 5000, "closed fd"), POLLERR);
  const poller = new Poller<Pollable>();
  poller.register(1_000_000, POLLIN);
  assert.deepEqual([...await within(poller.poll(), 5000, "not open")], [[1_000_000, POLLERR]]);
});

Deno.test("waitFd: timeouts answer 0, aborts reject, bad arguments are EBADVALUE", async () => {
  const { client, server, fd } = await tcpPair();
  const started = performance.now();
  assert.equal(await waitFd(fd, POLLIN, { timeout: 50 }), 0);
  assert.ok(performance.now() - started >= 40, "timed out early");
  assert.equal(await waitFd(fd, POLLIN, { timeout: 0 }), 0);
  const controller = new AbortController();
  const aborted = waitFd(fd, POLLIN, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  assert.equal(reactor.polling, false);
  throwsWith(() => fdReadiness(-1, POLLIN), "EBADVALUE");
  throwsWith(() => fdReadiness(1.5, POLLIN), "EBADVALUE");
  throwsWith(() => fdReadiness(fd, 8), "EBADVALUE");
  await assert.rejects(waitFd("3" as never, POLLIN), /file descriptor is an integer/);
  await assert.rejects(waitFd(fd, POLLIN, { timeout: -5 }), /timeout must be/);
  const poller = new Poller<Pollable>();
  throwsWith(() => poller.register(-3, POLLIN), "EBADVALUE");
  throwsWith(() => poller.register(2 ** 31, POLLIN), "EBADVALUE");
  throwsWith(() => poller.modify(7, POLLIN), "EINVAL");
  client.close();
  server.close();
});

Deno.test("waitFd: a descriptor whose send buffer is full is reported once it drains", async () => {
  const { client, server, fd } = await tcpPair();
  // fill the connection until the client's descriptor is no longer writable
  const chunk = new Uint8Array(1 << 20);
  const writes: Promise<number>[] = [];
  for (let i = 0; i < 256 && fdReadiness(fd, POLLOUT) !== 0; i++) {
    writes.push(client.write(chunk));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(fdReadiness(fd, POLLOUT), 0, "the send buffer never filled");
  // waiting (in the reactor) for POLLOUT while the peer drains the connection
  const writable = waitFd(fd, POLLOUT, { timeout: 10_000 });
  const buf = new Uint8Array(1 << 20);
  let drained = 0;
  const reading = (async () => {
    while (drained < writes.length * chunk.length) {
      const n = await server.read(buf);
      if (n === null) break;
      drained += n;
    }
  })();
  assert.equal(await within(writable, 10_000, "POLLOUT"), POLLOUT);
  await Promise.all(writes);
  await reading;
  client.close();
  server.close();
});
