// Eviction and LFU inside the engine: the Morris counter's curve and decay, what each policy picks,
// what it never touches, and the OOM refusal — driven through exec with time under our control.
import { describe, it, expect, beforeEach } from "vitest";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { execDirect, type Arg } from "../../host/direct.js";
import { pushDenyoomTable, OOM_ERROR } from "../../host/server.js";
import { POLICY_CODES } from "../../host/commands/config.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const T0 = 1_700_000_000_000;
const CFG_SAMPLES = 7;
const CFG_LOG_FACTOR = 8;
const CFG_DECAY_TIME = 9;
const STAT_EVICTED = 3;

function run(now: number, ...cmd: Arg[]): string {
  return execDirect(engine, [cmd], { nowMs: now })[0].toString("latin1");
}

function runAll(now: number, cmds: Arg[][]): string[] {
  return execDirect(engine, cmds, { nowMs: now }).map((b) => b.toString("latin1"));
}

function setPolicy(name: string, bytes: number): void {
  engine.x.setMaxmemory(BigInt(bytes), POLICY_CODES[name]);
}

const used = (): number => engine.x.usedMemory() >>> 0;
const evicted = (): number => call(engine, "engineStat", STAT_EVICTED);

beforeEach(() => {
  engine = loadDebugEngine();
  call(engine, "init", 16, 1234, 5678);
  pushDenyoomTable(engine);
});

/** Average number of accesses the counter needs to climb from 5 to `c` with factor `f`. */
function accessesToReach(c: number, f: number): number {
  let n = 0;
  for (let k = 5; k < c; k++) n += (k - 5) * f + 1;
  return n;
}

/** The counter value whose expected cost is closest to `hits` accesses. */
function expectedCounter(hits: number, f: number): number {
  let c = 5;
  while (c < 255 && accessesToReach(c + 1, f) <= hits) c++;
  // Between c and c+1: interpolate so that the comparison is not off by a rounding step.
  if (c === 255) return 255;
  const lo = accessesToReach(c, f);
  const hi = accessesToReach(c + 1, f);
  return c + (hits - lo) / (hi - lo);
}

