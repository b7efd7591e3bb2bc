// The set commands through real clients (ioredis speaks RESP3, node-redis RESP2) and raw bytes,
// the random commands checked for what Redis promises (distinct members, counts, every member
// reachable), SSCAN's guarantee over a growing hashtable, and a seeded randomized model test:
// thousands of set operations against Wedis and a plain TypeScript model (members and
// OBJECT ENCODING), compared reply by reply.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";
import { RawConn } from "../server/raw.js";
// @ts-ignore: plain JS helper shared with the golden tests (no type declarations)
import { encodeCommand } from "../golden/resp.mjs";

let s: StartedServer;
let r: Redis; // RESP3
let nr: ReturnType<typeof createClient>; // RESP2
let raw: RawConn; // RESP2, exact bytes

beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  nr = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
  nr.on("error", () => {});
  await nr.connect();
  raw = new RawConn(s.port);
  await raw.ready;
});

afterAll(async () => {
  r.disconnect();
  nr.destroy();
  raw.socket.destroy();
  await s.close();
});

beforeEach(async () => {
  await r.flushall();
  await r.call("CONFIG", "SET", "set-max-intset-entries", "512");
});

async function call(...args: (string | number)[]): Promise<unknown> {
  try {
    return await r.call(String(args[0]), ...args.slice(1).map(String));
  } catch (e) {
    return (e as Error).message;
  }
}

async function rawCall(...args: string[]): Promise<string> {
  raw.send(encodeCommand(args));
  return (await raw.replies(1))[0];
}

const sorted = (a: unknown) => [...(a as string[])].sort();
const WT = "WRONGTYPE Operation against a key holding the wrong kind of value";

