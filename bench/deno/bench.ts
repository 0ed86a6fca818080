/**
 * The Deno stack of `deno task bench` (this library's public API), on the bench contract of
 * bench/README.md:
 *
 *     deno run -A bench/deno/bench.ts WORKLOAD N SIZE PORT [EXTRA]
 *
 * WORKLOAD is reqrep, pushpull, pubsub, queue, fanout, clients, workers or idle. The timed side
 * runs here; the untimed far end (REP echo, PUSH sender, PUB, proxy, ROUTER echo) runs in a Web
 * Worker with its own Context (the other stacks use a child process), the `workers` pushers in
 * Web Workers sharing this Context, and the `idle` clients in child processes. Prints one JSON line.
 *
 * @module
 */
import { ep, WARMUP } from "./_common.ts";
import type { FarRequest } from "./_far.ts";
import { clients, fanout, idle, workers } from "./_scale.ts";
import { latency, pubsub, pushpull, type Result } from "./_timed.ts";

const FAR = new URL("./_far.ts", import.meta.url).href;
const IDLE_CLIENTS = new URL("./_idle_clients.ts", import.meta.url).pathname;
/** Client processes of the `idle` workload (each holds its share of the connections). */
const IDLE_PROCS = 4;

/** A far-end role in a Web Worker; `done` resolves when it has closed its sockets. */
interface Far {
  done: Promise<void>;
  stop(): void;
  end(): void;
}

/** Starts a far end and answers once it has bound (it posts "ready"). */
async function startFar(request: FarRequest): Promise<Far> {
  const worker = new Worker(FAR, { type: "module", name: request.role });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => onReady = r);
  const done = new Promise<void>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent) => {
      if (e.data === "ready") onReady();
      else if (e.data === "done") resolve();
      else reject(new Error(`far end ${request.role}: ${e.data.error}`));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      reject(new Error(`far end ${request.role}: ${e.message}`));
    };
  });
  worker.postMessage(request);
  await Promise.race([ready, done]);
  return { done, stop: () => worker.postMessage("stop"), end: () => worker.terminate() };
}

/** Starts an `idle` client process; answers once it printed "ready". */
async function startIdleClients(port: number, count: number): Promise<{ kill(): void }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", IDLE_CLIENTS, String(port), String(count)],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  if (!value || !new TextDecoder().decode(value).includes("ready")) {
    throw new Error("an idle client process died before it was ready");
  }
  reader.releaseLock();
  void child.stdout.cancel();
  return {
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    },
  };
}

/**
 * Runs one workload with its far ends and answers the result line (without printing it).
 *
 * @example
 * ```ts ignore
 * const r = await runBench("reqrep", 2000, 1, 34000);
 * console.log(r.median_us);
 * ```
 */
export async function runBench(
  bench: string,
  n: number,
  size: number,
  port: number,
  extra = 0,
): Promise<Result> {
  const kids: Far[] = [];
  const far = async (request: FarRequest) => {
    const k = await startFar(request);
    kids.push(k);
    return k;
  };
  let r: Result;
  try {
    if (bench === "reqrep") {
      await far({ role: "rep", endpoint: ep(port), bind: true, n: WARMUP + n });
      r = await latency("reqrep", port, n, size);
    } else if (bench === "pushpull") {
      await far({ role: "push", port, n, size });
      r = await pushpull(port, n, size);
    } else if (bench === "pubsub") {
      const topics = extra >= 1 && extra <= 100 ? extra : 10;
      await far({ role: "pub", port, n, size, topics });
      r = await pubsub(port, n, size, topics);
    } else if (bench === "queue") {
      const px = await far({ role: "proxy", port });
      await far({ role: "rep", endpoint: ep(port + 1), bind: false, n: WARMUP + n });
      r = await latency("queue", port, n, size);
      px.stop();
    } else if (bench === "fanout") {
      await far({ role: "fanoutPub", port, n, size });
      r = await fanout(port, n, size, extra || 50);
    } else if (bench === "clients") {
      const k = extra || 500;
      await far({ role: "routerEcho", port, n: n + k });
      r = await clients(port, n, size, k);
    } else if (bench === "workers") {
      r = await workers(n, size, extra || 4, async (context, count) => {
        const k = await far({ role: "workerPush", context, n: count, size });
        await k.done;
      });
    } else if (bench === "idle") {
      r = await idle(port, n, extra || 5, IDLE_PROCS, (count) => startIdleClients(port, count));
    } else {
      throw new TypeError(`unknown workload ${bench}`);
    }
    await Promise.all(kids.map((k) => k.done));
  } finally {
    for (const k of kids) k.end();
  }
  return { stack: "deno", ...r };
}

const USAGE =
  "usage: bench.ts reqrep|pushpull|pubsub|queue|fanout|clients|workers|idle N SIZE PORT [EXTRA]";
const WORKLOADS = ["reqrep", "pushpull", "pubsub", "queue", "fanout", "clients", "workers", "idle"];

if (import.meta.main) {
  const [bench, ...rest] = Deno.args;
  const [n, size, port, extra = 0] = rest.map(Number);
  if (
    !WORKLOADS.includes(bench) || !(n >= 2) || !(size >= 0) || !(port > 0 && port < 65535) ||
    !Number.isInteger(extra)
  ) {
    console.error(bench && !WORKLOADS.includes(bench) ? `unknown workload ${bench}` : USAGE);
    if (bench && !WORKLOADS.includes(bench)) console.error(USAGE);
    Deno.exit(2);
  }
  console.log(JSON.stringify(await runBench(bench, n, size, port, extra)));
}
