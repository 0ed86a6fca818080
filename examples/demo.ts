/**
 * The guided tour: runs every example's orchestrator in turn (see `_tour.ts`) with small
 * bounded counts, printing a heading for each, and ends by itself.
 *
 * Run: `deno task demo [--only pair,reqrep] [--list]`
 *
 * @module
 */
import { type RoleEnv, runMain, UsageError } from "../workers/mod.ts";
import { parseFlags } from "./_tutorial.ts";
import { TOUR } from "./_tour.ts";

/** Runs the tour; answers the titles of the stops that ran. */
export async function main(args: string[], env: RoleEnv): Promise<string[]> {
  const parsed = parseFlags(args, {
    command: "deno task demo",
    about: "Runs every example of the tour in turn, each in Web Workers, with small counts. " +
      `Stops (their deno task names): ${TOUR.map((s) => s.title).join(", ")}.`,
  }, {
    only: { type: "string", help: "run only these stops, comma-separated (e.g. pair,queue)" },
    list: { type: "boolean", default: false, help: "print the stops and exit" },
  });
  if (!parsed) return [];
  const { values } = parsed;
  const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((t) => !TOUR.some((s) => s.title === t)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(
      `--only names unknown stops: ${unknown.join(", ")}; known: ${
        TOUR.map((s) => s.title).join(", ")
      }`,
    );
  }
  const stops = TOUR.filter((s) => !only || only.includes(s.title));
  if (values.list) {
    for (const s of stops) console.log(`${s.title.padEnd(16)} ${s.summary}`);
    return [];
  }
  const ran: string[] = [];
  for (const [i, stop] of stops.entries()) {
    console.log(`\n=== ${i + 1}/${stops.length} ${stop.title}: ${stop.summary}`);
    const started = performance.now();
    await stop.run(env.signal);
    console.log(`=== ${stop.title} done in ${Math.round(performance.now() - started)} ms`);
    ran.push(stop.title);
  }
  console.log(`\nTour finished: ${ran.length} example(s) ran.`);
  return ran;
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "demo");
