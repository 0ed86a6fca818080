// Serialization: sendSerialized / recvSerialized with a Codec or bare functions (pyzmq's
// send_serialized / recv_serialized), JSON built in, MessagePack from its own entry point,
// round trips with pyzmq and Debian's python3-msgpack both ways, and the root module not
// pulling the MessagePack package in.
import assert from "node:assert/strict";
import { type Codec, Context, jsonCodec, type ZmqError } from "../mod.ts";
import { msgpack, msgpackCodec } from "../codecs/msgpack.ts";
import { pipe, rejectsWith } from "./_util.ts";
import { pyPeer } from "./_peers.ts";

const text = (f: Uint8Array) => new TextDecoder().decode(f);

Deno.test("sendSerialized/recvSerialized: a codec, bare functions, multipart messages", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "codec-basics");
  await push.sendSerialized({ num: 1, list: [true, null] }, jsonCodec);
  assert.deepEqual(await pull.recvSerialized(jsonCodec), { num: 1, list: [true, null] });
  // a codec of two frames: a header naming the type, then the body
  const typed: Codec<{ type: string; body: unknown }> = {
    encode: ({ type, body }) => [type, JSON.stringify(body)],
    decode: ([type, body]) => ({ type: text(type), body: JSON.parse(text(body)) }),
  };
  await push.sendSerialized({ type: "point", body: [3, 4] }, typed);
  const raw = await pull.recvMultipart();
  assert.deepEqual(raw.map(text), ["point", "[3,4]"]);
  await push.sendSerialized({ type: "point", body: [5, 6] }, typed);
  assert.deepEqual(await pull.recvSerialized(typed), { type: "point", body: [5, 6] });
  // pyzmq's shape: functions only
  await push.sendSerialized([1, 2, 3], (row: number[]) => row.join(","));
  assert.deepEqual(await pull.recvSerialized(([f]) => text(f).split(",").map(Number)), [1, 2, 3]);
  // a receive with a timeout, through the same options as recv
  await rejectsWith(pull.recvSerialized(jsonCodec, { timeout: 0 }), "EAGAIN");
  push.close();
  pull.close();
});

Deno.test("codec errors: ECODEC with the cause, nothing sent, no message lost to a bad codec", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "codec-errors");
  const failure = new RangeError("cannot encode this");
  const e = await rejectsWith(
    push.sendSerialized(1, () => {
      throw failure;
    }),
    "ECODEC",
  );
  assert.equal((e as ZmqError & { cause: unknown }).cause, failure);
  assert.match(e.message, /could not encode the value \(RangeError: cannot encode this\)/);
  await rejectsWith(push.sendSerialized(1n, jsonCodec), "ECODEC"); // JSON has no bigints
  await rejectsWith(push.sendSerialized(undefined, jsonCodec), "ECODEC");
  await rejectsWith(push.sendSerialized(1, () => [] as never), "ECODEC");
  await rejectsWith(push.sendSerialized(1, () => 5 as never), "ECODEC");
  await rejectsWith(pull.recv({ timeout: 0 }), "EAGAIN"); // none of them sent anything
  // not a codec: refused before a message is taken
  await push.send("kept");
  await rejectsWith(pull.recvSerialized({} as never), "EBADVALUE");
  await rejectsWith(pull.recvSerialized(5 as never), "EBADVALUE");
  await rejectsWith(push.sendSerialized(1, { decode: () => 1 } as never), "EBADVALUE");
  assert.equal(await pull.recvString({ timeout: 1000 }), "kept");
  // a decoder that fails: ECODEC with the codec's error, the message was consumed
  await push.send("not json");
  const bad = await rejectsWith(pull.recvSerialized(jsonCodec), "ECODEC");
  assert.ok((bad as ZmqError & { cause: unknown }).cause instanceof SyntaxError);
  assert.match(bad.message, /could not decode a message of 1 frame\(s\), 8 bytes/);
  await push.send(["two", "frames"]);
  await rejectsWith(pull.recvSerialized(jsonCodec), "ECODEC");
  await rejectsWith(pull.recv({ timeout: 0 }), "EAGAIN");
  push.close();
  pull.close();
});

const SAMPLE = {
  int: -(2 ** 40),
  float: 0.1,
  text: "héllo ✓",
  bytes: new Uint8Array([0, 255, 7]),
  list: [1, "two", null, true, false],
  nested: { k: [{ deep: [] }] },
  when: new Date(Date.UTC(2026, 11, 1, 11, 22, 33, 456)),
};

