// The timed side of `zmq bench`: the anchor benchmarks' workloads and result fields, with a
// progress callback. The untimed end runs in a Web Worker (_bench_far.ts).
import { Context, type Socket } from "../mod.ts";
import type { FarJob } from "./_bench_job.ts";
import { RunError } from "./_errors.ts";

/** The workloads, named as in the anchors' contract. */
export const BENCHES = ["reqrep", "pushpull", "pubsub", "queue"] as const;

/** A workload name. */
export type BenchName = typeof BENCHES[number];

/** One run: workload, message count and size, the base port (PORT and PORT+1), topics. */
export interface BenchSpec {
  bench: BenchName;
  n: number;
  size: number;
  port: number;
  topics: number;
}

/** The result line, with the anchors' fields. */
export type BenchResult = Record<string, string | number | boolean>;

/** Called as the timed side advances: `done` of `total` steps. */
export type Progress = (done: number, total: number) => void;

/** Untimed round trips before a latency measurement (as in the anchors). */
export const WARMUP = 100;

const FAR = new URL("./_bench_far.ts", import.meta.url).href;
const micros = () => performance.now() * 1000;
const round = (x: number, digits: number) => Number(x.toFixed(digits));

interface Far {
  ready: Promise<void>;
  done: Promise<void>;
  worker: Worker;
}

function startFar(job: FarJob): Far {
  const worker = new Worker(FAR, { type: "module", name: `zmq bench ${job.role}` });
  let ready!: () => void;
  const far: Far = {
    worker,
    ready: new Promise<void>((r) => ready = r),
    done: new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) => {
        if (e.data === "ready") ready();
        else if (e.data === "done") resolve();
        else reject(new RunError(`the benchmark's far end failed: ${e.data?.error}`));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new RunError(`the benchmark's far end failed: ${e.message}`));
      };
    }),
  };
  far.done.catch(() => {}); // reported where it is awaited
  worker.postMessage(job);
  return far;
}

/** Calls `progress` about 200 times over `total` steps, wherever the loop is. */
function ticker(total: number, progress: Progress): (i: number) => void {
  const step = Math.max(1, Math.floor(total / 200));
  return (i) => {
    if (i % step === 0 || i === total) progress(i, total);
  };
}

/** Nearest-rank percentile of sorted values (the anchors' definition). */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function latency(s: Socket, spec: BenchSpec, tick: (i: number) => void, signal: AbortSignal) {
  const { n, size } = spec;
  const body = new Uint8Array(size);
  const times = new Float64Array(n);
  let t0 = 0;
  for (let i = 0; i < WARMUP + n; i++) {
    if (i === WARMUP) t0 = micros();
    const a = micros();
    await s.send(body, { signal });
    const r = await s.recv({ signal });
    if (r.length !== size) throw new RunError(`a reply of ${r.length} bytes, not ${size}`);
    if (i >= WARMUP) times[i - WARMUP] = micros() - a;
    tick(i + 1);
  }
  const total = micros() - t0;
  times.sort();
  return {
    median_us: round(percentile(times, 0.5), 2),
    p99_us: round(percentile(times, 0.99), 2),
    mean_us: round(total / n, 2),
  };
}

async function throughput(
  s: Socket,
  spec: BenchSpec,
  tick: (i: number) => void,
  signal: AbortSignal,
) {
  const { n, size } = spec;
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    const m = await s.recv({ signal });
    if (m.length !== size) throw new RunError(`a message of ${m.length} bytes, not ${size}`);
    if (i === 0) t0 = micros(); // from the first message received
    tick(i + 1);
  }
  const seconds = (micros() - t0) / 1e6;
  const rate = (n - 1) / seconds;
  return {
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    elapsed_s: round(seconds, 3),
  };
}

