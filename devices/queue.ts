/**
 * The QUEUE device (ROUTER/DEALER) as a program:
 * `deno run -A devices/queue.ts --frontend 5559 --backend 5560`. Also a role module for
 * Workers (`main(args, env)`).
 *
 * @module
 */
import { runMain } from "../workers/role.ts";
import type { RoleEnv } from "../workers/role.ts";
import { deviceMain } from "./_main.ts";

/**
 * Runs the QUEUE device until the role is stopped (Ctrl-C when run on its own). Flags:
 * `--frontend PORT|ENDPOINT` (default 5559), `--backend PORT|ENDPOINT` (default 5560).
 */
export function main(args: string[], env: RoleEnv): Promise<void> {
  return deviceMain("QUEUE", args, env);
}

if (import.meta.main) await runMain(main, "queue");
