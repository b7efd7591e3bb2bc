// maxmemory over real sockets: CONFIG SET of the cap and the policy takes effect on the next
// command, the OOM refusal and what still runs while over, write floods that must not push memory
// past the cap under any policy, and a hot set that survives a flood under LFU.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { startServer, type StartedServer } from "../../host/server.js";

let s: StartedServer;
let r: Redis;
beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true });
  await r.connect();
});
afterAll(async () => {
  r.disconnect();
  await s.close();
});
beforeEach(async () => {
  await r.config("SET", "maxmemory", "0");
  await r.config("SET", "maxmemory-policy", "noeviction");
  await r.config("SET", "lfu-log-factor", "10");
  await r.flushall();
});

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

async function infoField(section: string, field: string): Promise<number> {
  const text = (await r.info(section)) as string;
  const m = text.match(new RegExp(`^${field}:(\\d+)`, "m"));
  if (!m) throw new Error(`no ${field} in INFO ${section}`);
  return Number(m[1]);
}

/** SETs `count` keys `prefix:i` with `val`, in pipelines; returns the replies' errors (null when fine). */
async function flood(prefix: string, count: number, val: string, extra: (string | number)[] = [], per = 500): Promise<(Error | null)[]> {
  const errs: (Error | null)[] = [];
  for (let b = 0; b < count; b += per) {
    const p = r.pipeline();
    for (let i = b; i < Math.min(count, b + per); i++) p.set(`${prefix}:${i}`, val, ...(extra as []));
    for (const [e] of (await p.exec())!) errs.push(e);
  }
  return errs;
}

describe("maxmemory", () => {
  it("CONFIG SET of cap and policy applies to the very next command", async () => {
    await flood("k", 2000, "v".repeat(100));
    const used = await infoField("memory", "used_memory");
    await r.config("SET", "maxmemory", String(used - 20_000));
    // noeviction: writes refused, reads and deletes fine.
    await expect(r.set("x", "1")).rejects.toThrow(OOM);
    await expect(r.incr("k:1")).rejects.toThrow(OOM);
    expect(await r.get("k:5")).toBe("v".repeat(100));
    expect(await r.del("k:6")).toBe(1);
    expect(await r.exists("k:6")).toBe(0);
    expect(await r.dbsize()).toBe(1999);
    expect(await infoField("stats", "evicted_keys")).toBe(0);
    // A pipeline mixing both gets each its own answer.
    const mixed = await r.pipeline().set("y", "1").get("k:7").lpush("l", "a").exec();
    expect(mixed![0][0]?.message).toBe(OOM);
    expect(mixed![1][1]).toBe("v".repeat(100));
    expect(mixed![2][0]?.message).toBe(OOM);
    // Switching the policy makes the next write evict.
    await r.config("SET", "maxmemory-policy", "allkeys-lru");
    expect(await r.set("x", "1")).toBe("OK");
    expect(await infoField("stats", "evicted_keys")).toBeGreaterThan(0);
    const max = Number((await r.config("GET", "maxmemory"))[1]);
    expect(await infoField("memory", "used_memory")).toBeLessThanOrEqual(max + 200);
    // Lowering the cap evicts before the next command, whatever it is.
    const before = await r.dbsize();
    await r.config("SET", "maxmemory", String(max - 50_000));
    expect(await r.dbsize()).toBeLessThan(before - 200);
    // No cap: nothing is evicted any more.
    await r.config("SET", "maxmemory", "0");
    const evicted = await infoField("stats", "evicted_keys");
    await flood("more", 1000, "v".repeat(100));
    expect(await infoField("stats", "evicted_keys")).toBe(evicted);
  });

  for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "simple-first"]) {
    it(`${policy}: 20 MB written into a 4 MB cap never goes past it by more than one entry`, async () => {
      const cap = 4 * 1024 * 1024;
      await r.config("SET", "maxmemory-policy", policy);
      await r.config("SET", "maxmemory", String(cap));
      const val = "v".repeat(1000);
      const extra = policy.startsWith("volatile") ? ["EX", 100_000] : [];
      // Up to the cap once (eviction's first run allocates its sampling buffers), then measure.
      await flood("warm", 5000, val, extra);
      await r.config("RESETSTAT");
      const errs = await flood("k", 20_000, val, extra);
      expect(errs.every((e) => e === null)).toBe(true);
      const entry = 1100; // key, TTL, and the 1000-byte value in its size class
      expect(await infoField("memory", "used_memory_peak")).toBeLessThanOrEqual(cap + entry);
      expect(await infoField("memory", "used_memory")).toBeLessThanOrEqual(cap + entry);
      expect(await infoField("stats", "evicted_keys")).toBeGreaterThan(15_000);
      expect(await r.dbsize()).toBeGreaterThan(2500);
    }, 120_000);
  }

  it("allkeys-lfu: a hot set of 200 keys read repeatedly survives 100 MB written into 20 MB", async () => {
    await r.config("SET", "maxmemory-policy", "allkeys-lfu");
    for (let i = 0; i < 200; i++) await r.set(`hot:${i}`, "h".repeat(100));
    await r.config("SET", "maxmemory", String(20 * 1024 * 1024));
    const val = "x".repeat(1000);
    for (let b = 0; b < 200; b++) {
      const p = r.pipeline();
      for (let i = 0; i < 500; i++) p.set(`cold:${b}:${i}`, val);
      for (let i = 0; i < 200; i++) p.get(`hot:${i}`);
      await p.exec();
    }
    let alive = 0;
    for (let i = 0; i < 200; i++) alive += await r.exists(`hot:${i}`);
    expect(alive).toBe(200);
    expect(await infoField("stats", "evicted_keys")).toBeGreaterThan(70_000);
  }, 120_000);

  it("lfu-log-factor and maxmemory-samples reach the engine", async () => {
    await r.config("SET", "maxmemory-policy", "allkeys-lfu");
    await r.config("SET", "lfu-log-factor", "0");
    await r.set("f", "1");
    for (let i = 0; i < 10; i++) await r.get("f");
    expect(await r.object("FREQ", "f")).toBe(15);
    // With every key sampled, volatile-ttl is exact: the soonest expiry goes first.
    await r.config("SET", "maxmemory-samples", "1000");
    for (let i = 0; i < 100; i++) await r.set(`t:${i}`, "v".repeat(100), "PX", 1_000_000 + i * 1000);
    await r.config("SET", "maxmemory-policy", "volatile-ttl");
    const used = await infoField("memory", "used_memory");
    await r.config("SET", "maxmemory", String(used - 3000));
    await r.ping();
    const gone: number[] = [];
    for (let i = 0; i < 100; i++) if ((await r.exists(`t:${i}`)) === 0) gone.push(i);
    expect(gone.length).toBeGreaterThan(5);
    expect(gone).toEqual([...Array(gone.length).keys()]);
    await r.config("SET", "maxmemory-samples", "5");
  });
});
