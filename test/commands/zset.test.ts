// Sorted set commands over real sockets: ioredis and node-redis clients, and a seeded randomized
// model test (thousands of operations against Wedis and a plain TypeScript model, compared reply
// by reply) that crosses the listpack → skiplist threshold on some keys and not on others.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Redis from "ioredis";
// @ts-ignore: ioredis 5 under an alias, speaking RESP2 (ioredis 6 negotiates RESP3)
import Redis5 from "ioredis5";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";

let s: StartedServer;
let r: Redis;
let r2: Redis; // RESP2
let nr: ReturnType<typeof createClient>;

beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: false });
  r2 = new Redis5({ port: s.port, host: "127.0.0.1" });
  nr = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
  await nr.connect();
});

afterAll(async () => {
  r.disconnect();
  r2.disconnect();
  await nr.quit();
  await s.close();
});

beforeEach(async () => {
  await r.flushall();
});

function rng(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** The plain model: key → member → score; ordering as Redis defines it. */
type Z = Map<string, number>;
const order = (a: [string, number], b: [string, number]) =>
  a[1] !== b[1] ? a[1] - b[1] : Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]));
const sorted = (z: Z | undefined) => (z ? [...z.entries()].sort(order) : []);
const fmt = (n: number) => String(n); // scores in this test are halves: %.17g prints them like JS

