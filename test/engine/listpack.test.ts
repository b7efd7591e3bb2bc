// Listpacks (assembly/listpack.ts) through the debug build: the exact Redis 7 byte layout of every
// encoding, integer detection, navigation both ways, every writer against a plain array model,
// and allocator accounting back to the start.
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../host/engine.js";

interface LpExports {
  memory: WebAssembly.Memory;
  usedMemory(): number;
  memAlloc(size: number): number;
  memFree(ptr: number): void;
  tkLpNew(cap: number): number;
  tkLpFree(lp: number): void;
  tkLpBytes(lp: number): number;
  tkLpLength(lp: number): number;
  tkLpFirst(lp: number): number;
  tkLpLast(lp: number): number;
  tkLpNext(lp: number, p: number): number;
  tkLpPrev(lp: number, p: number): number;
  tkLpSeek(lp: number, i: number): number;
  tkLpEntrySize(p: number): number;
  tkLpGet(p: number, dst: number): number;
  tkLpIsInt(p: number): number;
  tkLpIntValue(p: number): bigint;
  tkLpEq(p: number, ptr: number, len: number): number;
  tkLpAppend(lp: number, ptr: number, len: number): number;
  tkLpAppendInt(lp: number, v: bigint): number;
  tkLpAppendPair(lp: number, a: number, al: number, b: number, bl: number): number;
  tkLpPrepend(lp: number, ptr: number, len: number): number;
  tkLpInsert(lp: number, p: number, ptr: number, len: number, where: number): number;
  tkLpReplace(lp: number, p: number, ptr: number, len: number): number;
  tkLpDelete(lp: number, p: number): number;
  tkLpDeleteRange(lp: number, index: number, count: number): number;
  tkLpFind(lp: number, p: number, ptr: number, len: number, skip: number): number;
  tkLpMerge(a: number, b: number): number;
  tkLpDup(lp: number): number;
  tkLpAt(): number;
}

let x: LpExports;
let SRC = 0; // 2 argument areas of 100 KB
let SRC2 = 0;
let DST = 0;
const AREA = 100 * 1024;

beforeAll(() => {
  const engine = Engine.load({ debug: true });
  x = engine.x as unknown as LpExports;
  SRC = x.memAlloc(AREA);
  SRC2 = x.memAlloc(AREA);
  DST = x.memAlloc(AREA);
});

const mem = () => new Uint8Array(x.memory.buffer);
function put(at: number, s: string | Buffer): number {
  const b = typeof s === "string" ? Buffer.from(s, "latin1") : s;
  mem().set(b, at);
  return b.length;
}
function bytes(lp: number): Buffer {
  return Buffer.from(mem().slice(lp, lp + x.tkLpBytes(lp)));
}
function get(p: number): string {
  const n = x.tkLpGet(p, DST);
  return Buffer.from(mem().slice(DST, DST + n)).toString("latin1");
}
function append(lp: number, s: string): number {
  return x.tkLpAppend(lp, SRC, put(SRC, s));
}
function all(lp: number): string[] {
  const out: string[] = [];
  for (let p = x.tkLpFirst(lp); p !== 0; p = x.tkLpNext(lp, p)) out.push(get(p));
  return out;
}
function allBackwards(lp: number): string[] {
  const out: string[] = [];
  for (let p = x.tkLpLast(lp); p !== 0; p = x.tkLpPrev(lp, p)) out.push(get(p));
  return out.reverse();
}

