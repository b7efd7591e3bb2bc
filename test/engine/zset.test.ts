// Sorted set values in both encodings: a skiplist with spans checked against a sorted model
// through thousands of random adds, score changes and deletes; listpack → skiplist conversion
// at the configured thresholds; copies; and every byte returned to the allocator at the end.
import { describe, it, expect, beforeAll } from "vitest";
import { loadDebugEngine, call, put } from "../helpers/engine.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const c = (name: string, ...a: number[]) => call(engine, name, ...a);
const ENC_SKIPLIST = 7;
const ENC_LISTPACK = 11;
const NX = 2, XX = 4, GT = 8, INCR = 1;
const OUT_NOP = 1, OUT_ADDED = 4, OUT_UPDATED = 8;
const CFG_ZSET_ENTRIES = 5, CFG_ZSET_VALUE = 6;

function withBytes<T>(s: string, f: (p: number, n: number) => T): T {
  const [p, n] = put(engine, s);
  try {
    return f(p, n);
  } finally {
    engine.x.memFree(p);
  }
}
const add = (h: number, score: number, m: string, flags = 0) => withBytes(m, (p, n) => c("tkZsetAdd", h, score, p, n, flags));
const del = (h: number, m: string) => withBytes(m, (p, n) => c("tkZsetDel", h, p, n));
const score = (h: number, m: string) => withBytes(m, (p, n) => c("tkZsetScore", h, p, n));
const rank = (h: number, m: string, rev = 0) => withBytes(m, (p, n) => c("tkZsetRank", h, p, n, rev));
function memberAt(h: number, r: number): [string, number] {
  const p = c("tkZsetMemberAt", h, r) >>> 0;
  const n = c("tkZsetMemberLen");
  return [Buffer.from(engine.u8().subarray(p, p + n)).toString("latin1"), c("tkZsetMemberScore")];
}
function all(h: number): [string, number][] {
  const out: [string, number][] = [];
  const len = c("tkZsetLen", h);
  for (let i = 0; i < len; i++) out.push(memberAt(h, i));
  return out;
}
const cmp = (a: [string, number], b: [string, number]) =>
  a[1] !== b[1] ? a[1] - b[1] : Buffer.compare(Buffer.from(a[0], "latin1"), Buffer.from(b[0], "latin1"));

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeAll(() => {
  engine = loadDebugEngine();
});

