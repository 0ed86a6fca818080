import type { Context } from "../core/context.ts";
import { badValue } from "../core/errors.ts";
import { startTimer } from "../core/_util.ts";

/** How to start a role in a Web Worker. */
export interface RoleOptions {
  /** Name used to prefix output and in errors; default: the module's file name. */
  name?: string;
  /** Arguments passed to the role's `main(args)`, like command-line arguments. */
  args?: string[];
  /** A context to share with the role (for `inproc://`); default: the role makes its own. */
  context?: Context;
  /**
   * Called with every line the role prints. Default: print it to the console as
   * `[name] line` (stderr lines on stderr).
   */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

/** Raised (as a rejection of `done`) when a role throws or its Worker fails. */
export class RoleError extends Error {
  /** The role's name. */
  readonly role: string;
  /** The `code` of the role's error, if it had one (a ZmqError's errno name, say). */
  readonly code?: string;
  /**
   * Builds the error for role `role`.
   *
   * @param role The role's name.
   * @param message What went wrong.
   * @param code The `code` of the role's error, if it had one.
   * @param stack The role's stack trace, if it had one.
   */
  constructor(role: string, message: string, code?: string, stack?: string) {
    super(`role "${role}" failed: ${message}`);
    this.name = "RoleError";
    this.role = role;
    this.code = code;
    if (stack) this.stack = `${this.name}: ${this.message}\n  role stack: ${stack}`;
  }
}

/** A role running in a Web Worker. */
export interface RoleHandle {
  /** The role's name. */
  readonly name: string;
  /** Every line the role printed so far, in order. */
  readonly lines: string[];
  /** Resolves when the role's `main` returns; rejects with a {@linkcode RoleError}. */
  readonly done: Promise<void>;
  /**
   * Asks the role to stop (aborts its signal), waits up to `timeout` ms (default 5000) for it
   * to close its sockets and end, then ends the Worker. Rejects with a RoleError if the role
   * failed or did not stop in time. A Worker ended that way leaves its sockets open on a shared
   * context; closing the context closes them (see {@linkcode Context.close}).
   */
  stop(options?: { timeout?: number }): Promise<void>;
}

const ENTRY = new URL("./_entry.ts", import.meta.url).href;

/**
 * Starts a role module (one that exports `main(args, env)`) in a Web Worker: the analogue of
 * Python's `multiprocessing.Process`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startRole } from "./worker.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // a free port
 * const port = String(listener.addr.port);
 * listener.close();
 * const here = (f: string) => new URL(`../examples/pair/${f}`, import.meta.url);
 * const rounds = ["--port", port, "--count", "2", "--interval", "0"];
 * const server = startRole(here("pairserver.ts"), { name: "server", args: rounds, onLine: () => {} });
 * const client = startRole(here("pairclient.ts"), { name: "client", args: rounds, onLine: () => {} });
 * await Promise.all([server.done, client.done]); // both ran their rounds and ended
 * assert.deepEqual(client.lines, ["Server message to client3", "Server message to client3"]);
 * assert.equal(server.lines.length, 4); // two answers a round
 * ```
 *
 * @param module The role module's URL (or a path relative to this module).
 * @param options `name`, `args`, `context` (shared, for inproc) and `onLine`.
 * @returns The running role: its `lines`, `done` and `stop()`.
 * @throws {ZmqError} `EBADVALUE` for a module or options that are not one.
 */
export function startRole(module: string | URL, options: RoleOptions = {}): RoleHandle {
  if (typeof options !== "object" || options === null) {
    throw badValue("startRole options must be an object like { name, args }", {
      op: "startRole",
    });
  }
  if (typeof module !== "string" && !(module instanceof URL)) {
    throw badValue("startRole takes the role module as a string or URL", {
      op: "startRole",
    });
  }
  const href = module instanceof URL ? module.href : new URL(module, import.meta.url).href;
  const name = options.name ?? href.split("/").pop()!.replace(/\.ts$/, "");
  const lines: string[] = [];
  const onLine = options.onLine ?? ((line, stream) => {
    (stream === "stderr" ? console.error : console.log)(`[${name}] ${line}`);
  });
  const worker = new Worker(ENTRY, { type: "module", name });
  let finished = false;
  let settle!: (error?: RoleError) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => {
      if (finished) return;
      finished = true;
      worker.terminate();
      if (error) reject(error);
      else resolve();
    };
  });
  worker.onmessage = (event: MessageEvent) => {
    const msg = event.data;
    if (msg.type === "line") {
      for (const line of String(msg.text).split("\n")) {
        lines.push(line);
        onLine(line, msg.stream);
      }
    } else if (msg.type === "done") {
      settle();
    } else if (msg.type === "error") {
      settle(new RoleError(name, msg.message, msg.code, msg.stack));
    }
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    settle(new RoleError(name, event.message || "the Worker failed"));
  };
  worker.postMessage({
    type: "start",
    module: href,
    name,
    args: options.args ?? [],
    context: options.context?.handle,
  });
  const stop = async (stopOptions: { timeout?: number } = {}): Promise<void> => {
    const timeout = typeof stopOptions === "object" && stopOptions !== null
      ? stopOptions.timeout ?? 5000
      : NaN;
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      throw badValue("stop takes { timeout } in ms (a number >= 0)", {
        op: "stop role",
      });
    }
    if (!finished) worker.postMessage({ type: "stop" });
    let cancelTimer = () => {};
    const late = new Promise<void>((_, reject) => {
      cancelTimer = startTimer(timeout, () => {
        const error = new RoleError(name, `did not stop within ${timeout} ms`);
        settle(error);
        reject(error);
      });
    });
    try {
      await Promise.race([done, late]);
    } finally {
      cancelTimer();
    }
  };
  // A failure is reported through `done` and `stop`; don't also report it as unhandled.
  done.catch(() => {});
  return { name, lines, done, stop };
}
