// The guided tour that `deno task demo` (examples/demo.ts) runs: one stop per example, in
// order. To add your example, append a stop to TOUR: a title, a one-line summary, and a run()
// that calls your orchestrator's main with small bounded counts and `signal` in its env.
import type { RoleEnv } from "../workers/role.ts";

/** One stop of the tour. */
export interface TourStop {
  /** The example's `deno task` name, printed as the heading and taken by `--only`. */
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
    title: "reqrep",
    summary: "Request-reply: one REQ client, two REP servers (5546, 5556); replies alternate.",
    run: example("./reqrep/main.ts", ["--count", "6", "--delay", "50"]),
  },
  {
    title: "pubsub",
    summary: "Publish-subscribe: two publishers (5556, 5546), one subscriber to topic 10001.",
    run: example("./pubsub/main.ts", ["--count", "5", "--interval", "50"]),
  },
  {
    title: "pushpull",
    summary: "Pipeline: producer (5557), three consumers, result collector (5558) per consumer.",
    run: example("./pushpull/main.ts", ["--count", "2000"]),
  },
  {
    title: "multiprocess",
    summary: "request_reply_processes: four servers serve five requests each, one client.",
    run: example("./multiprocess/main.ts", ["--interval", "20"]),
  },
  {
    title: "zmqpolling",
    summary: "Poller: one client polls PULL (commands, 5556) and SUB (topic 9, 5558) until Exit.",
    run: example("./zmqpolling/main.ts", ["--interval", "100", "--pub-interval", "30"]),
  },
  {
    title: "stream_poller",
    summary: "Streams: the same client as callbacks on a Loop, which the Exit command stops.",
    run: example("./pyzmq_stream_poller/main.ts", ["--interval", "100", "--pub-interval", "30"]),
  },
  {
    title: "queue",
    summary: "QUEUE device (ROUTER 5559, DEALER 5560): requests spread over two servers.",
    run: example("./queue_device/main.ts", ["--count", "6", "--delay", "20"]),
  },
  {
    title: "forwarder",
    summary: "FORWARDER device (SUB 5559 / PUB 5560): topic 9 from two publishers to a subscriber.",
    run: example("./forwarder_device/main.ts", ["--count", "4", "--interval", "20"]),
  },
  {
    title: "streamer",
    summary: "STREAMER device (PULL 5559, PUSH 5560): tasks spread over two workers, once each.",
    run: example("./streamer_device/main.ts", ["--count", "10"]),
  },
  {
    title: "pyzmq-devices",
    summary: "Background devices in Workers: streamerdevice, queuedevice, monitoredqueue (5562).",
    run: example("./pyzmq_devices/main.ts", ["--count", "3"]),
  },
  {
    title: "security",
    summary: "Ironhouse: CURVE certificates, an allow list; Alice gets in, Mallory is refused.",
    run: example("./security/ironhouse.ts", []),
  },
  {
    title: "pirate",
    summary: "Lazy Pirate: the client retries while its server is killed and restarted.",
    run: example("./lazy_pirate/main.ts", [
      "--restarts",
      "1",
      "--count",
      "6",
      "--kill-after",
      "2",
      "--timeout",
      "200",
      "--retries",
      "20",
      "--downtime",
      "100",
    ]),
  },
  {
    title: "pp",
    summary: "Paranoid Pirate (RFC 6): a heartbeating queue (5555/5556), two workers, a client.",
    run: example("./paranoid_pirate/main.ts", ["--count", "4"]),
  },
  {
    title: "mdp",
    summary: "Majordomo (MDP/0.1): broker (5555), two echo workers, a client asking by service.",
    run: example("./majordomo/main.ts", ["--count", "4"]),
  },
  {
    title: "titanic",
    summary: "Titanic (RFC 9): each request stored in SQLite before it is acknowledged (5555).",
    run: example("./titanic/main.ts", ["--count", "3"]),
  },
];
