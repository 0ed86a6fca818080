// Every subcommand of the zmq command line answers a mistake on its command line with one line
// naming it, then its usage, and exit code 2: never a stack trace, never a secret.
import assert from "node:assert/strict";
import { exits, noStack, zmq } from "./_cli.ts";

const EP = "tcp://127.0.0.1:1"; // never used: every row fails before anything connects

/** [arguments, what the first line must say] */
const MISTAKES: [string[], RegExp][] = [
  [[], /^zmq: missing command$/],
  [["frobnicate"], /^zmq: unknown command frobnicate$/],
  [["--version"], /^zmq: unknown option --version$/],
  // send
  [["send"], /^zmq send: give an endpoint with --bind EP or --connect EP$/],
  [["send", "--connect"], /^zmq send: option --connect needs a value$/],
  [["send", "--conect", EP], /^zmq send: unknown option --conect$/],
  [["send", "--type", "SUB", "--connect", EP], /^zmq send: --type must be one of PUSH, PUB/],
  [["send", "--connect", "localhost:5555"], /is not an endpoint like tcp:\/\/127\.0\.0\.1:5555$/],
  [["send", "--connect", "inproc://x"], /inproc:\/\/ reaches only sockets of the same process/],
  [["send", "--connect", "smtp://x"], /unknown transport smtp$/],
  [["send", "--raw", "--format", "hex", "--connect", EP], /--raw and --format cannot be used/],
  [["send", "--count", "0", "--connect", EP], /--count takes a whole number from 1 to/],
  [["send", "--delay", "soon", "--connect", EP], /--delay takes a whole number/],
  [["send", "--option", "NOPE=1", "--connect", EP], /unknown socket option NOPE$/],
  [["send", "-o", "SNDHWM=lots", "--connect", EP], /--option SNDHWM takes a 32-bit integer/],
  [["send", "-o", "TYPE=1", "--connect", EP], /--option: TYPE is read-only$/],
  [["send", "-s", "\\q", "--connect", EP], /--separator: unknown escape \\q/],
  // recv
  [["recv", "--subscribe", "x", "--connect", EP], /--subscribe is for --type SUB, not PULL$/],
  [["recv", "--format", "xml", "--connect", EP], /--format must be one of text, json, hex/],
  [["recv", "--timeout", "-5", "--connect", EP], /--timeout needs a value|--timeout takes/],
  [["recv", "--connect", EP, "extra"], /^zmq recv: unexpected argument "extra"$/],
  [
    ["recv", "--bind", "tcp://127.0.0.1:notaport"],
    /^zmq recv: --bind tcp:\/\/127\.0\.0\.1:notaport: /,
  ],
  // req
  [["req"], /^zmq req: missing EP/],
  [["req", EP, "--timeout", "soon"], /--timeout takes a whole number/],
  [["req", EP, "--plain", "admin:"], /the password is empty$/],
  [["req", EP, "--plain", "admin:pw", "--curve-server", EP], /cannot be used together$/],
  [["req", EP, "--curve-server", "tooshort"], /40-character Z85 public key or a certificate/],
  [["req", EP, "--curve-keys", "/nonexistent/client.key_secret"], /no such file/],
  // rep
  [["rep"], /^zmq rep: missing EP/],
  [["rep", EP], /say how to answer: --echo or --exec COMMAND$/],
  [["rep", EP, "--echo", "--exec", "cat"], /--echo and --exec cannot be used together$/],
  [["rep", EP, "--exec", " "], /--exec needs a command$/],
  [["rep", EP, "--echo", "--curve-allow", "x".repeat(40)], /--curve-allow needs --curve-keys/],
  // proxy
  [["proxy"], /^zmq proxy: missing queue\|forwarder\|streamer FRONT BACK$/],
  [["proxy", "relay", EP, EP], /the device must be one of queue, forwarder, streamer/],
  [["proxy", "queue", EP], /^zmq proxy: missing/],
  [["proxy", "queue", EP, EP, "--interval", "5"], /--interval takes a whole number from 10/],
  [["proxy", "queue", EP, EP, "--bind", EP], /^zmq proxy: unknown option --bind$/],
  // monitor
  [["monitor"], /^zmq monitor: give an endpoint/],
  [["monitor", "--connect", EP, "--event", "nope"], /--event must be one of connected/],
  [["monitor", "--type", "FOO", "--connect", EP], /--type must be one of PAIR/],
  // keygen
  [["keygen"], /^zmq keygen: missing NAME/],
  [["keygen", "../evil"], /NAME "\.\.\/evil": use letters, digits/],
  [["keygen", "a", "b"], /unexpected argument "b"$/],
  // bench
  [["bench"], /^zmq bench: missing the workload$/],
  [["bench", "latency"], /the workload must be one of reqrep, pushpull, pubsub, queue/],
  [["bench", "reqrep", "many"], /^zmq bench: N takes a whole number/],
  [["bench", "reqrep", "10", "1", "70000"], /PORT takes a whole number from 1 to 65534/],
  [["bench", "reqrep", "10", "1", "5000", "3"], /TOPICS is for pubsub only$/],
  // info
  [["info", "extra"], /^zmq info: unexpected argument "extra"$/],
  [["info", "--verbose"], /^zmq info: unknown option --verbose$/],
];

