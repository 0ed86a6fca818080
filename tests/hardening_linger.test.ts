// Regression tests for issue 10.12: cleanup after a send to a peer that never came hung for
// ever under libzmq's LINGER -1. Now the default LINGER (5000 ms) bounds it, and a termination
// that waits more than 3 s says once, on stderr, which sockets hold it up and how to drop them.
// In subprocesses: a hang of the synchronous close() cannot be bounded in-process.
import assert from "node:assert/strict";
import { Context } from "../mod.ts";
import { runFixture } from "./_util.ts";

/** A tcp port in this suite's range (31000-31999) that nothing listens on. */
const NOBODY = "31907";
const WARNING = /zmq: terminating a context has waited 3 s for unsent messages/g;

Deno.test("cleanup after a send to a peer that never came ends, and says why it waited", async () => {
  const modes = ["await-using", "close", "disconnect"];
  const runs = await Promise.all(
    modes.map((mode) => runFixture("linger_exit.ts", { args: [mode, NOBODY], timeout: 60_000 })),
  );
  runs.forEach((r, i) => {
    assert.equal(r.signal, null, `${modes[i]}: killed (hung) ${r.stderr}`);
    assert.equal(r.code, 0, `${modes[i]}: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.ok(out.ms >= 4000 && out.ms < 15_000, `${modes[i]}: ${out.ms} ms`);
    assert.equal(r.stderr.match(WARNING)?.length, 1, `${modes[i]}: ${r.stderr}`);
    assert.match(r.stderr, /linger: 0/);
    if (modes[i] !== "disconnect") {
      assert.match(r.stderr, new RegExp(`PUSH on tcp://127.0.0.1:${NOBODY}: 1 message`));
    } else assert.match(r.stderr, /\(disconnect\)/);
  });
});

Deno.test("LINGER -1 chosen on purpose still waits, but says so once after 3 s", async () => {
  const r = await runFixture("linger_exit.ts", { args: ["forever", NOBODY], timeout: 8000 });
  assert.equal(r.signal, "SIGKILL", "LINGER -1 and no peer: it must still be waiting");
  assert.match(r.stdout, /terminating/);
  assert.equal(r.stderr.match(WARNING)?.length, 1, r.stderr);
  assert.match(r.stderr, /LINGER -1 \(for ever\)/);
});

Deno.test("sockets get LINGER 5000 unless the context or the socket says otherwise", () => {
  using ctx = new Context();
  using s = ctx.socket("PUSH");
  assert.equal(s.getOption("LINGER"), 5000);
  using zero = new Context({ linger: 0 });
  using z = zero.socket("PUSH");
  assert.equal(z.getOption("LINGER"), 0);
  using adopted = Context.adopt(zero.handle);
  using a = adopted.socket("PUSH");
  assert.equal(a.getOption("LINGER"), 0, "an adopted context keeps its owner's linger");
  a.close();
  zero.close();
});