describe("set commands", () => {
  it("add, test, remove through both protocols", async () => {
    expect(await nr.sAdd("s", ["b", "a", "c", "a"])).toBe(3);
    expect(await r.sadd("s", "d")).toBe(1);
    expect(sorted(await nr.sMembers("s"))).toEqual(["a", "b", "c", "d"]);
    expect(sorted(await r.smembers("s"))).toEqual(["a", "b", "c", "d"]);
    expect(await nr.sIsMember("s", "a")).toBe(1);
    expect(await r.sismember("s", "z")).toBe(0);
    expect(await r.smismember("s", "a", "z", "d")).toEqual([1, 0, 1]);
    expect(await nr.sCard("s")).toBe(4);
    expect(await nr.sRem("s", ["a", "z"])).toBe(1);
    expect(await r.srem("s", "b", "c", "d")).toBe(3);
    expect(await r.exists("s")).toBe(0);
  });

  it("replies sets in RESP3 and arrays in RESP2, integers in order", async () => {
    await r.sadd("s", 3, 1, 2);
    expect(await rawCall("SMEMBERS", "s")).toBe("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    const r3 = new RawConn(s.port);
    await r3.ready;
    r3.send(encodeCommand(["HELLO", "3"]));
    await r3.replies(1);
    const one = async (...a: string[]) => {
      r3.send(encodeCommand(a));
      return (await r3.replies(1))[0];
    };
    expect(await one("SMEMBERS", "s")).toBe("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    expect(await one("SUNION", "s", "nosuch")).toBe("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    expect(await one("SDIFF", "nosuch", "s")).toBe("~0\r\n");
    expect(await one("SINTER", "s", "nosuch")).toBe("~0\r\n");
    expect(await one("SMISMEMBER", "s", "1", "7")).toBe("*2\r\n:1\r\n:0\r\n");
    expect(await one("SRANDMEMBER", "s", "5")).toBe("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    expect(await one("SPOP", "nosuch", "2")).toBe("~0\r\n");
    expect(await one("SPOP", "s", "9")).toBe("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    expect(await one("SPOP", "s")).toBe("_\r\n");
    r3.socket.destroy();
  });

  it("WRONGTYPE on every command against a string", async () => {
    await r.set("str", "x");
    await r.sadd("s", "a");
    for (const cmd of [["SADD", "str", "a"], ["SREM", "str", "a"], ["SMEMBERS", "str"], ["SISMEMBER", "str", "a"],
      ["SMISMEMBER", "str", "a"], ["SCARD", "str"], ["SPOP", "str"], ["SPOP", "str", 2], ["SRANDMEMBER", "str"],
      ["SRANDMEMBER", "str", 2], ["SMOVE", "str", "s", "a"], ["SMOVE", "s", "str", "a"], ["SINTER", "s", "str"],
      ["SINTERCARD", 2, "nosuch", "str"], ["SINTERSTORE", "d", "str"], ["SUNION", "nosuch", "str"],
      ["SUNIONSTORE", "d", "s", "str"], ["SDIFF", "nosuch", "str"], ["SDIFFSTORE", "d", "str"], ["SSCAN", "str", 0]]) {
      expect(await call(...(cmd as (string | number)[])), JSON.stringify(cmd)).toBe(WT);
    }
    expect(await r.exists("d")).toBe(0);
  });

  it("STORE commands overwrite any type and TTL, and delete the key for an empty result", async () => {
    await r.sadd("a", "1", "2", "x");
    await r.sadd("b", "2", "x", "y");
    await r.set("d", "string");
    await r.expire("d", 100);
    expect(await r.sinterstore("d", "a", "b")).toBe(2);
    expect(await r.ttl("d")).toBe(-1);
    expect(sorted(await r.smembers("d"))).toEqual(["2", "x"]);
    expect(await r.sunionstore("d", "a", "b")).toBe(4);
    expect(await r.sdiffstore("d", "a", "b")).toBe(1);
    expect(await r.smembers("d")).toEqual(["1"]);
    expect(await call("OBJECT", "ENCODING", "d")).toBe("intset");
    expect(await r.sdiffstore("d", "a", "a")).toBe(0);
    expect(await r.exists("d")).toBe(0);
    await r.lpush("d", "l");
    expect(await r.sinterstore("d", "a", "nosuch")).toBe(0);
    expect(await r.exists("d")).toBe(0);
    // A source may be the destination.
    expect(await r.sunionstore("a", "a", "b")).toBe(4);
    expect(sorted(await r.smembers("a"))).toEqual(["1", "2", "x", "y"]);
  });

  it("SINTERCARD counts up to LIMIT; SMOVE moves between encodings", async () => {
    await r.sadd("a", ...Array.from({ length: 100 }, (_, i) => String(i)));
    await r.sadd("b", ...Array.from({ length: 100 }, (_, i) => String(i * 2)));
    expect(await call("SINTERCARD", 2, "a", "b")).toBe(50);
    expect(await call("SINTERCARD", 2, "a", "b", "LIMIT", 7)).toBe(7);
    expect(await call("SINTERCARD", 2, "a", "b", "LIMIT", 0)).toBe(50);
    expect(await call("SINTERCARD", 1, "a", "b")).toBe("ERR syntax error");
    await r.sadd("h", "x");
    expect(await r.smove("a", "h", "5")).toBe(1);
    expect(await r.smove("a", "h", "5")).toBe(0);
    expect(await r.smove("h", "new", "x")).toBe(1);
    expect(await call("OBJECT", "ENCODING", "new")).toBe("hashtable");
    expect(await r.smove("h", "new2", "5")).toBe(1);
    expect(await call("OBJECT", "ENCODING", "new2")).toBe("intset");
    expect(await r.exists("h")).toBe(0);
  });

  it("SPOP with a count: every case gives distinct members and leaves the rest", async () => {
    for (const strings of [false, true]) {
      for (const [size, count] of [[100, 10], [100, 90], [100, 99], [100, 100], [100, 150], [10, 1]]) {
        await r.del("s");
        const all = Array.from({ length: size }, (_, i) => (strings ? "m" + i : String(i)));
        await r.sadd("s", ...all);
        const popped = (await r.spop("s", count)) as string[];
        expect(popped.length).toBe(Math.min(size, count));
        expect(new Set(popped).size).toBe(popped.length);
        for (const p of popped) expect(all).toContain(p);
        const left = (await r.smembers("s")) as string[];
        expect(sorted([...left, ...popped])).toEqual(sorted(all));
        if (count < size) expect(await call("OBJECT", "ENCODING", "s")).toBe(strings ? "hashtable" : "intset");
        else expect(await r.exists("s")).toBe(0);
      }
    }
  });

  it("SPOP that keeps few members rebuilds the set from its first kept member, as Redis does", async () => {
    // Nine integers and one string, pop nine: the one left decides the encoding (the string is
    // kept one time in ten, so 300 tries see both with near certainty).
    const seen = new Set<string>();
    for (let i = 0; i < 300 && seen.size < 2; i++) {
      await r.del("s");
      await r.sadd("s", "a", ...Array.from({ length: 9 }, (_, j) => String(j)));
      await r.spop("s", 9);
      const left = (await r.smembers("s")) as string[];
      expect(left.length).toBe(1);
      const enc = await call("OBJECT", "ENCODING", "s");
      expect(enc).toBe(left[0] === "a" ? "hashtable" : "intset");
      seen.add(String(enc));
    }
    expect(seen.size).toBe(2);
  });

  it("SRANDMEMBER: distinct for positive counts, repeats for negative, every member reachable", async () => {
    for (const strings of [false, true]) {
      await r.del("s");
      const all = Array.from({ length: 60 }, (_, i) => (strings ? "m" + i : String(i)));
      await r.sadd("s", ...all);
      for (const count of [1, 5, 19, 21, 40, 59, 60, 100]) {
        const got = (await r.srandmember("s", count)) as string[];
        expect(got.length).toBe(Math.min(count, 60));
        expect(new Set(got).size).toBe(got.length);
        for (const g of got) expect(all).toContain(g);
      }
      const rep = (await r.srandmember("s", -500)) as string[];
      expect(rep.length).toBe(500);
      for (const g of rep) expect(all).toContain(g);
      const hits = new Set<string>();
      for (let i = 0; i < 40; i++) for (const g of (await r.srandmember("s", -50)) as string[]) hits.add(g);
      expect(hits.size).toBe(60);
      expect(await r.scard("s")).toBe(60);
    }
  });

  it("SSCAN returns every member present for the whole scan, while the table grows", async () => {
    const base = Array.from({ length: 2000 }, (_, i) => "m" + i);
    await r.sadd("s", ...base);
    const got = new Set<string>();
    let cursor = "0";
    let added = 0;
    do {
      const [next, items] = (await r.sscan("s", cursor, "COUNT", 37)) as [string, string[]];
      for (const it of items) got.add(it);
      cursor = next;
      if (added < 3000) {
        await r.sadd("s", ...Array.from({ length: 300 }, (_, i) => "extra" + (added + i)));
        added += 300;
      }
    } while (cursor !== "0");
    for (const m of base) expect(got.has(m)).toBe(true);
    // MATCH filters; an intset comes back whole with cursor 0.
    const [c1, m1] = (await r.sscan("s", 0, "MATCH", "m1??", "COUNT", 100000)) as [string, string[]];
    expect(c1).toBe("0");
    expect(sorted(m1)).toEqual(sorted(base.filter((m) => /^m1..$/.test(m))));
    await r.sadd("i", 5, 15, 25);
    expect(await r.sscan("i", 123, "MATCH", "*5")).toEqual(["0", ["5", "15", "25"]]);
  });

  it("big members and many members, COPY, and DEL back to the memory it started with", async () => {
    const usedMemory = async () => Number(((await call("INFO", "memory")) as string).match(/used_memory:(\d+)/)![1]);
    const big = "y".repeat(200000);
    const round = async () => {
      await r.sadd("s", big, big + "z", "1");
      expect(await r.sismember("s", big + "z")).toBe(1);
      for (let i = 0; i < 20000; i += 2000) await r.sadd("m", ...Array.from({ length: 2000 }, (_, j) => "e" + (i + j)));
      expect(await r.scard("m")).toBe(20000);
      await r.copy("m", "m2");
      await r.spop("m2", 15000);
      expect(await r.scard("m")).toBe(20000);
      expect(await r.scard("m2")).toBe(5000);
      expect(await r.sdiffstore("d", "m", "m2")).toBe(15000);
      await r.del("s", "m", "m2", "d");
    };
    await round();
    const before = await usedMemory();
    await round();
    expect(await usedMemory()).toBe(before);
  });
});

// ---- randomized model test --------------------------------------------------------------------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Redis's strict integer test (string2ll). */
function isInt(m: string): boolean {
  if (!/^(0|-?[1-9][0-9]*)$/.test(m)) return false;
  const v = BigInt(m);
  return v >= -(2n ** 63n) && v < 2n ** 63n;
}

interface MSet {
  members: Set<string>;
  ht: boolean;
}

class Model {
  keys = new Map<string, MSet | string>();
  constructor(public maxIntset: number) {}

  set(k: string): MSet | undefined | "wrong" {
    const v = this.keys.get(k);
    if (v === undefined) return undefined;
    return typeof v === "string" ? "wrong" : v;
  }

  add(s: MSet, m: string): boolean {
    if (s.members.has(m)) return false;
    s.members.add(m);
    if (!s.ht && (!isInt(m) || s.members.size > this.maxIntset)) s.ht = true;
    return true;
  }

  /** A set built the way SUNIONSTORE/SINTERSTORE build it: empty intset, then adds. */
  built(members: Iterable<string>): MSet {
    const s: MSet = { members: new Set(), ht: false };
    for (const m of members) this.add(s, m);
    return s;
  }

  store(dst: string, s: MSet): number {
    if (s.members.size === 0) this.keys.delete(dst);
    else this.keys.set(dst, s);
    return s.members.size;
  }
}

const sortedKey = (a: string[]) => [...a].sort();

describe("randomized model test", () => {
  for (const [seed, maxIntset] of [[1, 512], [2, 6], [3, 2], [4, 20]] as [number, number][]) {
    it(`seed ${seed}, set-max-intset-entries ${maxIntset}`, async () => {
      await r.call("CONFIG", "SET", "set-max-intset-entries", String(maxIntset));
      const rand = rng(seed);
      const pick = (n: number) => Math.floor(rand() * n);
      const keys = ["a", "b", "c", "d"];
      const key = () => (pick(20) === 0 ? "str" : keys[pick(keys.length)]);
      const val = (): string => {
        const t = pick(12);
        if (t < 5) return String(pick(30) - 10);
        if (t < 6) return String(2 ** 40 + pick(4));
        if (t < 9) return "v" + pick(12);
        if (t < 10) return ["01", "-0", "+1", " 2", "9223372036854775808", "-9223372036854775808"][pick(6)];
        if (t < 11) return "w".repeat(pick(300));
        return "";
      };
      const vals = () => Array.from({ length: 1 + pick(5) }, val);
      const keyList = () => Array.from({ length: 1 + pick(3) }, key);
      const m = new Model(maxIntset);
      await r.set("str", "x");
      m.keys.set("str", "x");
      const ops = 2500;
      for (let i = 0; i < ops; i++) {
        const where = (c: unknown[]) => `step ${i}: ${JSON.stringify(c)}`;
        const op = pick(18);
        if (op <= 2) {
          const k = key();
          const ms = vals();
          const c = ["SADD", k, ...ms];
          const got = await call(...c);
          let s = m.set(k);
          if (s === "wrong") expect(got, where(c)).toBe(WT);
          else {
            if (!s) {
              s = { members: new Set(), ht: !isInt(ms[0]) };
              m.keys.set(k, s);
            }
            let n = 0;
            for (const x of ms) if (m.add(s, x)) n++;
            expect(got, where(c)).toBe(n);
          }
        } else if (op === 3) {
          const k = key();
          const c = ["SREM", k, ...vals()];
          const got = await call(...c);
          const s = m.set(k);
          if (s === "wrong") expect(got, where(c)).toBe(WT);
          else {
            let n = 0;
            for (const x of c.slice(2)) if (s && s.members.delete(x)) n++;
            if (s && s.members.size === 0) m.keys.delete(k);
            expect(got, where(c)).toBe(n);
          }
        } else if (op === 4) {
          const k = key();
          const x = val();
          const c = pick(2) ? ["SISMEMBER", k, x] : ["SMISMEMBER", k, x, val()];
          const got = await call(...c);
          const s = m.set(k);
          if (s === "wrong") expect(got, where(c)).toBe(WT);
          else {
            const has = (y: string) => (s && s.members.has(y) ? 1 : 0);
            expect(got, where(c)).toEqual(c[0] === "SISMEMBER" ? has(x) : c.slice(2).map(has));
          }
        } else if (op === 5) {
          const k = key();
          const c = pick(2) ? ["SCARD", k] : ["SMEMBERS", k];
          const got = await call(...c);
          const s = m.set(k);
          if (s === "wrong") expect(got, where(c)).toBe(WT);
          else if (c[0] === "SCARD") expect(got, where(c)).toBe(s ? s.members.size : 0);
          else expect(sortedKey(got as string[]), where(c)).toEqual(sortedKey(s ? [...s.members] : []));
        } else if (op === 6) {
          const [src, dst, x] = [key(), key(), val()];
          const c = ["SMOVE", src, dst, x];
          const got = await call(...c);
          const ss = m.set(src);
          const ds = m.set(dst);
          if (!ss) expect(got, where(c)).toBe(0);
          else if (ss === "wrong" || ds === "wrong") expect(got, where(c)).toBe(WT);
          else if (ss === ds) expect(got, where(c)).toBe(ss.members.has(x) ? 1 : 0);
          else if (!ss.members.delete(x)) expect(got, where(c)).toBe(0);
          else {
            if (ss.members.size === 0) m.keys.delete(src);
            let d = ds;
            if (!d) {
              d = { members: new Set(), ht: !isInt(x) };
              m.keys.set(dst, d);
            }
            m.add(d, x);
            expect(got, where(c)).toBe(1);
          }
        } else if (op <= 10) {
          // SINTER / SUNION / SDIFF, plain or stored, and SINTERCARD.
          const kind = ["SINTER", "SUNION", "SDIFF", "SINTERCARD"][pick(4)];
          const store = kind !== "SINTERCARD" && pick(2) === 1;
          const ks = keyList();
          const dst = key();
          const limit = pick(3) === 0 ? pick(4) : -1;
          const c =
            kind === "SINTERCARD"
              ? ["SINTERCARD", ks.length, ...ks, ...(limit >= 0 ? ["LIMIT", limit] : [])]
              : store
                ? [kind + "STORE", dst, ...ks]
                : [kind, ...ks];
          const got = await call(...c);
          const sets = ks.map((k) => m.set(k));
          if (sets.includes("wrong")) {
            expect(got, where(c)).toBe(WT);
            continue;
          }
          const ms = sets.map((x) => (x ? (x as MSet).members : new Set<string>()));
          let result: string[];
          let built: MSet;
          if (kind === "SUNION") {
            result = [...new Set(ms.flatMap((x) => [...x]))];
            built = m.built(result);
          } else if (kind === "SINTER" || kind === "SINTERCARD") {
            result = [...ms[0]].filter((x) => ms.every((y) => y.has(x)));
            built = m.built(result);
          } else {
            result = [...ms[0]].filter((x) => ms.slice(1).every((y) => !y.has(x)));
            // Redis's choice of algorithm decides whether the result went through a big or
            // non-integer state on the way (then it is a hashtable).
            const present = sets.filter((x) => x);
            const s0 = sets[0] as MSet | undefined;
            const sameset = s0 !== undefined && sets.slice(1).some((x) => x === s0);
            built = m.built(result);
            if (s0 && !sameset) {
              const work1 = Math.floor((s0.members.size * present.length) / 2);
              const work2 = present.reduce((a, x) => a + (x as MSet).members.size, 0);
              if (work1 > work2) {
                const all = m.built(s0.members);
                built.ht ||= all.ht;
              }
            } else result = [];
            if (sameset) built = m.built([]);
          }
          if (kind === "SINTERCARD") {
            expect(got, where(c)).toBe(limit > 0 ? Math.min(limit, result.length) : result.length);
          } else if (store) {
            expect(got, where(c)).toBe(m.store(dst, built));
            const enc = await call("OBJECT", "ENCODING", dst);
            expect(enc, where(c)).toBe(result.length === 0 ? null : built.ht ? "hashtable" : "intset");
          } else expect(sortedKey(got as string[]), where(c)).toEqual(sortedKey(result));
        } else if (op <= 12) {
          const k = key();
          const withCount = pick(3) > 0;
          const count = pick(12);
          const c = withCount ? ["SPOP", k, count] : ["SPOP", k];
          const got = await call(...c);
          const s = m.set(k);
          if (s === "wrong") {
            expect(got, where(c)).toBe(WT);
            continue;
          }
          if (!withCount) {
            if (!s) expect(got, where(c)).toBe(null);
            else {
              expect(s.members.has(got as string), where(c)).toBe(true);
              s.members.delete(got as string);
              if (s.members.size === 0) m.keys.delete(k);
            }
            continue;
          }
          const popped = got as string[];
          const size = s ? s.members.size : 0;
          expect(popped.length, where(c)).toBe(Math.min(count, size));
          expect(new Set(popped).size, where(c)).toBe(popped.length);
          if (!s) continue;
          for (const p of popped) {
            expect(s.members.has(p), where(c)).toBe(true);
            s.members.delete(p);
          }
          const remaining = size - count;
          if (remaining <= 0) m.keys.delete(k);
          else if (remaining * 5 <= count) {
            // Rebuilt from the members kept.
            const kept = m.built(s.members);
            s.ht = kept.ht;
          }
        } else if (op === 13) {
          const k = key();
          const count = pick(30) - 15;
          const c = pick(4) === 0 ? ["SRANDMEMBER", k] : ["SRANDMEMBER", k, count];
          const got = await call(...c);
          const s = m.set(k);
          if (s === "wrong") {
            expect(got, where(c)).toBe(WT);
            continue;
          }
          if (c.length === 2) {
            expect(got === null ? !s : s && s.members.has(got as string), where(c)).toBe(true);
            continue;
          }
          const list = got as string[];
          const size = s ? s.members.size : 0;
          expect(list.length, where(c)).toBe(size === 0 ? 0 : count >= 0 ? Math.min(count, size) : -count);
          if (count > 0) expect(new Set(list).size, where(c)).toBe(list.length);
          for (const x of list) expect(s && s.members.has(x), where(c)).toBe(true);
        } else if (op === 14) {
          const k = key();
          const pat = ["*", "v*", "1*", "-?", "*w"][pick(5)];
          const s = m.set(k);
          const seen = new Set<string>();
          let cursor = "0";
          let rounds = 0;
          do {
            const got = await call("SSCAN", k, cursor, "MATCH", pat, "COUNT", 1 + pick(5));
            if (s === "wrong") {
              expect(got, where(["SSCAN", k])).toBe(WT);
              break;
            }
            const [next, items] = got as [string, string[]];
            for (const x of items) seen.add(x);
            cursor = next;
          } while (cursor !== "0" && ++rounds < 1000);
          if (s !== "wrong") {
            const re = new RegExp("^" + pat.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "s");
            const want = s ? [...s.members].filter((x) => re.test(x)) : [];
            expect(sortedKey([...seen]), where(["SSCAN", k, pat])).toEqual(sortedKey(want));
          }
        } else if (op === 15) {
          const k = keys[pick(keys.length)];
          const got = await call("OBJECT", "ENCODING", k);
          const s = m.set(k) as MSet | undefined;
          expect(got, where(["OBJECT", "ENCODING", k])).toBe(!s ? null : s.ht ? "hashtable" : "intset");
        } else if (op === 16) {
          const [src, dst] = [keys[pick(keys.length)], keys[pick(keys.length)]];
          const c = ["COPY", src, dst, "REPLACE"];
          const got = await call(...c);
          const ss = m.set(src) as MSet | undefined;
          if (src === dst) expect(got, where(c)).toBe("ERR source and destination objects are the same");
          else if (!ss) expect(got, where(c)).toBe(0);
          else {
            m.keys.set(dst, { members: new Set(ss.members), ht: ss.ht });
            expect(got, where(c)).toBe(1);
          }
        } else {
          const k = keys[pick(keys.length)];
          await call("DEL", k);
          m.keys.delete(k);
        }
      }
      for (const k of keys) {
        const s = m.set(k) as MSet | undefined;
        expect(sortedKey((await r.smembers(k)) as string[])).toEqual(sortedKey(s ? [...s.members] : []));
      }
    }, 60000);
  }
});
