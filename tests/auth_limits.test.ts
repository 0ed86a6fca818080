// The secure-server helpers bound what a peer may send: 1 MiB frames by default (CURVE's framing
// on top), overridable. A stranger with no key who announces a huge frame before the handshake
// is cut off at the frame's header instead of being buffered.
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  curveKeypair,
  DEFAULT_MAX_MESSAGE_SIZE,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  type Socket,
  waitForEvent,
} from "../mod.ts";
import { rejectsWith, throwsWith } from "./_util.ts";

const MiB = 1024 * 1024;

/** Sends `size` bytes and proves they arrive whole. */
async function delivered(push: Socket, pull: Socket, size: number): Promise<void> {
  const body = new Uint8Array(size).fill(7);
  await push.send(body);
  const got = await pull.recv({ timeout: 10_000 });
  assert.equal(got.length, size);
  assert.ok(got.every((b) => b === 7));
}

/** Sends `size` bytes and proves the server drops the connection instead of taking them. */
async function refused(push: Socket, pull: Socket, size: number): Promise<void> {
  const dropped = waitForEvent(pull, "disconnected", { timeout: 10_000 });
  await push.send(new Uint8Array(size));
  await dropped;
  await rejectsWith(pull.recv({ timeout: 200 }), "EAGAIN");
}

Deno.test("makeCurveServer: a 1 MiB frame arrives, one byte more drops the connection", async () => {
  assert.equal(DEFAULT_MAX_MESSAGE_SIZE, MiB);
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configureCurve({ allowAny: true });
  const server = curveKeypair();
  using pull = ctx.socket("PULL");
  makeCurveServer(pull, server);
  assert.equal(pull.getOption("MAXMSGSIZE"), BigInt(MiB + 33)); // CURVE adds 33 bytes a frame
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  makeCurveClient(push, server.publicKey);
  push.connect(`tcp://127.0.0.1:${port}`);
  await delivered(push, pull, MiB);
  await refused(push, pull, MiB + 1);
});

Deno.test("makePlainServer: the same limit; maxMessageSize raises it, -1 lifts it", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configurePlain({ passwords: { u: "p" } });
  using pull = ctx.socket("PULL");
  makePlainServer(pull);
  assert.equal(pull.getOption("MAXMSGSIZE"), BigInt(MiB));
  const port = pull.bindToRandomPort();
  using push = ctx.socket("PUSH");
  makePlainClient(push, "u", "p");
  push.connect(`tcp://127.0.0.1:${port}`);
  await delivered(push, pull, MiB);
  await refused(push, pull, MiB + 1);

  using big = ctx.socket("PULL");
  makePlainServer(big, { maxMessageSize: 4 * MiB });
  assert.equal(big.getOption("MAXMSGSIZE"), BigInt(4 * MiB));
  using none = ctx.socket("PULL");
  makePlainServer(none, { maxMessageSize: -1 });
  assert.equal(none.getOption("MAXMSGSIZE"), -1n);
  const nonePort = none.bindToRandomPort();
  using push2 = ctx.socket("PUSH");
  makePlainClient(push2, "u", "p");
  push2.connect(`tcp://127.0.0.1:${nonePort}`);
  await delivered(push2, none, 3 * MiB);
});

Deno.test("server helpers: a MAXMSGSIZE set before is kept; bad limits are EBADVALUE", async () => {
  await using ctx = new Context({ linger: 0 });
  using s = ctx.socket("REP");
  s.setOption("MAXMSGSIZE", 4096);
  makeCurveServer(s, curveKeypair());
  assert.equal(s.getOption("MAXMSGSIZE"), 4096n);
  makeCurveServer(s, curveKeypair(), { maxMessageSize: 2048 }); // asked for: applied
  assert.equal(s.getOption("MAXMSGSIZE"), BigInt(2048 + 33));
  for (const bad of [0, 100, 1023, -2, 1.5, Number.NaN, Infinity, 2 ** 53, "1024", null]) {
    throwsWith(
      () => makeCurveServer(s, curveKeypair(), { maxMessageSize: bad as number }),
      "EBADVALUE",
    );
    throwsWith(() => makePlainServer(s, { maxMessageSize: bad as number }), "EBADVALUE");
  }
  throwsWith(() => makePlainServer(s, null as unknown as object), "EBADVALUE");
  throwsWith(() => makePlainServer(s, { domain: 7 as unknown as string }), "EBADVALUE");
});

Deno.test("a keyless stranger announcing a 4 GiB frame before the handshake is cut off", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configureCurve({ publicKeys: [curveKeypair().publicKey] });
  using pull = ctx.socket("PULL");
  makeCurveServer(pull, curveKeypair());
  const port = pull.bindToRandomPort();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const greeting = new Uint8Array(64); // ZMTP 3.0, mechanism CURVE, as a client
    greeting.set([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0]);
    greeting.set(new TextEncoder().encode("CURVE"), 12);
    const header = new Uint8Array(9); // a command frame of 4 GiB follows
    header[0] = 0x06;
    new DataView(header.buffer).setBigUint64(1, 4n << 30n);
    await conn.write(greeting);
    await conn.write(header);
    await conn.write(new Uint8Array(64 * 1024)); // the start of the body
    // the server answers its greeting, then closes: read to the end (bounded)
    const timer = setTimeout(() => conn.close(), 5000);
    let total = 0;
    let closedByServer = false;
    try {
      const buf = new Uint8Array(4096);
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) {
          closedByServer = true;
          break;
        }
        total += n;
      }
    } catch (e) {
      closedByServer = e instanceof Deno.errors.ConnectionReset;
    } finally {
      clearTimeout(timer);
    }
    assert.ok(closedByServer, `the server kept the connection open (${total} bytes read)`);
  } finally {
    try {
      conn.close();
    } catch {
      // closed above
    }
  }
});
