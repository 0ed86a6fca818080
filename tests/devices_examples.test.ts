// The devices examples run end to end in Web Workers; each assertion is a property of the
// lines the roles printed.
import assert from "node:assert/strict";
import { main as queueMain } from "../examples/queue_device/main.ts";
import { main as forwarderMain } from "../examples/forwarder_device/main.ts";
import { main as streamerMain } from "../examples/streamer_device/main.ts";
import { main as pyzmqDevicesMain } from "../examples/pyzmq_devices/main.ts";
import type { RunResult } from "../mod.ts";
import { freePorts } from "./_devices.ts";

type Main = (args: string[], env: { name: string; signal: AbortSignal }) => Promise<
  RunResult | undefined
>;

async function run(main: Main, args: string[]): Promise<Record<string, string[]>> {
  // the orchestrator's bound on the whole run: a device that passes nothing fails by name
  const result = await main([...args, "--quiet", "--timeout", "30000"], {
    name: "test",
    signal: new AbortController().signal,
  });
  assert.ok(result, "the orchestrator answered no result");
  return result.lines;
}

function matching(lines: string[] | undefined, re: RegExp): RegExpExecArray[] {
  assert.ok(lines, "no lines for this role");
  return lines.map((l) => re.exec(l)).filter((m): m is RegExpExecArray => m !== null);
}

Deno.test("queue_device example: the client's requests are spread over both servers", async () => {
  const [front, back] = freePorts(2);
  const lines = await run(queueMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--count",
    "10",
  ]);
  const replies = matching(
    lines.queue_client,
    /^Received reply (\d+) \[ World from server (\d) \]$/,
  );
  assert.deepEqual(replies.map((m) => Number(m[1])), Array.from({ length: 10 }, (_, i) => i + 1));
  const servers = new Set(replies.map((m) => m[2]));
  assert.deepEqual([...servers].sort(), ["1", "2"]);
  for (const s of ["1", "2"]) {
    assert.ok(matching(lines[`queue_server${s}`], /^Received request: Hello from 1$/).length > 0);
  }
  assert.equal(
    lines.queue_device[0],
    `Queue device: ROUTER tcp://*:${front} -> DEALER tcp://*:${back}`,
  );
});

Deno.test("forwarder_device example: only topic 9 arrives, from both publishers", async () => {
  const [front, back] = freePorts(2);
  const lines = await run(forwarderMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--count",
    "4",
    "--interval",
    "5",
  ]);
  const got = matching(lines.forwarder_subscriber, /^Received: (.*)$/).map((m) => m[1]);
  assert.ok(got.length >= 4, `only ${got.length} messages`);
  for (const m of got) assert.match(m, /^9 server#[12]$/);
  assert.deepEqual([...new Set(got)].sort(), ["9 server#1", "9 server#2"]);
  // the publishers did publish other topics, which the subscriber never saw
  const published = [...lines.forwarder_server1, ...lines.forwarder_server2];
  assert.ok(published.some((l) => /^[1-8] server#/.test(l)), "no other topic was published");
});

Deno.test("streamer_device example: tasks spread over two workers, none lost or duplicated", async () => {
  const [front, back, results] = freePorts(3);
  const lines = await run(streamerMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--results-port",
    String(results),
    "--count",
    "10",
  ]);
  const tasks = (w: string) =>
    matching(lines[w], /^Worker \d received work: (#\d+)$/).map((m) => m[1]);
  const w1 = tasks("task_worker1");
  const w2 = tasks("task_worker2");
  assert.ok(w1.length > 0 && w2.length > 0, `worker1 ${w1.length}, worker2 ${w2.length}`);
  const all = [...w1, ...w2].sort();
  assert.deepEqual(all, Array.from({ length: 10 }, (_, i) => `#${i + 1}`).sort());
  assert.ok(
    lines.task_feeder.some((l) => l.startsWith("Tasks done: 10 of 10, duplicates 0;")),
    lines.task_feeder.join("\n"),
  );
});

Deno.test("pyzmq_devices example: background devices; the monitor sees every request and reply", async () => {
  const count = 3;
  const [front, back, results, mon] = freePorts(4);
  const lines = await run(pyzmqDevicesMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--results-port",
    String(results),
    "--monitor-port",
    String(mon),
    "--count",
    String(count),
  ]);
  // streamerdevice: every task done once
  assert.ok(
    lines["streamerdevice/server"].some((l) =>
      l.startsWith(`Tasks done: ${count} of ${count}, duplicates 0;`)
    ),
  );
  // queuedevice: both clients got all their replies
  for (const c of ["client1", "client2"]) {
    const replies = matching(
      lines[`queuedevice/${c}`],
      /^Received reply \d+ \[ World from server [12] \]$/,
    );
    assert.equal(replies.length, count);
  }
  // monitoredqueue: for every exchange an "in" with the request and an "out" with the reply
  const monitored = matching(lines["monitoredqueue/monitor"], /^Monitoring Client: (.*)$/)
    .map((m) => JSON.parse(m[1]) as string[]);
  assert.equal(monitored.length, 2 * 2 * count);
  for (const client of ["1", "2"]) {
    const sent = matching(lines[`monitoredqueue/client${client}`], /^Sending request/).length;
    const replies = matching(
      lines[`monitoredqueue/client${client}`],
      /^Received reply \d+ \[ (.*) \]$/,
    )
      .map((m) => m[1]);
    const ins = monitored.filter((f) => f[0] === "in" && f.at(-1) === `Hello from ${client}`);
    assert.equal(ins.length, sent);
    // the client's routing id links its replies on the monitor
    const ids = new Set(ins.map((f) => f[1]));
    assert.equal(ids.size, 1);
    const outs = monitored.filter((f) => f[0] === "out" && ids.has(f[1])).map((f) => f.at(-1));
    assert.deepEqual(outs, replies);
    for (const f of [...ins]) assert.equal(f[2], "");
  }
});

Deno.test("devices examples: --help prints usage and runs nothing", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void printed.push(a.join(" "));
  try {
    const r = await queueMain(["--help"], { name: "t", signal: new AbortController().signal });
    assert.equal(r, undefined);
  } finally {
    console.log = log;
  }
  assert.match(printed.join("\n"), /Usage: deno task queue/);
  await assert.rejects(
    streamerMain(["--count", "x"], { name: "t", signal: new AbortController().signal }),
    RangeError,
  );
});
