// Finds a libzmq binary to open with Deno.dlopen.
//
// The prebuilt addon inside npm:zeromq links libzmq statically and exports its whole C API, so
// it serves as our libzmq. Several builds ship per platform; not all load here (glibc version,
// musl) and not all have CURVE. We try them in a sensible order and keep the first one that
// loads and reports CURVE, else the first one that loads at all.
//
// The static import below puts the package in Deno's module graph, so `deno run` (from a
// checkout, by URL or from JSR) downloads it; import.meta.resolve then gives its file: URL.
import zeromqPackage from "npm:zeromq@6.8.0/package.json" with { type: "json" };

/** Environment variable that points at another libzmq (for example Debian's libzmq.so.5). */
export const LIBRARY_ENV = "DENO_ZMQ_LIBRARY";

/** One library file that was considered, and why it was or was not chosen. */
export interface Candidate {
  /** The file that was tried. */
  path: string;
  /** Why it was or was not chosen. */
  outcome: string;
}

/** Minimal symbols used to probe a candidate before the full symbol table is bound. */
const PROBE_SYMBOLS = {
  zmq_has: { parameters: ["buffer"], result: "i32" },
  zmq_version: { parameters: ["buffer", "buffer", "buffer"], result: "void" },
} as const;

/** The result of a successful search. */
export interface FoundLibrary {
  /** The library file. */
  path: string;
  /** libzmq's version, e.g. "4.3.5". */
  version: string;
  /** Whether it has CURVE security. */
  curve: boolean;
  /** Everything that was considered, in order. */
  tried: Candidate[];
}

/**
 * Raised when no libzmq could be opened; lists every path tried and the reason it was refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LibraryNotFoundError } from "../mod.ts";
 * const error = new LibraryNotFoundError([{ path: "/opt/libzmq.so", outcome: "not found" }], "");
 * assert.match(error.message, /\/opt\/libzmq\.so: not found/);
 * ```
 */
export class LibraryNotFoundError extends Error {
  /** Every file tried, in order, and why it was not chosen. */
  readonly tried: { path: string; outcome: string }[];
  /**
   * Builds the error from the files tried and a hint on what to do.
   *
   * @param tried Every file tried and why it was not chosen.
   * @param hint What to do about it (the last lines of the message).
   */
  constructor(tried: { path: string; outcome: string }[], hint: string) {
    const lines = tried.map((c) => `  - ${c.path}: ${c.outcome}`).join("\n");
    super(
      `Could not open libzmq.\nTried:\n${lines || "  (nothing)"}\n${hint}`,
    );
    this.name = "LibraryNotFoundError";
    this.tried = tried;
  }
}

/**
 * Raised instead of {@linkcode LibraryNotFoundError} when libzmq could not be opened because
 * the program lacks a permission; the message starts with the missing flag, e.g.
 * `Missing permission --allow-read: ...`. Its stack is the message alone: the fix is in the
 * command line, not in the code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MissingPermissionError } from "../mod.ts";
 * const error = new MissingPermissionError(["--allow-ffi"], "/opt/libzmq.so");
 * assert.ok(error.message.startsWith("Missing permission --allow-ffi"));
 * ```
 */
export class MissingPermissionError extends LibraryNotFoundError {
  /** The missing flags, e.g. `["--allow-read", "--allow-ffi"]`. */
  readonly permissions: string[];
  /**
   * Builds the error for the missing `permissions` and the path they were needed for.
   *
   * @param permissions The missing flags.
   * @param path The library file they were needed for.
   * @param tried The files tried before.
   */
  constructor(
    permissions: string[],
    path: string,
    tried: { path: string; outcome: string }[] = [],
  ) {
    super(tried, "");
    this.name = "MissingPermissionError";
    this.permissions = permissions;
    const flags = permissions.join(" and ");
    const noun = permissions.length === 1 ? "permission" : "permissions";
    this.message = `Missing ${noun} ${flags}: libzmq is loaded from ${path}. Run with ` +
      `--allow-read --allow-ffi (and --allow-env to honour ${LIBRARY_ENV}), or -A.`;
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** True if `error` is Deno's refusal for a missing permission. */
function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}

/** The flags among --allow-read and --allow-ffi that are not granted for `path`. */
function missingPermissions(path: string): string[] {
  const missing: string[] = [];
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
    missing.push("--allow-read");
  }
  if (Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") {
    missing.push("--allow-ffi");
  }
  return missing;
}

function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s + "\0");
}

