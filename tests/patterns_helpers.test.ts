// The pattern helpers (patterns/) over inproc://, plus the core fix they exposed: a send that
// waits for a peer honours its signal and timeout.
import assert from "node:assert/strict";
import {
  Context,
  openPair,
  openPub,
  openPublisher,
  openPull,
  openPush,
  openRep,
  openReplier,
  openReq,
  openRequester,
  openSub,
  openSubscriber,
  processWork,
  pushWork,
  request,
  requestString,
  serveReplies,
  sinkResults,
  ZmqError,
} from "../mod.ts";
import {
  awaitWorkers,
  formatUpdate,
  parseUpdate,
  publishUpdate,
  receiveUpdates,
} from "../patterns/unstable_tutorial.ts";
import * as root from "../mod.ts";
import { isCode, rejectsWith, within } from "./_util.ts";

Deno.test("openPair: both sides send and receive, no lockstep", async () => {
  await using ctx = new Context();
  const server = openPair(ctx, { bind: "inproc://t-pair" });
  const client = openPair(ctx, { connect: "inproc://t-pair" });
  await server.send("Server message to client3");
  await client.send("client message to server1");
  await client.send("client message to server2");
  assert.equal(await client.recvString(), "Server message to client3");
  assert.equal(await server.recvString(), "client message to server1");
  assert.equal(await server.recvString(), "client message to server2");
});

Deno.test("open*: the openers are named after socket types; the old names are the same functions", async () => {
  assert.equal(openRequester, openReq);
  assert.equal(openReplier, openRep);
  assert.equal(openPublisher, openPub);
  assert.equal(openSubscriber, openSub);
  await using ctx = new Context();
  const opened = [
    openPair(ctx, { bind: "inproc://t-names-pair" }),
    openReq(ctx, { bind: "inproc://t-names-req" }),
    openRep(ctx, { bind: "inproc://t-names-rep" }),
    openPub(ctx, { bind: "inproc://t-names-pub" }),
    openSub(ctx, { bind: "inproc://t-names-sub" }),
    openPush(ctx, { bind: "inproc://t-names-push" }),
    openPull(ctx, { bind: "inproc://t-names-pull" }),
  ];
  assert.deepEqual(opened.map((s) => s.type), ["PAIR", "REQ", "REP", "PUB", "SUB", "PUSH", "PULL"]);
  for (const s of opened) s.close();
});

Deno.test("open*: bad endpoints are EBADVALUE, a failed bind leaves no socket open", async () => {
  await using ctx = new Context();
  assert.throws(() => openPair(ctx, {}), isCode("EBADVALUE"));
  // @ts-expect-error: wrong type on purpose
  assert.throws(() => openRep(ctx, { bind: 5556 }), isCode("EBADVALUE"));
  // @ts-expect-error: wrong type on purpose
  assert.throws(() => openReq(ctx, null), isCode("EBADVALUE"));
  const first = openRep(ctx, { bind: "inproc://t-dup" });
  assert.throws(() => openRep(ctx, { bind: "inproc://t-dup" }), (e: unknown) => {
    return e instanceof ZmqError && e.code === "EADDRINUSE";
  });
  first.close();
});

Deno.test("serveReplies + request: count bounds the loop, replies follow requests", async () => {
  await using ctx = new Context();
  const rep = openRep(ctx, { bind: "inproc://t-rr" });
  const req = openReq(ctx, { connect: "inproc://t-rr" });
  const seen: string[] = [];
  const server = serveReplies(rep, ([m], i) => {
    seen.push(new TextDecoder().decode(m));
    return [`World ${i}`, "tail"];
  }, { count: 3 });
  for (let i = 0; i < 3; i++) {
    const frames = await request(req, `Hello ${i}`, { timeout: 5000 });
    assert.deepEqual(frames.map((f) => new TextDecoder().decode(f)), [`World ${i}`, "tail"]);
  }
  assert.equal(await server, 3);
  assert.deepEqual(seen, ["Hello 0", "Hello 1", "Hello 2"]);
});

