/**
 * The pipeline example: the resultcollector, three consumers and the producer, each in a Web
 * Worker. The producer waits until every consumer is connected, then pushes the work; the
 * collector takes every result (one per even item) and prints how they spread over the
 * consumers.
 *
 * Three consumers rather than the tutorial's two: a PUSH socket deals its messages out in
 * turn, so with two consumers one of them gets every even number and the collector would show
 * a single consumer (try `--consumers 2`).
 *
 * Run: `deno task pushpull [--count 20000] [--consumers 3]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult, UsageError } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task pushpull",
    about: "Runs the push-pull pipeline: producer, consumers and resultcollector.",
  }, {
    count: { type: "string", default: "20000", help: "work items the producer pushes" },
    consumers: { type: "string", default: "3", help: "number of consumers" },
    "pull-port": { type: "string", default: "5557", help: "producer's port" },
    "push-port": { type: "string", default: "5558", help: "collector's port" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const count = countFlag(values.count);
  if (count === Infinity) throw new UsageError("--count must be a number of items");
  const consumers = intFlag(values.consumers, "consumers", { min: 1, max: 100 });
  const pullPort = String(portFlag(values["pull-port"], "pull-port"));
  const pushPort = String(portFlag(values["push-port"], "push-port"));
  // Distinct random ids, as the tutorial's consumers pick theirs at random.
  const ids = new Set<number>();
  while (ids.size < consumers) ids.add(1 + Math.floor(Math.random() * 10004));
  const here = (file: string) => new URL(file, import.meta.url);
  return await runExample(
    [
      {
        module: here("./resultcollector.ts"),
        name: "resultcollector",
        // one result per even item: 0, 2, 4, ...
        args: ["--port", pushPort, "--count", String(Math.ceil(count / 2))],
      },
      ...[...ids].map((id, i) => ({
        module: here("./consumer.ts"),
        name: `consumer${i + 1}`,
        args: ["--id", String(id), "--pull-port", pullPort, "--push-port", pushPort],
        service: true,
      })),
      {
        module: here("./producer.ts"),
        name: "producer",
        args: [
          "--port",
          pullPort,
          "--count",
          String(count),
          "--consumers",
          String(consumers),
        ],
      },
    ],
    env,
    values,
  );
}

if (import.meta.main) await runMain(async (a, e) => void await main(a, e), "pushpull");
