// What `deno task bench` runs: the workloads (full and quick sizes) and the stacks' names.

/** One workload of the bench contract, as run by every stack that can. */
export interface Workload {
  /** Identifier used in the raw lines and tables, e.g. "pushpull-1m". */
  id: string;
  /** The contract's WORKLOAD argument. */
  bench: string;
  /** N for a full run and for `--quick`. */
  n: number;
  quickN: number;
  /** SIZE in bytes. */
  size: number;
  /** The optional EXTRA argument (topics, SUB sockets, clients, workers, idle seconds). */
  extra?: number;
  quickExtra?: number;
  /** Human label. */
  label: string;
  /** Only these stacks (default: every stack). */
  only?: string[];
}

const KiB = 1024, MiB = 1024 * 1024;

/** Every workload, in the order a run goes through them (idle last: it uses 10k ephemeral ports). */
export const WORKLOADS: Workload[] = [
  { id: "reqrep", bench: "reqrep", n: 20000, quickN: 200, size: 1, label: "REQ/REP 1 B" },
  {
    id: "pushpull-16",
    bench: "pushpull",
    n: 1_000_000,
    quickN: 2000,
    size: 16,
    label: "PUSH/PULL 16 B",
  },
  {
    id: "pushpull-1k",
    bench: "pushpull",
    n: 100_000,
    quickN: 1000,
    size: KiB,
    label: "PUSH/PULL 1 KiB",
  },
  {
    id: "pushpull-64k",
    bench: "pushpull",
    n: 20_000,
    quickN: 50,
    size: 64 * KiB,
    label: "PUSH/PULL 64 KiB",
  },
  {
    id: "pushpull-1m",
    bench: "pushpull",
    n: 2000,
    quickN: 10,
    size: MiB,
    label: "PUSH/PULL 1 MiB",
  },
  {
    id: "pushpull-16m",
    bench: "pushpull",
    n: 120,
    quickN: 3,
    size: 16 * MiB,
    label: "PUSH/PULL 16 MiB",
  },
  {
    id: "pushpull-64m",
    bench: "pushpull",
    n: 32,
    quickN: 2,
    size: 64 * MiB,
    label: "PUSH/PULL 64 MiB",
  },
  {
    id: "pubsub",
    bench: "pubsub",
    n: 1_000_000,
    quickN: 2000,
    size: 16,
    extra: 10,
    label: "PUB/SUB 16 B, 1 of 10 topics",
  },
  {
    id: "queue",
    bench: "queue",
    n: 20000,
    quickN: 200,
    size: 1,
    label: "QUEUE (ROUTER/DEALER proxy) 1 B",
  },
  {
    id: "fanout",
    bench: "fanout",
    n: 20000,
    quickN: 200,
    size: 16,
    extra: 50,
    label: "PUB fan-out to 50 SUB, 16 B",
  },
  {
    id: "clients",
    bench: "clients",
    n: 50000,
    quickN: 1000,
    size: 1,
    extra: 500,
    label: "500 REQ clients, one ROUTER",
  },
  {
    id: "workers",
    bench: "workers",
    n: 400_000,
    quickN: 4000,
    size: 16,
    extra: 4,
    label: "PUSH/PULL from 4 Workers over inproc, 16 B",
  },
  {
    id: "tcp_floor",
    bench: "tcp_floor",
    n: 20000,
    quickN: 200,
    size: 1,
    label: "raw TCP ping-pong (no ZeroMQ)",
    only: ["c"],
  },
  {
    id: "idle",
    bench: "idle",
    n: 10000,
    quickN: 200,
    size: 0,
    extra: 5,
    quickExtra: 1,
    label: "10,000 idle connections",
  },
];

/** The stacks, in table order, with display names and chart colours. */
export const STACKS = [
  { id: "c", name: "C / libzmq", color: "#7f7f7f" },
  { id: "py", name: "Python / pyzmq", color: "#3572a5" },
  { id: "node", name: "Node / zeromq.js", color: "#e0a030" },
  { id: "deno-zmqjs", name: "Deno / zeromq.js", color: "#c05050" },
  { id: "deno", name: "Deno / this library", color: "#2ca05a" },
] as const;

/** A stack identifier. */
export type StackId = typeof STACKS[number]["id"];

/** The display name of a stack. */
export function stackName(id: string): string {
  return STACKS.find((s) => s.id === id)?.name ?? id;
}
