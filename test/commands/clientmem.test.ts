// Client buffers count as used memory, as in Redis: INFO shows them, and maxmemory makes room for
// them by evicting keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { startServer, type StartedServer } from "../../host/server.js";
import { RawConn } from "../server/raw.js";
import { cronTick } from "../../host/cron.js";

let s: StartedServer;
let r: Redis;
beforeAll(async () => {
  s = await startServer({ port: 0 });
  r = new Redis({ port: s.port, host: "127.0.0.1" });
});
afterAll(async () => {
  r.disconnect();
  await s.close();
});

const field = async (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(await r.info("memory"))![1]);

describe("client buffers in used_memory", () => {
  it("a half-sent 2 MB value shows in used_memory and used_memory_overhead, and is evicted for", async () => {
    // About 3 MB of keys, so that evicting 1 MB of them is possible.
    const p = r.pipeline();
    for (let i = 0; i < 20000; i++) p.set(`k${i}`, "x".repeat(100));
    await p.exec();
    const before = await field("used_memory");
    // maxmemory leaves 1 MB of room above the data: a 2 MB buffer must push keys out.
    await r.config("SET", "maxmemory-policy", "allkeys-lru");
    await r.config("SET", "maxmemory", String(before + 1024 * 1024));
    const c = new RawConn(s.port);
    await c.ready;
    c.send(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${4 * 1024 * 1024}\r\n` + "y".repeat(2 * 1024 * 1024));
    const deadline = Date.now() + 5000;
    while ((await field("used_memory")) < before + 2 * 1024 * 1024 && Date.now() < deadline) await new Promise((t) => setTimeout(t, 10));
    expect(await field("used_memory")).toBeGreaterThanOrEqual(before + 2 * 1024 * 1024);
    expect(await field("used_memory_overhead")).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    cronTick(s.wedis); // reports the buffer to the engine, as the timer does
    await r.set("trigger", "1"); // the next write evicts to make room
    const left = await r.dbsize();
    expect(left).toBeLessThan(20000);
    expect(left).toBeGreaterThan(5000);
    const stats = (await r.call("memory", "stats")) as unknown[];
    const flat = Array.isArray(stats) ? stats : Object.entries(stats as object).flat();
    expect(Number(flat[flat.indexOf("clients.normal") + 1])).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    c.close();
    await r.config("SET", "maxmemory", "0");
    await r.config("SET", "maxmemory-policy", "noeviction");
  });
});
