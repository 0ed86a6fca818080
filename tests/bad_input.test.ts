// The bad-input table over the whole public API: every row makes one wrong call, asserts the
// error's class and code, then a healthy round trip (see _bad_input.ts).
import assert from "node:assert/strict";
import { defineRows } from "./_bad_input.ts";
import { coreRows } from "./_bad_input_core.ts";
import { layerRows } from "./_bad_input_layers.ts";
import { draftRows } from "./_bad_input_draft.ts";

const rows = [...coreRows, ...layerRows, ...draftRows];

Deno.test("bad-input table has at least 150 distinct rows", () => {
  assert.ok(rows.length >= 150, `${rows.length} rows`);
  assert.equal(new Set(rows.map((r) => r.what)).size, rows.length, "row names are distinct");
});

defineRows(rows);
