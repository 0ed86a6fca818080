// The tutorial's examples run through their orchestrators (every role in a Web Worker), with
// the properties the tutorial shows asserted on the lines each role printed. Ports 16100-16199.
import assert from "node:assert/strict";
import { Context, RoleError, type RunResult } from "../mod.ts";
import { main as pair } from "../examples/pair/main.ts";
import { main as reqrep } from "../examples/reqrep/main.ts";
import { main as pubsub } from "../examples/pubsub/main.ts";
import { main as pushpull } from "../examples/pushpull/main.ts";
import { main as multiprocess } from "../examples/multiprocess/main.ts";
import { main as demo } from "../examples/demo.ts";

type Orchestrator = (args: string[], env: { name: string; signal: AbortSignal }) => Promise<
  RunResult | undefined
>;

async function run(main: Orchestrator, args: string[]): Promise<Record<string, string[]>> {
  const result = await main([...args, "--quiet", "--timeout", "30000"], {
    name: "test",
    signal: new AbortController().signal,
  });
  assert.ok(result, "the orchestrator ran");
  return result.lines;
}

Deno.test("pair: the client gets the server's message each round, the server both replies", async () => {
  const lines = await run(pair, ["--port", "16101", "--count", "4", "--interval", "0"]);
  assert.deepEqual(lines.pairclient, Array(4).fill("Server message to client3"));
  assert.deepEqual(
    lines.pairserver.slice(0, 8),
    Array(4).fill(["client message to server1", "client message to server2"]).flat(),
  );
});

for (const inproc of [false, true]) {
  Deno.test(`reqrep${inproc ? " --inproc" : ""}: replies alternate between the two servers`, async () => {
    const lines = await run(reqrep, [
      "--ports",
      "16111,16112",
      "--count",
      "10",
      "--delay",
      "0",
      ...(inproc ? ["--inproc"] : []),
    ]);
    const replies = lines.client.filter((l) => l.startsWith("Received reply"));
    assert.equal(replies.length, 10);
    const from = replies.map((l, i) => {
      const m = /^Received reply (\d+) \[ World from (\d+) \]$/.exec(l);
      assert.ok(m, `unexpected line ${l}`);
      assert.equal(Number(m[1]), i + 1);
      return m[2];
    });
    for (let i = 1; i < from.length; i++) assert.notEqual(from[i], from[i - 1], `reply ${i + 1}`);
    assert.deepEqual(new Set(from), new Set(["16111", "16112"]));
    // each server saw exactly its half of the requests
    assert.equal(lines["server:16111"].filter((l) => l === "Received request: Hello").length, 5);
    assert.equal(lines["server:16112"].filter((l) => l === "Received request: Hello").length, 5);
  });
}

Deno.test("pubsub: only topic 10001 reaches the subscriber, from both publishers", async () => {
  const lines = await run(pubsub, ["--ports", "16121,16122", "--count", "6", "--interval", "5"]);
  const updates = lines.client.filter((l) => /^\d+ /.test(l));
  assert.ok(updates.length >= 6, `got ${updates.length} updates`);
  const values: number[] = [];
  const sources = new Set<string>();
  for (const l of updates) {
    const m = /^(\d+) (\d+) \(from (\d+)\)$/.exec(l);
    assert.ok(m, `unexpected line ${l}`);
    assert.equal(m[1], "10001");
    const v = Number(m[2]);
    assert.ok(v >= 1 && v <= 215, `messagedata ${v} out of range`);
    values.push(v);
    sources.add(m[3]);
    // the update was really published with that topic by that publisher
    assert.ok(lines[`server:${m[3]}`].includes(`10001 ${v} ${m[3]}`), `${l} was published`);
  }
  assert.deepEqual(sources, new Set(["16121", "16122"]));
  // the publishers did publish the other topic too: the filter, not luck, kept it out
  const published = [...lines["server:16121"], ...lines["server:16122"]];
  assert.ok(published.some((l) => l.startsWith("10000 ")), "10000 was published");
  const average = Math.round(values.reduce((a, b) => a + b, 0) / values.length * 100) / 100;
  assert.equal(lines.client.at(-1), `Average messagedata value for topic '10001' was ${average}`);
});

