// Rough cost of the allocator's small-block paths, called from JS on the release build
// (build/wedis.wasm, or $WEDIS_WASM). Each number includes one JS->wasm call per operation;
// the first line measures that call alone so it can be subtracted by eye.
// Usage: node bench/alloc.mjs
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const path = process.env.WEDIS_WASM ?? join(root, "build", "wedis.wasm");
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
  env: { abort() { throw new Error("engine abort"); } },
});
const x = instance.exports;

function time(label, ops, fn) {
  fn(); // warm up (JIT, slabs)
  const t0 = process.hrtime.bigint();
  fn();
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(`${label.padEnd(44)} ${(ns / ops).toFixed(1).padStart(7)} ns/op`);
}

const N = 2_000_000;
time("call overhead (usedMemory)", N, () => {
  for (let i = 0; i < N; i++) x.usedMemory();
});
for (const size of [8, 16, 32, 64, 128, 256, 1024, 4096]) {
  time(`alloc+free pair, ${size} B (per pair)`, N, () => {
    for (let i = 0; i < N; i++) x.memFree(x.memAlloc(size));
  });
}
const M = 200_000;
const ptrs = new Int32Array(M);
for (const size of [16, 64, 200]) {
  time(`alloc ${M} x ${size} B then free all (per op)`, 2 * M, () => {
    for (let i = 0; i < M; i++) ptrs[i] = x.memAlloc(size);
    for (let i = 0; i < M; i++) x.memFree(ptrs[i]);
  });
}
// a steady state with 100k live blocks of mixed small sizes, random replacement
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const L = 100_000;
const live = new Int32Array(L);
for (let i = 0; i < L; i++) live[i] = x.memAlloc(8 + Math.floor(rand() * 248));
const sizes = Int32Array.from({ length: 1 << 16 }, () => 8 + Math.floor(rand() * 248));
const slots = Int32Array.from({ length: 1 << 16 }, () => Math.floor(rand() * L));
time("random replace, 100k live, 8-256 B (per pair)", N, () => {
  for (let i = 0; i < N; i++) {
    const j = slots[i & 0xffff];
    x.memFree(live[j]);
    live[j] = x.memAlloc(sizes[i & 0xffff]);
  }
});
console.log(`used ${(x.usedMemory() / 1e6).toFixed(1)} MB, heap ${(x.memHeapBytes() / 1e6).toFixed(1)} MB, ` +
  `active ${(x.memActiveBytes() / 1e6).toFixed(1)} MB, meta ${(x.memMetaBytes() / 1e3).toFixed(0)} KB`);