Deno.test("request: a reply that never comes times out with EAGAIN; abort rejects", async () => {
  await using ctx = new Context();
  const rep = openRep(ctx, { bind: "inproc://t-silent" });
  const req = openReq(ctx, { connect: "inproc://t-silent" });
  await within(
    rejectsWith(requestString(req, "Hello", { timeout: 30 }), "EAGAIN"),
    5000,
    "request",
  );
  assert.equal(await rep.recvString({ timeout: 5000 }), "Hello"); // the request did arrive
  const req2 = openReq(ctx, { connect: "inproc://t-silent" });
  const controller = new AbortController();
  const pending = requestString(req2, "again", { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
});

Deno.test("serveReplies: a throwing handler stops the loop with its error", async () => {
  await using ctx = new Context();
  const rep = openRep(ctx, { bind: "inproc://t-throw" });
  const req = openReq(ctx, { connect: "inproc://t-throw" });
  const server = serveReplies(rep, () => {
    throw new RangeError("bad request");
  });
  await req.send("x");
  await assert.rejects(server, RangeError);
  await assert.rejects(serveReplies(rep, () => "", { count: -1 }), isCode("EBADVALUE"));
});

Deno.test("formatUpdate / parseUpdate", () => {
  assert.equal(formatUpdate(10001, 42), "10001 42");
  assert.deepEqual(parseUpdate("10001 42 5556"), { topic: "10001", data: "42 5556" });
  assert.deepEqual(parseUpdate(new TextEncoder().encode("10000")), { topic: "10000", data: "" });
  assert.throws(() => formatUpdate("a b", 1), isCode("EBADVALUE"));
  assert.throws(() => formatUpdate("", 1), isCode("EBADVALUE"));
  assert.throws(() => parseUpdate(new Uint8Array([0xff, 0xfe])), isCode("EBADUTF8"));
});

Deno.test("receiveUpdates: only the subscribed topic, count bounds the iteration", async () => {
  await using ctx = new Context();
  const pub = openPub(ctx, { bind: "inproc://t-pub" });
  const sub = openSub(ctx, { connect: "inproc://t-pub" }, ["10001"]);
  // inproc subscriptions reach the publisher before the next send: no slow joiner here
  for (let i = 0; i < 10; i++) await publishUpdate(pub, 10000 + (i % 2), i);
  const got = [];
  for await (const u of receiveUpdates(sub, { count: 5 })) got.push(u);
  assert.deepEqual(got.map((u) => u.topic), Array(5).fill("10001"));
  assert.deepEqual(got.map((u) => Number(u.data)), [1, 3, 5, 7, 9]);
  assert.throws(
    () => openSub(ctx, { connect: "inproc://t-pub" }, [1 as never]),
    isCode("EBADVALUE"),
  );
});

Deno.test("pipeline: awaitWorkers then pushWork spreads items over both workers", async () => {
  await using ctx = new Context({ linger: 0 });
  const push = ctx.socket("PUSH");
  // watching starts before bind: every connection made afterwards is seen
  const connected = awaitWorkers(push, 2, { timeout: 10_000 });
  const port = push.bindToRandomPort("tcp://127.0.0.1");
  const sink = openPull(ctx, { bind: "inproc://t-sink" });
  const controller = new AbortController();
  const counts = new Map<string, number>();
  const workers = ["a", "b"].map((id) => {
    const pull = openPull(ctx, { connect: `tcp://127.0.0.1:${port}` });
    const out = openPush(ctx, { connect: "inproc://t-sink" });
    return processWork(pull, out, (item) => {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      return { id, double: (item as { n: number }).n * 2 };
    }, { signal: controller.signal }).catch((e) => {
      if (e !== controller.signal.reason) throw e;
    });
  });
  assert.equal(await connected, 2);
  const sent = await pushWork(push, [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({ n })));
  assert.equal(sent, 8);
  const results = [];
  for await (const r of sinkResults<{ id: string; double: number }>(sink, { count: 8 })) {
    results.push(r);
  }
  assert.deepEqual(results.map((r) => r.double).sort((a, b) => a - b), [0, 2, 4, 6, 8, 10, 12, 14]);
  // both were attached before the first send: strict turns from the first item
  assert.equal(counts.get("a"), 4);
  assert.equal(counts.get("b"), 4);
  controller.abort();
  await Promise.all(workers);
});

Deno.test("awaitWorkers: times out with EAGAIN naming how many connected; bad arguments", async () => {
  await using ctx = new Context({ linger: 0 });
  const push = ctx.socket("PUSH");
  const waiting = awaitWorkers(push, 2, { timeout: 300 });
  const port = push.bindToRandomPort("tcp://127.0.0.1");
  const one = ctx.socket("PULL");
  one.connect(`tcp://127.0.0.1:${port}`);
  const e = await rejectsWith(waiting, "EAGAIN");
  assert.match(e.message, /Only 1 of 2 workers connected within 300 ms/);
  assert.throws(() => awaitWorkers(push, 1, { timeout: -1 }), isCode("EBADVALUE"));
  assert.throws(() => awaitWorkers(push, Infinity), isCode("EBADVALUE"));
  // an abort ends the wait with the signal's reason, and leaves no monitor behind
  const controller = new AbortController();
  const aborted = awaitWorkers(push, 5, { signal: controller.signal });
  controller.abort(new Error("stop waiting"));
  await assert.rejects(aborted, /stop waiting/);
  // the socket closing under the wait: ECLOSED
  const closing = awaitWorkers(push, 5);
  push.close();
  await rejectsWith(closing, "ECLOSED");
});

Deno.test("processWork / sinkResults: non-JSON input is EBADJSON, non-UTF-8 EBADUTF8", async () => {
  await using ctx = new Context();
  const push = openPush(ctx, { bind: "inproc://t-bad" });
  const pull = openPull(ctx, { connect: "inproc://t-bad" });
  await push.send("not json");
  await assert.rejects(processWork(pull, null, () => undefined), isCode("EBADJSON"));
  await push.send(new Uint8Array([0xff]));
  await assert.rejects(sinkResults(pull).next(), isCode("EBADUTF8"));
});

// Core fix: a send that must wait for a peer (nothing sent yet) used to ignore its signal and
// timeout, so a role blocked in send could not be stopped.
Deno.test("core: a send waiting for a peer rejects on timeout and on abort", async () => {
  await using ctx = new Context({ linger: 0 });
  const pair = ctx.socket("PAIR");
  pair.bind("inproc://t-nopeer");
  await rejectsWith(pair.send("x", { timeout: 20 }), "EAGAIN");
  const controller = new AbortController();
  const pending = pair.send("y", { signal: controller.signal });
  controller.abort(new Error("stopped"));
  await assert.rejects(pending, /stopped/);
  // the socket still works afterwards
  const peer = ctx.socket("PAIR");
  peer.connect("inproc://t-nopeer");
  await pair.send("z");
  assert.equal(await peer.recvString(), "z");
});

Deno.test("the tutorial's helpers live in patterns/unstable_tutorial.ts; the root keeps deprecated aliases", async () => {
  assert.equal(root.formatUpdate, formatUpdate);
  assert.equal(root.parseUpdate, parseUpdate);
  assert.equal(root.publishUpdate, publishUpdate);
  assert.equal(root.receiveUpdates, receiveUpdates);
  assert.equal(root.awaitWorkers, awaitWorkers);
  // and none of them is exported by the patterns' own entry point
  const patterns = await import("../patterns/mod.ts");
  for (
    const name of ["formatUpdate", "parseUpdate", "publishUpdate", "receiveUpdates", "awaitWorkers"]
  ) {
    assert.equal(name in patterns, false, `${name} is still exported by patterns/mod.ts`);
  }
});
