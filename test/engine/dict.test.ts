// The keyspace hash table: growth and shrinking with incremental rehash, the SCAN guarantee across
// resizes, and sampling.
import { describe, it, expect, beforeEach } from "vitest";
import { loadDebugEngine, call, put } from "../helpers/engine.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const c = (name: string, ...a: number[]) => call(engine, name, ...a);

function withKey<T>(key: string, f: (p: number, n: number) => T): T {
  const [p, n] = put(engine, key);
  try {
    return f(p, n);
  } finally {
    engine.x.memFree(p);
  }
}
const add = (d: number, k: string) => withKey(k, (p, n) => c("tkDictAdd", d, p, n));
const has = (d: number, k: string) => withKey(k, (p, n) => c("tkDictHas", d, p, n));
const del = (d: number, k: string) => withKey(k, (p, n) => c("tkDictDelete", d, p, n));

/** One SCAN call: [next cursor, keys]. */
function scan(d: number, cursor: number): [number, string[]] {
  const next = c("tkDictScan", d, cursor) >>> 0;
  const keys: string[] = [];
  const found = c("tkScanCount");
  for (let i = 0; i < found; i++) {
    const p = c("tkScanKey", i) >>> 0;
    const n = c("tkScanKeyLen", i);
    keys.push(Buffer.from(engine.u8().subarray(p, p + n)).toString());
  }
  return [next, keys];
}

