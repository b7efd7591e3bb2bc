// The list commands through real clients (ioredis speaks RESP3, node-redis RESP2), and a seeded
// randomized model test: thousands of list operations against Wedis and a plain TypeScript model,
// compared reply by reply, under several list-max-listpack-size settings so that node splits,
// node removal and cross-node walks are all exercised.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";

let s: StartedServer;
let r: Redis; // RESP3
let nr: ReturnType<typeof createClient>; // RESP2

beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  nr = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
  nr.on("error", () => {});
  await nr.connect();
});

afterAll(async () => {
  r.disconnect();
  nr.destroy();
  await s.close();
});

beforeEach(async () => {
  await r.flushall();
  await r.call("CONFIG", "SET", "list-max-listpack-size", "-2");
});

async function call(...args: (string | number)[]): Promise<unknown> {
  try {
    return await r.call(String(args[0]), ...args.slice(1).map(String));
  } catch (e) {
    return (e as Error).message;
  }
}

describe("list commands", () => {
  it("push, range, pop through both protocols", async () => {
    expect(await nr.rPush("l", ["a", "b", "c"])).toBe(3);
    expect(await nr.lPush("l", "z")).toBe(4);
    expect(await nr.lRange("l", 0, -1)).toEqual(["z", "a", "b", "c"]);
    expect(await r.lpop("l", 2)).toEqual(["z", "a"]);
    expect(await nr.rPop("l")).toBe("c");
    expect(await call("RPOP", "nokey", 1)).toBe(null);
    expect(await nr.sendCommand(["RPOP", "nokey", "1"])).toBe(null);
    expect(await call("OBJECT", "ENCODING", "l")).toBe("quicklist");
    expect(await call("LPOP", "l")).toBe("b");
    expect(await call("EXISTS", "l")).toBe(0);
  });

  it("WRONGTYPE on every command against a string", async () => {
    await r.set("s", "x");
    const wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
    for (const cmd of [["LPUSH", "s", "a"], ["RPUSHX", "s", "a"], ["LPOP", "s"], ["LLEN", "s"], ["LRANGE", "s", 0, 1],
      ["LINDEX", "s", 0], ["LSET", "s", 0, "a"], ["LINSERT", "s", "BEFORE", "a", "b"], ["LREM", "s", 0, "a"],
      ["LTRIM", "s", 0, 1], ["LPOS", "s", "a"], ["LMOVE", "s", "d", "LEFT", "LEFT"], ["LMPOP", 1, "s", "LEFT"]]) {
      expect(await call(...(cmd as (string | number)[]))).toBe(wt);
    }
  });

  const usedMemory = async () => Number(((await call("INFO", "memory")) as string).match(/used_memory:(\d+)/)![1]);

  it("big elements and many elements survive (multi-node lists, COPY, MEMORY USAGE, DEL back to empty)", async () => {
    // Two rounds: the first grows the engine's argument and reply buffers (counted in
    // used_memory); the second must then end exactly where it started.
    const big = "x".repeat(100000);
    const vals = Array.from({ length: 20000 }, (_, i) => (i % 3 === 0 ? String(i) : "v" + i));
    const round = async () => {
      await r.rpush("l", big, "small", big + "y");
      expect(await r.lindex("l", 2)).toBe(big + "y");
      await r.lset("l", 1, big + "z");
      expect(await r.lrange("l", 0, -1)).toEqual([big, big + "z", big + "y"]);
      for (let i = 0; i < vals.length; i += 1000) await r.rpush("m", ...vals.slice(i, i + 1000));
      expect(await r.llen("m")).toBe(20000);
      expect(await r.lrange("m", 9990, 10010)).toEqual(vals.slice(9990, 10011));
      expect(await r.lindex("m", -12345)).toBe(vals[20000 - 12345]);
      expect(Number(await call("MEMORY", "USAGE", "m"))).toBeGreaterThan(20000 * 4);
      expect(Number(await call("MEMORY", "USAGE", "m"))).toBeLessThan(20000 * 12);
      await r.copy("m", "m2");
      expect(await r.lrange("m2", -3, -1)).toEqual(vals.slice(-3));
      await r.lpop("m2", 10000);
      expect(await r.lrange("m", 0, -1)).toEqual(vals);
      await r.del("l", "m", "m2");
    };
    await round();
    const before = await usedMemory();
    await round();
    expect(await usedMemory()).toBe(before);
  });

  it("RPUSH of 100k short strings costs what the listpack entries cost, no more than Redis", async () => {
    // Redis 7.0.15 answers 15.26 bytes per element for exactly these values (used_memory delta).
    const n = 100000;
    const batch = (i: number) => Array.from({ length: 5000 }, (_, j) => "element:" + (i + j));
    await r.rpush("warm", ...batch(0));
    await r.del("warm");
    const before = await usedMemory();
    let entryBytes = 0;
    for (let i = 0; i < n; i += 5000) {
      const b = batch(i);
      for (const v of b) entryBytes += v.length + 2;
      await r.rpush("big", ...b);
    }
    const perElement = ((await usedMemory()) - before) / n;
    expect(perElement).toBeLessThan(15.26);
    expect(perElement).toBeLessThan(entryBytes / n + 0.3);
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
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Reply = string | number | null | Reply[];

/** Redis's list semantics on plain arrays; a missing key is an absent entry. */
class Model {
  keys = new Map<string, string[]>();
  private norm(len: number, start: number, end: number): [number, number] | null {
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return null;
    if (end >= len) end = len - 1;
    return [start, end];
  }
  private drop(k: string) {
    if (this.keys.get(k)?.length === 0) this.keys.delete(k);
  }
  run(c: (string | number)[]): Reply {
    const [cmd, k] = [c[0] as string, c[1] as string];
    const l = this.keys.get(k);
    switch (cmd) {
      case "LPUSH": case "RPUSH": case "LPUSHX": case "RPUSHX": {
        if (!l && cmd.endsWith("X")) return 0;
        const list = l ?? [];
        for (const v of c.slice(2) as string[]) cmd[0] === "L" ? list.unshift(v) : list.push(v);
        this.keys.set(k, list);
        return list.length;
      }
      case "LPOP": case "RPOP": {
        const count = c[2] as number | undefined;
        if (!l) return null;
        const n = count === undefined ? 1 : Math.min(count, l.length);
        const out = cmd === "LPOP" ? l.splice(0, n) : l.splice(l.length - n, n).reverse();
        this.drop(k);
        return count === undefined ? out[0] : out;
      }
      case "LLEN": return l ? l.length : 0;
      case "LINDEX": {
        if (!l) return null;
        let i = c[2] as number;
        if (i < 0) i += l.length;
        return i >= 0 && i < l.length ? l[i] : null;
      }
      case "LRANGE": {
        if (!l) return [];
        const r = this.norm(l.length, c[2] as number, c[3] as number);
        return r ? l.slice(r[0], r[1] + 1) : [];
      }
      case "LSET": {
        if (!l) return "ERR no such key";
        let i = c[2] as number;
        if (i < 0) i += l.length;
        if (i < 0 || i >= l.length) return "ERR index out of range";
        l[i] = c[3] as string;
        return "OK";
      }
      case "LINSERT": {
        if (!l) return 0;
        const i = l.indexOf(c[3] as string);
        if (i < 0) return -1;
        l.splice(c[2] === "AFTER" ? i + 1 : i, 0, c[4] as string);
        return l.length;
      }
      case "LREM": {
        if (!l) return 0;
        const count = c[2] as number;
        const v = c[3] as string;
        let removed = 0;
        if (count >= 0) {
          for (let i = 0; i < l.length && (count === 0 || removed < count);) {
            if (l[i] === v) { l.splice(i, 1); removed++; } else i++;
          }
        } else {
          for (let i = l.length - 1; i >= 0 && removed < -count; i--) {
            if (l[i] === v) { l.splice(i, 1); removed++; }
          }
        }
        this.drop(k);
        return removed;
      }
      case "LTRIM": {
        if (!l) return "OK";
        const r = this.norm(l.length, c[2] as number, c[3] as number);
        if (!r) this.keys.delete(k);
        else this.keys.set(k, l.slice(r[0], r[1] + 1));
        this.drop(k);
        return "OK";
      }
      case "LPOS": {
        const v = c[2] as string;
        const rank = c[4] as number, count = c[6] as number, maxlen = c[8] as number;
        if (!l) return [];
        const out: number[] = [];
        let matches = 0;
        const fwd = rank > 0;
        for (let idx = 0; idx < l.length && (maxlen === 0 || idx < maxlen); idx++) {
          const pos = fwd ? idx : l.length - 1 - idx;
          if (l[pos] === v && ++matches >= Math.abs(rank)) {
            out.push(pos);
            if (count !== 0 && out.length >= count) break;
          }
        }
        return out;
      }
      case "LMOVE": {
        const d = c[2] as string;
        if (!l) return null;
        const v = c[3] === "LEFT" ? l.shift()! : l.pop()!;
        this.drop(k);
        const dl = this.keys.get(d) ?? [];
        c[4] === "LEFT" ? dl.unshift(v) : dl.push(v);
        this.keys.set(d, dl);
        return v;
      }
      case "LMPOP": {
        const n = c[1] as number;
        const keys = c.slice(2, 2 + n) as string[];
        const left = c[2 + n] === "LEFT";
        const count = c[4 + n] as number;
        for (const key of keys) {
          const kl = this.keys.get(key);
          if (!kl) continue;
          const out = left ? kl.splice(0, count) : kl.splice(Math.max(0, kl.length - count)).reverse();
          this.drop(key);
          return [key, out];
        }
        return null;
      }
    }
    throw new Error("model: " + cmd);
  }
}

describe("randomized model test", () => {
  for (const [seed, fill] of [[1, -2], [2, 3], [3, 1], [4, -1]] as [number, number][]) {
    it(`seed ${seed}, list-max-listpack-size ${fill}`, async () => {
      await r.call("CONFIG", "SET", "list-max-listpack-size", String(fill));
      const rand = rng(seed);
      const pick = (n: number) => Math.floor(rand() * n);
      const keys = ["a", "b", "c"];
      const val = (): string => {
        const t = pick(10);
        if (t < 4) return "v" + pick(8);
        if (t < 7) return String(pick(300) - 150);
        if (t < 8) return String(2 ** 40 + pick(5));
        if (t < 9) return "w".repeat(pick(600));
        return "";
      };
      const idx = () => pick(40) - 20;
      const m = new Model();
      const ops = 3000;
      for (let i = 0; i < ops; i++) {
        const k = keys[pick(keys.length)];
        let c: (string | number)[];
        switch (pick(15)) {
          case 0: case 1: c = [pick(2) ? "LPUSH" : "RPUSH", k, ...Array.from({ length: 1 + pick(6) }, val)]; break;
          case 2: c = [pick(2) ? "LPUSHX" : "RPUSHX", k, val()]; break;
          case 3: c = pick(2) ? [pick(2) ? "LPOP" : "RPOP", k] : [pick(2) ? "LPOP" : "RPOP", k, pick(4)]; break;
          case 4: c = ["LLEN", k]; break;
          case 5: c = ["LINDEX", k, idx()]; break;
          case 6: case 7: c = ["LRANGE", k, idx(), idx()]; break;
          case 8: c = ["LSET", k, idx(), val()]; break;
          case 9: c = ["LINSERT", k, pick(2) ? "BEFORE" : "AFTER", val(), val()]; break;
          case 10: c = ["LREM", k, pick(7) - 3, val()]; break;
          case 11: c = ["LTRIM", k, idx(), idx()]; break;
          case 12: {
            const rank = pick(2) ? 1 + pick(3) : -1 - pick(3);
            c = ["LPOS", k, val(), "RANK", rank, "COUNT", pick(3), "MAXLEN", pick(2) ? 0 : pick(20)];
            break;
          }
          case 13: c = ["LMOVE", k, keys[pick(3)], pick(2) ? "LEFT" : "RIGHT", pick(2) ? "LEFT" : "RIGHT"]; break;
          default: {
            const n = 1 + pick(3);
            c = ["LMPOP", n, ...Array.from({ length: n }, () => keys[pick(3)]), pick(2) ? "LEFT" : "RIGHT", "COUNT", 1 + pick(4)];
          }
        }
        const want = m.run(c);
        const got = await call(...c);
        expect(got, `step ${i}: ${JSON.stringify(c)}`).toEqual(want);
      }
      for (const k of keys) expect(await r.lrange(k, 0, -1)).toEqual(m.keys.get(k) ?? []);
    }, 60000);
  }
});
