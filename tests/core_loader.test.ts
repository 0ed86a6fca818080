import assert from "node:assert/strict";
import { LibraryNotFoundError, zmqHas, zmqLibraryPath, zmqVersion } from "../mod.ts";
import { findLibrary, LIBRARY_ENV, packagedCandidates, rankBuildDirs } from "../core/_loader.ts";
import { DEBIAN_LIBZMQ, hasDebianLibzmq } from "./_peers.ts";

Deno.test("the loader picks a libzmq with CURVE from npm:zeromq", () => {
  assert.match(zmqVersion(), /^4\.\d+\.\d+$/);
  assert.equal(zmqHas("curve"), true);
  assert.match(zmqLibraryPath(), /zeromq.*addon\.node$/);
  assert.ok(packagedCandidates().length > 0);
});

Deno.test("build folders are ranked: this libc first, newest ABI first", () => {
  const names = ["108", "115", "64", "glibc-115-Release", "glibc-127-Release", "musl-127-Release"];
  assert.deepEqual(rankBuildDirs(names, "glibc"), [
    "glibc-127-Release",
    "glibc-115-Release",
    "115",
    "108",
    "64",
    "musl-127-Release",
  ]);
  assert.equal(rankBuildDirs(names, "musl")[0], "musl-127-Release");
});

function withEnv<T>(value: string, fn: () => T): T {
  const before = Deno.env.get(LIBRARY_ENV);
  Deno.env.set(LIBRARY_ENV, value);
  try {
    return fn();
  } finally {
    if (before === undefined) Deno.env.delete(LIBRARY_ENV);
    else Deno.env.set(LIBRARY_ENV, before);
  }
}

Deno.test("an override that does not load fails with what was tried and what to do", () => {
  const error = withEnv("/nonexistent/libzmq.so", () => {
    try {
      findLibrary();
    } catch (e) {
      return e;
    }
  });
  assert.ok(error instanceof LibraryNotFoundError);
  assert.equal(error.tried[0].path, "/nonexistent/libzmq.so");
  assert.match(error.message, /DENO_ZMQ_LIBRARY/);
});

Deno.test({
  name: "the override can point at Debian's libzmq.so.5",
  // Debian's libzmq5 comes with python3-zmq, which .ci/run installs
  ignore: !hasDebianLibzmq,
  fn() {
    const found = withEnv(DEBIAN_LIBZMQ, () => findLibrary());
    assert.equal(found.path, DEBIAN_LIBZMQ);
    assert.match(found.version, /^4\./);
  },
});
