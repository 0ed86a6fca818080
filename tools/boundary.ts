/**
 * The native boundary, checked: `deno run -A tools/boundary.ts` prints every place that crosses
 * it and exits 1 if there is one (CI runs it, and so does tests/boundary.test.ts).
 *
 * The rules (pyzmq's layering: the backend alone touches C, everything else goes through it):
 * 1. Only the backend ({@linkcode BACKEND_FILES}: `core/_backend.ts`, the door every other file
 *    comes through, and the halves it re-exports) imports `core/_ffi.ts`, the one file that
 *    declares native symbols.
 * 2. Only `core/_ffi.ts`, the backend and `core/_loader.ts` (which probes library files)
 *    use Deno's raw FFI (`Deno.dlopen`, `Deno.UnsafePointer`, `Deno.UnsafePointerView`,
 *    `Deno.UnsafeFnPointer`, `Deno.UnsafeCallback`), besides the test files listed in
 *    {@linkcode RAW_FFI_EXCEPTIONS}.
 * 3. Nothing outside `core/` imports core's private `_`-files, besides the modules every folder
 *    shares ({@linkcode SHARED_PRIVATE_MODULES}) and the test files listed in
 *    {@linkcode PRIVATE_IMPORT_EXCEPTIONS}, each with the reason.
 *
 * The check reads the text (imports and `Deno.` names), not a syntax tree; the checker's own
 * test, whose fixtures quote every kind of crossing, is left out ({@linkcode UNCHECKED_FILES}).
 *
 * @module
 */

/** A file of the tree: its path relative to the repository root (with `/`) and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** One place that crosses the boundary. */
export interface Violation {
  /** The file, relative to the repository root. */
  path: string;
  /** The 1-based line. */
  line: number;
  /** Which rule, and what was found. */
  message: string;
}

/** The one file that declares native symbols, and the one that may import it. */
export const FFI_FILE = "core/_ffi.ts";
/** The backend: the only caller of the native symbols. */
export const BACKEND_FILE = "core/_backend.ts";
/**
 * The backend's files: core/_backend.ts and the halves it re-exports, by concern: its errors and
 * C strings, the frames it moves, the libc calls, the DRAFT API.
 */
export const BACKEND_FILES: readonly string[] = [
  BACKEND_FILE,
  "core/_backend_errors.ts",
  "core/_backend_frames.ts",
  "core/_backend_libc.ts",
  "core/_backend_draft.ts",
];
/** Files that may use Deno's raw FFI: the symbol table, the backend and the library loader. */
export const RAW_FFI_FILES: readonly string[] = [FFI_FILE, ...BACKEND_FILES, "core/_loader.ts"];

/** Test files that use raw FFI on purpose, and why. */
export const RAW_FFI_EXCEPTIONS: Readonly<Record<string, string>> = {
  "tests/_bad_input_core.ts": "forges a context address to attack Context.adopt (issue 10.2)",
};

/** Private core modules that every folder may import, and why. */
export const SHARED_PRIVATE_MODULES: Readonly<Record<string, string>> = {
  "core/_util.ts": "the one module of argument checks and small async helpers every layer " +
    "shares (timeouts, counts, signals, delay, aborted); private: not part of the API",
};

/** Test files that import private core modules, which modules, and why. */
export const PRIVATE_IMPORT_EXCEPTIONS: Readonly<
  Record<string, { modules: readonly string[]; why: string }>
> = {
  "tests/core_loader.test.ts": {
    modules: ["core/_loader.ts"],
    why: "unit tests of how library files are ranked and chosen",
  },
  "tests/poller_poller.test.ts": {
    modules: ["core/_reactor.ts"],
    why: "checks that a finished poll leaves nothing polling in the reactor",
  },
  "tests/poller_fds.test.ts": {
    modules: ["core/_reactor.ts"],
    why: "checks that a finished or cancelled wait on a descriptor leaves nothing polling",
  },
  "tests/poller_stream.test.ts": {
    modules: ["core/_reactor.ts"],
    why: "checks that a stopped loop leaves nothing polling in the reactor",
  },
  "tests/core_errno.test.ts": {
    modules: ["core/_errno.ts", "core/_backend.ts"],
    why: "unit tests of the per-platform errno tables, against the C library's strerror",
  },
  "tests/hardening_turn.test.ts": {
    modules: ["core/_turn.ts"],
    why: "counts operations against the event loop's turn budget (TURN_OPS)",
  },
};

