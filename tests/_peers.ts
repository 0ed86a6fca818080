// Peers as child processes: Python ones (tests/py/*.py on Debian's python3-zmq) and Node ones
// (zeromq.js): start one, wait for its "ready" line, stop it with SIGTERM and check that it
// exited cleanly.
import assert from "node:assert/strict";

export const PYTHON = "/usr/bin/python3";

/** True if /usr/bin/python3 can import zmq (CI installs python3-zmq). */
export const hasPyzmq: boolean = (() => {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import zmq"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Debian's libzmq 4.3.4 (no DRAFT), which comes with python3-zmq. */
export const DEBIAN_LIBZMQ = "/usr/lib/x86_64-linux-gnu/libzmq.so.5";

/** True if {@linkcode DEBIAN_LIBZMQ} is there. */
export const hasDebianLibzmq: boolean = (() => {
  try {
    return Deno.statSync(DEBIAN_LIBZMQ).isFile;
  } catch {
    return false;
  }
})();

/** A running peer process. */
export interface PyPeer {
  /** Its stdout lines so far. */
  lines: string[];
  /** Resolves with its first stdout line equal to `line` (rejects after `timeout` ms). */
  waitFor(line: string, timeout?: number): Promise<void>;
  /** Waits for the peer to exit by itself; asserts code 0; answers its stdout lines. */
  finished(): Promise<string[]>;
  /**
   * Sends SIGTERM, then waits as `finished` does; a peer that died of that SIGTERM is stopped
   * too (Node with zeromq.js loaded now and then dies of it, its SIGTERM handler not run: 1 of 30 runs here).
   */
  stop(): Promise<string[]>;
}

/** Starts `tests/py/<script>` with `args`. */
export function pyPeer(script: string, ...args: string[]): PyPeer {
  const path = new URL(`./py/${script}`, import.meta.url).pathname;
  return spawnPeer(script, PYTHON, ["-u", path, ...args]);
}

/**
 * Starts `command` with `args` as a peer named `script` in messages (its stdout read line by
 * line), with `env` added to the environment.
 */
export function spawnPeer(
  script: string,
  command: string,
  args: string[],
  env?: Record<string, string>,
): PyPeer {
  const child = new Deno.Command(command, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  const stdout = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const w of waiters.filter((w) => w.line === line)) w.resolve();
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  const exited = (async () => {
    const [status, , err] = await Promise.all([child.status, stdout, stderr]);
    return { status, err };
  })();
  let terminated = false;
  const finished = async () => {
    const { status, err } = await exited;
    if (terminated && status.signal === "SIGTERM") return lines; // it was told to stop
    assert.equal(status.code, 0, `${script} ${args.join(" ")} failed: ${err}`);
    return lines;
  };
  return {
    lines,
    waitFor(line, timeout = 10_000) {
      if (lines.includes(line)) return Promise.resolve();
      let timer: ReturnType<typeof setTimeout> | undefined;
      return Promise.race([
        new Promise<void>((resolve) => waiters.push({ line, resolve })),
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${script}: no "${line}" line`)), timeout);
        }),
        exited.then(({ err }) => {
          throw new Error(`${script} exited before "${line}": ${err}`);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    finished,
    async stop() {
      try {
        child.kill("SIGTERM");
        terminated = true;
      } catch {
        // already gone
      }
      return await finished();
    },
  };
}

/** A TCP port that was free a moment ago (for a peer that must bind it itself). */
export function freePort(): number {
  return freePorts(1)[0];
}

/** `n` different TCP ports that were free a moment ago. */
export function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => l.addr.port);
  for (const l of listeners) l.close();
  return ports;
}

/**
 * Runs `attempt` (which takes free ports itself) again, up to 3 times, when it failed because
 * a port it chose was taken meanwhile by another program (EADDRINUSE): the machine is shared,
 * and a port probed free can be gone a moment later.
 */
export async function retryOnPortClash<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= 3 || !/Address already in use|EADDRINUSE/.test(String((e as Error)?.message))) {
        throw e;
      }
    }
  }
}
