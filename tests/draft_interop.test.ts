// The DRAFT sockets against zeromq.js's `zeromq/draft` under Node (zeromq@6.8.0, installed by
// npm into the cache folder on first use, as bench/ does: bench/_stacks.ts), both directions:
// SERVER/CLIENT, RADIO/DISH over udp and tcp, SCATTER/GATHER, DGRAM; and a zeromq.js CURVE
// client whose key arrives as User-Id, with the metadata our authenticator attached. zeromq.js
// has no PEER or CHANNEL: those are tested in one process (draft_sockets.test.ts). Each peer is
// a process of tests/fixtures/zmqjs_draft.cjs; every wait is bounded.
import assert from "node:assert/strict";
import {
  Authenticator,
  Context,
  curveKeypair,
  makeCurveServer,
  type Message,
  type Socket,
  waitForEvent,
} from "../mod.ts";
import { nodeZeromq, sh } from "../bench/_stacks.ts";
import { freePort, type PyPeer, spawnPeer } from "./_peers.ts";
import { text, within } from "./_util.ts";

const found = await nodeZeromq(async (node, env) => {
  const probe = await sh([
    node,
    "-e",
    'require(process.env.ZMQJS_DIR + "/node_modules/zeromq/draft")',
  ], {
    env,
  });
  return probe.ok ? null : probe.err.trim().split("\n").at(-1) ?? "";
});
const zmqjs = "skip" in found ? null : found;
if (zmqjs === null) {
  console.error(`skip the zeromq.js interop tests: ${(found as { skip: string }).skip}`);
}

const PEER = new URL("./fixtures/zmqjs_draft.cjs", import.meta.url).pathname;
const decoder = new TextDecoder();
const body = (m: Message) => decoder.decode(m.frames[0]);
let udpPort = 40600 + (Deno.pid % 300);

/** Starts the zeromq.js peer `role` (see the fixture). */
function node(role: string, how: "bind" | "connect", endpoint: string, ...args: string[]): PyPeer {
  return spawnPeer(`zmqjs ${role}`, zmqjs!.node, [PEER, role, how, endpoint, ...args], {
    ZMQJS_DIR: zmqjs!.dir,
  });
}

function interop(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: `zeromq.js: ${name}`, ignore: zmqjs === null, fn });
}

/** Ends `peer`: waits for it to exit if its part is done, else stops it (SIGTERM). */
function end(peer: PyPeer): Promise<string[]> {
  return peer.lines.includes("done") ? peer.finished() : peer.stop();
}

/** Lines of `peer` that start with `prefix`, without it. */
function linesOf(peer: PyPeer, prefix: string): string[] {
  return peer.lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

interop("their Client asks our SERVER, which answers by routing id", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("SERVER");
  const port = server.bindToRandomPort();
  const client = node("client", "connect", `tcp://127.0.0.1:${port}`, "3");
  try {
    for (let i = 0; i < 3; i++) {
      const m = await within(server.recvMessage(), 10_000, `request ${i}`);
      assert.equal(body(m), `ping ${i}`);
      assert.equal(m.get("Socket-Type"), "CLIENT");
      await server.send(`echo:${body(m)}`, { routingId: m.routingId });
    }
    await within(client.waitFor("done", 10_000), 15_000, "the client's end");
    assert.deepEqual(linesOf(client, "reply "), ["echo:ping 0", "echo:ping 1", "echo:ping 2"]);
  } finally {
    await end(client);
  }
});

interop("our CLIENT asks their Server, which answers by routing id", async () => {
  await using ctx = new Context({ linger: 0 });
  const port = freePort();
  const server = node("server", "bind", `tcp://127.0.0.1:${port}`, "3");
  try {
    await server.waitFor("ready");
    using client = ctx.socket("CLIENT");
    client.connect(`tcp://127.0.0.1:${port}`);
    for (let i = 0; i < 3; i++) {
      await client.send(`hello ${i}`);
      assert.equal(await within(client.recvString(), 10_000, `reply ${i}`), `echo:hello ${i}`);
    }
    await server.waitFor("done");
    assert.deepEqual(linesOf(server, "got "), ["hello 0", "hello 1", "hello 2"]);
  } finally {
    await end(server);
  }
});

/** Receives `n` messages at `dish`, each of group `group`. */
async function dishReceives(dish: Socket, n: number, group: string): Promise<string[]> {
  const got: string[] = [];
  while (got.length < n) {
    const m = await within(dish.recvMessage(), 10_000, `message ${got.length}`);
    assert.equal(m.group, group);
    got.push(body(m));
  }
  return got;
}

for (const transport of ["udp", "tcp"]) {
  interop(`their Radio sends to our DISH over ${transport}; other groups stay out`, async () => {
    await using ctx = new Context({ linger: 0 });
    using dish = ctx.socket("DISH");
    dish.join("weather");
    let endpoint: string;
    if (transport === "udp") {
      endpoint = `udp://127.0.0.1:${udpPort++}`;
      dish.bind(endpoint);
    } else endpoint = `tcp://127.0.0.1:${dish.bindToRandomPort()}`;
    const radio = node("radio", "connect", endpoint, "weather");
    try {
      const got = await dishReceives(dish, 3, "weather");
      assert.ok(got.every((g) => /^news \d+$/.test(g)), got.join(", "));
    } finally {
      await end(radio);
    }
  });

  interop(`our RADIO sends to their Dish over ${transport}; other groups stay out`, async () => {
    await using ctx = new Context({ linger: 0 });
    const endpoint = transport === "udp"
      ? `udp://127.0.0.1:${udpPort++}`
      : `tcp://127.0.0.1:${freePort()}`;
    const dish = node("dish", "bind", endpoint, "weather", "3");
    try {
      await dish.waitFor("ready");
      using radio = ctx.socket("RADIO");
      radio.connect(endpoint);
      // no handshake tells when their join arrived (or a datagram got through): send until done
      for (let i = 0; i < 1000 && !dish.lines.includes("done"); i++) {
        await radio.send(`noise ${i}`, { group: "sports" });
        await radio.send(`news ${i}`, { group: "weather" });
        await within(dish.waitFor("done", 10).catch(() => {}), 5000, "a short wait");
      }
      await dish.waitFor("done");
      const got = linesOf(dish, "got ");
      assert.equal(got.length, 3);
      assert.ok(got.every((g) => /^weather news \d+$/.test(g)), got.join(", "));
    } finally {
      await end(dish);
    }
  });
}

