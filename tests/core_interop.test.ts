// Interoperability with pyzmq (Debian's python3-zmq), a real, independent peer.
import assert from "node:assert/strict";
import { Context } from "../mod.ts";

const PYTHON = "/usr/bin/python3";
const script = (name: string) => new URL(`./py/${name}`, import.meta.url).pathname;

function python(args: string[]): Deno.ChildProcess {
  return new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped" }).spawn();
}

async function finish(child: Deno.ChildProcess): Promise<string> {
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const out = await child.output();
  clearTimeout(timer);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("pyzmq REQ client talks to our REP", async () => {
  using ctx = new Context();
  using rep = ctx.socket("REP");
  const port = rep.bindToRandomPort();
  const child = python([script("req_client.py"), `tcp://127.0.0.1:${port}`, "3"]);
  for (let i = 0; i < 3; i++) {
    const request = await rep.recvString({ timeout: 20_000 });
    assert.equal(request, `Hello ${i}`);
    await rep.send(`World ${i} from Deno`);
  }
  const stdout = await finish(child);
  assert.deepEqual(stdout.trim().split("\n"), [0, 1, 2].map((i) => `World ${i} from Deno`));
});

Deno.test("pyzmq PUB feeds our SUB, which filters by topic", async () => {
  using ctx = new Context();
  // find two free ports by binding and unbinding our own sockets
  using probe = ctx.socket("PAIR");
  const pubPort = probe.bindToRandomPort();
  const syncPort = probe.bindToRandomPort();
  probe.close();
  const child = python([
    script("publisher.py"),
    `tcp://127.0.0.1:${pubPort}`,
    `tcp://127.0.0.1:${syncPort}`,
    "20",
  ]);
  using sub = ctx.socket("SUB");
  using sync = ctx.socket("REQ");
  sub.subscribe("10001");
  sub.connect(`tcp://127.0.0.1:${pubPort}`);
  sync.connect(`tcp://127.0.0.1:${syncPort}`);
  // handshake: once a "10001 sync" arrived, the subscription is in place at the publisher
  while ((await sub.recvString({ timeout: 20_000 })) !== "10001 sync") {
    // not reached: only 10001 messages pass the filter
  }
  await sync.send("go");
  assert.equal(await sync.recvString({ timeout: 20_000 }), "ok");
  const data: string[] = [];
  for (;;) {
    const msg = await sub.recvString({ timeout: 20_000 });
    if (msg === "10001 END") break;
    if (msg !== "10001 sync") data.push(msg);
  }
  assert.deepEqual(data, Array.from({ length: 20 }, (_, i) => `10001 ${i}`));
  await finish(child);
});
