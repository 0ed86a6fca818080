// Socket monitor events: order of a connect/close, stopping, closing under an iteration, and
// awaiting "connected" before sending. Every wait is bounded by an event or a guard timer.
import assert from "node:assert/strict";
import {
  connectAndWait,
  Context,
  monitor,
  type MonitorEvent,
  type MonitorEventName,
  type SocketMonitor,
  waitForEvent,
} from "../mod.ts";
import { ProxyLease } from "../core/proxy_lease.ts";
import { freePorts, rejectsWith, throwsWith, within } from "./_util.ts";

/** Reads events until `last` (inclusive); fails if it does not come within `ms`. */
async function until(mon: SocketMonitor, last: MonitorEventName, ms = 5000) {
  const seen: MonitorEvent[] = [];
  const timer = setTimeout(() => void mon.close(), ms); // ends the iteration: the test fails
  try {
    for (;;) {
      const r = await mon.next();
      assert.ok(!r.done, `no ${last} event within ${ms} ms; saw ${names(seen)}`);
      seen.push(r.value);
      if (r.value.event === last) return seen;
    }
  } finally {
    clearTimeout(timer);
  }
}

function names(events: MonitorEvent[]): string {
  return events.map((e) => e.event).join(", ");
}

function indexOf(events: MonitorEvent[], name: MonitorEventName): number {
  const i = events.findIndex((e) => e.event === name);
  assert.ok(i >= 0, `no ${name} in ${names(events)}`);
  return i;
}

Deno.test("monitor: connect then close shows connected, accepted, handshake, disconnected in order", async () => {
  using ctx = new Context();
  using server = ctx.socket("PULL");
  const client = ctx.socket("PUSH");
  await using sm = monitor(server);
  const cm = monitor(client);
  const port = server.bindToRandomPort();
  const endpoint = `tcp://127.0.0.1:${port}`;
  client.connect(endpoint);

  const clientSeen = await until(cm, "handshake_succeeded");
  assert.ok(indexOf(clientSeen, "connected") < indexOf(clientSeen, "handshake_succeeded"));
  assert.ok(clientSeen.every((e) => e.endpoint === endpoint), JSON.stringify(clientSeen));

  const serverSeen = await until(sm, "handshake_succeeded");
  assert.equal(serverSeen[0].event, "listening");
  assert.ok(indexOf(serverSeen, "listening") < indexOf(serverSeen, "accepted"));
  assert.ok(indexOf(serverSeen, "accepted") < indexOf(serverSeen, "handshake_succeeded"));
  assert.ok(serverSeen[indexOf(serverSeen, "accepted")].value > 0); // the accepted fd

  await client.send("through");
  assert.equal(await server.recvString(), "through");

  client.close();
  const after = await until(sm, "disconnected");
  assert.equal(after.at(-1)!.endpoint, endpoint);
  // the client's monitor ends by itself once its socket is closed
  const rest: MonitorEvent[] = [];
  for await (const e of cm) rest.push(e);
  assert.equal(rest.at(-1)?.event, "monitor_stopped", names(rest));
  assert.equal(cm.closed, true);
});

Deno.test("monitor: a filter passes only the named events", async () => {
  using ctx = new Context();
  using server = ctx.socket("REP");
  using client = ctx.socket("REQ");
  await using mon = monitor(client, ["handshake_succeeded"]);
  client.connect(`tcp://127.0.0.1:${server.bindToRandomPort()}`);
  const r = await mon.next();
  assert.equal(r.done, false);
  assert.equal((r.value as MonitorEvent).event, "handshake_succeeded");
});

Deno.test("monitor: closing the socket while a next() is pending ends the iteration", async () => {
  using ctx = new Context();
  const sock = ctx.socket("DEALER");
  const mon = monitor(sock, "connected");
  const pending = mon.next(); // nothing will connect
  sock.close();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(mon.closed, true);
  await mon.close(); // harmless afterwards
});

