/**
 * The pyzmq devices chapter: streamerdevice, queuedevice and monitoredqueue, one after the
 * other, each with its device in a background Web Worker.
 *
 * Run: `deno task pyzmq-devices [--frontend-port 5559] [--backend-port 5560] [--count 5]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, parseFlags, portFlag, RUN_FLAGS } from "../_tutorial.ts";
import { main as streamerdevice } from "./streamerdevice.ts";
import { main as queuedevice } from "./queuedevice.ts";
import { main as monitoredqueue } from "./monitoredqueue.ts";

/** Runs the three examples; answers their lines, role names prefixed with the example's. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task pyzmq-devices",
    about: "Runs streamerdevice, queuedevice and monitoredqueue one after the other.",
  }, {
    "frontend-port": { type: "string", default: "5559", help: "devices' in port" },
    "backend-port": { type: "string", default: "5560", help: "devices' out port" },
    "monitor-port": { type: "string", default: "5562", help: "monitored queue's PUB port" },
    count: { type: "string", default: "5", help: "tasks / requests per client" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const ports = ["frontend-port", "backend-port"] as const;
  const common = [
    ...ports.flatMap((p) => [`--${p}`, String(portFlag(values[p], p))]),
    "--count",
    String(countFlag(values.count)),
    "--timeout",
    values.timeout,
    ...(values.quiet ? ["--quiet"] : []),
    ...(values.process ? ["--process"] : []),
  ];
  const lines: Record<string, string[]> = {};
  const runs: [string, typeof main, string[]][] = [
    ["streamerdevice", streamerdevice, []],
    ["queuedevice", queuedevice, []],
    ["monitoredqueue", monitoredqueue, ["--monitor-port", values["monitor-port"]]],
  ];
  for (const [name, run, extra] of runs) {
    if (!values.quiet) console.log(`== ${name}`);
    const result = await run([...common, ...extra], env);
    for (const [role, l] of Object.entries(result?.lines ?? {})) lines[`${name}/${role}`] = l;
  }
  return { lines };
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "pyzmq-devices");