Deno.test("pushpull: the collector's counts add up to the even items; both consumers worked", async () => {
  const count = 3001;
  const lines = await run(pushpull, [
    "--count",
    String(count),
    "--pull-port",
    "16131",
    "--push-port",
    "16132",
    "--sync-port",
    "16133",
  ]);
  const evens = Math.ceil(count / 2);
  const collected = new Map<string, number>();
  for (const l of lines.resultcollector) {
    const m = /^consumer #(\d+): (\d+) results$/.exec(l);
    if (m) collected.set(m[1], Number(m[2]));
  }
  const sum = [...collected.values()].reduce((a, b) => a + b, 0);
  assert.equal(sum, evens);
  assert.ok(lines.resultcollector.includes(`Total: ${evens} results`));
  assert.ok(lines.producer.includes(`Pushed ${count} work items`));
  // every consumer processed work, and what each passed on is what the collector counted
  let processed = 0;
  for (const name of ["consumer1", "consumer2"]) {
    const m = lines[name].map((l) =>
      /^Consumer #(\d+) processed (\d+) items and passed on (\d+)$/.exec(l)
    )
      .find((x) => x);
    assert.ok(m, `${name} printed its summary`);
    const [, id, n, kept] = m;
    assert.ok(Number(n) > 0, `${name} got work`);
    processed += Number(n);
    assert.equal(collected.get(id) ?? 0, Number(kept), `consumer #${id}`);
  }
  assert.equal(processed, count);
});

function checkMultiprocess(lines: Record<string, string[]>, ports: number[]): void {
  const replies = lines.client.filter((l) => l.startsWith("Received reply"));
  assert.equal(replies.length, 20);
  const perServer = new Map<string, number>();
  for (const l of replies) {
    const m = /^Received reply \d+ \[ World from (\d+) \]$/.exec(l);
    assert.ok(m, `unexpected line ${l}`);
    perServer.set(m[1], (perServer.get(m[1]) ?? 0) + 1);
  }
  assert.deepEqual([...perServer.keys()].sort(), ports.map(String));
  for (const port of ports) {
    const server = lines[`server:${port}`];
    assert.equal(perServer.get(String(port)), 5);
    assert.deepEqual(
      server.filter((l) => l.startsWith("Received request #")),
      [0, 1, 2, 3, 4].map((i) => `Received request #${i}: Hello`),
    );
    // the server's main returned after five requests: its last line, and runRoles waited for it
    assert.equal(server.at(-1), "Served 5 requests, exiting");
  }
}

Deno.test("multiprocess: replies from all four servers, each serves five and exits", async () => {
  const ports = [16141, 16143, 16145, 16147];
  checkMultiprocess(
    await run(multiprocess, ["--ports", ports.join(","), "--interval", "0"]),
    ports,
  );
});

Deno.test("a role that throws makes its orchestrator fail, naming the role", async () => {
  await using ctx = new Context();
  const squatter = ctx.socket("REP");
  squatter.bind("tcp://*:16151"); // pairserver's port is taken
  await assert.rejects(
    run(pair, ["--port", "16151", "--count", "2", "--interval", "0"]),
    (e: unknown) => {
      assert.ok(e instanceof RoleError, String(e));
      assert.equal(e.role, "pairserver");
      assert.equal(e.code, "EADDRINUSE");
      assert.match(e.message, /pairserver/);
      return true;
    },
  );
  // a finite role failing: one of the multiprocess servers cannot bind
  const squatter2 = ctx.socket("REP");
  squatter2.bind("tcp://*:16156");
  await assert.rejects(
    run(multiprocess, ["--ports", "16154,16156", "--interval", "0"]),
    (e: unknown) => {
      assert.ok(e instanceof RoleError, String(e));
      assert.equal(e.role, "server:16156");
      assert.equal(e.code, "EADDRINUSE");
      return true;
    },
  );
});

