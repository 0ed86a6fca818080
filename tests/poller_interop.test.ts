// The polling clients against pyzmq servers (Debian's python3-zmq): a real, independent peer.
import assert from "node:assert/strict";
import { main as pollingClient } from "../examples/zmqpolling/client.ts";
import { main as streamClient } from "../examples/pyzmq_stream_poller/client.ts";

const PYTHON = "/usr/bin/python3";
const SERVERS = new URL("./py/poller_servers.py", import.meta.url).pathname;

type ClientMain = typeof pollingClient;

/** Runs `client` in this isolate against the pyzmq servers; answers the lines it printed. */
async function againstPython(client: ClientMain, pushPort: number, pubPort: number) {
  const child = new Deno.Command(PYTHON, {
    args: [SERVERS, String(pushPort), String(pubPort)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  // if the servers fail (a port in use, say), stop the client instead of waiting forever
  const controller = new AbortController();
  output.then((o) => {
    const why = new TextDecoder().decode(o.stderr).trim().split("\n").at(-1);
    if (o.code !== 0) controller.abort(new Error(`the pyzmq servers failed: ${why}`));
  });
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await client(
      ["--host", "127.0.0.1", "--push-port", String(pushPort), "--pub-port", String(pubPort)],
      { name: "client", signal: controller.signal },
    );
  } finally {
    console.log = log;
  }
  const { code, stderr } = await output;
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return lines;
}

function check(lines: string[]): void {
  const processed = lines.filter((l) => l.startsWith("Processing ... "));
  assert.ok(processed.length > 0, "nothing processed");
  for (const l of processed) assert.equal(l, "Processing ... 9 server#py");
  assert.deepEqual(lines.filter((l) => l.startsWith("Received control command: ")), [
    ...Array(6).fill("Received control command: Continue"),
    "Received control command: Exit",
  ]);
}

Deno.test("interop: the Poller client against pyzmq servers", async () => {
  check(await againstPython(pollingClient, 18021, 18022));
});

Deno.test("interop: the stream client against pyzmq servers", async () => {
  const lines = await againstPython(streamClient, 18023, 18024);
  check(lines);
  assert.equal(lines.at(-1), "Worker has stopped processing messages.");
});
