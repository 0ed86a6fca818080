// Helpers for the devices tests. Nothing here sleeps: every wait is a handshake.
import assert from "node:assert/strict";

export { rejectsWith, syncPubSub, text, throwsWith } from "./_util.ts";

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
