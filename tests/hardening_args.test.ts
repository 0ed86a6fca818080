// Regression tests for the argument findings of issue 10: every asynchronous method rejects
// (never throws) and every bad argument is a ZmqError with a code (10.13); numeric options are
// range-checked with the range in the error and never wrap (10.9); no error text or inspection
// output shows a secret key or a PLAIN password (10.7).
import assert from "node:assert/strict";
import {
  connectAndWait,
  Context,
  curveKeypair,
  curveKeyToZ85,
  curvePublic,
  POLLIN,
  SOCKET_OPTIONS,
  type SocketOptionName,
  waitForEvent,
  ZmqError,
} from "../mod.ts";
import { rejectsWith as rejectsWithCode, throwsWith } from "./_util.ts";

/** Calls `call`; it must not throw but answer a promise that rejects with a ZmqError `code`. */
async function rejectsNotThrows(call: () => unknown, code: string, what: string) {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    assert.fail(`${what}: threw synchronously (${e}) instead of rejecting`);
  }
  assert.ok(result instanceof Promise, `${what}: did not answer a promise`);
  try {
    await result;
  } catch (e) {
    assert.ok(e instanceof ZmqError, `${what}: rejected with ${e}, not a ZmqError`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return;
  }
  assert.fail(`${what}: resolved instead of rejecting`);
}

Deno.test("async methods reject with typed errors for bad options and signals (10.13)", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://ha-args");
  push.connect("inproc://ha-args");
  const notSignal = {} as AbortSignal;
  const bad: [string, () => unknown][] = [
    ["recv(null)", () => pull.recv(null as never)],
    ["recv(5)", () => pull.recv(5 as never)],
    ["recv({ signal: {} })", () => pull.recv({ signal: notSignal })],
    ["recv({ timeout: 'soon' })", () => pull.recv({ timeout: "soon" as never })],
    ["recvMultipart(null)", () => pull.recvMultipart(null as never)],
    ["recvString(null)", () => pull.recvString(null as never)],
    ["recvJson({ signal: 1 })", () => pull.recvJson({ signal: 1 as never })],
    ["send(bytes, null)", () => push.send(new Uint8Array(1), null as never)],
    ["send('x', { signal: {} })", () => push.send("x", { signal: notSignal })],
    ["sendMultipart(['x'], 'fast')", () => push.sendMultipart(["x"], "fast" as never)],
    ["sendJson({}, [])", () => push.sendJson({}, [] as never)],
    ["poll(POLLIN, 10, {})", () => pull.poll(POLLIN, 10, notSignal)],
    ["poll(POLLIN, -5)", () => pull.poll(POLLIN, -5)],
    ["waitForEvent(sock, 'connected', null)", () => waitForEvent(pull, "connected", null as never)],
    [
      "waitForEvent(sock, 'connected', { signal: {} })",
      () => waitForEvent(pull, "connected", { signal: notSignal }),
    ],
    [
      "connectAndWait(sock, endpoint, null)",
      () => connectAndWait(push, "inproc://ha-args", null as never),
    ],
    ["ctx.terminate(null)", () => new Context().terminate(null as never)],
  ];
  for (const [what, call] of bad) await rejectsNotThrows(call, "EBADVALUE", what);
  // the sockets still work
  await push.send("still fine");
  assert.equal(await pull.recvString({ timeout: 5000 }), "still fine");
});

Deno.test("constructors and synchronous methods throw ZmqErrors for bad arguments (10.13)", () => {
  throwsWith(() => new Context(null as never), "EBADVALUE");
  throwsWith(() => new Context(5 as never), "EBADVALUE");
  throwsWith(() => new Context({ linger: "long" as never }), "EBADVALUE");
  // a misspelt field was left out without a word: the context got 1 I/O thread, not 4
  const e = throwsWith(() => new Context({ ioThread: 4 } as never), "EBADVALUE");
  assert.match(e.message, /no field "ioThread"; they are ioThreads, maxSockets, linger/);
  using ctx = new Context();
  const s = ctx.socket("PAIR");
  throwsWith(() => s.close(null as never), "EBADVALUE");
  throwsWith(() => ctx.close(null as never), "EBADVALUE");
  s.close();
});

