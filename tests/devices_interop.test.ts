// The devices against pyzmq (Debian's python3-zmq): pyzmq clients through our queue, and our
// MonitoredQueue compared with pyzmq's own monitored_queue on the same exchange.
import assert from "node:assert/strict";
import { Context, MonitoredQueue, startQueue } from "../mod.ts";
import { assertCount, freePorts, syncPubSub, text } from "./_devices.ts";

const PYTHON = "/usr/bin/python3";
const script = (name: string) => new URL(`./py/${name}`, import.meta.url).pathname;

async function python(args: string[]): Promise<string> {
  const child = new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("interop: a pyzmq REQ client through our QUEUE device to our REP server", async () => {
  using ctx = new Context();
  const [port] = freePorts(1);
  const queue = startQueue({
    frontend: `tcp://127.0.0.1:${port}`,
    backend: "inproc://di-q-back",
    context: ctx,
  });
  using rep = ctx.socket("REP");
  rep.connect("inproc://di-q-back");
  const stop = new AbortController();
  const serving = (async () => {
    try {
      for (;;) {
        const request = await rep.recvString({ signal: stop.signal });
        await rep.send(`${request} via the queue`);
      }
    } catch (e) {
      if (!stop.signal.aborted) throw e;
    }
  })();
  const stdout = await python([script("req_client.py"), `tcp://127.0.0.1:${port}`, "3"]);
  stop.abort();
  await serving;
  assert.deepEqual(stdout.trim().split("\n"), [0, 1, 2].map((i) => `Hello ${i} via the queue`));
  await queue.stop();
  const stats = await queue.statistics();
  assertCount(stats.frontend.messagesIn, 9, 3); // [id, "", "Hello i"] x 3
});

Deno.test("interop: our ROUTER-ROUTER MonitoredQueue relays exactly as pyzmq's monitored_queue", async () => {
  const reference = JSON.parse(await python([script("devices_monitored_queue.py")]));
  using ctx = new Context();
  using frontend = ctx.socket("ROUTER");
  using backend = ctx.socket("ROUTER");
  using mon = ctx.socket("PUB");
  using sub = ctx.socket("SUB");
  using client = ctx.socket("DEALER");
  using worker = ctx.socket("DEALER");
  frontend.bind("inproc://di-in");
  backend.bind("inproc://di-out");
  mon.bind("inproc://di-mon");
  sub.subscribe("");
  sub.connect("inproc://di-mon");
  await syncPubSub(mon, sub);
  client.setOption("ROUTING_ID", "C");
  client.connect("inproc://di-in");
  worker.setOption("ROUTING_ID", "W");
  worker.connect("inproc://di-out");
  const queue = new MonitoredQueue(frontend, backend, mon, {
    inPrefix: "request",
    outPrefix: "reply",
  });
  await client.send(["W", "job"]);
  const ours: Record<string, unknown> = {
    worker: text(await worker.recvMultipart()),
    monitor: [text(await sub.recvMultipart())],
  };
  await worker.send(["C", "done"]);
  ours.client = text(await client.recvMultipart());
  (ours.monitor as string[][]).push(text(await sub.recvMultipart()));
  await queue.stop();
  assert.deepEqual(ours, reference);
});
