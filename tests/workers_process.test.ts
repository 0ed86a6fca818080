// Roles as OS processes: startProcessRole and runRoles({ as: "process" }).
import assert from "node:assert/strict";
import { Context, RoleError, runRoles, startProcessRole } from "../mod.ts";
import { main as multiprocess } from "../examples/multiprocess/main.ts";
import { freePorts, retryOnPortClash } from "./_peers.ts";

const FIXTURE = new URL("./fixtures/role_process.ts", import.meta.url);
const quiet = { onLine: () => {} };

Deno.test("process role: output lines, the orchestrator's name, a clean exit", async () => {
  const seen: [string, string][] = [];
  const role = startProcessRole(FIXTURE, {
    name: "printer#1",
    args: ["print", "a", "b"],
    onLine: (line, stream) => seen.push([stream, line]),
  });
  assert.ok(role.pid > 0);
  await role.done;
  assert.deepEqual(seen.filter(([s]) => s === "stdout").map(([, l]) => l), [
    "I am printer#1, args a b",
    "no newline at the end",
  ]);
  assert.deepEqual(seen.filter(([s]) => s === "stderr").map(([, l]) => l), ["a line on stderr"]);
  assert.equal(role.lines.length, 3);
});

Deno.test("process role: a failure in main is a RoleError with the role's message and code", async () => {
  const role = startProcessRole(FIXTURE, { name: "failing", args: ["fail"], ...quiet });
  const error = await role.done.then(() => null, (e) => e);
  assert.ok(error instanceof RoleError, String(error));
  assert.equal(error.role, "failing");
  assert.equal(error.code, "EPROTO");
  assert.match(error.message, /role "failing" failed: the role failed on purpose/);
  assert.ok(!role.lines.some((l) => l.includes("ZMQ-ROLE-ERROR")), "the report line is not output");

  const exits = startProcessRole(FIXTURE, { name: "exiting", args: ["exit"], ...quiet });
  await assert.rejects(
    exits.done,
    /role "exiting" failed: exited with code 3: exiting with code 3/,
  );
});

Deno.test("process role: stop is SIGTERM and a clean end; kill is a crash", async () => {
  const lines: string[] = [];
  let ready!: () => void;
  const waiting = new Promise<void>((r) => ready = r);
  const role = startProcessRole(FIXTURE, {
    name: "waiter",
    args: ["wait"],
    onLine: (line) => {
      lines.push(line);
      if (line.startsWith("waiting")) ready();
    },
  });
  await waiting;
  await role.stop({ timeout: 10_000 });
  await role.done;
  assert.deepEqual(lines, ["waiting for the stop signal", "stopping cleanly"]);

  let up!: () => void;
  const started = new Promise<void>((r) => up = r);
  const victim = startProcessRole(FIXTURE, { name: "victim", args: ["wait"], onLine: () => up() });
  await started;
  victim.kill("SIGKILL");
  await assert.rejects(victim.done, /role "victim" failed: was killed by SIGKILL/);
});

Deno.test("process role: a role that ignores SIGTERM is killed after the stop timeout", async () => {
  let up!: () => void;
  const started = new Promise<void>((r) => up = r);
  const role = startProcessRole(FIXTURE, {
    name: "stubborn",
    args: ["stubborn"],
    onLine: (line) => line.startsWith("stubborn") && up(),
  });
  await started;
  const t0 = performance.now();
  await assert.rejects(
    role.stop({ timeout: 300 }),
    /role "stubborn" failed: did not stop within 300 ms/,
  );
  assert.ok(performance.now() - t0 < 5000);
  assert.ok(role.lines.includes("ignoring SIGTERM"), role.lines.join("|"));
});

Deno.test("process role: a shared Context is refused; runRoles runs examples as processes", async () => {
  using ctx = new Context();
  // deno-lint-ignore no-explicit-any
  assert.throws(() => startProcessRole(FIXTURE, { context: ctx } as any), RoleError);
  await assert.rejects(
    runRoles([{ module: FIXTURE, args: ["wait"], service: true }], { context: ctx, as: "process" }),
    RoleError,
  );

  const ports = freePorts(2);
  const run = await retryOnPortClash(() =>
    multiprocess([
      "--process",
      "--quiet",
      "--ports",
      ports.join(","),
      "--requests",
      "2",
      "--interval",
      "0",
    ], { name: "multiprocess", signal: new AbortController().signal })
  );
  const replies = run!.lines.client.filter((l) => l.startsWith("Received reply"));
  assert.deepEqual(
    replies.map((l) => Number(/World from (\d+)/.exec(l)![1])),
    [ports[0], ports[1], ports[0], ports[1]],
  );
  // each server process served its two requests and ended (silently, as the tutorial's)
  assert.equal(run!.lines[`server:${ports[0]}`].at(-1), "Received request #1: Hello");
});

Deno.test("process role: runRoles names a role process that fails and stops the others", async () => {
  const error = await runRoles([
    { module: FIXTURE, name: "server", args: ["wait"], service: true, ...quiet },
    { module: FIXTURE, name: "client", args: ["fail"], ...quiet },
  ], { as: "process", timeout: 30_000 }).then(() => null, (e) => e);
  assert.ok(error instanceof RoleError);
  assert.equal(error.role, "client");
  assert.equal(error.code, "EPROTO");
});
