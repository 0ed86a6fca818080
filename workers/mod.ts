/**
 * Workers are the processes: run each role of an example (server, client, worker, device) in
 * its own Web Worker, the analogue of Python's `multiprocessing`. A role module exports
 * `main(args, env)` and runs on its own with `runMain`; {@linkcode startRole} starts one in a
 * Worker, {@linkcode startProcessRole} as an OS process (`deno run` of the module), and
 * {@linkcode runRoles} runs all roles of an example at once, either way.
 *
 * @module
 */
export { isStop, type RoleEnv, type RoleMain, runMain } from "./role.ts";
export { UsageError } from "./usage_error.ts";
export { RoleError, type RoleHandle, type RoleOptions, startRole } from "./worker.ts";
export {
  type RoleKind,
  type RoleSpec,
  type RunOptions,
  type RunResult,
  runRoles,
} from "./orchestrate.ts";
export { type ProcessRoleHandle, type ProcessRoleOptions, startProcessRole } from "./process.ts";
