// The tutorial's examples run through their orchestrators (every role in a Web Worker), with
// the properties the tutorial shows asserted on the lines each role printed. Ports 16100-16199.
import assert from "node:assert/strict";
import { Context, RoleError, type RunResult, UsageError } from "../mod.ts";
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
    const m = /^(\d+) (-?\d+) \(from (\d+)\)$/.exec(l);
    assert.ok(m, `unexpected line ${l}`);
    assert.equal(m[1], "10001");
    const v = Number(m[2]);
    // the tutorial's randrange(1, 215) - 80
    assert.ok(v >= -79 && v <= 134, `messagedata ${v} out of range`);
    values.push(v);
    sources.add(m[3]);
    // the update was really published with that topic by that publisher
    assert.ok(lines[`server:${m[3]}`].includes(`10001 ${v} ${m[3]}`), `${l} was published`);
  }
  assert.deepEqual(sources, new Set(["16121", "16122"]));
  // the publishers published the tutorial's other topics too (randrange(9999, 10005)): the
  // filter, not luck, kept them out
  const published = [...lines["server:16121"], ...lines["server:16122"]];
  const topics = new Set(published.map((l) => Number(l.split(" ")[0])));
  assert.ok([...topics].every((t) => t >= 9999 && t <= 10004), [...topics].join(" "));
  assert.ok(topics.size > 1, "only topic 10001 was published");
  // an integer with F, as the tutorial's %dF (Python 2's floor division)
  const average = Math.floor(values.reduce((a, b) => a + b, 0) / values.length);
  assert.equal(lines.client.at(-1), `Average messagedata value for topic '10001' was ${average}F`);
});

Deno.test("pushpull: every result reaches the collector, spread over all three consumers", async () => {
  const count = 3001;
  const lines = await run(pushpull, [
    "--count",
    String(count),
    "--pull-port",
    "16131",
    "--push-port",
    "16132",
  ]);
  const ids = ["consumer1", "consumer2", "consumer3"].map((name) => {
    const m = /^I am consumer #(\d+)$/.exec(lines[name][0]);
    assert.ok(m, `${name} says who it is: ${lines[name][0]}`);
    return m[1];
  });
  assert.deepEqual(lines.producer, [
    "Waiting for 3 consumers on tcp://127.0.0.1:16131...",
    "3 consumers connected",
  ]);
  // the tutorial's pprint of the collector's dict: one entry per consumer, sorted
  assert.equal(lines.resultcollector.length, 1, lines.resultcollector.join("\n"));
  const dict = /^\{(.*)\}$/.exec(lines.resultcollector[0]);
  assert.ok(dict, lines.resultcollector[0]);
  const collected = new Map(
    dict[1].split(", ").map((e) => {
      const [id, n] = e.split(": ");
      return [id, Number(n)];
    }),
  );
  assert.deepEqual([...collected.keys()].sort(), [...ids].sort());
  const evens = Math.ceil(count / 2);
  assert.equal([...collected.values()].reduce((a, b) => a + b, 0), evens);
  // dealt out in turn over three: each consumer gets a third of the even numbers
  for (const n of collected.values()) assert.ok(Math.abs(n - evens / 3) <= 1, `${n} of ${evens}`);
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
    // the server's main returned after five requests, silently as the tutorial's
    assert.equal(server.at(-1), "Received request #4: Hello");
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
  await assert.rejects(pubsub(["--interval", "soon"], env), UsageError);
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
  // one set of names: every stop is called as the deno task of its example
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  for (const title of titles) assert.ok(config.tasks[title], `no deno task ${title}`);
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
