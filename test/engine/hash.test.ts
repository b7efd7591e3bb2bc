// The hash type through engine commands: both encodings and the conversion between them at the
// configured thresholds, a random workload checked against a model on either side of the
// conversion, values that grow and shrink across allocator size classes (and past the small
// block limit), copies, full HSCAN iterations while the table resizes, distinct HRANDFIELD picks,
// memory per element against Redis's, and the allocator count back where it started.
import { describe, it, expect, beforeEach } from "vitest";
import { loadDebugEngine, call, put } from "../helpers/engine.js";
import { execDirect, type Arg } from "../../host/direct.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const c = (name: string, ...a: (number | bigint)[]) => (engine.x as any)[name](...a);

function raw(...cmd: Arg[]): Buffer {
  return execDirect(engine, [cmd], { nowMs: 1_700_000_000_000 })[0];
}
function run(...cmd: Arg[]): string {
  return raw(...cmd).toString("latin1");
}
function runAll(cmds: Arg[][]): void {
  execDirect(engine, cmds, { nowMs: 1_700_000_000_000 });
}
const used = () => Number(c("usedMemory")) >>> 0;

/** Decodes one RESP2 reply into JS values (bulk strings as latin1 text). */
function parse(b: Buffer): unknown {
  const s = b.toString("latin1");
  let i = 0;
  const line = () => {
    const e = s.indexOf("\r\n", i);
    const l = s.slice(i, e);
    i = e + 2;
    return l;
  };
  const one = (): unknown => {
    const l = line();
    const t = l[0];
    if (t === "+") return l.slice(1);
    if (t === "-") return new Error(l.slice(1));
    if (t === ":") return Number(l.slice(1));
    if (t === "$") {
      const n = Number(l.slice(1));
      if (n < 0) return null;
      const v = s.slice(i, i + n);
      i += n + 2;
      return v;
    }
    if (t === "*") {
      const n = Number(l.slice(1));
      if (n < 0) return null;
      return Array.from({ length: n }, one);
    }
    throw new Error(`unexpected reply ${JSON.stringify(l)}`);
  };
  return one();
}
const q = (...cmd: Arg[]) => parse(raw(...cmd));

/** Form of hash `key`: 1 listpack, 2 hashtable, 0 none. */
function form(key: string): number {
  const [p, n] = put(engine, key);
  try {
    return c("tkHashForm", p, n);
  } finally {
    engine.x.memFree(p);
  }
}
function hlen(key: string): number {
  const [p, n] = put(engine, key);
  try {
    return c("tkHashLength", p, n);
  } finally {
    engine.x.memFree(p);
  }
}

function toMap(flat: unknown): Map<string, string> {
  const a = flat as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < a.length; i += 2) m.set(a[i], a[i + 1]);
  return m;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CFG_ENTRIES = 0;
const CFG_VALUE = 1;

beforeEach(() => {
  engine = loadDebugEngine();
  call(engine, "init", 16, 1234, 5678);
});

