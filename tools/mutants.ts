/**
 * The mutation run: how many deliberate bugs do the tests catch? Each mutation of
 * `tools/mutations.ts` is applied in a scratch copy of the tree (never in the working tree), the
 * test files named for it run with a time limit (a run that outlives it counts as killed by the
 * time limit, and is reported as such: a hung suite, not a named failure), the file is put back,
 * and the score is printed at the end.
 *
 * Run: `deno task mutants [--only ID,ID] [--all] [--ref REV] [--timeout S] [--jobs N] [--list]`
 *
 * The list is checked first: a mutation whose `find` text no longer occurs exactly once in its
 * file stops the run before anything is mutated. The unmutated tests must pass too, or the score
 * would mean nothing.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  applyMutation,
  checkMutations,
  type Mutation,
  scoreLine,
  type Verdict,
  verdict,
} from "./_mutate.ts";
import { MUTATIONS } from "./mutations.ts";

const USAGE = `Usage: deno task mutants [options]

Applies each mutation of tools/mutations.ts in a scratch copy of the tree, runs the test files
named for it, reverts, and prints the mutation score.

Options:
  --only ID,ID   run only these mutations (see --list for the ids)
  --all          run the whole suite (tests/) for every mutant, not the files named for it
  --ref REV      measure the tests and code of a git revision (e.g. main, 4eeccc8) instead of
                 the working tree; mutations that do not fit REV's code and named test files
                 that REV lacks are skipped (and listed)
  --timeout S    seconds a mutant's test run may take before it counts as hung (default 120)
  --jobs N       mutants run at once, each in its own scratch copy (default 1)
  --list         check the list against the tree and print it; run nothing
  --keep         keep the scratch copies (their paths are printed)
  --help         this text`;

interface Options {
  only: string[] | null;
  all: boolean;
  ref: string | null;
  timeoutMs: number;
  jobs: number;
  list: boolean;
  keep: boolean;
}

/** A user mistake on the command line: one line, the usage, exit code 2. */
class UsageError extends Error {}

