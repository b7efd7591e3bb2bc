// Starting and stopping the servers the benchmarks compare: a real redis-server and a Wedis
// process. Every child is registered so that an exit, an error or ctrl-c kills it: a benchmark
// that dies must not leave a server holding a port and a core on a shared machine.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawClient } from "../test/golden/replay.mjs";

const children = new Set();
const tempDirs = new Set();

function killAll() {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a program we track; resolves once it started, rejects with a clear message if missing. */
export function spawnTracked(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    child.output = "";
    child.stdout?.on("data", (d) => (child.output = (child.output + d).slice(-4000)));
    child.stderr?.on("data", (d) => (child.output = (child.output + d).slice(-4000)));
    child.exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
    child.exited.then(() => children.delete(child));
    child.once("error", (e) => {
      children.delete(child);
      reject(e.code === "ENOENT" ? new Error(`'${cmd}' is not installed or not on PATH`) : e);
    });
    child.once("spawn", () => {
      children.add(child);
      resolve(child);
    });
  });
}

/** Waits until the server on `port` answers PING, or fails when it exits or 15 s pass. */
async function waitReady(name, child, port) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before accepting connections:\n${child.output}`);
    }
    try {
      const c = await RawClient.connect(port);
      try {
        if ((await c.call(["PING"], 2000)).toString() === "+PONG\r\n") return;
      } finally {
        c.close();
      }
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer PING on port ${port} within 15 s:\n${child.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopChild(child) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await child.exited;
  }
}

/**
 * Spawns a server (`name` for messages) with the common flags — no persistence, loopback, a
 * `dir` — then `options.args` (they come last and win). The dir is a temp directory removed on
 * stop, or `options.dir`, which is kept.
 */
async function startServerProcess(name, cmd, leading, port, options, spawnOptions = {}) {
  const own = options.dir === undefined;
  const dir = own ? mkdtempSync(join(tmpdir(), `wedis-bench-${name}-`)) : options.dir;
  if (own) tempDirs.add(dir);
  const args = [...leading, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...(options.args ?? [])];
  const child = await spawnTracked(cmd, args, spawnOptions);
  await waitReady(name === "redis" ? "redis-server" : "wedis-server", child, port);
  return {
    name,
    port,
    child,
    stop: async () => {
      await stopChild(child);
      if (own) {
        rmSync(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
      }
    },
  };
}

/** A real redis-server; see startServerProcess for `options` ({ dir, args }). */
export function startRedis(port, options = {}) {
  return startServerProcess("redis", "redis-server", [], port, options);
}

/** Wedis as a process, from the built bin/wedis-server.js; `options` as for startRedis. */
export function startWedis(root, port, options = {}) {
  const bin = join(root, "bin", "wedis-server.js");
  if (!existsSync(bin)) throw new Error(`${bin} not found`);
  if (!existsSync(join(root, "build", "wedis.wasm"))) throw new Error("build/wedis.wasm not found: run `npm run build` first");
  return startServerProcess("wedis", process.execPath, [bin], port, options, { cwd: root });
}

/** Stops a server the way an operator would (SIGTERM: it writes and syncs its AOF first). */
export async function terminate(server) {
  const child = server.child;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await child.exited;
  }
}

/** Runs a program to completion with a time limit; resolves with { code, stdout, stderr, timedOut }. */
export async function runBounded(cmd, args, timeoutMs) {
  const child = await spawnTracked(cmd, args);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  return { code, stdout, stderr, timedOut };
}

/** Checks that a program can be run at all, with a message saying what to install. */
export async function requireProgram(cmd, hint) {
  try {
    const r = await runBounded(cmd, ["--version"], 10_000);
    return r.stdout.trim();
  } catch (e) {
    throw new Error(`${e.message}. ${hint}`);
  }
}
