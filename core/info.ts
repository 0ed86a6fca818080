import { has, kernelHasSocket, libraryPath, version } from "./_backend.ts";

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

/** zmq_has's answers, asked once each. */
const answers = new Map<string, boolean>();

/** What `zmqHas` answers beside libzmq's own zmq_has (see its documentation). */
function probe(capability: string): boolean {
  switch (capability) {
    case "tcp":
    case "inproc":
      return true; // always built in: zmq_has names only optional capabilities
    case "ws":
    case "wss":
      // zmq_has spells these in capitals (4.3.5's zmq.cpp compares "WS", "WSS")
      return has(capability.toUpperCase());
    case "udp":
      // always compiled, but only RADIO, DISH and DGRAM use it: DRAFT sockets
      return has("draft");
    case "tipc": {
      // compiled in on Linux; the kernel must have TIPC too (AF_TIPC 30, SOCK_RDM 4)
      return has("tipc") && Deno.build.os === "linux" && kernelHasSocket(30, 4);
    }
    case "epgm":
      return has("pgm"); // the same OpenPGM, encapsulated in UDP
    default:
      return has(capability);
  }
}

/**
 * Whether this libzmq really has a capability: a transport (`"tcp"`, `"inproc"`, `"ipc"`,
 * `"ws"`, `"wss"`, `"udp"`, `"tipc"`, `"pgm"`, `"epgm"`, `"norm"`, `"vmci"`), a security
 * mechanism (`"curve"`, `"gssapi"`) or the DRAFT API (`"draft"`). It answers what works, which
 * libzmq's `zmq_has` does not always: `zmq_has("ws")` is 0 on a libzmq whose `ws://` works
 * (4.3.5 compares the name in capitals), `tcp` and `inproc` are not capabilities to it, `udp`
 * works wherever DRAFT sockets do, and `tipc` is compiled in but needs the kernel's TIPC module.
 * On npm:zeromq 6.8.0 (Linux x64): tcp, inproc, ipc, ws, udp, curve and draft are there; wss,
 * pgm, epgm, norm, vmci and gssapi are not; tipc only on a kernel with TIPC.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zmqHas } from "../mod.ts";
 * assert.equal(zmqHas("curve"), true);
 * assert.equal(zmqHas("ws"), true); // although libzmq's zmq_has("ws") answers 0
 * assert.equal(zmqHas("wss"), false); // not in this build
 * assert.equal(zmqHas("no-such-capability"), false);
 * ```
 *
 * @param capability A transport, a mechanism or `"draft"`, as listed above (any case).
 * @returns Whether the loaded libzmq has it; false for a name it does not know.
 */
export function zmqHas(capability: string): boolean {
  if (typeof capability !== "string") return false;
  const name = capability.toLowerCase();
  let yes = answers.get(name);
  if (yes === undefined) answers.set(name, yes = probe(name));
  return yes;
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
