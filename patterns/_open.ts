// Opening a pattern's socket on its endpoints, shared by the pattern modules.
import type { Context } from "../core/context.ts";
import type { Socket } from "../core/socket.ts";
import type { SocketType } from "../core/constants.ts";
import { badValue, type ZmqError, zmqError } from "../core/errors.ts";

/** A wrong argument: a ZmqError of code EBADVALUE naming what was wrong. */
export function badArgument(detail: string, op: string): ZmqError {
  return badValue(detail, { op });
}

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
  throw badArgument(`endpoints.${name} must be a string or an array of strings`, "open socket");
}

/** Opens a socket of `type` and attaches it; closes it again if an endpoint fails. */
export function openSocket(ctx: Context, type: SocketType, endpoints: PatternEndpoints): Socket {
  if (endpoints === null || typeof endpoints !== "object") {
    throw badArgument("endpoints must be an object like { bind } or { connect }", "open socket");
  }
  const binds = list(endpoints.bind, "bind");
  const connects = list(endpoints.connect, "connect");
  if (binds.length + connects.length === 0) {
    throw badArgument("endpoints needs at least one bind or connect endpoint", "open socket");
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

/** Checks an optional non-negative integer count; undefined means "no limit". */
export function checkCount(count: number | undefined, name = "count"): number {
  if (count === undefined || count === Infinity) return Infinity;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw badArgument(`${name} must be an integer >= 0; got ${String(count)}`, name);
  }
  return count;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
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
