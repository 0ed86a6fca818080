// Real hosts: broker, workers and client in separate network namespaces joined by veth links;
// a link taken down and up is a partition. Skips, saying why, where namespaces cannot be made.
import assert from "node:assert/strict";
import { makeTopology, netnsUnavailable, runNetnsScenario } from "../faults/netns.ts";

const unavailable = await netnsUnavailable();
if (unavailable) console.log(`faults_netns: skipped: ${unavailable}`);

Deno.test({
  name: "netns: Majordomo across three namespaces survives a partition of the client's link",
  ignore: unavailable !== null,
  async fn() {
    const topology = await makeTopology();
    try {
      const result = await runNetnsScenario(topology, { count: 24, partitionMs: 1000 });
      console.log(
        `[netns] sent ${result.sent}, answered ${result.answered}, reported failed ${result.failed}, ` +
          `lost ${result.lost} (link down ${result.partitionMs} ms, client rx ${result.clientRxBytes} B)`,
      );
      assert.equal(result.sent, 24);
      assert.equal(result.lost, 0);
      assert.equal(result.answered, 24, "the partition was shorter than the retry budget");
      assert.ok(result.clientRxBytes > 1000, "the replies came over the veth link");
    } finally {
      await topology.remove();
    }
    // Nothing is left behind.
    const left = new TextDecoder().decode(
      (await new Deno.Command("ip", { args: ["netns", "list"], stdout: "piped" }).output()).stdout,
    );
    for (const ns of [topology.broker, topology.workers, topology.client]) {
      assert.ok(!left.includes(ns), `${ns} was not deleted`);
    }
  },
});
