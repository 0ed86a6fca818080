// Readiness answers exactly what was asked: Socket.poll(POLLIN) on a socket that can send does
// not answer POLLOUT, whether it answers at once or after waiting, and a Poller reports a
// writable socket registered for POLLIN only when a message is there.
import assert from "node:assert/strict";
import { Context, Poller, POLLIN, POLLOUT, type Socket, type SocketType } from "../mod.ts";
import { within } from "./_util.ts";

/** A connected socket of `type` (a PAIR's peer is a PAIR, a DEALER's a ROUTER), and its peer. */
interface Link extends Disposable {
  /** The socket under test: connected, so it can send. */
  socket: Socket;
  /** Sends `text` from the peer to the socket. */
  sendToSocket(text: string): Promise<void>;
}

async function writable(ctx: Context, type: "PAIR" | "DEALER", name: string): Promise<Link> {
  const peerType: SocketType = type === "PAIR" ? "PAIR" : "ROUTER";
  const peer = ctx.socket(peerType);
  const socket = ctx.socket(type);
  peer.bind(`inproc://${name}`);
  socket.connect(`inproc://${name}`);
  // one message each way proves the pipe is up (a ROUTER learns the DEALER's id from it)
  await socket.send("hello");
  const id = type === "DEALER" ? (await peer.recvMultipart({ timeout: 5000 }))[0] : null;
  if (id === null) await peer.recv({ timeout: 5000 });
  return {
    socket,
    sendToSocket: (text) => peer.send(id === null ? text : [id, text]),
    [Symbol.dispose]() {
      socket.close();
      peer.close();
    },
  };
}

for (const type of ["PAIR", "DEALER"] as const) {
  Deno.test(`Socket.poll on a writable ${type}: POLLIN is not answered with POLLOUT`, async () => {
    using ctx = new Context({ linger: 0 });
    using link = await writable(ctx, type, `readiness-${type}`);
    const { socket, sendToSocket } = link;
    assert.equal(await socket.poll(POLLOUT, 0), POLLOUT, "it can send");
    assert.equal(await socket.poll(POLLIN, 0), 0, "nothing to read: POLLIN at once");
    assert.equal(await socket.poll(POLLIN, 30), 0, "nothing to read: POLLIN after waiting");
    assert.equal(await socket.poll(POLLIN | POLLOUT, 0), POLLOUT, "both asked: only POLLOUT");

    // a poll waiting for POLLIN is answered with POLLIN alone once a message comes
    const waiting = socket.poll(POLLIN, 5000);
    await sendToSocket("one");
    assert.equal(await within(waiting, 6000, "poll(POLLIN)"), POLLIN, "waited: POLLIN only");
    assert.equal(await socket.poll(POLLIN, 0), POLLIN, "at once: POLLIN only");
    assert.equal(await socket.poll(POLLIN | POLLOUT, 0), POLLIN | POLLOUT, "both asked: both");
    assert.equal(await socket.poll(POLLOUT, 0), POLLOUT, "POLLOUT asked: POLLOUT only");
    assert.equal(await socket.recvString({ timeout: 0 }), "one");
    assert.equal(await socket.poll(POLLIN, 0), 0, "read: nothing left");
  });
}

Deno.test("Poller: a writable socket registered for POLLIN is ready only with a message", async () => {
  using ctx = new Context({ linger: 0 });
  using link = await writable(ctx, "PAIR", "readiness-poller");
  const { socket, sendToSocket } = link;
  const poller = new Poller();
  poller.register(socket, POLLIN);
  assert.equal((await poller.poll(0)).size, 0, "at once");
  assert.equal((await poller.poll(30)).size, 0, "after waiting");
  poller.register(socket, POLLIN | POLLOUT);
  assert.deepEqual([...await poller.poll(0)], [[socket, POLLOUT]], "both asked: POLLOUT");
  poller.register(socket, POLLIN);
  const waiting = poller.poll(5000);
  await sendToSocket("one");
  const ready: Map<Socket, number> = await within(waiting, 6000, "Poller.poll");
  assert.deepEqual([...ready], [[socket, POLLIN]], "a message: POLLIN only");
  assert.equal(await socket.recvString({ timeout: 0 }), "one");
});
