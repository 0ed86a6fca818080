// Running roles in phases (the pyzmq devices chapter starts its device first, then the
// processes): start handles, wait for a line or for the end, stop everything on the way out.
import { RoleError, type RoleHandle, startRole } from "../../workers/mod.ts";
import type { BackgroundDevice } from "../../devices/mod.ts";

/** A role to start: its module next to this file, name and args. */
export interface Role {
  file: string;
  name: string;
  args: string[];
}

/** The roles of one run, stopped together. */
export class Phases {
  #handles: RoleHandle[] = [];
  #quiet: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired: Promise<never>;
  #signal: AbortSignal;
  #onAbort: () => void = () => {};
  /** Lines of roles and of background devices, by name. */
  readonly lines: Record<string, string[]> = {};

  constructor(quiet: boolean, timeout: number, signal: AbortSignal) {
    this.#quiet = quiet;
    this.#signal = signal;
    this.#expired = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(
        () => reject(new RoleError("orchestrator", `timed out after ${timeout} ms`)),
        timeout,
      );
      this.#onAbort = () => reject(signal.reason);
      if (signal.aborted) this.#onAbort();
      else signal.addEventListener("abort", this.#onAbort, { once: true });
    });
    this.#expired.catch(() => {});
  }

  /** The onLine callback for a device or role called `name`, recording its lines. */
  printer(name: string, watch?: (line: string) => void) {
    const lines = this.lines[name] ??= [];
    return (line: string, stream: "stdout" | "stderr") => {
      lines.push(line);
      watch?.(line);
      if (!this.#quiet) (stream === "stderr" ? console.error : console.log)(`[${name}] ${line}`);
    };
  }

  /** Starts a role in a Worker. */
  start(role: Role, watch?: (line: string) => void): RoleHandle {
    const handle = startRole(new URL(role.file, import.meta.url), {
      name: role.name,
      args: role.args,
      onLine: this.printer(role.name, watch),
    });
    this.#handles.push(handle);
    return handle;
  }

  /** Waits for `promise`, failing on the run's timeout or abort. */
  wait<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.#expired]);
  }

  /** Stops every role, then the devices; rethrows the first failure. */
  async close(devices: BackgroundDevice[]): Promise<void> {
    clearTimeout(this.#timer);
    this.#signal.removeEventListener("abort", this.#onAbort);
    const results = await Promise.allSettled([
      ...this.#handles.map((h) => h.stop()),
    ]);
    const deviceResults = await Promise.allSettled(devices.map((d) => d.stop()));
    const failed = [...results, ...deviceResults].find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
