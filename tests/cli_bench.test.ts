// zmq bench on the anchor benchmarks' contract (one JSON result line, progress on stderr, a
// bar redrawn in place on a terminal), and zmq info.
import assert from "node:assert/strict";
import { exits, noStack, run, ZMQ, zmq } from "./_cli.ts";

const number = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

Deno.test("zmq bench reqrep, pushpull, pubsub and queue print one JSON line with the anchors' fields", async () => {
  const fields: Record<string, string[]> = {
    reqrep: ["median_us", "p99_us", "mean_us"],
    queue: ["median_us", "p99_us", "mean_us"],
    pushpull: ["msgs_per_s", "mb_per_s"],
    pubsub: ["msgs_per_s", "pub_msgs_per_s"],
  };
  for (
    const [bench, n] of [["reqrep", "300"], ["queue", "200"], ["pushpull", "5000"], [
      "pubsub",
      "5000",
    ]]
  ) {
    const r = await zmq(["bench", bench, n, "16"]);
    exits(r, 0, `zmq bench ${bench}`);
    const out = r.stdout.trim().split("\n");
    assert.equal(out.length, 1, `one line: ${r.stdout}`);
    const result = JSON.parse(out[0]);
    assert.equal(result.stack, "deno");
    assert.equal(result.bench, bench);
    assert.equal(result.n, Number(n));
    assert.equal(result.size, 16);
    for (const f of fields[bench]) assert.ok(number(result[f]), `${bench}.${f} = ${result[f]}`);
    if (bench === "pubsub") {
      assert.deepEqual([result.expected, result.delivered, result.ok], [500, 500, true]);
    }
    // piped: a progress line at each quarter, ending at 100%
    const progress = r.stderr.trim().split("\n");
    assert.deepEqual(progress.map((l) => /(\d+)%/.exec(l)?.[1]), ["25", "50", "75", "100"]);
    noStack(r.stderr, `zmq bench ${bench}`);
  }
});

Deno.test("zmq bench draws its progress bar in place on a terminal", async () => {
  // script(1) runs the command on a pseudo-terminal, as a user's shell would
  const r = await run("script", [
    "-qec",
    `${Deno.execPath()} run -A ${ZMQ} bench reqrep 400`,
    "/dev/null",
  ]);
  exits(r, 0, "zmq bench under script");
  const ERASE = "\x1b[K"; // erase to the end of the line, after each redraw
  const draws = r.stdout.split("\r").filter((d) => d.startsWith("reqrep ["));
  assert.ok(draws.length >= 2, `redrawn in place: ${JSON.stringify(r.stdout)}`);
  for (const d of draws) assert.match(d.replace(ERASE, "|"), /^reqrep \[#*-*\] +\d+% \d+\/500\|/);
  assert.ok(draws.at(-1)!.startsWith(`reqrep [${"#".repeat(30)}] 100% 500/500${ERASE}`));
  assert.match(r.stdout, /\{"stack":"deno","bench":"reqrep","n":400,/);
});

Deno.test("zmq info names libzmq, its file, its capabilities and Deno's version", async () => {
  const r = await zmq(["info", "--json"]);
  exits(r, 0, "zmq info --json");
  const info = JSON.parse(r.stdout);
  assert.match(info.libzmq, /^4\.\d+\.\d+$/);
  assert.ok((await Deno.stat(info.library)).isFile, info.library);
  assert.ok(info.capabilities.includes("curve"), "the bundled libzmq has CURVE");
  assert.equal(info.deno, Deno.version.deno);
  const text = await zmq(["info"]);
  exits(text, 0, "zmq info");
  assert.match(text.stdout, new RegExp(`^libzmq +${info.libzmq.replaceAll(".", "\\.")}$`, "m"));
  assert.ok(text.stdout.includes(info.library));
});
