// Regression tests for issue 10.10 (file descriptors exhausted before the reactor's first wait
// killed the process) and the file-descriptor half of 10.9 (a context whose I/O threads cannot
// get descriptors aborted in libzmq): each in a subprocess under a low RLIMIT_NOFILE.
import assert from "node:assert/strict";
import { runFixture } from "./_util.ts";

const prefix = ["prlimit", "--nofile=200"];

Deno.test("a wait with no file descriptor left rejects EMFILE; later ones work (10.10)", async () => {
  const r = await runFixture("fd_exhaustion.ts", { args: ["wait"], prefix, timeout: 60_000 });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.equal(out.starved, "EMFILE");
  assert.equal(out.again, "EMFILE");
  assert.equal(out.later, "after");
  assert.ok(out.held > 0, "no descriptor was taken");
});

Deno.test("a context whose I/O threads cannot get descriptors refuses its socket (10.9)", async () => {
  const r = await runFixture("fd_exhaustion.ts", { args: ["start"], prefix, timeout: 60_000 });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").at(-1)!), {
    big: "EMFILE",
    got: "small context works",
  });
});
