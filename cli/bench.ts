// zmq bench: one benchmark workload on the anchors' command-line contract, with a progress bar.
import { choice, Flags, intArg, positionals } from "./_args.ts";
import { BENCHES, type BenchName, type BenchSpec, runBenchmark, steps } from "./_bench_run.ts";
import type { Command } from "./_command.ts";
import { UsageError } from "./_errors.ts";
import type { Interrupt } from "./_interrupt.ts";
import { err, out } from "./_io.ts";
import { compact, LiveLine, progressBar } from "./_status.ts";

const DEFAULTS: Record<BenchName, { n: number; size: number }> = {
  reqrep: { n: 20_000, size: 1 },
  queue: { n: 20_000, size: 1 },
  pushpull: { n: 1_000_000, size: 16 },
  pubsub: { n: 1_000_000, size: 16 },
};

const USAGE = `Usage: zmq bench reqrep|pushpull|pubsub|queue [N [SIZE [PORT [TOPICS]]]] [--quiet]

Runs one workload of the anchor benchmarks over tcp://127.0.0.1 and prints its result as
one JSON line on stdout, with a progress bar on stderr (in place on a terminal, a line
at each quarter otherwise). The other end runs in a Web Worker with its own context.

  reqrep     N round trips REQ -> REP echo (default 20000 of 1 byte), after 100 warm-up
             ones: median_us, p99_us, mean_us
  pushpull   N messages PUSH -> PULL (default 1000000 of 16 bytes): msgs_per_s, mb_per_s
  pubsub     N messages PUB -> SUB over TOPICS topics (default 10), one subscribed, no
             loss (sync handshake, no HWM): expected, delivered, ok, msgs_per_s
  queue      as reqrep, through a ROUTER/DEALER proxy (libzmq's)

  N SIZE PORT TOPICS   message count, bytes per message, the first of the two ports used
                       (default: two free ones), topics of pubsub
  -q, --quiet          no progress bar

This is the anchors' contract: \`zmq bench\` can stand in for any stack's bench program.
Example:
  zmq bench reqrep 5000`;

/** Two free consecutive TCP ports on 127.0.0.1 (PORT and PORT+1 of the contract). */
function freePorts(): number {
  for (let tries = 0; tries < 50; tries++) {
    const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (a.addr as Deno.NetAddr).port;
    try {
      if (port >= 65535) continue;
      Deno.listen({ hostname: "127.0.0.1", port: port + 1 }).close();
      return port;
    } catch {
      // taken: try another pair
    } finally {
      a.close();
    }
  }
  throw new UsageError("no two free consecutive ports found; give PORT");
}

function specFrom(flags: Flags): BenchSpec {
  const [name, n, size, port, topics] = positionals(flags, 1, 5, "the workload");
  const bench = choice("the workload", name, BENCHES);
  const d = DEFAULTS[bench];
  const spec: BenchSpec = {
    bench,
    n: n === undefined ? d.n : intArg("N", n, 2, 1e9),
    size: size === undefined ? d.size : intArg("SIZE", size, bench === "pubsub" ? 4 : 1, 1 << 30),
    port: port === undefined ? 0 : intArg("PORT", port, 1, 65534),
    topics: topics === undefined ? 10 : intArg("TOPICS", topics, 1, 100),
  };
  if (topics !== undefined && bench !== "pubsub") {
    throw new UsageError("TOPICS is for pubsub only");
  }
  if (bench === "pubsub" && spec.n < spec.topics * 2) {
    throw new UsageError("pubsub needs N of at least twice TOPICS");
  }
  return spec;
}

/** Shows progress: a bar redrawn at most every 100 ms, or a line at each quarter. */
function progressShower(spec: BenchSpec, quiet: boolean) {
  const line = new LiveLine("stderr");
  let last = 0;
  let quarter = 0;
  const show = (done: number, total: number) => {
    if (quiet) return;
    if (line.inPlace) {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      void line.update(
        `${spec.bench} ${progressBar(done, total)} ${compact(done)}/${compact(total)}`,
      );
    } else if (done * 4 >= (quarter + 1) * total) {
      quarter = Math.floor((done * 4) / total);
      void line.update(`zmq bench: ${spec.bench} ${quarter * 25}% (${done}/${total})`);
    }
  };
  return { show, end: () => line.end() };
}

/**
 * `zmq bench`: one workload of the anchor benchmarks, as one JSON line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const zmq = new URL("./zmq.ts", import.meta.url).pathname; // the command line, run as a program
 * const run = new Deno.Command(Deno.execPath(), { args: ["run", "-A", zmq, "bench", "reqrep", "200", "--quiet"], stderr: "piped" });
 * const { code, stdout, stderr } = await run.output();
 * assert.equal(code, 0, new TextDecoder().decode(stderr)); // else stderr says why
 * const result = JSON.parse(new TextDecoder().decode(stdout)); // {"stack":"deno",...}
 * assert.equal(result.bench, "reqrep");
 * assert.equal(result.n, 200);
 * assert.ok(result.median_us > 0);
 * ```
 */
export const bench: Command = {
  name: "bench",
  summary: "measure reqrep, pushpull, pubsub or queue (one JSON result line)",
  usage: USAGE,
  async run(args: string[], interrupt: Interrupt): Promise<number> {
    const flags = new Flags(args, { quiet: { type: "boolean", short: "q" } });
    const spec = specFrom(flags);
    if (spec.port === 0) spec.port = freePorts();
    const progress = progressShower(spec, flags.bool("quiet"));
    progress.show(0, steps(spec));
    try {
      const result = await runBenchmark(spec, progress.show, interrupt.signal);
      await progress.end();
      await out(JSON.stringify(result) + "\n");
      if (result.ok === false) {
        err(`zmq bench: ${result.delivered} of ${result.expected} messages delivered\n`);
        return 1;
      }
      return 0;
    } finally {
      await progress.end();
    }
  },
};
