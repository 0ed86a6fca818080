// The zmq command line's pure parts, in-process: frame formats, separators, --option values,
// endpoints, redaction, and the status lines (in place on a terminal, plain lines otherwise).
import assert from "node:assert/strict";
import { RunError, UsageError } from "../cli/_errors.ts";
import { addSecret, redact } from "../cli/_errors.ts";
import {
  decodeFrame,
  encodeFrame,
  formatMessage,
  parseMessage,
  separatorArg,
} from "../cli/_format.ts";
import { endpointArg, optionArg } from "../cli/_socket.ts";
import { bytes, compact, LiveLine, progressBar } from "../cli/_status.ts";
import { countsLine } from "../cli/proxy.ts";
import { eventLine } from "../cli/monitor.ts";
import { isZ85Key } from "../cli/_security.ts";

const bin = (...b: number[]) => new Uint8Array(b);

Deno.test("frames round-trip through every format, byte for byte", () => {
  const frames = [bin(), bin(0), bin(0xff, 0x00, 0x10), new TextEncoder().encode('{"a":[1,"ö"]}')];
  for (const format of ["hex", "base64"] as const) {
    for (const f of frames) {
      assert.deepEqual(decodeFrame(encodeFrame(f, format, "x"), format, "x"), f);
    }
  }
  assert.equal(encodeFrame(bin(0xde, 0xad), "hex", "x"), "dead");
  assert.equal(encodeFrame(bin(0xde, 0xad), "base64", "x"), "3q0=");
  assert.equal(encodeFrame(frames[3], "json", "x"), '{"a":[1,"ö"]}');
  assert.equal(encodeFrame(new TextEncoder().encode('{ "a" :\n 1 }'), "json", "x"), '{"a":1}');
});

Deno.test("input that is not valid in its format is a RunError naming where it was", () => {
  const cases: [string, "hex" | "base64" | "json", RegExp][] = [
    ["abc", "hex", /stdin line 3 is not hex/],
    ["zz", "hex", /not hex/],
    ["3q0", "base64", /stdin line 3 is not base64/],
    ["3q0=x", "base64", /not base64/],
    ["{a:1}", "json", /stdin line 3 is not JSON/],
  ];
  for (const [text, format, re] of cases) {
    assert.throws(
      () => decodeFrame(text, format, "stdin line 3"),
      (e) => e instanceof RunError && re.test(e.message),
    );
  }
  assert.throws(() => encodeFrame(bin(0xff), "json", "message 2"), /message 2 is not UTF-8/);
  assert.throws(
    () => encodeFrame(new TextEncoder().encode("weather"), "json", "message 2"),
    /message 2 is not JSON/,
  );
});

Deno.test("a separator splits lines into frames and joins them back; escapes are read", () => {
  assert.equal(separatorArg("\\t"), "\t");
  assert.equal(separatorArg("a\\\\b"), "a\\b");
  assert.throws(() => separatorArg(""), UsageError);
  assert.throws(() => separatorArg("\\x"), /unknown escape \\x/);
  const how = { format: "text" as const, separator: "|" };
  const frames = parseMessage("a||b", how, "line 1");
  assert.deepEqual(frames.map((f) => new TextDecoder().decode(f)), ["a", "", "b"]);
  assert.equal(formatMessage(frames, how, "m"), "a||b");
  assert.equal(
    parseMessage("a|b", { format: "text" }, "line").length,
    1,
    "no separator: one frame",
  );
  assert.equal(
    formatMessage(frames, { format: "text" }, "m"),
    "a\t\tb",
    "printing defaults to a tab",
  );
  assert.throws(
    () => parseMessage("00|zz", { format: "hex", separator: "|" }, "line 4"),
    /line 4 frame 2 is not hex/,
  );
});

