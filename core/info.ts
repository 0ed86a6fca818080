import { has, libraryPath, version } from "./_backend.ts";

/**
 * The version of the libzmq in use, e.g. `"4.3.5"`.
 *
 * @example
 * ```ts
 * import { zmqVersion } from "../mod.ts";
 * console.log(zmqVersion());
 * ```
 */
export function zmqVersion(): string {
  return version();
}

/**
 * Whether libzmq was built with a capability: `"curve"`, `"ipc"`, `"draft"`, `"pgm"`, ...
 *
 * @example
 * ```ts
 * import { zmqHas } from "../mod.ts";
 * console.log(zmqHas("curve"));
 * ```
 */
export function zmqHas(capability: string): boolean {
  return has(capability);
}

/**
 * The path of the libzmq file that was opened (see `DENO_ZMQ_LIBRARY` to choose another).
 *
 * @example
 * ```ts
 * import { zmqLibraryPath } from "../mod.ts";
 * console.log(zmqLibraryPath());
 * ```
 */
export function zmqLibraryPath(): string {
  return libraryPath();
}
