// The zmq command line end to end: each test runs `zmq` in subprocesses against pyzmq peers
// (tests/py/cli_peers.py, Debian's python3-zmq). Every endpoint is a random port.
import assert from "node:assert/strict";
import { Context } from "../mod.ts";
import { exits, noStack, Proc, withProcs, words, zmq } from "./_cli.ts";

const ep = (port: number) => `tcp://127.0.0.1:${port}`;
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

Deno.test("zmq send --type PUSH pipes stdin lines into a pyzmq PULL, and zmq recv gets them back", async () => {
  await withProcs(async (procs) => {
    const relay = Proc.python("relay", "4");
    procs.push(relay);
    const [, a, b] = (await relay.out.waitFor(/^ports (\d+) (\d+)$/m, "relay ports")).map(Number);
    const recv = Proc.zmq(["recv", "--connect", ep(b), "--count", "4", "--timeout", "30000"]);
    procs.push(recv);
    const input = "hello\nwörld\n\nlast line without a newline";
    const sent = await zmq(["send", "--type", "PUSH", "--connect", ep(a)], { stdin: input });
    exits(sent, 0, "zmq send");
    const got = await recv.end();
    exits(got, 0, "zmq recv");
    assert.equal(got.stdout, "hello\nwörld\n\nlast line without a newline\n");
    // what pyzmq received, byte for byte: one frame per line, UTF-8, the empty line empty
    const relayed = lines((await relay.end()).stdout).slice(1).map((l) => JSON.parse(l));
    const hex = (s: string) =>
      [...new TextEncoder().encode(s)].map((x) => x.toString(16).padStart(2, "0")).join("");
    assert.deepEqual(relayed, [[hex("hello")], [hex("wörld")], [""], [
      hex("last line without a newline"),
    ]]);
  });
});

Deno.test("zmq send/recv keep multipart frames and binary bytes with --separator and --format hex/base64", async () => {
  await withProcs(async (procs) => {
    const relay = Proc.python("relay", "2");
    procs.push(relay);
    const [, a, b] = (await relay.out.waitFor(/^ports (\d+) (\d+)$/m, "relay ports")).map(Number);
    const recv = Proc.zmq([
      "recv",
      "--connect",
      ep(b),
      "-n",
      "2",
      "--format",
      "base64",
      "-s",
      "|",
      "--timeout",
      "30000",
    ]);
    procs.push(recv);
    const sent = await zmq(["send", "--connect", ep(a), "--format", "hex", "--separator", "|"], {
      stdin: "00ff10|68690a\n|de\n",
    });
    exits(sent, 0, "zmq send");
    const got = await recv.end();
    exits(got, 0, "zmq recv");
    assert.equal(got.stdout, "AP8Q|aGkK\n|3g==\n"); // the same bytes, in base64
    const relayed = lines((await relay.end()).stdout).slice(1).map((l) => JSON.parse(l));
    assert.deepEqual(relayed, [["00ff10", "68690a"], ["", "de"]]);
  });
});

Deno.test("zmq req against a pyzmq REP prints each reply, from arguments and from stdin", async () => {
  await withProcs(async (procs) => {
    const rep = Proc.python("upper-rep", "3");
    procs.push(rep);
    const endpoint = ep(await rep.port());
    const a = await zmq(["req", endpoint, "hello", "wörld", "--timeout", "20000"]);
    exits(a, 0, "zmq req");
    assert.equal(a.stdout, "HELLO\nWöRLD\n"); // bytes.upper(): ASCII only, the ö bytes kept
    const b = await zmq(["req", endpoint, "--timeout", "20000"], { stdin: "from stdin\n" });
    exits(b, 0, "zmq req (stdin)");
    assert.equal(b.stdout, "FROM STDIN\n");
    exits(await rep.end(), 0, "python upper-rep");
  });
});