Deno.test("numeric options: the allowed range is in the error, nothing wraps (10.9)", () => {
  // context options that used to abort the process (std::length_error) or be a TypeError
  const big = throwsWith(() => new Context({ maxSockets: 2147483645 }), "EINVAL");
  assert.match(big.message, /1 to 65535/);
  using ctx = new Context();
  const e = throwsWith(() => ctx.setOption("IO_THREADS", 1e10), "EBADVALUE");
  assert.match(e.message, /0 to 64/);
  throwsWith(() => ctx.setOption("IO_THREADS", 65), "EINVAL");
  throwsWith(() => ctx.setOption("MAX_SOCKETS", 0), "EINVAL");
  throwsWith(() => ctx.setOption("SOCKET_LIMIT", 5), "EREADONLY");
  throwsWith(() => ctx.setOption("BLOCKY", 2), "EBADVALUE");
  ctx.setOption("MAX_SOCKETS", 65535);
  using s = ctx.socket("DEALER");
  // MAXMSGSIZE 2^64 + 1000 used to be read back as 1000
  throwsWith(() => s.setOption("MAXMSGSIZE", 2n ** 64n + 1000n), "EBADVALUE");
  throwsWith(() => s.setOption("MAXMSGSIZE", 2n ** 63n), "EBADVALUE");
  throwsWith(() => s.setOption("AFFINITY", -1n), "EBADVALUE");
  assert.equal(s.getOption("MAXMSGSIZE"), -1n);
  s.setOption("MAXMSGSIZE", 2n ** 63n - 1n);
  assert.equal(s.getOption("MAXMSGSIZE"), 2n ** 63n - 1n);
  // kernel limits libzmq does not check: such values made every connection fail silently
  const idle = throwsWith(() => s.setOption("TCP_KEEPALIVE_IDLE", 65536), "EINVAL");
  assert.match(idle.message, /-1 or 1 to 32767/);
  throwsWith(() => s.setOption("TCP_KEEPALIVE_CNT", 0), "EINVAL");
  throwsWith(() => s.setOption("TOS", 256), "EINVAL");
  throwsWith(() => s.setOption("HEARTBEAT_TTL", 6_553_600), "EINVAL");
  // every integer option: out-of-range values are ZmqErrors naming the option and the range
  for (const [name, spec] of Object.entries(SOCKET_OPTIONS)) {
    if (spec.kind !== "int" || !spec.set) continue;
    for (const value of [-(2 ** 31), 2 ** 31, 1e10, -2, 0.5, NaN]) {
      try {
        s.setOption(name as SocketOptionName, value as never);
      } catch (error) {
        assert.ok(error instanceof ZmqError, `${name} = ${value}: ${error}`);
        assert.ok(["EINVAL", "EBADVALUE"].includes(error.code), `${name} = ${value}`);
        assert.match(error.message, new RegExp(`Option ${name} takes an integer`));
        continue;
      }
      assert.ok(value === -2 || value === -(2 ** 31), `${name} accepted ${value}`);
    }
  }
});

/** Every way a secret may reach an error: its text must not show the secret or a part of it. */
function assertNoSecret(secrets: string[], texts: string[], what: string): void {
  for (const secret of secrets) {
    const part = secret.slice(4, 20);
    for (const t of texts) {
      assert.ok(!t.includes(part), `${what} shows a secret: ${t.slice(0, 200)}`);
    }
  }
}

function errorTexts(e: unknown): string[] {
  return [String(e), (e as Error).stack ?? "", Deno.inspect(e), JSON.stringify(e)];
}

Deno.test("no error message or inspection shows a CURVE secret key or PLAIN password (10.7)", () => {
  const { secretKey } = curveKeypair();
  const password = "correct horse battery staple " + crypto.randomUUID();
  const secrets = [secretKey, password];
  using ctx = new Context();
  using s = ctx.socket("DEALER");
  const closed = ctx.socket("DEALER");
  closed.close();
  const attempts: [string, () => unknown][] = [
    ["secret key with a newline", () => s.setOption("CURVE_SECRETKEY", secretKey + "\n")],
    ["secret key one short", () => s.setOption("CURVE_SECRETKEY", secretKey.slice(0, 39))],
    [
      "secret key as 33 bytes",
      () => s.setOption("CURVE_SECRETKEY", new TextEncoder().encode(secretKey.slice(0, 33))),
    ],
    ["secret key as the server key", () => s.setOption("CURVE_SERVERKEY", secretKey + "x")],
    ["secret key not Z85", () => s.setOption("CURVE_SECRETKEY", secretKey.slice(0, 39) + " ")],
    ["secret key on a closed socket", () => closed.setOption("CURVE_SECRETKEY", secretKey)],
    ["secret key as a ROUTING_ID", () => s.setOption("ROUTING_ID", secretKey.repeat(7))],
    ["secret key as an int option", () => s.setOption("SNDHWM", secretKey as never)],
    ["secret key as a bool option", () => s.setOption("IMMEDIATE", secretKey as never)],
    ["secret key as MAXMSGSIZE", () => s.setOption("MAXMSGSIZE", secretKey as never)],
    ["secret key as a context option", () => ctx.setOption("IO_THREADS", secretKey as never)],
    ["secret key with a newline, curveKeyToZ85", () => curveKeyToZ85(secretKey + "\n")],
    ["secret key one short, curvePublic", () => curvePublic(secretKey.slice(0, 39) + "~")],
    ["password too long", () => s.setOption("PLAIN_PASSWORD", password.repeat(20))],
    ["password as a number option", () => s.setOption("LINGER", password as never)],
    ["password as a frame", () => s.setOption("SUBSCRIBE", password)],
    ["password as an unknown option", () => s.setOption(password as "LINGER", 1)],
    ["password on a closed socket", () => closed.setOption("PLAIN_PASSWORD", password)],
  ];
  let errors = 0;
  for (const [what, attempt] of attempts) {
    try {
      attempt();
    } catch (e) {
      assert.ok(e instanceof ZmqError, `${what}: ${e}`);
      assertNoSecret(secrets, errorTexts(e), what);
      errors++;
    }
  }
  assert.equal(errors, attempts.length, "every attempt must fail");
  // a socket holding both, and its context, inspected
  s.setOption("CURVE_SECRETKEY", secretKey);
  s.setOption("PLAIN_PASSWORD", password);
  assertNoSecret(
    secrets,
    [Deno.inspect(s, { depth: 10, showHidden: true })],
    "Deno.inspect(socket)",
  );
  assertNoSecret(
    secrets,
    [Deno.inspect(ctx, { depth: 10, showHidden: true })],
    "Deno.inspect(ctx)",
  );
});

