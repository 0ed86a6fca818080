/**
 * The monitoredqueue example's monitor: a SUB socket connected to the monitored queue's
 * monitor port (5562) printing every message it publishes: ["in", ...request frames] and
 * ["out", ...reply frames].
 *
 * With `--probe PORT` it first makes sure it is subscribed (a handshake against the slow
 * joiner): it sends probe requests through the queue's frontend until it sees one on the
 * monitor, prints "Monitor is subscribed", and from then on skips the probes' traffic. With
 * `--count N` it ends after N messages.
 *
 * Run: `deno task monitoredqueue:monitor [--port 5562] [--probe 5559] [--count forever]`
 *
 * @module
 */
import { type RoleEnv, runMain } from "../../workers/mod.ts";
import { ZmqError } from "../../core/errors.ts";
import { countFlag, parseFlags, portFlag, withContext } from "../_tutorial.ts";

const PROBE_ID = "monitor-probe";
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A frame as text when it is printable UTF-8, else as 0x-hex. */
export function showFrame(frame: Uint8Array): string {
  try {
    const s = utf8.decode(frame);
    // deno-lint-ignore no-control-regex
    if (!/[\x00-\x1f\x7f]/.test(s)) return s;
  } catch {
    // not text
  }
  return "0x" + Array.from(frame, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs the monitor with command-line style `args`. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const parsed = parseFlags(args, {
    command: "deno task monitoredqueue:monitor",
    about: "Prints everything a monitored queue publishes on its monitor socket.",
  }, {
    port: { type: "string", default: "5562", help: "the monitor port" },
    probe: { type: "string", help: "the queue's frontend port, to probe the subscription" },
    count: { type: "string", default: "forever", help: "messages to print before exiting" },
  });
  if (!parsed) return;
  const { values } = parsed;
  const port = portFlag(values.port);
  const count = countFlag(values.count);
  const signal = env.signal;
  console.log("Starting monitoring process");
  await withContext(env, async (ctx) => {
    const socket = ctx.socket("SUB");
    console.log("Collecting updates from server...");
    socket.connect(`tcp://127.0.0.1:${port}`);
    socket.subscribe("");
    const isProbe = (frames: Uint8Array[]) =>
      frames.length > 1 && showFrame(frames[1]) === PROBE_ID;
    if (values.probe !== undefined) {
      const probe = ctx.socket("REQ");
      probe.setOption("ROUTING_ID", PROBE_ID);
      probe.connect(`tcp://127.0.0.1:${portFlag(values.probe, "probe")}`);
      let subscribed = false;
      while (!subscribed) {
        await probe.send("probe", { signal });
        await probe.recv({ signal });
        for (;;) {
          const frames = await socket.recvMultipart({ timeout: 100, signal }).catch((e) => {
            if (e instanceof ZmqError && e.code === "EAGAIN") return null;
            throw e;
          });
          if (frames === null) break;
          if (isProbe(frames)) subscribed = true;
        }
      }
      probe.close({ linger: 0 });
      console.log("Monitor is subscribed");
    }
    for (let seen = 0; seen < count;) {
      const frames = await socket.recvMultipart({ signal });
      if (isProbe(frames)) continue;
      seen++;
      console.log(`Monitoring Client: ${JSON.stringify(frames.map(showFrame))}`);
    }
  });
}

if (import.meta.main) await runMain(main, "monitor");
