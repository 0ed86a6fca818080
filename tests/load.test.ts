// Load tests. In CI: 20,000 tasks through the streamer pipeline and a 20,000-message slow
// subscriber run. With ZMQ_LONG=1: 1,000,000 tasks (inproc), 100,000 over tcp, and a
// 1,000,000-message slow subscriber over tcp. `deno task load` runs the 1M pipeline alone.
import assert from "node:assert/strict";
import { type PipelineReport, runPipeline } from "../load/pipeline.ts";
import { runSlowSubscriber, type SlowSubscriberReport } from "../load/slow_subscriber.ts";

const LONG = Deno.env.get("ZMQ_LONG") === "1";

function assertAccounted(r: PipelineReport, tasks: number) {
  const summary = JSON.stringify(r);
  assert.equal(r.tasks, tasks, summary);
  assert.equal(r.missing, 0, `missing tasks: ${summary}`);
  assert.equal(r.duplicates, 0, `duplicated tasks: ${summary}`);
  assert.equal(r.wrong, 0, `wrong results: ${summary}`);
  assert.equal(r.distinct, tasks, summary);
  assert.equal(r.received, tasks, summary);
  assert.equal(r.checksum, r.expectedChecksum, summary);
  assert.equal(r.perWorker.reduce((a, b) => a + b, 0), tasks, `per worker: ${summary}`);
}

function assertDropsCounted(r: SlowSubscriberReport) {
  const summary = JSON.stringify(r);
  assert.equal(r.blocked, 0, `the publisher had to wait: ${summary}`);
  assert.ok(r.received > 0, `nothing arrived: ${summary}`);
  assert.ok(r.dropped > 0, `a subscriber reading 1 in 10 must lose messages: ${summary}`);
  assert.equal(r.dropped, r.sent - r.received, summary);
  assert.equal(r.gaps, r.dropped, `drops and sequence gaps disagree: ${summary}`);
  assert.equal(r.disorder, 0, `out of order or duplicated: ${summary}`);
}

Deno.test("load: 20,000 tasks through a streamer to 4 workers, each accounted for once", async () => {
  const tasks = 20_000;
  const r = await runPipeline({ tasks, workers: 4, verbose: false });
  assertAccounted(r, tasks);
  console.log(`20k tasks: ${r.wallMs} ms, ${r.rate} tasks/s, per worker ${r.perWorker.join("/")}`);
});

Deno.test("load: a slow subscriber at its high-water mark drops, the publisher never waits", async () => {
  const r = await runSlowSubscriber({ messages: 20_000, hwm: 100, every: 10 });
  assertDropsCounted(r);
  console.log(`slow subscriber: ${JSON.stringify(r)}`);
});

Deno.test({
  name: "load (long): 1,000,000 tasks through a streamer to 4 workers",
  ignore: !LONG,
  async fn() {
    const tasks = 1_000_000;
    const r = await runPipeline({ tasks, workers: 4, verbose: false });
    assertAccounted(r, tasks);
    console.log(`1M tasks: ${r.wallMs} ms, ${r.rate} tasks/s, per worker ${r.perWorker.join("/")}`);
  },
});

Deno.test({
  name: "load (long): 100,000 tasks over tcp",
  ignore: !LONG,
  async fn() {
    const tasks = 100_000;
    const r = await runPipeline({ tasks, workers: 4, transport: "tcp", verbose: false });
    assertAccounted(r, tasks);
    console.log(`100k tcp tasks: ${r.wallMs} ms, ${r.rate} tasks/s`);
  },
});

Deno.test({
  name: "load (long): 1,000,000 messages to a slow subscriber over tcp",
  ignore: !LONG,
  async fn() {
    const r = await runSlowSubscriber({
      messages: 1_000_000,
      hwm: 1000,
      every: 20,
      transport: "tcp",
    });
    assertDropsCounted(r);
    console.log(`slow subscriber (tcp): ${JSON.stringify(r)}`);
  },
});
