// The command-line side of devices/queue.ts, forwarder.ts and streamer.ts.
import { parseArgs } from "node:util";
import type { RoleEnv } from "../workers/role.ts";
import { DEVICE_SOCKETS, type DeviceKind, startDevice } from "./device.ts";
import { aborted } from "../core/_util.ts";

/** "5559" → "tcp://*:5559"; anything else is taken as an endpoint. */
export function endpointFlag(value: string, host = "*"): string {
  return /^\d+$/.test(value) ? `tcp://${host}:${value}` : value;
}

const TITLES: Record<DeviceKind, string> = {
  QUEUE: "Queue",
  FORWARDER: "Forwarder",
  STREAMER: "Streamer",
};

/** Runs a device until the role is stopped: the body of each device program's `main`. */
export async function deviceMain(kind: DeviceKind, args: string[], env: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      frontend: { type: "string", default: "5559" },
      backend: { type: "string", default: "5560" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [ft, bt] = DEVICE_SOCKETS[kind];
  if (values.help) {
    console.log(
      `usage: ${kind.toLowerCase()} [--frontend PORT|ENDPOINT] [--backend PORT|ENDPOINT]\n` +
        `  ${TITLES[kind]} device: binds a ${ft} frontend (default tcp://*:5559) and a ${bt} ` +
        `backend (default tcp://*:5560), runs until stopped (Ctrl-C).`,
    );
    return;
  }
  const frontend = endpointFlag(values.frontend);
  const backend = endpointFlag(values.backend);
  const device = startDevice(kind, { frontend, backend, context: env.context });
  console.log(`${TITLES[kind]} device: ${ft} ${frontend} -> ${bt} ${backend}`);
  try {
    await Promise.race([aborted(env.signal), device.done]);
  } finally {
    await device.stop();
    const stats = await device.statistics();
    console.log(
      `${TITLES[kind]} device stopped: frontend received ${stats.frontend.messagesIn}, ` +
        `backend received ${stats.backend.messagesIn} (libzmq's message counts)`,
    );
  }
}
