/**
 * The seeded API fuzzer: {@linkcode fuzz} drives random sequences of calls from a seed and
 * rejects with a {@linkcode FuzzFailure} naming the seed and step when a call misbehaves. Run it
 * as `deno run -A fuzz/fuzz.ts --seed 42 --steps 300 [--trace]`. A tool, not part of the
 * library's API (the root mod.ts does not re-export it).
 *
 * @module
 */
export { fuzz, FuzzFailure, Rng } from "./fuzz.ts";
