import assert from "node:assert/strict";
import { Context, LazyPirateClient, UnreachableError, ZmqError } from "../mod.ts";
import { main as pirateDemo } from "../examples/lazy_pirate/main.ts";
import { rejectsWith, throwsWith } from "./_util.ts";

const decoder = new TextDecoder();

/** Asserts the client printed "server replied OK (n)" for n = 1..count, in order. */
function assertAllReplies(lines: string[], count: number) {
  const ok = lines.filter((l) => l.startsWith("I: server replied OK"));
  assert.deepEqual(ok, Array.from({ length: count }, (_, i) => `I: server replied OK (${i + 1})`));
  assert.ok(lines.includes(`I: ${count} replies, ${lines.at(-1)!.split(", ")[1]}`));
}

Deno.test("lazy pirate: gives up after its retry budget with EUNREACHABLE", async () => {
  using ctx = new Context({ linger: 0 });
  const endpoint = "inproc://pirate-nobody-home";
  const retried: number[] = [];
  using client = new LazyPirateClient(ctx, endpoint, {
    timeout: 30,
    retries: 2,
    onRetry: (attempt, error) => {
      assert.equal(error.code, "EAGAIN");
      retried.push(attempt);
    },
  });
  const error = await rejectsWith(client.request("hello?"), "EUNREACHABLE");
  assert.ok(error instanceof UnreachableError);
  assert.equal(error.attempts, 3);
  assert.equal(error.endpoint, endpoint);
  assert.match(error.message, /3 attempts/);
  assert.match(error.message, /pirate-nobody-home/);
  assert.deepEqual(retried, [2, 3]);
  assert.equal(client.reconnects, 2);

  // The server turns up: the same client works again. (Over inproc, requests that abandoned
  // sockets queued before the bind still arrive: a server must expect stale duplicates.)
  using rep = ctx.socket("REP");
  rep.bind(endpoint);
  const reply = client.requestString("back?");
  const seen: string[] = [];
  for (;;) {
    const request = await rep.recvString();
    seen.push(request);
    await rep.send(request === "back?" ? "yes" : "stale");
    if (request === "back?") break;
  }
  assert.equal(await reply, "yes");
  assert.ok(seen.every((r) => r === "hello?" || r === "back?"), seen.join());
});

Deno.test("lazy pirate: retries with a fresh socket after the server drops a request", async () => {
  using ctx = new Context({ linger: 0 });
  const endpoint = "inproc://pirate-drop";
  let rep = ctx.socket("REP");
  rep.bind(endpoint);
  using client = new LazyPirateClient(ctx, endpoint, { timeout: 100, retries: 50 });
  const reply = client.request(["job", "42"]);
  // The first server takes the request and dies without answering.
  assert.deepEqual((await rep.recvMultipart()).map((f) => decoder.decode(f)), ["job", "42"]);
  rep.unbind(endpoint); // closing alone frees an inproc name only later, in libzmq's reaper
  rep.close({ linger: 0 });
  // A new server on the same endpoint gets the resent request.
  rep = ctx.socket("REP");
  rep.bind(endpoint);
  try {
    const again = await rep.recvMultipart();
    assert.deepEqual(again.map((f) => decoder.decode(f)), ["job", "42"]);
    await rep.send("done");
    assert.equal(decoder.decode((await reply)[0]), "done");
    assert.ok(client.reconnects >= 1);
  } finally {
    rep.close();
  }
});

Deno.test("lazy pirate: bad options, overlapping requests, abort and close", async () => {
  using ctx = new Context({ linger: 0 });
  throwsWith(() => new LazyPirateClient(ctx, "inproc://x", { timeout: 0 }), "EBADVALUE");
  throwsWith(() => new LazyPirateClient(ctx, "inproc://x", { retries: -1 }), "EBADVALUE");
  throwsWith(() => new LazyPirateClient(ctx, "nonsense://x"), "EPROTONOSUPPORT");

  using rep = ctx.socket("REP");
  rep.bind("inproc://pirate-abort");
  const client = new LazyPirateClient(ctx, "inproc://pirate-abort", { timeout: 10_000 });
  const controller = new AbortController();
  const first = client.request("one", { signal: controller.signal });
  await rejectsWith(client.request("two"), "EBUSY");
  assert.equal(await rep.recvString(), "one");
  controller.abort(new DOMException("changed my mind", "AbortError"));
  await assert.rejects(first, (e: unknown) => e instanceof DOMException && e.name === "AbortError");
  await rep.send("late reply, goes nowhere");

  // After the abort the client starts over with a new socket: no EFSM.
  const next = client.requestString("three");
  assert.equal(await rep.recvString(), "three");
  await rep.send("3");
  assert.equal(await next, "3");

  client.close();
  assert.ok(client.closed);
  const closed = await rejectsWith(client.request("four"), "ECLOSED");
  assert.ok(closed instanceof ZmqError);
  client.close(); // twice is harmless
});

Deno.test({
  name: "lazy pirate demo: the client survives one server restart (orchestrator stops the Worker)",
  async fn() {
    const run = await pirateDemo([
      "--restarts",
      "1",
      "--mode",
      "stop",
      "--count",
      "10",
      "--kill-after",
      "3",
      "--timeout",
      "200",
      "--retries",
      "30",
      "--downtime",
      "100",
    ]);
    // The first server answers 3, then sits on the 4th request until its Worker is stopped.
    assert.equal(run.served.length, 2);
    assert.equal(run.served[0], 3);
    assert.ok(run.served[1] >= 7, `second server served ${run.served[1]}`);
    assertAllReplies(run.clientLines, 10);
    const reconnects = Number(/(\d+) reconnects/.exec(run.clientLines.at(-1)!)?.[1]);
    assert.ok(reconnects >= 1, `expected a reconnect after the kill, saw ${reconnects}`);
  },
});

Deno.test({
  name: "lazy pirate demo: the client survives two server crashes mid-request",
  async fn() {
    const run = await pirateDemo([
      "--restarts",
      "2",
      "--mode",
      "crash",
      "--count",
      "10",
      "--kill-after",
      "3",
      "--timeout",
      "200",
      "--retries",
      "30",
      "--downtime",
      "0",
    ]);
    // Each crashing server answers exactly 3 and drops the 4th request it takes. The last one
    // may answer a request twice (a retry overtaking a slow reply): at-least-once delivery.
    assert.deepEqual(run.served.slice(0, 2), [3, 3]);
    assert.ok(run.served[2] >= 4, `last server served ${run.served[2]}`);
    assertAllReplies(run.clientLines, 10);
    const reconnects = Number(/(\d+) reconnects/.exec(run.clientLines.at(-1)!)?.[1]);
    assert.ok(reconnects >= 2, `expected a reconnect per crash, saw ${reconnects}`);
  },
});