function parseOptions(args: string[]): Options | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        only: { type: "string" },
        all: { type: "boolean", default: false },
        ref: { type: "string" },
        timeout: { type: "string", default: "120" },
        jobs: { type: "string", default: "1" },
        list: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  const timeout = Number(v.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout must be seconds > 0; got ${v.timeout}`);
  const jobs = Number(v.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) {
    throw new UsageError(`--jobs must be an integer from 1 to 8; got ${v.jobs}`);
  }
  const only = v.only === undefined ? null : v.only.split(",").map((s) => s.trim()).filter(Boolean);
  const known = new Set(MUTATIONS.map((m) => m.id));
  const unknown = only?.filter((id) => !known.has(id)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(`unknown mutation id(s): ${unknown.join(", ")} (see --list)`);
  }
  return {
    only,
    all: v.all,
    ref: v.ref ?? null,
    timeoutMs: timeout * 1000,
    jobs,
    list: v.list,
    keep: v.keep,
  };
}

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Fills `dir` with the working tree's files (tracked and untracked, not ignored) or REV's. */
async function populate(dir: string, ref: string | null): Promise<void> {
  if (ref !== null) {
    const git = new Deno.Command("git", {
      args: ["-C", ROOT, "archive", "--format=tar", ref],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const tar = new Deno.Command("tar", { args: ["-x", "-C", dir], stdin: "piped" }).spawn();
    await git.stdout.pipeTo(tar.stdin);
    const [g, t] = await Promise.all([git.output(), tar.status]);
    if (!g.success || !t.success) {
      throw new Error(`git archive ${ref} failed: ${new TextDecoder().decode(g.stderr)}`);
    }
    return;
  }
  const files = (await run("git", [
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
  ], ROOT)).split("\0").filter(Boolean);
  for (const file of files) {
    const from = join(ROOT, file);
    try {
      if (!Deno.statSync(from).isFile) continue;
    } catch {
      continue; // tracked but deleted in the working tree
    }
    const to = join(dir, file);
    Deno.mkdirSync(dirname(to), { recursive: true });
    Deno.copyFileSync(from, to);
  }
}

function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

interface Outcome {
  code: number;
  timedOut: boolean;
  output: string;
  ms: number;
}

/** Runs `deno test` on `files` in `dir`; kills the whole process group after `limitMs`. */
async function runTests(dir: string, files: string[], limitMs: number): Promise<Outcome> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", "--sanitize-ops", "--sanitize-resources", ...files],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    detached: true, // its own process group: the tests' own subprocesses are killed with it
  }).spawn();
  let timedOut = false;
  const killGroup = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  running.add(killGroup);
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, limitMs);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      timedOut,
      output: dec.decode(out.stdout) + dec.decode(out.stderr),
      ms: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
    killGroup(); // subprocesses a test left behind
    running.delete(killGroup);
  }
}

const running = new Set<() => void>();

function testFiles(m: Mutation, dir: string, all: boolean): { files: string[]; skipped: string[] } {
  if (all) return { files: ["tests/"], skipped: [] };
  const files = m.tests.filter((f) => readOrNull(join(dir, f)) !== null);
  return { files, skipped: m.tests.filter((f) => !files.includes(f)) };
}

function describe(v: Verdict): string {
  switch (v.kind) {
    case "killed":
      return `by ${v.by.slice(0, 2).join("; ")}${v.by.length > 2 ? ` (+${v.by.length - 2})` : ""}`;
    case "timeout":
      return `by the time limit: the run hung instead of failing by name${
        v.in === null ? "" : `, in "${v.in}"`
      }`;
    case "survived":
      return "no test failed";
    case "broken":
      return `the mutant did not load: ${v.detail}`;
  }
}

const LABEL: Record<Verdict["kind"], string> = {
  killed: "KILLED  ",
  timeout: "TIMEOUT ",
  survived: "SURVIVED",
  broken: "BROKEN  ",
};

async function main(args: string[]): Promise<number> {
  let options: Options | null;
  try {
    options = parseOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`mutants: ${e.message}`);
    console.error(USAGE);
    return 2;
  }
  if (options === null) {
    console.log(USAGE);
    return 0;
  }
  let chosen = options.only === null
    ? MUTATIONS
    : MUTATIONS.filter((m) => options.only!.includes(m.id));

  const dirs: string[] = [];
  const cleanUp = () => {
    for (const kill of running) kill();
    if (!options.keep) { for (const d of dirs) Deno.removeSync(d, { recursive: true }); }
  };
  const onInterrupt = () => {
    cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    for (let i = 0; i < (options.list ? 1 : options.jobs); i++) {
      const dir = await Deno.makeTempDir({ prefix: "zmq-mutants-" });
      dirs.push(dir);
      await populate(dir, options.ref);
    }
    const tree = options.ref === null ? "the working tree" : options.ref;
    const read = (path: string) => readOrNull(join(dirs[0], path));
    if (options.ref !== null) {
      // another revision's code need not hold every find: measure the mutations that fit it
      const misfits = chosen.filter((m) => checkMutations([m], read).length > 0);
      if (misfits.length > 0) {
        console.log(`not applicable to ${tree}: ${misfits.map((m) => m.id).join(", ")}`);
        chosen = chosen.filter((m) => !misfits.includes(m));
      }
    }
    const problems = checkMutations(chosen, read);
    const missingTests = options.ref === null
      ? chosen.flatMap((m) =>
        testFiles(m, dirs[0], false).skipped.map((f) => `${m.id}: test file ${f} does not exist`)
      )
      : [];
    if (problems.length + missingTests.length > 0) {
      console.error(`mutants: the list in tools/mutations.ts does not fit ${tree}:`);
      for (const p of [...problems, ...missingTests]) console.error(`  ${p}`);
      return 1;
    }
    if (options.list) {
      for (const m of chosen) console.log(`${m.id.padEnd(38)} ${m.file}: ${m.why}`);
      console.log(`${chosen.length} mutations, all fit ${tree}`);
      return 0;
    }
    if (options.keep) console.log(`scratch copies: ${dirs.join(" ")}`);

    // The unmutated tests must pass, or a "kill" would mean nothing.
    const union = options.all ? ["tests/"] : [
      ...new Set(chosen.flatMap((m) => testFiles(m, dirs[0], false).files)),
    ].sort();
    console.log(`baseline: ${tree}, unmutated, ${union.join(" ")}`);
    const base = await runTests(dirs[0], union, options.timeoutMs * 2);
    const baseVerdict = verdict(base.code, base.timedOut, base.output);
    if (baseVerdict.kind !== "survived") {
      console.error(`mutants: the unmutated tests do not pass (${describe(baseVerdict)})`);
      console.error(base.output.split("\n").slice(-40).join("\n"));
      return 1;
    }
    console.log(`baseline passed in ${(base.ms / 1000).toFixed(1)} s\n`);

    const verdicts: [Mutation, Verdict][] = [];
    const queue = [...chosen];
    let done = 0;
    await Promise.all(dirs.map(async (dir) => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        const path = join(dir, m.file);
        const original = Deno.readTextFileSync(path);
        const { files, skipped } = testFiles(m, dir, options.all);
        let v: Verdict;
        let ms = 0;
        if (files.length === 0) {
          v = { kind: "survived" }; // nothing in this tree could catch it
        } else {
          Deno.writeTextFileSync(path, applyMutation(original, m));
          try {
            const out = await runTests(dir, files, options.timeoutMs);
            v = verdict(out.code, out.timedOut, out.output);
            ms = out.ms;
          } finally {
            Deno.writeTextFileSync(path, original);
          }
        }
        verdicts.push([m, v]);
        const n = String(++done).padStart(String(chosen.length).length);
        const note = skipped.length > 0 ? ` [${tree} lacks ${skipped.join(", ")}]` : "";
        console.log(
          `[${n}/${chosen.length}] ${LABEL[v.kind]} ${m.id} (${(ms / 1000).toFixed(1)} s) ${
            describe(v)
          }${note}`,
        );
      }
    }));

    const order = new Map(chosen.map((m, i) => [m.id, i]));
    verdicts.sort(([a], [b]) => order.get(a.id)! - order.get(b.id)!);
    const show = (kind: Verdict["kind"], title: string) => {
      const list = verdicts.filter(([, v]) => v.kind === kind);
      if (list.length === 0) return;
      console.log(`\n${title}:`);
      for (const [m] of list) console.log(`  ${m.id} (${relative(".", m.file)}): ${m.why}`);
    };
    show("survived", "survived (no test noticed the bug)");
    show("timeout", "killed only by the time limit (a test hung instead of failing by name)");
    show("broken", "broken (fix the mutation: it does not load)");
    console.log(
      `\n${scoreLine(verdicts.map(([, v]) => v))}\n(${tree}, ${
        options.all ? "whole suite" : "named test files"
      } per mutant, limit ${options.timeoutMs / 1000} s)`,
    );
    return verdicts.some(([, v]) => v.kind === "broken") ? 1 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    cleanUp();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
