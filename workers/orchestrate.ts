import type { Context } from "../core/context.ts";
import { badValue } from "../core/errors.ts";
import { RoleError, type RoleHandle, type RoleOptions, startRole } from "./worker.ts";
import { type ProcessRoleOptions, startProcessRole } from "./process.ts";
import { checkTimeout, startTimer } from "../core/_util.ts";

/** Where a role runs: a Web Worker of this process, or an OS process of its own. */
export type RoleKind = "worker" | "process";

/** One role of an example. */
export interface RoleSpec extends RoleOptions, Omit<ProcessRoleOptions, keyof RoleOptions> {
  /** The role module (exports `main(args, env)`). */
  module: string | URL;
  /**
   * `true` for a role that serves until stopped (a server, a device): it is stopped once every
   * other role has finished. Default `false`: the example waits for the role to end.
   */
  service?: boolean;
  /** Run it in a Web Worker or as an OS process (`deno run` of the module); default the run's. */
  as?: RoleKind;
}

/** Options for {@linkcode runRoles}. */
export interface RunOptions {
  /** Fails the run (stopping every role) after this many ms. Default: no limit. */
  timeout?: number;
  /** A context shared by all roles (for `inproc://`), overriding each spec's own. */
  context?: Context;
  /** Stops every role when aborted (the orchestrator's Ctrl-C). */
  signal?: AbortSignal;
  /** Where roles run unless their spec says: `"worker"` (default) or `"process"`. */
  as?: RoleKind;
}

/** What a run produced: each role's printed lines by name. */
export interface RunResult {
  /** Lines printed by each role, by role name. */
  lines: Record<string, string[]>;
}

/**
 * Runs all roles of an example at once, each in its own Web Worker (or OS process, with
 * `as: "process"`): waits for the finite roles to finish, then stops the services. If any role
 * throws, every role is stopped and the returned promise rejects with a {@linkcode RoleError}
 * that names it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runRoles } from "./orchestrate.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // a free port
 * const port = String(listener.addr.port);
 * listener.close();
 * const here = (f: string) => new URL(`../examples/pair/${f}`, import.meta.url);
 * const { lines } = await runRoles([
 *   { module: here("pairserver.ts"), name: "server", service: true, args: ["--port", port, "--interval", "0"] },
 *   { module: here("pairclient.ts"), name: "client", args: ["--port", port, "--count", "3", "--interval", "0"] },
 * ], { timeout: 30_000 });
 * assert.equal(lines.client.length, 3); // the server is stopped once the client is done
 * ```
 *
 * @param specs The roles: each `module`, with `name`, `args`, `service: true` for a server, `as`.
 * @param options A `timeout` for the whole run, a shared `context`, a `signal`, `as`.
 * @returns The lines each role printed, by name.
 * @throws {RoleError} Rejects naming the role that failed; `EBADVALUE` for malformed specs.
 */
export async function runRoles(specs: RoleSpec[], options: RunOptions = {}): Promise<RunResult> {
  if (!Array.isArray(specs) || specs.some((s) => typeof s !== "object" || s === null)) {
    throw badValue("runRoles takes an array of role specs ({ module, ... })", {
      op: "runRoles",
    });
  }
  if (typeof options !== "object" || options === null) {
    throw badValue("runRoles options must be an object like { timeout }", {
      op: "runRoles",
    });
  }
  // checked before any role starts: a negative or NaN timeout would never fire
  const timeout = checkTimeout(options.timeout, { op: "runRoles" }, false);
  const handles: RoleHandle[] = [];
  const services: RoleHandle[] = [];
  const finite: RoleHandle[] = [];
  for (const spec of specs) {
    const role = { ...spec, context: options.context ?? spec.context };
    let handle: RoleHandle;
    try {
      handle = (spec.as ?? options.as) === "process"
        ? startProcessRole(spec.module, role)
        : startRole(spec.module, role);
    } catch (error) {
      await Promise.allSettled(handles.map((h) => h.stop()));
      throw error;
    }
    handles.push(handle);
    (spec.service ? services : finite).push(handle);
  }
  let cancelTimer = () => {};
  let onAbort: (() => void) | undefined;
  const cut = new Promise<never>((_, reject) => {
    cancelTimer = startTimer(
      timeout,
      () => reject(new RoleError("orchestrator", `timed out after ${timeout} ms`)),
    );
    onAbort = () => reject(options.signal!.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  // A service that fails while the finite roles run fails the run too.
  const serviceFailure = Promise.all(services.map((h) => h.done)).then(() =>
    new Promise<never>(() => {})
  );
  let failure: unknown;
  try {
    await Promise.race([Promise.all(finite.map((h) => h.done)), serviceFailure, cut]);
  } catch (error) {
    failure = error;
  } finally {
    cancelTimer();
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
  // Stop everything still running; services first learn the run is over.
  const stops = await Promise.allSettled(handles.map((h) => h.stop()));
  if (failure === undefined) {
    const firstStopFailure = stops.find((s) => s.status === "rejected");
    if (firstStopFailure) failure = (firstStopFailure as PromiseRejectedResult).reason;
  }
  if (failure !== undefined) throw failure;
  return { lines: Object.fromEntries(handles.map((h) => [h.name, h.lines])) };
}
