// Helpers of the authenticator tests. A handshake's outcome is read from the server's monitor:
// the wait ends on the event, and its timeout only bounds a regression.
import assert from "node:assert/strict";
import {
  type Context,
  type CurveKeypair,
  curveKeypair,
  makeCurveClient,
  makeCurveServer,
  type MonitorEvent,
  type Socket,
  waitForEvent,
} from "../mod.ts";
import { rejectsWith } from "./_util.ts";

const OUTCOMES = [
  "handshake_succeeded",
  "handshake_failed_auth",
  "handshake_failed_no_detail",
  "handshake_failed_protocol",
] as const;

/** Connects `client` to `endpoint`, sends `text`, and answers the server's handshake outcome. */
export async function handshake(
  server: Socket,
  client: Socket,
  endpoint: string,
  text = "let me in",
): Promise<MonitorEvent> {
  const outcome = waitForEvent(server, [...OUTCOMES], { timeout: 5000 });
  client.connect(endpoint);
  await client.send(text); // queued on the client's pipe until the handshake is over
  return await outcome;
}

/** Proves that `client` is refused by the authenticator and that `text` never arrives. */
export async function assertRefused(
  server: Socket,
  client: Socket,
  endpoint: string,
  text = "let me in",
  status: number | null = 400,
): Promise<MonitorEvent> {
  const e = await handshake(server, client, endpoint, text);
  assert.equal(e.event, "handshake_failed_auth", `expected a refusal, got ${e.event}`);
  if (status !== null) assert.equal(e.value, status); // the ZAP status code
  await rejectsWith(server.recv({ timeout: 200 }), "EAGAIN");
  return e;
}

/** Proves that `client` gets in: `text` arrives at `server`. */
export async function assertAdmitted(
  server: Socket,
  client: Socket,
  endpoint: string,
  text = "let me in",
): Promise<void> {
  const e = await handshake(server, client, endpoint, text);
  assert.equal(e.event, "handshake_succeeded", `expected to get in, got ${e.event} ${e.value}`);
  assert.equal(new TextDecoder().decode(await server.recv({ timeout: 5000 })), text);
}

/**
 * A CURVE PULL server on a random tcp port and a PUSH client that knows its key (with
 * `clientKeys`, or a fresh pair), not connected yet. Close both (or the context) when done.
 */
export function curvePushPull(ctx: Context, clientKeys?: CurveKeypair) {
  const keys = curveKeypair();
  const server = ctx.socket("PULL");
  makeCurveServer(server, keys);
  const endpoint = `tcp://127.0.0.1:${server.bindToRandomPort()}`;
  const client = ctx.socket("PUSH");
  makeCurveClient(client, keys.publicKey, clientKeys);
  return { server, client, endpoint, serverKey: keys.publicKey };
}
