// A short smoke run of the benchmark program (bench/bench.ts), as CI runs it: each workload of
// the anchors' contract prints one valid JSON line with the anchors' fields. Small N; no timing
// is asserted (figures come from `deno task bench`, never from tests).
import assert from "node:assert/strict";

const BENCH = new URL("../bench/bench.ts", import.meta.url).pathname;

async function runBench(args: string[]): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BENCH, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `bench.ts ${args.join(" ")} failed: ${stderr}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got: ${lines.join(" | ")}`);
  return JSON.parse(lines[0]);
}

function numbers(r: Record<string, unknown>, fields: string[]): void {
  for (const f of fields) {
    assert.equal(typeof r[f], "number", `${f} is a number in ${JSON.stringify(r)}`);
    assert.ok(Number.isFinite(r[f] as number), `${f} is finite`);
  }
}

const port = 19960;

Deno.test("bench smoke: reqrep prints the latency fields", async () => {
  const r = await runBench(["reqrep", "300", "1", String(port)]);
  assert.deepEqual([r.stack, r.bench, r.n, r.size], ["deno", "reqrep", 300, 1]);
  numbers(r, ["median_us", "p99_us", "mean_us"]);
});

Deno.test("bench smoke: pushpull 16 B and 1 KiB print the throughput fields", async () => {
  for (const [n, size] of [[20000, 16], [2000, 1024]]) {
    const r = await runBench(["pushpull", String(n), String(size), String(port + 2)]);
    assert.deepEqual([r.stack, r.bench, r.n, r.size], ["deno", "pushpull", n, size]);
    numbers(r, ["msgs_per_s", "mb_per_s"]);
  }
});

Deno.test("bench smoke: pubsub delivers every expected message", async () => {
  const r = await runBench(["pubsub", "20000", "16", String(port + 4), "10"]);
  assert.deepEqual([r.stack, r.bench, r.n, r.size], ["deno", "pubsub", 20000, 16]);
  numbers(r, ["expected", "delivered", "msgs_per_s", "pub_msgs_per_s"]);
  assert.equal(r.expected, 2000);
  assert.equal(r.delivered, r.expected);
  assert.equal(r.ok, true);
});

Deno.test("bench smoke: queue (through libzmq's proxy) prints the latency fields", async () => {
  const r = await runBench(["queue", "300", "1", String(port + 6)]);
  assert.deepEqual([r.stack, r.bench, r.n, r.size], ["deno", "queue", 300, 1]);
  numbers(r, ["median_us", "p99_us", "mean_us"]);
});
