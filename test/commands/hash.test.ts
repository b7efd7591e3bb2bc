// The hash commands through real clients (ioredis speaks RESP3, node-redis RESP2), and a seeded
// randomized model test: thousands of hash operations against Wedis and a plain TypeScript model
// that also predicts the encoding (listpack order is insertion order, so ordered replies are
// compared exactly while the hash is a listpack, as sets once it is a hashtable).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";

let s: StartedServer;
let r: Redis; // RESP3
let nr: ReturnType<typeof createClient>; // RESP2
let r2: Redis; // RESP2, raw replies (node-redis turns HGETALL into an object, losing field order)

beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  r2 = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false, protocol: 2 });
  await r2.connect();
  nr = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
  nr.on("error", () => {});
  await nr.connect();
});

afterAll(async () => {
  r.disconnect();
  r2.disconnect();
  nr.destroy();
  await s.close();
});

beforeEach(async () => {
  await r.flushall();
  await r.call("CONFIG", "SET", "hash-max-listpack-entries", "512");
  await r.call("CONFIG", "SET", "hash-max-listpack-value", "64");
});

/** A RESP2 command; errors come back as their message. */
async function call2(...args: (string | number)[]): Promise<unknown> {
  try {
    return await r2.call(String(args[0]), ...args.slice(1).map(String));
  } catch (e) {
    return (e as Error).message;
  }
}

async function call3(...args: (string | number)[]): Promise<unknown> {
  try {
    return await r.call(String(args[0]), ...args.slice(1).map(String));
  } catch (e) {
    return (e as Error).message;
  }
}

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