describe("LFU counter", () => {
  it("grows along the logarithmic curve for known access counts", () => {
    call(engine, "tkSeedRandom", 42);
    for (const f of [1, 10, 100]) {
      call(engine, "setEngineConfig", CFG_LOG_FACTOR, f);
      for (const hits of [100, 1000, 10_000, 100_000]) {
        let sum = 0;
        const runs = 20;
        for (let i = 0; i < runs; i++) sum += call(engine, "tkLfuAfterHits", 5, hits);
        const avg = sum / runs;
        const want = expectedCounter(hits, f);
        expect(Math.abs(avg - want), `factor ${f}, ${hits} hits: ${avg} vs ${want}`).toBeLessThan(Math.max(2, want * 0.04));
      }
    }
    // The table Redis documents for factor 10: 100 hits → 10, 1000 → 18, 100K → 142, 1M → 255.
    call(engine, "setEngineConfig", CFG_LOG_FACTOR, 10);
    const avg = (hits: number) => {
      let s = 0;
      for (let i = 0; i < 10; i++) s += call(engine, "tkLfuAfterHits", 5, hits);
      return s / 10;
    };
    expect(avg(100)).toBeGreaterThanOrEqual(9);
    expect(avg(100)).toBeLessThanOrEqual(11);
    expect(avg(1000)).toBeGreaterThanOrEqual(17);
    expect(avg(1000)).toBeLessThanOrEqual(21);
    expect(avg(100_000)).toBeGreaterThanOrEqual(138);
    expect(avg(100_000)).toBeLessThanOrEqual(152);
    expect(call(engine, "tkLfuAfterHits", 5, 1_000_000)).toBe(255);
  });

  it("factor 0 counts every access exactly and saturates at 255", () => {
    call(engine, "setEngineConfig", CFG_LOG_FACTOR, 0);
    expect(call(engine, "tkLfuAfterHits", 5, 100)).toBe(105);
    expect(call(engine, "tkLfuAfterHits", 0, 7)).toBe(7);
    expect(call(engine, "tkLfuAfterHits", 5, 1000)).toBe(255);
  });

  it("decays one step per lfu-decay-time minutes, lazily", () => {
    run(T0, "PING"); // sets the clock
    const minutes = Math.floor(T0 / 60_000) & 0xffff;
    const field = (m: number, c: number) => (((m & 0xffff) << 8) | c) >>> 0;
    expect(call(engine, "tkLfuDecayed", field(minutes, 20))).toBe(20);
    expect(call(engine, "tkLfuDecayed", field(minutes - 3, 20))).toBe(17);
    expect(call(engine, "tkLfuDecayed", field(minutes - 30, 20))).toBe(0);
    call(engine, "setEngineConfig", CFG_DECAY_TIME, 2);
    expect(call(engine, "tkLfuDecayed", field(minutes - 3, 20))).toBe(19);
    call(engine, "setEngineConfig", CFG_DECAY_TIME, 0);
    expect(call(engine, "tkLfuDecayed", field(minutes - 300, 20))).toBe(20);
  });

  it("OBJECT FREQ: new keys start at 5, reads count, idle minutes decay", () => {
    setPolicy("allkeys-lfu", 0);
    expect(run(T0, "SET", "k", "v")).toBe("+OK\r\n");
    expect(run(T0, "OBJECT", "FREQ", "k")).toBe(":5\r\n");
    expect(run(T0, "GET", "k")).toBe("$1\r\nv\r\n");
    // From 5 the first step is certain.
    expect(run(T0, "OBJECT", "FREQ", "k")).toBe(":6\r\n");
    for (let i = 0; i < 4; i++) run(T0, "GET", "k");
    const f = Number(run(T0, "OBJECT", "FREQ", "k").slice(1, -2));
    expect(f).toBeGreaterThanOrEqual(6);
    expect(f).toBeLessThanOrEqual(10);
    expect(run(T0 + 2 * 60_000, "OBJECT", "FREQ", "k")).toBe(`:${f - 2}\r\n`);
    // A new value under the key keeps its frequency (SET increments it like any write lookup).
    run(T0, "SET", "k", "x".repeat(100));
    expect(Number(run(T0, "OBJECT", "FREQ", "k").slice(1, -2))).toBeGreaterThanOrEqual(f);
    expect(run(T0, "OBJECT", "IDLETIME", "k")).toMatch(/^-ERR An LFU maxmemory policy is selected/);
    // Back to LRU: OBJECT FREQ is refused, IDLETIME works.
    setPolicy("allkeys-lru", 0);
    run(T0, "SET", "j", "v");
    expect(run(T0 + 5000, "OBJECT", "IDLETIME", "j")).toBe(":5\r\n");
    expect(run(T0, "OBJECT", "FREQ", "j")).toMatch(/^-ERR An LFU maxmemory policy is not selected/);
  });
});

/** Writes `n` plain keys `prefix:i` with a 100-byte value, in batches. */
function fill(now: number, prefix: string, n: number, ttlMs = 0): string[] {
  const out: string[] = [];
  const val = "v".repeat(100);
  for (let b = 0; b < n; b += 500) {
    const cmds: Arg[][] = [];
    for (let i = b; i < Math.min(n, b + 500); i++) {
      cmds.push(ttlMs > 0 ? ["SET", `${prefix}:${i}`, val, "PX", String(ttlMs)] : ["SET", `${prefix}:${i}`, val]);
    }
    out.push(...runAll(now, cmds));
  }
  return out;
}

function exists(now: number, key: string): boolean {
  return run(now, "EXISTS", key) === ":1\r\n";
}

