// The set structures: the intset (sorted integers, 16/32/64-bit, upgraded in place) driven value
// by value against a model, and the set type through engine commands: encodings and their
// conversion at set-max-intset-entries, copies, memory per element, and the allocator count
// back where it started once the sets are gone.
import { describe, it, expect, beforeEach } from "vitest";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { execDirect, type Arg } from "../../host/direct.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const c = (name: string, ...a: (number | bigint)[]) => (engine.x as any)[name](...a);

function run(...cmd: Arg[]): string {
  return execDirect(engine, [cmd], { nowMs: 1_700_000_000_000 })[0].toString("latin1");
}
function runAll(cmds: Arg[][]): void {
  execDirect(engine, cmds, { nowMs: 1_700_000_000_000 });
}
const used = () => Number(c("usedMemory")) >>> 0;

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
  call(engine, "init", 16, 1234, 5678);
});

/** The intset's elements, in stored order. */
function contents(is: number): bigint[] {
  const n = c("tkIntsetLen", is);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(BigInt(c("tkIntsetGet", is, i)));
  return out;
}

function widthOf(v: bigint): number {
  if (v < -(2n ** 31n) || v >= 2n ** 31n) return 8;
  if (v < -(2n ** 15n) || v >= 2n ** 15n) return 4;
  return 2;
}