/** Deterministic PRNG for reproducible sequences. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeEach(() => {
  engine = loadDebugEngine();
});

describe("dict", () => {
  it("adds, finds and deletes, growing by powers of two", () => {
    const d = c("tkDictCreate");
    for (let i = 0; i < 1000; i++) expect(add(d, `key:${i}`)).toBe(1);
    expect(add(d, "key:5")).toBe(0);
    expect(c("tkDictSize", d)).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(has(d, `key:${i}`)).toBe(1);
    expect(has(d, "key:1000")).toBe(0);
    // Finish any rehash in progress: one table of 1024 slots remains.
    while (c("tkDictRehash", d, 100)) {}
    expect(c("tkDictSlots", d)).toBe(1024);
    for (let i = 0; i < 1000; i += 2) expect(del(d, `key:${i}`)).toBe(1);
    expect(del(d, "key:0")).toBe(0);
    expect(c("tkDictSize", d)).toBe(500);
    for (let i = 0; i < 1000; i++) expect(has(d, `key:${i}`)).toBe(i % 2);
  });

  it("finds every key while a rehash is half done", () => {
    const d = c("tkDictCreate");
    let i = 0;
    // Add until a rehash of a table of 1024 starts, then keep adding while it is in progress.
    while (!(c("tkDictRehashing", d) && i > 1000)) add(d, `k${i++}`);
    for (let j = 0; j < 3; j++) add(d, `k${i++}`);
    expect(c("tkDictRehashing", d)).toBe(1);
    for (let j = 0; j < i; j++) expect(has(d, `k${j}`)).toBe(1);
    expect(c("tkDictSize", d)).toBe(i);
  });

  it("shrinks when mostly empty and gives the memory back", () => {
    const before = engine.x.usedMemory();
    const d = c("tkDictCreate");
    for (let i = 0; i < 5000; i++) add(d, `s${i}`);
    while (c("tkDictRehash", d, 100)) {}
    expect(c("tkDictSlots", d)).toBe(8192);
    for (let i = 0; i < 4990; i++) del(d, `s${i}`);
    expect(c("tkDictShrink", d)).toBe(1);
    while (c("tkDictRehash", d, 100)) {}
    expect(c("tkDictSlots", d)).toBe(16);
    for (let i = 4990; i < 5000; i++) expect(has(d, `s${i}`)).toBe(1);
    for (let i = 4990; i < 5000; i++) del(d, `s${i}`);
    c("tkDictFree", d);
    expect(engine.x.usedMemory()).toBe(before);
  });

  it("SCAN returns every key present for the whole scan, across growth and shrinking", () => {
    const random = rng(42);
    for (const mode of ["grow", "shrink"]) {
      const d = c("tkDictCreate");
      const stable = new Set<string>();
      const n = mode === "grow" ? 200 : 3000;
      for (let i = 0; i < n; i++) {
        add(d, `stable:${i}`);
        stable.add(`stable:${i}`);
      }
      while (c("tkDictRehash", d, 100)) {}
      const seen = new Set<string>();
      let cursor = 0;
      let step = 0;
      let extra = 0;
      do {
        const [next, keys] = scan(d, cursor);
        keys.forEach((k) => seen.add(k));
        cursor = next;
        // Change the table between calls: add keys (growth) or remove transient ones (shrink).
        if (mode === "grow" && step < 60) {
          for (let k = 0; k < 40; k++) add(d, `extra:${extra++}`);
        } else if (step === 3) {
          for (let i = 200; i < n; i++) {
            del(d, `stable:${i}`);
            stable.delete(`stable:${i}`);
          }
          c("tkDictShrink", d);
        }
        if (random() < 0.5) c("tkDictRehash", d, 1);
        step++;
      } while (cursor !== 0 && step < 100000);
      expect(cursor).toBe(0);
      for (const k of stable) expect(seen.has(k), `${mode}: ${k} missed`).toBe(true);
    }
  });

  it("SCAN of a table that doesn't change returns each key exactly once", () => {
    const d = c("tkDictCreate");
    for (let i = 0; i < 777; i++) add(d, `u${i}`);
    while (c("tkDictRehash", d, 100)) {}
    const all: string[] = [];
    let cursor = 0;
    do {
      const [next, keys] = scan(d, cursor);
      all.push(...keys);
      cursor = next;
    } while (cursor !== 0);
    expect(all.length).toBe(777);
    expect(new Set(all).size).toBe(777);
  });

  it("samples entries that exist, spread over the table", () => {
    const d = c("tkDictCreate");
    for (let i = 0; i < 1000; i++) add(d, `r${i}`);
    const hits = new Set<string>();
    for (let t = 0; t < 300; t++) {
      const n = c("tkDictSample", d, 5);
      expect(n).toBeGreaterThan(0);
      for (let i = 0; i < n; i++) {
        const p = c("tkScanKey", i) >>> 0;
        const len = c("tkScanKeyLen", i);
        hits.add(Buffer.from(engine.u8().subarray(p, p + len)).toString());
      }
    }
    for (const k of hits) expect(k).toMatch(/^r\d+$/);
    // 1500 samples from 1000 keys in runs of 5: a fair sampler reaches well over a third of them.
    expect(hits.size).toBeGreaterThan(400);
  });
});

describe("dict under deletes during a resize", () => {
  it("keeps its counts right when entries added mid-rehash are unlinked, and samples a thinned table", () => {
    engine = loadDebugEngine();
    const d = c("tkDictCreate");
    for (let i = 0; i < 20000; i++) add(d, `k${i}`);
    // Delete in a scrambled order while rehashes are still in flight (no cron steps here).
    const random = rng(7);
    const keys = Array.from({ length: 20000 }, (_, i) => `k${i}`);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    for (let i = 0; i < 19990; i++) {
      expect(del(d, keys[i])).toBe(1);
      if (i % 997 === 0) c("tkDictShrink", d);
    }
    expect(c("tkDictSize", d)).toBe(10);
    for (let i = 19990; i < 20000; i++) expect(has(d, keys[i])).toBe(1);
    // The ten survivors sit in a big, mostly empty table: random picks still find them.
    const seen = new Set<number>();
    for (let t = 0; t < 200; t++) seen.add(c("tkDictRandom", d));
    expect(seen.size).toBe(10);
    while (c("tkDictRehash", d, 100)) {}
  });
});
