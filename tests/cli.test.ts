// Every program as a user runs it, in a subprocess: a mistake on the command line is one line
// naming it, then the program's usage, exit code 2 and no stack trace; giving up is one line
// and exit code 1; a missing permission is named first. Ports: random (freePorts) or 36900+.
import assert from "node:assert/strict";
import { Context } from "../mod.ts";
import { freePorts } from "./_devices.ts";

const ROOT = new URL("..", import.meta.url);
const decoder = new TextDecoder();

/** Every program of the repository (a module that runs when it is the main module). */
async function programs(): Promise<string[]> {
  const found: string[] = [];
  // bench/ and fuzz/ are harnesses with their own contracts; workers/ only documents runMain
  for (const dir of ["examples", "devices", "load"]) {
    for await (const path of walk(new URL(`${dir}/`, ROOT))) {
      const source = await Deno.readTextFile(new URL(path, ROOT));
      if (/^if \(import\.meta\.main\)/m.test(source)) found.push(path);
    }
  }
  return found.sort();
}

async function* walk(dir: URL): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else if (entry.name.endsWith(".ts")) yield url.href.slice(ROOT.href.length);
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `deno <args>` in the repository, its output piped. */
function spawn(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

async function run(args: string[], timeoutMs = 60_000): Promise<Run> {
  const child = spawn(args);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const out = await child.output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

function assertNoStack(r: Run, what: string): void {
  for (const line of [...r.stderr.split("\n"), ...r.stdout.split("\n")]) {
    assert.doesNotMatch(
      line,
      /^\s+at |Uncaught|Stack backtrace/,
      `${what} printed a stack trace:\n${r.stderr}`,
    );
  }
}

/** Asserts the shape of a command-line mistake: one line naming it, the usage, exit code 2. */
function assertUsageError(r: Run, what: string, line: RegExp): void {
  assert.equal(r.code, 2, `${what} exit code (stderr: ${r.stderr})`);
  const [first, blank, ...usage] = r.stderr.split("\n");
  assert.match(first, line, `${what} first line`);
  assert.equal(blank, "", `${what}: one line, then the usage`);
  assert.match(usage.join("\n"), /usage:/i, `${what} prints its usage`);
  assertNoStack(r, what);
}

Deno.test("every program: an unknown flag is one line, the usage and exit code 2", async () => {
  const list = await programs();
  assert.ok(list.length >= 45, `only ${list.length} programs found`);
  // a few at a time: the machine is shared
  for (let i = 0; i < list.length; i += 4) {
    await Promise.all(
      list.slice(i, i + 4).map(async (path) => {
        const r = await run(["run", "-A", path, "--prot", "5556"]);
        // "<name>: ..." (runMain), or "deno task <task>: ..." (the reliable programs)
        assertUsageError(r, path, /^[\w:. -]+: unknown option --prot$/);
      }),
    );
  }
});

Deno.test("bad values and a port in use: one line naming the flag or endpoint, usage, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["examples/pair/pairserver.ts", "--port", "abc"],
      /^pairserver: --port must be an integer from 1 to 65535; got "abc"$/,
    ],
    [["examples/pubsub/main.ts", "--count=-3"], /^pubsub: --count must be an integer from 0 to/],
    [["examples/pubsub/main.ts", "--count", "-3"], /^pubsub: --count needs a value \(for one/],
    [
      ["examples/streamer_device/task_feeder.ts", "--format", "xml"],
      /^task_feeder: --format must be json or text/,
    ],
    [
      ["examples/lazy_pirate/main.ts", "--mode", "sink"],
      /^lazy_pirate: --mode must be stop or crash/,
    ],
    [
      ["examples/demo.ts", "--only", "queue_device"],
      /^demo: --only names unknown stops: queue_device; known: pair, /,
    ],
    [["load/pipeline.ts", "--transport", "udp"], /^pipeline: --transport must be inproc or tcp$/],
  ];
  for (const [args, line] of cases) {
    assertUsageError(await run(["run", "-A", ...args]), args[0], line);
  }

  // a port in use: the server's bind fails and says which endpoint
  const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    assertUsageError(
      await run(["run", "-A", "examples/pair/pairserver.ts", "--port", String(port)]),
      "pairserver on a port in use",
      new RegExp(`^pairserver: tcp://\\*:${port} is already in use`),
    );
    // the same through an orchestrator: the role's failure, named
    assertUsageError(
      await run(["run", "-A", "examples/pair/main.ts", "--port", String(port), "--interval", "0"]),
      "pair on a port in use",
      /^pair: role "pairserver" failed: Address already in use/,
    );
  } finally {
    listener.close();
  }
});