describe("intset", () => {
  it("keeps integers sorted and unique, and sizes its block exactly", () => {
    const base = used();
    let is = c("tkIntsetNew");
    for (const v of [5n, 1n, 3n, 5n, -2n, 4n, 1n]) is = c("tkIntsetAdd", is, v);
    expect(contents(is)).toEqual([-2n, 1n, 3n, 4n, 5n]);
    expect(c("tkIntsetEncoding", is)).toBe(2);
    expect(c("tkIntsetBlobLen", is)).toBe(8 + 5 * 2);
    is = c("tkIntsetAdd", is, 3n);
    expect(c("tkIntsetChanged")).toBe(0);
    is = c("tkIntsetAdd", is, 2n);
    expect(c("tkIntsetChanged")).toBe(1);
    expect(c("tkIntsetFind", is, 2n)).toBe(1);
    expect(c("tkIntsetFind", is, 6n)).toBe(0);
    expect(c("tkIntsetFind", is, 1n << 40n)).toBe(0);
    is = c("tkIntsetRemove", is, 1n);
    expect(c("tkIntsetChanged")).toBe(1);
    is = c("tkIntsetRemove", is, 1n);
    expect(c("tkIntsetChanged")).toBe(0);
    is = c("tkIntsetRemove", is, 1n << 40n);
    expect(c("tkIntsetChanged")).toBe(0);
    expect(contents(is)).toEqual([-2n, 2n, 3n, 4n, 5n]);
    c("tkIntsetFree", is);
    expect(used()).toBe(base);
  });

  it("upgrades 16 → 32 → 64 bits in place, the new value at the front or the back", () => {
    let is = c("tkIntsetNew");
    for (const v of [10n, -10n, 20n]) is = c("tkIntsetAdd", is, v);
    is = c("tkIntsetAdd", is, 70000n); // wider and largest: appended
    expect(c("tkIntsetEncoding", is)).toBe(4);
    expect(contents(is)).toEqual([-10n, 10n, 20n, 70000n]);
    is = c("tkIntsetAdd", is, -(2n ** 40n)); // wider and smallest: prepended
    expect(c("tkIntsetEncoding", is)).toBe(8);
    expect(contents(is)).toEqual([-(2n ** 40n), -10n, 10n, 20n, 70000n]);
    is = c("tkIntsetAdd", is, 2n ** 63n - 1n);
    is = c("tkIntsetAdd", is, -(2n ** 63n));
    expect(contents(is)).toEqual([-(2n ** 63n), -(2n ** 40n), -10n, 10n, 20n, 70000n, 2n ** 63n - 1n]);
    expect(c("tkIntsetBlobLen", is)).toBe(8 + 7 * 8);
    // No downgrade: removing the wide values keeps the width.
    for (const v of [-(2n ** 63n), -(2n ** 40n), 70000n, 2n ** 63n - 1n]) is = c("tkIntsetRemove", is, v);
    expect(c("tkIntsetEncoding", is)).toBe(8);
    expect(contents(is)).toEqual([-10n, 10n, 20n]);
    // The 16-bit boundaries.
    let b = c("tkIntsetNew");
    b = c("tkIntsetAdd", b, 32767n);
    b = c("tkIntsetAdd", b, -32768n);
    expect(c("tkIntsetEncoding", b)).toBe(2);
    b = c("tkIntsetAdd", b, 32768n);
    expect(c("tkIntsetEncoding", b)).toBe(4);
    b = c("tkIntsetAdd", b, 2147483647n);
    b = c("tkIntsetAdd", b, -2147483648n);
    expect(c("tkIntsetEncoding", b)).toBe(4);
    b = c("tkIntsetAdd", b, -2147483649n);
    expect(c("tkIntsetEncoding", b)).toBe(8);
    expect(contents(b)).toEqual([-2147483649n, -2147483648n, -32768n, 32767n, 32768n, 2147483647n]);
    c("tkIntsetFree", is);
    c("tkIntsetFree", b);
  });

  it("matches a model over thousands of random adds and removes", () => {
    const base = used();
    const r = rng(42);
    const model = new Set<bigint>();
    let is = c("tkIntsetNew");
    let width = 2;
    const pick = (): bigint => {
      const k = r();
      if (k < 0.6) return BigInt(Math.floor(r() * 400) - 200);
      if (k < 0.8) return BigInt(Math.floor(r() * 2 ** 20) - 2 ** 19);
      if (k < 0.95) return BigInt(Math.floor(r() * 2 ** 40)) - 2n ** 39n;
      return r() < 0.5 ? 2n ** 63n - 1n : -(2n ** 63n);
    };
    for (let step = 0; step < 4000; step++) {
      const v = pick();
      if (r() < 0.65) {
        is = c("tkIntsetAdd", is, v);
        expect(c("tkIntsetChanged")).toBe(model.has(v) ? 0 : 1);
        model.add(v);
        width = Math.max(width, widthOf(v));
      } else {
        is = c("tkIntsetRemove", is, v);
        expect(c("tkIntsetChanged")).toBe(model.has(v) ? 1 : 0);
        model.delete(v);
      }
      const q = pick();
      expect(c("tkIntsetFind", is, q)).toBe(model.has(q) ? 1 : 0);
      if (step % 250 === 0) {
        expect(c("tkIntsetValid", is)).toBe(1);
        expect(contents(is)).toEqual([...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(c("tkIntsetEncoding", is)).toBe(width);
        expect(c("tkIntsetBlobLen", is)).toBe(8 + model.size * width);
      }
    }
    for (const v of model) expect(c("tkIntsetFind", is, v)).toBe(1);
    for (const v of [...model]) {
      is = c("tkIntsetRemove", is, v);
      model.delete(v);
    }
    expect(c("tkIntsetLen", is)).toBe(0);
    c("tkIntsetFree", is);
    expect(used()).toBe(base);
  });
});

describe("set type", () => {
  const enc = (k: string) => run("OBJECT", "ENCODING", k);
  const INTSET = "$6\r\nintset\r\n";
  const HT = "$9\r\nhashtable\r\n";

  it("converts at set-max-intset-entries: one under, at, and over", () => {
    for (const max of [512, 4, 1, 0]) {
      c("setEngineConfig", 4, max);
      run("DEL", "s");
      const members = Array.from({ length: max }, (_, i) => String(i * 3));
      if (max > 0) {
        if (max > 1) {
          run("SADD", "s", ...members.slice(0, max - 1));
          expect(enc("s")).toBe(INTSET);
        }
        run("SADD", "s", members[max - 1]);
        expect(enc("s")).toBe(INTSET);
        expect(run("SCARD", "s")).toBe(`:${max}\r\n`);
      }
      run("SADD", "s", "-1");
      expect(enc("s")).toBe(HT);
      expect(run("SCARD", "s")).toBe(`:${max + 1}\r\n`);
      for (const m of [...members, "-1"]) expect(run("SISMEMBER", "s", m)).toBe(":1\r\n");
      // Never back, even well under the limit again.
      if (max > 0) {
        run("SREM", "s", "-1", ...members.slice(1));
        expect(run("SCARD", "s")).toBe(":1\r\n");
        expect(enc("s")).toBe(HT);
      }
    }
    c("setEngineConfig", 4, 512);
  });

  it("a non-integer member converts; integer text must be canonical", () => {
    run("SADD", "s", "1", "2");
    expect(enc("s")).toBe(INTSET);
    for (const m of ["01", "+1", " 1", "-0", "1.0", "9223372036854775808", "x"]) {
      run("DEL", "t");
      run("SADD", "t", "5", m);
      expect(enc("t")).toBe(HT);
    }
    run("SADD", "u", "-9223372036854775808", "9223372036854775807");
    expect(enc("u")).toBe(INTSET);
    expect(run("SMEMBERS", "u")).toBe("*2\r\n$20\r\n-9223372036854775808\r\n$19\r\n9223372036854775807\r\n");
  });

  it("large members, binary members, and a big hashtable round trip", () => {
    const big = "x".repeat(100_000);
    const bin = Buffer.from([0, 1, 2, 255, 13, 10]);
    run("SADD", "s", big, bin, "");
    expect(run("SISMEMBER", "s", big)).toBe(":1\r\n");
    expect(run("SISMEMBER", "s", bin)).toBe(":1\r\n");
    expect(run("SISMEMBER", "s", "")).toBe(":1\r\n");
    expect(run("SCARD", "s")).toBe(":3\r\n");
    const cmds: Arg[][] = [];
    for (let i = 0; i < 20000; i++) cmds.push(["SADD", "h", `member:${i}`]);
    runAll(cmds);
    expect(run("SCARD", "h")).toBe(":20000\r\n");
    for (let i = 0; i < 20000; i += 997) expect(run("SISMEMBER", "h", `member:${i}`)).toBe(":1\r\n");
    const rem: Arg[][] = [];
    for (let i = 0; i < 20000; i += 2) rem.push(["SREM", "h", `member:${i}`]);
    runAll(rem);
    expect(run("SCARD", "h")).toBe(":10000\r\n");
    expect(run("SISMEMBER", "h", "member:2")).toBe(":0\r\n");
    expect(run("SISMEMBER", "h", "member:3")).toBe(":1\r\n");
  });

  it("COPY duplicates both encodings independently", () => {
    run("SADD", "i", "1", "2", "3");
    run("SADD", "h", "a", "b", "1");
    expect(run("COPY", "i", "i2")).toBe(":1\r\n");
    expect(run("COPY", "h", "h2")).toBe(":1\r\n");
    run("SADD", "i", "4");
    run("SREM", "h", "a");
    expect(run("SMEMBERS", "i2")).toBe("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    expect(enc("i2")).toBe(INTSET);
    expect(enc("h2")).toBe(HT);
    expect(run("SCARD", "h2")).toBe(":3\r\n");
    expect(run("SISMEMBER", "h2", "a")).toBe(":1\r\n");
  });

  it("gives every byte back: DEL, SREM to empty, SPOP, stores, FLUSHALL", () => {
    const workload = () => {
      const cmds: Arg[][] = [];
      for (let i = 0; i < 3000; i++) cmds.push(["SADD", `k${i % 7}`, String(i % 40 === 0 ? `s${i}` : i)]);
      cmds.push(["SADD", "ints", ...Array.from({ length: 600 }, (_, i) => String(i))]);
      cmds.push(["SINTERSTORE", "d1", "k1", "k2", "ints"]);
      cmds.push(["SUNIONSTORE", "d2", "k1", "k2", "ints"]);
      cmds.push(["SDIFFSTORE", "d3", "k1", "k2", "ints"]);
      cmds.push(["SUNION", "k1", "k3"], ["SDIFF", "k3", "k4"], ["SINTER", "k3", "ints"], ["SINTERCARD", "2", "k3", "ints"]);
      cmds.push(["SPOP", "k3", "5"], ["SPOP", "k4", "400"], ["SPOP", "k5"], ["SRANDMEMBER", "k6", "-20"]);
      cmds.push(["SRANDMEMBER", "k6", "300"], ["SRANDMEMBER", "k6", "30"], ["SSCAN", "k6", "0", "COUNT", "50"]);
      cmds.push(["SMOVE", "k1", "new", "7"], ["COPY", "k2", "k2copy"], ["SMEMBERS", "k0"]);
      for (let i = 0; i < 600; i++) cmds.push(["SREM", "ints", String(i)]);
      for (let i = 0; i < 7; i++) cmds.push(["DEL", `k${i}`]);
      runAll(cmds);
      run("FLUSHALL");
    };
    workload(); // grows the reply and scan buffers to their working size
    const base = used();
    workload();
    expect(used()).toBe(base);
  });

  it("MEMORY USAGE counts the structure", () => {
    run("SADD", "i", ...Array.from({ length: 100 }, (_, i) => String(i)));
    const usage = Number(run("MEMORY", "USAGE", "i").slice(1));
    // The entry block plus the intset block of 8 + 100 * 2 bytes (a 224-byte size class).
    expect(usage).toBeGreaterThanOrEqual(208 + 16);
    expect(usage).toBeLessThan(208 + 64);
  });

  it("uses less memory per element than Redis (3.0 B intset, 56.4 B hashtable)", () => {
    // 1000 intsets of 100 integers. The batch's argument area counts in used memory too, so the
    // same batch runs once before the baseline to size it.
    const cmds: Arg[][] = [];
    for (let k = 0; k < 1000; k++) cmds.push(["SADD", `set:${k}`, ...Array.from({ length: 100 }, (_, i) => String(i))]);
    runAll(cmds);
    run("FLUSHALL");
    let base = used();
    runAll(cmds);
    const perInt = (used() - base) / 100_000;
    expect(perInt).toBeLessThan(3.0);
    run("FLUSHALL");
    // One set of 200k strings.
    const N = 200_000;
    const batches: Arg[][][] = [];
    for (let start = 0; start < N; start += 10_000) {
      const batch: Arg[][] = [];
      for (let i = start; i < start + 10_000; i++) batch.push(["SADD", "big", `member:${i}`]);
      batches.push(batch);
    }
    runAll(batches[0]);
    run("FLUSHALL");
    base = used();
    for (const b of batches) runAll(b);
    const perStr = (used() - base) / N;
    console.log(`set memory: ${perInt.toFixed(2)} B per intset element, ${perStr.toFixed(2)} B per string member`);
    expect(perStr).toBeLessThan(56.4 / 1.5);
  });
});
