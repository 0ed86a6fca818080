// Running an example's roles in phases, for the examples whose roles must come up in order
// (a device before the peers that connect to it, the servers before the client): start a
// role in a Web Worker, wait for a line it prints or for its end, stop everything on the way
// out. Every wait is bounded by the run's timeout and names what it was waiting for; a role
// that fails fails the run at once.
import { RoleError, type RoleHandle, startProcessRole, startRole } from "../workers/mod.ts";
import type { BackgroundDevice } from "../devices/mod.ts";

/** A role to start: its module (a URL), name and args. */
export interface Role {
  module: URL;
  name: string;
  args: string[];
}

/** The roles of one run, stopped together. */
export class Phases {
  #handles: RoleHandle[] = [];
  #devices: BackgroundDevice[] = [];
  #quiet: boolean;
  #process: boolean;
  #timeout: number;
  #deadline: number;
  #signal: AbortSignal;
  #failed: Promise<never>;
  #fail!: (reason: unknown) => void;
  #watchers = new Map<string, Set<(line: string) => void>>();
  /** Lines of roles and of background devices, by name. */
  readonly lines: Record<string, string[]> = {};

  /**
   * A run that fails after `timeout` ms, or when `signal` aborts; its roles run as OS
   * processes with `process`, else in Web Workers.
   */
  constructor(
    flags: { quiet: boolean; timeout: number; process?: boolean },
    signal: AbortSignal,
  ) {
    this.#quiet = flags.quiet;
    this.#process = flags.process === true;
    this.#timeout = flags.timeout;
    this.#deadline = performance.now() + flags.timeout;
    this.#signal = signal;
    this.#failed = new Promise<never>((_, reject) => this.#fail = reject);
    this.#failed.catch(() => {});
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  #onAbort = () => this.#fail(this.#signal.reason);

  /** The onLine callback for a device or role called `name`: records, watches, prints. */
  printer(name: string): (line: string, stream: "stdout" | "stderr") => void {
    const lines = this.lines[name] ??= [];
    return (line, stream) => {
      lines.push(line);
      for (const watch of this.#watchers.get(name) ?? []) watch(line);
      if (!this.#quiet) (stream === "stderr" ? console.error : console.log)(`[${name}] ${line}`);
    };
  }

  /** Starts a role in a Worker (or an OS process); if it fails, the run fails. */
  start(role: Role): RoleHandle {
    const options = { name: role.name, args: role.args, onLine: this.printer(role.name) };
    const handle = this.#process
      ? startProcessRole(role.module, options)
      : startRole(role.module, options);
    this.#handles.push(handle);
    handle.done.catch((e) => this.#fail(e));
    return handle;
  }

  /** Starts a role and waits for its first line that passes `test` (`what` names it). */
  async startUntil(role: Role, test: (line: string) => boolean, what: string): Promise<RoleHandle> {
    const handle = this.start(role);
    await this.waitForLine(handle, test, what);
    return handle;
  }

  /**
   * Starts roles that connect to a device with `--ready` and waits until each has printed
   * `Connected to ...` (its handshake with the device is done).
   */
  async startConnected(roles: Role[]): Promise<RoleHandle[]> {
    const handles = roles.map((role) => this.start({ ...role, args: [...role.args, "--ready"] }));
    for (const h of handles) {
      await this.waitForLine(h, (l) => l.startsWith("Connected to"), `${h.name} to connect`);
    }
    return handles;
  }

  /** Starts a background device; it is stopped by {@linkcode Phases.close}. */
  async startDevice(device: BackgroundDevice, what: string): Promise<void> {
    this.#devices.push(device);
    await this.wait(device.start(), what);
  }

  /**
   * Waits for `promise`; rejects when a role fails, the run is aborted, or the run's time is
   * up, saying it was waiting for `what`.
   */
  wait<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RoleError(
              "orchestrator",
              `timed out after ${this.#timeout} ms waiting for ${what}`,
            ),
          ),
        Math.max(0, this.#deadline - performance.now()),
      );
    });
    return Promise.race([promise, this.#failed, late]).finally(() => clearTimeout(timer));
  }

  /**
   * Resolves with the first line of role `name` (printed so far or later) that passes `test`;
   * rejects like {@linkcode Phases.wait}, or if the role ends without printing one.
   */
  waitForLine(handle: RoleHandle, test: (line: string) => boolean, what: string): Promise<string> {
    const seen = (this.lines[handle.name] ?? []).find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    let watch!: (line: string) => void;
    const found = new Promise<string>((resolve, reject) => {
      watch = (line) => test(line) && resolve(line);
      handle.done.then(
        () => reject(new RoleError(handle.name, `ended before ${what}`)),
        () => {}, // its failure fails the run
      );
    });
    const watchers = this.#watchers.get(handle.name) ?? new Set();
    this.#watchers.set(handle.name, watchers.add(watch));
    return this.wait(found, what).finally(() => watchers.delete(watch));
  }

  /**
   * Resolves once `count` lines passing `test` were printed by the roles `handles` together;
   * rejects like {@linkcode Phases.wait}.
   */
  waitForLines(
    handles: RoleHandle[],
    test: (line: string) => boolean,
    count: number,
    what: string,
  ): Promise<void> {
    const have = () =>
      handles.reduce((n, h) => n + (this.lines[h.name] ?? []).filter(test).length, 0);
    if (have() >= count) return Promise.resolve();
    let watch!: (line: string) => void;
    const enough = new Promise<void>((resolve) => watch = () => have() >= count && resolve());
    const sets = handles.map((h) => {
      const watchers = this.#watchers.get(h.name) ?? new Set();
      this.#watchers.set(h.name, watchers.add(watch));
      return watchers;
    });
    return this.wait(enough, what).finally(() => sets.forEach((s) => s.delete(watch)));
  }

  /** Stops every role, then the devices; rethrows the first failure. */
  async close(): Promise<void> {
    this.#signal.removeEventListener("abort", this.#onAbort);
    const results = await Promise.allSettled(this.#handles.map((h) => h.stop()));
    // stop() never rejects: how each device ended is its done's
    const deviceResults = await Promise.allSettled(
      this.#devices.map((d) => d.stop().then(() => d.done)),
    );
    const failed = [...results, ...deviceResults].find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
