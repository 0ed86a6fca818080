// Monitor events of version 2 (zmq_socket_monitor_versioned): every event type this machine
// can provoke, with its values and both addresses, pipes_stats on request, monitor_stopped, and
// one format per socket. Each wait ends on an event; a guard closes the monitor (failing the
// test by name) if one does not come.
import assert from "node:assert/strict";
import {
  Authenticator,
  connectAndWait,
  Context,
  makePlainClient,
  makePlainServer,
  monitor,
  type MonitorEvent,
  type MonitorEventName,
  requestPipesStats,
  type SocketMonitor,
  waitForEvent,
} from "../mod.ts";
import { greeting } from "../fuzz/_zmtp.ts";
import { runFixture, throwsWith, within } from "./_util.ts";

/** Reads events until `last` (inclusive); fails if it does not come within `ms`. */
async function until(mon: SocketMonitor, last: MonitorEventName, ms = 5000) {
  const seen: MonitorEvent[] = [];
  const timer = setTimeout(() => void mon.close(), ms);
  try {
    for (;;) {
      const r = await mon.next();
      assert.ok(!r.done, `no ${last} within ${ms} ms; saw ${seen.map((e) => e.event).join(", ")}`);
      seen.push(r.value);
      if (r.value.event === last) return seen;
    }
  } finally {
    clearTimeout(timer);
  }
}

function find(events: MonitorEvent[], name: MonitorEventName): MonitorEvent {
  const e = events.find((x) => x.event === name);
  assert.ok(e, `no ${name} in ${events.map((x) => x.event).join(", ")}`);
  return e;
}

