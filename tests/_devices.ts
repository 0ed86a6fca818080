// Helpers for the devices tests. Nothing here sleeps: every wait is a handshake.
import assert from "node:assert/strict";

import { within } from "./_util.ts";

export { freePorts, rejectsWith, syncPubSub, text, throwsWith, within } from "./_util.ts";

/** How long a device may take to stop before its test fails by name. */
export const STOP_MS = 15_000;

/**
 * `device`, made to stop when its `await using` scope ends, also when the test failed halfway
 * (so its sockets are not left with the proxy and the context can close), within
 * {@linkcode STOP_MS} or failing by name. Stopping twice is harmless, so the test may still
 * `await device.stop()` for the statistics.
 */
export function stoppedAtEnd<D extends { stop(): Promise<unknown> }>(
  device: D,
  what: string,
): D & AsyncDisposable {
  const stop = async () => void await within(device.stop(), STOP_MS, `${what}.stop()`);
  return Object.assign(device, { [Symbol.asyncDispose]: stop });
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
