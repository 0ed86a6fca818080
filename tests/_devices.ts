// Helpers for the devices tests. Nothing here sleeps: every wait is a handshake.
import assert from "node:assert/strict";
import { type Socket, ZmqError } from "../mod.ts";

const decoder = new TextDecoder();

/** Decodes frames to strings. */
export function text(frames: Uint8Array[]): string[] {
  return frames.map((f) => decoder.decode(f));
}

/** Asserts that `promise` rejects with a ZmqError of `code`; answers the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ZmqError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ZmqError, `expected ZmqError ${code}, got ${e}`);
    assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/** Asserts that `fn` throws a ZmqError of `code`; answers the error. */
export function throwsWith(fn: () => unknown, code: string): ZmqError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ZmqError, `expected ZmqError ${code}, got ${e}`);
    assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a throw with ${code}`);
}

/**
 * Defeats the slow joiner: `pub` sends "sync" until `sub` (subscribed to everything) gets one,
 * then "go"; `sub` drops everything up to "go". Afterwards every message reaches `sub`.
 */
export async function syncPubSub(pub: Socket, sub: Socket): Promise<void> {
  for (;;) {
    await pub.send("sync");
    const got = await sub.recv({ timeout: 10 }).catch((e) => {
      if (e instanceof ZmqError && e.code === "EAGAIN") return null;
      throw e;
    });
    if (got !== null) break;
  }
  await pub.send("go");
  while (decoder.decode(await sub.recv()) !== "go") {
    // discard the syncs still in flight
  }
}

/**
 * Asserts a libzmq proxy count: the libzmq in npm:zeromq counts every frame, libzmq 4.3.4
 * (Debian's, through DENO_ZMQ_LIBRARY) whole messages. `frames` and `messages` are what each
 * would count for the traffic of the test.
 */
export function assertCount(actual: number, frames: number, messages: number, what = "count") {
  assert.ok(
    actual === frames || actual === messages,
    `${what}: expected ${frames} (frames) or ${messages} (messages), got ${actual}`,
  );
}

/**
 * `n` TCP ports free right now, chosen by the OS (so that several runs of the suite at once
 * don't collide). Deno closes its listeners at once, unlike libzmq's asynchronous close.
 */
export function freePorts(n: number): number[] {
  const listeners = Array.from({ length: n }, () => Deno.listen({ hostname: "0.0.0.0", port: 0 }));
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}
