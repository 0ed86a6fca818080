// Titanic (RFC 9) on node:sqlite: the store, the three services, and a Titanic process killed
// with SIGKILL in the middle of a stream of requests, losing none.
import assert from "node:assert/strict";
import {
  Context,
  MajordomoBroker,
  MajordomoClient,
  MajordomoWorker,
  type ProcessRoleHandle,
  startProcessRole,
  TitanicClient,
  TitanicServer,
  TitanicStore,
} from "../mod.ts";
import { packFrames, unpackFrames } from "../reliable/_frames.ts";
import { text, throwsWith } from "./_util.ts";

const encoder = new TextEncoder();
const frames = (...parts: string[]) => parts.map((p) => encoder.encode(p));

Deno.test("Titanic store: requests and replies survive closing and reopening the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "titanic-store-" });
  try {
    const path = `${dir}/t.db`;
    let store = new TitanicStore(path);
    const a = store.add("echo", frames("one", "two"));
    const b = store.add("other", [new Uint8Array([0, 1, 255])]);
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, b);
    store.close();
    store = new TitanicStore(path);
    assert.deepEqual(store.pending().map((r) => [r.uuid, r.service, text(r.body)]), [
      [a, "echo", ["one", "two"]],
      [b, "other", ["\x00\x01\ufffd"]],
    ]);
    assert.equal(store.reply(a).state, "pending");
    assert.ok(store.complete(a.toUpperCase(), frames("reply")), "ids are case-insensitive");
    assert.ok(!store.complete(a, frames("second reply")), "a stored reply is kept");
    store.close();
    store = new TitanicStore(path);
    const done = store.reply(a);
    assert.ok(done.state === "done");
    assert.deepEqual(text(done.reply), ["reply"]);
    assert.deepEqual(store.pending().map((r) => r.uuid), [b]);
    assert.deepEqual(store.counts(), { total: 2, done: 1 });
    store.forget(a);
    store.forget("not-a-uuid");
    store.forget("0".repeat(32));
    assert.equal(store.reply(a).state, "unknown");
    assert.equal(store.reply("zz").state, "unknown");
    store.close();
    store.close(); // twice is harmless
    throwsWith(() => new TitanicStore(dir), "EIO"); // a directory is not a database
    throwsWith(() => new TitanicStore(""), "EBADVALUE");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Titanic store: frames pack losslessly; a corrupt packing is EPROTO", () => {
  const original = [new Uint8Array(), encoder.encode("x"), new Uint8Array(70_000).fill(7)];
  assert.deepEqual(unpackFrames(packFrames(original)), original);
  throwsWith(() => unpackFrames(new Uint8Array([0, 0, 0, 9, 1])), "EPROTO");
});

Deno.test("Titanic services: status codes of titanic.request, titanic.reply and titanic.close", async () => {
  await using ctx = new Context({ linger: 0 });
  const broker = new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*", heartbeatInterval: 100 });
  const endpoint = broker.lastEndpoint;
  const titanic = new TitanicServer(ctx, {
    broker: endpoint,
    store: ":memory:",
    heartbeatInterval: 100,
    retryInterval: 50,
  });
  const running = [broker.run(), titanic.run()];
  try {
    using client = new MajordomoClient(ctx, endpoint, { timeout: 5000, retries: 0 });
    const ask = async (service: string, ...body: string[]) =>
      await client.requestText(service, body.length ? body : [""]);
    assert.deepEqual(await ask("titanic.request", "echo"), ["400"], "a request needs a body");
    assert.deepEqual(await ask("titanic.request", "", "x"), ["400"], "and a service name");
    assert.deepEqual(await ask("titanic.reply", "not hex"), ["400"]);
    assert.deepEqual(await ask("titanic.reply", "0".repeat(32)), ["400"], "unknown id");
    assert.deepEqual(await ask("titanic.close", "0".repeat(32)), ["200"], "close is idempotent");
    const [status, uuid] = await ask("titanic.request", "echo", "hello", "world");
    assert.equal(status, "200");
    assert.match(uuid, /^[0-9a-f]{32}$/);
    assert.deepEqual(await ask("titanic.reply", uuid), ["300"], "no echo worker yet: pending");
    const echo = new MajordomoWorker(ctx, endpoint, "echo", { heartbeatInterval: 100 });
    const serving = echo.serve((body) => body);
    using titanicClient = new TitanicClient(ctx, endpoint, { pollInterval: 20 });
    let reply = await titanicClient.fetch(uuid);
    for (let i = 0; reply.status === "300" && i < 250; i++) {
      await new Promise((r) => setTimeout(r, 20));
      reply = await titanicClient.fetch(uuid);
    }
    assert.ok(reply.status === "200", "the reply arrived within 5 s");
    assert.deepEqual(text(reply.body), ["hello", "world"]);
    assert.deepEqual(await ask("titanic.reply", uuid.toUpperCase()), ["200", "hello", "world"]);
    await titanicClient.close(uuid);
    assert.deepEqual(await ask("titanic.reply", uuid), ["400"], "closed: unknown");
    assert.deepEqual(text(await titanicClient.request("echo", "all in one")), ["all in one"]);
    assert.deepEqual(titanic.store.counts(), { total: 0, done: 0 });
    await echo.close();
    await serving;
  } finally {
    await titanic.close();
    await broker.close();
    await Promise.all(running);
  }
});