describe("eviction", () => {
  const ENTRY = 160; // one entry of the flood: key + TTL + 100-byte value

  for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "simple-first"]) {
    it(`${policy}: a flood five times the limit never takes memory past it`, () => {
      run(T0, "PING");
      const limit = used() + 1_000_000;
      setPolicy(policy, limit);
      engine.x.memResetPeak();
      const ttl = policy.startsWith("volatile") ? 1_000_000 : 0;
      // Up to the limit: at most one entry over it, plus the sampling buffers eviction allocates
      // the first time it runs (a few hundred bytes, once).
      const first = fill(T0, "flood", 10_000, ttl);
      expect(evicted()).toBeGreaterThan(0);
      expect(engine.x.memPeak()).toBeLessThanOrEqual(limit + ENTRY + 512);
      // From then on: one entry over at most, whatever the keys, their lengths or the batch sizes.
      engine.x.memResetPeak();
      const replies = [...first, ...fill(T0, "more", 40_000, ttl)];
      expect(replies.every((r) => r === "+OK\r\n")).toBe(true);
      expect(engine.x.memPeak()).toBeLessThanOrEqual(limit + ENTRY);
      expect(used()).toBeLessThanOrEqual(limit + ENTRY);
      expect(used()).toBeGreaterThan(limit - 64 * 1024); // and it is used, not left empty
      const keys = call(engine, "dbKeys", 0);
      expect(evicted()).toBe(50_000 - keys);
      expect(keys).toBeGreaterThan(3000);
    });
  }

  it("noeviction refuses writes with Redis's OOM error; reads and DEL still run", () => {
    fill(T0, "k", 2000);
    setPolicy("noeviction", used() - 10_000);
    const [set, get, del, incr, exp, after] = runAll(T0, [
      ["SET", "new", "v"], ["GET", "k:1"], ["DEL", "k:2"], ["INCR", "k:3"], ["EXPIRE", "k:4", "100"], ["EXISTS", "k:2"],
    ]);
    expect(set).toBe(`-${OOM_ERROR}\r\n`);
    expect(OOM_ERROR).toBe("OOM command not allowed when used memory > 'maxmemory'.");
    expect(get).toBe(`$100\r\n${"v".repeat(100)}\r\n`);
    expect(del).toBe(":1\r\n");
    expect(incr).toBe(`-${OOM_ERROR}\r\n`);
    expect(exp).toBe(":1\r\n");
    expect(after).toBe(":0\r\n");
    expect(evicted()).toBe(0);
    expect(call(engine, "dbKeys", 0)).toBe(1999);
    // Deleting enough brings writes back.
    const dels: Arg[][] = [];
    for (let i = 10; i < 200; i++) dels.push(["DEL", `k:${i}`]);
    runAll(T0, dels);
    expect(run(T0, "SET", "new", "v")).toBe("+OK\r\n");
  });

  it("volatile-* never evict a key without a TTL, and refuse writes when only those are left", () => {
    for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]) {
      engine = loadDebugEngine();
      call(engine, "init", 16, 1234, 5678);
      pushDenyoomTable(engine);
      fill(T0, "p", 3000);
      fill(T0, "v", 300, 1_000_000);
      setPolicy(policy, used() + 20_000);
      const replies = fill(T0, "w", 2000); // no TTL either: only the 300 volatile keys may go
      const firstOom = replies.findIndex((r) => r !== "+OK\r\n");
      expect(firstOom, policy).toBeGreaterThan(0);
      expect(replies[firstOom]).toBe(`-${OOM_ERROR}\r\n`);
      expect(replies.slice(firstOom).every((r) => r === `-${OOM_ERROR}\r\n`)).toBe(true);
      expect(call(engine, "dbVolatileKeys", 0), policy).toBe(0);
      expect(evicted()).toBe(300);
      for (let i = 0; i < 3000; i += 97) expect(exists(T0, `p:${i}`), `${policy} p:${i}`).toBe(true);
      expect(call(engine, "dbKeys", 0)).toBe(3000 + firstOom);
    }
  });

  it("volatile-ttl evicts the nearest expiry first", () => {
    // 200 volatile keys, v:0 expiring first; with every key sampled the order is exact.
    call(engine, "setEngineConfig", CFG_SAMPLES, 1000);
    const cmds: Arg[][] = [];
    for (let i = 0; i < 200; i++) cmds.push(["SET", `v:${i}`, "v".repeat(100), "PX", String(100_000 + i * 1000)]);
    fill(T0, "p", 1000);
    runAll(T0, cmds);
    setPolicy("volatile-ttl", used());
    fill(T0, "w", 50);
    const gone = [...Array(200).keys()].filter((i) => !exists(T0, `v:${i}`));
    expect(gone.length).toBeGreaterThan(20);
    expect(gone).toEqual([...Array(gone.length).keys()]);
    // With the default 5 samples and the pool of 16 it is approximate but strongly ordered.
    engine = loadDebugEngine();
    call(engine, "init", 16, 1234, 5678);
    pushDenyoomTable(engine);
    fill(T0, "p", 1000);
    runAll(T0, cmds);
    setPolicy("volatile-ttl", used());
    fill(T0, "w", 100);
    const gone5 = [...Array(200).keys()].filter((i) => !exists(T0, `v:${i}`));
    expect(gone5.length).toBeGreaterThan(50);
    const mean = gone5.reduce((a, b) => a + b, 0) / gone5.length;
    expect(mean).toBeLessThan(gone5.length * 0.75);
    for (let i = 150; i < 200; i++) expect(exists(T0, `v:${i}`)).toBe(true);
  });

  it("allkeys-lru keeps recently read keys and evicts the ones idle longest", () => {
    fill(T0, "old", 2000);
    fill(T0 + 10_000, "mid", 2000);
    const reads: Arg[][] = [];
    for (let i = 0; i < 200; i++) reads.push(["GET", `old:${i}`]);
    runAll(T0 + 20_000, reads); // old:0-199 are now the most recent
    setPolicy("allkeys-lru", used() - 50_000);
    fill(T0 + 20_000, "new", 200);
    let oldGone = 0;
    for (let i = 200; i < 2000; i++) if (!exists(T0 + 20_000, `old:${i}`)) oldGone++;
    let midGone = 0;
    for (let i = 0; i < 2000; i++) if (!exists(T0 + 20_000, `mid:${i}`)) midGone++;
    for (let i = 0; i < 200; i++) expect(exists(T0 + 20_000, `old:${i}`)).toBe(true);
    expect(oldGone).toBeGreaterThan(400);
    expect(midGone).toBeLessThan(oldGone / 5);
  });

  for (const policy of ["allkeys-lru", "allkeys-lfu"]) {
    it(`${policy}: a hot set of 200 keys read repeatedly survives 100 MB written into a 20 MB cap`, () => {
      // The LRU clock ticks in seconds (as Redis's does), so time advances with the writes:
      // one second per 2500 writes of 1000 bytes, i.e. cold keys live several clock ticks.
      let now = T0;
      const hot: Arg[][] = [];
      for (let i = 0; i < 200; i++) hot.push(["SET", `hot:${i}`, "h".repeat(100)]);
      runAll(now, hot);
      setPolicy(policy, 20 * 1024 * 1024);
      const val = "x".repeat(1000);
      const reads: Arg[][] = [];
      for (let i = 0; i < 200; i++) reads.push(["GET", `hot:${i}`]);
      for (let b = 0; b < 200; b++) {
        const cmds: Arg[][] = [];
        for (let i = 0; i < 500; i++) cmds.push(["SET", `cold:${b}:${i}`, val]);
        runAll(now, cmds);
        const got = runAll(now, reads);
        expect(got.every((g) => g.startsWith("$100\r\n")), `batch ${b}`).toBe(true);
        if (b % 5 === 4) now += 1000;
      }
      expect(evicted()).toBeGreaterThan(75_000);
      expect(used()).toBeLessThanOrEqual(20 * 1024 * 1024 + 1100);
    }, 60_000);
  }

  it("simple-first evicts in table order and empties databases other than 0 too", () => {
    execDirect(engine, [["SET", "other", "x"]], { nowMs: T0, db: 3 });
    fill(T0, "k", 500);
    setPolicy("simple-first", used() - 20_000);
    fill(T0, "n", 10);
    expect(evicted()).toBeGreaterThan(50);
    expect(call(engine, "dbKeys", 3)).toBe(1);
    setPolicy("simple-first", 1);
    expect(call(engine, "performEvictions")).toBe(1);
    expect(call(engine, "dbKeys", 0)).toBe(0);
    expect(call(engine, "dbKeys", 3)).toBe(0);
  });
});
