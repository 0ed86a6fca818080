// Micro-costs of the public API, to catch regressions: `deno task bench:micro`.
// Everything runs in this isolate over inproc. A send alone is measured on a PUB without
// subscribers (libzmq drops the message at once); a recv costs "send + recv" minus that.
import { Context } from "../mod.ts";

const ctx = new Context({ linger: 0 });
const push = ctx.socket("PUSH");
const pull = ctx.socket("PULL");
pull.bind("inproc://micro");
push.connect("inproc://micro");
const pub = ctx.socket("PUB");
pub.bind("inproc://micro-pub");
const small = new Uint8Array(16);
const big = new Uint8Array(64 * 1024);
const obj = { id: 42, name: "widget", tags: ["a", "b"], price: 9.99 };

Deno.bench("send 16 B (PUB, no subscriber)", { group: "send", baseline: true }, async () => {
  await pub.send(small);
});

Deno.bench("send string (PUB, no subscriber)", { group: "send" }, async () => {
  await pub.send("hello, world");
});

Deno.bench("send 3 frames (PUB, no subscriber)", { group: "send" }, async () => {
  await pub.send(["topic", small, small]);
});

Deno.bench("send + recv 16 B", { group: "send+recv", baseline: true }, async () => {
  await push.send(small);
  await pull.recv();
});

Deno.bench("send + recv 64 KiB", { group: "send+recv" }, async () => {
  await push.send(big);
  await pull.recv();
});

Deno.bench("sendMultipart + recvMultipart, 3 frames", { group: "send+recv" }, async () => {
  await push.sendMultipart(["topic", small, small]);
  await pull.recvMultipart();
});

Deno.bench("recv waiting, then send (async wake-up)", { group: "send+recv" }, async () => {
  const p = pull.recv();
  await push.send(small);
  await p;
});

Deno.bench("sendJson + recvJson", { group: "json", baseline: true }, async () => {
  await push.sendJson(obj);
  await pull.recvJson();
});

Deno.bench("send string + recvString", { group: "json" }, async () => {
  await push.send("hello, world");
  await pull.recvString();
});

Deno.bench("getOption EVENTS", { group: "options" }, () => {
  push.getOption("EVENTS");
});

globalThis.addEventListener("unload", () => ctx.close());