const TITANIC = new URL("../examples/titanic/titanic.ts", import.meta.url);

function titanicProcess(endpoint: string, db: string, name: string): ProcessRoleHandle {
  return startProcessRole(TITANIC, {
    name,
    args: ["--connect", endpoint, "--db", db, "--heartbeat", "100", "--timeout", "1000"],
    onLine: () => {},
  });
}

Deno.test("Titanic: SIGKILL in the middle of a stream loses no acknowledged request", async () => {
  const dir = await Deno.makeTempDir({ prefix: "titanic-kill-" });
  const db = `${dir}/titanic.db`;
  await using ctx = new Context({ linger: 0 });
  const broker = new MajordomoBroker(ctx, { bind: "tcp://127.0.0.1:*", heartbeatInterval: 100 });
  const endpoint = broker.lastEndpoint;
  const brokerRun = broker.run();
  const echo = new MajordomoWorker(ctx, endpoint, "echo", { heartbeatInterval: 100 });
  const serving = echo.serve((body) => body);
  let titanic = titanicProcess(endpoint, db, "titanic#1");
  const COUNT = 30;
  const KILL_AT = 10;
  try {
    using client = new TitanicClient(ctx, endpoint, {
      timeout: 400,
      retries: 50,
      pollInterval: 50,
    });
    const acked: [string, string][] = [];
    let killed: Promise<void> | null = null;
    for (let i = 0; i < COUNT; i++) {
      const body = `request ${i}`;
      acked.push([await client.submit("echo", body), body]);
      if (acked.length === KILL_AT) {
        titanic.kill("SIGKILL"); // mid-stream: the next submit finds no Titanic
        killed = titanic.done.then(
          () => assert.fail("a SIGKILLed Titanic cannot end cleanly"),
          (e) => assert.match(String(e), /killed by SIGKILL/),
        ).then(() => {
          // Dead, not yet restarted: every acknowledged request is in the file.
          using store = new TitanicStore(db);
          const kept = new Set(store.pending(1000).map((r) => r.uuid));
          const { total } = store.counts();
          for (const [uuid] of acked.slice(0, KILL_AT)) {
            assert.ok(kept.has(uuid) || store.reply(uuid).state === "done", `${uuid} was lost`);
          }
          assert.ok(total >= KILL_AT);
          titanic = titanicProcess(endpoint, db, "titanic#2");
        });
      }
    }
    await killed;
    // Every request, acknowledged before or after the kill, gets its own reply.
    const answers: string[] = [];
    for (const [uuid, body] of acked) {
      let reply = await client.fetch(uuid);
      for (let i = 0; reply.status === "300" && i < 400; i++) {
        await new Promise((r) => setTimeout(r, 25));
        reply = await client.fetch(uuid);
      }
      assert.ok(reply.status === "200", `no reply for ${body}`);
      answers.push(text(reply.body)[0]);
      await client.close(uuid);
    }
    assert.deepEqual(answers, acked.map(([, body]) => body));
    console.log(
      `titanic SIGKILL: sent ${COUNT}, acknowledged ${acked.length}, answered ${answers.length}, ` +
        `lost ${COUNT - answers.length}`,
    );
  } finally {
    await titanic.stop().catch(() => {});
    await echo.close();
    await serving;
    await broker.close();
    await brokerRun;
    await Deno.remove(dir, { recursive: true });
  }
});