/** Opens `path` with the probe symbols; answers its version and whether it has CURVE. */
export function probeLibrary(
  path: string,
): { version: string; curve: boolean } {
  const lib = Deno.dlopen(path, PROBE_SYMBOLS);
  try {
    const v = new Int32Array(3);
    lib.symbols.zmq_version(v.subarray(0, 1), v.subarray(1, 2), v.subarray(2, 3));
    const curve = lib.symbols.zmq_has(cString("curve")) === 1;
    return { version: `${v[0]}.${v[1]}.${v[2]}`, curve };
  } finally {
    lib.close();
  }
}

/** Orders the build folders of npm:zeromq for this platform: our libc first, newest ABI first. */
export function rankBuildDirs(names: string[], libc: "glibc" | "musl" | "other"): string[] {
  const score = (name: string): [number, number] => {
    const abi = Number(/(\d+)/.exec(name)?.[1] ?? 0);
    let family = 1; // plain "<abi>" folders
    if (name.startsWith(libc)) family = 0;
    else if (/^(glibc|musl|libc|msvc)-/.test(name)) family = 2;
    return [family, -abi];
  };
  return [...names].sort((a, b) => {
    const [fa, aa] = score(a);
    const [fb, ab] = score(b);
    return fa - fb || aa - ab || a.localeCompare(b);
  });
}

function detectLibc(): "glibc" | "musl" | "other" {
  if (Deno.build.os !== "linux") return "other";
  try {
    for (const entry of Deno.readDirSync("/lib")) {
      if (entry.name.startsWith("ld-musl-")) return "musl";
    }
  } catch {
    // no /lib to look at: assume glibc
  }
  return "glibc";
}

/** Lists the addon files of npm:zeromq for this OS and CPU, best first. */
export function packagedCandidates(): string[] {
  const pkgUrl = import.meta.resolve("npm:zeromq@6.8.0/package.json");
  if (!pkgUrl.startsWith("file:")) return [];
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  const arch = { x86_64: "x64", aarch64: "arm64" }[Deno.build.arch] ?? Deno.build.arch;
  const base = new URL(`build/${os}/${arch}/node/`, pkgUrl);
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(base)].filter((e) => e.isDirectory).map((e) => e.name);
  } catch (e) {
    if (isPermissionError(e)) {
      const path = decodeURIComponent(base.pathname);
      throw new MissingPermissionError(missingPermissions(path), path);
    }
    return [];
  }
  const file = os === "win32" ? "addon.node" : "addon.node";
  return rankBuildDirs(names, detectLibc()).map((n) =>
    decodeURIComponent(new URL(`${n}/${file}`, base).pathname)
  );
}

/**
 * Finds libzmq: the path in `DENO_ZMQ_LIBRARY` if set (and nothing else), otherwise the best
 * loadable build inside npm:zeromq, preferring one with CURVE.
 */
export function findLibrary(): FoundLibrary {
  const tried: Candidate[] = [];
  let override: string | undefined;
  try {
    override = Deno.env.get(LIBRARY_ENV) || undefined;
  } catch {
    // no --allow-env: no override
  }
  if (override) {
    try {
      const info = probeLibrary(override);
      tried.push({ path: override, outcome: "chosen" });
      return { path: override, ...info, tried };
    } catch (e) {
      tried.push({ path: override, outcome: (e as Error).message });
      if (isPermissionError(e)) {
        throw new MissingPermissionError(missingPermissions(override), override, tried);
      }
      throw new LibraryNotFoundError(
        tried,
        `${LIBRARY_ENV} is set to ${override}, which did not load. Point it at a libzmq ` +
          `shared library (e.g. /usr/lib/x86_64-linux-gnu/libzmq.so.5) or unset it.`,
      );
    }
  }
  let fallback: FoundLibrary | undefined;
  for (const path of packagedCandidates()) {
    try {
      const info = probeLibrary(path);
      if (info.curve) {
        tried.push({ path, outcome: "chosen (has CURVE)" });
        return { path, ...info, tried };
      }
      tried.push({ path, outcome: "loads, but without CURVE" });
      fallback ??= { path, ...info, tried };
    } catch (e) {
      if (isPermissionError(e)) throw new MissingPermissionError(missingPermissions(path), path);
      tried.push({ path, outcome: (e as Error).message.split("\n")[0] });
    }
  }
  if (fallback) return fallback;
  throw new LibraryNotFoundError(
    tried,
    `npm:zeromq@${zeromqPackage.version} has no build that loads on ${Deno.build.os}/` +
      `${Deno.build.arch}. Install a libzmq (e.g. apt-get install libzmq5) and set ` +
      `${LIBRARY_ENV} to its path. Run with --allow-ffi --allow-read --allow-env.`,
  );
}