Deno.test("the orchestrator run as a program exits non-zero and names the failing role", async () => {
  await using ctx = new Context();
  const squatter = ctx.socket("REP");
  squatter.bind("tcp://*:16153");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/pair/main.ts", "--port", "16153", "--interval", "0"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.notEqual(out.code, 0);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.match(stderr, /role "pairserver" failed/);
  assert.match(stderr, /Address already in use/);
});

Deno.test("roles and orchestrators: --help prints usage, bad flags are clear errors", async () => {
  const env = { name: "t", signal: new AbortController().signal };
  const log = console.log;
  const printed: string[] = [];
  console.log = (...a: unknown[]) => void printed.push(a.join(" "));
  try {
    assert.equal(await reqrep(["--help"], env), undefined);
    const { main: server } = await import("../examples/reqrep/reqrep_server.ts");
    await server(["--help"], env);
  } finally {
    console.log = log;
  }
  assert.match(printed[0], /^Usage: deno task reqrep /);
  assert.match(printed[1], /^Usage: deno task reqrep:server .*\[port\]/);
  assert.match(printed[1], /--delay <value>.*default: 1000/);
  await assert.rejects(reqrep(["--bogus"], env), TypeError);
  await assert.rejects(
    reqrep(["--ports", "99999"], env),
    /--ports must be an integer from 1 to 65535/,
  );
  await assert.rejects(pubsub(["--interval", "soon"], env), RangeError);
  await assert.rejects(demo(["--only", "nosuch"], env), /unknown stops: nosuch/);
});

Deno.test("every role and orchestrator has --help naming a deno task that exists", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const modules = [
    "pair/main.ts",
    "pair/pairserver.ts",
    "pair/pairclient.ts",
    "reqrep/main.ts",
    "reqrep/reqrep_server.ts",
    "reqrep/reqrep_client.ts",
    "pubsub/main.ts",
    "pubsub/pub_server.ts",
    "pubsub/sub_client.ts",
    "pushpull/main.ts",
    "pushpull/producer.ts",
    "pushpull/consumer.ts",
    "pushpull/resultcollector.ts",
    "multiprocess/main.ts",
    "multiprocess/server.ts",
    "multiprocess/client.ts",
  ];
  const env = { name: "t", signal: new AbortController().signal };
  const log = console.log;
  for (const path of modules) {
    const { main } = await import(`../examples/${path}`);
    const printed: string[] = [];
    console.log = (...a: unknown[]) => void printed.push(a.join(" "));
    try {
      await main(["--help"], env);
    } finally {
      console.log = log;
    }
    const m = /^Usage: deno task (\S+)/.exec(printed[0] ?? "");
    assert.ok(m, `${path} printed its usage`);
    const task = config.tasks[m[1]];
    assert.ok(task, `task ${m[1]} exists`);
    assert.equal(task.command, `deno run -A examples/${path}`);
    assert.ok(task.description, `task ${m[1]} has a description`);
  }
});

Deno.test("demo: the tour lists every example, in order, and --list runs nothing", async () => {
  const { TOUR } = await import("../examples/_tour.ts");
  const titles = TOUR.map((s) => s.title);
  const mine = ["pair", "reqrep", "pubsub", "pushpull", "multiprocess"];
  assert.deepEqual(titles.slice(0, 5), mine);
  assert.equal(new Set(titles).size, titles.length, "titles are unique");
  const log = console.log;
  const printed: string[] = [];
  console.log = (...a: unknown[]) => void printed.push(a.join(" "));
  try {
    const ran = await demo(["--list", "--only", "reqrep,pair"], {
      name: "t",
      signal: new AbortController().signal,
    });
    assert.deepEqual(ran, []);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed.map((l) => l.split(" ")[0]), ["pair", "reqrep"]);
});
