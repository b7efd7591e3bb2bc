// Binary-safe strings (assembly/sds.ts) through the debug build: header types and their
// boundaries, embedded vs owned strings, growth policy, range/compare, and allocator accounting.
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../host/engine.js";

interface SdsExports {
  usedMemory(): number;
  memAlloc(size: number): number;
  memFree(ptr: number): void;
  memUsable(ptr: number): number;
  tkSdsNew(src: number, len: number): number;
  tkSdsNewCapacity(len: number, cap: number): number;
  tkSdsDup(s: number): number;
  tkSdsFree(s: number): void;
  tkSdsLen(s: number): number;
  tkSdsAvail(s: number): number;
  tkSdsAlloc(s: number): number;
  tkSdsType(s: number): number;
  tkSdsSetLen(s: number, len: number): void;
  tkSdsMakeRoomFor(s: number, add: number): number;
  tkSdsCat(s: number, src: number, len: number): number;
  tkSdsRange(s: number, start: number, end: number): void;
  tkSdsCmp(a: number, alen: number, b: number, blen: number): number;
  tkSdsEq(a: number, alen: number, b: number, blen: number): number;
  tkSdsWrite(dst: number, src: number, len: number): number;
  tkSdsHeaderSize(len: number): number;
  tkSdsTotalSize(len: number): number;
}

const TYPE5 = 0;
const TYPE8 = 1;
const TYPE16 = 2;
const TYPE32 = 3;
const HDR = [1, 3, 5, 9];
const MAX = [31, 255, 65535, 0xffffffff];
const MB = 1024 * 1024;

let engine: Engine;
let x: SdsExports;
let SRC = 0;
const SRC_CAP = 3 * MB;

beforeAll(() => {
  engine = Engine.load({ debug: true });
  x = engine.x as unknown as SdsExports;
  SRC = x.memAlloc(SRC_CAP);
  const u8 = engine.u8();
  for (let i = 0; i < SRC_CAP; i++) u8[SRC + i] = (i * 7 + (i >> 8)) & 0xff;
});

/** Byte i of the pattern written at SRC. */
const srcByte = (i: number) => (i * 7 + (i >> 8)) & 0xff;

function put(p: number, s: string): number {
  const b = Buffer.from(s, "latin1");
  engine.u8().set(b, p);
  return b.length;
}

const bytes = (p: number, n: number) => engine.copyOut(p, n).toString("latin1");

function newStr(s: string): number {
  const tmp = x.memAlloc(s.length + 8);
  put(tmp, s);
  const r = x.tkSdsNew(tmp, s.length);
  x.memFree(tmp);
  return r;
}

function expectSrcPrefix(s: number, n: number): void {
  const u8 = engine.u8();
  for (let i = 0; i < n; i++) if (u8[s + i] !== srcByte(i)) expect(`byte ${i} = ${u8[s + i]}`).toBe(`byte ${i} = ${srcByte(i)}`);
}

/** The capacity an owned string must report: what the allocator reserved, minus the header, capped by the type. */
function expectedAlloc(s: number): number {
  const t = x.tkSdsType(s);
  return Math.min(x.memUsable(s - HDR[t]) - HDR[t], MAX[t]);
}

describe("header sizes", () => {
  it("picks the smallest header at each boundary", () => {
    const cases: [number, number][] = [
      [0, 1], [1, 1], [31, 1], [32, 3], [255, 3], [256, 5], [65535, 5], [65536, 9], [1 << 24, 9],
    ];
    for (const [len, hdr] of cases) {
      expect(x.tkSdsHeaderSize(len), `len ${len}`).toBe(hdr);
      expect(x.tkSdsTotalSize(len), `len ${len}`).toBe(hdr + len);
    }
  });
});

describe("embedded strings", () => {
  it("write header and bytes into caller memory at the type transitions", () => {
    for (const len of [0, 1, 31, 32, 255, 256, 65535, 65536, 70000]) {
      const total = x.tkSdsTotalSize(len);
      const dst = x.memAlloc(total + 16);
      const s = x.tkSdsWrite(dst, SRC, len);
      const hdr = x.tkSdsHeaderSize(len);
      expect(s - dst, `len ${len}`).toBe(hdr);
      expect(x.tkSdsLen(s)).toBe(len);
      expect(x.tkSdsType(s)).toBe(len < 32 ? TYPE5 : len < 256 ? TYPE8 : len < 65536 ? TYPE16 : TYPE32);
      expect(x.tkSdsAvail(s)).toBe(0);
      expect(x.tkSdsAlloc(s)).toBe(len);
      expectSrcPrefix(s, len);
      x.memFree(dst);
    }
  });

  it("keeps the length in the flags byte alone for short strings", () => {
    const dst = x.memAlloc(64);
    const s = x.tkSdsWrite(dst, SRC, 27);
    expect(engine.u8()[s - 1]).toBe((27 << 3) | TYPE5);
    x.memFree(dst);
  });
});

