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
 * The subscriber must already be subscribed to "sync" and "go" (or to ""). Fails by name if
 * nothing gets through within `boundMs`.
 */
export async function syncPubSub(pub: Socket, sub: Socket, boundMs = 10_000): Promise<void> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    await pub.send("sync");
    const got = await sub.recv({ timeout: 10 }).catch((e) => {
      if (e instanceof ZmqError && e.code === "EAGAIN") return null;
      throw e;
    });
    if (got !== null) break;
    if (performance.now() > deadline) {
      assert.fail(`syncPubSub: no message reached the subscriber within ${boundMs} ms`);
    }
  }
  await pub.send("go");
  while (
    decoder.decode(await within(sub.recv(), boundMs, 'syncPubSub: the "go" marker')) !== "go"
  ) {
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

/** Whether `needle`'s bytes occur somewhere in `haystack`, in a row. */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** A PUSH → PULL pair over inproc with no high-water marks, proven connected by one message. */
export async function pushPullUnbounded(ctx: Context, name: string): Promise<[Socket, Socket]> {
  const pull = ctx.socket("PULL");
  const push = ctx.socket("PUSH");
  pull.setOption("RCVHWM", 0);
  push.setOption("SNDHWM", 0);
  pull.bind(`inproc://${name}`);
  push.connect(`inproc://${name}`);
  await push.send("hello");
  assert.equal(decoder.decode(await pull.recv({ timeout: 5000 })), "hello");
  return [push, pull];
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

/**
 * Awaits `promise`, failing by name if it has not settled after `ms`: a bound on a hang (the
 * test fails with `what` instead of hanging the suite), not a measure.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new assert.AssertionError({ message: `${what} did not end within ${ms} ms` })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
    promise.catch(() => {}); // if it ends later (say ECLOSED as the test cleans up): expected
  }
}

/** How an operation ended and how long it took. */
export type Timed<T> = { ms: number } & ({ value: T } | { error: unknown });

/**
 * Starts `operation`, which should end after about `expectedMs` (its timeout), and asserts
 * that it did: not before 0.8 x `expectedMs` (a timer that fires 20 times early fails) and not
 * after 3 x (one that fires 4 times late fails); loose bounds, for a busy machine. A hang
 * fails by name after 5 x. Answers how it ended, for the caller's assertions.
 */
export async function endsAfterAbout<T>(
  what: string,
  expectedMs: number,
  operation: () => Promise<T>,
): Promise<Timed<T>> {
  const started = performance.now();
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await within(operation(), expectedMs * 5, what) };
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    outcome = { error };
  }
  const ms = performance.now() - started;
  assert.ok(
    ms >= expectedMs * 0.8 && ms <= expectedMs * 3,
    `${what} ended after ${Math.round(ms)} ms; expected about ${expectedMs} ms ` +
      `(between ${expectedMs * 0.8} and ${expectedMs * 3})`,
  );
  return { ms, ...outcome };
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
  options: {
    args?: string[];
    timeout?: number;
    prefix?: string[];
    env?: Record<string, string>;
    /** Flags for `deno run` itself, e.g. `["--v8-flags=--expose-gc"]`. */
    denoFlags?: string[];
  } = {},
): Promise<ScriptResult> {
  const script = new URL(`./fixtures/${name}`, import.meta.url).pathname;
  const argv = [
    ...(options.prefix ?? []),
    Deno.execPath(),
    "run",
    "-A",
    ...(options.denoFlags ?? []),
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

/**
 * The file descriptor of one of this process's TCP sockets, found through /proc (Deno hands out
 * resource ids, not descriptors): the listening socket on `port`, or with `listening` false
 * the connected one whose local port is `port`. Linux only.
 */
export function tcpSocketFd(port: number, listening = true): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const table = [
    ...Deno.readTextFileSync("/proc/net/tcp").split("\n"),
    ...Deno.readTextFileSync("/proc/net/tcp6").split("\n"),
  ];
  // listening (0A) or established (01); a TIME_WAIT socket left by an earlier connection on the
  // same local port has inode 0 and belongs to no process
  const links = new Set(
    table.map((l) => l.trim().split(/\s+/)).filter((f) =>
      f[1]?.endsWith(`:${hex}`) && f[3] === (listening ? "0A" : "01") && f[9] !== "0"
    ).map((f) => `socket:[${f[9]}]`),
  );
  if (links.size === 0) throw new Error(`no TCP socket on port ${port}`);
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (links.has(Deno.readLinkSync(`/proc/self/fd/${entry.name}`))) return Number(entry.name);
    } catch {
      // the directory's own descriptor, closed by now
    }
  }
  throw new Error(`socket ${[...links].join(", ")} has no descriptor in this process`);
}
