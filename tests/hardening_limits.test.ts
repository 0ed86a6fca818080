// libzmq's own aborts that this library cannot prevent, listed in the README's "Known limits"
// with a replay (issue 10.16). This test runs the replay: it fails (and the README entry can go)
// the day libzmq no longer aborts.
import assert from "node:assert/strict";
import { runFixture } from "./_util.ts";

Deno.test("README limit: a SOCKS5 proxy that fails the connection still aborts libzmq at close", async () => {
  const r = await runFixture("socks5_refused.ts", { timeout: 60_000 });
  assert.equal(r.signal, "SIGABRT", `no abort: ${r.stdout} ${r.stderr}`);
  assert.match(r.stderr, /Bad file descriptor \(.*epoll\.cpp:86\)/);
  assert.match(r.stdout, /round \d+: closing/);
});
