/**
 * The Deno stack of the anchor benchmarks (`../shared/anchors/`), on the same CLI contract:
 *
 *     deno run -A bench/bench.ts reqrep|pushpull|pubsub|queue N SIZE PORT [TOPICS]
 *
 * The timed side runs here; the untimed far end (REP echo, PUSH sender, PUB, proxy) runs in a
 * Web Worker with its own Context, the analogue of the anchors' child process. Prints one JSON
 * line with the anchors' fields.
 *
 * @module
 */
import { Context } from "../core/mod.ts";
import { ep, WARMUP } from "./_common.ts";
import type { FarRequest } from "./_far.ts";

/** One result line, as the anchors print it. */
export type BenchResult = Record<string, string | number | boolean>;

const FAR = new URL("./_far.ts", import.meta.url).href;
const now = () => performance.now() * 1e3; // µs

/** A far-end role in a Web Worker; `done` resolves when it has closed its sockets. */
interface Far {
  ready: Promise<void>;
  done: Promise<void>;
  stop(): void;
  end(): void;
}

function startFar(request: FarRequest): Far {
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
  return {
    ready,
    done,
    stop: () => worker.postMessage("stop"),
    end: () => worker.terminate(),
  };
}

/** Nearest-rank percentile of a sorted array (same definition in all stacks). */
function pct(v: Float64Array, p: number): number {
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

async function latClient(bench: string, endpoint: string, n: number, size: number) {
  const ctx = new Context();
  const s = ctx.socket("REQ");
  s.connect(endpoint);
  const msg = new Uint8Array(size);
  const t = new Float64Array(n);
  let t0 = 0;
  for (let i = 0; i < WARMUP + n; i++) {
    if (i === WARMUP) t0 = now();
    const a = now();
    await s.send(msg);
    const r = await s.recv();
    if (r.length !== size) throw new Error("bad reply");
    if (i >= WARMUP) t[i - WARMUP] = now() - a;
  }
  const tot = now() - t0;
  t.sort();
  s.close();
  await ctx.terminate();
  return {
    bench,
    n,
    size,
    median_us: round(pct(t, 0.5), 2),
    p99_us: round(pct(t, 0.99), 2),
    mean_us: round(tot / n, 2),
  };
}

async function thrPull(port: number, n: number, size: number) {
  const ctx = new Context();
  const s = ctx.socket("PULL");
  s.connect(ep(port));
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    const m = await s.recv();
    if (m.length !== size) throw new Error("bad size");
    if (i === 0) t0 = now(); // timed from the first message
  }
  const el = (now() - t0) / 1e6;
  const rate = (n - 1) / el;
  s.close();
  await ctx.terminate();
  return {
    bench: "pushpull",
    n,
    size,
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    elapsed_s: round(el, 3),
  };
}

async function subRecv(port: number, n: number, size: number, topics: number, mine: number) {
  const ctx = new Context();
  const sub = ctx.socket("SUB");
  const ack = ctx.socket("PUSH");
  const topic = `t${String(mine).padStart(2, "0")}`;
  const t0c = topic.charCodeAt(0), t1c = topic.charCodeAt(1), t2c = topic.charCodeAt(2);
  sub.setOption("RCVHWM", 0);
  sub.subscribe(topic);
  sub.connect(ep(port));
  ack.connect(ep(port + 1));
  const expected = Math.floor(n / topics) + (mine < n % topics ? 1 : 0);
  let got = 0, synced = false, ok = false, t0 = 0, t1 = 0;
  try {
    for (;;) {
      const m = await sub.recv({ timeout: 60000 });
      const kind = m[3];
      if (kind === 83 /* S */) {
        if (!synced) {
          await ack.send("ready");
          synced = true;
        }
        continue;
      }
      if (kind === 69 /* E */) {
        ok = true;
        break;
      }
      if (m[0] !== t0c || m[1] !== t1c || m[2] !== t2c) break; // filter broken
      t1 = now();
      if (got === 0) t0 = t1;
      got++;
    }
  } catch (e) {
    if ((e as { code?: string }).code !== "EAGAIN") throw e;
  }
  const el = (t1 - t0) / 1e6;
  const rate = got > 1 ? (got - 1) / el : 0; // no inf/NaN in JSON
  ack.close();
  sub.close();
  await ctx.terminate();
  return {
    bench: "pubsub",
    n,
    size,
    topics,
    expected,
    delivered: got,
    ok: ok && got === expected,
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    pub_msgs_per_s: got > 1 ? Math.round((n - topics) / el) : 0,
    elapsed_s: round(el, 3),
  };
}

/**
 * Runs one workload (`reqrep`, `pushpull`, `pubsub`, `queue`) with its far end in Web Workers
 * and answers the result line (without printing it).
 *
 * @example
 * ```ts ignore
 * const r = await runBench("reqrep", 2000, 1, 19000);
 * console.log(r.median_us);
 * ```
 */
export async function runBench(
  bench: string,
  n: number,
  size: number,
  port: number,
  topics = 10,
): Promise<BenchResult> {
  const kids: Far[] = [];
  let r: Record<string, string | number | boolean>;
  try {
    if (bench === "reqrep") {
      kids.push(startFar({ role: "rep", endpoint: ep(port), bind: true, n: WARMUP + n }));
      r = await latClient("reqrep", ep(port), n, size);
    } else if (bench === "pushpull") {
      kids.push(startFar({ role: "push", port, n, size }));
      r = await thrPull(port, n, size);
    } else if (bench === "pubsub") {
      kids.push(startFar({ role: "pub", port, n, size, topics }));
      r = await subRecv(port, n, size, topics, 3 % topics);
    } else if (bench === "queue") {
      const px = startFar({ role: "proxy", port });
      await px.ready;
      kids.push(startFar({ role: "rep", endpoint: ep(port + 1), bind: false, n: WARMUP + n }));
      r = await latClient("queue", ep(port), n, size);
      px.stop();
      kids.push(px);
    } else {
      throw new Error(`unknown bench ${bench}`);
    }
    await Promise.all(kids.map((k) => k.done));
  } finally {
    for (const k of kids) k.end();
  }
  return { stack: "deno", ...r };
}

if (import.meta.main) {
  const [bench, n = "20000", size = "1", port = "5600", topics = "10"] = Deno.args;
  if (!bench) {
    console.error("usage: bench.ts reqrep|pushpull|pubsub|queue [N] [SIZE] [PORT] [TOPICS]");
    Deno.exit(2);
  }
  const r = await runBench(bench, Number(n), Number(size), Number(port), Number(topics));
  console.log(JSON.stringify(r));
}