describe("owned strings", () => {
  it("get a type by length, with SDS8 for the empty string (it is about to grow)", () => {
    const cases: [number, number][] = [
      [0, TYPE8], [1, TYPE5], [31, TYPE5], [32, TYPE8], [255, TYPE8], [256, TYPE16], [65535, TYPE16], [65536, TYPE32],
    ];
    for (const [len, type] of cases) {
      const s = x.tkSdsNew(SRC, len);
      expect(x.tkSdsType(s), `len ${len}`).toBe(type);
      expect(x.tkSdsLen(s)).toBe(len);
      expectSrcPrefix(s, len);
      if (type === TYPE5) expect(x.tkSdsAlloc(s)).toBe(len);
      else expect(x.tkSdsAlloc(s)).toBe(expectedAlloc(s));
      expect(x.tkSdsAvail(s)).toBe(x.tkSdsAlloc(s) - len);
      x.tkSdsFree(s);
    }
  });

  it("grant the allocator's slack as capacity", () => {
    for (const cap of [1, 10, 33, 100, 300, 5000, 70000]) {
      const s = x.tkSdsNewCapacity(3, cap);
      expect(x.tkSdsLen(s)).toBe(3);
      expect(x.tkSdsAlloc(s)).toBeGreaterThanOrEqual(cap);
      expect(x.tkSdsAlloc(s)).toBe(expectedAlloc(s));
      x.tkSdsFree(s);
    }
  });

  it("grow greedily: twice the need below 1 MB, +1 MB above", () => {
    let s = x.tkSdsNew(0, 0);
    let len = 0;
    const steps = [1, 5, 26, 1, 100, 200, 1000, 60000, 5000, 500000, 600000, 1];
    for (const add of steps) {
      const before = s;
      const allocBefore = x.tkSdsAlloc(s);
      const needGrow = x.tkSdsAvail(s) < add;
      s = x.tkSdsCat(s, SRC + len, add);
      len += add;
      expect(x.tkSdsLen(s)).toBe(len);
      expectSrcPrefix(s, len);
      if (!needGrow) {
        expect(s).toBe(before);
        expect(x.tkSdsAlloc(s)).toBe(allocBefore);
      } else {
        const want = len < MB ? 2 * len : len + MB;
        expect(x.tkSdsAlloc(s), `after +${add}`).toBeGreaterThanOrEqual(want);
        const type = want < 256 ? TYPE8 : want < 65536 ? TYPE16 : TYPE32;
        expect(x.tkSdsType(s), `after +${add}`).toBe(type);
        expect(x.tkSdsAlloc(s)).toBe(expectedAlloc(s));
      }
    }
    x.tkSdsFree(s);
  });

  it("turn SDS5 into SDS8 when they grow", () => {
    let s = newStr("abc");
    expect(x.tkSdsType(s)).toBe(TYPE5);
    expect(x.tkSdsAvail(s)).toBe(0);
    s = x.tkSdsCat(s, SRC, 1);
    expect(x.tkSdsType(s)).toBe(TYPE8);
    expect(bytes(s, 3)).toBe("abc");
    expect(engine.u8()[s + 3]).toBe(srcByte(0));
    expect(x.tkSdsAlloc(s)).toBeGreaterThanOrEqual(8);
    x.tkSdsFree(s);
  });

  it("makeRoomFor leaves the length and contents alone", () => {
    let s = newStr("hello");
    s = x.tkSdsMakeRoomFor(s, 300);
    expect(x.tkSdsLen(s)).toBe(5);
    expect(bytes(s, 5)).toBe("hello");
    expect(x.tkSdsAvail(s)).toBeGreaterThanOrEqual(300);
    expect(x.tkSdsType(s)).toBe(TYPE16); // 2 * 305 needs 16-bit fields
    const same = x.tkSdsMakeRoomFor(s, 100);
    expect(same).toBe(s);
    x.tkSdsSetLen(s, 2);
    expect(x.tkSdsLen(s)).toBe(2);
    expect(x.tkSdsAvail(s)).toBe(x.tkSdsAlloc(s) - 2);
    x.tkSdsFree(s);
  });

  it("range keeps an inclusive slice, negative indexes from the end", () => {
    const cases: [number, number, string][] = [
      [0, 4, "Hello"], [-5, -1, "World"], [6, 100, "World"], [5, 2, ""], [100, 200, ""], [-100, 2, "Hel"],
      [0, -1, "Hello World"], [-1, -1, "d"], [3, 3, "l"], [0, 0, "H"], [-100, -90, "H"],
    ];
    // Both a short string (SDS5, no capacity field) and one with spare room (SDS8).
    for (const room of [0, 40]) {
      for (const [start, end, want] of cases) {
        let s = newStr("Hello World");
        if (room) s = x.tkSdsMakeRoomFor(s, room);
        const allocBefore = x.tkSdsAlloc(s);
        x.tkSdsRange(s, start, end);
        expect(bytes(s, x.tkSdsLen(s)), `${start}..${end}`).toBe(want);
        // SDS5 has no capacity field: its "alloc" is its length.
        expect(x.tkSdsAlloc(s)).toBe(x.tkSdsType(s) === TYPE5 ? x.tkSdsLen(s) : allocBefore);
        x.tkSdsFree(s);
      }
    }
  });

  it("dup copies into a new block", () => {
    const a = x.tkSdsNew(SRC, 1000);
    const b = x.tkSdsDup(a);
    expect(b).not.toBe(a);
    expect(x.tkSdsLen(b)).toBe(1000);
    expect(x.tkSdsEq(a, 1000, b, 1000)).toBe(1);
    x.tkSdsFree(a);
    x.tkSdsFree(b);
  });

  it("give every byte back to the allocator when freed", () => {
    const start = x.usedMemory();
    const live: number[] = [];
    for (let i = 0; i < 200; i++) {
      const len = (i * 37) % 700;
      let s = x.tkSdsNew(SRC, len);
      if (i % 3 === 0) s = x.tkSdsCat(s, SRC, (i * 101) % 3000);
      if (i % 7 === 0) s = x.tkSdsMakeRoomFor(s, 70000);
      if (i % 5 === 0) live.push(x.tkSdsDup(s));
      live.push(s);
    }
    live.push(x.tkSdsNewCapacity(10, 2 * MB));
    expect(x.usedMemory()).toBeGreaterThan(start);
    for (const s of live) x.tkSdsFree(s);
    x.tkSdsFree(0);
    expect(x.usedMemory()).toBe(start);
  });
});

