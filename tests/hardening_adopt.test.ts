// Regression tests for issue 10.2 (Context.adopt trusted any bigint) and 10.11 (terminated
// Workers hung their owner's ctx.close()). The attacks run in subprocesses: before the fix the
// first was a segmentation fault and the others hung the JS thread, which no in-process bound
// can interrupt.
import assert from "node:assert/strict";
import { runFixture } from "./_util.ts";

Deno.test("Context.adopt refuses addresses, copies, forgeries and stale handles (10.2)", async () => {
  const r = await runFixture("adopt_attacks.ts", { timeout: 30_000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  const got = Object.fromEntries(
    r.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((o) => [o.what, o.code]),
  );
  assert.deepEqual(got, {
    "1n": "EFAULT",
    "2^40": "EFAULT",
    "stale handle": "ECLOSED",
    "JSON copy": "EINVAL",
    "forged object": "EINVAL",
    "zeroed buffer": "EINVAL",
    "copied bytes, page 1": "EFAULT",
    "copied bytes, unmapped high": "EFAULT",
    "the real one": "none",
    "the real one, closed": "ECLOSED",
  });
});

Deno.test("the owner's close closes sockets adopted in its own isolate too (10.2, 10.11)", async () => {
  const r = await runFixture("adopt_same_isolate.ts", { timeout: 30_000 });
  assert.equal(r.signal, null, `killed (hung): ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").at(-1)!), {
    across: "across",
    sameHandle: true,
    handleAfterClose: "ECLOSED",
    pending: "ETERM",
    closed: [true, true],
    open: "ECLOSED",
    send: "ETERM",
    adoptAgain: "ECLOSED",
    closeAgain: "ok",
  });
});

Deno.test("a terminated Worker's sockets cannot keep the owner's context from ending (10.11)", async () => {
  const modes = ["terminate-close", "terminate-async", "terminate-busy", "live", "live-busy"];
  const runs = await Promise.all(
    modes.map((mode) => runFixture("adopter_parent.ts", { args: [mode], timeout: 60_000 })),
  );
  runs.forEach((r, i) => {
    assert.equal(r.signal, null, `${modes[i]}: killed (hung) ${r.stderr}`);
    assert.equal(r.code, 0, `${modes[i]}: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(out.hello, "hello from the worker", modes[i]);
    assert.ok(out.ms < 10_000, `${modes[i]}: closing took ${out.ms} ms`);
    if (modes[i].startsWith("live")) {
      // the live Worker's sockets were closed under it: typed errors, no crash
      assert.equal(out.worker_saw.pending, "ETERM", modes[i]);
      assert.equal(out.worker_saw.send, "ETERM", modes[i]);
      assert.equal(out.worker_saw.open, "ECLOSED", modes[i]);
      assert.equal(out.worker_saw.loop, modes[i] === "live-busy" ? "ETERM" : "no loop");
      assert.deepEqual(out.worker_saw.closed, [true, true, true, true, true], modes[i]);
    }
  });
});

Deno.test("RoleHandle.stop({ timeout }) never leaves the context unable to end (10.11)", async () => {
  const r = await runFixture("stubborn_parent.ts", { timeout: 60_000 });
  assert.equal(r.signal, null, `killed (hung): ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.match(out.stopped, /RoleError: .*did not stop within 300 ms/);
  assert.deepEqual(out.lines, ["holding sockets"]);
  // its PUSH held a message for nobody: the default LINGER (5 s) bounds the wait
  assert.ok(out.ms < 15_000, `terminate took ${out.ms} ms`);
  assert.match(r.stderr, /sockets other isolates left open, closed here: (PULL, PUSH|PUSH, PULL)/);
});
