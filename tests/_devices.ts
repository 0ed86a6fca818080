// Helpers for the devices tests. Nothing here sleeps: every wait is a handshake.
import assert from "node:assert/strict";

export { freePorts, rejectsWith, syncPubSub, text, throwsWith, within } from "./_util.ts";

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
