// The polling chapter's two programs, run end to end in Web Workers: the Poller client and the
// stream (callback) client both process only topic 9 and stop on "Exit"; the program ends.
import assert from "node:assert/strict";
import { main as pollingMain } from "../examples/zmqpolling/main.ts";
import { main as streamMain } from "../examples/pyzmq_stream_poller/main.ts";
import { main as clientMain } from "../examples/zmqpolling/client.ts";
import { main as pushMain } from "../examples/zmqpolling/server_push.ts";
import { main as pubMain } from "../examples/zmqpolling/server_pub.ts";
import { main as streamClientMain } from "../examples/pyzmq_stream_poller/client.ts";
import { type RunResult, UsageError } from "../mod.ts";
import { freePorts, within } from "./_util.ts";

type ClientMain = typeof clientMain;

type Main = (args: string[], env: { name: string; signal: AbortSignal }) => Promise<
  RunResult | undefined
>;

async function run(main: Main, pushPort: number, pubPort: number): Promise<RunResult> {
  const result = await main([
    "--push-port",
    String(pushPort),
    "--pub-port",
    String(pubPort),
    "--interval",
    "100",
    "--pub-interval",
    "5",
    "--timeout",
    "30000",
    "--quiet",
  ], { name: "test", signal: new AbortController().signal });
  assert.ok(result, "the orchestrator answered no result");
  return result;
}

function checkRun(result: RunResult, pushPort: number, finalLine?: string): void {
  const client = result.lines.client;
  const pub = result.lines.server_pub;
  assert.ok(client, "no client lines");
  assert.ok(pub, "no server_pub lines");
  assert.deepEqual(result.lines.server_push.filter((l) => l !== ""), [
    `Running server on port: ${pushPort}`,
  ]);

  // the publisher published both topics, the client processed only topic 9
  const published = pub.filter((l) => /^[89] server#\d+$/.test(l));
  assert.ok(published.some((l) => l.startsWith("8 ")), "server_pub never published topic 8");
  const processed = client.filter((l) => l.startsWith("Processing ... "));
  assert.ok(processed.length > 0, "the client processed nothing");
  for (const line of processed) assert.match(line, /^Processing \.\.\. 9 server#\d+$/);

  // six commands to continue, then Exit, and nothing processed after it
  const commands = client.filter((l) => l.startsWith("Received control command: "));
  assert.deepEqual(commands, [
    ...Array(6).fill("Received control command: Continue"),
    "Received control command: Exit",
  ]);
  const exitAt = client.indexOf("Received exit command, client will stop receiving messages");
  assert.equal(exitAt, client.indexOf("Received control command: Exit") + 1);
  let after = client.slice(exitAt + 1).filter((l) => l !== "");
  if (finalLine === undefined && after.length === 1 && after[0].startsWith("Processing ... ")) {
    // the Poller client, like the tutorial's, runs both if-blocks of the poll that delivered
    // Exit: a topic-9 update that was ready in that same poll is still processed, and no more
    after = [];
  }
  assert.deepEqual(after, finalLine ? [finalLine] : []);
}

Deno.test("zmqpolling: the Poller client processes only topic 9 and stops on Exit", async () => {
  checkRun(await run(pollingMain, 18001, 18002), 18001);
});

Deno.test("pyzmq_stream_poller: the stream client processes only topic 9 and stops on Exit", async () => {
  checkRun(await run(streamMain, 18003, 18004), 18003, "Worker has stopped processing messages.");
});

Deno.test("zmqpolling client: --help prints usage, bad flags are named", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await clientMain(["--help"], { name: "client", signal: new AbortController().signal });
  } finally {
    console.log = log;
  }
  assert.match(lines.join("\n"), /Usage: deno task zmqpolling:client/);
  assert.match(lines.join("\n"), /--push-port/);
  await assert.rejects(
    clientMain(["--push-port", "70000"], { name: "client", signal: new AbortController().signal }),
    (e) => e instanceof UsageError && /--push-port/.test(e.message),
  );
  await assert.rejects(
    clientMain(["--bogus"], { name: "client", signal: new AbortController().signal }),
    TypeError,
  );
});

Deno.test("polling roles stop promptly when their signal aborts", async () => {
  const [pushPort, pubPort, ownPush, ownPub] = freePorts(4).map(String);
  const roles: [string, ClientMain, string[]][] = [
    // the clients wait for messages from servers that never come
    ["zmqpolling client", clientMain, ["--push-port", pushPort, "--pub-port", pubPort]],
    ["stream client", streamClientMain, ["--push-port", pushPort, "--pub-port", pubPort]],
    // server_push waits to send (no peer), server_pub in its 10 s pause
    ["server_push", pushMain, ["--port", ownPush]],
    ["server_pub", pubMain, ["--port", ownPub, "--count", "forever", "--interval", "10000"]],
  ];
  for (const [name, main, args] of roles) {
    const controller = new AbortController();
    const log = console.log;
    let started!: () => void;
    const running = new Promise<void>((resolve) => started = resolve);
    // Each role prints a line once its sockets are set up; it then waits (no peer, or a pause).
    console.log = (...parts: unknown[]) => {
      const line = parts.join(" ");
      if (/^(Connected to publisher|Running server)/.test(line)) started();
    };
    try {
      const done = main(args, { name, signal: controller.signal });
      const first = await within(
        Promise.race([running.then(() => "running"), done.then(() => "ended", () => "failed")]),
        10_000,
        `${name}: its start`,
      );
      assert.equal(first, "running", `${name} ended before it was stopped`);
      const stopped = performance.now();
      controller.abort(new DOMException("stop", "AbortError"));
      const outcome = await within(
        done.then(() => "resolved", (e) => e),
        2000,
        `${name}: its stop after the abort`,
      );
      assert.ok(
        outcome === "resolved" ||
          (outcome instanceof DOMException && outcome.name === "AbortError"),
        `${name} ended with ${outcome}`,
      );
      const ms = performance.now() - stopped;
      assert.ok(ms < 1000, `${name} took ${Math.round(ms)} ms to stop`);
    } finally {
      console.log = log;
    }
  }
});
