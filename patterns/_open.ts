// Opening a pattern's socket on its endpoints, shared by the pattern modules.
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import type { SocketType } from "../core/constants.ts";
import { badValue, zmqError } from "../core/errors.ts";

/**
 * Where a pattern's socket attaches: endpoints to bind and endpoints to connect. Either may be
 * one endpoint or a list; binds happen before connects.
 */
export interface PatternEndpoints {
  /** Endpoints to bind, e.g. `"tcp://*:5556"`. */
  bind?: string | string[];
  /** Endpoints to connect, e.g. `["tcp://localhost:5546", "tcp://localhost:5556"]`. */
  connect?: string | string[];
}

function list(value: string | string[] | undefined, name: string): string[] {
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw badValue(`endpoints.${name} must be a string or an array of strings`, {
    op: "open socket",
  });
}

/** Opens a socket of `type` and attaches it; closes it again if an endpoint fails. */
export function openSocket(ctx: Context, type: SocketType, endpoints: PatternEndpoints): Socket {
  if (endpoints === null || typeof endpoints !== "object") {
    throw badValue("endpoints must be an object like { bind } or { connect }", {
      op: "open socket",
    });
  }
  const binds = list(endpoints.bind, "bind");
  const connects = list(endpoints.connect, "connect");
  if (binds.length + connects.length === 0) {
    throw badValue("endpoints needs at least one bind or connect endpoint", { op: "open socket" });
  }
  const socket = ctx.socket(type);
  try {
    for (const e of binds) socket.bind(e);
    for (const e of connects) socket.connect(e);
  } catch (error) {
    socket.close({ linger: 0 });
    throw error;
  }
  return socket;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a frame as UTF-8, throwing a ZmqError (EBADUTF8) naming `what` if it is not text. */
export function text(frame: Uint8Array, what: string): string {
  try {
    return utf8.decode(frame);
  } catch {
    throw zmqError("EBADUTF8", `${what} is not valid UTF-8 (${frame.length} bytes)`, {
      op: "decode",
    });
  }
}