describe("hash commands", () => {
  it("set, get and list through both protocols", async () => {
    expect(await nr.hSet("h", { a: "1", b: "two", c: "3" })).toBe(3);
    expect(await r.hset("h", "d", "4")).toBe(1);
    expect(await nr.hGet("h", "b")).toBe("two");
    expect(await r.hget("h", "nope")).toBe(null);
    expect(await nr.hGetAll("h")).toEqual({ a: "1", b: "two", c: "3", d: "4" });
    expect(await r.hgetall("h")).toEqual({ a: "1", b: "two", c: "3", d: "4" });
    expect(await nr.hKeys("h")).toEqual(["a", "b", "c", "d"]);
    expect(await r.hvals("h")).toEqual(["1", "two", "3", "4"]);
    expect(await r.hmget("h", "a", "x", "d")).toEqual(["1", null, "4"]);
    expect(await nr.hLen("h")).toBe(4);
    expect(await r.hstrlen("h", "b")).toBe(3);
    expect(await nr.hExists("h", "c")).toBe(1);
    expect(await r.hexists("h", "z")).toBe(0);
    expect(await r.hdel("h", "a", "b", "zz")).toBe(2);
    expect(await nr.hSetNX("h", "c", "x")).toBe(0);
    expect(await nr.hSetNX("h", "e", "x")).toBe(1);
    expect(await r.hmset("h", { f: "6" })).toBe("OK");
    expect(await r.hincrby("h", "c", 10)).toBe(13);
    expect(await nr.hIncrByFloat("h", "c", 0.5)).toBe("13.5");
    expect(await r.type("h")).toBe("hash");
    expect(await r.object("ENCODING", "h")).toBe("listpack");
  });

  it("RESP3 shapes: HGETALL is a map, HRANDFIELD WITHVALUES an array of pairs", async () => {
    await r.hset("h", "a", "1", "b", "2");
    // ioredis's default "legacy" mapping flattens the RESP3 map; the raw bytes are checked by
    // the golden transcript hash-resp3.
    expect(await call3("HGETALL", "h")).toEqual(["a", "1", "b", "2"]);
    expect(await call2("HGETALL", "h")).toEqual(["a", "1", "b", "2"]);
    expect(await call3("HRANDFIELD", "h", 5, "WITHVALUES")).toEqual([["a", "1"], ["b", "2"]]);
    expect(await call2("HRANDFIELD", "h", 5, "WITHVALUES")).toEqual(["a", "1", "b", "2"]);
    const neg = (await call3("HRANDFIELD", "h", -3, "WITHVALUES")) as string[][];
    expect(neg.length).toBe(3);
    for (const [f, v] of neg) expect({ a: "1", b: "2" }[f as "a" | "b"]).toBe(v);
    expect(await call3("HRANDFIELD", "nokey", 3, "WITHVALUES")).toEqual([]);
    expect(await call3("HRANDFIELD", "nokey")).toBe(null);
    expect(await call3("HSCAN", "h", 0)).toEqual(["0", ["a", "1", "b", "2"]]);
  });

  it("WRONGTYPE on every command against a string", async () => {
    await r.set("s", "x");
    for (const cmd of [["HSET", "s", "a", "b"], ["HSETNX", "s", "a", "b"], ["HMSET", "s", "a", "b"], ["HGET", "s", "a"],
      ["HMGET", "s", "a"], ["HDEL", "s", "a"], ["HLEN", "s"], ["HSTRLEN", "s", "a"], ["HEXISTS", "s", "a"], ["HKEYS", "s"],
      ["HVALS", "s"], ["HGETALL", "s"], ["HINCRBY", "s", "a", 1], ["HINCRBYFLOAT", "s", "a", 1], ["HRANDFIELD", "s"],
      ["HRANDFIELD", "s", 2], ["HSCAN", "s", 0]]) {
      expect(await call2(...cmd)).toBe(WRONGTYPE);
    }
    expect(await r.get("s")).toBe("x");
  });

  it("errors: arity, integers, floats, overflow", async () => {
    expect(await call2("HSET", "h", "a")).toBe("ERR wrong number of arguments for 'hset' command");
    expect(await call2("HSET", "h", "a", "1", "b")).toBe("ERR wrong number of arguments for 'hset' command");
    expect(await call2("HMSET", "h", "a", "1", "b")).toBe("ERR wrong number of arguments for 'hmset' command");
    expect(await r.exists("h")).toBe(0);
    await r.hset("h", "s", "abc", "n", "9223372036854775800");
    expect(await call2("HINCRBY", "h", "s", 1)).toBe("ERR hash value is not an integer");
    expect(await call2("HINCRBY", "h", "n", "x")).toBe("ERR value is not an integer or out of range");
    expect(await call2("HINCRBY", "h", "n", 8)).toBe("ERR increment or decrement would overflow");
    expect(await call2("HINCRBY", "h", "n", 7)).toBe(9223372036854775807);
    expect(await call2("HINCRBYFLOAT", "h", "s", 1)).toBe("ERR hash value is not a float");
    expect(await call2("HINCRBYFLOAT", "h", "n", "abc")).toBe("ERR value is not a valid float");
    expect(await call2("HINCRBYFLOAT", "h", "n", "inf")).toBe("ERR value is NaN or Infinity");
    await r.hset("h", "big", "1e4932");
    expect(await call2("HINCRBYFLOAT", "h", "big", "1e4932")).toBe("ERR increment would produce NaN or Infinity");
    expect(await call2("HRANDFIELD", "h", "x")).toBe("ERR value is not an integer or out of range");
    expect(await call2("HRANDFIELD", "h", 1, "WITHVALUE")).toBe("ERR syntax error");
    expect(await call2("HSCAN", "h", "x")).toBe("ERR invalid cursor");
    expect(await call2("HSCAN", "h", 0, "COUNT", 0)).toBe("ERR syntax error");
  });

  it("HSCAN walks a hashtable hash to the end with MATCH and COUNT", async () => {
    const args: string[] = [];
    for (let i = 0; i < 2000; i++) args.push(`f${i}`, `v${i}`);
    await r.hset("h", ...args);
    expect(await r.object("ENCODING", "h")).toBe("hashtable");
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, items] = await r.hscan("h", cursor, "MATCH", "f1*", "COUNT", 100);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
    } while (cursor !== "0");
    expect(calls).toBeGreaterThan(5);
    const want = new Map<string, string>();
    for (let i = 0; i < 2000; i++) if (String(i).startsWith("1")) want.set(`f${i}`, `v${i}`);
    expect(seen).toEqual(want);
  });
});

// ---- the model ---------------------------------------------------------------------------------

