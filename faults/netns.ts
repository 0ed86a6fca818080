/**
 * Real hosts: a Majordomo broker, its workers and a client in three Linux network namespaces
 * joined by veth links, so they talk over real interfaces, not loopback. Bringing the
 * client's link down and up is a partition. Needs root and `ip netns` (iproute2); where they
 * are missing, {@linkcode netnsUnavailable} says why and nothing is created.
 *
 * ```
 *  zr…w (workers) 10.231.1.2 ──veth── 10.231.1.1  zr…b (broker)  10.231.2.1 ──veth── 10.231.2.2 zr…c (client)
 * ```
 *
 * Run: `deno task netns [--count 200] [--partition 1500]` (`tests/faults_netns.test.ts` runs it
 * small).
 *
 * @module
 */
import { cliFlags, cliInt } from "./_cli.ts";
import { type ProcessRoleHandle, startProcessRole } from "../workers/process.ts";

/** The namespaces and the addresses on their links. */
export interface Topology {
  /** Namespace of the broker. */
  broker: string;
  /** Namespace of the workers. */
  workers: string;
  /** Namespace of the client. */
  client: string;
  /** The broker's address on the workers' link. */
  brokerForWorkers: string;
  /** The broker's address on the client's link. */
  brokerForClient: string;
  /** Takes the client's link down (a partition) or up (healed). */
  clientLink(up: boolean): Promise<void>;
  /** Bytes the client's interface received so far (to show the traffic used the link). */
  clientRxBytes(): Promise<number>;
  /** Deletes the namespaces (and with them the links). */
  remove(): Promise<void>;
}

async function ip(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return text;
}

/**
 * Why namespaces cannot be made here (not Linux, no `ip`, not permitted), or null if they
 * can: it makes one and deletes it.
 */
export async function netnsUnavailable(): Promise<string | null> {
  if (Deno.build.os !== "linux") return `network namespaces need Linux, this is ${Deno.build.os}`;
  const probe = `zrprobe${Deno.pid}`;
  try {
    await ip("netns", "add", probe);
  } catch (e) {
    return `cannot create a network namespace (${(e as Error).message}); needs root and iproute2`;
  }
  await ip("netns", "del", probe).catch(() => {});
  return null;
}

/**
 * Makes the three namespaces (names `zr<tag>b`, `zr<tag>w`, `zr<tag>c`) and the two veth
 * links. On failure it deletes what it made and throws.
 */
