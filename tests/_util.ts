// Helpers shared by the tests. Nothing here sleeps: every wait is a handshake.
import { ZmqError } from "../mod.ts";
import type { Context, Socket } from "../mod.ts";
import assert from "node:assert/strict";

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

/** Asserts that `fn` throws a ZmqError of `code` synchronously; answers the error. */
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
 * Defeats the slow-joiner effect: the publisher sends "sync" until the subscriber sees one, then
 * a "go" marker; the subscriber discards everything up to "go". After this, every message the
 * publisher sends reaches the subscriber (the connection is up and the filters are in place).
 * The subscriber must already be subscribed to "sync" and "go" (or to "").
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

/** A connected PUSH → PULL pair over inproc, proven connected by one round trip. */
export async function pipe(ctx: Context, name: string): Promise<[Socket, Socket]> {
  const pull = ctx.socket("PULL");
  const push = ctx.socket("PUSH");
  pull.bind(`inproc://${name}`);
  push.connect(`inproc://${name}`);
  await push.send("hello");
  assert.equal(decoder.decode(await pull.recv()), "hello");
  return [push, pull];
}

/** A predicate for assert.rejects/throws: a ZmqError of `code`. */
export function isCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof ZmqError && e.code === code;
}

/** What a subprocess printed and how it ended. */
export interface ScriptResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a fixture script (a path under tests/fixtures/) with `deno run -A` in a subprocess,
 * killed after `timeout` ms (a hang then fails by name instead of hanging the suite). `prefix`
 * runs it under another command, e.g. `["prlimit", "--nofile=64"]`.
 */
export async function runFixture(
  name: string,
  options: { args?: string[]; timeout?: number; prefix?: string[]; env?: Record<string, string> } =
    {},
): Promise<ScriptResult> {
  const script = new URL(`./fixtures/${name}`, import.meta.url).pathname;
  const argv = [
    ...(options.prefix ?? []),
    Deno.execPath(),
    "run",
    "-A",
    script,
    ...(options.args ?? []),
  ];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout ?? 60_000);
  try {
    const out = await child.output();
    return {
      code: out.code,
      signal: out.signal,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}
