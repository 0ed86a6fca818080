// Option values libzmq takes and later aborts the process on are refused first (each tried on
// the binary: see core/_guards.ts). Every attack runs in a subprocess (tests/fixtures/
// option_attacks.ts) that goes on to provoke the abort if the guard let the value through, so
// a broken guard fails here by name, with SIGABRT, instead of killing the test run.
import assert from "node:assert/strict";
import { runFixture } from "./_util.ts";

/** Runs one attack; answers the line it printed (a crash or a hang fails with its output). */
async function attack(what: string, prefix?: string[]): Promise<Record<string, unknown>> {
  const r = await runFixture("option_attacks.ts", { args: [what], prefix, timeout: 60_000 });
  assert.equal(r.signal, null, `${what} died of ${r.signal}: ${r.stderr.slice(-500)}`);
  assert.equal(r.code, 0, `${what} exited ${r.code}: ${r.stderr.slice(-500)}`);
  const line = r.stdout.trim().split("\n").at(-1)!;
  const result = JSON.parse(line);
  assert.equal(result.what, what);
  return result;
}

/** Without CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_NICE, as an unprivileged process would be. */
const UNPRIVILEGED = ["setpriv", "--bounding-set", "-net_admin,-net_raw,-sys_nice", "--"];

Deno.test("USE_FD must be a listening stream socket of the endpoint's family", async () => {
  assert.equal((await attack("use-fd-stdin")).code, "EINVAL");
  assert.equal((await attack("use-fd-raw")).code, "EINVAL");
  assert.equal((await attack("use-fd-family")).code, "EINVAL");
  // and a real listening descriptor works: a message goes through it
  const works = await attack("use-fd-works");
  assert.deepEqual(works, { what: "use-fd-works", code: "none", received: "through USE_FD" });
});

Deno.test("ZAP_ENFORCE_DOMAIN without a ZAP_DOMAIN on a PLAIN or CURVE server is refused", async () => {
  // libzmq would abort at the PLAIN handshake, and let every CURVE client in unasked
  assert.equal((await attack("zap-plain")).code, "EINVAL");
  assert.equal((await attack("zap-plain-raw")).code, "EINVAL");
  assert.equal((await attack("zap-curve")).code, "EINVAL");
  // with a domain it binds, and with no handler the handshake fails without an abort
  assert.equal((await attack("zap-with-domain")).code, "none");
  // set after the bind, the options do not reach that endpoint (libzmq copied them)
  assert.equal((await attack("zap-after-bind")).code, "none");
});

Deno.test("thread options the kernel would refuse libzmq's threads are refused", async () => {
  assert.equal((await attack("sched-invalid")).code, "EINVAL");
  assert.equal((await attack("sched-fifo-no-priority")).code, "EINVAL");
  assert.equal((await attack("affinity-cpu")).code, "EINVAL");
  // a policy and priority this (root) process may give: the threads really run SCHED_FIFO
  const fifo = await attack("fifo-allowed");
  assert.equal(fifo.code, "none");
  assert.deepEqual(fifo.policies, [1, 1]);
});

Deno.test("what needs a capability is refused without it (EPERM), before libzmq asserts", async () => {
  assert.equal((await attack("priority-unprivileged", UNPRIVILEGED)).code, "EPERM");
  assert.equal((await attack("nice-unprivileged", UNPRIVILEGED)).code, "EPERM");
  assert.equal((await attack("nice-unprivileged-late", UNPRIVILEGED)).code, "EPERM");
  assert.equal((await attack("fifo-unprivileged", UNPRIVILEGED)).code, "EPERM");
});

Deno.test("every option number, read and written raw with any size, never crashes", async () => {
  const walk = await attack("raw-walk");
  assert.equal(walk.code, "none");
  assert.equal(walk.calls, 9 * 131 * 10 * 2 * 2);
  const refused = walk.refused as Record<string, number>;
  // libzmq's own EINVAL for what it does not take, the table's checks for the rest
  assert.ok(refused.EINVAL > 0 && refused.EBADVALUE > 0, JSON.stringify(refused));
});
