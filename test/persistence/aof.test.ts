// The AOF over real sockets, in-process servers restarted on the same directory: every write is
// there after a restart under each appendfsync policy, the directory is Redis 7's, the AOF can be
// turned on and off at runtime, expired and evicted keys stay gone, a failing disk refuses writes
// with -MISCONF, and a large AOF loads while clients get -LOADING.
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type Redis from "ioredis";
import { createClient } from "redis";
import { startServer } from "../../host/server.js";
import { aofServers, type AofServer } from "../helpers/aof-servers.js";
// @ts-ignore: plain JS helper shared with bench/aof-compat.mjs
import { dumpDataset } from "../helpers/dataset.mjs";
// @ts-ignore: plain JS helper shared with bench/aof-compat.mjs
import { writeWorkload as workload } from "../helpers/workload.mjs";
import { parseCommands } from "../helpers/resp-commands.js";
import { RawConn, cmd } from "../server/raw.js";

const { start, stop, client, track, tmp } = aofServers("aof");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function manifestOf(dir: string): string {
  return readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8");
}

async function waitFor(what: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error("timed out");
    await sleep(20);
  }
}

const rewriteDone = (r: Redis) => async () => (await r.info("persistence")).includes("aof_rewrite_in_progress:0");

describe("AOF persistence", () => {
  for (const policy of ["always", "everysec", "no"]) {
    it(`keeps every write across a restart with appendfsync ${policy}`, async () => {
      const dir = tmp();
      let { s, r } = await start(dir, { appendfsync: policy });
      await workload(r);
      const before = await dumpDataset(r);
      expect(Object.keys(before).length).toBe(19);
      await stop(s, r);
      ({ s, r } = await start(dir, { appendfsync: policy }));
      expect(await dumpDataset(r)).toEqual(before);
      // And again, after more writes on top of the loaded data.
      await r.incr("s:n");
      await r.del("l");
      const again = await dumpDataset(r);
      await stop(s, r);
      ({ s, r } = await start(dir, { appendfsync: policy }));
      expect(await dumpDataset(r)).toEqual(again);
    });
  }

  it("writes Redis 7's directory: manifest, an empty base on an empty start, an incremental file of commands", async () => {
    const dir = tmp();
    const { s, r } = await start(dir);
    await r.set("a", "1", "EX", "100");
    await r.select(2);
    await r.incrbyfloat("f", "1.5");
    await stop(s, r);
    expect(readdirSync(join(dir, "appendonlydir")).sort()).toEqual(["appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]);
    expect(manifestOf(dir)).toBe("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    expect(readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.base.aof")).length).toBe(0);
    const cmds = parseCommands(readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")));
    expect(cmds[0]).toEqual(["SELECT", "0"]);
    expect(cmds[1].slice(0, 4)).toEqual(["SET", "a", "1", "PXAT"]);
    expect(cmds.slice(2)).toEqual([["SELECT", "2"], ["SET", "f", "1.5", "KEEPTTL"]]);
  });

  it("puts a transaction in the file as MULTI … EXEC", async () => {
    const dir = tmp();
    const { s, r } = await start(dir);
    await r.multi().set("a", "1").get("a").incr("a").exec();
    const c = createClient({ socket: { port: s.port, host: "127.0.0.1" } });
    await c.connect();
    await c.multi().set("b", "1").set("c", "2").exec();
    await c.quit();
    await stop(s, r);
    const cmds = parseCommands(readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")));
    expect(cmds).toEqual([["SELECT", "0"], ["MULTI"], ["set", "a", "1"], ["incr", "a"], ["EXEC"], ["MULTI"], ["SET", "b", "1"], ["SET", "c", "2"], ["EXEC"]]);
  });

  it("with appendfsync always, a write is in the file before its reply arrives", async () => {
    const dir = tmp();
    const { s, r } = await start(dir, { appendfsync: "always" });
    const incr = join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
    for (let i = 0; i < 50; i++) {
      await r.set(`k${i}`, `value-${i}`);
      expect(readFileSync(incr, "latin1")).toContain(`value-${i}`);
    }
    // Pipelined and from many clients at once: every reply still comes after its write.
    const others = Array.from({ length: 10 }, () => client(s.port));
    await Promise.all(
      others.map(async (c, n) => {
        for (let i = 0; i < 20; i++) {
          const p = c.pipeline();
          for (let k = 0; k < 5; k++) p.rpush(`list${n}`, `${i}-${k}`);
          await p.exec();
          expect(readFileSync(incr, "latin1")).toContain(`${i}-4`);
        }
      }),
    );
  });

  it("CONFIG SET appendonly yes writes a base from the data of that moment, then logs what follows", async () => {
    const dir = tmp();
    let { s, r } = await start(dir, { appendonly: "no" });
    for (let i = 0; i < 1000; i++) await r.set(`pre:${i}`, `${i}`);
    await r.rpush("list", "a", "b");
    expect(await r.config("SET", "appendonly", "yes")).toBe("OK");
    await r.rpush("list", "c");
    await waitFor(rewriteDone(r));
    await r.rpush("list", "d");
    expect(await r.info("persistence")).toMatch(/aof_enabled:1[\s\S]*aof_last_bgrewrite_status:ok/);
    expect(manifestOf(dir)).toBe("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    const before = await dumpDataset(r);
    await stop(s, r);
    ({ s, r } = await start(dir));
    expect(await dumpDataset(r)).toEqual(before);
    expect(await r.lrange("list", 0, -1)).toEqual(["a", "b", "c", "d"]);
  });

  it("CONFIG SET appendonly no stops the log where it is", async () => {
    const dir = tmp();
    let { s, r } = await start(dir);
    await r.set("kept", "1");
    await r.config("SET", "appendonly", "no");
    expect(await r.info("persistence")).toMatch(/aof_enabled:0/);
    await r.set("not-logged", "1");
    await stop(s, r);
    ({ s, r } = await start(dir));
    expect(await r.get("kept")).toBe("1");
    expect(await r.exists("not-logged")).toBe(0);
  });

  it("CONFIG SET appendfsync changes the policy at once", async () => {
    const dir = tmp();
    const { r } = await start(dir, { appendfsync: "no" });
    await r.config("SET", "appendfsync", "always");
    await r.set("x", "after-always");
    expect(readFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), "latin1")).toContain("after-always");
    expect(await r.config("GET", "appendfsync")).toEqual(["appendfsync", "always"]);
  });

  it("keys that expired or were evicted stay gone after a restart", async () => {
    const dir = tmp();
    let { s, r } = await start(dir);
    await r.set("short", "x", "PX", 30);
    await r.set("long", "x", "EX", 1000);
    await sleep(50);
    expect(await r.get("short")).toBe(null);
    // Evictions: fill past maxmemory under allkeys-lru.
    await r.config("SET", "maxmemory-policy", "allkeys-lru");
    const used = Number(/used_memory:(\d+)/.exec(await r.info("memory"))![1]);
    await r.config("SET", "maxmemory", String(used + 2_000_000));
    const p = r.pipeline();
    for (let i = 0; i < 60_000; i++) p.set(`fill:${i}`, "v".repeat(100));
    await p.exec();
    expect(Number(/evicted_keys:(\d+)/.exec(await r.info("stats"))![1])).toBeGreaterThan(0);
    await r.config("SET", "maxmemory", "0");
    const before = await dumpDataset(r);
    await stop(s, r);
    // Loaded without a limit: exactly the keys that were left, no more.
    ({ s, r } = await start(dir));
    expect(await dumpDataset(r)).toEqual(before);
  });

  it("refuses writes with -MISCONF while the AOF cannot be written, and still serves reads", async () => {
    const dir = tmp();
    let { s, r } = await start(dir);
    await r.set("before", "1");
    await stop(s, r);
    // The incremental file now points at a device that is always full.
    const incr = join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");
    const saved = readFileSync(incr);
    unlinkSync(incr);
    symlinkSync("/dev/full", incr);
    try {
      ({ s, r } = await startWithoutLoading(dir, saved));
      await r.set("lost", "1"); // answered before the end-of-turn write fails
      await waitFor(async () => (await r.info("persistence")).includes("aof_last_write_status:err"));
      await expect(r.set("refused", "1")).rejects.toThrow("MISCONF Errors writing to the AOF file: No space left on device");
      await expect(r.ping()).rejects.toThrow(/^MISCONF/);
      expect(await r.get("before")).toBe("1");
    } finally {
      unlinkSync(incr);
    }
  });

  it("answers -LOADING (and INFO) while a large AOF loads, then serves the data", async () => {
    const dir = tmp();
    let { s, r } = await start(dir);
    for (let round = 0; round < 6; round++) {
      const p = r.pipeline();
      for (let i = 0; i < 50_000; i++) p.set(`key:${round}:${i}`, "x".repeat(20));
      await p.exec();
    }
    await stop(s, r);
    s = track(await startServer({ port: 0, config: { dir, appendonly: "yes" }, waitLoading: false }));
    const c = new RawConn(s.port);
    await c.ready;
    c.send(Buffer.concat([cmd("PING"), cmd("GET", "key:0:0"), cmd("INFO", "persistence")]));
    const [ping, get, info] = await c.replies(3);
    expect(ping).toBe("-LOADING Redis is loading the dataset in memory\r\n");
    expect(get).toBe("-LOADING Redis is loading the dataset in memory\r\n");
    expect(info).toMatch(/loading:1\r\n/);
    expect(info).toMatch(/loading_total_bytes:\d+\r\nloading_rdb_used_mem:0\r\nloading_loaded_bytes:\d+\r\nloading_loaded_perc:\d+\.\d\d\r\nloading_eta_seconds:\d+/);
    await s.loaded;
    c.send(Buffer.concat([cmd("GET", "key:5:49999"), cmd("DBSIZE")]));
    expect(await c.replies(2)).toEqual(["$20\r\n" + "x".repeat(20) + "\r\n", ":300000\r\n"]);
    c.close();
  });
});

/**
 * Starts on `dir` whose incremental file cannot be written: the data it held is loaded from a
 * copy given as a base file instead.
 */
async function startWithoutLoading(dir: string, data: Buffer): Promise<AofServer> {
  const aofDir = join(dir, "appendonlydir");
  writeFileSync(join(aofDir, "appendonly.aof.1.base.aof"), data);
  return start(dir);
}