describe("sorted set commands", () => {
  it("ZADD/ZRANGE/ZSCORE round trip with ioredis and node-redis", async () => {
    expect(await r.zadd("z", 1, "a", 2.5, "b", "-inf", "c")).toBe(3);
    expect(await r.zrange("z", 0, -1, "WITHSCORES")).toEqual(["c", "-inf", "a", "1", "b", "2.5"]);
    expect(await nr.zScore("z", "b")).toBe(2.5);
    expect(await nr.zRangeWithScores("z", 0, -1)).toEqual([
      { value: "c", score: -Infinity },
      { value: "a", score: 1 },
      { value: "b", score: 2.5 },
    ]);
    expect(await nr.zRank("z", "b")).toBe(2);
    expect(await r.zincrby("z", "0.1", "a")).toBe("1.1000000000000001");
    expect(await r.object("ENCODING", "z")).toBe("listpack");
    expect(await nr.zCard("z")).toBe(3);
    await expect(r.zadd("z", "nan", "a")).rejects.toThrow("ERR value is not a valid float");
    await r.set("s", "x");
    await expect(r.zadd("s", 1, "a")).rejects.toThrow(/^WRONGTYPE/);
  });

  it("converts to skiplist above 128 members and answers the same", async () => {
    const args: (string | number)[] = [];
    for (let i = 0; i < 129; i++) args.push(i % 10, "m" + i);
    await r.zadd("big", ...args);
    expect(await r.object("ENCODING", "big")).toBe("skiplist");
    await r.zremrangebyrank("big", 0, 100);
    expect(await r.object("ENCODING", "big")).toBe("skiplist"); // never back
    expect(await r.zcard("big")).toBe(28);
  });

  it("matches a model over thousands of random operations", async () => {
    const rand = rng(20240611);
    const model = new Map<string, Z>();
    const keys = ["k1", "k2", "k3"];
    const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
    const members = (n: number) => Array.from({ length: n }, (_, i) => "m" + i);
    const pool = { k1: members(20), k2: members(300), k3: members(60) } as Record<string, string[]>;
    const score = () => Math.floor(rand() * 40) / 2 - 5;
    const get = (k: string) => model.get(k);
    const dropEmpty = (k: string) => {
      if (get(k)?.size === 0) model.delete(k);
    };
    const idx = (i: number, len: number) => (i < 0 ? Math.max(0, len + i) : i);
    const rankRange = (k: string, a: number, b: number) => {
      const all = sorted(get(k));
      const len = all.length;
      let start = idx(a, len);
      let end = b < 0 ? len + b : b;
      if (start > end || start >= len) return [];
      if (end >= len) end = len - 1;
      return all.slice(start, end + 1);
    };
    const peak = new Map<string, number>();
    for (let step = 0; step < 4000; step++) {
      const k = pick(keys);
      const m = pick(pool[k]);
      const op = rand();
      let cmd: (string | number)[];
      let expected: unknown;
      if (op < 0.35) {
        const n = 1 + Math.floor(rand() * (k === "k2" ? 24 : 4)); // k2 grows past 128
        const pairs: [number, string][] = Array.from({ length: n }, () => [score(), pick(pool[k])]);
        const flag = pick(["", "", "NX", "XX", "GT", "LT", "CH"]);
        cmd = ["ZADD", k, ...(flag ? [flag] : []), ...pairs.flat()];
        const z = get(k) ?? new Map();
        let added = 0, changed = 0;
        for (const [sc, mem] of pairs) {
          const cur = z.get(mem);
          if (cur === undefined) {
            if (flag === "XX") continue;
            z.set(mem, sc);
            added++;
          } else {
            if (flag === "NX") continue;
            if ((flag === "GT" && sc <= cur) || (flag === "LT" && sc >= cur)) continue;
            if (sc !== cur) {
              z.set(mem, sc);
              changed++;
            }
          }
        }
        if (z.size > 0) model.set(k, z);
        expected = flag === "CH" ? added + changed : added;
      } else if (op < 0.45) {
        const inc = score();
        cmd = ["ZINCRBY", k, inc, m];
        const z = get(k) ?? new Map();
        const v = (z.get(m) ?? 0) + inc;
        z.set(m, v);
        model.set(k, z);
        expected = fmt(v);
      } else if (op < 0.55) {
        cmd = ["ZREM", k, m, pick(pool[k])];
        const z = get(k);
        let n = 0;
        for (const mem of new Set([m, cmd[3] as string])) if (z?.delete(mem)) n++;
        dropEmpty(k);
        expected = n;
      } else if (op < 0.6) {
        cmd = ["ZSCORE", k, m];
        const v = get(k)?.get(m);
        expected = v === undefined ? null : fmt(v);
      } else if (op < 0.65) {
        const rev = rand() < 0.5;
        cmd = [rev ? "ZREVRANK" : "ZRANK", k, m];
        const all = sorted(get(k));
        const i = all.findIndex(([x]) => x === m);
        expected = i < 0 ? null : rev ? all.length - 1 - i : i;
      } else if (op < 0.75) {
        const a = Math.floor(rand() * 30) - 10, b = Math.floor(rand() * 30) - 10;
        const ws = rand() < 0.5;
        cmd = ["ZRANGE", k, a, b, ...(ws ? ["WITHSCORES"] : [])];
        expected = rankRange(k, a, b).flatMap(([x, v]) => (ws ? [x, fmt(v)] : [x]));
      } else if (op < 0.82) {
        const lo = score(), hi = score();
        const exLo = rand() < 0.3, exHi = rand() < 0.3;
        const off = Math.floor(rand() * 3), lim = Math.floor(rand() * 6) - 1;
        const rev = rand() < 0.5;
        const min = (exLo ? "(" : "") + lo, max = (exHi ? "(" : "") + hi;
        cmd = rev
          ? ["ZREVRANGEBYSCORE", k, max, min, "WITHSCORES", "LIMIT", off, lim]
          : ["ZRANGEBYSCORE", k, min, max, "WITHSCORES", "LIMIT", off, lim];
        let all = sorted(get(k)).filter(([, v]) => (exLo ? v > lo : v >= lo) && (exHi ? v < hi : v <= hi));
        if (rev) all = all.reverse();
        all = all.slice(off, lim < 0 ? undefined : off + lim);
        expected = all.flatMap(([x, v]) => [x, fmt(v)]);
      } else if (op < 0.86) {
        const lo = score(), hi = score();
        cmd = ["ZCOUNT", k, lo, hi];
        expected = sorted(get(k)).filter(([, v]) => v >= lo && v <= hi).length;
      } else if (op < 0.89) {
        const a = Math.floor(rand() * 10) - 3, b = Math.floor(rand() * 10) - 3;
        cmd = ["ZREMRANGEBYRANK", k, a, b];
        const gone = rankRange(k, a, b);
        for (const [x] of gone) get(k)!.delete(x);
        dropEmpty(k);
        expected = gone.length;
      } else if (op < 0.93) {
        const max = rand() < 0.5;
        const n = 1 + Math.floor(rand() * 3);
        cmd = [max ? "ZPOPMAX" : "ZPOPMIN", k, n];
        let all = sorted(get(k));
        if (max) all = all.reverse();
        const out = all.slice(0, n);
        for (const [x] of out) get(k)!.delete(x);
        dropEmpty(k);
        expected = out.flatMap(([x, v]) => [x, fmt(v)]);
      } else if (op < 0.97) {
        const other = pick(keys);
        const inter = rand() < 0.5;
        cmd = [inter ? "ZINTERSTORE" : "ZUNIONSTORE", "dst", 2, k, other, "WEIGHTS", 1, 2];
        const a = get(k) ?? new Map(), b = get(other) ?? new Map();
        const res = new Map<string, number>();
        if (inter) {
          for (const [x, v] of a) if (b.has(x)) res.set(x, v + b.get(x)! * 2);
        } else {
          // Inputs are added smallest first (stable), as Redis orders them.
          const srcs: [Z, number][] = [[a, 1], [b, 2]];
          srcs.sort((p, q) => p[0].size - q[0].size);
          for (const [src, w] of srcs) for (const [x, v] of src) res.set(x, (res.get(x) ?? 0) + v * w);
        }
        if (res.size) model.set("dst", res);
        else model.delete("dst");
        expected = res.size;
      } else {
        cmd = ["ZCARD", k];
        expected = get(k)?.size ?? 0;
      }
      for (const key of keys) {
        // Peak size since the key was (re)created decides its encoding: it never converts back.
        const size = get(key)?.size ?? 0;
        peak.set(key, size === 0 ? 0 : Math.max(peak.get(key) ?? 0, size));
      }
      const got = await r2.call(String(cmd[0]), ...cmd.slice(1).map(String));
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        throw new Error(`step ${step}: ${cmd.join(" ")}\n  got ${JSON.stringify(got)}\n  expected ${JSON.stringify(expected)}`);
      }
    }
    for (const k of [...keys, "dst"]) {
      const want = sorted(get(k)).flatMap(([x, v]) => [x, fmt(v)]);
      expect(await r2.zrange(k, 0, -1, "WITHSCORES")).toEqual(want);
    }
    for (const k of keys) {
      if (!get(k)) continue;
      expect(await r2.object("ENCODING", k)).toBe((peak.get(k) ?? 0) > 128 ? "skiplist" : "listpack");
    }
    expect(Math.max(...peak.values())).toBeGreaterThan(128); // the run did cross the threshold
  });

  it("gives all memory back when the sets are deleted", async () => {
    const used = async () => Number((await r2.info("memory")).match(/used_memory:(\d+)/)![1]);
    const round = async () => {
      for (let k = 0; k < 3; k++) {
        const args: (string | number)[] = [];
        for (let i = 0; i < 500; i++) args.push(i, `member:${k}:${i}`);
        await r2.zadd("mem" + k, ...args);
      }
      await r2.zunionstore("memu", 3, "mem0", "mem1", "mem2");
      await r2.zrangestore("memr", "mem1", 0, 99);
      await r2.zrange("memu", 0, -1, "WITHSCORES");
      await r2.del("mem0", "mem1", "mem2", "memu", "memr");
    };
    await round(); // scratch buffers (reply buffer, parsed scores) reach their size once
    const base = await used();
    await round();
    expect(await used()).toBe(base);
  });
});