Deno.test("v2: a connection's events on both sides, with values and both addresses", async () => {
  await using ctx = new Context({ linger: 0 });
  using server = ctx.socket("ROUTER");
  const client = ctx.socket("DEALER");
  await using sm = monitor(server, undefined, { version: 2 });
  const cm = monitor(client, undefined, { version: 2 });
  const port = server.bindToRandomPort();
  const endpoint = `tcp://127.0.0.1:${port}`;
  client.connect(endpoint);

  const clientSeen = await until(cm, "handshake_succeeded");
  const delayed = find(clientSeen, "connect_delayed");
  assert.deepEqual([delayed.local, delayed.remote], ["", endpoint]);
  const connected = find(clientSeen, "connected");
  assert.equal(connected.remote, endpoint);
  assert.match(connected.local!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(connected.value > 0 && connected.values!.length === 1); // the fd
  assert.equal(connected.event === "connected" && connected.fd, connected.value); // named too
  assert.equal(connected.endpoint, endpoint); // the remote one where there is one

  const serverSeen = await until(sm, "handshake_succeeded");
  const listening = find(serverSeen, "listening");
  assert.deepEqual([listening.local, listening.remote], [endpoint, ""]);
  const accepted = find(serverSeen, "accepted");
  assert.equal(accepted.local, endpoint);
  assert.equal(accepted.remote, connected.local); // the client's own address, seen from here
  assert.deepEqual(find(serverSeen, "handshake_succeeded").values, [0]);

  client.close();
  const gone = await until(sm, "disconnected");
  assert.equal(gone.at(-1)!.remote, connected.local);
  await cm.close();

  server.unbind(endpoint);
  const closed = await until(sm, "closed");
  assert.equal(closed.at(-1)!.local, endpoint);
});

Deno.test("v2: connect_retried says the interval, bind_failed the errno", async () => {
  await using ctx = new Context({ linger: 0 });
  using holder = ctx.socket("PULL");
  const port = holder.bindToRandomPort();
  holder.unbind(`tcp://127.0.0.1:${port}`); // nobody listens there now
  using push = ctx.socket("PUSH");
  push.setOption("RECONNECT_IVL", 50);
  await using pm = monitor(push, ["connect_delayed", "connect_retried"], { version: 2 });
  push.connect(`tcp://127.0.0.1:${port}`);
  const retried = (await until(pm, "connect_retried")).at(-1)!;
  assert.ok(retried.value >= 50 && retried.value < 100, `${retried.value}`); // + libzmq's jitter
  assert.equal(retried.remote, `tcp://127.0.0.1:${port}`);

  using taken = ctx.socket("PULL");
  const busy = taken.bindToRandomPort();
  using other = ctx.socket("PULL");
  await using om = monitor(other, "bind_failed", { version: 2 });
  throwsWith(() => other.bind(`tcp://127.0.0.1:${busy}`), "EADDRINUSE");
  const failed = (await until(om, "bind_failed")).at(-1)!;
  assert.equal(failed.value, 98); // EADDRINUSE
  assert.equal(failed.local, `127.0.0.1:${busy}`); // libzmq says it without "tcp://" here
});

Deno.test("v2: handshake failures: protocol (a wrong mechanism), no detail (a peer that left), auth", async () => {
  await using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  pull.setOption("HANDSHAKE_IVL", 2000);
  await using events = monitor(
    pull,
    ["handshake_failed_protocol", "handshake_failed_no_detail"],
    { version: 2 },
  );
  const port = pull.bindToRandomPort();

  // a greeting asking for PLAIN from a NULL server: a protocol error
  const wrong = await Deno.connect({ hostname: "127.0.0.1", port });
  await wrong.write(greeting("PLAIN"));
  const protocol = (await until(events, "handshake_failed_protocol")).at(-1)!;
  assert.equal(protocol.value, 0x11000002); // ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
  assert.match(protocol.remote!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  wrong.close();

  // half a greeting, then gone: the connection failed before the handshake could
  const half = await Deno.connect({ hostname: "127.0.0.1", port });
  await half.write(greeting("NULL").subarray(0, 20));
  half.close();
  const noDetail = (await until(events, "handshake_failed_no_detail")).at(-1)!;
  assert.ok(noDetail.value > 0, "an errno");

  await using auth = await new Authenticator(ctx).start();
  auth.configurePlain({ passwords: { admin: "secret" } });
  using guarded = ctx.socket("PULL");
  makePlainServer(guarded);
  await using gm = monitor(guarded, "handshake_failed_auth", { version: 2 });
  const gport = guarded.bindToRandomPort();
  using intruder = ctx.socket("PUSH");
  makePlainClient(intruder, "admin", "guess");
  intruder.connect(`tcp://127.0.0.1:${gport}`);
  const refused = (await until(gm, "handshake_failed_auth")).at(-1)!;
  assert.deepEqual(refused.values, [400]); // the ZAP status code
});

Deno.test("v2: pipes_stats on request: the queues of each connection", async () => {
  await using ctx = new Context({ linger: 0 });
  using router = ctx.socket("ROUTER");
  using dealer = ctx.socket("DEALER");
  await using events = monitor(dealer, "pipes_stats", { version: 2 });
  assert.equal(requestPipesStats(dealer), false); // no connection yet: nothing to report
  const port = router.bindToRandomPort();
  await connectAndWait(dealer, `tcp://127.0.0.1:${port}`, { timeout: 5000 }); // on the v2 hub
  // The answers come back through the socket's command queue: a pending receive keeps the
  // socket reading it (an idle socket reports once any operation runs on it).
  const pending = dealer.recv().catch(() => null);
  assert.equal(requestPipesStats(dealer), true);
  const stats = (await until(events, "pipes_stats")).at(-1)!;
  assert.equal(stats.event, "pipes_stats");
  assert.equal(stats.values!.length, 2); // queued towards the peer, queued from it
  // the union names both: egress (also the value) and ingress
  assert.deepEqual([stats.egress, stats.ingress], stats.values);
  assert.equal(stats.value, stats.egress);
  assert.equal(stats.remote, `tcp://127.0.0.1:${port}`);
  dealer.close();
  assert.equal(await within(pending, 5000, "the pending receive"), null);
});

Deno.test("v2: monitor_stopped when the socket closes, then the iteration ends", async () => {
  await using ctx = new Context({ linger: 0 });
  const pair = ctx.socket("PAIR");
  const events = monitor(pair, "monitor_stopped", { version: 2 });
  pair.close();
  const seen = await until(events, "monitor_stopped");
  assert.deepEqual(seen.map((e) => [e.event, e.local, e.remote]), [["monitor_stopped", "", ""]]);
  assert.equal((await within(events.next(), 5000, "the end")).done, true);
});

Deno.test("v2: one format per socket; waitForEvent uses whichever is running", async () => {
  await using ctx = new Context({ linger: 0 });
  using rep = ctx.socket("REP");
  using req = ctx.socket("REQ");
  const port = rep.bindToRandomPort();
  const v2 = monitor(req, undefined, { version: 2 });
  throwsWith(() => monitor(req), "EBUSY");
  const up = waitForEvent(req, "handshake_succeeded", { timeout: 5000 });
  req.connect(`tcp://127.0.0.1:${port}`);
  const e = await up;
  assert.equal(e.remote, `tcp://127.0.0.1:${port}`); // seen through the version 2 monitor
  await v2.close();
  await using v1 = monitor(req); // free again once the version 2 monitors are closed
  assert.equal(v1.closed, false);
});

Deno.test("v2: accept_failed when the process has no descriptor left for a connection", async () => {
  const r = await runFixture("monitor_accept_failed.ts", {
    prefix: ["prlimit", "--nofile=256"],
    timeout: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.equal(out.event, "accept_failed");
  assert.equal(out.value, 24); // EMFILE
  assert.match(out.local, /^tcp:\/\/127\.0\.0\.1:\d+$/);
});
