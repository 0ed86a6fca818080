// Objects that carry a secret key show "[secret]" in its place when inspected (console.log,
// Deno.inspect, node:util's inspect), so a log line of a certificate or a key pair does not
// leak the key. The property itself stays readable; JSON.stringify and structuredClone, which a
// program calls on purpose, still copy it.

const INSPECT = Symbol.for("Deno.customInspect");

/** Makes `value` render its `fields` as "[secret]" when inspected; answers `value`. */
export function redactWhenInspected<T extends object>(value: T, fields: readonly (keyof T)[]): T {
  Object.defineProperty(value, INSPECT, {
    enumerable: false,
    value(inspect: typeof Deno.inspect, options: Deno.InspectOptions): string {
      const shown = { ...value } as Record<PropertyKey, unknown>;
      for (const f of fields) {
        if (shown[f] !== null && shown[f] !== undefined) shown[f] = "[secret]";
      }
      return inspect(shown, options);
    },
  });
  return value;
}
