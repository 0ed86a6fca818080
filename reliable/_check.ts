// Option checks shared by the reliable patterns: bad options are ZmqErrors with code EBADVALUE
// that name the option and the value.
import { badValue } from "../core/errors.ts";

/** The longest delay setTimeout honours, in ms. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** Answers `value` if it is an integer in [min, max], else throws EBADVALUE naming `name`. */
export function checkInteger(
  value: unknown,
  name: string,
  op: string,
  min: number,
  max = MAX_DELAY_MS,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw badValue(`${name} must be an integer from ${min} to ${max}; got ${describe(value)}`, {
      op,
      option: name,
    });
  }
  return value;
}

/** Answers `value` if it is a non-empty string without control characters, else EBADVALUE. */
export function checkName(value: unknown, name: string, op: string): string {
  // deno-lint-ignore no-control-regex
  if (typeof value !== "string" || value === "" || /[\x00-\x1f\x7f]/.test(value)) {
    throw badValue(`${name} must be a non-empty printable string; got ${describe(value)}`, {
      op,
      option: name,
    });
  }
  return value;
}

/** Answers the endpoints as a non-empty array of strings, else EBADVALUE. */
export function checkEndpoints(value: unknown, name: string, op: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) || list.length === 0 ||
    !list.every((e) => typeof e === "string" && e !== "")
  ) {
    throw badValue(
      `${name} must be an endpoint or a non-empty list of endpoints; got ${describe(value)}`,
      { op, option: name },
    );
  }
  return list as string[];
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 80));
  if (Array.isArray(value)) return "an array";
  return String(value);
}
