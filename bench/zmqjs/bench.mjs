// The zeromq.js stacks of `deno task bench`, on the bench contract (bench/README.md), with
// zeromq.js's own promise API (v6: `await send()` / `await receive()` per message):
//
//   ZMQJS_DIR=~/.cache/zmq-deno/zmqjs node bench.mjs WORKLOAD N SIZE PORT [EXTRA]  # stack "node"
//   deno run -A bench.mjs WORKLOAD N SIZE PORT [EXTRA]       # npm:zeromq@6.8.0, stack "deno-zmqjs"
//
// The untimed far end runs in a child process of the same runtime (this file with --role), which
// prints "ready" once it has bound; `workers` uses worker_threads on zeromq.js's global context
// (the only one it shares between threads). Prints one JSON line.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { isMainThread, Worker, workerData } from "node:worker_threads";

const isDeno = typeof globalThis.Deno !== "undefined";
const STACK = isDeno ? "deno-zmqjs" : "node";
const zmq = isDeno
  ? await import("npm:zeromq@6.8.0")
  : createRequire(join(process.env.ZMQJS_DIR ?? ".", "node_modules", "_.js"))("zeromq");
const SELF = fileURLToPath(import.meta.url);

const WARMUP = 100; // untimed round trips before a latency measurement
const WINDOW = 500; // fanout: messages in flight ahead of the slowest SUB (< HWM 1000)
const ACK_EVERY = 100; // fanout: the SUB side reports progress every this many messages
const IDLE_PROCS = 4; // idle: client processes sharing the connections
const ep = (port) => `tcp://127.0.0.1:${port}`;
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs
const pct = (v, p) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
const hwmFor = (size) => Math.max(2, Math.min(1000, Math.floor((128 << 20) / Math.max(size, 1))));
const round = (x, d) => Number(x.toFixed(d));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mkmsg = (size, topic, kind) => { // "tNN" topic prefix, kind byte (S, D, E), zero padding
  const m = Buffer.alloc(Math.max(size, 4));
  m.write(`t${String(topic).padStart(2, "0")}${kind}`);
  return m;
};
const rssMib = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024;
const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Sends on one socket one at a time (zeromq.js answers EBUSY to a second pending send). */
const serial = (sock) => {
  let chain = Promise.resolve();
  return (m) => (chain = chain.then(() => sock.send(m)));
};
const ready = () => process.stdout.write("ready\n");

// ---- far ends (child processes) ----
const roles = {
  async rep(endpoint, bind, count) {
    const s = new zmq.Reply();
    bind === "1" ? await s.bind(endpoint) : s.connect(endpoint);
    ready();
    for (let i = 0; i < +count; i++) {
      const [m] = await s.receive();
      await s.send(m);
    }
    s.close();
  },
  async push(port, n, size) {
    const s = new zmq.Push({ sendHighWaterMark: hwmFor(+size) });
    await s.bind(ep(+port));
    ready();
    const msg = Buffer.alloc(+size);
    for (let i = 0; i < +n; i++) await s.send(msg);
  },
  async proxy(port) {
    const p = new zmq.Proxy(new zmq.Router(), new zmq.Dealer());
    await p.frontEnd.bind(ep(+port));
    await p.backEnd.bind(ep(+port + 1));
    ready();
    await p.run(); // libzmq's zmq_proxy in a thread; until the parent kills us
  },
  async pub(port, n, size, topics) {
    const pub = new zmq.Publisher({ sendHighWaterMark: 0 }); // unlimited: PUB never drops
    const ack = new zmq.Pull();
    await pub.bind(ep(+port));
    await ack.bind(ep(+port + 1));
    const T = +topics, data = [];
    for (let t = 0; t < T; t++) data.push(mkmsg(+size, t, "D"));
    await pubSync(pub, ack, +size, T);
    for (let i = 0; i < +n; i++) await pub.send(data[i % T]);
    for (let t = 0; t < T; t++) await pub.send(mkmsg(+size, t, "E"));
  },
  async fanoutPub(port, n, size) { // default HWMs, at most WINDOW ahead of the slowest SUB
    const pub = new zmq.Publisher(), ack = new zmq.Pull();
    await pub.bind(ep(+port));
    await ack.bind(ep(+port + 1));
    await pubSync(pub, ack, +size, 1);
    let acked = 0, wake = null;
    (async () => {
      for (;;) {
        const [m] = await ack.receive();
        acked = Number(m.toString());
        wake?.();
      }
    })().catch(() => {});
    const data = mkmsg(+size, 0, "D");
    for (let i = 0; i < +n; i++) {
      while (i - acked >= WINDOW) await new Promise((r) => (wake = r));
      await pub.send(data);
    }
    await pub.send(mkmsg(+size, 0, "E"));
  },
  async routerEcho(port, count) {
    const s = new zmq.Router();
    await s.bind(ep(+port));
    ready();
    for (let i = 0; i < +count; i++) await s.send(await s.receive());
  },
  async idleClients(port, count) {
    ready();
    zmq.context.maxSockets = +count + 16;
    const socks = [];
    for (let i = 0; i < +count; i++) {
      const s = new zmq.Dealer();
      s.connect(ep(+port));
      socks.push(s);
    }
    await Promise.all(socks.map((s) => s.send("hi")));
    setInterval(() => {}, 1 << 30); // until the parent kills us (under Deno, sockets alone do not keep it alive)
  },
};