Deno.test("monitor: closing the context while iterating ends the iteration", async () => {
  const ctx = new Context();
  const sock = ctx.socket("ROUTER");
  const mon = monitor(sock);
  const seen: string[] = [];
  const { promise: listening, resolve } = Promise.withResolvers<void>();
  const loop = (async () => {
    for await (const e of mon) {
      seen.push(e.event);
      if (e.event === "listening") resolve();
    }
  })();
  sock.bindToRandomPort();
  await listening;
  await ctx.terminate({ linger: 0 });
  await loop; // ends: the context closed the monitor's own socket too
  assert.equal(mon.closed, true);
  assert.ok(seen.includes("listening"), seen.join(", "));
});

Deno.test("monitor: close() stops it, and a new monitor of the same socket works", async () => {
  using ctx = new Context();
  using server = ctx.socket("PULL");
  using client = ctx.socket("PUSH");
  const port = server.bindToRandomPort();
  const first = monitor(client);
  const pending = first.next();
  await first.close();
  assert.deepEqual(await pending, { value: undefined, done: true });
  // break in for-await closes too
  const second = monitor(client);
  client.connect(`tcp://127.0.0.1:${port}`);
  let got: MonitorEvent | undefined;
  for await (const e of second) {
    if (e.event === "connected") {
      got = e;
      break;
    }
  }
  assert.equal(got?.event, "connected");
  assert.equal(second.closed, true);
});

Deno.test("monitor: a new monitor right after an unawaited close() still gets events", async () => {
  using ctx = new Context();
  using server = ctx.socket("PULL");
  using client = ctx.socket("PUSH");
  const port = server.bindToRandomPort();
  const first = monitor(client);
  const closing = first.close(); // not awaited: the old loop ends after the new monitor starts
  await using second = monitor(client, "handshake_succeeded");
  await closing;
  client.connect(`tcp://127.0.0.1:${port}`);
  await until(second, "handshake_succeeded");
});

Deno.test("monitor: a burst of unread events does not stall the thread that emits them", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fixtures/monitor_burst.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // a bound on a hang, not a measure: the fixture takes well under a second
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "listening events 1500");
  } finally {
    clearTimeout(guard);
  }
});

Deno.test("monitor: two monitors of one socket both see the events", async () => {
  using ctx = new Context();
  using server = ctx.socket("PULL");
  using client = ctx.socket("PUSH");
  await using a = monitor(client);
  await using b = monitor(client, "handshake_succeeded");
  client.connect(`tcp://127.0.0.1:${server.bindToRandomPort()}`);
  await until(a, "handshake_succeeded");
  await until(b, "handshake_succeeded");
});

Deno.test("waitForEvent / connectAndWait: await the connection before sending", async () => {
  using ctx = new Context();
  using server = ctx.socket("PULL");
  using client = ctx.socket("PUSH");
  const port = server.bindToRandomPort();
  const up = await connectAndWait(client, `tcp://127.0.0.1:${port}`, { timeout: 5000 });
  assert.equal(up.event, "handshake_succeeded");
  assert.equal(up.endpoint, `tcp://127.0.0.1:${port}`);
  // the pipe is up: a zero-timeout send is taken at once
  await client.send("now", { timeout: 0 });
  assert.equal(await server.recvString(), "now");

  using other = ctx.socket("PUSH");
  const connected = waitForEvent(other, "connected", { timeout: 5000 });
  other.connect(`tcp://127.0.0.1:${port}`);
  assert.equal((await connected).event, "connected");
});

