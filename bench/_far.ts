// The untimed far end of each workload (REP echo, PUSH sender, PUB, proxy), run in a Web Worker
// with its own Context, as the anchors run it in a child process.
/// <reference lib="deno.worker" />
import { Context } from "../core/mod.ts";
import { proxySteerable } from "../core/proxy.ts";
import { ep, mkmsg } from "./_common.ts";

/** What bench.ts posts to start a role. */
export interface FarRequest {
  role: "rep" | "push" | "pub" | "proxy";
  endpoint?: string;
  bind?: boolean;
  port?: number;
  n?: number;
  size?: number;
  topics?: number;
}

async function rep(ctx: Context, endpoint: string, bind: boolean, count: number): Promise<void> {
  const s = ctx.socket("REP");
  if (bind) s.bind(endpoint);
  else s.connect(endpoint);
  for (let i = 0; i < count; i++) await s.send(await s.recv());
  s.close();
}

async function push(ctx: Context, port: number, n: number, size: number): Promise<void> {
  const s = ctx.socket("PUSH");
  s.bind(ep(port));
  const msg = new Uint8Array(size);
  for (let i = 0; i < n; i++) await s.send(msg);
  s.close();
}

async function pub(ctx: Context, port: number, n: number, size: number, topics: number) {
  const p = ctx.socket("PUB");
  const ack = ctx.socket("PULL");
  p.setOption("SNDHWM", 0); // unlimited: PUB never drops
  p.bind(ep(port));
  ack.bind(ep(port + 1));
  const data: Uint8Array[] = [];
  for (let t = 0; t < topics; t++) data.push(mkmsg(size, t, "D"));
  for (;;) { // handshake: sync on every topic each ms until the SUB acks
    for (let t = 0; t < topics; t++) await p.send(mkmsg(size, t, "S"));
    if (await ack.poll(1, 1)) break;
  }
  for (let i = 0; i < n; i++) await p.send(data[i % topics]);
  for (let t = 0; t < topics; t++) await p.send(mkmsg(size, t, "E"));
  ack.close();
  p.close();
}

let stopProxy: (() => void) | undefined;

/** libzmq's own proxy (zmq_proxy_steerable on Deno's thread pool), as every anchor stack uses. */
async function proxy(ctx: Context, port: number): Promise<void> {
  const front = ctx.socket("ROUTER");
  const back = ctx.socket("DEALER");
  const control = ctx.socket("PAIR");
  const steer = ctx.socket("PAIR");
  front.bind(ep(port));
  back.bind(ep(port + 1));
  control.bind("inproc://bench-proxy-control");
  steer.connect("inproc://bench-proxy-control");
  stopProxy = () => void steer.send("TERMINATE");
  await proxySteerable(front, back, { control });
  for (const s of [front, back, control, steer]) s.close();
}

self.onmessage = async (e: MessageEvent) => {
  if (e.data === "stop") {
    stopProxy?.();
    return;
  }
  const r = e.data as FarRequest;
  const ctx = new Context();
  try {
    switch (r.role) {
      case "rep":
        await rep(ctx, r.endpoint!, r.bind!, r.n!);
        break;
      case "push":
        await push(ctx, r.port!, r.n!, r.size!);
        break;
      case "pub":
        await pub(ctx, r.port!, r.n!, r.size!, r.topics!);
        break;
      case "proxy": {
        const running = proxy(ctx, r.port!);
        self.postMessage("ready");
        await running;
        break;
      }
    }
    await ctx.terminate(); // default linger: flushes what is still queued
    self.postMessage("done");
  } catch (error) {
    self.postMessage({ error: String((error as Error)?.stack ?? error) });
  }
};
