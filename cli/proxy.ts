// zmq proxy: libzmq's proxy as a QUEUE, FORWARDER or STREAMER device, with a live counts line.
import {
  DEVICE_SOCKETS,
  type DeviceKind,
  type ProxyStatistics,
  type SideStatistics,
  type Socket,
  startProxy,
} from "../mod.ts";
import { choice, Flags, positionals } from "./_args.ts";
import type { Command } from "./_command.ts";
import { UsageError } from "./_errors.ts";
import { delay, type Interrupt, whenAborted } from "./_interrupt.ts";
import { bytes, compact, LiveLine } from "./_status.ts";
import { SECURITY_FLAGS, SECURITY_HELP, securityFrom } from "./_security.ts";
import { endpointArg, optionArg, Session } from "./_socket.ts";

const KINDS = ["queue", "forwarder", "streamer"] as const;

const USAGE = `Usage: zmq proxy queue|forwarder|streamer FRONT BACK [options]

Runs libzmq's proxy between two bound sockets until Ctrl-C, with a line of message and
byte counts (rates per second) updated in place on a terminal; when stdout is not a
terminal, a line each time the counts changed, and the totals at the end.

  queue       ROUTER FRONT <-> DEALER BACK: REQ clients connect to FRONT, REP servers to BACK
  forwarder   SUB FRONT -> PUB BACK: publishers connect to FRONT, subscribers to BACK
  streamer    PULL FRONT -> PUSH BACK: producers connect to FRONT, workers to BACK

  --capture EP         bind a PUB on EP that gets a copy of every frame passing through
  -i, --interval MS    how often the counts are updated (default 1000)
  -o, --option N=V     socket option for both sockets (repeatable)
${SECURITY_HELP}
                       (they apply to FRONT, BACK and the capture socket, as servers)

Counts are libzmq's: the libzmq inside npm:zeromq 6.8.0 counts every frame as a message
(a request through a queue is several). A bare port N means tcp://127.0.0.1:N.
Example:
  zmq proxy queue tcp://127.0.0.1:5559 tcp://127.0.0.1:5560`;

const FLAGS = {
  option: { type: "string", multiple: true, short: "o" },
  ...SECURITY_FLAGS,
  capture: { type: "string" },
  interval: { type: "string", short: "i" },
} as const;

/** One direction: its totals, and its rates over the last `seconds`. */
function side(label: string, now: SideStatistics, before: SideStatistics, seconds: number) {
  const count = now.messagesIn - before.messagesIn;
  const size = now.bytesIn - before.bytesIn;
  const rates = seconds > 0
    ? ` (${compact(count / seconds)} msg/s, ${bytes(size / seconds)}/s)`
    : "";
  return `${label} ${compact(now.messagesIn)} msg, ${bytes(now.bytesIn)}${rates}`;
}

/**
 * The counts line: the totals of each direction, with rates since `before`, `seconds` ago.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countsLine } from "./proxy.ts";
 * const side = { messagesIn: 20, bytesIn: 2000, messagesOut: 20, bytesOut: 2000 };
 * const none = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };
 * const line = countsLine({ frontend: side, backend: side }, { frontend: none, backend: none }, 2);
 * assert.equal(
 *   line,
 *   "front->back 20 msg, 2.00 kB (10 msg/s, 1.00 kB/s) | back->front 20 msg, 2.00 kB (10 msg/s, 1.00 kB/s)",
 * );
 * ```
 */
export function countsLine(
  now: ProxyStatistics,
  before: ProxyStatistics,
  seconds: number,
): string {
  return `${side("front->back", now.frontend, before.frontend, seconds)} | ` +
    side("back->front", now.backend, before.backend, seconds);
}

function sameTotals(a: ProxyStatistics, b: ProxyStatistics): boolean {
  return a.frontend.messagesIn === b.frontend.messagesIn &&
    a.backend.messagesIn === b.backend.messagesIn;
}

const ZERO: ProxyStatistics = {
  frontend: { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 },
  backend: { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 },
};

/**
 * `zmq proxy`: libzmq's proxy as a queue, forwarder or streamer, with live counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const zmq = new URL("./zmq.ts", import.meta.url).pathname; // the command line, run as a program
 * const run = new Deno.Command(Deno.execPath(), { args: ["run", "-A", zmq, "proxy", "--help"], stderr: "piped" });
 * const { code, stdout, stderr } = await run.output();
 * assert.equal(code, 0, new TextDecoder().decode(stderr)); // else stderr says why
 * assert.match(new TextDecoder().decode(stdout), /^Usage: zmq proxy queue\|forwarder\|streamer FRONT BACK/);
 * ```
 */
export const proxy: Command = {
  name: "proxy",
  summary: "run a queue, forwarder or streamer device with live counts",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, FLAGS);
    const [kindArg, frontArg, backArg] = positionals(
      flags,
      3,
      3,
      "queue|forwarder|streamer FRONT BACK",
    );
    const kind = choice("the device", kindArg, KINDS).toUpperCase() as DeviceKind;
    const front = endpointArg("FRONT", frontArg);
    const back = endpointArg("BACK", backArg);
    const captureArg = flags.string("capture");
    const capture = captureArg === undefined ? undefined : endpointArg("--capture", captureArg);
    const interval = flags.int("interval", 1000, 10);
    const options = flags.list("option").map(optionArg);
    if (flags.has("curve-server")) {
      throw new UsageError("--curve-server makes a client; a proxy's sockets are servers");
    }
    const security = await securityFrom(flags);
    await using session = new Session("proxy", interrupt, security, 0);
    const [ft, bt] = DEVICE_SOCKETS[kind];
    const open = (type: typeof ft, endpoint: string): Socket =>
      session.open({ type, bind: [endpoint], connect: [], options }, {
        beforeEndpoints: (s) => {
          if (type === "SUB") s.subscribe(""); // a forwarder passes every topic
        },
      });
    const frontend = open(ft, front);
    const backend = open(bt, back);
    const captureSocket = capture === undefined ? undefined : open("PUB", capture);
    const device = startProxy(frontend, backend, { capture: captureSocket });
    const line = new LiveLine("stdout");
    const started = performance.now();
    let before = ZERO;
    let at = started;
    try {
      const stop = whenAborted(interrupt.signal);
      while (!interrupt.interrupted) {
        await Promise.race([delay(interval, interrupt.signal).catch(() => {}), stop, device.done]);
        if (interrupt.interrupted) break;
        const now = await device.statistics();
        const t = performance.now();
        // piped, a line only when something passed: a log, not a clock
        if (line.inPlace || !sameTotals(now, before)) {
          await line.update(countsLine(now, before, (t - at) / 1000));
        }
        [before, at] = [now, t];
      }
    } finally {
      await device.stop();
      await device.done; // rejects if libzmq's proxy failed
      const total = await device.statistics();
      await line.update(countsLine(total, ZERO, (performance.now() - started) / 1000));
      await line.end();
    }
    return 0;
  },
};