Deno.test("waitForEvent: times out with EAGAIN, aborts with the reason, ends with ECLOSED", async () => {
  using ctx = new Context();
  using sock = ctx.socket("DEALER");
  // nothing listens on this port: "connected" never comes
  sock.setOption("RECONNECT_IVL", 10);
  sock.connect("tcp://127.0.0.1:20999");
  const e = await rejectsWith(waitForEvent(sock, "connected", { timeout: 50 }), "EAGAIN");
  assert.match(e.message, /connected/);

  const controller = new AbortController();
  const aborted = waitForEvent(sock, "connected", { signal: controller.signal });
  controller.abort(new Error("stop waiting"));
  await assert.rejects(aborted, /stop waiting/);

  const sock2 = ctx.socket("DEALER");
  const closed = waitForEvent(sock2, "connected");
  sock2.close();
  await rejectsWith(closed, "ECLOSED");
});

Deno.test("monitor: bad arguments are typed errors", async () => {
  using ctx = new Context();
  const sock = ctx.socket("PAIR");
  throwsWith(() => monitor(sock, "conected" as MonitorEventName), "EBADVALUE");
  throwsWith(() => monitor(sock, [] as MonitorEventName[]), "EBADVALUE");
  throwsWith(() => monitor({} as typeof sock), "EINVAL");
  await rejectsWith(waitForEvent(sock, "nope" as MonitorEventName), "EBADVALUE");
  await rejectsWith(waitForEvent(sock, "connected", { timeout: -5 }), "EBADVALUE");
  await rejectsWith(
    connectAndWait(sock, "tcp://127.0.0.1:1", { until: "listening" as "connected" }),
    "EBADVALUE",
  );
  await rejectsWith(connectAndWait(sock, "nonsense://x", { timeout: 1000 }), "EPROTONOSUPPORT");
  sock.close();
  throwsWith(() => monitor(sock), "ECLOSED");
  await rejectsWith(waitForEvent(sock, "connected"), "ECLOSED");
});

Deno.test("monitor: a socket held by a proxy cannot be monitored anew (EBUSY); its monitor drains", async () => {
  using ctx = new Context();
  using frontend = ctx.socket("PULL");
  using backend = ctx.socket("PUSH");
  const first = monitor(frontend);
  const lease = new ProxyLease(frontend, backend);
  await first.close(); // libzmq's monitor cannot be stopped from here: it is drained instead
  assert.equal(first.closed, true);
  throwsWith(() => monitor(frontend), "EBUSY");
  lease.release();
  // monitoring again replaces libzmq's monitor, which ends the drained one
  await using again = monitor(frontend, "listening");
  frontend.bindToRandomPort();
  await until(again, "listening");
});

Deno.test("monitor events name their value: fd, interval (a union discriminated by event)", async () => {
  using ctx = new Context({ linger: 0 });
  using rep = ctx.socket("REP");
  using req = ctx.socket("REQ");
  await using listening = monitor(rep, "listening");
  const port = rep.bindToRandomPort();
  const bound = await within(listening.next(), 5000, "listening");
  assert.equal(bound.done, false);
  const l = bound.value as MonitorEvent<"listening">;
  assert.equal(l.event, "listening");
  assert.ok(l.fd > 0);
  assert.equal(l.fd, l.value);
  const accepted = waitForEvent(rep, "accepted", { timeout: 5000 });
  const connected = await connectAndWait(req, `tcp://127.0.0.1:${port}`, {
    timeout: 5000,
    until: "connected",
  });
  assert.equal(connected.event, "connected");
  if (connected.event !== "connected") throw new Error("unreachable");
  assert.ok(connected.fd > 0 && connected.fd === connected.value);
  const a = await accepted;
  assert.ok(a.fd > 0 && a.fd === a.value);
  // nobody listens on this port: libzmq retries at RECONNECT_IVL
  using lonely = ctx.socket("DEALER");
  lonely.setOption("RECONNECT_IVL", 150);
  const [free] = freePorts(1);
  const retried = waitForEvent(lonely, "connect_retried", { timeout: 5000 });
  lonely.connect(`tcp://127.0.0.1:${free}`);
  const r = await retried;
  assert.equal(r.interval, r.value);
  assert.ok(r.interval >= 150, `reconnect interval ${r.interval}`);
  assert.equal("fd" in r, false); // only the field that names this event's value
});
