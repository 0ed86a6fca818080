// The reliable-pattern programs: their tasks, their command-line mistakes (one line, usage,
// exit code 2), and the all-in-one runs as Web Workers and as OS processes.
import assert from "node:assert/strict";
import { main as mdp } from "../examples/majordomo/main.ts";
import { main as pp } from "../examples/paranoid_pirate/main.ts";
import { main as titanic } from "../examples/titanic/main.ts";
import { freePort, freePorts, retryOnPortClash } from "./_peers.ts";

const env = () => ({ name: "t", signal: new AbortController().signal });
const PROGRAMS = [
  "majordomo/main.ts",
  "majordomo/broker.ts",
  "majordomo/worker.ts",
  "majordomo/client.ts",
  "paranoid_pirate/main.ts",
  "paranoid_pirate/queue.ts",
  "paranoid_pirate/worker.ts",
  "titanic/main.ts",
  "titanic/titanic.ts",
  "titanic/client.ts",
];

Deno.test("reliable programs: --help names a deno task that runs the program", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const log = console.log;
  for (const path of PROGRAMS) {
    const { main } = await import(`../examples/${path}`);
    const printed: string[] = [];
    console.log = (...a: unknown[]) => void printed.push(a.join(" "));
    try {
      await main(["--help"], env());
    } finally {
      console.log = log;
    }
    const m = /^Usage: deno task (\S+)/.exec(printed[0] ?? "");
    assert.ok(m, `${path} printed its usage`);
    assert.equal(config.tasks[m[1]]?.command, `deno run -A examples/${path}`, `task ${m[1]}`);
  }
});

Deno.test("reliable programs: a command-line mistake is one line, the usage and exit code 2", async () => {
  for (
    const [program, ...args] of [
      ["majordomo/client.ts", "--bogus"],
      ["majordomo/client.ts", "--count", "many"],
      ["majordomo/worker.ts", "--service", "mmi.x"],
      ["majordomo/broker.ts", "--bind", "nonsense"],
    ]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL(`../examples/${program}`, import.meta.url).pathname,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    const [first, blank, usage] = stderr.split("\n");
    assert.match(first, /^deno task mdp:(client|worker|broker): /);
    assert.equal(blank, "");
    assert.match(usage, /^Usage: deno task mdp:/);
    assert.ok(!/^\s+at /m.test(stderr), "no stack trace");
  }
});

Deno.test("deno task mdp: broker, workers and client, as Web Workers and as OS processes", async () => {
  for (const extra of [[], ["--process", "--async"]]) {
    const run = await mdp(
      ["--port", String(freePort()), "--count", "4", "--quiet", ...extra],
      env(),
    );
    const replies = run!.lines.client.filter((l) => l.startsWith("I: reply "));
    assert.equal(replies.length, 4, run!.lines.client.join("\n"));
    assert.ok(run!.lines.client.includes("I: 4 requests, 4 replies, 0 failed"));
    assert.match(run!.lines.broker.at(-1)!, /I: broker stopped: 4 requests, 4 replies/);
  }
});

Deno.test("deno task pp and deno task titanic run to the end", async () => {
  const pirate = await retryOnPortClash(() => {
    const [front, back] = freePorts(2).map(String);
    return pp(["--port", front, "--backend-port", back, "--count", "4", "--quiet"], env());
  });
  assert.deepEqual(
    pirate!.lines.client.filter((l) => l.startsWith("I: server replied OK")),
    [1, 2, 3, 4].map((n) => `I: server replied OK (${n})`),
  );
  const ship = await titanic(
    ["--port", String(freePort()), "--count", "3", "--quiet", "--process"],
    env(),
  );
  const lines = ship!.lines.ticlient;
  assert.equal(lines.filter((l) => /^I: request \d stored as [0-9a-f]{32}$/.test(l)).length, 3);
  assert.deepEqual(lines.filter((l) => l.startsWith("I: reply ")), [
    "I: reply 1: Hello world 1",
    "I: reply 2: Hello world 2",
    "I: reply 3: Hello world 3",
  ]);
});
