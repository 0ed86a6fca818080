// Helpers for the zmq command line's tests: run `zmq` (cli/zmq.ts) and the pyzmq peers of
// tests/py/cli_peers.py as subprocesses, read their output as it comes, and bound every wait.
import assert from "node:assert/strict";

/** The command line under test. */
export const ZMQ = new URL("../cli/zmq.ts", import.meta.url).pathname;
/** Debian's python3 with pyzmq (the pyenv python3 on PATH has no zmq). */
export const PYTHON = "/usr/bin/python3";
const PEERS = new URL("./py/cli_peers.py", import.meta.url).pathname;

const decoder = new TextDecoder();

/** What a finished process printed, and how it ended. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything a stream has delivered so far, with waits for what is still to come. */
class Collector {
  text = "";
  #closed = false;
  #wake: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream) {
        this.text += decoder.decode(chunk, { stream: true });
        this.#notify();
      }
      this.#closed = true;
      this.#notify();
    })();
  }

  #notify() {
    for (const w of this.#wake.splice(0)) w();
  }

  /** Waits until the text matches `pattern`; fails after `ms` or when the stream ends first. */
  async waitFor(pattern: RegExp, what: string, ms = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.text.match(pattern);
      if (m) return m;
      if (this.#closed) assert.fail(`${what}: the stream ended without ${pattern}\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`${what}: no ${pattern} within ${ms} ms\n${this.text}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }
}

/** A running subprocess: its output so far, a way to feed its stdin, and a bounded end. */
export class Proc {
  readonly name: string;
  readonly child: Deno.ChildProcess;
  readonly out: Collector;
  readonly err: Collector;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | null;
  #ended: Promise<Finished> | null = null;

  constructor(name: string, command: string, args: string[], env?: Record<string, string>) {
    this.name = name;
    this.child = new Deno.Command(command, {
      args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    this.out = new Collector(this.child.stdout);
    this.err = new Collector(this.child.stderr);
  }

  /** `zmq ARGS...` */
  static zmq(args: string[], env?: Record<string, string>): Proc {
    return new Proc(`zmq ${args[0]}`, Deno.execPath(), ["run", "-A", ZMQ, ...args], env);
  }

  /** A pyzmq peer of tests/py/cli_peers.py. */
  static python(mode: string, ...args: string[]): Proc {
    return new Proc(`python ${mode}`, PYTHON, [PEERS, mode, ...args]);
  }

  /** Writes to the process's stdin. */
  async write(text: string | Uint8Array): Promise<void> {
    await this.#stdin!.write(typeof text === "string" ? new TextEncoder().encode(text) : text);
  }

  /** Closes the process's stdin (end of input). */
  async closeStdin(): Promise<void> {
    const w = this.#stdin;
    this.#stdin = null;
    await w?.close().catch(() => {});
  }

  /** The port a peer printed first ("port N"). */
  async port(): Promise<number> {
    return Number((await this.out.waitFor(/^port (\d+)$/m, `${this.name} port`))[1]);
  }

  /** The endpoint `zmq` printed for its n-th wildcard bind ("bound tcp://..."). */
  async bound(n = 1): Promise<string> {
    const re = new RegExp(`(?:[^\\n]*bound \\S+\\n){${n - 1}}[^\\n]*bound (\\S+)\\n`);
    return (await this.err.waitFor(re, `${this.name} bound endpoint ${n}`))[1];
  }

  /** Sends a signal (SIGINT is Ctrl-C). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Waits for the end (killing the process after `ms`, which fails the test). */
  end(ms = 60_000): Promise<Finished> {
    this.#ended ??= this.#end(ms);
    return this.#ended;
  }

  /** Kills the process if it still runs and collects it (for `finally` blocks). */
  async stop(): Promise<void> {
    if (this.#ended === null) this.kill("SIGKILL");
    await this.end().catch(() => {});
  }

  async #end(ms: number): Promise<Finished> {
    await this.closeStdin();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.kill("SIGKILL");
    }, ms);
    const status = await this.child.status;
    clearTimeout(timer);
    await Promise.all([this.out.done, this.err.done]);
    const r = { code: status.code, stdout: this.out.text, stderr: this.err.text };
    if (timedOut) assert.fail(`${this.name} did not end within ${ms} ms\n${r.stderr}`);
    return r;
  }
}

/** Runs `zmq ARGS...` to its end, with `stdin` as its input. */
export async function zmq(
  args: string[],
  options: { stdin?: string | Uint8Array; env?: Record<string, string>; ms?: number } = {},
): Promise<Finished> {
  const p = Proc.zmq(args, options.env);
  if (options.stdin !== undefined) await p.write(options.stdin).catch(() => {});
  return await p.end(options.ms);
}

/** Runs a whole program to its end (deno install, a shim), bounded. */
export async function run(command: string, args: string[], ms = 120_000): Promise<Finished> {
  const p = new Proc(command, command, args);
  return await p.end(ms);
}

/** Asserts a clean exit with `code`, showing stderr when not. */
export function exits(r: Finished, code: number, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, expected ${code}\nstderr: ${r.stderr}`);
}

/** No JavaScript stack trace in `text` (a user must never see one). */
export function noStack(text: string, what: string): void {
  assert.doesNotMatch(text, /^\s+at .*(?:\.ts|\.js|<anonymous>)/m, `${what} shows a stack trace`);
  assert.doesNotMatch(text, /Uncaught|error: Uncaught/, `${what} shows an uncaught error`);
}

/** Runs `body` with a list to put processes in; every one is stopped afterwards. */
export async function withProcs(body: (procs: Proc[]) => Promise<void>): Promise<void> {
  const procs: Proc[] = [];
  try {
    await body(procs);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Splits a command line written as one string at its spaces (for arguments without any). */
export function words(text: string): string[] {
  return text.trim().split(/\s+/);
}