Deno.test("--option values are read by the option's kind, and secret ones are never shown", () => {
  assert.deepEqual(optionArg("SNDHWM=1000"), { name: "SNDHWM", value: 1000, secret: false });
  assert.deepEqual(optionArg("zmq_linger=-1").value, -1);
  assert.equal(optionArg("IMMEDIATE=true").value, true);
  assert.equal(optionArg("immediate=0").value, false);
  assert.equal(optionArg("MAXMSGSIZE=9007199254740993").value, 9007199254740993n);
  assert.equal(optionArg("ROUTING_ID=a=b").value, "a=b");
  for (
    const bad of ["SNDHWM", "SNDHWM=1.5", "SNDHWM=2147483648", "IMMEDIATE=maybe", "FD=3", "X=1"]
  ) {
    assert.throws(() => optionArg(bad), UsageError, bad);
  }
  const secret = "Secret-Key-That-Is-Not-40-Characters-Long";
  assert.throws(() => optionArg(`CURVE_SECRETKEY=${secret}`), (e) => {
    assert.ok(e instanceof UsageError);
    assert.ok(!e.message.includes(secret), e.message);
    assert.ok(!redact(`oops ${secret}`).includes(secret), "and redact() now hides it");
    return true;
  });
});

Deno.test("endpoints: a bare port means 127.0.0.1, inproc and junk are refused", () => {
  assert.equal(endpointArg("--connect", "5555"), "tcp://127.0.0.1:5555");
  assert.equal(endpointArg("--bind", "ipc:///tmp/x"), "ipc:///tmp/x");
  assert.equal(endpointArg("--bind", "tcp://*:*"), "tcp://*:*");
  for (const bad of ["inproc://a", "localhost:5555", "tcp://", "foo://bar", ""]) {
    assert.throws(() => endpointArg("--bind", bad), UsageError, bad);
  }
});

Deno.test("redact hides every secret it was given, longest first", () => {
  addSecret("hunter2");
  addSecret("hunter2-and-more");
  assert.equal(redact("a hunter2-and-more b hunter2 c"), "a *** b *** c");
  addSecret(""); // ignored: would otherwise match everywhere
  assert.equal(redact("plain"), "plain");
});

Deno.test("Z85 keys are recognised by length and alphabet", () => {
  assert.ok(isZ85Key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));
  assert.ok(!isZ85Key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"));
  assert.ok(!isZ85Key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf~"));
});

Deno.test("status lines: in place on a terminal (CR, erase to end), a line each when piped", () => {
  assert.equal(new LiveLine("stdout", true).render("x"), "\rx\x1b[K");
  assert.equal(new LiveLine("stdout", false).render("x"), "x\n");
  assert.equal(progressBar(5, 10, 10), "[#####-----]  50%");
  assert.equal(progressBar(10, 10, 4), "[####] 100%");
  assert.equal(progressBar(0, 0, 4), "[####] 100%");
  assert.equal(compact(0.25), "0.3");
  assert.equal(compact(9999), "9999");
  assert.equal(compact(12345), "12.3 k");
  assert.equal(compact(2_500_000), "2.50 M");
  assert.equal(bytes(999), "999 B");
  assert.equal(bytes(1500), "1.50 kB");
});

Deno.test("the proxy's counts line shows totals and the rates since the last one", () => {
  const side = (n: number, b: number) => ({
    messagesIn: n,
    bytesIn: b,
    messagesOut: n,
    bytesOut: b,
  });
  const before = { frontend: side(10, 1000), backend: side(4, 40) };
  const now = { frontend: side(30, 3000), backend: side(4, 40) };
  assert.equal(
    countsLine(now, before, 2),
    "front->back 30 msg, 3.00 kB (10 msg/s, 1.00 kB/s) | back->front 4 msg, 40 B (0 msg/s, 0 B/s)",
  );
  assert.equal(countsLine(now, before, 0), "front->back 30 msg, 3.00 kB | back->front 4 msg, 40 B");
});

Deno.test("monitor event lines say what each event's value means", () => {
  const t = new Date(0);
  const line = (event: string, value: number) =>
    eventLine({ event: event as "connected", value, endpoint: "tcp://h:1" }, t).slice(25);
  assert.equal(line("connected", 12), "connected tcp://h:1 fd 12");
  assert.equal(line("connect_retried", 200), "connect_retried tcp://h:1 retry in 200 ms");
  assert.equal(
    line("handshake_failed_auth", 400),
    "handshake_failed_auth tcp://h:1 ZAP status 400",
  );
  assert.equal(
    line("handshake_failed_protocol", 0x11000001),
    "handshake_failed_protocol tcp://h:1 error 0x11000001",
  );
  assert.equal(line("handshake_succeeded", 0), "handshake_succeeded tcp://h:1");
});
