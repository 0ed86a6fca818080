// The untimed end of `zmq bench` (REP echo, PUSH sender, PUB, queue proxy), in a Web Worker
// with its own Context, as the anchor benchmarks run it in a child process.
/// <reference lib="deno.worker" />
import { Context, startProxy, type SteerableProxy } from "../mod.ts";
import { type FarJob, pubsubMessage } from "./_bench_job.ts";

async function echo(ctx: Context, job: Extract<FarJob, { role: "echo" }>) {
  const s = ctx.socket("REP");
  if (job.bind) s.bind(job.endpoint);
  else s.connect(job.endpoint);
  postMessage("ready");
  for (let i = 0; i < job.count; i++) await s.send(await s.recv());
}

async function push(ctx: Context, job: Extract<FarJob, { role: "push" }>) {
  const s = ctx.socket("PUSH");
  s.bind(job.endpoint);
  postMessage("ready");
  const body = new Uint8Array(job.size);
  for (let i = 0; i < job.count; i++) await s.send(body);
}

async function publish(ctx: Context, job: Extract<FarJob, { role: "publish" }>) {
  const pub = ctx.socket("PUB");
  const ack = ctx.socket("PULL");
  pub.setOption("SNDHWM", 0); // unlimited: nothing dropped once the subscriber is there
  pub.bind(job.endpoint);
  ack.bind(job.ack);
  postMessage("ready");
  const each = (kind: "S" | "D" | "E") =>
    Array.from({ length: job.topics }, (_, t) => pubsubMessage(job.size, t, kind));
  const [sync, data, end] = [each("S"), each("D"), each("E")];
  // until the subscriber acknowledges, a sync message on every topic each millisecond
  for (let acked = false; !acked; acked = (await ack.poll(1, { timeout: 1 })) !== 0) {
    for (const m of sync) await pub.send(m);
  }
  for (let i = 0; i < job.count; i++) await pub.send(data[i % job.topics]);
  for (const m of end) await pub.send(m);
}

let running: SteerableProxy | undefined;

async function queue(ctx: Context, job: Extract<FarJob, { role: "queue" }>) {
  const front = ctx.socket("ROUTER");
  const back = ctx.socket("DEALER");
  front.bind(job.frontend);
  back.bind(job.backend);
  running = startProxy(front, back); // libzmq's own proxy, as every stack uses
  postMessage("ready");
  await running.done;
}

self.onmessage = async (e: MessageEvent<FarJob | "stop">) => {
  if (e.data === "stop") {
    await running?.stop();
    return;
  }
  const job = e.data;
  const ctx = new Context();
  try {
    if (job.role === "echo") await echo(ctx, job);
    else if (job.role === "push") await push(ctx, job);
    else if (job.role === "publish") await publish(ctx, job);
    else await queue(ctx, job);
    await ctx.terminate(); // libzmq's default linger: what is queued still goes out
    postMessage("done");
  } catch (error) {
    postMessage({ error: String((error as Error)?.message ?? error) });
  }
};
