/**
 * The documentation's examples, checked: `deno run -A tools/doc_examples.ts` prints every
 * example of a shipped module that breaks a rule and exits 1 if there is one (CI runs it, and
 * so does tests/doc_examples.test.ts).
 *
 * The shipped modules are the folders of deno.json's `exports` (`./mod.ts` stands for the
 * files at the root). The rules, for every fenced TypeScript example in their comments:
 * 1. It runs: no `ignore` (or `no-eval`) after the fence, so `deno test --doc` type-checks and
 *    runs it.
 * 2. It asserts what it shows: it calls `assert` (node:assert/strict) at least once, and prints
 *    no expected value in a comment (`console.log(x); // 3` is `assert.equal(x, 3)`).
 * 3. The test task reaches it: deno.json's `test` task runs `deno test --doc` over its folder
 *    (or, for the root, over the file itself).
 *
 * The check reads the text of the comments, not a syntax tree.
 *
 * @module
 */

import { readTree, type SourceFile } from "./boundary.ts";

export { readTree, type SourceFile };

/** One example that breaks a rule. */
export interface Finding {
  /** The file, relative to the repository root. */
  path: string;
  /** The 1-based line of the example's opening fence. */
  line: number;
  /** Which rule, and what was found. */
  message: string;
}

/** One fenced example of a comment. */
export interface Example {
  /** The 1-based line of the opening fence. */
  line: number;
  /** What follows the language on the fence line, e.g. `"ignore"`. */
  attributes: string;
  /** The example's code, without the comment's leading `*`. */
  code: string;
}

const FENCE_OPEN = /^\s*\*?\s*```(ts|typescript|js|javascript|tsx|jsx)\b(.*)$/;
const FENCE_CLOSE = /^\s*\*?\s*```\s*$/;
const CALLS_ASSERT = /\bassert(?:\.\w+)?\s*\(/;
const SHOWN_VALUE = /^\s*console\.log\(.*\);?\s*\/\/\s*\S/;

/** Every fenced TypeScript or JavaScript example inside the block comments of `text`. */
export function examples(text: string): Example[] {
  const found: Example[] = [];
  const lines = text.split("\n");
  let inComment = false;
  let open: { line: number; attributes: string; code: string[] } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!inComment) {
      if (/^\s*\/\*\*/.test(line) && !/\*\//.test(line.replace(/^\s*\/\*\*/, ""))) inComment = true;
      continue;
    }
    if (open === null && /\*\//.test(line)) {
      inComment = false;
      continue;
    }
    if (open === null) {
      const m = FENCE_OPEN.exec(line);
      if (m) open = { line: i + 1, attributes: m[2].trim(), code: [] };
      continue;
    }
    if (FENCE_CLOSE.test(line)) {
      found.push({ line: open.line, attributes: open.attributes, code: open.code.join("\n") });
      open = null;
      continue;
    }
    open.code.push(line.replace(/^\s*\* ?/, ""));
  }
  return found;
}

/** The folders (and root files) deno.json's exports ship, e.g. `["core/", "mod.ts"]`. */
export function shippedRoots(exports: Readonly<Record<string, string>>): string[] {
  const roots = new Set<string>();
  for (const target of Object.values(exports)) {
    const path = target.replace(/^\.\//, "");
    const slash = path.lastIndexOf("/");
    roots.add(slash < 0 ? path : path.slice(0, slash + 1));
  }
  return [...roots].sort();
}

/** The paths the `test` task hands to `deno test --doc`; empty without `--doc`. */
export function docTestPaths(testTask: string): string[] {
  const words = testTask.split(/\s+/).filter((w) => w !== "");
  if (!words.includes("--doc")) return [];
  return words.filter((w) => !w.startsWith("-") && w !== "deno" && w !== "test")
    .map((w) => w.replace(/^\.\//, ""));
}

/** True if `path` lies under one of `roots` (a folder `x/`, or a root file itself). */
function under(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => r.endsWith("/") ? path.startsWith(r) : path === r);
}

/**
 * Every example of a shipped file that breaks a rule. `roots` are the shipped folders and root
 * files (see {@linkcode shippedRoots}); a root file stands for every file at the root.
 * `docPaths` are what the test task doc-tests (see {@linkcode docTestPaths}).
 */
export function checkExamples(
  files: readonly SourceFile[],
  roots: readonly string[],
  docPaths: readonly string[],
): Finding[] {
  const folders = roots.filter((r) => r.endsWith("/"));
  const rootShipped = roots.some((r) => !r.endsWith("/"));
  const findings: Finding[] = [];
  for (const { path, text } of files) {
    const atRoot = !path.includes("/");
    if (!(atRoot ? rootShipped : under(path, folders))) continue;
    for (const example of examples(text)) {
      const at = { path, line: example.line };
      if (/\b(ignore|no-eval)\b/.test(example.attributes)) {
        findings.push({
          ...at,
          message: `rule 1: marked "${example.attributes}": deno test --doc skips it; make it run`,
        });
      }
      if (!CALLS_ASSERT.test(example.code)) {
        findings.push({
          ...at,
          message: "rule 2: asserts nothing; assert what it shows (node:assert/strict)",
        });
      }
      const shown = example.code.split("\n").find((l) => SHOWN_VALUE.test(l));
      if (shown !== undefined) {
        findings.push({
          ...at,
          message: `rule 2: prints a value to compare by eye (${shown.trim()}); assert it`,
        });
      }
      const folder = atRoot ? path : path.slice(0, path.lastIndexOf("/") + 1);
      if (!docPaths.some((p) => p === folder || (p.endsWith("/") && folder.startsWith(p)))) {
        findings.push({
          ...at,
          message: `rule 3: the test task does not doc-test ${folder} (add it after --doc)`,
        });
      }
    }
  }
  return findings;
}

/** Reads deno.json under `root`: the shipped roots and the test task's doc-tested paths. */
export function readConfig(root: string): { roots: string[]; docPaths: string[] } {
  const config = JSON.parse(Deno.readTextFileSync(`${root}/deno.json`));
  const task = config.tasks?.test;
  const command = typeof task === "string" ? task : String(task?.command ?? "");
  return { roots: shippedRoots(config.exports ?? {}), docPaths: docTestPaths(command) };
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const { roots, docPaths } = readConfig(root);
  const files = readTree(root);
  const findings = checkExamples(files, roots, docPaths);
  for (const f of findings) console.log(`${f.path}:${f.line}: ${f.message}`);
  const count = files.flatMap((f) =>
    (f.path.includes("/") ? under(f.path, roots) : true) ? examples(f.text) : []
  ).length;
  console.log(
    findings.length === 0
      ? `doc examples: ${count} examples in ${roots.join(" ")}, every one runs and asserts`
      : `doc examples: ${findings.length} finding(s)`,
  );
  if (findings.length > 0) {
    Deno.exit(1);
  }
}
