// The Deno stack's timed sides of the contract's first four workloads: latency (reqrep, queue),
// PUSH/PULL throughput at any size, and PUB/SUB with topic filtering.
import { Context } from "../../core/mod.ts";
import { DATA, END, ep, hwmFor, now, pct, round, SYNC, WARMUP } from "./_common.ts";
import { receiveEach, sendPayload } from "./_io.ts";

/** One result line of the bench contract (without the stack name). */
export type Result = Record<string, string | number | boolean>;

/** REQ round trips to a REP echo (directly, or through the QUEUE proxy), one at a time. */
export async function latency(bench: string, port: number, n: number, size: number) {
  await using ctx = new Context();
  const s = ctx.socket("REQ");
  s.connect(ep(port));
  const msg = new Uint8Array(size);
  const t = new Float64Array(n);
  let t0 = 0;
  for (let i = 0; i < WARMUP + n; i++) {
    if (i === WARMUP) t0 = now();
    const a = now();
    await sendPayload(s, msg);
    const r = await s.recv();
    if (r.length !== size) throw new Error("bad reply");
    if (i >= WARMUP) t[i - WARMUP] = now() - a;
  }
  const tot = now() - t0;
  t.sort();
  s.close();
  return {
    bench,
    n,
    size,
    median_us: round(pct(t, 0.5), 2),
    p99_us: round(pct(t, 0.99), 2),
    mean_us: round(tot / n, 2),
  };
}

/** PULL side of PUSH/PULL: rate from the first to the last message. */
export async function pushpull(port: number, n: number, size: number): Promise<Result> {
  await using ctx = new Context();
  const s = ctx.socket("PULL");
  s.setOption("RCVHWM", hwmFor(size));
  s.connect(ep(port));
  let t0 = 0, bad = false;
  await receiveEach(s, n, (m) => {
    if (m.length !== size) bad = true;
    if (t0 === 0) t0 = now(); // timed from the first message
  });
  const el = (now() - t0) / 1e6;
  if (bad) throw new Error("bad size");
  const rate = (n - 1) / el;
  s.close();
  return {
    bench: "pushpull",
    n,
    size,
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    elapsed_s: round(el, 3),
  };
}

/** SUB side of PUB/SUB: one topic of `topics`, every expected message must arrive. */
export async function pubsub(port: number, n: number, size: number, topics: number) {
  await using ctx = new Context();
  const sub = ctx.socket("SUB");
  const ack = ctx.socket("PUSH");
  const mine = 3 % topics;
  const topic = `t${String(mine).padStart(2, "0")}`;
  const c0 = topic.charCodeAt(0), c1 = topic.charCodeAt(1), c2 = topic.charCodeAt(2);
  sub.setOption("RCVHWM", 0);
  sub.subscribe(topic);
  sub.connect(ep(port));
  ack.connect(ep(port + 1));
  const expected = Math.floor(n / topics) + (mine < n % topics ? 1 : 0);
  let got = 0, synced = false, ok = false, t0 = 0, t1 = 0;
  try {
    await receiveEach(sub, Infinity, (m) => {
      const kind = m[3];
      if (kind === SYNC) {
        if (!synced) void ack.send("ready");
        synced = true;
        return;
      }
      if (kind === END) return !(ok = true);
      if (kind !== DATA || m[0] !== c0 || m[1] !== c1 || m[2] !== c2) return false; // filter broken
      t1 = now();
      if (got++ === 0) t0 = t1;
    }, { timeout: 60000 });
  } catch (e) {
    if ((e as { code?: string }).code !== "EAGAIN") throw e;
  }
  const el = (t1 - t0) / 1e6;
  const rate = got > 1 ? (got - 1) / el : 0; // no inf/NaN in JSON
  ack.close();
  sub.close();
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
