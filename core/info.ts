import { has, libraryPath, version } from "./_backend.ts";

/**
 * The version of the libzmq in use, e.g. `"4.3.5"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zmqVersion } from "../mod.ts";
 * assert.match(zmqVersion(), /^\d+\.\d+\.\d+$/); // "4.3.5" with npm:zeromq@6.8.0
 * ```
 *
 * @returns `major.minor.patch` of the libzmq that was loaded.
 */
export function zmqVersion(): string {
  return version();
}

/**
 * Whether libzmq was built with a capability: `"curve"`, `"ipc"`, `"draft"`, `"pgm"`, ...
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zmqHas } from "../mod.ts";
 * assert.equal(typeof zmqHas("curve"), "boolean"); // true with npm:zeromq's libzmq
 * assert.equal(zmqHas("no-such-capability"), false);
 * ```
 *
 * @param capability A name `zmq_has` knows (`"ipc"`, `"pgm"`, `"tipc"`, `"norm"`, `"curve"`,
 * `"gssapi"`, `"draft"`).
 * @returns Whether the loaded libzmq has it; false for a name it does not know.
 */
export function zmqHas(capability: string): boolean {
  return has(capability);
}

/**
 * The path of the libzmq file that was opened (see `DENO_ZMQ_LIBRARY` to choose another).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zmqLibraryPath } from "../mod.ts";
 * assert.ok(zmqLibraryPath().length > 0); // e.g. ".../zeromq/build/.../libzmq.so"
 * ```
 *
 * @returns The file name handed to `Deno.dlopen`.
 */

export function zmqLibraryPath(): string {
  return libraryPath();
}
