// The documentation's examples (tools/doc_examples.ts): every example of a shipped module runs
// under the test task and asserts what it shows, and the checker finds each kind of breach.
import assert from "node:assert/strict";
import {
  checkExamples,
  docTestPaths,
  examples,
  readConfig,
  readTree,
  shippedRoots,
  type SourceFile,
} from "../tools/doc_examples.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const FENCE = "`".repeat(3);

/** A JSDoc comment holding one example with `code` lines, fenced with `fence` attributes. */
function doc(code: string[], attributes = ""): string {
  return [
    "/**",
    " * Says hello.",
    " *",
    " * @example",
    ` * ${FENCE}ts${attributes === "" ? "" : " " + attributes}`,
    ...code.map((l) => ` * ${l}`),
    ` * ${FENCE}`,
    " */",
    "export function hello(): string {",
    '  return "Hello";',
    "}",
    "",
  ].join("\n");
}

function rules(files: SourceFile[], docPaths = ["mod.ts", "core/"]): string[] {
  return checkExamples(files, ["core/", "mod.ts"], docPaths)
    .map((f) => `${f.path}:${f.line} ${f.message.slice(0, 6)}`);
}

const GOOD = ['import assert from "node:assert/strict";', 'assert.equal(hello(), "Hello");'];

Deno.test("doc examples: every example of a shipped module runs under the test task and asserts", () => {
  const { roots, docPaths } = readConfig(root);
  assert.ok(roots.includes("core/") && roots.includes("mod.ts"), `roots: ${roots.join(" ")}`);
  const files = readTree(root);
  assert.ok(examples(files.find((f) => f.path === "core/socket.ts")!.text).length >= 10);
  assert.deepEqual(
    checkExamples(files, roots, docPaths).map((f) => `${f.path}:${f.line}: ${f.message}`),
    [],
  );
});

Deno.test("doc examples: an example that asserts, runs and is doc-tested passes", () => {
  assert.deepEqual(rules([{ path: "core/hello.ts", text: doc(GOOD) }]), []);
});

Deno.test("doc examples: an ignored example, one that asserts nothing, one that prints are found", () => {
  assert.deepEqual(
    rules([
      { path: "core/a.ts", text: doc(GOOD, "ignore") },
      { path: "core/b.ts", text: doc(["hello();"]) },
      { path: "mod.ts", text: doc([...GOOD, 'console.log(hello()); // "Hello"']) },
    ]),
    ["core/a.ts:5 rule 1", "core/b.ts:5 rule 2", "mod.ts:5 rule 2"],
  );
});

Deno.test("doc examples: a shipped folder the test task does not doc-test is found", () => {
  assert.deepEqual(rules([{ path: "core/hello.ts", text: doc(GOOD) }], ["mod.ts"]), [
    "core/hello.ts:5 rule 3",
  ]);
  // files outside the shipped folders are not checked
  assert.deepEqual(rules([{ path: "bench/x.ts", text: doc(["hello();"], "ignore") }]), []);
});

Deno.test("doc examples: fences outside comments and other languages are not examples", () => {
  const text = [
    `const md = "${FENCE}ts\\nnot in a comment\\n${FENCE}";`,
    "/**",
    ` * ${FENCE}sh`,
    " * deno task test",
    ` * ${FENCE}`,
    " */",
    doc(GOOD),
  ].join("\n");
  assert.deepEqual(examples(text).map((e) => e.line), [11]);
});

Deno.test("doc examples: deno.json's exports give the shipped folders, the test task its --doc paths", () => {
  assert.deepEqual(
    shippedRoots({ ".": "./mod.ts", "./core": "./core/mod.ts", "./cli": "./cli/zmq.ts" }),
    ["cli/", "core/", "mod.ts"],
  );
  assert.deepEqual(docTestPaths("deno test --allow-all --doc mod.ts ./core/ tests/"), [
    "mod.ts",
    "core/",
    "tests/",
  ]);
  assert.deepEqual(docTestPaths("deno test --allow-all tests/"), []);
});
