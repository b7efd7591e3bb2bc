// The loader on its own (host/aof/loader.ts): a large file in many chunks, with progress in the
// log (bytes, keys, MB/s), runs of commands between SELECTs in one engine crossing each.
import { describe, it, expect } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAof } from "../../host/aof/loader.js";
import { Manifest } from "../../host/aof/manifest.js";
import { Logger } from "../../host/log.js";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { execDirect } from "../../host/direct.js";

const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

describe("AOF loader", () => {
  it("loads a file in many chunks, logging progress with keys and MB/s", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wedis-loader-"));
    const aofDir = join(dir, "appendonlydir");
    mkdirSync(aofDir);
    const parts: string[] = [];
    for (let db = 0; db < 3; db++) {
      parts.push(resp("SELECT", String(db)));
      for (let i = 0; i < 5000; i++) parts.push(resp("SET", `k:${i}`, `v:${db}:${i}`));
    }
    writeFileSync(join(aofDir, "appendonly.aof.1.incr.aof"), parts.join(""));
    const m = Manifest.parse("file appendonly.aof.1.incr.aof seq 1 type i\n", "appendonly.aof");
    const engine = loadDebugEngine();
    call(engine, "init", 16, 1, 2);
    const log = new Logger();
    log.file = join(dir, "log");
    const progress = { startMs: 0, totalBytes: 0, loadedBytes: 0 };
    const r = await loadAof({ engine, log, dir: aofDir, manifest: m, loadTruncated: true, databases: 16, progress, chunkBytes: 16 * 1024, progressEveryMs: 0 });
    expect(r.status).toBe("ok");
    expect(r.keys).toBe(15_000);
    expect(progress.loadedBytes).toBe(progress.totalBytes);
    expect(execDirect(engine, [["GET", "k:4999"]], { db: 2 })[0].toString()).toBe("$8\r\nv:2:4999\r\n");
    const lines = readFileSync(log.file, "utf8").split("\n").filter((l) => l.includes("Loading appendonly.aof.1.incr.aof"));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[lines.length - 1]).toMatch(/Loading appendonly\.aof\.1\.incr\.aof: [\d.]+ MB of [\d.]+ MB \(\d+%\), \d+ keys, [\d.]+ MB\/s/);
    expect(readFileSync(log.file, "utf8")).toMatch(/DB loaded from incr file appendonly\.aof\.1\.incr\.aof: [\d.]+ seconds/);
  });
});
