// What the streamer examples check once the feeder is done: every task was taken by exactly
// one worker, and how the tasks spread over the workers.
import type { RoleHandle } from "../../workers/mod.ts";
import type { Phases, Role } from "../_phases.ts";

/** A worker's line for a task (a JSON record or a text message), as [task, worker]. */
const TASK_LINE = [
  /^\{'num': (\d+), 'consumer': (\d+)\}$/,
  /^Worker #(\d+) got message! #(\d+)$/,
] as const;

/** The task number and worker of a task line, or null for any other line. */
export function taskOf(line: string): { task: number; worker: string } | null {
  const json = TASK_LINE[0].exec(line);
  if (json) return { task: Number(json[1]), worker: json[2] };
  const text = TASK_LINE[1].exec(line);
  if (text) return { task: Number(text[2]), worker: text[1] };
  return null;
}

/**
 * Checks that tasks 0..count-1 were each printed by exactly one of `workers`; answers the
 * summary line (`10 tasks, each done once: worker #1234 5, worker #5678 5`), or throws naming
 * the tasks missing or done twice.
 */
export function tally(workers: RoleHandle[], count: number): string {
  const doneBy = new Map<number, string[]>();
  for (const w of workers) {
    for (const line of w.lines) {
      const t = taskOf(line);
      if (t) doneBy.set(t.task, [...doneBy.get(t.task) ?? [], t.worker]);
    }
  }
  const missing = [];
  const twice = [];
  const perWorker = new Map<string, number>();
  for (let task = 0; task < count; task++) {
    const by = doneBy.get(task) ?? [];
    if (by.length === 0) missing.push(task);
    if (by.length > 1) twice.push(task);
    for (const w of by) perWorker.set(w, (perWorker.get(w) ?? 0) + 1);
  }
  if (missing.length + twice.length > 0) {
    throw new Error(`tasks missing: [${missing}], done more than once: [${twice}]`);
  }
  const spread = [...perWorker].map(([w, n]) => `worker #${w} ${n}`).join(", ");
  return `${count} tasks, each done once: ${spread}`;
}

/**
 * Starts the feeder of `count` tasks, waits until it is done and the `workers` have printed
 * every task, then prints the {@linkcode tally} as `name`'s line.
 */
export async function feedAndTally(
  run: Phases,
  feeder: Role,
  workers: RoleHandle[],
  count: number,
  name: string,
): Promise<void> {
  await run.wait(run.start(feeder).done, "the feeder to send its tasks");
  await run.waitForLines(workers, (l) => taskOf(l) !== null, count, `${count} tasks done`);
  run.printer(name)(tally(workers, count), "stdout");
}
