// The names a program ported from pyzmq may type: the tutorial's old aliases (XREP, IDENTITY,
// HWM), and hints for names that are not ours (pyzmq's integer constants, "ZMQ_" prefixes,
// lower case).
import {
  SOCKET_OPTION_ALIASES,
  SOCKET_OPTIONS,
  SOCKET_TYPE_ALIASES,
  SOCKET_TYPES,
  type SocketOptionAlias,
  type SocketOptionName,
} from "./constants.ts";

/** The options an alias stands for (`HWM` → SNDHWM and RCVHWM), or undefined for a plain name. */
export function aliasTargets(name: unknown): readonly SocketOptionName[] | undefined {
  if (typeof name !== "string" || !Object.hasOwn(SOCKET_OPTION_ALIASES, name)) return undefined;
  return SOCKET_OPTION_ALIASES[name as SocketOptionAlias];
}

function hint(name: unknown, known: readonly string[], example: string): string {
  if (typeof name === "number") {
    return ` (names are strings here: "${example}" where pyzmq has zmq.${example})`;
  }
  if (typeof name !== "string") return "";
  const bare = name.replace(/^ZMQ_/i, "").toUpperCase();
  if (bare !== name && known.includes(bare)) return ` (did you mean "${bare}"?)`;
  return "";
}

/** What to add to "Unknown socket type X" for a name a porter may have typed. */
export function socketTypeHint(type: unknown): string {
  return hint(type, [...Object.keys(SOCKET_TYPES), ...Object.keys(SOCKET_TYPE_ALIASES)], "REQ");
}

/** What to add to "Unknown socket option X" for a name a porter may have typed. */
export function optionHint(name: unknown): string {
  return hint(
    name,
    [...Object.keys(SOCKET_OPTIONS), ...Object.keys(SOCKET_OPTION_ALIASES)],
    "SUBSCRIBE",
  );
}
