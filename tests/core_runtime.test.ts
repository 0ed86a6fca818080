import assert from "node:assert/strict";
import { Context, RoleError, runRoles, startRole } from "../mod.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

Deno.test("two Workers sharing a context exchange messages over inproc://", async () => {
  await using ctx = new Context();
  const result = await runRoles([
    { module: fixture("inproc_pair.ts"), name: "server", args: ["bind", "inproc://w", "3"] },
    { module: fixture("inproc_pair.ts"), name: "client", args: ["connect", "inproc://w", "3"] },
  ], { context: ctx, timeout: 20_000 });
  assert.deepEqual(result.lines.client, ["echo ping 0", "echo ping 1", "echo ping 2"]);
});

Deno.test("a role that throws fails its orchestrator, naming the role and the code", async () => {
  const error = await runRoles([
    { module: fixture("throws.ts"), name: "broken-worker", onLine: () => {} },
  ], { timeout: 20_000 }).then(() => null, (e) => e);
  assert.ok(error instanceof RoleError, String(error));
  assert.equal(error.role, "broken-worker");
  assert.equal(error.code, "ENOTSUP");
  assert.match(error.message, /broken-worker/);
});

Deno.test("a service role is stopped through its signal once the others finish", async () => {
  await using ctx = new Context();
  const server = startRole(fixture("inproc_pair.ts"), {
    name: "server",
    args: ["bind", "inproc://stop-me", "1000"],
    context: ctx,
    onLine: () => {},
  });
  using pair = ctx.socket("PAIR");
  pair.connect("inproc://stop-me");
  await pair.send("hi");
  assert.equal(await pair.recvString(), "echo hi");
  await server.stop({ timeout: 10_000 }); // it was waiting in recv: the abort ends it cleanly
});

Deno.test("a program with nothing pending exits by itself", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture("idle_exit.ts").pathname],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(out.signal, null, "killed: the program did not exit by itself");
  assert.deepEqual(stdout.trim().split("\n"), ["ping", "timed out"]);
});
