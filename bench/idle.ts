/**
 * Two resource checks behind `deno task bench:idle`:
 *
 * 1. idle CPU: after a hot exchange (so that the reactor's hot wait is armed), a process
 *    waits on a socket for 10 s; prints the CPU time it used meanwhile.
 * 2. memory: 10 M messages PUSH → PULL over tcp (the sender in a Web Worker); prints the
 *    resident set size after every million.
 *
 *     deno run -A bench/idle.ts [--seconds 10] [--messages 10000000] [--port 35990]
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { Context } from "../core/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "10" },
    messages: { type: "string", default: "10000000" },
    port: { type: "string", default: "35990" },
  },
});
const seconds = Number(values.seconds), total = Number(values.messages);
const port = Number(values.port);

// 1. idle CPU
{
  await using ctx = new Context({ linger: 0 });
  const rep = ctx.socket("REP"), req = ctx.socket("REQ");
  rep.bind(`tcp://127.0.0.1:${port}`);
  req.connect(`tcp://127.0.0.1:${port}`);
  for (let i = 0; i < 1000; i++) { // hot: the reactor's hot wait is armed
    await req.send("ping");
    await rep.send(await rep.recv());
    await req.recv();
  }
  const before = cpuUsage();
  const t0 = performance.now();
  const r = await rep.recv({ timeout: seconds * 1000 }).catch((e) => e.code);
  const wall = (performance.now() - t0) / 1000;
  const used = cpuUsage(before);
  const cpu = (used.user + used.system) / 1e6;
  console.log(JSON.stringify({
    check: "idle",
    waited_s: Number(wall.toFixed(2)),
    outcome: r,
    cpu_s: Number(cpu.toFixed(4)),
    cpu_percent: Number((100 * cpu / wall).toFixed(3)),
  }));
}

// 2. memory over many messages
{
  const sender = `
    import { Context } from ${JSON.stringify(new URL("../core/mod.ts", import.meta.url).href)};
    self.onmessage = async (e) => {
      const ctx = new Context();
      const push = ctx.socket("PUSH");
      push.bind("tcp://127.0.0.1:" + e.data.port);
      const m = new Uint8Array(16);
      for (let i = 0; i < e.data.n; i++) await push.send(m);
      push.close();
      await ctx.terminate();
      self.postMessage("done");
    };`;
  const url = `data:application/typescript,${encodeURIComponent(sender)}`;
  const worker = new Worker(url, { type: "module" });
  const done = new Promise((r) => worker.onmessage = r);
  worker.postMessage({ port: port + 1, n: total });
  await using ctx = new Context({ linger: 0 });
  const pull = ctx.socket("PULL");
  pull.connect(`tcp://127.0.0.1:${port + 1}`);
  const rss: number[] = [];
  const heap: number[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= total; i++) {
    await pull.recv();
    if (i % 1_000_000 === 0) {
      const m = Deno.memoryUsage();
      rss.push(Math.round(m.rss / 2 ** 20));
      heap.push(Math.round(m.heapUsed / 2 ** 20));
    }
  }
  const el = (performance.now() - t0) / 1000;
  await done;
  worker.terminate();
  console.log(JSON.stringify({
    check: "memory",
    messages: total,
    seconds: Number(el.toFixed(1)),
    rss_mib_per_million: rss,
    js_heap_mib_per_million: heap,
  }));
}
