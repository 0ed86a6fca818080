// The mutation run's pure parts (tools/_mutate.ts) and its list (tools/mutations.ts): a stale or
// ambiguous `find` is named before anything runs, and deno test's output is read right.
import assert from "node:assert/strict";
import {
  applyMutation,
  checkMutations,
  failedTests,
  lastStarted,
  type Mutation,
  scoreLine,
  verdict,
} from "../tools/_mutate.ts";
import { MUTATIONS } from "../tools/mutations.ts";

const root = new URL("../", import.meta.url);

function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(new URL(path, root));
  } catch {
    return null;
  }
}

const sample: Mutation = {
  id: "sample",
  file: "x.ts",
  find: "a + b",
  replace: "a - b",
  why: "adds wrong",
  tests: ["tests/x.test.ts"],
};

Deno.test("mutants: every mutation of the list fits this tree, and names test files that exist", () => {
  assert.deepEqual(checkMutations(MUTATIONS, readOrNull), []);
  const missing = MUTATIONS.flatMap((m) => m.tests.filter((t) => readOrNull(t) === null));
  assert.deepEqual(missing, []);
  assert.ok(MUTATIONS.length >= 26, `${MUTATIONS.length} mutations; the issue describes 26 kinds`);
});

Deno.test("mutants: a find that no longer matches, or matches twice, is named", () => {
  const files: Record<string, string> = { "x.ts": "return a + b;", "y.ts": "a + b; a + b;" };
  const read = (path: string) => files[path] ?? null;
  assert.deepEqual(checkMutations([sample], read), []);
  const problems = checkMutations([
    { ...sample, id: "stale", find: "a * b" },
    { ...sample, id: "twice", file: "y.ts" },
    { ...sample, id: "gone", file: "z.ts" },
    { ...sample, id: "noop", replace: "a + b" },
    { ...sample, id: "untested", tests: [] },
    { ...sample, id: "stale" },
  ], read);
  assert.deepEqual(problems.map((p) => p.split(":")[0]), [
    "stale",
    "twice",
    "gone",
    "noop",
    "untested",
    "stale",
  ]);
  assert.match(problems[0], /occurs 0 times in x\.ts/);
  assert.match(problems[1], /occurs 2 times in y\.ts/);
  assert.match(problems[5], /used twice/);
});

Deno.test("mutants: applying a mutation replaces its one occurrence, or throws", () => {
  assert.equal(applyMutation("return a + b;", sample), "return a - b;");
  assert.throws(() => applyMutation("return a * b;", sample), /occurs 0 times/);
  assert.throws(() => applyMutation("a + b; a + b;", sample), /occurs 2 times/);
});

Deno.test("mutants: deno test's output gives the verdict and the failed tests' names", () => {
  const failed = [
    "running 2 tests from ./tests/x.test.ts",
    "adds ... FAILED (2ms)",
    "",
    " ERRORS ",
    "",
    "adds => ./tests/x.test.ts:12:6",
    "error: AssertionError: 1 !== 2",
    "",
    " FAILURES ",
    "",
    "adds => ./tests/x.test.ts:12:6",
    "subtracts => ./tests/x.test.ts:20:6",
    "",
    "FAILED | 0 passed | 2 failed (5ms)",
  ].join("\n");
  assert.deepEqual(failedTests(failed), [
    "adds (tests/x.test.ts:12)",
    "subtracts (tests/x.test.ts:20)",
  ]);
  assert.deepEqual(verdict(1, false, failed), {
    kind: "killed",
    by: ["adds (tests/x.test.ts:12)", "subtracts (tests/x.test.ts:20)"],
  });
  assert.deepEqual(verdict(0, false, "ok | 2 passed | 0 failed (5ms)"), { kind: "survived" });
  assert.deepEqual(verdict(137, true, ""), { kind: "timeout", in: null });
  // a hung run names the test that never finished
  const hung = "running 2 tests from ./tests/x.test.ts\nadds ... ok (2ms)\nwaits forever ...";
  assert.deepEqual(verdict(137, true, hung), { kind: "timeout", in: "waits forever" });
  assert.equal(
    verdict(1, false, "error: The module's source code could not be parsed: Expected ';'").kind,
    "broken",
  );
  // no test ran at all (say a module threw while loading): still a kill, with the error
  assert.deepEqual(verdict(1, false, "error: Uncaught Error: boom"), {
    kind: "killed",
    by: ["error: Uncaught Error: boom"],
  });
  assert.equal(lastStarted("a ... ok (1ms)\n"), null);
  assert.equal(
    scoreLine([
      { kind: "killed", by: ["a"] },
      { kind: "timeout", in: null },
      { kind: "survived" },
      { kind: "broken", detail: "x" },
    ]),
    "mutation score: 2/3 killed (67 %): 1 by a failing test, 1 by the time limit (a hung run); " +
      "1 survived; 1 broken (did not load)",
  );
});
