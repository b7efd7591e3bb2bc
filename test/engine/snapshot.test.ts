// The engine's fork-like snapshot (host/engine.ts): memory and every mutable global copied into a
// second instance of the module, which then behaves as the original did at that moment — reads
// see the same data, writes allocate correctly — while the original goes its own way.
import { describe, it, expect } from "vitest";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { execDirect, type Arg } from "../../host/direct.js";
import { Engine } from "../../host/engine.js";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const T0 = 1_700_000_000_000;
const run = (e: Engine, ...cmd: Arg[]) => execDirect(e, [cmd], { nowMs: T0 })[0].toString("latin1");

describe("engine snapshot", () => {
  it("restores the dataset, the allocator and the engine's settings into a new instance", () => {
    const a = loadDebugEngine();
    call(a, "init", 16, 1234, 5678);
    const cmds: Arg[][] = [];
    for (let i = 0; i < 20_000; i++) cmds.push(["SET", `k:${i}`, `v:${i}`]);
    for (let i = 0; i < 300; i++) cmds.push(["RPUSH", "list", `e${i}`], ["SADD", "set", `m${i}`], ["HSET", "hash", `f${i}`, `${i}`]);
    cmds.push(["ZADD", "z", "1.5", "a", "-3", "b"], ["SET", "ttl", "x", "PX", "100000"]);
    execDirect(a, cmds, { nowMs: T0 });
    execDirect(a, [["SET", "other", "db"]], { db: 7, nowMs: T0 });
    const usedBefore = Number(a.x.usedMemory()) >>> 0;

    const snap = a.snapshot();
    const b = Engine.restore(snap);
    // The original moves on; the copy does not see it.
    run(a, "DEL", "k:1");
    run(a, "SET", "new", "1");
    expect(run(b, "GET", "k:1")).toBe("$3\r\nv:1\r\n");
    expect(run(b, "EXISTS", "new")).toBe(":0\r\n");
    expect(Number(b.x.usedMemory()) >>> 0).toBe(usedBefore);
    expect(call(b, "dbKeys", 0)).toBe(20_000 + 5);
    expect(call(b, "dbKeys", 7)).toBe(1);
    expect(run(b, "LRANGE", "list", "0", "2")).toBe("*3\r\n$2\r\ne0\r\n$2\r\ne1\r\n$2\r\ne2\r\n");
    expect(run(b, "SISMEMBER", "set", "m299")).toBe(":1\r\n");
    expect(run(b, "HGET", "hash", "f42")).toBe("$2\r\n42\r\n");
    expect(run(b, "ZSCORE", "z", "a")).toBe("$3\r\n1.5\r\n");
    expect(run(b, "PEXPIRETIME", "ttl")).toBe(`:${T0 + 100000}\r\n`);
    // The copy's allocator and tables work: it can grow, shrink and grow again.
    const more: Arg[][] = [];
    for (let i = 0; i < 20_000; i++) more.push(["SET", `b:${i}`, "y".repeat(i % 100)]);
    execDirect(b, more, { nowMs: T0 });
    expect(call(b, "dbKeys", 0)).toBe(40_000 + 5);
    execDirect(b, [["FLUSHALL"]], { nowMs: T0 });
    expect(call(b, "dbKeys", 0)).toBe(0);
    execDirect(b, cmds, { nowMs: T0 });
    expect(run(b, "GET", "k:19999")).toBe("$7\r\nv:19999\r\n");
    // And the original is intact.
    expect(run(a, "GET", "k:19999")).toBe("$7\r\nv:19999\r\n");
    expect(call(a, "dbKeys", 7)).toBe(1);
  });

  it("can be sent to a worker thread (structured clone) and restored there", async () => {
    const { Worker } = await import("node:worker_threads");
    const a = loadDebugEngine();
    call(a, "init", 16, 1, 2);
    run(a, "SET", "hello", "from the main thread");
    const snap = a.snapshot();
    // The worker restores it with the compiled Engine.restore (built by `npm test`'s build step;
    // a worker cannot load TypeScript), as the AOF rewrite's worker does.
    const engineJs = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "../../dist/host/engine.js")).href;
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(${JSON.stringify(engineJs)}).then(({ Engine }) => parentPort.postMessage(Engine.restore(workerData).x.dbKeys(0)));
    `;
    const w = new Worker(code, { eval: true, workerData: snap, transferList: [snap.memory] });
    const keys = await new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
    await w.terminate();
    expect(keys).toBe(1);
    expect(snap.memory.byteLength).toBe(0); // transferred, not copied
  });
});
