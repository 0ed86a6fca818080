// The checks and small helpers every layer shares (std's async/_util.ts in spirit): argument
// checks that answer a ZmqError of code EBADVALUE saying what was expected, descriptions of
// values for those messages that never print a string's content (option values and frames may
// hold secrets), timers that treat what setTimeout cannot wait for as "forever", delay(),
// aborted(), and closing sockets after unbinding them. The one private module of core/ that
// the other folders import (tools/boundary.ts allows it); tests/util.test.ts tests it.
import { badValue, type ErrorContext } from "./errors.ts";
import { POLLIN, POLLOUT } from "./constants.ts";
import { socketInternals } from "./_registry.ts";

/**
 * The longest delay setTimeout honours (about 24.8 days): a longer one fires after 1 ms, so
 * every timeout above it means "forever" here.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** An options object of no fields, shared by the calls made without one. */
export const NO_OPTIONS: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Describes a value for an error message without revealing it when it may be a secret: strings
 * and bytes only by their length.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return Object.prototype.toString.call(value);
  return typeof value;
}

/** The kind of a value only (`"number"`, `"an array"`, `"[object Map]"`), never the value. */
export function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return Object.prototype.toString.call(value);
  return typeof value;
}

/**
 * A timeout in ms: `undefined`, -1 and Infinity mean forever (answered as -1), so does anything
 * above setTimeout's limit; anything but a number >= 0 is EBADVALUE. With `minusOne` false, -1
 * is refused too (the calls whose docs say "a number >= 0").
 */
export function checkTimeout(timeout: unknown, context: ErrorContext, minusOne = true): number {
  if (timeout === undefined || timeout === Infinity) return -1;
  if (timeout === -1 && minusOne) return -1;
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    const none = minusOne ? ", or -1 for none" : "";
    throw badValue(
      `timeout must be a number of milliseconds >= 0${none}; got ${describeValue(timeout)}`,
      context,
    );
  }
  // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): that is forever here
  return timeout > MAX_TIMER_MS ? -1 : timeout;
}

/** An optional AbortSignal. */
export function checkSignal(signal: unknown, context: ErrorContext): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw badValue(`signal must be an AbortSignal; got ${describeValue(signal)}`, context);
  }
}

/**
 * An optional options object (`what` names its fields for the message); its `signal`, if any,
 * must be an AbortSignal. Answers a copy of its own fields whose `timeout` and `signal` were
 * each read once: a getter may answer something else the next time, after the check.
 */
export function checkOptions<T extends { signal?: AbortSignal }>(
  options: T | undefined,
  context: ErrorContext,
  what = "{ timeout, signal }",
): T {
  if (options === undefined || options === NO_OPTIONS) return NO_OPTIONS as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw badValue(
      `options must be an object like ${what}; got ${describeValue(options)}`,
      context,
    );
  }
  const signal = options.signal;
  checkSignal(signal, context);
  const timeout = (options as { timeout?: unknown }).timeout;
  // a copy (about 20 ns): the other fields (a send's routingId, say) go along, once read
  return { ...options, timeout, signal };
}

/**
 * True for a Socket this library made. `instanceof` is not enough: a Proxy of a Socket passes
 * it, then fails every method with an untyped TypeError (its private fields are the target's).
 */
export function isSocket(value: unknown): boolean {
  return typeof value === "object" && value !== null && socketInternals.has(value);
}

/** An events mask: POLLIN (1), POLLOUT (2) or both; answers it. */
export function checkEvents(events: unknown, context: ErrorContext): number {
  if (
    typeof events !== "number" || !Number.isInteger(events) || events <= 0 ||
    (events & ~(POLLIN | POLLOUT)) !== 0
  ) {
    throw badValue(
      `events must be POLLIN (1), POLLOUT (2) or both; got ${describeValue(events)}`,
      context,
    );
  }
  return events;
}

/**
 * An integer from `min` to `max` (by default setTimeout's limit, for delays and intervals),
 * named `name` in the message and as the error's option.
 */
export function checkInteger(
  value: unknown,
  name: string,
  op: string,
  min: number,
  max = MAX_TIMER_MS,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw badValue(
      `${name} must be an integer from ${min} to ${max}; got ${describeValue(value)}`,
      { op, option: name },
    );
  }
  return value;
}

/** An optional count: undefined and Infinity mean "no limit" (answered as Infinity). */
export function checkCount(count: unknown, name: string, op: string, min = 0): number {
  if (count === undefined || count === Infinity) return Infinity;
  if (typeof count !== "number" || !Number.isInteger(count) || count < min) {
    throw badValue(`${name} must be an integer >= ${min}; got ${describeValue(count)}`, {
      op,
      option: name,
    });
  }
  return count;
}

/** A non-empty string without control characters (a service name, say). */
export function checkName(value: unknown, name: string, op: string): string {
  // deno-lint-ignore no-control-regex
  if (typeof value !== "string" || value === "" || /[\x00-\x1f\x7f]/.test(value)) {
    throw badValue(`${name} must be a non-empty printable string; got ${describeValue(value)}`, {
      op,
      option: name,
    });
  }
  return value;
}

/** One endpoint or a non-empty list of them, as a list. */
export function checkEndpoints(value: unknown, name: string, op: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) || list.length === 0 ||
    !list.every((e) => typeof e === "string" && e !== "")
  ) {
    throw badValue(
      `${name} must be an endpoint or a non-empty list of endpoints; got ${describeValue(value)}`,
      { op, option: name },
    );
  }
  return list as string[];
}

/**
 * Calls `fire` after `ms` milliseconds; a negative `ms`, Infinity or anything above
 * setTimeout's limit never fires. Answers the function that cancels it.
 */
export function startTimer(ms: number, fire: () => void): () => void {
  if (!(ms >= 0) || ms > MAX_TIMER_MS) return noop;
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}

function noop(): void {}

/** Resolves after `ms` (forever above setTimeout's limit), or rejects with the signal's reason. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = startTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** What closeAfterUnbind needs of a socket. */
export interface Closable {
  unbind(endpoint: string): void;
  close(options?: { linger?: number }): void;
}

/**
 * Unbinds the `bound` endpoints first, then closes `sockets` with LINGER 0: the devices' way to
 * give their endpoints back. libzmq frees an endpoint on its I/O thread, after the call
 * returns, whether it was unbound or closed; unbinding first starts that sooner (measured over
 * 200 binds of the port just given back: 15 to 25 found it still in use after unbind-then-close,
 * 37 to 75 after a close alone), so a program that binds it again at once should retry on
 * EADDRINUSE. An endpoint that cannot be unbound (already gone, a wildcard) is freed by the close.
 */
export function closeAfterUnbind(
  sockets: readonly (Closable | undefined)[],
  bound: readonly (readonly [Closable, string])[],
): void {
  for (const [s, e] of bound) {
    try {
      s.unbind(e);
    } catch {
      // already gone, or a wildcard endpoint: close frees it
    }
  }
  for (const s of sockets) s?.close({ linger: 0 });
}
