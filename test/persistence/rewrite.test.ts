// The background rewrite over real sockets: BGREWRITEAOF compacts the log while clients keep
// writing, every write made meanwhile survives, the manifest switches to the new base and the old
// files go; auto-aof-rewrite-* starts one on growth; a rewrite with the AOF off writes a base
// that a later start loads.
import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type Redis from "ioredis";
import { aofServers } from "../helpers/aof-servers.js";
// @ts-ignore: plain JS helper shared with bench/aof-compat.mjs
import { dumpDataset } from "../helpers/dataset.mjs";
import { parseCommands } from "../helpers/resp-commands.js";
import { RawConn, cmd } from "../server/raw.js";

const { start, stop, client, tmp } = aofServers("rewrite");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const aofFiles = (dir: string) => readdirSync(join(dir, "appendonlydir")).sort();
const manifestOf = (dir: string) => readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8");
const field = (info: string, name: string) => Number(new RegExp(`${name}:(-?\\d+)`).exec(info)![1]);

async function rewriteFinished(r: Redis): Promise<string> {
  for (;;) {
    const info = await r.info("persistence");
    if (info.includes("aof_rewrite_in_progress:0")) return info;
    await sleep(10);
  }
}

describe("AOF rewrite", () => {
  it("compacts the log while clients write, and every write made meanwhile survives", async () => {
    const dir = tmp();
    let { s, r } = await start(dir);
    // A long history for a small dataset: the same keys written over and over.
    for (let round = 0; round < 20; round++) {
      const p = r.pipeline();
      for (let i = 0; i < 5000; i++) p.set(`k:${i}`, `round-${round}`);
      p.incrby("counter", 5000);
      await p.exec();
    }
    await r.rpush("list", ...Array.from({ length: 200 }, (_, i) => String(i)));
    await r.zadd("z", 0.1, "a", 1e-300, "b", -Infinity, "c");
    await r.set("ttl", "x", "PX", 600_000);
    const before = field(await r.info("persistence"), "aof_current_size");
    // Writers keep going during the rewrite.
    let stop_ = false;
    const other = client(s.port);
    let written = 0;
    const writing = (async () => {
      while (!stop_) {
        await other.pipeline().incr("during").rpush("list", `w${written}`).set(`w:${written}`, String(written)).exec();
        written++;
      }
    })();
    expect(await r.bgrewriteaof()).toBe("Background append only file rewriting started");
    const info = await rewriteFinished(r);
    await sleep(30);
    stop_ = true;
    await writing;
    other.disconnect();
    expect(written).toBeGreaterThan(0);
    expect(info).toMatch(/aof_last_bgrewrite_status:ok/);
    expect(field(info, "aof_rewrites")).toBe(1);
    expect(field(info, "aof_current_size")).toBeLessThan(before / 5);
    // The new base and the file written since; the old ones are gone.
    expect(manifestOf(dir)).toBe("file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    expect(aofFiles(dir)).toEqual(["appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
    const dump = await dumpDataset(r);
    expect(await r.get("during")).toBe(String(written));
    await stop(s, r);
    ({ s, r } = await start(dir));
    expect(await dumpDataset(r)).toEqual(dump);
  });

  it("writes the base in Redis's rewrite form: SELECT, SET, RPUSH/SADD/HMSET/ZADD of up to 64, PEXPIREAT", async () => {
    const dir = tmp();
    const { r } = await start(dir);
    await r.set("s", "v", "PXAT", "4102444800000");
    await r.rpush("l", ...Array.from({ length: 100 }, (_, i) => String(i)));
    await r.select(1);
    await r.hset("h", "f", "v");
    await r.bgrewriteaof();
    await rewriteFinished(r);
    const base = parseCommands(readFileSync(join(dir, "appendonlydir", "appendonly.aof.2.base.aof")));
    const byName = base.map((c) => c[0]);
    expect(byName).toEqual(expect.arrayContaining(["SELECT", "SET", "PEXPIREAT", "RPUSH", "HMSET"]));
    expect(base[0]).toEqual(["SELECT", "0"]);
    const pushes = base.filter((c) => c[0] === "RPUSH");
    expect(pushes.map((c) => c.length - 2)).toEqual([64, 36]);
    expect(base.find((c) => c[0] === "PEXPIREAT")).toEqual(["PEXPIREAT", "s", "4102444800000"]);
    expect(base.slice(-2)).toEqual([["SELECT", "1"], ["HMSET", "h", "f", "v"]]);
  });

  it("reports itself in INFO while it runs, and refuses a second one", async () => {
    const dir = tmp();
    const { s, r } = await start(dir);
    for (let b = 0; b < 4; b++) {
      const p = r.pipeline();
      for (let i = 0; i < 50_000; i++) p.set(`k:${b}:${i}`, "v");
      await p.exec();
    }
    const c = new RawConn(s.port);
    await c.ready;
    // In one read: nothing can finish the rewrite between these commands.
    c.send(Buffer.concat([cmd("BGREWRITEAOF"), cmd("BGREWRITEAOF"), cmd("INFO", "persistence")]));
    const [first, second, info] = await c.replies(3);
    expect(first).toBe("+Background append only file rewriting started\r\n");
    expect(second).toBe("-ERR Background append only file rewriting already in progress\r\n");
    expect(info).toMatch(/aof_rewrite_in_progress:1\r\n/);
    expect(info).toMatch(/current_save_keys_total:200000\r\n/);
    expect(info).toMatch(/aof_current_rewrite_time_sec:0\r\n/);
    c.close();
    const done = await rewriteFinished(r);
    expect(done).toMatch(/aof_last_rewrite_time_sec:\d+\r\n/);
    expect(field(await r.info("stats"), "total_forks")).toBe(1);
  });

  it("starts on its own when the log grows past auto-aof-rewrite-percentage and -min-size", async () => {
    const dir = tmp();
    const { r } = await start(dir, { "auto-aof-rewrite-min-size": "1mb", "auto-aof-rewrite-percentage": "100", hz: "50" });
    const p = r.pipeline();
    for (let i = 0; i < 30_000; i++) p.set(`key:${i % 100}`, "x".repeat(40));
    await p.exec();
    for (let i = 0; i < 300 && field(await r.info("persistence"), "aof_rewrites") === 0; i++) await sleep(10);
    const info = await rewriteFinished(r);
    expect(field(info, "aof_rewrites")).toBe(1);
    // The base is now the measure: 100 keys do not grow it twofold again.
    expect(field(info, "aof_base_size")).toBeLessThan(100_000);
    await sleep(100);
    expect(field(await r.info("persistence"), "aof_rewrites")).toBe(1);
  });

  it("with the AOF off, BGREWRITEAOF writes a base that a start with appendonly yes loads", async () => {
    const dir = tmp();
    let { s, r } = await start(dir, { appendonly: "no" });
    await r.mset("a", "1", "b", "2");
    await r.sadd("set", "x", "y");
    await r.bgrewriteaof();
    await rewriteFinished(r);
    expect(manifestOf(dir)).toBe("file appendonly.aof.1.base.aof seq 1 type b\n");
    const dump = await dumpDataset(r);
    await stop(s, r);
    ({ s, r } = await start(dir));
    expect(await dumpDataset(r)).toEqual(dump);
  });
});
