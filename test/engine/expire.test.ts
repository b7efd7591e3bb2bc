// Expiry inside the engine, with time under the test's control (each exec call carries "now").
import { describe, it, expect, beforeEach } from "vitest";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { execDirect, type Arg } from "../../host/direct.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const T0 = 1_700_000_000_000;

function run(now: number, ...cmd: Arg[]): string {
  return execDirect(engine, [cmd], { nowMs: now })[0].toString("latin1");
}

beforeEach(() => {
  engine = loadDebugEngine();
  call(engine, "init", 16, 1234, 5678);
});

describe("expiry", () => {
  it("a key is gone the millisecond after its time, not before", () => {
    expect(run(T0, "SET", "k", "v")).toBe("+OK\r\n");
    expect(run(T0, "PEXPIRE", "k", "100")).toBe(":1\r\n");
    expect(run(T0 + 100, "GET", "k")).toBe("$1\r\nv\r\n");
    expect(run(T0 + 100, "PTTL", "k")).toBe(":0\r\n");
    expect(run(T0 + 101, "GET", "k")).toBe("$-1\r\n");
    expect(run(T0 + 101, "TTL", "k")).toBe(":-2\r\n");
    expect(call(engine, "engineStat", 2)).toBe(1); // expired_keys
  });

  it("TTL rounds to the nearest second; EXPIRETIME is absolute", () => {
    run(T0, "SET", "k", "v");
    run(T0, "EXPIRE", "k", "10");
    expect(run(T0 + 400, "TTL", "k")).toBe(":10\r\n"); // 9.6 s
    expect(run(T0 + 600, "TTL", "k")).toBe(":9\r\n"); // 9.4 s
    expect(run(T0, "PEXPIRETIME", "k")).toBe(`:${T0 + 10_000}\r\n`);
    expect(run(T0, "EXPIRETIME", "k")).toBe(`:${Math.floor((T0 + 10_000) / 1000)}\r\n`);
    expect(run(T0, "PERSIST", "k")).toBe(":1\r\n");
    expect(run(T0, "PERSIST", "k")).toBe(":0\r\n");
    expect(run(T0, "TTL", "k")).toBe(":-1\r\n");
  });

  it("active expiry removes expired keys nobody reads, and only those", () => {
    const cmds: Arg[][] = [];
    for (let i = 0; i < 5000; i++) cmds.push(["SET", `v:${i}`, "x", "PX", String(i < 4000 ? 10 : 1_000_000)]);
    for (let i = 0; i < 1000; i++) cmds.push(["SET", `p:${i}`, "x"]);
    execDirect(engine, cmds, { nowMs: T0 });
    expect(call(engine, "dbKeys", 0)).toBe(6000);
    expect(call(engine, "dbVolatileKeys", 0)).toBe(5000);
    // Fifty cron ticks. Each stops once a sample is at most 10% stale, so a few expired keys may
    // linger, but far fewer than the 4000 there were.
    for (let tick = 0; tick < 50; tick++) call(engine, "activeExpireCycle", T0 + 20, 1000);
    const left = call(engine, "dbKeys", 0);
    expect(left).toBeLessThan(2000 + 400);
    expect(left).toBeGreaterThanOrEqual(2000);
    expect(call(engine, "engineStat", 2)).toBe(6000 - left);
    for (let i = 0; i < 1000; i++) expect(run(T0 + 20, "EXISTS", `p:${i}`)).toBe(":1\r\n");
    for (let i = 4000; i < 5000; i++) expect(run(T0 + 20, "EXISTS", `v:${i}`)).toBe(":1\r\n");
  });

  it("keys with a TTL keep it across RENAME and MOVE, and lose it on SET", () => {
    run(T0, "SET", "a", "1", "PX", "5000");
    run(T0, "RENAME", "a", "b");
    expect(run(T0, "PTTL", "b")).toBe(":5000\r\n");
    expect(run(T0, "MOVE", "b", "3")).toBe(":1\r\n");
    expect(execDirect(engine, [["PTTL", "b"]], { nowMs: T0, db: 3 })[0].toString()).toBe(":5000\r\n");
    expect(execDirect(engine, [["SET", "b", "2"]], { nowMs: T0, db: 3 })[0].toString()).toBe("+OK\r\n");
    expect(execDirect(engine, [["PTTL", "b"]], { nowMs: T0, db: 3 })[0].toString()).toBe(":-1\r\n");
    expect(call(engine, "dbVolatileKeys", 3)).toBe(0);
  });

  it("EXPIRE options NX XX GT LT", () => {
    run(T0, "SET", "k", "v");
    expect(run(T0, "EXPIRE", "k", "100", "XX")).toBe(":0\r\n");
    expect(run(T0, "EXPIRE", "k", "100", "GT")).toBe(":0\r\n"); // no TTL = infinite
    expect(run(T0, "EXPIRE", "k", "100", "NX")).toBe(":1\r\n");
    expect(run(T0, "EXPIRE", "k", "200", "NX")).toBe(":0\r\n");
    expect(run(T0, "EXPIRE", "k", "50", "GT")).toBe(":0\r\n");
    expect(run(T0, "EXPIRE", "k", "150", "GT")).toBe(":1\r\n");
    expect(run(T0, "EXPIRE", "k", "170", "LT")).toBe(":0\r\n");
    expect(run(T0, "EXPIRE", "k", "120", "LT")).toBe(":1\r\n");
    expect(run(T0, "TTL", "k")).toBe(":120\r\n");
    expect(run(T0, "EXPIRE", "k", "1", "NX", "XX")).toBe(
      "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
    );
    expect(run(T0, "EXPIRE", "k", "1", "GT", "LT")).toBe("-ERR GT and LT options at the same time are not compatible\r\n");
    expect(run(T0, "EXPIRE", "k", "1", "foo")).toBe("-ERR Unsupported option foo\r\n");
    expect(run(T0, "EXPIRE", "k", "9223372036854775807")).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(run(T0, "EXPIRE", "k", "-1")).toBe(":1\r\n"); // in the past: deleted
    expect(run(T0, "EXISTS", "k")).toBe(":0\r\n");
  });
});
