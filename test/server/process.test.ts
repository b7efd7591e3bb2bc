// The wedis-server program itself (built by `npm test`'s build step): command line, config file,
// and graceful exit on SIGTERM, SIGINT and SHUTDOWN with clients connected.
import { describe, it, expect, afterEach } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Redis from "ioredis";

const bin = join(dirname(fileURLToPath(import.meta.url)), "../../bin/wedis-server.js");
const running: ChildProcess[] = [];

afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
});

/** Starts the server on a port it picks; resolves with the process, its port and its log so far. */
function start(args: string[]): Promise<{ proc: ChildProcess; port: number; log: () => string }> {
  const proc = spawn(process.execPath, [bin, ...args, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  running.push(proc);
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Ready to accept connections tcp \(port (\d+)\)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), log: () => out });
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.on("exit", (code) => resolve(code));
  });
}

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
    const proc = spawn(process.execPath, [bin, file, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    running.push(proc);
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    expect(await exited(proc)).not.toBe(0);
    expect(err).toContain("FATAL CONFIG FILE ERROR");
  });
});
