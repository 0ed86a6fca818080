// The fault scenarios of issue 14, small: each prints its counts; none may lose a request or
// answer one twice. `deno task faults` runs them bigger.
import assert from "node:assert/strict";
import { formatTally, SCENARIOS } from "../faults/scenarios.ts";

for (const scenario of SCENARIOS) {
  Deno.test(`faults: ${scenario.name}: ${scenario.about}`, async () => {
    const tally = await scenario.run({ clients: 2, requests: 15, heartbeat: 100 });
    console.log(`[faults] ${scenario.name}: ${formatTally(tally)}`);
    assert.ok(tally.sent > 0);
    assert.equal(tally.answered + tally.failed + tally.lost, tally.sent);
    assert.equal(tally.lost, 0, "a request was lost or got another's reply");
    assert.equal(tally.twice, 0, "a request was answered twice");
    if (scenario.name === "worker-freeze") {
      assert.ok(tally.redelivered > 0, "the frozen worker held a request the broker gave away");
    }
    if (scenario.allAnswered) assert.equal(tally.answered, tally.sent, "the fault healed in time");
    else assert.ok(tally.failed > 0, "the long partition made requests fail, and said so");
  });
}