for (const [args, first] of MISTAKES) {
  Deno.test(`zmq ${args.join(" ")}: one line, the usage, exit 2`, async () => {
    const r = await zmq(args);
    exits(r, 2, `zmq ${args.join(" ")}`);
    assert.equal(r.stdout, "", "nothing on stdout");
    const [line, blank, usage] = r.stderr.split("\n");
    assert.match(line, first);
    assert.equal(blank, "");
    const name = args[0] !== undefined && !args[0].startsWith("-") && args[0] !== "frobnicate"
      ? ` ${args[0]}`
      : " <command>";
    assert.ok(usage.startsWith(`Usage: zmq${name}`), `usage follows: ${usage}`);
    noStack(r.stderr, `zmq ${args.join(" ")}`);
  });
}

const COMMANDS = ["send", "recv", "req", "rep", "proxy", "monitor", "keygen", "bench", "info"];

Deno.test("--help on every subcommand prints its usage on stdout and exits 0", async () => {
  for (const c of COMMANDS) {
    const r = await zmq([c, "--help", "--no-such-flag"]); // --help wins over other mistakes
    exits(r, 0, `zmq ${c} --help`);
    assert.match(r.stdout, new RegExp(`^Usage: zmq ${c} `));
    assert.equal(r.stderr, "");
  }
  const top = await zmq(["--help"]);
  exits(top, 0, "zmq --help");
  for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`^  ${c} `, "m"));
});

Deno.test("secrets in mistaken arguments are never printed, not even in the error line", async () => {
  const secret = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"; // 39 characters: not a key
  const cases = [
    ["req", EP, "--option", `CURVE_SECRETKEY=${secret}`],
    ["req", EP, "--option", `PLAIN_PASSWORD=${secret}`, "--option", "NOPE=1"],
    ["req", EP, "--curve-server", secret],
    ["req", EP, "--plain", `admin:${secret}`, "--curve-keys", "x"],
    ["req", EP, `--plain=admin:${secret}`, "--bogus"],
    ["req", EP, "--plain", secret.replace(":", "")], // no colon: it may be the password alone
  ];
  for (const args of cases) {
    const r = await zmq(args);
    exits(r, 2, args.join(" "));
    assert.ok(!r.stderr.includes(secret), `secret printed by: ${args.join(" ")}\n${r.stderr}`);
    assert.ok(!r.stderr.includes(secret.slice(0, 12)), `part of the secret printed`);
    assert.ok(!r.stderr.includes(secret.slice(3, 15)), `part of the secret printed`);
  }
  // a certificate whose secret key is damaged: the error names the file, never the key
  const dir = await Deno.makeTempDir({ prefix: "zmq-cli-secret-" });
  try {
    const damaged = `${secret}%`.replace("r", "~"); // 40 characters, "~" is not Z85
    const file = `${dir}/bad.key_secret`;
    await Deno.writeTextFile(file, `public-key = "${"a".repeat(40)}"\nsecret-key = "${damaged}"\n`);
    const r = await zmq(["rep", EP, "--echo", "--curve-keys", file]);
    exits(r, 2, "--curve-keys with a damaged secret key");
    assert.match(r.stderr, /bad\.key_secret is not a valid CURVE certificate/);
    assert.ok(!r.stderr.includes(damaged.slice(1, 13)), "part of the secret key printed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
