import { ROLE_ERROR_MARKER, ROLE_NAME_ENV, ROLE_REPORT_ENV, type RoleFailure } from "./_report.ts";
import { RoleError, type RoleHandle, type RoleOptions } from "./worker.ts";
import { checkTimeout, startTimer } from "../core/_util.ts";

/** How to start a role as an OS process (`deno run` of its module). */
export interface ProcessRoleOptions extends Omit<RoleOptions, "context"> {
  /** Permission flags for `deno run`. Default `["--allow-all"]`. */
  permissions?: string[];
  /**
   * Words put before the `deno` command, e.g. `["ip", "netns", "exec", "zr-broker"]` to run
   * the role in another network namespace. The wrapper must `exec` the command (so the
   * signals reach the role), as `ip netns exec` does.
   */
  wrapper?: string[];
  /** More environment variables for the process. */
  env?: Record<string, string>;
  /** The signal that asks the role to stop. Default `"SIGTERM"` (`runMain` handles it). */
  stopSignal?: Deno.Signal;
}

/** A role running as an OS process. */
export interface ProcessRoleHandle extends RoleHandle {
  /** The process id. */
  readonly pid: number;
  /**
   * Sends `signal` (default `"SIGKILL"`) to the process at once: a crash on purpose. `done`
   * then rejects with a RoleError naming the signal, unless {@linkcode RoleHandle.stop} asked
   * for it.
   */
  kill(signal?: Deno.Signal): void;
}

/**
 * Starts a role module (one that exports `main(args, env)` and calls `runMain` when it is
 * the main module) as an OS process, `deno run` of the module: the literal analogue of the
 * tutorial's `multiprocessing.Process`, beside {@linkcode startRole}'s Web Worker.
 *
 * It behaves like a Worker role: every line the process prints goes to `onLine` (default:
 * printed as `[name] line`, stderr on stderr) and into `lines`; `done` resolves when the
 * process exits with code 0 and rejects with a {@linkcode RoleError} naming the role
 * otherwise, with the role's own error message and code when it failed in `main`; `stop`
 * sends SIGTERM (the role's signal aborts, it closes its sockets and ends), then SIGKILL after
 * `timeout` ms (default 5000) and rejects. A role process cannot share a Context: talk over
 * tcp or ipc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Context, MajordomoClient } from "../mod.ts";
 * import { startProcessRole } from "./process.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // a free port
 * const endpoint = `tcp://127.0.0.1:${listener.addr.port}`;
 * listener.close();
 * const server = startProcessRole(new URL("../examples/majordomo/broker.ts", import.meta.url), {
 *   name: "broker",
 *   args: ["--bind", endpoint],
 *   onLine: () => {},
 * });
 * assert.ok(server.pid > 0);
 * {
 *   using ctx = new Context({ linger: 0 });
 *   using client = new MajordomoClient(ctx, endpoint, { timeout: 5000, retries: 2 });
 *   assert.deepEqual(await client.requestText("mmi.service", "echo"), ["404"]); // no echo worker
 * }
 * await server.stop(); // SIGTERM, then SIGKILL after 5 s
 * ```
 *
 * @param module The role module's URL (or a path relative to this module).
 * @param options `name`, `args`, `onLine`, `permissions`, `wrapper` (words before `deno`), `env`,
 * `stopSignal`.
 * @returns The running process: its `pid`, `lines`, `done`, `stop()` and `kill()`.
 * @throws {RoleError} For a `context` option: a process cannot share one.
 */
export function startProcessRole(
  module: string | URL,
  options: ProcessRoleOptions = {},
): ProcessRoleHandle {
  const url = module instanceof URL ? module : new URL(module, import.meta.url);
  const name = options.name ?? url.pathname.split("/").pop()!.replace(/\.ts$/, "");
  if ((options as { context?: unknown }).context !== undefined) {
    throw new RoleError(name, "a role process cannot share a Context; run it as a Worker");
  }
  const target = url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
  const deno = [
    Deno.execPath(),
    "run",
    "--quiet",
    ...(options.permissions ?? ["--allow-all"]),
    target,
    ...(options.args ?? []),
  ];
  const command = [...(options.wrapper ?? []), ...deno];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { ...options.env, [ROLE_NAME_ENV]: name, [ROLE_REPORT_ENV]: "1" },
  }).spawn();
  const lines: string[] = [];
  const onLine = options.onLine ?? ((line, stream) => {
    (stream === "stderr" ? console.error : console.log)(`[${name}] ${line}`);
  });
  let failure: RoleFailure | null = null;
  const forward = (stream: "stdout" | "stderr") => (line: string) => {
    if (stream === "stderr" && line.startsWith(ROLE_ERROR_MARKER)) {
      try {
        failure = JSON.parse(line.slice(ROLE_ERROR_MARKER.length));
        return;
      } catch {
        // not ours after all: print it
      }
    }
    lines.push(line);
    onLine(line, stream);
  };
  const output = Promise.all([
    readLines(child.stdout, forward("stdout")),
    readLines(child.stderr, forward("stderr")),
  ]);
  let stopping = false;
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const done = (async () => {
    const [s] = await Promise.all([status, output]);
    if (s.success) return;
    const reported = failure as RoleFailure | null;
    if (reported) throw new RoleError(name, reported.message, reported.code, reported.stack);
    if (stopping && s.signal !== null) return; // ended by the stop signal: a clean stop
    const last = lines.filter((l) => l.trim() !== "").at(-1);
    const why = s.signal !== null ? `was killed by ${s.signal}` : `exited with code ${s.code}`;
    throw new RoleError(name, last ? `${why}: ${last}` : why);
  })();
  // A failure is reported through `done` and `stop`; don't also report it as unhandled.
  done.catch(() => {});
  const signal = (sig: Deno.Signal) => {
    if (exited) return;
    try {
      child.kill(sig);
    } catch {
      // it exited meanwhile
    }
  };
  const stop = async (stopOptions: { timeout?: number } = {}): Promise<void> => {
    // a negative or NaN timeout would never fire (startTimer): the child would never be killed
    const timeout = checkTimeout(stopOptions?.timeout ?? 5000, { op: "stop role" }, false);
    stopping = true;
    signal(options.stopSignal ?? "SIGTERM");
    let cancelTimer = () => {};
    const late = new Promise<void>((_, reject) => {
      cancelTimer = startTimer(timeout, () => {
        signal("SIGKILL");
        reject(new RoleError(name, `did not stop within ${timeout} ms; killed`));
      });
    });
    try {
      await Promise.race([done, late]);
    } catch (error) {
      await done.catch(() => {}); // the process is gone before stop settles
      throw error;
    } finally {
      cancelTimer();
    }
  };
  return {
    name,
    lines,
    done,
    stop,
    pid: child.pid,
    kill: (sig: Deno.Signal = "SIGKILL") => signal(sig),
  };
}

/** Calls `onLine` for every line of `stream`, the last one even without a newline. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const part of parts) onLine(part.replace(/\r$/, ""));
  }
  if (rest !== "") onLine(rest);
}
