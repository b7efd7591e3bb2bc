// The server program killed and restarted on the same directory: kill -9 in the middle of
// concurrent writes under appendfsync always loses no acknowledged write, round after round;
// kill -9 in the middle of a rewrite leaves a log that loads completely; SIGTERM and SHUTDOWN
// with clients connected, blocked and inside MULTI exit 0 with every write on disk.
import { describe, it, expect, afterEach } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import Redis from "ioredis";
import { startProcess, exited, killAll } from "../helpers/process.js";

afterEach(killAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = () => mkdtempSync(join(tmpdir(), "wedis-crash-"));
/** A client that fails fast once the server is gone (no reconnects, no offline queue). */
async function connect(port: number): Promise<Redis> {
  const r = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on("error", () => {});
  await new Promise((resolve) => r.once("ready", resolve));
  return r;
}

/** What one writer saw acknowledged. */
interface Acked {
  sets: Map<string, string>;
  counter: number;
  list: string[];
}

/** Writes as fast as acknowledgements come, until the connection dies; records what was acked. */
async function writer(port: number, name: string, acked: Acked): Promise<void> {
  const r = await connect(port);
  try {
    for (let i = 0; ; i++) {
      const key = `${name}:s:${i}`;
      const value = `${name}-${i}-${"v".repeat(i % 50)}`;
      const p = r.pipeline().set(key, value).incr(`${name}:counter`).rpush(`${name}:list`, String(i));
      const res = await p.exec();
      if (res === null) return;
      const [setRes, incrRes, pushRes] = res;
      if (setRes[0] === null) acked.sets.set(key, value);
      if (incrRes[0] === null) acked.counter = Math.max(acked.counter, Number(incrRes[1]));
      if (pushRes[0] === null) acked.list.push(String(i));
      if (setRes[0] || incrRes[0] || pushRes[0]) return;
    }
  } catch {
    // The server was killed: what was acked is in `acked`.
  } finally {
    r.disconnect();
  }
}

describe("crash safety", () => {
  it("kill -9 during concurrent writes with appendfsync always loses no acknowledged write, over several rounds", async () => {
    const dir = tmp();
    const args = ["--dir", dir, "--appendonly", "yes", "--appendfsync", "always"];
    const all: [string, Acked][] = [];
    for (let round = 0; round < 3; round++) {
      const { proc, port } = await startProcess(args);
      // What earlier rounds acknowledged is all there.
      const check = await connect(port);
      await verify(check, all);
      check.disconnect();
      const writers: [string, Acked][] = Array.from({ length: 6 }, (_, w) => [`r${round}w${w}`, { sets: new Map(), counter: 0, list: [] }]);
      const running = writers.map(([name, acked]) => writer(port, name, acked));
      await sleep(300 + round * 150);
      proc.kill("SIGKILL");
      await Promise.all(running);
      await exited(proc);
      for (const [, a] of writers) expect(a.sets.size).toBeGreaterThan(0);
      all.push(...writers);
    }
    const { proc, port } = await startProcess(args);
    const check = await connect(port);
    await verify(check, all);
    check.disconnect();
    proc.kill("SIGTERM");
    expect(await exited(proc)).toBe(0);
  }, 60_000);

  it("kill -9 in the middle of a rewrite leaves a log that loads completely", async () => {
    const dir = tmp();
    const args = ["--dir", dir, "--appendonly", "yes"];
    let { proc, port } = await startProcess(args);
    let r = await connect(port);
    for (let batch = 0; batch < 4; batch++) {
      const p = r.pipeline();
      for (let i = 0; i < 50_000; i++) p.set(`k:${batch}:${i}`, `value-${i}`);
      await p.exec();
    }
    expect(await r.bgrewriteaof()).toBe("Background append only file rewriting started");
    await r.set("during", "rewrite");
    await sleep(5);
    proc.kill("SIGKILL");
    await exited(proc);
    r.disconnect();
    // The manifest names only files that exist; the rewrite's temp file is cleaned up at start.
    const manifest = readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8");
    for (const line of manifest.trim().split("\n")) expect(existsSync(join(dir, "appendonlydir", line.split(" ")[1]))).toBe(true);
    ({ proc, port } = await startProcess(args));
    r = await connect(port);
    expect(await r.dbsize()).toBe(200_001);
    expect(await r.get("during")).toBe("rewrite");
    expect(await r.get("k:3:49999")).toBe("value-49999");
    expect(readdirSync(join(dir, "appendonlydir")).some((f) => f.startsWith("temp-"))).toBe(false);
    // A rewrite that completes replaces the history; the next start loads base + new incr.
    await r.bgrewriteaof();
    await r.set("after", "rewrite");
    for (let i = 0; i < 500 && !(await r.info("persistence")).includes("aof_rewrite_in_progress:0"); i++) await sleep(20);
    proc.kill("SIGKILL");
    await exited(proc);
    r.disconnect();
    ({ proc, port } = await startProcess(args));
    r = await connect(port);
    expect(await r.dbsize()).toBe(200_002);
    expect(await r.mget("during", "after")).toEqual(["rewrite", "rewrite"]);
    r.disconnect();
    proc.kill("SIGTERM");
    expect(await exited(proc)).toBe(0);
  }, 60_000);

  for (const how of ["SIGTERM", "SIGINT", "SHUTDOWN"] as const) {
    it(`${how} with clients connected, blocked and in MULTI exits 0 with every write on disk`, async () => {
      const dir = tmp();
      const args = ["--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec"];
      let { proc, port, log } = await startProcess(args);
      const writer = await connect(port);
      for (let i = 0; i < 200; i++) await writer.set(`k${i}`, `v${i}`);
      const p = writer.pipeline();
      for (let i = 0; i < 5000; i++) p.rpush("list", String(i));
      await p.exec();
      const blocked = await connect(port);
      const pop = blocked.blpop("empty", 0).catch((e: Error) => e);
      const inMulti = await connect(port);
      await inMulti.call("multi");
      await inMulti.call("set", "queued", "1");
      // A thousand idle connections too.
      const idle: net.Socket[] = [];
      for (let i = 0; i < 1000; i++) idle.push(net.connect(port, "127.0.0.1").on("error", () => {}));
      await Promise.all(idle.map((s) => new Promise((r) => s.once("connect", r))));
      if (how === "SHUTDOWN") await writer.call("shutdown").catch(() => {});
      else proc.kill(how);
      expect(await exited(proc)).toBe(0);
      expect(log()).toMatch(/Calling fsync\(\) on the AOF file\.[\s\S]*bye bye/);
      expect(await pop).toBeInstanceOf(Error);
      for (const s of idle) s.destroy();
      for (const c of [writer, blocked, inMulti]) c.disconnect();
      ({ proc, port } = await startProcess(args));
      const r = await connect(port);
      expect(await r.get("k199")).toBe("v199");
      expect(await r.llen("list")).toBe(5000);
      expect(await r.exists("queued")).toBe(0); // never EXECuted
      r.disconnect();
      proc.kill("SIGTERM");
      expect(await exited(proc)).toBe(0);
    }, 30_000);
  }

  it("refuses to start on a damaged AOF with exit code 1 and the reason in the log", async () => {
    const dir = tmp();
    let { proc, port } = await startProcess(["--dir", dir, "--appendonly", "yes"]);
    const r = await connect(port);
    await r.set("a", "1");
    r.disconnect();
    proc.kill("SIGTERM");
    await exited(proc);
    const { appendFileSync } = await import("node:fs");
    appendFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), "garbage\r\n");
    const err = await startProcess(["--dir", dir, "--appendonly", "yes"]).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/server exited with 1/);
    expect(err).toMatch(/Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof at offset \d+/);
  });
});

/** Every acknowledged write of `all` is in the server: SETs exact, counters at least, lists in order. */
async function verify(r: Redis, all: [string, Acked][]): Promise<void> {
  for (const [name, a] of all) {
    const keys = [...a.sets.keys()];
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      expect(await r.mget(...chunk)).toEqual(chunk.map((k) => a.sets.get(k)));
    }
    expect(Number(await r.get(`${name}:counter`))).toBeGreaterThanOrEqual(a.counter);
    const list = await r.lrange(`${name}:list`, 0, -1);
    expect(list.slice(0, a.list.length)).toEqual(a.list);
  }
}
