/**
 * The long fault campaign: every scenario of faults/scenarios.ts, bigger and repeated, with
 * its counts. Exits 1 if a request was lost or answered twice, or a fault that heals within
 * the retry budget left requests unanswered.
 *
 * Run: `deno task faults [--clients 4] [--requests 100] [--rounds 1] [--only a,b]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { addTally, emptyTally } from "./_load.ts";
import { formatTally, SCENARIOS } from "./scenarios.ts";

const USAGE = `Usage: deno task faults [--clients N] [--requests N] [--rounds N] [--heartbeat MS]
                        [--only ${SCENARIOS.map((s) => s.name).join(",")}]`;

function count(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(
      `faults: --${name} must be an integer >= ${min}; got ${JSON.stringify(value)}\n${USAGE}`,
    );
    Deno.exit(2);
  }
  return n;
}

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        clients: { type: "string", default: "4" },
        requests: { type: "string", default: "100" },
        rounds: { type: "string", default: "1" },
        heartbeat: { type: "string", default: "100" },
        only: { type: "string", default: "" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    console.error(`faults: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const only = values.only.split(",").filter((n) => n !== "");
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`faults: unknown scenario ${unknown.join(", ")}\n${USAGE}`);
    Deno.exit(2);
  }
  const options = {
    clients: count(values.clients, "clients", 1),
    requests: count(values.requests, "requests", 1),
    heartbeat: count(values.heartbeat, "heartbeat", 10),
    log: (line: string) => console.log(`  ${line}`),
  };
  const rounds = count(values.rounds, "rounds", 1);
  const total = emptyTally();
  let bad = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
      const started = performance.now();
      const tally = await scenario.run(options);
      addTally(total, tally);
      const ok = tally.lost === 0 && tally.twice === 0 &&
        (!scenario.allAnswered || tally.answered === tally.sent);
      if (!ok) bad++;
      console.log(
        `[faults] round ${round} ${scenario.name}: ${formatTally(tally)} ` +
          `(${Math.round(performance.now() - started)} ms)${ok ? "" : "  <-- FAILED"}`,
      );
    }
  }
  console.log(`[faults] total: ${formatTally(total)}; ${bad} scenario runs failed`);
  if (bad > 0) Deno.exit(1);
}