describe("sorted set values", () => {
  it("keeps order, ranks and spans through random operations (skiplist)", () => {
    const before = engine.x.usedMemory();
    const h = c("tkZsetNew");
    c("tkZsetToSkiplist", h);
    expect(c("tkZsetEncoding", h)).toBe(ENC_SKIPLIST);
    const model = new Map<string, number>();
    const r = rng(7);
    for (let i = 0; i < 4000; i++) {
      const m = "m" + Math.floor(r() * 600);
      const op = r();
      if (op < 0.6) {
        const s = Math.floor(r() * 50) / 2; // many ties: order by member matters
        const out = add(h, s, m);
        expect(out).toBe(model.has(m) ? (model.get(m) === s ? 0 : OUT_UPDATED) : OUT_ADDED);
        model.set(m, s);
      } else {
        expect(del(h, m)).toBe(model.delete(m) ? 1 : 0);
      }
      if (i % 500 === 0) expect(c("tkZsetCheck", h)).toBe(1);
    }
    expect(c("tkZsetCheck", h)).toBe(1);
    const sorted = [...model.entries()].sort(cmp);
    expect(all(h)).toEqual(sorted);
    sorted.forEach(([m], i) => {
      if (i % 37 === 0) {
        expect(rank(h, m)).toBe(i);
        expect(rank(h, m, 1)).toBe(sorted.length - 1 - i);
      }
    });
    expect(rank(h, "nosuch")).toBe(-1);
    const copy = c("tkZsetDup", h);
    expect(all(copy)).toEqual(sorted);
    c("tkZsetFree", copy);
    c("tkZsetFree", h);
    expect(engine.x.usedMemory()).toBe(before);
  });

  it("applies NX/XX/GT/INCR and reports NaN", () => {
    const h = c("tkZsetNew");
    expect(add(h, 1, "a")).toBe(OUT_ADDED);
    expect(add(h, 5, "a", NX)).toBe(OUT_NOP);
    expect(add(h, 5, "b", XX)).toBe(OUT_NOP);
    expect(add(h, 0, "a", GT)).toBe(OUT_NOP);
    expect(add(h, 2, "a", INCR)).toBe(OUT_UPDATED);
    expect(c("tkZsetNewScore")).toBe(3);
    expect(add(h, Infinity, "a")).toBe(OUT_UPDATED);
    expect(add(h, -Infinity, "a", INCR)).toBe(-1);
    expect(score(h, "a")).toBe(Infinity);
    c("tkZsetFree", h);
  });

  it("converts listpack → skiplist one member over the threshold, and on a long member", () => {
    const before = engine.x.usedMemory();
    c("setEngineConfig", CFG_ZSET_ENTRIES, 128);
    c("setEngineConfig", CFG_ZSET_VALUE, 64);
    const h = c("tkZsetNew");
    for (let i = 0; i < 128; i++) add(h, 128 - i, String(i)); // integer members, reverse order
    expect(c("tkZsetEncoding", h)).toBe(ENC_LISTPACK);
    const sorted = all(h);
    expect(sorted[0]).toEqual(["127", 1]);
    expect(score(h, "5")).toBe(123);
    add(h, 0.5, "x");
    expect(c("tkZsetEncoding", h)).toBe(ENC_SKIPLIST);
    expect(c("tkZsetCheck", h)).toBe(1);
    expect(all(h)).toEqual([["x", 0.5], ...sorted]);
    c("tkZsetFree", h);

    const v = c("tkZsetNew");
    add(v, 1, "y".repeat(64));
    expect(c("tkZsetEncoding", v)).toBe(ENC_LISTPACK);
    add(v, 2, "z".repeat(65));
    expect(c("tkZsetEncoding", v)).toBe(ENC_SKIPLIST);
    expect(all(v).map(([m]) => m.length)).toEqual([64, 65]);
    c("tkZsetFree", v);
    expect(engine.x.usedMemory()).toBe(before);
  });

  it("stores scores exactly in a listpack (integers, fractions, infinities, large values)", () => {
    const h = c("tkZsetNew");
    const scores = [0.1, -0, 1e20, -1.5e-300, 123456789012345680, Infinity, -Infinity, 4503599627370495, 2 ** 53];
    scores.forEach((s, i) => add(h, s, "k" + i));
    expect(c("tkZsetEncoding", h)).toBe(ENC_LISTPACK);
    scores.forEach((s, i) => expect(Object.is(score(h, "k" + i), s === 0 ? 0 : s)).toBe(true));
    c("tkZsetFree", h);
  });

  it("handles large members and a big set, then frees everything", () => {
    const before = engine.x.usedMemory();
    const h = c("tkZsetNew");
    const big = "q".repeat(100_000);
    add(h, 1, big);
    for (let i = 0; i < 20000; i++) add(h, i % 97, "member:" + i);
    expect(c("tkZsetLen", h)).toBe(20001);
    expect(c("tkZsetCheck", h)).toBe(1);
    expect(score(h, big)).toBe(1);
    expect(c("tkZsetMemory", h)).toBeGreaterThan(100_000);
    for (let i = 0; i < 20000; i += 2) del(h, "member:" + i);
    expect(c("tkZsetLen", h)).toBe(10001);
    expect(c("tkZsetCheck", h)).toBe(1);
    c("tkZsetFree", h);
    expect(engine.x.usedMemory()).toBe(before);
  });
});
