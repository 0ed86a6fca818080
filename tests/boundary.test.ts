// The native boundary (tools/boundary.ts): the tree keeps it, and the checker finds each kind of
// crossing it is there for.
import assert from "node:assert/strict";
import { checkBoundary, readTree, resolve, type SourceFile } from "../tools/boundary.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

function rules(files: SourceFile[]): string[] {
  return checkBoundary(files).map((v) => `${v.path}:${v.line} ${v.message.slice(0, 6)}`);
}

Deno.test("the tree keeps the native boundary: only the backend calls native code", () => {
  const files = readTree(root);
  assert.deepEqual(files.some((f) => f.path === "core/_backend.ts"), true);
  assert.deepEqual(checkBoundary(files).map((v) => `${v.path}:${v.line}: ${v.message}`), []);
});

Deno.test("boundary: an import of core/_ffi.ts outside the backend is found, type-only too", () => {
  assert.deepEqual(
    rules([
      { path: "core/_backend.ts", text: 'import { zmq } from "./_ffi.ts";\n' },
      { path: "core/monitor.ts", text: '\nimport { zmq } from "./_ffi.ts";\n' },
      { path: "core/socket.ts", text: 'import type { Pointer } from "./_ffi.ts";\n' },
      { path: "devices/x.ts", text: 'export { zmq } from "../core/_ffi.ts";\n' },
    ]),
    [
      "core/monitor.ts:2 rule 1",
      "core/socket.ts:1 rule 1",
      "devices/x.ts:1 rule 1",
      "devices/x.ts:1 rule 3",
    ],
  );
});

Deno.test("boundary: raw FFI outside the backend, the symbol table and the loader is found", () => {
  assert.deepEqual(
    rules([
      { path: "core/_loader.ts", text: "Deno.dlopen(path, PROBE);\n" },
      { path: "core/_shared.ts", text: "const p = Deno.UnsafePointer.create(1n);\n" },
      { path: "poller/x.ts", text: "// Deno.dlopen in a comment is fine\nDeno.dlopen(a, b);\n" },
      { path: "auth/x.ts", text: "new Deno.UnsafePointerView(p).getCString();\n" },
      { path: "tests/_bad_input_core.ts", text: "Deno.UnsafePointer.of(buffer);\n" },
      { path: "tests/other.test.ts", text: "new Deno.UnsafeCallback(def, fn);\n" },
    ]),
    [
      "core/_shared.ts:1 rule 2",
      "poller/x.ts:2 rule 2",
      "auth/x.ts:1 rule 2",
      "tests/other.test.ts:1 rule 2",
    ],
  );
});

Deno.test("boundary: private core modules imported from outside core/ are found", () => {
  assert.deepEqual(
    rules([
      { path: "core/socket.ts", text: 'import { reactor } from "./_reactor.ts";\n' },
      { path: "patterns/a.ts", text: 'import { checkTimeout } from "../core/_args.ts";\n' },
      { path: "patterns/b.ts", text: 'import { Context } from "../core/context.ts";\n' },
      { path: "reliable/e.ts", text: 'import { checkInteger } from "../core/_util.ts";\n' },
      { path: "poller/c.ts", text: 'const m = await import("../core/_turn.ts");\n' },
      {
        path: "workers/d.ts",
        text: 'new Worker(new URL("../core/_entry.ts", import.meta.url), { type: "module" });\n',
      },
      {
        path: "tests/poller_poller.test.ts",
        text: 'import { reactor } from "../core/_reactor.ts";',
      },
      {
        path: "tests/poller_poller.test.ts",
        text: 'import { mustYield } from "../core/_turn.ts";',
      },
      {
        path: "tests/x.test.ts",
        text: "import {\n  a,\n  b,\n} from '../core/_options.ts';\n",
      },
    ]),
    [
      "patterns/a.ts:1 rule 3",
      "poller/c.ts:1 rule 3",
      "workers/d.ts:1 rule 3",
      "tests/poller_poller.test.ts:1 rule 3",
      "tests/x.test.ts:1 rule 3",
    ],
  );
});

Deno.test("boundary: specifiers resolve against their file, never above the root", () => {
  assert.deepEqual(resolve("tests/a.test.ts", "../core/_ffi.ts"), "core/_ffi.ts");
  assert.deepEqual(resolve("core/x/y.ts", "../_ffi.ts"), "core/_ffi.ts");
  assert.deepEqual(resolve("core/socket.ts", "./_ffi.ts"), "core/_ffi.ts");
  assert.deepEqual(resolve("mod.ts", "../core/_ffi.ts"), null);
  assert.deepEqual(resolve("mod.ts", "npm:zeromq@6.8.0"), null);
});
