/**
 * The pipeline example: the resultcollector, two consumers and the producer, each in a Web
 * Worker. The producer waits until both consumers are connected, then pushes the work; the
 * collector prints how the results spread over the consumers.
 *
 * Run: `deno task pushpull [--count 20000] [--consumers 2]`
 *
 * @module
 */
import { type RoleEnv, runMain, type RunResult } from "../../workers/mod.ts";
import { countFlag, intFlag, parseFlags, portFlag, RUN_FLAGS, runExample } from "../_tutorial.ts";

/** Runs the example; answers each role's printed lines. */
export async function main(args: string[], env: RoleEnv): Promise<RunResult | undefined> {
  const parsed = parseFlags(args, {
    command: "deno task pushpull",
    about: "Runs the push-pull pipeline: producer, consumers and resultcollector.",
  }, {
    count: { type: "string", default: "20000", help: "work items the producer pushes" },
    consumers: { type: "string", default: "2", help: "number of consumers" },
    "pull-port": { type: "string", default: "5557", help: "producer's port" },
    "push-port": { type: "string", default: "5558", help: "collector's port" },
    "sync-port": { type: "string", default: "5559", help: "producer's port for consumers' hellos" },
    ...RUN_FLAGS,
  });
  if (!parsed) return;
  const { values } = parsed;
  const count = countFlag(values.count);
  if (count === Infinity) throw new RangeError("--count must be a number of items");
  const consumers = intFlag(values.consumers, "consumers", { min: 1, max: 100 });
  const ports = [
    "--pull-port",
    String(portFlag(values["pull-port"], "pull-port")),
    "--push-port",
    String(portFlag(values["push-port"], "push-port")),
    "--sync-port",
    String(portFlag(values["sync-port"], "sync-port")),
  ];
  // Distinct random ids, as the tutorial's consumers pick theirs at random.
  const ids = new Set<number>();
  while (ids.size < consumers) ids.add(1 + Math.floor(Math.random() * 10005));
  const here = (file: string) => new URL(file, import.meta.url);
  return await runExample(
    [
      {
        module: here("./resultcollector.ts"),
        name: "resultcollector",
        args: ["--port", ports[3], "--count", String(count)],
      },
      ...[...ids].map((id, i) => ({
        module: here("./consumer.ts"),
        name: `consumer${i + 1}`,
        args: ["--id", String(id), ...ports],
        service: true,
      })),
      {
        module: here("./producer.ts"),
        name: "producer",
        args: [
          "--port",
          ports[1],
          "--sync-port",
          ports[5],
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
