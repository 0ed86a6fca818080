// The untimed far end of each workload (REP echo, PUSH sender, PUB, proxy, ROUTER echo, and the
// pushers of `workers`), run in a Web Worker with its own Context (the other stacks use a child
// process), or with the timed side's context for `workers` (inproc). Posts "ready" once bound.
/// <reference lib="deno.worker" />
import { Context, type ContextHandle, type Socket } from "../../core/mod.ts";
import { proxySteerable } from "../../core/proxy_lease.ts";
import { ep, hwmFor, mkmsg, WINDOW, WORKERS_ENDPOINT } from "./_common.ts";
import { sendPayload } from "./_io.ts";

/** What the timed side posts to start a role. */
export interface FarRequest {
  role: "rep" | "push" | "pub" | "proxy" | "fanoutPub" | "routerEcho" | "workerPush";
  endpoint?: string;
  bind?: boolean;
  port?: number;
  n?: number;
  size?: number;
  topics?: number;
  /** workerPush: the timed side's Context.handle (inproc needs one context). */
  context?: ContextHandle;
}

const ready = () => self.postMessage("ready");

async function rep(ctx: Context, endpoint: string, bind: boolean, count: number): Promise<void> {
  const s = ctx.socket("REP");
  if (bind) s.bind(endpoint);
  else s.connect(endpoint);
  ready();
  for (let i = 0; i < count; i++) await s.send(await s.recv());
  s.close();
}

async function push(ctx: Context, endpoint: string, n: number, size: number, bind: boolean) {
  const s = ctx.socket("PUSH");
  s.setOption("SNDHWM", hwmFor(size));
  if (bind) s.bind(endpoint);
  else s.connect(endpoint);
  ready();
  const msg = new Uint8Array(size);
  for (let i = 0; i < n; i++) await sendPayload(s, msg);
  s.close();
}

/** Publishes sync messages every ms until the SUB side says "ready" on the side channel. */
async function pubSync(pub: Socket, ack: Socket, size: number, topics: number): Promise<void> {
  ready();
  for (;;) {
    for (let t = 0; t < topics; t++) await pub.send(mkmsg(size, t, "S"));
    if (await ack.poll(1, { timeout: 1 })) break;
  }
  await ack.recv();
}

async function pub(ctx: Context, port: number, n: number, size: number, topics: number) {
  const p = ctx.socket("PUB");
  const ack = ctx.socket("PULL");
  p.setOption("SNDHWM", 0); // unlimited: PUB never drops
  p.bind(ep(port));
  ack.bind(ep(port + 1));
  const data: Uint8Array[] = [];
  for (let t = 0; t < topics; t++) data.push(mkmsg(size, t, "D"));
  await pubSync(p, ack, size, topics);
  for (let i = 0; i < n; i++) await sendPayload(p, data[i % topics]);
  for (let t = 0; t < topics; t++) await p.send(mkmsg(size, t, "E"));
  ack.close();
  p.close();
}

/** fanout: default HWMs, at most WINDOW messages ahead of the slowest SUB, so none is dropped. */
async function fanoutPub(ctx: Context, port: number, n: number, size: number) {
  const p = ctx.socket("PUB");
  const ack = ctx.socket("PULL");
  p.bind(ep(port));
  ack.bind(ep(port + 1));
  await pubSync(p, ack, size, 1);
  const data = mkmsg(size, 0, "D");
  const decoder = new TextDecoder();
  let acked = 0;
  for (let i = 0; i < n; i++) {
    while (i - acked >= WINDOW) acked = Number(decoder.decode(await ack.recv()));
    await sendPayload(p, data);
  }
  await p.send(mkmsg(size, 0, "E"));
  ack.close();
  p.close();
}

async function routerEcho(ctx: Context, port: number, count: number): Promise<void> {
  const s = ctx.socket("ROUTER");
  s.bind(ep(port));
  ready();
  for (let i = 0; i < count; i++) await s.send(await s.recvMultipart());
  s.close();
}

let stopProxy: (() => void) | undefined;

/** libzmq's own proxy (zmq_proxy_steerable on Deno's thread pool), as every stack uses. */
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
  const running = proxySteerable(front, back, { control });
  ready();
  await running;
  for (const s of [front, back, control, steer]) s.close();
}

self.onmessage = async (e: MessageEvent) => {
  if (e.data === "stop") {
    stopProxy?.();
    return;
  }
  const r = e.data as FarRequest;
  const ctx = r.context === undefined ? new Context() : Context.adopt(r.context);
  try {
    switch (r.role) {
      case "rep":
        await rep(ctx, r.endpoint!, r.bind!, r.n!);
        break;
      case "push":
        await push(ctx, r.endpoint ?? ep(r.port!), r.n!, r.size!, r.endpoint === undefined);
        break;
      case "workerPush":
        await push(ctx, WORKERS_ENDPOINT, r.n!, r.size!, false);
        break;
      case "pub":
        await pub(ctx, r.port!, r.n!, r.size!, r.topics!);
        break;
      case "fanoutPub":
        await fanoutPub(ctx, r.port!, r.n!, r.size!);
        break;
      case "routerEcho":
        await routerEcho(ctx, r.port!, r.n!);
        break;
      case "proxy":
        await proxy(ctx, r.port!);
        break;
    }
    if (r.context === undefined) await ctx.terminate(); // default linger: flushes what is queued
    else ctx.close();
    self.postMessage("done");
  } catch (error) {
    self.postMessage({ error: String((error as Error)?.stack ?? error) });
  }
};