describe("comparison", () => {
  function cmp(a: string, b: string): number {
    const pa = x.memAlloc(a.length + 8);
    const pb = x.memAlloc(b.length + 8);
    put(pa, a);
    put(pb, b);
    const c = Math.sign(x.tkSdsCmp(pa, a.length, pb, b.length));
    const eq = x.tkSdsEq(pa, a.length, pb, b.length);
    expect(eq, `${a} == ${b}`).toBe(c === 0 ? 1 : 0);
    x.memFree(pa);
    x.memFree(pb);
    return c;
  }

  it("orders like memcmp, shorter first on a common prefix", () => {
    expect(cmp("a", "b")).toBe(-1);
    expect(cmp("b", "a")).toBe(1);
    expect(cmp("abc", "abcd")).toBe(-1);
    expect(cmp("abcd", "abc")).toBe(1);
    expect(cmp("", "")).toBe(0);
    expect(cmp("", "a")).toBe(-1);
    expect(cmp("same", "same")).toBe(0);
    expect(cmp("\x80", "a")).toBe(1); // bytes are unsigned
    expect(cmp("a\x00", "a")).toBe(1); // binary-safe: NUL is a byte like any other
  });

  it("finds a difference at any offset of long strings", () => {
    const base = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(3);
    expect(cmp(base, base)).toBe(0);
    for (const at of [0, 6, 7, 8, 9, 15, 16, 17, 63, base.length - 1]) {
      const lower = base.slice(0, at) + "\x01" + base.slice(at + 1);
      expect(cmp(lower, base), `at ${at}`).toBe(-1);
      expect(cmp(base, lower), `at ${at}`).toBe(1);
    }
  });
});
