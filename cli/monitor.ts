// zmq monitor: a socket's connection events as they happen.
import {
  monitor,
  MONITOR_EVENTS,
  type MonitorEvent,
  type MonitorEventName,
  SOCKET_TYPES,
  type SocketType,
} from "../mod.ts";
import { choice, Flags } from "./_args.ts";
import { type Command, noArguments } from "./_command.ts";
import { RunError } from "./_errors.ts";
import { delay, type Interrupt } from "./_interrupt.ts";
import { out } from "./_io.ts";
import { SECURITY_HELP, securityFrom } from "./_security.ts";
import { ENDPOINT_HELP, Session, SOCKET_FLAGS, socketPlan } from "./_socket.ts";

const EVENTS = Object.keys(MONITOR_EVENTS) as MonitorEventName[];
const TYPES = Object.keys(SOCKET_TYPES) as SocketType[];

const USAGE = `Usage: zmq monitor --connect EP | --bind EP [options]

Opens a socket, connects or binds it, and prints its events as they happen, one per line:
connected, connect_retried, accepted, handshake_succeeded, handshake_failed_auth,
disconnected, ... The socket receives nothing; it is there to be watched.

  -t, --type T         the socket's type (default DEALER, which talks to REP, ROUTER and
                       DEALER peers; use SUB for a PUB, PUSH for a PULL, ...)
${ENDPOINT_HELP}
  --json               one JSON object per event: {"time","event","value","endpoint"}
  -e, --event NAME     only these events (repeatable): ${EVENTS.join(", ")}
  -n, --count N        stop after N events
  --timeout MS         stop when no event comes for MS ms (exit 1 if --count was given
                       and not reached, else 0)
${SECURITY_HELP}

Example:
  zmq monitor --connect tcp://127.0.0.1:5555 --curve-server "$(cat certs/server.key)"`;

const FLAGS = {
  ...SOCKET_FLAGS,
  type: { type: "string", short: "t" },
  json: { type: "boolean" },
  event: { type: "string", multiple: true, short: "e" },
  count: { type: "string", short: "n" },
  timeout: { type: "string" },
} as const;

const ERRNO_EVENTS = new Set<MonitorEventName>([
  "bind_failed",
  "accept_failed",
  "close_failed",
  "handshake_failed_no_detail",
]);
const FD_EVENTS = new Set<MonitorEventName>([
  "connected",
  "accepted",
  "listening",
  "closed",
  "disconnected",
]);

/**
 * One event as a line of text: time, event, endpoint and what its value means.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventLine } from "./monitor.ts";
 * const e = { event: "connected" as const, value: 12, endpoint: "tcp://127.0.0.1:5555" };
 * assert.equal(eventLine(e, new Date(0)), "1970-01-01T00:00:00.000Z connected tcp://127.0.0.1:5555 fd 12");
 * ```
 */
export function eventLine(
  e: Pick<MonitorEvent, "event" | "value" | "endpoint">,
  time: Date,
): string {
  let detail = `value ${e.value}`;
  if (FD_EVENTS.has(e.event)) detail = `fd ${e.value}`;
  else if (ERRNO_EVENTS.has(e.event)) detail = `errno ${e.value}`;
  else if (e.event === "connect_retried") detail = `retry in ${e.value} ms`;
  else if (e.event === "handshake_failed_auth") detail = `ZAP status ${e.value}`;
  else if (e.event === "handshake_failed_protocol") detail = `error 0x${e.value.toString(16)}`;
  else if (e.event === "handshake_succeeded" || e.event === "connect_delayed") detail = "";
  return `${time.toISOString()} ${e.event} ${e.endpoint}${detail ? ` ${detail}` : ""}`;
}

/** The next event, "done" when the monitor ended, or null after `timeout` ms without one. */
async function nextEvent(
  events: AsyncIterator<MonitorEvent>,
  timeout: number | undefined,
  signal: AbortSignal,
): Promise<MonitorEvent | null | "done"> {
  const timer = new AbortController();
  const stop = AbortSignal.any([signal, timer.signal]);
  const waits: Promise<MonitorEvent | null | "done">[] = [
    events.next().then((r) => (r.done ? "done" : r.value)),
    new Promise((_, reject) => stop.addEventListener("abort", () => reject(stop.reason))),
  ];
  if (timeout !== undefined) waits.push(delay(timeout, stop).then(() => null));
  try {
    return await Promise.race(waits);
  } finally {
    timer.abort();
  }
}

/**
 * `zmq monitor`: a socket's connection events as they happen.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./zmq.ts";
 * // binding reports "listening"; then no event for 200 ms ends the command
 * assert.equal(await main(["monitor", "--bind", "tcp://127.0.0.1:*", "--timeout", "200"]), 0);
 * ```
 */
export const monitorCommand: Command = {
  name: "monitor",
  summary: "print a socket's connection events as they happen",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, FLAGS);
    noArguments(flags);
    const type = choice("--type", flags.string("type") ?? "DEALER", TYPES);
    const wanted = flags.list("event").map((e) => choice("--event", e, EVENTS));
    const count = flags.maybeInt("count", 1);
    const timeout = flags.maybeInt("timeout");
    const json = flags.bool("json");
    const plan = socketPlan(type, flags);
    const security = await securityFrom(flags);
    await using session = new Session("monitor", interrupt, security, 0);
    let events: ReturnType<typeof monitor> | undefined;
    session.open(plan, {
      watchHandshakes: false,
      beforeEndpoints: (s) => {
        if (type === "SUB") s.subscribe("");
        events = monitor(s, wanted.length > 0 ? wanted : undefined);
      },
    });
    try {
      for (let n = 0; count === undefined || n < count; n++) {
        const e = await nextEvent(events!, timeout, session.signal);
        if (e === "done") return 0;
        if (e === null) {
          if (count === undefined) return 0;
          throw new RunError(`no event for ${timeout} ms (saw ${n} of ${count})`);
        }
        const time = new Date();
        await out(
          (json ? JSON.stringify({ time: time.toISOString(), ...e }) : eventLine(e, time)) + "\n",
        );
      }
      return 0;
    } finally {
      await events!.close();
    }
  },
};
