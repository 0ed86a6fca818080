// waitForEvent and connectAndWait when the handshake fails: they reject with EHANDSHAKE at the
// failure, naming the event, its value and the endpoint, on both sides of the connection;
// they do not wait for their timeout (that would be EAGAIN).
import assert from "node:assert/strict";
import {
  Authenticator,
  connectAndWait,
  Context,
  curveKeypair,
  makeCurveClient,
  makeCurveServer,
  makePlainClient,
  makePlainServer,
  waitForEvent,
} from "../mod.ts";
import { rejectsWith } from "./_util.ts";

/** libzmq's ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC: a CURVE message that does not decrypt. */
const ZMTP_CRYPTOGRAPHIC = 0x11000001;
const BOUND = { timeout: 10_000 }; // a bound on a hang: these must end long before it

Deno.test("waitForEvent: a CURVE client with the wrong server key gets EHANDSHAKE on both sides", async () => {
  await using ctx = new Context({ linger: 0 });
  const serverKeys = curveKeypair();
  using server = ctx.socket("PULL");
  makeCurveServer(server, serverKeys);
  const endpoint = `tcp://127.0.0.1:${server.bindToRandomPort()}`;
  using client = ctx.socket("PUSH");
  makeCurveClient(client, curveKeypair().publicKey); // not the server's key

  const serverSide = waitForEvent(server, "handshake_succeeded", BOUND);
  const clientSide = connectAndWait(client, endpoint, BOUND);
  const [s, c] = await Promise.all([
    rejectsWith(serverSide, "EHANDSHAKE"),
    rejectsWith(clientSide, "EHANDSHAKE"),
  ]);
  // the server could not decrypt the client's HELLO: a protocol error, with libzmq's code
  assert.match(s.message, /handshake_failed_protocol/);
  assert.match(s.message, new RegExp(`value ${ZMTP_CRYPTOGRAPHIC}\\b`));
  assert.match(s.endpoint ?? "", /^tcp:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s.op, "waitForEvent");
  // the client only sees the connection dropped in mid-handshake
  assert.match(c.message, /handshake_failed_no_detail/);
  assert.equal(c.endpoint, endpoint);
  assert.ok(!`${s.message} ${c.message}`.includes(serverKeys.secretKey), "no secret in an error");
});

Deno.test("waitForEvent: a PLAIN password refused by ZAP is EHANDSHAKE (status 400) on both sides", async () => {
  await using ctx = new Context({ linger: 0 });
  await using auth = await new Authenticator(ctx).start();
  auth.configurePlain({ passwords: { admin: "s3cret" } });
  using server = ctx.socket("PULL");
  makePlainServer(server);
  const endpoint = `tcp://127.0.0.1:${server.bindToRandomPort()}`;

  using guesser = ctx.socket("PUSH");
  makePlainClient(guesser, "admin", "guess-1234");
  const serverSide = waitForEvent(server, "handshake_succeeded", BOUND);
  const clientSide = connectAndWait(guesser, endpoint, BOUND);
  const [s, c] = await Promise.all([
    rejectsWith(serverSide, "EHANDSHAKE"),
    rejectsWith(clientSide, "EHANDSHAKE"),
  ]);
  for (const e of [s, c]) {
    assert.match(e.message, /handshake_failed_auth \(value 400\)/);
    assert.doesNotMatch(e.message, /guess-1234|s3cret/); // no secret in an error
  }

  // the right password: the same calls resolve with the success
  using admin = ctx.socket("PUSH");
  makePlainClient(admin, "admin", "s3cret");
  const ok = waitForEvent(server, "handshake_succeeded", BOUND);
  assert.equal((await connectAndWait(admin, endpoint, BOUND)).event, "handshake_succeeded");
  assert.equal((await ok).event, "handshake_succeeded");
  await admin.send("in");
  assert.equal(await server.recvString(BOUND), "in");
});

Deno.test("waitForEvent: a failed handshake is not an error when waiting for another event", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("PULL");
  makeCurveServer(server, curveKeypair());
  const endpoint = `tcp://127.0.0.1:${server.bindToRandomPort()}`;
  using client = ctx.socket("PUSH");
  makeCurveClient(client, curveKeypair().publicKey);
  // the failure comes between "connected" and "disconnected": neither waiter rejects
  const dropped = waitForEvent(client, "disconnected", BOUND);
  const connected = await connectAndWait(client, endpoint, { ...BOUND, until: "connected" });
  assert.equal(connected.event, "connected");
  assert.equal((await dropped).event, "disconnected");
});
