// Argument checks shared by the poller and the streams.
import { POLLIN, POLLOUT } from "../core/mod.ts";
import { badValue } from "../core/errors.ts";

/** Checks an events mask (POLLIN, POLLOUT or both); answers it. */
export function checkEvents(events: unknown, op: string): number {
  if (
    typeof events !== "number" || !Number.isInteger(events) || events <= 0 ||
    (events & ~(POLLIN | POLLOUT)) !== 0
  ) {
    throw badValue(`events must be POLLIN (1), POLLOUT (2) or both; got ${String(events)}`, { op });
  }
  return events;
}

/** Checks a timeout in ms; answers -1 for "forever" (undefined, -1, Infinity). */
export function checkTimeout(timeout: unknown, op: string): number {
  if (timeout === undefined || timeout === -1 || timeout === Infinity) return -1;
  if (typeof timeout !== "number" || !(timeout >= 0) || !Number.isFinite(timeout)) {
    throw badValue(
      `timeout must be a number of milliseconds >= 0, or -1 for none; got ${String(timeout)}`,
      { op },
    );
  }
  return timeout;
}
