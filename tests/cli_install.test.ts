// `deno install -g -A -n zmq` of cli/zmq.ts works, from this clone's path and from a URL (the
// clone served over HTTP, as raw.githubusercontent.com would serve it), into a temporary
// DENO_INSTALL_ROOT.
import assert from "node:assert/strict";
import { exits, Proc, run, withProcs } from "./_cli.ts";

const REPO = new URL("..", import.meta.url).pathname;

async function installAndUse(source: string): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "zmq-cli-install-" });
  try {
    const installed = await run(Deno.execPath(), [
      "install",
      "-g",
      "-A",
      "-n",
      "zmq",
      "--root",
      root,
      source,
    ]);
    exits(installed, 0, `deno install ${source}`);
    const zmq = `${root}/bin/zmq`;
    const info = await run(zmq, ["info", "--json"]);
    exits(info, 0, "the installed zmq info");
    assert.match(JSON.parse(info.stdout).libzmq, /^4\.\d+\.\d+$/);
    const mistake = await run(zmq, ["send", "--bogus"]);
    exits(mistake, 2, "the installed zmq with a mistake");
    assert.match(mistake.stderr, /^zmq send: unknown option --bogus$/m);
    const bench = await run(zmq, ["bench", "reqrep", "200", "-q"]);
    exits(bench, 0, "the installed zmq bench (its far end is a Worker module beside it)");
    assert.equal(JSON.parse(bench.stdout).n, 200);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("deno install of cli/zmq.ts from the clone's path gives a working zmq command", async () => {
  await installAndUse(`${REPO}cli/zmq.ts`);
});

Deno.test("deno install of cli/zmq.ts from a URL gives a working zmq command", async () => {
  await withProcs(async (procs) => {
    const server = Proc.python("http", REPO);
    procs.push(server);
    await installAndUse(`http://127.0.0.1:${await server.port()}/cli/zmq.ts`);
  });
});
