// Checks of the arguments every asynchronous operation shares (an options object, a timeout, an
// AbortSignal): a wrong one is a ZmqError of code EBADVALUE that says what was expected.
import { type ErrorContext, ZmqError } from "./errors.ts";
import { describeValue } from "./_options.ts";

/** The longest delay setTimeout honours (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An options object of no fields, shared by the calls made without one. */
export const NO_OPTIONS: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A timeout in ms: `undefined`, -1 and Infinity mean forever (answered as -1), so does anything
 * above setTimeout's limit; anything but a number >= 0 is EBADVALUE.
 */
export function checkTimeout(timeout: unknown, context: ErrorContext): number {
  if (timeout === undefined) return -1;
  if (timeout === -1 || timeout === Infinity) return -1;
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    throw new ZmqError(
      "EBADVALUE",
      0,
      `timeout must be a number of milliseconds >= 0, or -1 for none; got ${
        describeValue(timeout)
      }`,
      context,
    );
  }
  // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): that is forever here
  return timeout > MAX_TIMER_MS ? -1 : timeout;
}

/** An optional AbortSignal. */
export function checkSignal(signal: unknown, context: ErrorContext): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ZmqError(
      "EBADVALUE",
      0,
      `signal must be an AbortSignal; got ${describeValue(signal)}`,
      context,
    );
  }
}

/**
 * An optional options object (`what` names its fields for the message); its `signal`, if any,
 * must be an AbortSignal.
 */
export function checkOptions<T extends { signal?: AbortSignal }>(
  options: T | undefined,
  context: ErrorContext,
  what = "{ timeout, signal }",
): T {
  if (options === undefined || options === NO_OPTIONS) return NO_OPTIONS as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ZmqError(
      "EBADVALUE",
      0,
      `options must be an object like ${what}; got ${describeValue(options)}`,
      context,
    );
  }
  checkSignal(options.signal, context);
  return options;
}

/** An events mask for a wait: POLLIN (1), POLLOUT (2) or both; EBADVALUE otherwise. */
export function checkEvents(events: unknown, context: ErrorContext): number {
  if (
    typeof events !== "number" || !Number.isInteger(events) || events <= 0 || (events & ~3) !== 0
  ) {
    throw new ZmqError(
      "EBADVALUE",
      0,
      `events must be POLLIN (1), POLLOUT (2) or both; got ${describeValue(events)}`,
      context,
    );
  }
  return events;
}