/** Publishes sync messages every ms until the SUB side says "ready" (no receiveTimeout). */
async function pubSync(pub, ack, size, topics) {
  ready();
  let acked = false;
  ack.receive().then(() => (acked = true));
  while (!acked) {
    for (let t = 0; t < topics; t++) await pub.send(mkmsg(size, t, "S"));
    await sleep(1);
  }
}

const kids = [];
/** Starts a far end in a child process of this runtime; resolves once it printed "ready". */
function start(role, ...args) {
  const runtime = isDeno ? ["run", "-A", SELF] : [SELF];
  const k = spawn(process.execPath, [...runtime, "--role", role, ...args.map(String)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  kids.push(k);
  return new Promise((resolve, reject) => {
    let seen = "";
    k.stdout.on("data", (d) => {
      seen += d;
      if (seen.includes("ready")) resolve(k);
    });
    k.on(
      "exit",
      (code) => reject(new Error(`far end ${role} exited (${code}) before it was ready`)),
    );
  });
}

// ---- timed sides ----
async function latency(bench, port, n, size) {
  const s = new zmq.Request();
  s.connect(ep(port));
  const msg = Buffer.alloc(size), t = new Float64Array(n);
  let t0 = 0;
  for (let i = 0; i < WARMUP + n; i++) {
    if (i === WARMUP) t0 = now();
    const a = now();
    await s.send(msg);
    const [r] = await s.receive();
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

async function pushpull(port, n, size) {
  const s = new zmq.Pull({ receiveHighWaterMark: hwmFor(size) });
  s.connect(ep(port));
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    const [m] = await s.receive();
    if (m.length !== size) throw new Error("bad size");
    if (i === 0) t0 = now(); // timed from the first message
  }
  const el = (now() - t0) / 1e6, rate = (n - 1) / el;
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

async function pubsub(port, n, size, topics) {
  const mine = 3 % topics, topic = `t${String(mine).padStart(2, "0")}`;
  const sub = new zmq.Subscriber({ receiveHighWaterMark: 0 }), ack = new zmq.Push();
  sub.subscribe(topic);
  sub.connect(ep(port));
  ack.connect(ep(port + 1));
  const expected = Math.floor(n / topics) + (mine < n % topics ? 1 : 0);
  let got = 0, synced = false, ok = false, t0 = 0, t1 = 0;
  for (;;) {
    const [m] = await sub.receive();
    const kind = m[3];
    if (kind === 83 /* S */) {
      if (!synced) {
        synced = true;
        await ack.send("ready");
      }
      continue;
    }
    if (kind === 69 /* E */) {
      ok = true;
      break;
    }
    if (m.toString("latin1", 0, 3) !== topic) break; // filter broken
    t1 = now();
    if (got++ === 0) t0 = t1;
  }
  const el = (t1 - t0) / 1e6, rate = got > 1 ? (got - 1) / el : 0;
  sub.close();
  ack.close();
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

async function fanout(port, n, size, subs) { // `subs` SUB sockets, one receive loop each
  const ack = new zmq.Push({ linger: 0 }), sendAck = serial(ack);
  const socks = Array.from({ length: subs }, () => new zmq.Subscriber());
  for (const s of socks) {
    s.subscribe();
    s.connect(ep(port));
  }
  ack.connect(ep(port + 1));
  const reached = new Int32Array(Math.floor(n / ACK_EVERY) + 2);
  let nsynced = 0, total = 0, bad = false, t0 = 0, t1 = 0;
  await Promise.all(socks.map(async (s) => {
    let count = 0, synced = false;
    for (;;) {
      const [m] = await s.receive();
      const kind = m[3];
      if (kind === 68 /* D */) {
        t1 = now();
        if (total++ === 0) t0 = t1;
        if (++count % ACK_EVERY === 0 && ++reached[count / ACK_EVERY] === subs) {
          sendAck(String(count));
        }
      } else if (kind === 83 /* S */) {
        if (!synced) {
          synced = true;
          if (++nsynced === subs) sendAck("ready");
        }
      } else if (kind === 69 /* E */) break;
      else bad = true;
    }
  }));
  const expected = n * subs, el = (t1 - t0) / 1e6, rate = total > 1 ? (total - 1) / el : 0;
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

async function clients(port, n, size, k) { // k REQ clients, one async loop each, n timed requests
  zmq.context.maxSockets = k + 16;
  const socks = Array.from({ length: k }, () => new zmq.Request());
  for (const s of socks) s.connect(ep(port));
  const msg = Buffer.alloc(size), lat = [];
  await Promise.all(socks.map(async (s) => {
    await s.send(msg);
    await s.receive();
  })); // warm-up
  const t0 = now();
  await Promise.all(socks.map(async (s, i) => {
    for (let j = n / k + (i < n % k ? 1 : 0) | 0; j > 0; j--) {
      const a = now();
      await s.send(msg);
      const [r] = await s.receive();
      if (r.length !== size) throw new Error("bad reply");
      lat.push(now() - a);
    }
  }));
  const el = (now() - t0) / 1e6;
  lat.sort((a, b) => a - b);
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

async function workers(n, size, k) { // k worker_threads, each a PUSH over inproc to one PULL here
  const pull = new zmq.Pull();
  await pull.bind("inproc://bench-workers");
  const threads = Array.from(
    { length: k },
    (_, i) =>
      new Worker(new URL(import.meta.url), {
        workerData: { count: Math.floor(n / k) + (i < n % k ? 1 : 0), size },
      }),
  );
  const exited = threads.map((w) => new Promise((r) => w.on("exit", r)));
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    const [m] = await pull.receive();
    if (m.length !== size) throw new Error("bad size");
    if (i === 0) t0 = now();
  }
  const el = (now() - t0) / 1e6, rate = (n - 1) / el;
  await Promise.all(exited);
  pull.close();
  return {
    bench: "workers",
    n,
    size,
    workers: k,
    how: "worker_threads, zeromq.js's global context",
    msgs_per_s: Math.round(rate),
    mb_per_s: round(rate * size / 1e6, 2),
    elapsed_s: round(el, 3),
  };
}

async function workerPush({ count, size }) {
  const s = new zmq.Push();
  s.connect("inproc://bench-workers");
  const msg = Buffer.alloc(size);
  for (let i = 0; i < count; i++) await s.send(msg);
  s.close();
}

async function idle(port, n, seconds) { // one ROUTER holding n idle connections from client processes
  const rss0 = rssMib(), t0 = now();
  const s = new zmq.Router({ backlog: 4096, linger: 0 });
  await s.bind(ep(port));
  for (let i = 0; i < IDLE_PROCS; i++) {
    await start("idleClients", port, Math.floor(n / IDLE_PROCS) + (i < n % IDLE_PROCS ? 1 : 0));
  }
  for (let i = 0; i < n; i++) await s.receive();
  const connectS = (now() - t0) / 1e6, rss = rssMib() - rss0, c0 = cpuS(), w0 = now();
  let quiet = true; // idle: a server waiting for requests
  const pending = s.receive().then(() => (quiet = false), () => {});
  await sleep(seconds * 1000);
  const wall = (now() - w0) / 1e6, cpu = cpuS() - c0;
  s.close();
  await pending;
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
}

const USAGE =
  "usage: bench.mjs reqrep|pushpull|pubsub|queue|fanout|clients|workers|idle N SIZE PORT [EXTRA]";

async function main() {
  const args = isDeno ? globalThis.Deno.args : process.argv.slice(2);
  if (args[0] === "--role") {
    await roles[args[1]](...args.slice(2));
    return;
  }
  const [bench, ...rest] = args;
  const [n, size, port, extra = 0] = rest.map(Number);
  if (!bench || !(n >= 2) || !(size >= 0) || !(port > 0 && port < 65535)) {
    console.error(USAGE);
    process.exit(2);
  }
  let r;
  if (bench === "reqrep") {
    await start("rep", ep(port), 1, WARMUP + n);
    r = await latency("reqrep", port, n, size);
  } else if (bench === "pushpull") {
    await start("push", port, n, size);
    r = await pushpull(port, n, size);
  } else if (bench === "pubsub") {
    const topics = extra >= 1 && extra <= 100 ? extra : 10;
    await start("pub", port, n, size, topics);
    r = await pubsub(port, n, size, topics);
  } else if (bench === "queue") {
    await start("proxy", port);
    await start("rep", ep(port + 1), 0, WARMUP + n);
    r = await latency("queue", port, n, size);
  } else if (bench === "fanout") {
    await start("fanoutPub", port, n, size);
    r = await fanout(port, n, size, extra || 50);
  } else if (bench === "clients") {
    await start("routerEcho", port, n + (extra || 500));
    r = await clients(port, n, size, extra || 500);
  } else if (bench === "workers") r = await workers(n, size, extra || 4);
  else if (bench === "idle") r = await idle(port, n, extra || 5);
  else {
    console.error(`bench.mjs: unknown workload ${bench}\n${USAGE}`);
    process.exit(2);
  }
  for (const k of kids) k.kill("SIGKILL"); // the far ends delivered everything that was counted
  console.log(JSON.stringify({ stack: STACK, ...r }));
  process.exit(0);
}

if (!isMainThread) await workerPush(workerData);
else {await main().catch((e) => {
    console.error(e);
    for (const k of kids) k.kill("SIGKILL");
    process.exit(1);
  });}