export async function makeTopology(tag = `${Deno.pid % 100000}`): Promise<Topology> {
  const [b, w, c] = ["b", "w", "c"].map((r) => `zr${tag}${r}`);
  const made: string[] = [];
  const remove = async () => {
    for (const ns of made) await ip("netns", "del", ns).catch(() => {});
  };
  try {
    for (const ns of [b, w, c]) {
      await ip("netns", "add", ns);
      made.push(ns);
      await ip("-n", ns, "link", "set", "lo", "up");
    }
    await ip("link", "add", "vw", "netns", b, "type", "veth", "peer", "name", "vb", "netns", w);
    await ip("link", "add", "vc", "netns", b, "type", "veth", "peer", "name", "vb", "netns", c);
    for (
      const [ns, dev, addr] of [
        [b, "vw", "10.231.1.1/24"],
        [w, "vb", "10.231.1.2/24"],
        [b, "vc", "10.231.2.1/24"],
        [c, "vb", "10.231.2.2/24"],
      ]
    ) {
      await ip("-n", ns, "addr", "add", addr, "dev", dev);
      await ip("-n", ns, "link", "set", dev, "up");
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return {
    broker: b,
    workers: w,
    client: c,
    brokerForWorkers: "10.231.1.1",
    brokerForClient: "10.231.2.1",
    clientLink: async (up) => void await ip("-n", c, "link", "set", "vb", up ? "up" : "down"),
    clientRxBytes: async () => {
      const stats = await ip("-n", c, "-s", "link", "show", "vb");
      const lines = stats.split("\n").map((l) => l.trim());
      const rx = lines.findIndex((l) => l.startsWith("RX:"));
      return Number(lines[rx + 1]?.split(/\s+/)[0] ?? 0);
    },
    remove,
  };
}

/** What the client in its namespace reported. */
export interface NetnsResult {
  sent: number;
  answered: number;
  failed: number;
  /** Requests neither answered nor reported failed: must be 0. */
  lost: number;
  /** Bytes the client's veth interface received. */
  clientRxBytes: number;
  /** How long the client's link was down, ms. */
  partitionMs: number;
}

const here = (file: string) => new URL(file, import.meta.url);

/**
 * Runs the broker (namespace b), two echo workers (w) and a client (c) as OS processes, each
 * through `ip netns exec`; after a third of the replies it takes the client's link down for
 * `partitionMs`, then up again.
 */
export async function runNetnsScenario(
  topology: Topology,
  options: { count?: number; partitionMs?: number; log?: (line: string) => void } = {},
): Promise<NetnsResult> {
  const count = options.count ?? 30;
  const partitionMs = options.partitionMs ?? 1000;
  const log = options.log ?? (() => {});
  const port = "37555"; // inside the namespaces: no other program binds there
  const hb = ["--heartbeat", "200"];
  const roles: ProcessRoleHandle[] = [];
  const inNs = (ns: string) => ["ip", "netns", "exec", ns];
  const start = (
    module: string,
    ns: string,
    name: string,
    args: string[],
    onLine: (line: string) => void = () => {},
  ) => {
    const role = startProcessRole(here(module), { name, args, wrapper: inNs(ns), onLine });
    roles.push(role);
    return role;
  };
  try {
    start("../examples/majordomo/broker.ts", topology.broker, "broker", [
      "--bind",
      `tcp://${topology.brokerForWorkers}:${port},tcp://${topology.brokerForClient}:${port}`,
      ...hb,
    ]);
    for (const n of [1, 2]) {
      start("../examples/majordomo/worker.ts", topology.workers, `worker${n}`, [
        "--connect",
        `tcp://${topology.brokerForWorkers}:${port}`,
        ...hb,
        "--reconnect",
        "200",
      ]);
    }
    let replies = 0;
    let summary = "";
    let partitioned!: () => void;
    const third = new Promise<void>((resolve) => partitioned = resolve);
    const client = start("../examples/majordomo/client.ts", topology.client, "client", [
      "--connect",
      `tcp://${topology.brokerForClient}:${port}`,
      "--count",
      String(count),
      "--timeout",
      "500",
      "--retries",
      String(Math.ceil(partitionMs / 500) + 4),
    ], (line) => {
      if (line.startsWith("I: reply ") && ++replies === Math.ceil(count / 3)) partitioned();
      if (/^I: \d+ requests, /.test(line)) summary = line;
      if (line.startsWith("E:") || line.startsWith("W:")) log(`[client] ${line}`);
    });
    await Promise.race([third, client.done]);
    await topology.clientLink(false);
    log(`client link down after ${replies} replies`);
    await new Promise((resolve) => setTimeout(resolve, partitionMs));
    await topology.clientLink(true);
    log("client link up again");
    await client.done.catch((e) => log(`client: ${e.message}`));
    const m = /^I: (\d+) requests, (\d+) replies, (\d+) failed/.exec(summary);
    if (!m) throw new Error(`the client printed no summary (last: ${client.lines.at(-1)})`);
    const [sent, answered, failed] = m.slice(1).map(Number);
    return {
      sent,
      answered,
      failed,
      lost: sent - answered - failed,
      clientRxBytes: await topology.clientRxBytes(),
      partitionMs,
    };
  } finally {
    await Promise.allSettled(roles.map((r) => r.stop({ timeout: 5000 })));
  }
}

const CLI = { name: "netns", usage: "Usage: deno task netns [--count N >= 3] [--partition MS]" };

if (import.meta.main) {
  const values = cliFlags(CLI, {
    count: "200",
    partition: "1500",
  });
  const count = cliInt(CLI, values.count, "count", 3);
  const partitionMs = cliInt(CLI, values.partition, "partition", 0);
  const reason = await netnsUnavailable();
  if (reason) {
    console.log(`netns: skipped: ${reason}`);
    Deno.exit(0);
  }
  const topology = await makeTopology();
  try {
    console.log(
      `netns: broker in ${topology.broker}, workers in ${topology.workers}, client in ${topology.client}`,
    );
    const r = await runNetnsScenario(topology, {
      count,
      partitionMs,
      log: (l) => console.log(`  ${l}`),
    });
    console.log(
      `[netns] client-partition over veth: sent ${r.sent}, answered ${r.answered}, reported failed ` +
        `${r.failed}, lost ${r.lost} (link down ${r.partitionMs} ms, client received ${r.clientRxBytes} bytes)`,
    );
    if (r.lost > 0) Deno.exitCode = 1;
  } finally {
    await topology.remove();
  }
}
