// The errno table per platform (core/_errno.ts): Linux's and macOS's numbering, checked against
// independent sources (Python's errno module and pyzmq here, macOS's sys/errno.h values), and
// the error vocabulary built on it (core/errors.ts).
import assert from "node:assert/strict";
import { ERRNO, errnoName, errnoNames, errnoTable, isErrnoName } from "../core/_errno.ts";
import { strerror } from "../core/_backend.ts";
import {
  badValue,
  closedError,
  errnoOf,
  LIBRARY_ERROR_CODES,
  timeoutError,
  zmqError,
} from "../core/errors.ts";
import { ZmqError } from "../mod.ts";

const linux = errnoTable("linux");
const darwin = errnoTable("darwin");

/** A few numbers from macOS's sys/errno.h where it differs from Linux. */
const DARWIN_VALUES: Record<string, number> = {
  EAGAIN: 35,
  EINPROGRESS: 36,
  ENOTSOCK: 38,
  EMSGSIZE: 40,
  EPROTONOSUPPORT: 43,
  ENOTSUP: 45,
  EAFNOSUPPORT: 47,
  EADDRINUSE: 48,
  EADDRNOTAVAIL: 49,
  ENETDOWN: 50,
  ENETUNREACH: 51,
  ECONNABORTED: 53,
  ECONNRESET: 54,
  ENOBUFS: 55,
  ENOTCONN: 57,
  ETIMEDOUT: 60,
  ECONNREFUSED: 61,
  ENAMETOOLONG: 63,
  EHOSTUNREACH: 65,
  EPROTO: 100,
};

function python(code: string): string {
  const out = new Deno.Command("/usr/bin/python3", { args: ["-c", code] }).outputSync();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("errno: Linux's table is the one Python's errno module has on this machine", () => {
  const names = Object.keys(linux).filter((n) =>
    !["EFSM", "ENOCOMPATPROTO", "ETERM", "EMTHREAD"]
      .includes(n)
  );
  const fromPython = JSON.parse(
    python(
      `import errno, json; print(json.dumps({n: getattr(errno, n) for n in ${
        JSON.stringify(names)
      }}))`,
    ),
  );
  assert.equal(Object.keys(fromPython).length, names.length);
  for (const name of names) {
    assert.equal(linux[name as keyof typeof linux], fromPython[name], name);
  }
});

Deno.test("errno: libzmq's own codes are pyzmq's and the same on every platform", () => {
  const fromPyzmq = JSON.parse(
    python(
      "import zmq, json; print(json.dumps({n: getattr(zmq, n) for n in " +
        '["EFSM", "ENOCOMPATPROTO", "ETERM", "EMTHREAD"]}))',
    ),
  );
  for (const [name, value] of Object.entries(fromPyzmq)) {
    assert.equal(linux[name as keyof typeof linux], value, name);
    assert.equal(darwin[name as keyof typeof darwin], value, name);
  }
});

Deno.test("errno: macOS's table has the BSD numbers (EAGAIN 35, not 11)", () => {
  for (const [name, value] of Object.entries(DARWIN_VALUES)) {
    assert.equal(darwin[name as keyof typeof darwin], value, name);
    assert.notEqual(linux[name as keyof typeof linux], value, `${name} differs on Linux`);
  }
  // the numbers both systems share
  for (const name of ["EPERM", "ENOENT", "EINTR", "EBADF", "ENOMEM", "EINVAL", "EMFILE"]) {
    assert.equal(darwin[name as keyof typeof darwin], linux[name as keyof typeof linux], name);
  }
});

Deno.test("errno: every table names the same codes, each number once", () => {
  assert.deepEqual(Object.keys(darwin).sort(), Object.keys(linux).sort());
  for (const table of [linux, darwin]) {
    assert.equal(errnoNames(table).size, Object.keys(table).length, "no number twice");
    for (const [name, value] of errnoNames(table)) assert.equal(table[value], name);
  }
  assert.equal(errnoTable("android").EAGAIN, 11);
  assert.ok(isErrnoName("EAGAIN") && !isErrnoName("ECLOSED") && !isErrnoName("E35"));
});

Deno.test("errno: this process uses its platform's table, which its C library agrees with", () => {
  assert.deepEqual(ERRNO, errnoTable(Deno.build.os));
  assert.equal(errnoName(ERRNO.EAGAIN), "EAGAIN");
  assert.equal(errnoName(ERRNO.EFSM), "EFSM");
  assert.equal(errnoName(9999), "E9999");
  assert.equal(strerror(ERRNO.EAGAIN), "Resource temporarily unavailable");
  assert.equal(strerror(ERRNO.EADDRINUSE), "Address already in use");
  assert.equal(strerror(ERRNO.EFSM), "Operation cannot be accomplished in current state");
  for (const [name, value] of Object.entries(ERRNO)) {
    assert.doesNotMatch(strerror(value), /^Unknown error/, `${name} (${value})`);
  }
});

Deno.test("errors: errno codes carry the platform's number, the library's own codes 0", () => {
  assert.equal(errnoOf("EAGAIN"), ERRNO.EAGAIN);
  assert.equal(errnoOf("EBUSY"), ERRNO.EBUSY);
  assert.equal(errnoOf("E4242"), 4242);
  for (const code of LIBRARY_ERROR_CODES) {
    assert.equal(errnoOf(code), 0, code);
    assert.ok(!isErrnoName(code), `${code} is not an errno name`);
  }
  const e = zmqError("EINVAL", "Bad thing", { op: "bind", endpoint: "tcp://x" });
  assert.ok(e instanceof ZmqError);
  assert.equal(e.code, "EINVAL");
  assert.equal(e.errno, ERRNO.EINVAL);
  assert.equal(e.message, 'Bad thing (bind endpoint "tcp://x")');
  assert.equal(e.cause, undefined);
  assert.ok(!("cause" in e), "no cause property without a cause");
});

Deno.test("errors: the factories pass the cause through and say what was done", () => {
  const cause = new TypeError("inner");
  const bad = badValue("count must be an integer", { op: "request" }, cause);
  assert.equal(bad.code, "EBADVALUE");
  assert.equal(bad.errno, 0);
  assert.equal(bad.cause, cause);
  assert.equal(bad.op, "request");
  const hook = zmqError("EHOOK", "the hook threw", { op: "onDecision" }, cause);
  assert.equal(hook.cause, cause);
  assert.equal(closedError("Socket is closed", { op: "send" }).code, "ECLOSED");
  const late = timeoutError(400, { op: "recv", socketType: "PULL" });
  assert.equal(late.code, "EAGAIN");
  assert.equal(late.errno, ERRNO.EAGAIN);
  assert.match(late.message, /timed out after 400 ms\) \(recv on PULL socket\)$/);
  assert.match(timeoutError(0, {}).message, /timeout is 0/);
});