interop("their Scatter spreads to our GATHER", async () => {
  await using ctx = new Context({ linger: 0 });
  using gather = ctx.socket("GATHER");
  const port = gather.bindToRandomPort();
  const scatter = node("scatter", "connect", `tcp://127.0.0.1:${port}`, "5");
  try {
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push(await within(gather.recvString(), 10_000, `part ${i}`));
    assert.deepEqual(got, ["part 0", "part 1", "part 2", "part 3", "part 4"]);
  } finally {
    await end(scatter);
  }
});

interop("our SCATTER spreads to their Gather", async () => {
  await using ctx = new Context({ linger: 0 });
  const port = freePort();
  const gather = node("gather", "bind", `tcp://127.0.0.1:${port}`, "5");
  try {
    await gather.waitFor("ready");
    using scatter = ctx.socket("SCATTER");
    scatter.connect(`tcp://127.0.0.1:${port}`);
    for (let i = 0; i < 5; i++) await scatter.send(`piece ${i}`);
    await gather.waitFor("done");
    assert.deepEqual(linesOf(gather, "got "), [
      "piece 0",
      "piece 1",
      "piece 2",
      "piece 3",
      "piece 4",
    ]);
  } finally {
    await end(gather);
  }
});

interop("DGRAM: our datagrams reach their Datagram and its answers come back", async () => {
  await using ctx = new Context({ linger: 0 });
  const theirs = udpPort++;
  const echo = node("dgram-echo", "bind", `udp://127.0.0.1:${theirs}`);
  try {
    await echo.waitFor("ready");
    using dgram = ctx.socket("DGRAM");
    dgram.bind(`udp://127.0.0.1:${udpPort++}`);
    let answer: string[] | null = null;
    for (let i = 0; i < 500 && answer === null; i++) {
      await dgram.send([`127.0.0.1:${theirs}`, `hi ${i}`]);
      answer = await dgram.recvMultipart({ timeout: 20 }).then(text, () => null);
    }
    assert.ok(answer, "no answer in 500 datagrams");
    assert.equal(answer[0], `127.0.0.1:${theirs}\0`);
    assert.match(answer[1], /^echo:hi \d+$/);
  } finally {
    await end(echo);
  }
});

interop("DGRAM: their datagrams reach ours, and our answers go back", async () => {
  await using ctx = new Context({ linger: 0 });
  using dgram = ctx.socket("DGRAM");
  const ours = udpPort++;
  dgram.bind(`udp://127.0.0.1:${ours}`);
  const pinger = node("dgram-ping", "bind", `udp://127.0.0.1:${udpPort++}`, `127.0.0.1:${ours}`);
  try {
    const [from, ping] = text(await within(dgram.recvMultipart(), 10_000, "their datagram"));
    assert.match(ping, /^ping \d+$/);
    await dgram.send([from, `echo:${ping}`]);
    await pinger.waitFor("done");
    assert.deepEqual(linesOf(pinger, "reply "), [`echo:${ping}`]);
  } finally {
    await end(pinger);
  }
});

interop(
  "a zeromq.js CURVE client's key arrives as User-Id on our ROUTER, with our metadata",
  async () => {
    await using ctx = new Context({ linger: 0 });
    const server = curveKeypair();
    const client = curveKeypair();
    await using auth = await new Authenticator(ctx, {
      identify: (d) => ({ metadata: { "X-Tenant": "acme", "X-Key-Prefix": d.userId.slice(0, 8) } }),
    }).start();
    auth.configureCurve({ publicKeys: [client.publicKey] });
    using router = ctx.socket("ROUTER");
    makeCurveServer(router, server);
    const port = router.bindToRandomPort();
    const up = waitForEvent(router, "handshake_succeeded", { timeout: 10_000 });
    const dealer = node(
      "curve-dealer",
      "connect",
      `tcp://127.0.0.1:${port}`,
      server.publicKey,
      client.publicKey,
      client.secretKey,
    );
    try {
      await up;
      const m = await within(
        router.recvMessage({ properties: ["X-Tenant", "X-Key-Prefix"] }),
        10_000,
        "the CURVE message",
      );
      assert.equal(decoder.decode(m.frames[1]), "hello");
      assert.equal(m.get("User-Id"), client.publicKey);
      assert.equal(m.get("X-Tenant"), "acme");
      assert.equal(m.get("X-Key-Prefix"), client.publicKey.slice(0, 8));
      assert.equal(m.get("Socket-Type"), "DEALER");
      await router.send([m.frames[0], "welcome"]);
      await dealer.waitFor("done");
      assert.deepEqual(linesOf(dealer, "reply "), ["welcome"]);
    } finally {
      await end(dealer);
    }
  },
);
