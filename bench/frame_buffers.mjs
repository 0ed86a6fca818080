// What a received frame's buffer costs: a Uint8Array with an ArrayBuffer of its own (what every
// received frame gets, see docs/design.md) against a view into a shared slab (what frames up to
// 8 KiB used to be). Runs under both runtimes, for the comparison docs/design.md quotes:
//   deno run bench/frame_buffers.mjs
//   node bench/frame_buffers.mjs
// Single runs on a shared machine: compare the lines of one run, not runs of different days.
const N = 2_000_000;
const SIZE = 16;
const slab = new Uint8Array(64 * 1024);
let sink = 0;

function measure(name, make) {
  for (let i = 0; i < 100_000; i++) sink += make(i).length; // warm up
  const start = performance.now();
  for (let i = 0; i < N; i++) sink += make(i).length;
  const ns = ((performance.now() - start) * 1e6) / N;
  console.log(`${name.padEnd(44)} ${ns.toFixed(0).padStart(5)} ns`);
}

const at = (i) => (i & 1023) * SIZE;
measure(`new Uint8Array(${SIZE}) (its own ArrayBuffer)`, () => new Uint8Array(SIZE));
measure(`new Uint8Array(new ArrayBuffer(${SIZE}))`, () => new Uint8Array(new ArrayBuffer(SIZE)));
measure(`slab.slice(): a copy in its own buffer`, (i) => slab.slice(at(i), at(i) + SIZE));
measure(`slab.subarray(): a view, no buffer`, (i) => slab.subarray(at(i), at(i) + SIZE));
if (sink === 0) console.log("(nothing measured)");
