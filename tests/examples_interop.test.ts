// The tutorial's roles against pyzmq peers (tests/py/patterns_peers.py): our role runs in a
// Web Worker, the peer is Debian's python3-zmq. Ports 16200-16299.
import assert from "node:assert/strict";
import { type RoleHandle, startRole } from "../mod.ts";
import { freePorts } from "./_devices.ts";

const PYTHON = "/usr/bin/python3";
const PEERS = new URL("./py/patterns_peers.py", import.meta.url).pathname;
const hasPyzmq = (() => {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import zmq"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

const example = (path: string) => new URL(`../examples/${path}`, import.meta.url);

function role(path: string, name: string, args: string[]): RoleHandle {
  return startRole(example(path), { name, args, onLine: () => {} });
}

function python(...args: string[]): Deno.ChildProcess {
  return new Deno.Command(PYTHON, {
    args: [PEERS, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finished(child: Deno.ChildProcess): Promise<string[]> {
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `python peer failed: ${stderr}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

Deno.test({
  name: "interop: our reqrep_server answers a pyzmq REQ client",
  ignore: !hasPyzmq,
  async fn() {
    const server = role("reqrep/reqrep_server.ts", "server", [
      "16201",
      "--count",
      "3",
      "--delay",
      "0",
    ]);
    const lines = await finished(python("req", "16201", "3"));
    await server.done;
    assert.deepEqual(lines, [0, 1, 2].map((i) => `reply ${i} World from 16201`));
    assert.deepEqual(server.lines, Array(3).fill("Received request: Hello"));
  },
});

Deno.test({
  name: "interop: our reqrep_client alternates between two pyzmq REP servers",
  ignore: !hasPyzmq,
  async fn() {
    const a = python("rep", "16211", "3");
    const b = python("rep", "16212", "3");
    const client = role("reqrep/reqrep_client.ts", "client", [
      "--host",
      "127.0.0.1",
      "16211",
      "16212",
      "--count",
      "6",
    ]);
    await client.done;
    const [linesA, linesB] = await Promise.all([finished(a), finished(b)]);
    assert.deepEqual(linesA, [0, 1, 2].map((i) => `request ${i} Hello`));
    assert.deepEqual(linesB, [0, 1, 2].map((i) => `request ${i} Hello`));
    const from = client.lines.filter((l) => l.startsWith("Received reply"))
      .map((l) => /World from (\d+)/.exec(l)![1]);
    assert.equal(from.length, 6);
    for (let i = 1; i < 6; i++) assert.notEqual(from[i], from[i - 1]);
  },
});

Deno.test({
  name: "interop: a pyzmq publisher feeds our sub_client, which hears only topic 10001",
  ignore: !hasPyzmq,
  async fn() {
    const pub = python("pub", "16221");
    const client = role("pubsub/sub_client.ts", "client", [
      "--host",
      "127.0.0.1",
      "16221",
      "--count",
      "5",
    ]);
    try {
      await client.done;
    } finally {
      pub.kill("SIGTERM");
      await pub.output();
    }
    const updates = client.lines.filter((l) => /^\d+ -?\d+$/.test(l));
    assert.equal(updates.length, 5);
    const values = updates.map((l) => {
      const [topic, value] = l.split(" ");
      assert.equal(topic, "10001");
      return Number(value);
    });
    assert.ok(values.every((v) => v >= 1 && v <= 215), `values ${values}`); // never 10000's 999
    const average = Math.floor(values.reduce((x, y) => x + y, 0) / 5);
    assert.equal(
      client.lines.at(-1),
      `Average messagedata value for topic '10001' was ${average}F`,
    );
  },
});

Deno.test({
  name: "interop: our pairclient talks with a pyzmq PAIR server",
  ignore: !hasPyzmq,
  async fn() {
    const server = python("pair", "16231", "3");
    const client = role("pair/pairclient.ts", "client", [
      "--host",
      "127.0.0.1",
      "--port",
      "16231",
      "--count",
      "3",
      "--interval",
      "0",
    ]);
    await client.done;
    const lines = await finished(server);
    assert.deepEqual(client.lines, Array(3).fill("Server message to client3"));
    assert.deepEqual(
      lines,
      Array(3).fill(["client message to server1", "client message to server2"]).flat(),
    );
  },
});

Deno.test({
  name: "interop: our consumer between a pyzmq producer and collector keeps the even numbers",
  ignore: !hasPyzmq,
  async fn() {
    const peer = python("pipeline", "16241", "16242", "101");
    const consumer = role("pushpull/consumer.ts", "consumer", [
      "--id",
      "7",
      "--pull-port",
      "16241",
      "--push-port",
      "16242",
    ]);
    let results: { consumer: number; num: number }[];
    try {
      const lines = await finished(peer);
      results = JSON.parse(lines[0]);
    } finally {
      await consumer.stop();
    }
    assert.deepEqual(results.map((r) => r.num), Array.from({ length: 51 }, (_, i) => 2 * i));
    assert.ok(results.every((r) => r.consumer === 7));
    assert.deepEqual(consumer.lines, ["I am consumer #7"]);
  },
});

Deno.test({
  name: "interop: our pub_server feeds a pyzmq subscriber to topic 10001",
  ignore: !hasPyzmq,
  async fn() {
    const server = role("pubsub/pub_server.ts", "server", ["16251", "--interval", "5"]);
    try {
      const lines = await finished(python("sub", "16251", "5"));
      assert.equal(lines.length, 5);
      for (const l of lines) {
        assert.match(l, /^10001 -?\d+$/);
        assert.ok(server.lines.includes(l), `${l} was published`);
      }
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "interop: our pairserver talks with a pyzmq PAIR client",
  ignore: !hasPyzmq,
  async fn() {
    const server = role("pair/pairserver.ts", "server", [
      "--port",
      "16261",
      "--count",
      "3",
      "--interval",
      "0",
    ]);
    const lines = await finished(python("pairclient", "16261", "3"));
    await server.done;
    assert.deepEqual(lines, Array(3).fill("Server message to client3"));
    assert.deepEqual(
      server.lines,
      Array(3).fill(["client message to server1", "client message to server2"]).flat(),
    );
  },
});

Deno.test({
  name: "interop: our producer and resultcollector with the pyzmq tutorial consumer",
  ignore: !hasPyzmq,
  async fn() {
    const collector = role("pushpull/resultcollector.ts", "collector", [
      "--port",
      "16272",
      "--count",
      "151", // results: one per even item of the 301
    ]);
    const consumer = python("consumer", "16271", "16272", "301", "4365");
    const producer = role("pushpull/producer.ts", "producer", [
      "--port",
      "16271",
      "--count",
      "301",
    ]);
    await Promise.all([producer.done, collector.done]);
    assert.deepEqual(await finished(consumer), ["consumed 301"]);
    assert.deepEqual(producer.lines, []); // the tutorial's producer says nothing
    assert.deepEqual(collector.lines, ["{4365: 151}"]);
  },
});

Deno.test({
  name: "interop: multiprocess roles with pyzmq peers (server serves 5 and exits; client)",
  ignore: !hasPyzmq,
  async fn() {
    const server = role("multiprocess/server.ts", "server", ["--port", "16281"]);
    const lines = await finished(python("req", "16281", "5"));
    await server.done;
    assert.deepEqual(lines, [0, 1, 2, 3, 4].map((i) => `reply ${i} World from 16281`));
    assert.equal(server.lines.at(-1), "Received request #4: Hello");

    const a = python("rep", "16282", "2");
    const b = python("rep", "16284", "2");
    const client = role("multiprocess/client.ts", "client", [
      "--host",
      "127.0.0.1",
      "--ports",
      "16282,16284",
      "--count",
      "4",
      "--interval",
      "0",
    ]);
    await client.done;
    await Promise.all([finished(a), finished(b)]);
    const from = client.lines.filter((l) => l.startsWith("Received reply"))
      .map((l) => /World from (\d+)/.exec(l)![1]);
    assert.deepEqual(from.sort(), ["16282", "16282", "16284", "16284"]);
  },
});

/** Starts our streamer_device on `front`/`back` and waits until it is bound. */
async function streamerDevice(front: number, back: number): Promise<RoleHandle> {
  let bound!: () => void;
  const up = new Promise<void>((resolve) => bound = resolve);
  const device = startRole(example("streamer_device/streamer_device.ts"), {
    name: "device",
    args: ["--frontend", String(front), "--backend", String(back)],
    onLine: (l) => l.startsWith("Streamer device:") && bound(),
  });
  await Promise.race([up, device.done]);
  return device;
}

Deno.test({
  name: "interop: our task_feeder's JSON tasks, through our streamer, to the pyzmq task_worker",
  ignore: !hasPyzmq,
  async fn() {
    const [front, back] = freePorts(2);
    const device = await streamerDevice(front, back);
    try {
      const worker = python("task_worker", String(back), "10", "8113");
      const feeder = role("streamer_device/task_feeder.ts", "feeder", [
        "--port",
        String(front),
        "--count",
        "10",
        "--interval",
        "0",
      ]);
      await feeder.done;
      const lines = await finished(worker); // recv_json on every message: a crash fails here
      assert.equal(lines[0], "I am consumer #8113");
      assert.deepEqual(
        lines.slice(1),
        [...Array(10).keys()].map((n) => `{'consumer': 8113, 'num': ${n}}`),
      );
    } finally {
      await device.stop();
    }
  },
});

Deno.test({
  name:
    "interop: the pyzmq task_feeder's send_json tasks, through our streamer, to our task_worker",
  ignore: !hasPyzmq,
  async fn() {
    const [front, back] = freePorts(2);
    const device = await streamerDevice(front, back);
    try {
      const worker = role("streamer_device/task_worker.ts", "worker", [
        "--port",
        String(back),
        "--id",
        "8113",
        "--count",
        "10",
      ]);
      await finished(python("task_feeder", String(front), "10"));
      await worker.done;
      assert.deepEqual(worker.lines, [
        "I am consumer #8113",
        ...[...Array(10).keys()].map((n) => `{'num': ${n}, 'consumer': 8113}`),
      ]);
    } finally {
      await device.stop();
    }
  },
});

Deno.test({
  name: "interop: our producer waits for two pyzmq tutorial consumers, sending them nothing else",
  ignore: !hasPyzmq,
  async fn() {
    const [work, results] = freePorts(2);
    const collector = role("pushpull/resultcollector.ts", "collector", [
      "--port",
      String(results),
      "--count",
      "50",
    ]);
    const producer = role("pushpull/producer.ts", "producer", [
      "--port",
      String(work),
      "--count",
      "100",
      "--consumers",
      "2",
      "--wait",
      "20000",
    ]);
    // each pyzmq consumer calls recv_json on every message and exits after exactly 50 of the
    // 100 items: a handshake frame on the work socket would crash one, or leave one short
    const consumers = [11, 22].map((id) =>
      python("consumer", String(work), String(results), "50", String(id))
    );
    await producer.done;
    for (const c of consumers) assert.deepEqual(await finished(c), ["consumed 50"]);
    await collector.done;
    assert.deepEqual(producer.lines, [
      `Waiting for 2 consumers on tcp://127.0.0.1:${work}...`,
      "2 consumers connected",
    ]);
    const dict = /^\{(.*)\}$/.exec(collector.lines[0]);
    assert.ok(dict, collector.lines.join("\n"));
    const counts = dict[1].split(", ").map((e) => e.split(": ").map(Number));
    assert.ok(counts.every(([id]) => id === 11 || id === 22), collector.lines[0]);
    assert.equal(counts.reduce((sum, [, n]) => sum + n, 0), 50);
  },
});