describe("hash encodings", () => {
  it("starts as a listpack and converts after hash-max-listpack-entries pairs, never back", () => {
    const pairs = (from: number, to: number) => {
      const a: string[] = [];
      for (let i = from; i <= to; i++) a.push(`f${i}`, `v${i}`);
      return a;
    };
    expect(run("HSET", "h", ...pairs(1, 511))).toBe(":511\r\n");
    expect(form("h")).toBe(1);
    run("HSET", "h", ...pairs(512, 512));
    expect(form("h")).toBe(1);
    run("HSET", "h", "f512", "changed"); // an update at the limit adds nothing
    expect(form("h")).toBe(1);
    run("HSET", "h", ...pairs(513, 513));
    expect(form("h")).toBe(2);
    expect(hlen("h")).toBe(513);
    expect(run("HGET", "h", "f512")).toBe("$7\r\nchanged\r\n");
    for (let i = 1; i <= 510; i++) run("HDEL", "h", `f${i}`);
    expect(form("h")).toBe(2);
    expect(toMap(q("HGETALL", "h"))).toEqual(new Map([["f511", "v511"], ["f512", "changed"], ["f513", "v513"]]));
  });

  it("converts when a field or a value passes hash-max-listpack-value, whoever writes it", () => {
    const x = (n: number) => "x".repeat(n);
    run("HSET", "a", "f", x(64));
    expect(form("a")).toBe(1);
    run("HSET", "a", "g", x(65));
    expect(form("a")).toBe(2);
    run("HSET", "b", x(65), "1");
    expect(form("b")).toBe(2);
    run("HSET", "c", "f", "1");
    run("HSETNX", "c", "f", x(100)); // field exists: nothing stored, nothing converted
    expect(form("c")).toBe(1);
    run("HINCRBYFLOAT", "c", "g", "1e59"); // 60 characters
    expect(form("c")).toBe(1);
    run("HINCRBYFLOAT", "c", "g", "1e70"); // 71 characters
    expect(form("c")).toBe(2);
    c("setEngineConfig", CFG_VALUE, 3);
    run("HSET", "d", "a", "1");
    run("HINCRBY", "d", "a", "10");
    expect(form("d")).toBe(1);
    run("HINCRBY", "d", "a", "1000");
    expect(form("d")).toBe(2);
    expect(run("HGET", "d", "a")).toBe("$4\r\n1011\r\n");
    c("setEngineConfig", CFG_VALUE, 64);
    c("setEngineConfig", CFG_ENTRIES, 0);
    run("HSET", "e", "a", "1");
    expect(form("e")).toBe(2);
    c("setEngineConfig", CFG_ENTRIES, 512);
  });

  it("keeps fields that look like integers exact in both forms", () => {
    const fields = ["0", "-0", "01", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808", " 1", "1 ", "+1", ""];
    const args: string[] = [];
    fields.forEach((f, i) => args.push(f, `${fields[(i + 3) % fields.length]}`));
    run("HSET", "lp", ...args);
    run("HSET", "ht", ...args, "long", "y".repeat(80));
    expect(form("lp")).toBe(1);
    expect(form("ht")).toBe(2);
    for (const k of ["lp", "ht"]) {
      fields.forEach((f, i) => expect(q("HGET", k, f)).toBe(fields[(i + 3) % fields.length]));
      expect(q("HEXISTS", k, "00")).toBe(0);
      expect(q("HGET", k, "-00")).toBe(null);
    }
    // listpack order is insertion order
    expect(q("HKEYS", "lp")).toEqual(fields);
  });
});

describe("hash workload against a model", () => {
  for (const [label, entries, value] of [
    ["small thresholds (converts mid-run)", 16, 8],
    ["default thresholds", 512, 64],
  ] as const) {
    it(label, () => {
      c("setEngineConfig", CFG_ENTRIES, entries);
      c("setEngineConfig", CFG_VALUE, value);
      const base = used();
      const r = rng(entries * 7 + value);
      const model = new Map<string, Map<string, string>>();
      const keys = ["k0", "k1", "k2"];
      const field = () => (r() < 0.2 ? String(Math.floor(r() * 40) - 5) : `f${Math.floor(r() * 60)}`);
      const val = () => {
        const x = r();
        if (x < 0.3) return String(Math.floor(r() * 2000) - 1000);
        if (x < 0.9) return "v".repeat(Math.floor(r() * 12));
        return "w".repeat(Math.floor(r() * 300));
      };
      for (let step = 0; step < 4000; step++) {
        const k = keys[Math.floor(r() * keys.length)];
        const m = model.get(k) ?? new Map<string, string>();
        const op = r();
        if (op < 0.4) {
          const n = 1 + Math.floor(r() * 3);
          const args: string[] = [];
          const seen = new Map(m);
          let added = 0;
          for (let i = 0; i < n; i++) {
            const f = field();
            const v = val();
            if (!seen.has(f)) added++;
            seen.set(f, v);
            args.push(f, v);
          }
          expect(q("HSET", k, ...args)).toBe(added);
          model.set(k, seen);
        } else if (op < 0.6) {
          const fs = [field(), field()];
          let n = 0;
          for (const f of new Set(fs)) if (m.delete(f)) n++;
          expect(q("HDEL", k, ...fs)).toBe(n);
          if (m.size === 0) model.delete(k);
        } else if (op < 0.7) {
          const f = field();
          const cur = m.get(f);
          const by = Math.floor(r() * 100) - 50;
          const reply = q("HINCRBY", k, f, String(by));
          if (cur !== undefined && !/^(0|-?[1-9][0-9]*)$/.test(cur)) {
            expect(reply).toBeInstanceOf(Error);
          } else {
            const nv = BigInt(cur ?? "0") + BigInt(by);
            expect(reply).toBe(Number(nv));
            m.set(f, String(nv));
            model.set(k, m);
          }
        } else if (op < 0.75) {
          const f = field();
          const v = val();
          const had = m.has(f);
          expect(q("HSETNX", k, f, v)).toBe(had ? 0 : 1);
          if (!had) {
            m.set(f, v);
            model.set(k, m);
          }
        } else {
          const f = field();
          expect(q("HGET", k, f)).toBe(m.get(f) ?? null);
          expect(q("HLEN", k)).toBe(m.size);
          expect(q("HSTRLEN", k, f)).toBe((m.get(f) ?? "").length);
        }
        if (step % 500 === 499) {
          for (const key of keys) {
            const mm = model.get(key);
            expect(toMap(q("HGETALL", key))).toEqual(mm ?? new Map());
            expect(hlen(key)).toBe(mm ? mm.size : -1);
          }
        }
      }
      for (const key of keys) {
        const mm = model.get(key);
        if (!mm) continue;
        // Listpack while small enough, hashtable once it was ever too big (never back).
        expect(form(key)).toBeGreaterThan(0);
        expect(q("HDEL", key, ...mm.keys())).toBe(mm.size);
        expect(q("EXISTS", key)).toBe(0);
      }
      // Only the buffers that grow to their working size once may stay (reply, scratch).
      run("FLUSHALL");
      expect(used() - base).toBeLessThan(70_000);
      c("setEngineConfig", CFG_ENTRIES, 512);
      c("setEngineConfig", CFG_VALUE, 64);
    });
  }
});

describe("hash memory", () => {
  it("grows and shrinks values across size classes and past the small-block limit", () => {
    run("HSET", "h", "x", "y".repeat(100)); // hashtable from the start
    for (let i = 0; i < 20; i++) run("HSET", "h", `f${i}`, String(i));
    const sizes = [1, 0, 17, 300, 40_000, 5, 200_000, 64, 0, 70_000, 2];
    for (const n of sizes) {
      const v = Buffer.alloc(n, 0x61 + (n % 26));
      expect(run("HSET", "h", "f7", v)).toBe(":0\r\n");
      expect(raw("HGET", "h", "f7").equals(Buffer.concat([Buffer.from(`$${n}\r\n`), v, Buffer.from("\r\n")]))).toBe(true);
      expect(q("HSTRLEN", "h", "f7")).toBe(n);
      for (let i = 0; i < 20; i++) if (i !== 7) expect(q("HGET", "h", `f${i}`)).toBe(String(i));
    }
    // and in a listpack (values up to the limit)
    for (const n of [0, 1, 63, 64, 10, 64, 0]) {
      run("HSET", "l", "a", "b".repeat(n), "c", "d");
      expect(form("l")).toBe(1);
      expect(q("HGET", "l", "a")).toBe("b".repeat(n));
      expect(q("HGET", "l", "c")).toBe("d");
    }
  });

  it("returns every byte once everything is deleted (both forms, copies, conversions)", () => {
    const workload = () => {
      const cmds: Arg[][] = [];
      for (let k = 0; k < 20; k++) {
        const args: string[] = [];
        for (let i = 0; i < 30 * k; i++) args.push(`f${i}`, k % 3 === 0 ? String(i) : `value-${i}`);
        if (args.length) cmds.push(["HSET", `k${k}`, ...args]);
      }
      cmds.push(["HSET", "long", "a", "x".repeat(1000)], ["HINCRBYFLOAT", "k3", "f1", "1.5"]);
      cmds.push(["COPY", "k19", "c19"], ["COPY", "k2", "c2"], ["COPY", "long", "clong"]);
      cmds.push(["HRANDFIELD", "k19", "-50", "WITHVALUES"], ["HRANDFIELD", "k19", "20"], ["HRANDFIELD", "k19", "300"]);
      cmds.push(["HRANDFIELD", "k5", "-500"], ["HRANDFIELD", "k5", "10", "WITHVALUES"], ["HSCAN", "k19", "0", "COUNT", "40"]);
      cmds.push(["HGETALL", "k19"], ["HKEYS", "k5"], ["HVALS", "c2"], ["MEMORY", "USAGE", "k19"]);
      for (let i = 0; i < 500; i++) cmds.push(["HDEL", "k19", `f${i}`]);
      cmds.push(["DEL", "k18", "c19"]);
      runAll(cmds);
      run("FLUSHALL");
    };
    workload(); // grows the reply, scan and scratch buffers to their working size
    const base = used();
    workload();
    expect(used()).toBe(base);
  });

  it("COPY makes an independent deep copy of either form", () => {
    const big: string[] = [];
    for (let i = 0; i < 1000; i++) big.push(`f${i}`, `v${i}`);
    run("HSET", "ht", ...big);
    run("HSET", "lp", "a", "1", "b", "2");
    run("COPY", "ht", "ht2");
    run("COPY", "lp", "lp2");
    expect(form("ht2")).toBe(2);
    expect(form("lp2")).toBe(1);
    run("HSET", "ht", "f1", "changed");
    run("HDEL", "lp", "a");
    expect(q("HGET", "ht2", "f1")).toBe("v1");
    expect(q("HGET", "lp2", "a")).toBe("1");
    expect(toMap(q("HGETALL", "ht2"))).toEqual(toMap(big));
    run("DEL", "ht");
    expect(q("HLEN", "ht2")).toBe(1000);
  });

  it("MEMORY USAGE counts the structure", () => {
    const args: string[] = [];
    for (let i = 0; i < 100; i++) args.push(`f${i}`, `v${i}`);
    run("HSET", "lp", ...args);
    const lp = Number(run("MEMORY", "USAGE", "lp").slice(1));
    // 100 pairs of 4-5 byte entries (2-3 bytes + 2 framing): 800-1000 bytes, plus the entry.
    expect(lp).toBeGreaterThan(800);
    expect(lp).toBeLessThan(1300);
    for (let i = 100; i < 1000; i++) args.push(`f${i}`, `v${i}`);
    run("HSET", "ht", ...args);
    const ht = Number(run("MEMORY", "USAGE", "ht").slice(1));
    expect(ht).toBeGreaterThan(1000 * 16);
    expect(ht).toBeLessThan(1000 * 32);
  });

  it("uses less memory per element than Redis (11.0 B listpack, 70.8 B hashtable)", () => {
    // Redis 7.0.15 measured with used_memory: 10k hashes of 100 pairs f<i>/v<i> take 11.0 B per
    // field; one hash of 1M pairs f<i>/v<i> takes 70.8 B per field.
    const cmds: Arg[][] = [];
    for (let k = 0; k < 10_000; k++) {
      const a: string[] = [];
      for (let i = 0; i < 100; i++) a.push(`f${i}`, `v${i}`);
      cmds.push(["HSET", `hash:${k}`, ...a]);
    }
    runAll(cmds.slice(0, 1000));
    run("FLUSHALL");
    let base = used();
    for (let i = 0; i < cmds.length; i += 1000) runAll(cmds.slice(i, i + 1000));
    const perLp = (used() - base) / 1_000_000;
    run("FLUSHALL");
    const N = 1_000_000;
    const batch = (start: number) => {
      const a: string[] = [];
      for (let i = start; i < start + 100; i++) a.push(`f${i}`, `v${i}`);
      return ["HSET", "big", ...a];
    };
    const batches: Arg[][][] = [];
    for (let s = 0; s < N; s += 10_000) {
      const b: Arg[][] = [];
      for (let i = s; i < s + 10_000; i += 100) b.push(batch(i));
      batches.push(b);
    }
    runAll(batches[0]);
    run("FLUSHALL");
    base = used();
    for (const b of batches) runAll(b);
    const perHt = (used() - base) / N;
    console.log(`hash memory: ${perLp.toFixed(2)} B per listpack field, ${perHt.toFixed(2)} B per hashtable field`);
    expect(perLp).toBeLessThan(11.0);
    expect(perHt).toBeLessThan(70.8 / 1.5);
  }, 60_000);
});

describe("hash iteration and sampling", () => {
  it("HSCAN visits every field at least once while the table grows and shrinks", () => {
    const N = 3000;
    const args: string[] = [];
    for (let i = 0; i < N; i++) args.push(`f${i}`, `v${i}`);
    run("HSET", "h", ...args);
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, items] = q("HSCAN", "h", cursor, "COUNT", "50") as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
      // Resize under the scan: add a batch early on, delete added fields later.
      if (calls === 5) for (let i = 0; i < 3000; i++) run("HSET", "h", `g${i}`, "x");
      if (calls === 30) for (let i = 0; i < 3000; i++) run("HDEL", "h", `g${i}`);
    } while (cursor !== "0" && calls < 10_000);
    expect(cursor).toBe("0");
    for (let i = 0; i < N; i++) expect(seen.get(`f${i}`)).toBe(`v${i}`);
    // MATCH filters fields; values come with their fields
    const [, m] = q("HSCAN", "h", "0", "MATCH", "f1?", "COUNT", "100000") as [string, string[]];
    expect(toMap(m)).toEqual(new Map(Array.from({ length: 10 }, (_, i) => [`f1${i}`, `v1${i}`])));
  });

  it("HRANDFIELD picks distinct fields below the size, repeats with a negative count", () => {
    const N = 2000;
    const args: string[] = [];
    for (let i = 0; i < N; i++) args.push(`f${i}`, `v${i}`);
    run("HSET", "h", ...args);
    run("HSET", "s", "a", "1", "b", "2", "c", "3", "d", "4");
    for (const [key, count, size] of [["h", 10, N], ["h", 900, N], ["h", 1999, N], ["s", 2, 4], ["s", 3, 4]] as const) {
      const r = q("HRANDFIELD", key, String(count), "WITHVALUES") as string[];
      expect(r.length).toBe(count * 2);
      const m = toMap(r);
      expect(m.size).toBe(count);
      const want = key === "h" ? (f: string) => `v${f.slice(1)}` : (f: string) => String("abcd".indexOf(f) + 1);
      for (const [f, v] of m) expect(v).toBe(want(f));
      expect(size).toBeGreaterThan(count);
    }
    // a listpack's distinct picks come in the hash's order
    for (let t = 0; t < 20; t++) {
      const r = q("HRANDFIELD", "s", "3") as string[];
      expect([...r].sort()).toEqual(r);
    }
    const rep = q("HRANDFIELD", "s", "-200") as string[];
    expect(rep.length).toBe(200);
    expect(new Set(rep)).toEqual(new Set(["a", "b", "c", "d"]));
    const repH = q("HRANDFIELD", "h", "-300") as string[];
    expect(repH.length).toBe(300);
    for (const f of repH) expect(/^f\d+$/.test(f)).toBe(true);
    expect(run("HRANDFIELD", "s", "-100000000")).toBe("-ERR value is out of range\r\n");
    expect(run("HRANDFIELD", "s", "-40000000", "WITHVALUES")).toBe("-ERR value is out of range\r\n");
  });
});
