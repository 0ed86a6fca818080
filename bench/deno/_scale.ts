// The Deno stack's timed sides of the scale workloads: PUB fan-out to many SUB sockets, many REQ
// clients through one ROUTER, PUSH/PULL from Web Workers over inproc, and idle connections.
import { Context, type ContextHandle, type Socket } from "../../core/mod.ts";
import {
  ACK_EVERY,
  cpuSeconds,
  DATA,
  END,
  ep,
  now,
  pct,
  round,
  rssMib,
  share,
  SYNC,
  WORKERS_ENDPOINT,
} from "./_common.ts";
import { receiveEach, sendPayload } from "./_io.ts";
import type { Result } from "./_timed.ts";

/** `subs` SUB sockets, one receive loop each; every one must get all `n` messages. */
export async function fanout(port: number, n: number, size: number, subs: number) {
  await using ctx = new Context();
  const ack = ctx.socket("PUSH");
  ack.setOption("LINGER", 0); // late acks may find the PUB gone
  const socks: Socket[] = [];
  for (let i = 0; i < subs; i++) {
    const s = ctx.socket("SUB");
    s.subscribe("");
    s.connect(ep(port));
    socks.push(s);
  }
  ack.connect(ep(port + 1));
  const reached = new Int32Array(Math.floor(n / ACK_EVERY) + 2);
  let nsynced = 0, total = 0, bad = false, t0 = 0, t1 = 0;
  await Promise.all(socks.map((s) => {
    let count = 0, synced = false;
    return receiveEach(s, Infinity, (m) => {
      const kind = m[3];
      if (kind === DATA) {
        t1 = now();
        if (total++ === 0) t0 = t1;
        if (++count % ACK_EVERY === 0 && ++reached[count / ACK_EVERY] === subs) {
          void ack.send(String(count));
        }
      } else if (kind === SYNC) {
        if (!synced && ++nsynced === subs) void ack.send("ready");
        synced = true;
      } else if (kind === END) return false;
      else bad = true;
    });
  }));
  const expected = n * subs, el = (t1 - t0) / 1e6;
  const rate = total > 1 ? (total - 1) / el : 0;
  for (const s of socks) s.close();
  ack.close();
  return {
    bench: "fanout",
    n,
    size,
    subs,
    expected,
    delivered: total,
    lost: expected - total,
    ok: total === expected && !bad,
    msgs_per_s: Math.round(rate),
    elapsed_s: round(el, 3),
  };
}

/** `k` REQ clients, one async loop each, `n` timed requests in all through one ROUTER. */
export async function clients(port: number, n: number, size: number, k: number) {
  await using ctx = new Context({ maxSockets: k + 16 });
  const socks: Socket[] = [];
  for (let i = 0; i < k; i++) {
    const s = ctx.socket("REQ");
    s.connect(ep(port));
    socks.push(s);
  }
  const msg = new Uint8Array(size);
  const lat = new Float64Array(n);
  let done = 0;
  await Promise.all(socks.map(async (s) => { // warm-up: every client connected
    await s.send(msg);
    await s.recv();
  }));
  const t0 = now();
  await Promise.all(socks.map(async (s, i) => {
    for (let j = share(n, k, i); j > 0; j--) {
      const a = now();
      await sendPayload(s, msg);
      const r = await s.recv();
      if (r.length !== size) throw new Error("bad reply");
      lat[done++] = now() - a;
    }
  }));
  const el = (now() - t0) / 1e6;
  lat.sort();
  for (const s of socks) s.close();
  return {
    bench: "clients",
    n,
    size,
    clients: k,
    requests_per_s: Math.round(n / el),
    median_us: round(pct(lat, 0.5), 2),
    p99_us: round(pct(lat, 0.99), 2),
    elapsed_s: round(el, 3),
  };
}

/**
 * `k` Web Workers, each a PUSH over inproc (they adopt this isolate's Context) to one PULL here;
 * `n` messages in all. `startPusher` starts one Worker and answers when it has finished.
 */
export async function workers(
  n: number,
  size: number,
  k: number,
  startPusher: (context: ContextHandle, count: number) => Promise<void>,
): Promise<Result> {
  await using ctx = new Context();
  const pull = ctx.socket("PULL");
  pull.bind(WORKERS_ENDPOINT);
  const finished = Array.from({ length: k }, (_, i) => startPusher(ctx.handle, share(n, k, i)));
  let t0 = 0, bad = false;
  await receiveEach(pull, n, (m) => {
    if (m.length !== size) bad = true;
    if (t0 === 0) t0 = now();
  });
  const el = (now() - t0) / 1e6;
  if (bad) throw new Error("bad size");
  await Promise.all(finished);
  pull.close();
  const rate = (n - 1) / el;
  return {
    bench: "workers",
    n,
    size,
    workers: k,
    how: "Web Workers sharing one Context (Context.adopt)",
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    elapsed_s: round(el, 3),
  };
}

/**
 * One ROUTER holding `n` idle connections; `startClients(count)` starts a client process with
 * `count` DEALERs that each say hello. Measures resident memory and the CPU of a server waiting.
 */
export async function idle(
  port: number,
  n: number,
  seconds: number,
  processes: number,
  startClients: (count: number) => Promise<{ kill(): void }>,
): Promise<Result> {
  const rss0 = rssMib(), t0 = now();
  const ctx = new Context({ linger: 0 });
  const s = ctx.socket("ROUTER");
  s.setOption("BACKLOG", 4096);
  s.bind(ep(port));
  const kids = [];
  for (let i = 0; i < processes; i++) kids.push(await startClients(share(n, processes, i)));
  try {
    for (let i = 0; i < n; i++) await s.recvMultipart();
    const connectS = (now() - t0) / 1e6, rss = rssMib() - rss0;
    const c0 = cpuSeconds(), w0 = now();
    const quiet = (await s.poll(1, { timeout: seconds * 1000 })) === 0; // idle: a server waiting for requests
    const wall = (now() - w0) / 1e6, cpu = cpuSeconds() - c0;
    return {
      bench: "idle",
      n,
      size: 0,
      connections: n,
      connect_s: round(connectS, 3),
      rss_mib: round(rss, 1),
      rss_kib_per_conn: round(rss * 1024 / n, 2),
      idle_s: round(wall, 2),
      idle_cpu_percent: round(100 * cpu / wall, 3),
      ok: quiet,
    };
  } finally {
    for (const k of kids) k.kill();
    s.close();
    await ctx.terminate();
  }
}