Deno.test("zmq recv --type SUB --subscribe 10001 against a pyzmq PUB gets only that topic", async () => {
  await withProcs(async (procs) => {
    const pub = Proc.python("pub");
    procs.push(pub);
    const endpoint = ep(await pub.port());
    const got = await zmq([
      "recv",
      "--type",
      "SUB",
      "--connect",
      endpoint,
      "--subscribe",
      "10001",
      "--count",
      "20",
      "--timeout",
      "30000",
    ]);
    exits(got, 0, "zmq recv");
    const received = lines(got.stdout);
    assert.equal(received.length, 20);
    for (const l of received) assert.match(l, /^10001 \d+$/);
    // the publisher did send the other topic in between: the filter, not chance, left it out
    const seq = received.map((l) => Number(l.split(" ")[1]));
    assert.ok(seq.every((k, i) => i === 0 || k > seq[i - 1]), `in order: ${seq}`);
    exits(await pub.end(), 0, "python pub");
  });
});

Deno.test("zmq keygen writes certificates pyzmq loads, and CURVE works with pyzmq both ways", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zmq-cli-certs-" });
  try {
    await withProcs(async (procs) => {
      const server = await zmq(["keygen", "server", "--dir", dir]);
      const client = await zmq(["keygen", "client", "--dir", dir]);
      exits(server, 0, "keygen server");
      exits(client, 0, "keygen client");
      const serverKey = server.stdout.trim(), clientKey = client.stdout.trim();
      assert.match(serverKey, /^.{40}$/);
      const loaded = await new Proc("python certs", "/usr/bin/python3", [
        new URL("./py/cli_peers.py", import.meta.url).pathname,
        "certs",
        dir,
        "server",
        "client",
      ]).end();
      exits(loaded, 0, "pyzmq load_certificate");
      assert.equal(loaded.stdout, `server ${serverKey} secret-ok\nclient ${clientKey} secret-ok\n`);
      const secrets = await Promise.all(["server", "client"].map(async (n) => {
        const text = await Deno.readTextFile(`${dir}/${n}.key_secret`);
        return /secret-key = "(.{40})"/.exec(text)![1];
      }));
      assert.equal((await Deno.stat(`${dir}/server.key_secret`)).mode! & 0o777, 0o600);
      await Deno.mkdir(`${dir}/clients`);
      await Deno.copyFile(`${dir}/client.key`, `${dir}/clients/client.key`);

      // our REQ client against a pyzmq CURVE server that lets in only our client key
      const py = Proc.python("curve-rep", dir, "1");
      procs.push(py);
      const pyEndpoint = ep(await py.port());
      const asked = await zmq([
        "req",
        pyEndpoint,
        "over curve",
        "--curve-server",
        `${dir}/server.key`,
        "--curve-keys",
        `${dir}/client.key_secret`,
        "--timeout",
        "20000",
      ]);
      exits(asked, 0, "zmq req --curve-server");
      assert.equal(asked.stdout, "OVER CURVE\n");
      exits(await py.end(), 0, "python curve-rep");

      // a pyzmq CURVE client against our REP server, which lets in only that client key
      const rep = Proc.zmq(
        words(
          `rep tcp://127.0.0.1:* --echo --count 1 --curve-keys ${dir}/server.key_secret --curve-allow ${dir}/clients`,
        ),
      );
      procs.push(rep);
      const ours = await rep.bound();
      // first a client with a key that is not allowed: refused, its request never arrives
      const stranger = await zmq([
        "req",
        ours,
        "let me in",
        "--curve-server",
        serverKey,
        "--timeout",
        "20000",
      ]);
      exits(stranger, 1, "zmq req with a key that is not allowed");
      assert.match(stranger.stderr, /handshake with .* failed: refused by the server/);
      const answer = await Proc.python("curve-req", ours, dir, "from pyzmq").end();
      exits(answer, 0, "python curve-req");
      assert.equal(answer.stdout, "from pyzmq\n");
      const served = await rep.end();
      exits(served, 0, "zmq rep --curve-keys");
      assert.equal(served.stdout, "from pyzmq\n");
      assert.match(served.stderr, /refused a peer/);
      for (const out of [server, client, asked, stranger, served]) {
        for (const s of secrets) {
          assert.ok(!(out.stdout + out.stderr).includes(s), "a secret key was printed");
        }
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("zmq req --plain logs in to a pyzmq PLAIN server; a wrong password fails at once, unprinted", async () => {
  await withProcs(async (procs) => {
    const py = Proc.python("plain-rep", "admin", "s3cret-pw", "1");
    procs.push(py);
    const endpoint = ep(await py.port());
    const wrong = await zmq(["req", endpoint, "hi", "--plain", "admin:not-the-pw"]);
    exits(wrong, 1, "zmq req --plain with a wrong password");
    assert.match(wrong.stderr, /refused by the server \(ZAP status 400/);
    assert.ok(!wrong.stderr.includes("not-the-pw"), "the password was printed");
    const right = await zmq(["req", endpoint, "hi", "--plain", "admin", "--timeout", "20000"], {
      env: { ZMQ_PASSWORD: "s3cret-pw" },
    });
    exits(right, 0, "zmq req --plain admin with $ZMQ_PASSWORD");
    assert.equal(right.stdout, "HI\n");
    exits(await py.end(), 0, "python plain-rep");
  });
});

Deno.test("a zmq server with --plain cuts off frames over 1 MiB, unless -o MAXMSGSIZE=-1", async () => {
  const big = String(2 * 1024 * 1024);
  const cases: [string[], string][] = [
    [[], "small\n"],
    [["-o", "MAXMSGSIZE=-1"], "x".repeat(2 * 1024 * 1024) + "\n"],
  ];
  for (const [extra, expected] of cases) {
    await withProcs(async (procs) => {
      const recv = Proc.zmq([
        ...words("recv --bind tcp://127.0.0.1:* --plain user:pw --count 1 --timeout 30000"),
        ...extra,
      ]);
      procs.push(recv);
      const endpoint = await recv.bound();
      // the big frame first, then a small one: after a cut-off, the PUSH reconnects and the
      // small one arrives, so what is printed first says which happened
      const push = Proc.python("plain-push", endpoint, "user", "pw", big);
      procs.push(push);
      const r = await recv.end();
      exits(r, 0, `zmq recv --plain ${extra.join(" ")}`);
      assert.equal(r.stdout.length, expected.length);
      assert.equal(r.stdout, expected);
    });
  }
});

Deno.test("zmq proxy queue carries a pyzmq client's requests to a pyzmq server and counts them", async () => {
  await withProcs(async (procs) => {
    const proxy = Proc.zmq(words(`proxy queue tcp://127.0.0.1:* tcp://127.0.0.1:* -i 100`));
    procs.push(proxy);
    const front = await proxy.bound(1);
    const back = await proxy.bound(2);
    const server = Proc.python("upper-rep-connect", back, "5");
    procs.push(server);
    const client = await Proc.python("req", front, "5").end();
    exits(client, 0, "python req through the queue");
    assert.deepEqual(lines(client.stdout), [0, 1, 2, 3, 4].map((i) => `REQUEST ${i}`));
    exits(await server.end(), 0, "python server behind the queue");
    // the counts line: 5 requests in at the front; the libzmq of npm:zeromq counts frames (3
    // per request through a ROUTER), Debian's (DENO_ZMQ_LIBRARY) messages
    await proxy.out.waitFor(/front->back (5|15) msg/, "proxy counts");
    proxy.kill("SIGINT");
    const done = await proxy.end();
    exits(done, 130, "zmq proxy after Ctrl-C");
    noStack(done.stderr, "zmq proxy");
    assert.ok(!done.stdout.includes("\r"), "piped output must be plain lines");
    const last = lines(done.stdout).at(-1)!;
    assert.match(last, /^front->back (5|15) msg, \d+ B .*\| back->front (5|15) msg/);
  });
});

Deno.test("zmq rep --exec answers a pyzmq REQ client with the command's output", async () => {
  await withProcs(async (procs) => {
    const rep = Proc.zmq([
      "rep",
      "tcp://127.0.0.1:*",
      "--exec",
      "tr a-z A-Z; echo done",
      "-n",
      "2",
    ]);
    procs.push(rep);
    const endpoint = await rep.bound();
    const client = await Proc.python("req", endpoint, "2").end();
    exits(client, 0, "python req");
    assert.equal(client.stdout, "REQUEST 0\ndone\nREQUEST 1\ndone\n");
    const served = await rep.end();
    exits(served, 0, "zmq rep --exec");
    assert.equal(served.stdout, "request 0\nrequest 1\n");
  });
});

Deno.test("zmq monitor prints a socket's events as JSON lines as they happen", async () => {
  await withProcs(async (procs) => {
    const rep = Proc.python("upper-rep", "1");
    procs.push(rep);
    const endpoint = ep(await rep.port());
    const r = await zmq([
      "monitor",
      "--connect",
      endpoint,
      "--json",
      "-e",
      "connected",
      "-e",
      "handshake_succeeded",
      "--count",
      "2",
      "--timeout",
      "30000",
    ]);
    exits(r, 0, "zmq monitor");
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => [e.event, e.endpoint]), [
      ["connected", endpoint],
      ["handshake_succeeded", endpoint],
    ]);
    assert.ok(!Number.isNaN(Date.parse(events[0].time)));
    rep.kill();
  });
});

Deno.test("Ctrl-C ends zmq recv with exit code 130 after what it printed, without a stack", async () => {
  await withProcs(async (procs) => {
    const recv = Proc.zmq(["recv", "--bind", "tcp://127.0.0.1:*"]);
    procs.push(recv);
    const endpoint = await recv.bound();
    using ctx = new Context({ linger: 0 });
    using push = ctx.socket("PUSH");
    push.connect(endpoint);
    await push.send("before Ctrl-C", { timeout: 20_000 });
    await recv.out.waitFor(/before Ctrl-C\n/, "zmq recv output");
    recv.kill("SIGINT");
    const r = await recv.end();
    exits(r, 130, "zmq recv after Ctrl-C");
    assert.equal(r.stdout, "before Ctrl-C\n");
    noStack(r.stderr, "zmq recv");
  });
});

Deno.test("zmq send --timeout gives up with exit 1 when no peer takes the message", async () => {
  using ctx = new Context({ linger: 0 });
  using holder = ctx.socket("PULL"); // a port nobody answers ZeroMQ on while we hold it closed
  const port = holder.bindToRandomPort();
  holder.unbind(`tcp://127.0.0.1:${port}`);
  const t0 = Date.now();
  const r = await zmq([
    "send",
    "--connect",
    ep(port),
    "--timeout",
    "300",
    "-o",
    "IMMEDIATE=1",
    "x",
  ]);
  exits(r, 1, "zmq send to nobody");
  assert.match(r.stderr, /^zmq send: message 1 could not be sent within 300 ms/);
  assert.ok(Date.now() - t0 < 20_000);
});

Deno.test("zmq req and recv with --timeout end when it runs out, even with no peer ever (nothing lingers for ever)", async () => {
  // a port nobody listens on: the request (and a SUB's subscription) stay queued, and the end
  // of the command waited for them under LINGER -1, for ever
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const req = await zmq(["req", ep(port), "hello", "--timeout", "200"], { ms: 15_000 });
  exits(req, 1, "zmq req --timeout with no server");
  assert.match(req.stderr, /no reply to request 1 within 200 ms/);
  noStack(req.stderr, "zmq req");
  const recv = await zmq(
    ["recv", "--connect", ep(port), "--type", "SUB", "--timeout", "200"],
    { ms: 15_000 },
  );
  exits(recv, 0, "zmq recv --type SUB --timeout with no publisher");
  noStack(recv.stderr, "zmq recv");
});
