// Load-test role: receives results and accounts for every task exactly once.
import { parseArgs } from "node:util";
import { Context } from "../core/context.ts";
import { ZmqError } from "../core/errors.ts";
import { type RoleEnv, runMain } from "../workers/mod.ts";
import { intFlag, payloadOf, unpack, work } from "./_task.ts";

const USAGE = `Usage: collector.ts --bind ENDPOINT --tasks N [--idle MS]
Receives N results on a PULL socket; prints "RESULT {json}" with received, missing,
duplicates, wrong results and the id checksum. Gives up after --idle ms without a result.`;

/** What the collector found. */
export interface Accounting {
  /** Tasks expected. */
  tasks: number;
  /** Results received (duplicates included). */
  received: number;
  /** Distinct task ids seen. */
  distinct: number;
  /** Task ids never seen. */
  missing: number;
  /** Results for an id already seen. */
  duplicates: number;
  /** Results whose value or id is wrong. */
  wrong: number;
  /** Sum of the distinct ids seen, mod 2^32; expected: sum of 0..tasks-1 mod 2^32. */
  checksum: number;
  /** The checksum if every task came back once. */
  expectedChecksum: number;
  /** Milliseconds from the first result to the last. */
  ms: number;
}

/** Sum of 0..n-1 modulo 2^32. */
export function idChecksum(n: number): number {
  return Number((BigInt(n) * BigInt(n - 1) / 2n) % 2n ** 32n);
}

/** Runs the collector role. */
export async function main(args: string[], env: RoleEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      bind: { type: "string", default: "tcp://127.0.0.1:5559" },
      tasks: { type: "string" },
      idle: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const tasks = intFlag(values.tasks, 1000, "tasks");
  const idle = intFlag(values.idle, 10_000, "idle");
  const own = env.context === undefined;
  const ctx = env.context ?? new Context();
  const pull = ctx.socket("PULL");
  const seen = new Uint8Array(tasks);
  const acc: Accounting = {
    tasks,
    received: 0,
    distinct: 0,
    missing: 0,
    duplicates: 0,
    wrong: 0,
    checksum: 0,
    expectedChecksum: idChecksum(tasks),
    ms: 0,
  };
  let first = 0;
  try {
    pull.bind(values.bind);
    console.log("ready");
    const options = { timeout: idle, signal: env.signal };
    while (acc.distinct < tasks) {
      let frame: Uint8Array;
      try {
        frame = await pull.recv(options);
      } catch (e) {
        if (e instanceof ZmqError && e.code === "EAGAIN") break; // nothing for `idle` ms
        throw e;
      }
      if (acc.received++ === 0) first = performance.now();
      const result = unpack(frame);
      if (result === null || result[0] >= tasks) {
        acc.wrong++;
        continue;
      }
      const [id, value] = result;
      if (value !== work(id, payloadOf(id))) acc.wrong++;
      if (seen[id]) {
        acc.duplicates++;
        continue;
      }
      seen[id] = 1;
      acc.distinct++;
      acc.checksum = (acc.checksum + id) >>> 0;
    }
    acc.ms = Math.round(performance.now() - first);
    // Anything arriving shortly after the last task is a duplicate (or garbage): count it too.
    for (;;) {
      const extra = await pull.recv({ timeout: 200, signal: env.signal }).catch((e) => {
        if (e instanceof ZmqError && e.code === "EAGAIN") return null;
        throw e;
      });
      if (extra === null) break;
      acc.received++;
      const result = unpack(extra);
      if (result !== null && result[0] < tasks && seen[result[0]]) acc.duplicates++;
      else acc.wrong++;
    }
    acc.missing = tasks - acc.distinct;
    console.log(`RESULT ${JSON.stringify(acc)}`);
  } finally {
    pull.close({ linger: 0 });
    if (own) await ctx.terminate();
  }
}

if (import.meta.main) await runMain(main, "collector");