/** The entry bytes the format specifies (written here independently of the engine). */
function backlen(l: number): number[] {
  const groups: number[] = [];
  do {
    groups.unshift(l & 127);
    l = Math.floor(l / 128);
  } while (l > 0);
  return groups.map((g, i) => (i === 0 ? g : g | 128));
}
function strEntry(s: Buffer): number[] {
  const n = s.length;
  let hdr: number[];
  if (n < 64) hdr = [0x80 | n];
  else if (n < 4096) hdr = [0xe0 | (n >> 8), n & 255];
  else hdr = [0xf0, n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
  const enc = [...hdr, ...s];
  return [...enc, ...backlen(enc.length)];
}
function le(v: bigint, n: number): number[] {
  const out: number[] = [];
  let u = BigInt.asUintN(n * 8, v);
  for (let i = 0; i < n; i++) {
    out.push(Number(u & 255n));
    u >>= 8n;
  }
  return out;
}
function intEntry(v: bigint): number[] {
  let enc: number[];
  if (v >= 0n && v <= 127n) enc = [Number(v)];
  else if (v >= -4096n && v <= 4095n) {
    const u = Number(BigInt.asUintN(13, v));
    enc = [0xc0 | (u >> 8), u & 255];
  } else if (v >= -32768n && v <= 32767n) enc = [0xf1, ...le(v, 2)];
  else if (v >= -8388608n && v <= 8388607n) enc = [0xf2, ...le(v, 3)];
  else if (v >= -2147483648n && v <= 2147483647n) enc = [0xf3, ...le(v, 4)];
  else enc = [0xf4, ...le(v, 8)];
  return [...enc, ...backlen(enc.length)];
}
function expectedListpack(entries: number[][]): Buffer {
  const body = entries.flat();
  const total = 6 + body.length + 1;
  return Buffer.from([...le(BigInt(total), 4), ...le(BigInt(Math.min(entries.length, 65535)), 2), ...body, 0xff]);
}

describe("listpack byte layout", () => {
  it("an empty listpack is 7 bytes", () => {
    const lp = x.tkLpNew(0);
    expect([...bytes(lp)]).toEqual([7, 0, 0, 0, 0, 0, 0xff]);
    expect(x.tkLpLength(lp)).toBe(0);
    expect(x.tkLpFirst(lp)).toBe(0);
    expect(x.tkLpLast(lp)).toBe(0);
    expect(x.tkLpSeek(lp, 0)).toBe(0);
    x.tkLpFree(lp);
  });

  const ints = [0n, 1n, 127n, 128n, -1n, 4095n, -4096n, 4096n, -4097n, 32767n, -32768n, 32768n, -32769n,
    8388607n, -8388608n, 8388608n, -8388609n, 2147483647n, -2147483648n, 2147483648n, -2147483649n,
    9223372036854775807n, -9223372036854775808n];
  it("integers take the smallest encoding, at every boundary", () => {
    let lp = x.tkLpNew(0);
    for (const v of ints) lp = append(lp, v.toString());
    expect(bytes(lp)).toEqual(expectedListpack(ints.map(intEntry)));
    let i = 0;
    for (let p = x.tkLpFirst(lp); p !== 0; p = x.tkLpNext(lp, p), i++) {
      expect(x.tkLpIsInt(p)).toBe(1);
      expect(x.tkLpIntValue(p)).toBe(ints[i]);
      expect(get(p)).toBe(ints[i].toString());
    }
    expect(allBackwards(lp)).toEqual(ints.map(String));
    x.tkLpFree(lp);
  });

  it("strings that are not canonical integers stay strings", () => {
    const strs = ["", "a", "0123", "-0", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1.5", "abc"];
    let lp = x.tkLpNew(0);
    for (const s of strs) lp = append(lp, s);
    expect(bytes(lp)).toEqual(expectedListpack(strs.map((s) => strEntry(Buffer.from(s)))));
    for (let p = x.tkLpFirst(lp); p !== 0; p = x.tkLpNext(lp, p)) expect(x.tkLpIsInt(p)).toBe(0);
    expect(all(lp)).toEqual(strs);
    x.tkLpFree(lp);
  });

  it("string length boundaries 63/64, 4095/4096 and multi-byte backlens", () => {
    const lens = [63, 64, 125, 126, 127, 4095, 4096, 16380, 16381, 16382, 16383, 70000];
    const strs = lens.map((n, i) => Buffer.alloc(n, 97 + (i % 26)).toString("latin1"));
    let lp = x.tkLpNew(0);
    for (const s of strs) lp = append(lp, s);
    expect(bytes(lp)).toEqual(expectedListpack(strs.map((s) => strEntry(Buffer.from(s, "latin1")))));
    expect(all(lp)).toEqual(strs);
    expect(allBackwards(lp)).toEqual(strs);
    for (let i = 0; i < strs.length; i++) expect(get(x.tkLpSeek(lp, i - strs.length))).toBe(strs[i]);
    x.tkLpFree(lp);
  });

  it("binary bytes survive", () => {
    const b = Buffer.from([0, 255, 0xff, 13, 10, 0x80]);
    let lp = x.tkLpNew(0);
    lp = x.tkLpAppend(lp, SRC, put(SRC, b));
    const p = x.tkLpFirst(lp);
    expect(Buffer.from(mem().slice(DST, DST + x.tkLpGet(p, DST)))).toEqual(b);
    x.tkLpFree(lp);
  });

  it("append int and append pair", () => {
    let lp = x.tkLpNew(0);
    lp = x.tkLpAppendInt(lp, -70000n);
    const al = put(SRC, "field");
    const bl = put(SRC2, "42");
    lp = x.tkLpAppendPair(lp, SRC, al, SRC2, bl);
    expect(bytes(lp)).toEqual(expectedListpack([intEntry(-70000n), strEntry(Buffer.from("field")), intEntry(42n)]));
    x.tkLpFree(lp);
  });

  it("the count saturates at 65535 and is then found by walking", () => {
    const before = x.usedMemory();
    let lp = x.tkLpNew(0);
    for (let i = 0; i < 65540; i++) lp = x.tkLpAppendInt(lp, BigInt(i % 100));
    expect(new DataView(x.memory.buffer).getUint16(lp + 4, true)).toBe(65535);
    expect(x.tkLpLength(lp)).toBe(65540);
    lp = x.tkLpDeleteRange(lp, 0, 10);
    expect(x.tkLpLength(lp)).toBe(65530);
    expect(new DataView(x.memory.buffer).getUint16(lp + 4, true)).toBe(65530);
    expect(get(x.tkLpSeek(lp, -1))).toBe(String(65539 % 100));
    x.tkLpFree(lp);
    expect(x.usedMemory()).toBe(before);
  });
});

describe("listpack writers against a model", () => {
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  it("random insert/replace/delete/find/seek keep the same contents as an array", () => {
    const before = x.usedMemory();
    const r = rng(7);
    const pick = (n: number) => Math.floor(r() * n);
    const value = (): string => {
      const k = pick(6);
      if (k === 0) return String(pick(200) - 100);
      if (k === 1) return String(Math.floor((r() - 0.5) * 2 ** 40));
      if (k === 2) return "x".repeat(pick(5000));
      if (k === 3) return "0" + pick(10);
      return "v" + pick(50);
    };
    let lp = x.tkLpNew(0);
    let model: string[] = [];
    for (let step = 0; step < 3000; step++) {
      const op = pick(8);
      const v = value();
      if (op === 0) {
        lp = append(lp, v);
        model.push(v);
      } else if (op === 1) {
        lp = x.tkLpPrepend(lp, SRC, put(SRC, v));
        model.unshift(v);
      } else if (op === 2 && model.length) {
        const i = pick(model.length);
        const where = pick(2);
        lp = x.tkLpInsert(lp, x.tkLpSeek(lp, i), SRC, put(SRC, v), where);
        model.splice(i + where, 0, v);
        expect(get(x.tkLpAt())).toBe(v);
      } else if (op === 3 && model.length) {
        const i = pick(model.length);
        lp = x.tkLpReplace(lp, x.tkLpSeek(lp, i - model.length), SRC, put(SRC, v));
        model[i] = v;
        expect(get(x.tkLpAt())).toBe(v);
      } else if (op === 4 && model.length) {
        const i = pick(model.length);
        lp = x.tkLpDelete(lp, x.tkLpSeek(lp, i));
        model.splice(i, 1);
        const at = x.tkLpAt();
        if (i === model.length) expect(at).toBe(0);
        else expect(get(at)).toBe(model[i]);
      } else if (op === 5 && model.length) {
        const i = pick(model.length);
        const n = pick(5);
        lp = x.tkLpDeleteRange(lp, i, n);
        model.splice(i, n);
      } else if (op === 6) {
        const skip = pick(2);
        const p = x.tkLpFind(lp, x.tkLpFirst(lp), SRC, put(SRC, v), skip);
        let idx = -1;
        for (let i = 0; i < model.length; i += skip + 1) if (model[i] === v) { idx = i; break; }
        if (idx < 0) expect(p).toBe(0);
        else expect(p).toBe(x.tkLpSeek(lp, idx));
        if (idx >= 0) expect(x.tkLpEq(p, SRC, put(SRC, v))).toBe(1);
      } else if (op === 7 && model.length > 1) {
        const dup = x.tkLpDup(lp);
        lp = x.tkLpMerge(lp, dup);
        model = model.concat(model);
        if (model.length > 400) {
          lp = x.tkLpDeleteRange(lp, 0, model.length - 50);
          model = model.slice(model.length - 50);
        }
      }
      expect(x.tkLpLength(lp)).toBe(model.length);
      if (step % 50 === 0) {
        expect(all(lp)).toEqual(model);
        expect(allBackwards(lp)).toEqual(model);
      }
    }
    expect(all(lp)).toEqual(model);
    x.tkLpFree(lp);
    expect(x.usedMemory()).toBe(before);
  });
});
