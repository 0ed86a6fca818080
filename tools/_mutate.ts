// The pure parts of the mutation run (tools/mutants.ts): checking the list against a tree,
// applying one mutation to a file's text, and reading what `deno test` printed.

/** One deliberate bug: replace the only occurrence of `find` in `file` with `replace`. */
export interface Mutation {
  /** A short unique name, e.g. `"recv-flips-a-byte"`. */
  id: string;
  /** The file to change, relative to the repository root. */
  file: string;
  /** The exact text to replace; it must occur exactly once in `file`. */
  find: string;
  /** What replaces it. */
  replace: string;
  /** The bug this stands for, in a user's terms. */
  why: string;
  /** The test files (relative to the root) to run against it, unless the run uses `--all`. */
  tests: string[];
}

/** How one mutant ended. */
export type Verdict =
  | { kind: "killed"; by: string[] }
  | { kind: "timeout"; in: string | null }
  | { kind: "survived" }
  | { kind: "broken"; detail: string };

/** Counts the non-overlapping occurrences of `find` in `text`. */
export function occurrences(text: string, find: string): number {
  if (find === "") return 0;
  let n = 0;
  for (let i = text.indexOf(find); i >= 0; i = text.indexOf(find, i + find.length)) n++;
  return n;
}

/**
 * Checks a mutation list against a tree; answers one line per problem (empty: all good).
 * `read(path)` answers a file's text, or null if there is no such file.
 */
export function checkMutations(
  mutations: readonly Mutation[],
  read: (path: string) => string | null,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of mutations) {
    if (seen.has(m.id)) problems.push(`${m.id}: the id is used twice`);
    seen.add(m.id);
    if (m.find === m.replace) problems.push(`${m.id}: replace equals find, nothing changes`);
    if (m.tests.length === 0) problems.push(`${m.id}: no test files named`);
    const text = read(m.file);
    if (text === null) {
      problems.push(`${m.id}: ${m.file} does not exist`);
      continue;
    }
    const n = occurrences(text, m.find);
    if (n !== 1) {
      problems.push(
        `${m.id}: its find text occurs ${n} times in ${m.file} (must be exactly once): ${
          JSON.stringify(m.find.length > 80 ? `${m.find.slice(0, 77)}...` : m.find)
        }`,
      );
    }
  }
  return problems;
}

/** The file's text with the mutation applied; throws if `find` does not occur exactly once. */
export function applyMutation(text: string, m: Mutation): string {
  const n = occurrences(text, m.find);
  if (n !== 1) throw new Error(`${m.id}: find text occurs ${n} times in ${m.file}, not once`);
  const at = text.indexOf(m.find);
  return text.slice(0, at) + m.replace + text.slice(at + m.find.length);
}

// deno-lint-ignore no-control-regex -- the escape character is what colour codes start with
const ANSI = /\x1b\[[0-9;]*m/g;

/** The names of the failed tests in `deno test` output, e.g. `"name (tests/x.test.ts:12)"`. */
export function failedTests(output: string): string[] {
  const lines = output.replace(ANSI, "").split("\n");
  const start = lines.findIndex((l) => l.trim() === "FAILURES");
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^(.*) => \.?\/?(.+?):(\d+):\d+$/.exec(line.trim());
    if (m) names.push(`${m[1]} (${m[2]}:${m[3]})`);
    else if (/^(FAILED|ok) \|/.test(line.trim())) break;
  }
  return names;
}

/** Whether the output says the code could not even be loaded (a mutation that does not parse). */
export function unparsable(output: string): string | null {
  const clean = output.replace(ANSI, "");
  const m = /^error: (The module's source code could not be parsed.*|.*SyntaxError.*)$/m.exec(
    clean,
  );
  return m ? m[1] : null;
}

/** The test that was running when the output stops (started, no result), or null. */
export function lastStarted(output: string): string | null {
  const lines = output.replace(ANSI, "").split("\n").map((l) => l.trimEnd());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(.*) \.\.\.$/.exec(lines[i]);
    if (m) return m[1];
    if (/ \.\.\. (ok|FAILED|ignored)/.test(lines[i])) return null;
  }
  return null;
}

/** The verdict on one run of the tests against a mutant. */
export function verdict(code: number, timedOut: boolean, output: string): Verdict {
  if (timedOut) return { kind: "timeout", in: lastStarted(output) };
  const broken = unparsable(output);
  if (broken !== null) return { kind: "broken", detail: broken };
  if (code === 0) return { kind: "survived" };
  const by = failedTests(output);
  if (by.length > 0) return { kind: "killed", by };
  const firstError = output.replace(ANSI, "").split("\n").find((l) => l.startsWith("error"));
  return { kind: "killed", by: [firstError ?? `deno test exited with ${code}`] };
}

/** The score line: how many of the valid mutants the tests killed. */
export function scoreLine(verdicts: readonly Verdict[]): string {
  const count = (kind: Verdict["kind"]) => verdicts.filter((v) => v.kind === kind).length;
  const valid = verdicts.length - count("broken");
  const killed = count("killed") + count("timeout");
  const percent = valid === 0 ? 0 : Math.round((killed / valid) * 100);
  return `mutation score: ${killed}/${valid} killed (${percent} %): ${count("killed")} by a ` +
    `failing test, ${count("timeout")} by the time limit (a hung run); ${count("survived")} ` +
    `survived${count("broken") > 0 ? `; ${count("broken")} broken (did not load)` : ""}`;
}
