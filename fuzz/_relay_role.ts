// A Worker role for the model fuzzer: on the adopted context, it pulls messages from
// args[0], checks each one, and pushes it on to args[1] unchanged, until stopped.
import type { RoleEnv } from "../mod.ts";
import { checkMessage } from "./_payload.ts";

/** Relays until the role is stopped; a broken message fails the role (and so the seed). */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const ctx = env.context;
  if (!ctx) throw new Error("the relay needs a shared context");
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.setOption("LINGER", 0);
  push.setOption("LINGER", 0);
  pull.connect(args[0]);
  push.connect(args[1]);
  for (;;) {
    const frames = await pull.recvMultipart({ signal: env.signal });
    const stamp = checkMessage(frames);
    if (typeof stamp === "string") throw new Error(`relay received a broken message: ${stamp}`);
    await push.send(frames, { signal: env.signal });
  }
}
