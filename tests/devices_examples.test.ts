// The devices examples run end to end in Web Workers; each assertion is a property of the
// lines the roles printed.
import assert from "node:assert/strict";
import { main as queueMain } from "../examples/queue_device/main.ts";
import { main as forwarderMain } from "../examples/forwarder_device/main.ts";
import { main as streamerMain } from "../examples/streamer_device/main.ts";
import { main as pyzmqDevicesMain } from "../examples/pyzmq_devices/main.ts";
import { type RunResult, UsageError } from "../mod.ts";
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

Deno.test("queue_device example: started by handshake, the replies alternate from the first", async () => {
  const [front, back] = freePorts(2);
  const lines = await run(queueMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--count",
    "10",
  ]);
  assert.equal(lines.queue_client[0], "Connecting to server...");
  const replies = matching(
    lines.queue_client,
    /^Received reply (\d+) \[ World from server (\d+) \]$/,
  );
  assert.deepEqual(replies.map((m) => Number(m[1])), Array.from({ length: 10 }, (_, i) => i + 1));
  // both servers were connected before the first request: they take turns from request 1
  const from = replies.map((m) => m[2]);
  assert.equal(new Set(from).size, 2, from.join(" "));
  for (let i = 1; i < from.length; i++) assert.notEqual(from[i], from[i - 1], `reply ${i + 1}`);
  // no warm-up traffic: the servers saw exactly the client's ten requests between them
  const requests = [...lines.queue_server1, ...lines.queue_server2]
    .filter((l) => l.startsWith("Received request: "));
  assert.equal(requests.length, 10);
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
  assert.equal(lines.forwarder_subscriber[0], "Collecting updates from server...");
  const got = lines.forwarder_subscriber.slice(1);
  assert.ok(got.length >= 4, `only ${got.length} messages`);
  for (const m of got) assert.match(m, /^9 server#[12]$/);
  assert.deepEqual([...new Set(got)].sort(), ["9 server#1", "9 server#2"]);
  // the publishers did publish other topics, which the subscriber never saw
  const published = [...lines.forwarder_server1, ...lines.forwarder_server2];
  assert.ok(published.some((l) => /^[1-8] server#/.test(l)), "no other topic was published");
});

Deno.test("streamer_device example: tutorial records from 0, spread over both workers, each once", async () => {
  const [front, back] = freePorts(2);
  const count = 10;
  const lines = await run(streamerMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--count",
    String(count),
  ]);
  const done = new Map<number, string>();
  for (const w of ["task_worker1", "task_worker2"]) {
    const me = /^I am consumer #(\d+)$/.exec(lines[w][0]);
    assert.ok(me, `${w} starts with the tutorial's line: ${lines[w][0]}`);
    const records = matching(lines[w], /^\{'num': (\d+), 'consumer': (\d+)\}$/);
    assert.ok(records.length > 0, `${w} got no task`);
    for (const [, num, consumer] of records) {
      assert.equal(consumer, me[1], "a record names the worker that printed it");
      assert.ok(!done.has(Number(num)), `task ${num} done twice`);
      done.set(Number(num), w);
    }
  }
  assert.deepEqual([...done.keys()].sort((a, b) => a - b), [...Array(count).keys()]);
  assert.match(
    lines.streamer[0],
    new RegExp(`^${count} tasks, each done once: worker #\\d+ \\d+, worker #\\d+ \\d+$`),
  );
});

Deno.test("pyzmq_devices example: background devices; the monitor sees every request and reply", async () => {
  const count = 3;
  const [front, back, mon] = freePorts(3);
  const lines = await run(pyzmqDevicesMain, [
    "--frontend-port",
    String(front),
    "--backend-port",
    String(back),
    "--monitor-port",
    String(mon),
    "--count",
    String(count),
  ]);
  // streamerdevice: the chapter's text tasks #0.., every one done once
  const got = ["worker0", "worker1"].flatMap((w) =>
    matching(lines[`streamerdevice/${w}`], new RegExp(`^Worker #${w.at(-1)} got message! #(\\d+)$`))
      .map((m) => Number(m[1]))
  );
  assert.deepEqual(got.sort((a, b) => a - b), [...Array(count).keys()]);
  assert.match(lines["streamerdevice/streamerdevice"].at(-1)!, /each done once/);
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
    UsageError,
  );
});
