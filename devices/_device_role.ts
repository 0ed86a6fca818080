// The role a BackgroundDevice runs in its Web Worker: opens the sockets from the
// configuration, reports READY (or throws, which rejects the parent's start), runs the
// device until the role is stopped, then closes everything it opened.
import { Context } from "../core/context.ts";
import { badValue } from "../core/errors.ts";
import type { Socket } from "../core/socket.ts";
import type { SocketOptionName } from "../core/constants.ts";
import type { RoleEnv } from "../workers/role.ts";
import { decodeConfig, READY, type SideConfig } from "./_config.ts";
import { aborted, closeAfterUnbind } from "../core/_util.ts";
import { MonitoredQueue } from "./monitored_queue.ts";
import { SteerableProxy } from "./steerable_proxy.ts";

function open(
  ctx: Context,
  side: SideConfig,
  opened: Socket[],
  bound: [Socket, string][],
): Socket {
  const s = ctx.socket(side.type);
  opened.push(s);
  let subscribed = false;
  for (const [name, value] of side.options) {
    if (name === "SUBSCRIBE") subscribed = true;
    s.setOption(name as SocketOptionName, value as never);
  }
  if (side.type === "SUB" && !subscribed) s.subscribe("");
  for (const e of side.bind) {
    s.bind(e);
    bound.push([s, e]);
  }
  for (const e of side.connect) s.connect(e);
  return s;
}

/** Runs the device described by `--config JSON` until stopped. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const i = args.indexOf("--config");
  if (i < 0 || args[i + 1] === undefined) {
    throw badValue("device role: --config is missing", { op: "device role" });
  }
  const config = decodeConfig(args[i + 1]);
  const own = env.context === undefined;
  const ctx = env.context ?? new Context();
  const opened: Socket[] = [];
  const bound: [Socket, string][] = [];
  try {
    const inSocket = open(ctx, config.in, opened, bound);
    const outSocket = open(ctx, config.out, opened, bound);
    const mon = config.mon ? open(ctx, config.mon, opened, bound) : undefined;
    if (config.kind === "MONITORED_QUEUE") {
      const queue = new MonitoredQueue(inSocket, outSocket, mon!, {
        inPrefix: config.inPrefix,
        outPrefix: config.outPrefix,
      });
      console.log(READY);
      try {
        await Promise.race([aborted(env.signal), queue.done]);
      } finally {
        await queue.stop();
      }
    } else {
      const proxy = new SteerableProxy(inSocket, outSocket, { capture: mon });
      console.log(READY);
      try {
        await Promise.race([aborted(env.signal), proxy.done]);
      } finally {
        await proxy.terminate();
      }
    }
  } finally {
    closeAfterUnbind(opened, bound);
    if (own) await ctx.terminate();
  }
}
