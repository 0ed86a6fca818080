// Shared by the Deno stack's timed side and its far ends: the contract's constants and helpers.
import { cpuUsage } from "node:process";

/** Untimed round trips before a latency measurement. */
export const WARMUP = 100;
/** fanout: messages in flight ahead of the slowest SUB (below the default HWM of 1000). */
export const WINDOW = 500;
/** fanout: the SUB side reports progress every this many messages. */
export const ACK_EVERY = 100;
/** The inproc endpoint of the `workers` workload. */
export const WORKERS_ENDPOINT = "inproc://bench-workers";

/** The TCP endpoint for a port on the loopback interface. */
export function ep(port: number): string {
  return `tcp://127.0.0.1:${port}`;
}

/** SNDHWM/RCVHWM for a message size: bounds what the queues hold (1000 at 64 MiB is 64 GB). */
export function hwmFor(size: number): number {
  return Math.max(2, Math.min(1000, Math.floor((128 << 20) / Math.max(size, 1))));
}

/** A pub/sub message: "tNN" topic prefix, a kind byte (S sync, D data, E end), zero padding. */
export function mkmsg(size: number, topic: number, kind: "S" | "D" | "E"): Uint8Array {
  const m = new Uint8Array(Math.max(size, 4));
  const head = `t${String(topic).padStart(2, "0")}${kind}`;
  for (let i = 0; i < 4; i++) m[i] = head.charCodeAt(i);
  return m;
}

/** The kind bytes of {@linkcode mkmsg}. */
export const SYNC = 83, DATA = 68, END = 69;

/** Nearest-rank percentile of a sorted array (the same definition in every stack). */
export function pct(v: ArrayLike<number>, p: number): number {
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
}

/** `x` rounded to `digits` decimals. */
export function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** Microseconds on a monotonic clock. */
export const now = (): number => performance.now() * 1e3;

/** The resident set size of this process, MiB (VmRSS). */
export function rssMib(): number {
  const m = /VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** CPU seconds used by this process so far, all threads. */
export function cpuSeconds(): number {
  const u = cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** `count` split over `parts`: the share of part `i`. */
export function share(count: number, parts: number, i: number): number {
  return Math.floor(count / parts) + (i < count % parts ? 1 : 0);
}
