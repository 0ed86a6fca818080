/**
 * The long fault campaign: every scenario of faults/scenarios.ts, bigger and repeated, with
 * its counts. Exits 1 if a request was lost or answered twice, or a fault that heals within
 * the retry budget left requests unanswered.
 *
 * Run: `deno task faults [--clients 4] [--requests 100] [--rounds 1] [--only a,b]`
 *
 * @module
 */
import { cliFlags, cliInt, usageError } from "./_cli.ts";
import { addTally, emptyTally } from "./_load.ts";
import { formatTally, SCENARIOS } from "./scenarios.ts";

const CLI = {
  name: "faults",
  usage: `Usage: deno task faults [--clients N] [--requests N] [--rounds N] [--heartbeat MS]
                        [--only ${SCENARIOS.map((s) => s.name).join(",")}]`,
};

if (import.meta.main) {
  const values = cliFlags(CLI, {
    clients: "4",
    requests: "100",
    rounds: "1",
    heartbeat: "100",
    only: "",
  });
  const only = values.only.split(",").filter((n) => n !== "");
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) usageError(CLI, `unknown scenario ${unknown.join(", ")}`);
  const options = {
    clients: cliInt(CLI, values.clients, "clients", 1),
    requests: cliInt(CLI, values.requests, "requests", 1),
    heartbeat: cliInt(CLI, values.heartbeat, "heartbeat", 10),
    log: (line: string) => console.log(`  ${line}`),
  };
  const rounds = cliInt(CLI, values.rounds, "rounds", 1);
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
