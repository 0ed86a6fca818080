// Runs one stack program on one workload with a timeout and turns what it printed into a raw
// result line: its JSON, or `hangs` (killed at the timeout, with every child process), or
// `failed` (with its last stderr line).
import type { ReadyStack } from "./_stacks.ts";
import type { Workload } from "./_plan.ts";

/** One raw result line (what a stack printed, plus the harness's fields). */
export type Row = Record<string, unknown> & {
  stack: string;
  bench: string;
  workload: string;
  n: number;
  size: number;
};

/** Hands out port pairs (PORT, PORT+1) in [base, base+span), each free when handed out. */
export class Ports {
  #next: number;
  constructor(readonly base: number, readonly span: number) {
    this.#next = base;
  }

  /** The next pair whose two ports can be bound right now (a recent user may hold one). */
  take(): number {
    for (let tries = 0; tries < this.span / 2; tries++) {
      const p = this.#next;
      this.#next = p + 2 >= this.base + this.span ? this.base : p + 2;
      if (bindable(p) && bindable(p + 1)) return p;
    }
    throw new Error(`no free port pair in ${this.base}..${this.base + this.span - 1}`);
  }
}

function bindable(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

const hasTimeout = (() => {
  try {
    return new Deno.Command("timeout", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs `stack` on `w`; answers the raw row. `timeoutS` bounds the whole process tree. */
export async function runOne(
  stack: ReadyStack,
  w: Workload,
  quick: boolean,
  port: number,
  timeoutS: number,
): Promise<Row> {
  const n = quick ? w.quickN : w.n;
  const extra = quick ? (w.quickExtra ?? w.extra) : w.extra;
  const args = [w.bench, String(n), String(w.size), String(port)];
  if (extra !== undefined) args.push(String(extra));
  // GNU timeout puts the program in its own process group and signals the whole group, so a
  // hung far end (a forked child, a child process) goes too.
  const cmd = hasTimeout
    ? ["timeout", "-k", "3", String(timeoutS), ...stack.cmd, ...args]
    : [...stack.cmd, ...args];
  const base: Row = { stack: stack.id, bench: w.bench, workload: w.id, n, size: w.size };
  const started = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: stack.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const wall = () => ({ wall_s: Number(((performance.now() - started) / 1000).toFixed(2)) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (!hasTimeout) child.kill("SIGKILL");
  }, (timeoutS + (hasTimeout ? 6 : 0)) * 1000);
  const stdout = collect(child.stdout), stderr = collect(child.stderr);
  const r = await child.status;
  clearTimeout(timer);
  // A far end that outlived its parent (one in a process group of its own) still holds the
  // pipes: end it, then stop reading.
  const leftovers = killLeftovers(stack.cmd.at(-1)!, port);
  if (leftovers) console.error(`  killed ${leftovers} leftover process(es) of ${stack.id} ${w.id}`);
  const [outText, errText] = await Promise.all([stdout.text(2000), stderr.text(2000)]);
  const out = outText.trim().split("\n").filter((l) => l.startsWith("{"));
  const err = errText.trim().split("\n").filter((l) => l.trim() && !isNoise(l));
  if (timedOut || (hasTimeout && (r.code === 124 || r.code === 137))) {
    return { ...base, hangs: true, timeout_s: timeoutS, ...wall() };
  }
  if (r.success && out.length > 0) {
    try {
      const line = JSON.parse(out.at(-1)!);
      return { ...line, ...base, n: line.n ?? n, size: line.size ?? w.size, ...wall() };
    } catch { /* reported as failed below */ }
  }
  return {
    ...base,
    failed: true,
    code: r.code,
    error: err.at(-1)?.slice(0, 300) ?? "no output",
    ...wall(),
  };
}

/** Deno's advice about npm install scripts, printed on every zeromq.js import: not an error. */
function isNoise(line: string): boolean {
  return /[│╭╰]|nodeModulesDir|install script|lifecycle script/i.test(line);
}

/** Reads a stream to the end in the background; `text(grace)` stops waiting `grace` ms later. */
function collect(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        chunks.push(value);
      }
    } catch { /* cancelled */ }
  })();
  return {
    async text(grace: number): Promise<string> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((r) => timer = setTimeout(r, grace));
      await Promise.race([done, late]);
      clearTimeout(timer);
      await reader.cancel().catch(() => {});
      await done;
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) bytes.set(c, (at += c.length) - c.length);
      return new TextDecoder().decode(bytes);
    },
  };
}

/**
 * Ends the processes that one invocation left behind: those whose command line names a file of
 * the stack's program folder and this invocation's port (every far end gets PORT or PORT+1, and
 * each invocation has ports of its own). Answers how many it ended.
 */
function killLeftovers(program: string, port: number): number {
  let killed = 0;
  const folder = program.slice(0, program.lastIndexOf("/") + 1);
  const token = new RegExp(`(^|[:/])(${port}|${port + 1})$`);
  for (const e of Deno.readDirSync("/proc")) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    let args: string[];
    try {
      args = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    } catch {
      continue; // gone, or not ours to read
    }
    if (!args.some((a) => a.startsWith(folder)) || !args.some((a) => token.test(a))) continue;
    try {
      Deno.kill(pid, "SIGKILL");
      killed++;
    } catch { /* already gone */ }
  }
  return killed;
}