Deno.test("msgpack: values, bytes, dates and 64-bit integers round-trip", async () => {
  using ctx = new Context({ linger: 0 });
  const [push, pull] = await pipe(ctx, "msgpack-inproc");
  await push.sendSerialized(SAMPLE, msgpack);
  assert.deepEqual(await pull.recvSerialized(msgpack), SAMPLE);
  const big = msgpackCodec({ useBigInt64: true });
  await push.sendSerialized({ max: 2n ** 63n - 1n, min: -(2n ** 63n) }, big);
  assert.deepEqual(await pull.recvSerialized(big), { max: 2n ** 63n - 1n, min: -(2n ** 63n) });
  // limits for untrusted peers: a value beyond them does not decode
  await push.sendSerialized(SAMPLE, msgpack);
  await rejectsWith(pull.recvSerialized(msgpackCodec({ maxBinLength: 2 })), "ECODEC");
  // a canonical encoding: the same map in another order makes the same bytes
  const sorted = msgpackCodec({ sortKeys: true });
  assert.deepEqual(sorted.encode({ b: 1, a: 2 }), sorted.encode({ a: 2, b: 1 }));
  // one value, one frame: a multipart message or a truncated frame is ECODEC
  await push.send(["a", "b"]);
  await rejectsWith(pull.recvSerialized(msgpack), "ECODEC");
  const frame = msgpack.encode(SAMPLE) as Uint8Array;
  await push.send(frame.subarray(0, frame.length - 3));
  await rejectsWith(pull.recvSerialized(msgpack), "ECODEC");
  push.close();
  pull.close();
});

Deno.test("msgpack on DRAFT sockets: a SERVER decodes a request and answers by routing id", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("SERVER");
  using client = ctx.socket("CLIENT");
  client.connect(`tcp://127.0.0.1:${server.bindToRandomPort()}`);
  await client.sendSerialized({ op: "add", args: [2, 3] }, msgpack);
  const request = await server.recvMessage({ timeout: 5000 });
  const { args } = msgpack.decode(request.frames) as { args: number[] };
  await server.sendSerialized({ sum: args[0] + args[1] }, msgpack, {
    routingId: request.routingId,
  });
  assert.deepEqual(await client.recvSerialized(msgpack, { timeout: 5000 }), { sum: 5 });
  await rejectsWith(server.sendSerialized({}, msgpack), "EBADVALUE"); // no routingId: refused
});

Deno.test("msgpack with pyzmq and python3-msgpack: both ways, types as Python sees them", async () => {
  using ctx = new Context({ linger: 0 });
  using req = ctx.socket("REQ");
  const port = req.bindToRandomPort();
  const echo = pyPeer("msgpack_peer.py", "echo", `tcp://127.0.0.1:${port}`);
  await echo.waitFor("ready");
  await req.sendSerialized(SAMPLE, msgpack, { timeout: 10_000 });
  const answer = await req.recvSerialized(msgpack, { timeout: 10_000 }) as Record<string, unknown>;
  assert.deepEqual(answer.echo, SAMPLE);
  assert.deepEqual(answer.types, {
    int: "int",
    float: "float",
    text: "str",
    bytes: "bytes",
    list: "list",
    nested: "dict",
    when: "datetime",
  });
  await req.sendSerialized("stop", msgpack, { timeout: 10_000 });
  assert.equal(await req.recvSerialized(msgpack, { timeout: 10_000 }), "stopped");
  await echo.finished();

  // Python-made values, decoded here
  using pull = ctx.socket("PULL");
  const pullPort = pull.bindToRandomPort();
  const push = pyPeer("msgpack_peer.py", "push", `tcp://127.0.0.1:${pullPort}`);
  const value = await pull.recvSerialized(msgpackCodec({ useBigInt64: true }), {
    timeout: 10_000,
  });
  await push.finished();
  assert.deepEqual(value, {
    from: "python",
    int: -(2n ** 40n),
    big: 2n ** 63n - 1n,
    float: 0.1,
    bytes: new Uint8Array([0, 255, ...new TextEncoder().encode("py")]),
    list: [1, "two", null, true], // small integers stay numbers; 64-bit ones are bigints
    nested: { k: [{ deep: "é" }] },
    when: new Date(Date.UTC(2026, 11, 1, 11, 22, 33)),
  });
});

Deno.test("the root module does not import MessagePack: a program that does not use it does not download it", async () => {
  const info = async (entry: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(out.success, `deno info ${entry}`);
    // the npm packages the module graph reaches (npmPackages lists the whole lockfile's)
    const graph = JSON.parse(new TextDecoder().decode(out.stdout));
    return (graph.modules as { npmPackage?: string }[]).flatMap((m) =>
      m.npmPackage ? [m.npmPackage] : []
    );
  };
  const root = await info(new URL("../mod.ts", import.meta.url).pathname);
  assert.ok(root.some((p) => p.startsWith("zeromq@")), `root packages: ${root}`);
  assert.ok(!root.some((p) => p.startsWith("@msgpack/")), `root packages: ${root}`);
  const codec = await info(new URL("../codecs/msgpack.ts", import.meta.url).pathname);
  assert.ok(codec.includes("@msgpack/msgpack@3.1.3"), `msgpack packages: ${codec}`);
});
