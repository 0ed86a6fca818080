// The guided tour that `deno task demo` (examples/demo.ts) runs: one stop per example, in
// order. To add your example, append a stop to TOUR: a title, a one-line summary, and a run()
// that calls your orchestrator's main with small bounded counts and `signal` in its env.
import type { RoleEnv } from "../workers/role.ts";

/** One stop of the tour. */
export interface TourStop {
  /** A short name printed as the heading, e.g. "pair". */
  title: string;
  /** One line saying what the example shows. */
  summary: string;
  /** Runs the example to completion with small counts; rejects if it fails. */
  run(signal: AbortSignal): Promise<unknown>;
}

type Orchestrator = (args: string[], env: RoleEnv) => Promise<unknown>;

/** Loads an orchestrator module lazily and runs its `main(args, env)`. */
export function example(module: string, args: string[]): (signal: AbortSignal) => Promise<unknown> {
  return async (signal) => {
    const mod = await import(new URL(module, import.meta.url).href) as { main: Orchestrator };
    return await mod.main(args, { name: module, signal });
  };
}

/** The tour, in order. Append your stops at the end. */
export const TOUR: TourStop[] = [
  {
    title: "pair",
    summary: "Exclusive pair: a PAIR server and client talk both ways (port 5556).",
    run: example("./pair/main.ts", ["--count", "3", "--interval", "50"]),
  },
  {
    title: "zmqpolling",
    summary: "Poller: one client polls PULL (commands, 5556) and SUB (topic 9, 5558) until Exit.",
    run: example("./zmqpolling/main.ts", ["--interval", "100", "--pub-interval", "30"]),
  },
  {
    title: "pyzmq_stream_poller",
    summary: "Streams: the same client as callbacks on a Loop, which the Exit command stops.",
    run: example("./pyzmq_stream_poller/main.ts", ["--interval", "100", "--pub-interval", "30"]),
  },
];