/** Seeded PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface MHash {
  m: Map<string, string>;
  ht: boolean;
}

const INT_RE = /^(0|-?[1-9][0-9]*)$/;

function isStrictInt(s: string): boolean {
  if (!INT_RE.test(s) || s.length > 20) return false;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n;
}

describe("randomized model test", () => {
  for (const [seed, entries, value] of [
    [1, 512, 64],
    [2, 6, 10],
    [3, 20, 30],
  ] as const) {
    it(`seed ${seed}, hash-max-listpack-entries ${entries}, hash-max-listpack-value ${value}`, { timeout: 60_000 }, async () => {
      await r.call("CONFIG", "SET", "hash-max-listpack-entries", String(entries));
      await r.call("CONFIG", "SET", "hash-max-listpack-value", String(value));
      const rand = rng(seed);
      const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
      const keys = ["h0", "h1", "h2", "str"];
      await r.set("str", "x");
      const model = new Map<string, MHash>();
      const fieldPool = ["a", "b", "c", "", "0", "1", "-1", "01", "123", "x y", "long-field-name-" + "z".repeat(12)];
      const field = () => (rand() < 0.5 ? pick(fieldPool) : `f${Math.floor(rand() * (entries + 8))}`);
      const val = () => {
        const x = rand();
        if (x < 0.3) return String(Math.floor(rand() * 200) - 100);
        if (x < 0.4) return (rand() * 100 - 50).toFixed(Math.floor(rand() * 4));
        if (x < 0.9) return "v".repeat(Math.floor(rand() * 8));
        return "w".repeat(Math.floor(rand() * (value + 10)));
      };
      const store = (h: MHash, f: string, v: string) => {
        if (f.length > value || v.length > value) h.ht = true;
        h.m.set(f, v);
        if (h.m.size > entries) h.ht = true;
      };
      const get = (k: string, create: boolean): MHash | undefined | "wrong" => {
        if (k === "str") return "wrong";
        let h = model.get(k);
        if (!h && create) {
          h = { m: new Map(), ht: false };
          model.set(k, h);
        }
        return h;
      };
      const dropIfEmpty = (k: string) => {
        if (model.get(k)?.m.size === 0) model.delete(k);
      };
      /** Replies that depend on order: exact for a listpack, sorted for a hashtable. */
      const ordered = (h: MHash | undefined, got: unknown, want: string[]) => {
        if (h?.ht) expect([...(got as string[])].sort()).toEqual([...want].sort());
        else expect(got).toEqual(want);
      };

      for (let step = 0; step < 3000; step++) {
        const k = pick(keys);
        const op = Math.floor(rand() * 14);
        const ctx = `step ${step} op ${op} key ${k}`;
        switch (op) {
          case 0:
          case 1: {
            const n = 1 + Math.floor(rand() * 3);
            const args: string[] = [];
            for (let i = 0; i < n; i++) args.push(field(), val());
            const got = await call2(op === 0 ? "HSET" : "HMSET", k, ...args);
            const h = get(k, true);
            if (h === "wrong") {
              expect(got, ctx).toBe(WRONGTYPE);
              break;
            }
            let added = 0;
            for (let i = 0; i < args.length; i += 2) {
              if (!h!.m.has(args[i])) added++;
              store(h!, args[i], args[i + 1]);
            }
            expect(got, ctx).toBe(op === 0 ? added : "OK");
            break;
          }
          case 2: {
            const f = field();
            const v = val();
            const got = await call2("HSETNX", k, f, v);
            const h = get(k, true);
            if (h === "wrong") {
              expect(got, ctx).toBe(WRONGTYPE);
              break;
            }
            if (h!.m.has(f)) expect(got, ctx).toBe(0);
            else {
              store(h!, f, v);
              expect(got, ctx).toBe(1);
            }
            break;
          }
          case 3: {
            const fs = [field(), field(), field()].slice(0, 1 + Math.floor(rand() * 3));
            const got = await call2("HDEL", k, ...fs);
            const h = get(k, false);
            if (h === "wrong") {
              expect(got, ctx).toBe(WRONGTYPE);
              break;
            }
            let n = 0;
            if (h) for (const f of fs) if (h.m.delete(f)) n++;
            dropIfEmpty(k);
            expect(got, ctx).toBe(n);
            break;
          }
          case 4: {
            const f = field();
            const by = Math.floor(rand() * 21) - 10;
            const got = await call2("HINCRBY", k, f, by);
            const h = get(k, true);
            if (h === "wrong") {
              expect(got, ctx).toBe(WRONGTYPE);
              break;
            }
            const cur = h!.m.get(f);
            if (cur !== undefined && !isStrictInt(cur)) {
              expect(got, ctx).toBe("ERR hash value is not an integer");
            } else {
              const nv = String(BigInt(cur ?? "0") + BigInt(by));
              store(h!, f, nv);
              expect(got, ctx).toBe(Number(nv));
            }
            dropIfEmpty(k);
            break;
          }
          case 5: {
            // Integral increments on integral values: exact in any float arithmetic.
            const f = field();
            const by = Math.floor(rand() * 21) - 10;
            const got = await call2("HINCRBYFLOAT", k, f, by);
            const h = get(k, true);
            if (h === "wrong") {
              expect(got, ctx).toBe(WRONGTYPE);
              break;
            }
            const cur = h!.m.get(f);
            const curNum = cur === undefined ? 0 : /^-?[0-9]+(\.[0-9]+)?$/.test(cur) ? Number(cur) : NaN;
            if (Number.isNaN(curNum)) {
              expect(got, ctx).toBe("ERR hash value is not a float");
            } else if (!Number.isInteger(curNum)) {
              // a fractional value: just check the sum is close, then take Wedis's text
              expect(Math.abs(Number(got) - (curNum + by)), ctx).toBeLessThan(1e-9);
              store(h!, f, String(got));
            } else {
              const nv = String(curNum + by);
              expect(got, ctx).toBe(nv);
              store(h!, f, nv);
            }
            dropIfEmpty(k);
            break;
          }
          case 6: {
            const f = field();
            const got = await call2("HGET", k, f);
            const h = get(k, false);
            expect(got, ctx).toBe(h === "wrong" ? WRONGTYPE : (h?.m.get(f) ?? null));
            break;
          }
          case 7: {
            const fs = [field(), field(), field()];
            const got = await call2("HMGET", k, ...fs);
            const h = get(k, false);
            expect(got, ctx).toEqual(h === "wrong" ? WRONGTYPE : fs.map((f) => h?.m.get(f) ?? null));
            break;
          }
          case 8: {
            const f = field();
            const h = get(k, false);
            const l = await call2("HLEN", k);
            const sl = await call2("HSTRLEN", k, f);
            const ex = await call2("HEXISTS", k, f);
            if (h === "wrong") {
              expect([l, sl, ex], ctx).toEqual([WRONGTYPE, WRONGTYPE, WRONGTYPE]);
            } else {
              expect(l, ctx).toBe(h?.m.size ?? 0);
              expect(sl, ctx).toBe(h?.m.get(f)?.length ?? 0);
              expect(ex, ctx).toBe(h?.m.has(f) ? 1 : 0);
            }
            break;
          }
          case 9:
          case 10: {
            const h = get(k, false);
            const cmd = pick(["HGETALL", "HKEYS", "HVALS"]);
            const got = await call2(cmd, k);
            if (h === "wrong") {
              expect(got, ctx).toBe(WRONGTYPE);
              break;
            }
            const entries = [...(h?.m ?? new Map<string, string>())];
            if (cmd === "HKEYS") ordered(h, got, entries.map((e) => e[0]));
            else if (cmd === "HVALS") ordered(h, got, entries.map((e) => e[1]));
            else if (h?.ht) {
              const a = got as string[];
              const m = new Map<string, string>();
              for (let i = 0; i < a.length; i += 2) m.set(a[i], a[i + 1]);
              expect(m, ctx).toEqual(h.m);
            } else expect(got, ctx).toEqual(entries.flat());
            break;
          }
          case 11: {
            const h = get(k, false);
            if (h === "wrong") break;
            const n = Math.floor(rand() * 12) - 4;
            const got = (await call2("HRANDFIELD", k, n, "WITHVALUES")) as string[];
            const size = h?.m.size ?? 0;
            const want = n >= 0 ? Math.min(n, size) : size === 0 ? 0 : -n;
            expect(got.length, ctx).toBe(want * 2);
            for (let i = 0; i < got.length; i += 2) expect(h!.m.get(got[i]), ctx).toBe(got[i + 1]);
            if (n > 0) expect(new Set(got.filter((_, i) => i % 2 === 0)).size, ctx).toBe(want);
            if (n >= size && !h?.ht) expect(got, ctx).toEqual([...(h?.m ?? [])].flat());
            break;
          }
          case 12: {
            const h = get(k, false);
            if (h === "wrong") break;
            const got = (await call2("HSCAN", k, 0, "COUNT", 1000)) as [string, string[]];
            if (!h || !h.ht) expect(got, ctx).toEqual(["0", [...(h?.m ?? [])].flat()]);
            else {
              const m = new Map<string, string>();
              for (let i = 0; i < got[1].length; i += 2) m.set(got[1][i], got[1][i + 1]);
              expect(m, ctx).toEqual(h.m);
            }
            break;
          }
          case 13: {
            const h = get(k, false);
            const got = await call2("OBJECT", "ENCODING", k);
            if (h === "wrong") expect(got, ctx).toBe("embstr");
            else expect(got, ctx).toBe(h ? (h.ht ? "hashtable" : "listpack") : null);
            break;
          }
        }
      }
      // The keyspace agrees at the end too.
      for (const k of ["h0", "h1", "h2"]) {
        const h = model.get(k);
        expect(await r.exists(k)).toBe(h ? 1 : 0);
        if (h) expect(new Map(Object.entries(await nr.hGetAll(k)))).toEqual(h.m);
      }
    });
  }
});