Deno.test("--help everywhere, ironhouse too: the usage on stdout, exit code 0", async () => {
  for (const path of ["examples/security/ironhouse.ts", "examples/demo.ts", "devices/queue.ts"]) {
    const r = await run(["run", "-A", path, "--help"]);
    assert.equal(r.code, 0, `${path}: ${r.stderr}`);
    assert.match(r.stdout, /usage:/i, path);
    assert.equal(r.stderr, "", path);
  }
});

Deno.test("giving up is one line and exit code 1: the Lazy Pirate client, a producer alone", async () => {
  const [port] = freePorts(1);
  const pirate = await run([
    "run",
    "-A",
    "examples/lazy_pirate/client.ts",
    "--connect",
    `tcp://127.0.0.1:${port}`,
    "--timeout",
    "100",
    "--retries",
    "1",
  ]);
  assert.equal(pirate.code, 1, pirate.stderr);
  assert.deepEqual(pirate.stderr.trim().split("\n"), [
    `client: server at tcp://127.0.0.1:${port} seems to be offline (no reply to 2 attempts of ` +
    `100 ms), abandoning`,
  ]);
  assertNoStack(pirate, "pirate client");

  const producer = await run([
    "run",
    "-A",
    "examples/pushpull/producer.ts",
    "--port",
    String(port),
    "--consumers",
    "2",
    "--wait",
    "200",
  ]);
  assert.equal(producer.code, 1, producer.stderr);
  assert.equal(producer.stdout, `Waiting for 2 consumers on tcp://127.0.0.1:${port}...\n`);
  assert.deepEqual(producer.stderr.trim().split("\n"), [
    `producer: 2 consumers did not all connect to tcp://127.0.0.1:${port} within 200 ms; ` +
    `start them first (deno task pushpull:consumer)`,
  ]);
});

Deno.test("a missing --allow-read or --allow-ffi is named first, exactly, without a stack", async () => {
  const script = "tests/fixtures/open_context.ts";
  const cases: [string[], string][] = [
    [[], "Missing permissions --allow-read and --allow-ffi: "],
    [["--allow-read"], "Missing permission --allow-ffi: "],
    [["--allow-ffi", "--allow-env"], "Missing permission --allow-read: "],
  ];
  for (const [flags, named] of cases) {
    const r = await run(["run", "--no-prompt", ...flags, script]);
    assert.notEqual(r.code, 0, `${flags}: ${r.stdout}`);
    const first = r.stderr.trim().split("\n")[0];
    assert.ok(first.includes(`MissingPermissionError: ${named}`), `${flags}: ${r.stderr}`);
    assert.match(first, /Run with --allow-read --allow-ffi/);
    assert.doesNotMatch(r.stderr, /no build that loads|Install a libzmq/);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  }
  const ok = await run(["run", "--no-prompt", "--allow-read", "--allow-ffi", script]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, "context opened\n");
});

Deno.test("a producer with no consumer says it is waiting for one, then delivers", async () => {
  const [port] = freePorts(1);
  const child = spawn([
    "run",
    "-A",
    "examples/pushpull/producer.ts",
    "--port",
    String(port),
    "--count",
    "2",
    "--wait",
    "200",
  ]);
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.equal(
      out,
      `No consumer has connected to tcp://127.0.0.1:${port} in 200 ms; waiting for one ` +
        `(deno task pushpull:consumer)\n`,
    );
    await using ctx = new Context({ linger: 0 });
    const pull = ctx.socket("PULL");
    pull.connect(`tcp://127.0.0.1:${port}`);
    assert.deepEqual(await pull.recvJson({ timeout: 10_000 }), { num: 0 });
    assert.deepEqual(await pull.recvJson({ timeout: 10_000 }), { num: 1 });
    await reader.cancel();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.equal(decoder.decode(await new Response(child.stderr).arrayBuffer()), "");
  } finally {
    clearTimeout(killer);
  }
});