/** Files not checked: the checker's own tests quote every kind of crossing as fixtures. */
export const UNCHECKED_FILES: readonly string[] = ["tests/boundary.test.ts"];

const RAW_FFI = /\bDeno\.(dlopen|UnsafePointerView|UnsafePointer|UnsafeFnPointer|UnsafeCallback)\b/;

/** Every module specifier of a file with its line: static imports and exports, import(), new URL. */
export function specifiers(text: string): { specifier: string; line: number }[] {
  const found: { specifier: string; index: number }[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*[,)]/g,
    /\bnew\s+URL\s*\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url/g,
  ];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) found.push({ specifier: m[1], index: m.index! });
  }
  return found.map(({ specifier, index }) => ({
    specifier,
    line: text.slice(0, index).split("\n").length,
  }));
}

/** Resolves a relative specifier of the file at `from` to a repository path; null otherwise. */
export function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const piece of specifier.split("/")) {
    if (piece === "." || piece === "") continue;
    if (piece === "..") {
      if (parts.length === 0) return null; // outside the repository
      parts.pop();
    } else parts.push(piece);
  }
  return parts.join("/");
}

/** True for a private module of core/ (`core/_name.ts`). */
export function isPrivateCore(path: string): boolean {
  return /^core\/_[^/]+\.ts$/.test(path);
}

/** Lines that are comments only (`//`, ` * `): words there do not cross anything. */
function isComment(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith("//") || t.startsWith("*") || t.startsWith("/*");
}

/** Every place in `files` that crosses the native boundary (see the module's rules). */
export function checkBoundary(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const { path, text } of files) {
    if (UNCHECKED_FILES.includes(path)) continue;
    for (const { specifier, line } of specifiers(text)) {
      const target = resolve(path, specifier);
      if (target === null) continue;
      if (target === FFI_FILE && !BACKEND_FILES.includes(path)) {
        violations.push({
          path,
          line,
          message: `rule 1: imports ${FFI_FILE}; only ${
            BACKEND_FILES.join(", ")
          } may (use the backend)`,
        });
      }
      if (
        isPrivateCore(target) && !path.startsWith("core/") &&
        !Object.hasOwn(SHARED_PRIVATE_MODULES, target)
      ) {
        const allowed = PRIVATE_IMPORT_EXCEPTIONS[path]?.modules ?? [];
        if (!allowed.includes(target)) {
          violations.push({
            path,
            line,
            message: `rule 3: imports ${target}, a private module of core/ ` +
              "(use core/mod.ts or core/_util.ts, or list the test in PRIVATE_IMPORT_EXCEPTIONS with " +
              "its reason)",
          });
        }
      }
    }
    if (RAW_FFI_FILES.includes(path) || Object.hasOwn(RAW_FFI_EXCEPTIONS, path)) continue;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const m = RAW_FFI.exec(lines[i]);
      if (m && !isComment(lines[i])) {
        violations.push({
          path,
          line: i + 1,
          message: `rule 2: uses Deno.${m[1]}; only ${RAW_FFI_FILES.join(", ")} may`,
        });
      }
    }
  }
  return violations;
}

/** The TypeScript files of the tree under `root`, skipping dot folders and node_modules. */
export function readTree(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${root}/${dir}`)) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.isFile && /\.(ts|tsx|js|mjs)$/.test(entry.name)) {
        files.push({ path, text: Deno.readTextFileSync(`${root}/${path}`) });
      }
    }
  };
  walk("");
  return files.sort((a, b) => a.path < b.path ? -1 : 1);
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const files = readTree(root);
  const violations = checkBoundary(files);
  for (const v of violations) console.log(`${v.path}:${v.line}: ${v.message}`);
  console.log(
    violations.length === 0
      ? `native boundary: ${files.length} files, no violation`
      : `native boundary: ${violations.length} violation(s)`,
  );
  if (violations.length > 0) Deno.exit(1);
}