Deno.test("proxies and roles: bad arguments are ZmqErrors too (10.13)", async () => {
  const { startRole } = await import("../mod.ts");
  const { ProxyLease } = await import("../core/proxy_lease.ts");
  using ctx = new Context();
  using a = ctx.socket("PAIR");
  using b = ctx.socket("PAIR");
  throwsWith(() => new ProxyLease(a, undefined as never), "EBADVALUE");
  throwsWith(() => new ProxyLease(a, b, null as never), "EBADVALUE");
  throwsWith(() => new ProxyLease(a, b, { control: a }), "EBADVALUE");
  throwsWith(() => startRole(42 as never), "EBADVALUE");
  throwsWith(() => startRole("./x.ts", null as never), "EBADVALUE");
  const { runRoles } = await import("../mod.ts");
  await rejectsWithCode(runRoles(null as never), "EBADVALUE");
  await rejectsWithCode(runRoles([null as never]), "EBADVALUE");
  await rejectsWithCode(runRoles([], null as never), "EBADVALUE");
  const role = startRole(new URL("./fixtures/throws.ts", import.meta.url), { onLine: () => {} });
  await rejectsWithCode(role.stop({ timeout: "soon" as never }), "EBADVALUE");
  await rejectsWithCode(role.stop(null as never), "EBADVALUE");
  await role.stop().catch(() => {}); // the role itself fails: a RoleError
  // the sockets were given back: they still work
  a.bind("inproc://ha-proxy-args");
  b.connect("inproc://ha-proxy-args");
  await b.send("fine");
  assert.equal(await a.recvString({ timeout: 5000 }), "fine");
});

Deno.test("an options object is read once: a getter that answers something else later cannot slip past the checks", async () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  pull.bind("inproc://ha-fickle");
  push.connect("inproc://ha-fickle");
  // checked as no signal, then used as 5: an untyped TypeError from inside send()
  const fickle = (timeout?: number) => {
    let reads = 0;
    return {
      timeout,
      get signal() {
        return (reads++ === 0 ? undefined : 5) as never;
      },
    };
  };
  await push.send(["one", "two"], fickle());
  assert.deepEqual(
    (await pull.recvMultipart({ timeout: 1000 })).map((f) => new TextDecoder().decode(f)),
    ["one", "two"],
  );
  await push.send("three", fickle());
  assert.equal(await pull.recvString(fickle()), "three");
  await rejectsWithCode(waitForEvent(pull, "connected", fickle(1)), "EAGAIN");
});

Deno.test("a tcp:// port outside 0..65535 is EINVAL, not another port (libzmq keeps 16 bits of it)", () => {
  using ctx = new Context({ linger: 0 });
  using pull = ctx.socket("PULL");
  using push = ctx.socket("PUSH");
  // measured on libzmq 4.3.5: 99999 bound 34463, -1 bound 65535, 4294967297 bound 1, " 80" 80
  for (const port of ["99999", "65536", "-1", "4294967297", "1e3", " 80", "0x50", "", "5555 "]) {
    const endpoint = `tcp://127.0.0.1:${port}`;
    const e = throwsWith(() => pull.bind(endpoint), "EINVAL");
    assert.match(e.message, /port must be \* or a number from 0 to 65535/, endpoint);
    throwsWith(() => push.connect(endpoint), "EINVAL");
    throwsWith(() => push.connect(`tcp://127.0.0.1:0;127.0.0.1:${port}`), "EINVAL");
  }
  throwsWith(() => push.connect("tcp://127.0.0.1:99999;127.0.0.1:5555"), "EINVAL"); // the source
  const port = pull.bindToRandomPort();
  push.connect(`tcp://127.0.0.1:${port}`);
  push.setOption("IPV6", true);
  push.connect(`tcp://[::1]:${port}`);
  pull.bind("tcp://127.0.0.1:0");
  assert.match(pull.lastEndpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
});
