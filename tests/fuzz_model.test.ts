// The model-based fuzzer's CI campaign (fuzz/model.ts): seeds of random programs over every
// socket pattern, each in a subprocess (a crash or a hang fails by seed), every message checked
// against ZeroMQ's promises. Known open findings are left out by name (fuzz/_known.ts).
// FUZZ_MODEL_SEEDS="1-10" and FUZZ_MODEL_MESSAGES=N override the defaults.
import assert from "node:assert/strict";
import { parseSeeds, runCampaign, summary } from "../fuzz/campaign.ts";
import { KNOWN_OPEN, knownOpenProblems } from "../fuzz/_known.ts";
import { Finding, Ledger } from "../fuzz/_ledger.ts";
import { Keeper, makeMessage } from "../fuzz/_payload.ts";
import { runModel } from "../fuzz/model.ts";

const SEEDS = parseSeeds(Deno.env.get("FUZZ_MODEL_SEEDS") ?? "1-10")!;
const MESSAGES = Number(Deno.env.get("FUZZ_MODEL_MESSAGES") ?? "3000");

Deno.test(`model fuzz: ${SEEDS.length} seeds × ${MESSAGES} messages hold every promise`, async () => {
  const options = {
    tiers: ["model" as const],
    seeds: SEEDS,
    messages: MESSAGES,
    parallel: 2,
    boundMs: 120_000,
    includeKnown: false,
  };
  const result = await runCampaign(options);
  const report = summary(result, options);
  console.log(report);
  assert.equal(result.outcomes.filter((o) => !o.ok).length, 0, report);
  // thousands per seed, not a handful
  for (const o of result.outcomes) assert.ok(o.counts.delivered >= 1000, report);
});

Deno.test("model fuzz: the hot burst (60,000 messages each way) over one PAIR", async () => {
  const options = {
    tiers: ["model" as const],
    seeds: [1],
    messages: 100,
    modelArgs: ["--only", "hot"],
    parallel: 1,
    boundMs: 120_000,
    includeKnown: false,
  };
  const result = await runCampaign(options);
  const report = summary(result, options);
  assert.ok(result.outcomes.every((o) => o.ok), report);
  assert.ok(result.outcomes[0].counts.delivered >= 60_000, report);
});

Deno.test("model fuzz in-process under the op and resource sanitizers (seed 3, 600 messages)", async () => {
  const r = await runModel(3, { messages: 600, skip: KNOWN_OPEN.map((k) => k.check) });
  assert.ok(r.delivered > 300, JSON.stringify(r));
});

Deno.test("model ledger: a lost, duplicated, reordered or corrupted message is a finding", () => {
  const ledger = new Ledger();
  const a = ledger.receiver("a");
  const b = ledger.receiver("b");
  const s = ledger.stream({ name: "s", mode: "one", allowed: new Set([a]), promised: true });
  const m = (seq: number) => makeMessage(s, seq, [3, 0, 9000]);
  for (let i = 0; i < 4; i++) ledger.sent(s, ledger.sending(s));
  ledger.received(a, m(1));
  assert.throws(() => ledger.received(a, m(1)), Finding, "duplicate");
  assert.throws(() => ledger.received(a, m(0)), /order/);
  assert.throws(() => ledger.received(b, m(2)), /may not have it/);
  const broken = m(2);
  broken[3][100] ^= 1;
  assert.throws(() => ledger.received(a, broken), /corrupted/);
  assert.throws(() => ledger.received(a, m(3).slice(0, 3)), /not whole/);
  assert.deepEqual(ledger.missing().length, 3); // 0, 2 and 3 never (validly) arrived
});

Deno.test("model keeper: a kept frame that changes is a finding", () => {
  const keeper = new Keeper();
  const frame = new Uint8Array([1, 2, 3]);
  keeper.keep(frame, "test");
  assert.equal(keeper.recheck(), null);
  frame[1] = 9;
  assert.match(keeper.recheck() ?? "", /changed after it was received/);
});

Deno.test("model fuzz: every known open finding names its check, finding and replay", () => {
  assert.deepEqual(knownOpenProblems(KNOWN_OPEN), []);
  const good = {
    check: "x-y",
    finding: "f",
    symptom: "s",
    replay: "deno run -A fuzz/wire.ts --seed 3",
  };
  assert.deepEqual(knownOpenProblems([good]), []);
  assert.equal(knownOpenProblems([{ ...good, check: "Not A Name" }]).length, 1);
  assert.equal(knownOpenProblems([{ ...good, symptom: "" }]).length, 1);
  assert.equal(knownOpenProblems([{ ...good, replay: "deno run fuzz/wire.ts" }]).length, 1);
});
