// The wedis-server program as a child process (built by `npm test`'s build step): started on a
// port it picks, with its log collected, killed at the end of each test file that uses it.
import { spawn, type ChildProcess } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const serverBin = join(dirname(fileURLToPath(import.meta.url)), "../../bin/wedis-server.js");
const running: ChildProcess[] = [];

export interface Started {
  proc: ChildProcess;
  port: number;
  log: () => string;
}

/** Starts the server on a port it picks; resolves once it is ready (its AOF loaded). */
export function startProcess(args: string[], timeoutMs = 30_000): Promise<Started> {
  const proc = spawn(process.execPath, [serverBin, ...args, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  running.push(proc);
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
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
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

/** Resolves with the exit code (null when killed by a signal). */
export function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    else proc.on("exit", (code) => resolve(code));
  });
}

/** Kills what is still running (call from afterEach). */
export function killAll(): void {
  for (const p of running.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
}