async function subscribe(
  ctx: Context,
  spec: BenchSpec,
  tick: (i: number) => void,
  signal: AbortSignal,
) {
  const { n, size, topics } = spec;
  const mine = subscribedTopic(spec);
  const topic = `t${String(mine).padStart(2, "0")}`;
  const head = new TextEncoder().encode(topic);
  const sub = ctx.socket("SUB");
  const ack = ctx.socket("PUSH");
  sub.setOption("RCVHWM", 0);
  sub.subscribe(topic);
  sub.connect(`tcp://127.0.0.1:${spec.port}`);
  ack.connect(`tcp://127.0.0.1:${spec.port + 1}`);
  const expected = deliveries(spec);
  let got = 0, synced = false, ended = false, t0 = 0, t1 = 0;
  while (!ended) {
    const m = await sub.recv({ signal, timeout: 60_000 });
    const kind = m[3];
    if (kind === 83 /* S */) {
      if (!synced) await ack.send("ready");
      synced = true;
    } else if (kind === 69 /* E */) ended = true;
    else if (m[0] !== head[0] || m[1] !== head[1] || m[2] !== head[2]) {
      throw new RunError("the subscription let through another topic");
    } else {
      t1 = micros();
      if (got === 0) t0 = t1;
      tick(++got);
    }
  }
  const seconds = (t1 - t0) / 1e6;
  const rate = got > 1 ? (got - 1) / seconds : 0;
  return {
    topics,
    expected,
    delivered: got,
    ok: got === expected,
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    pub_msgs_per_s: got > 1 ? Math.round((n - topics) / seconds) : 0,
    elapsed_s: round(seconds, 3),
  };
}

/** The topic the subscriber of `pubsub` takes (the anchors': 3). */
function subscribedTopic(spec: BenchSpec): number {
  return 3 % spec.topics;
}

/** How many of the n messages, sent round-robin over the topics, are on the subscribed one. */
function deliveries(spec: BenchSpec): number {
  const { n, topics } = spec;
  return Math.floor(n / topics) + (subscribedTopic(spec) < n % topics ? 1 : 0);
}

/** The number of progress steps of a run (what `total` will be). */
export function steps(spec: BenchSpec): number {
  if (spec.bench === "reqrep" || spec.bench === "queue") return WARMUP + spec.n;
  if (spec.bench === "pubsub") return deliveries(spec);
  return spec.n;
}

/**
 * Runs one workload and answers its result line (not printed). The far end runs in a Web
 * Worker; Ctrl-C (the signal) stops both.
 */
export async function runBenchmark(
  spec: BenchSpec,
  progress: Progress,
  signal: AbortSignal,
): Promise<BenchResult> {
  const ep = (p: number) => `tcp://127.0.0.1:${p}`;
  const tick = ticker(steps(spec), progress);
  const fars: Far[] = [];
  const ctx = new Context({ linger: 0 });
  try {
    let fields: BenchResult;
    if (spec.bench === "reqrep" || spec.bench === "queue") {
      let endpoint = ep(spec.port);
      if (spec.bench === "queue") {
        fars.push(startFar({ role: "queue", frontend: ep(spec.port), backend: ep(spec.port + 1) }));
        await fars[0].ready;
        endpoint = ep(spec.port + 1);
      }
      const count = WARMUP + spec.n;
      fars.push(startFar({ role: "echo", endpoint, bind: spec.bench === "reqrep", count }));
      await fars[fars.length - 1].ready;
      const s = ctx.socket("REQ");
      s.connect(ep(spec.port));
      fields = await latency(s, spec, tick, signal);
      if (spec.bench === "queue") fars[0].worker.postMessage("stop");
    } else if (spec.bench === "pushpull") {
      fars.push(
        startFar({ role: "push", endpoint: ep(spec.port), count: spec.n, size: spec.size }),
      );
      await fars[0].ready;
      const s = ctx.socket("PULL");
      s.connect(ep(spec.port));
      fields = await throughput(s, spec, tick, signal);
    } else {
      const { n, size, topics } = spec;
      const job = { endpoint: ep(spec.port), ack: ep(spec.port + 1), count: n, size, topics };
      fars.push(startFar({ role: "publish", ...job }));
      await fars[0].ready;
      fields = await subscribe(ctx, spec, tick, signal);
    }
    await Promise.all(fars.map((f) => f.done));
    return { stack: "deno", bench: spec.bench, n: spec.n, size: spec.size, ...fields };
  } finally {
    for (const f of fars) f.worker.terminate();
    await ctx.terminate();
  }
}
