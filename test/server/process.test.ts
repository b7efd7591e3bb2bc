// The wedis-server program itself (built by `npm test`'s build step): command line, config file,
// and graceful exit on SIGTERM, SIGINT and SHUTDOWN with clients connected.
import { describe, it, expect, afterEach } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { serverBin, startProcess, exited, killAll } from "../helpers/process.js";

const bin = serverBin;
const start = startProcess;

afterEach(killAll);

describe("wedis-server", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`exits 0 on ${signal} with clients connected, after answering them`, async () => {
      const { proc, port, log } = await start(["--save", "", "--appendonly", "no"]);
      const clients = Array.from({ length: 20 }, () => new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null }));
      await Promise.all(clients.map((c, i) => c.set(`k${i}`, `v${i}`)));
      expect(await clients[7].get("k7")).toBe("v7");
      for (const c of clients) c.on("error", () => {});
      proc.kill(signal);
      expect(await exited(proc)).toBe(0);
      expect(log()).toMatch(/bye bye/);
      for (const c of clients) c.disconnect();
    });
  }

  it("a second SIGINT during a shutdown exits at once", async () => {
    const { proc, port, log } = await start(["--save", ""]);
    // A client that never reads what it asked for holds the graceful close up (for up to 500 ms).
    const c = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on("error", () => {});
    await c.set("big", "x".repeat(1 << 20));
    const raw = (await import("node:net")).connect(port, "127.0.0.1");
    raw.on("error", () => {});
    raw.pause();
    raw.write("GET big\r\n".repeat(200));
    await new Promise((r) => setTimeout(r, 300));
    proc.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 20));
    proc.kill("SIGINT");
    expect(await exited(proc)).toBe(1);
    expect(log()).toContain("You insist... exiting now.");
    raw.destroy();
    c.disconnect();
  });

  it("SHUTDOWN NOSAVE exits 0", async () => {
    const { proc, port } = await start([]);
    const c = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on("error", () => {});
    await c.ping();
    await c.call("shutdown", "nosave").catch(() => {});
    expect(await exited(proc)).toBe(0);
    c.disconnect();
  });

  it("reads a config file, lets flags override it, and CONFIG REWRITE writes it back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wedis-conf-"));
    const file = join(dir, "wedis.conf");
    writeFileSync(file, "# test config\nmaxmemory 10mb\nhz 20\ntimeout 300\n");
    const { proc, port, log } = await start([file, "--hz", "15"]);
    const c = new Redis({ port, host: "127.0.0.1" });
    try {
      expect(await c.config("GET", "maxmemory")).toEqual(["maxmemory", "10485760"]);
      expect(await c.config("GET", "hz")).toEqual(["hz", "15"]);
      expect(await c.info("server")).toContain(`config_file:${file}`);
      expect(await c.config("SET", "timeout", "123")).toBe("OK");
      expect(await c.config("REWRITE")).toBe("OK");
      expect(readFileSync(file, "utf8")).toMatch(/^timeout 123$/m);
      expect(log()).toContain(`Configuration loaded from ${file}`);
    } finally {
      c.disconnect();
      proc.kill("SIGTERM");
      await exited(proc);
    }
  });

  it("refuses a bad config file with Redis's fatal error and a non-zero exit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wedis-conf-"));
    const file = join(dir, "bad.conf");
    writeFileSync(file, "maxmemory lots\n");
    // It exits by itself: nothing to kill afterwards.
    const proc = spawn(process.execPath, [bin, file, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    expect(await exited(proc)).not.toBe(0);
    expect(err).toContain("FATAL CONFIG FILE ERROR");
  });
});
