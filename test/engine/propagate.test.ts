// What the engine propagates (assembly/propagate.ts): each change as a command whose replay gives
// the same dataset later, on an engine seeded differently. The expected forms are those a real
// Redis 7.0.15 wrote to its AOF for the same commands (recorded by hand with redis-server).
import { describe, it, expect, beforeEach } from "vitest";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { parseCommands } from "../helpers/resp-commands.js";
import { execDirect, type Arg } from "../../host/direct.js";
import type { Engine } from "../../host/engine.js";

let engine: Engine;
const T0 = 1_700_000_000_000;

function run(now: number, ...cmd: Arg[]): string {
  return execDirect(engine, [cmd], { nowMs: now })[0].toString("latin1");
}

/** The commands propagated since the last call, as string arrays; drains the buffer. */
function taken(): string[][] {
  const len = call(engine, "propagatedLen") >>> 0;
  const ptr = call(engine, "propagatedPtr") >>> 0;
  const bytes = Buffer.from(engine.u8().subarray(ptr, ptr + len));
  call(engine, "propagatedReset");
  return parseCommands(bytes);
}

beforeEach(() => {
  engine = loadDebugEngine();
  call(engine, "init", 16, 1234, 5678);
  call(engine, "setPropagation", 1);
});

describe("propagation", () => {
  it("is off until the host turns it on, and costs nothing then", () => {
    call(engine, "setPropagation", 0);
    run(T0, "SET", "k", "v");
    expect(call(engine, "propagatedLen")).toBe(0);
  });

  it("copies a write as sent, after a SELECT of its database, and nothing for reads or no-ops", () => {
    run(T0, "set", "k", "v");
    run(T0, "GET", "k");
    run(T0, "DEL", "missing");
    run(T0, "EXPIRE", "missing", "10");
    run(T0, "SETNX", "k", "other");
    run(T0, "INCR", "n");
    expect(taken()).toEqual([["SELECT", "0"], ["set", "k", "v"], ["INCR", "n"]]);
    // The database is written only when it changes.
    execDirect(engine, [["SET", "a", "1"]], { db: 3, nowMs: T0 });
    execDirect(engine, [["SET", "b", "2"]], { db: 3, nowMs: T0 });
    run(T0, "SET", "c", "3");
    expect(taken()).toEqual([["SELECT", "3"], ["SET", "a", "1"], ["SET", "b", "2"], ["SELECT", "0"], ["SET", "c", "3"]]);
    call(engine, "propagationForceSelect");
    run(T0, "SET", "d", "4");
    expect(taken()).toEqual([["SELECT", "0"], ["SET", "d", "4"]]);
  });

  it("writes relative expiries as absolute times in ms", () => {
    run(T0, "SET", "k", "v", "EX", "100");
    run(T0, "SET", "k", "v", "PX", "100", "GET");
    run(T0, "SET", "k", "v", "EXAT", String(T0 / 1000 + 5));
    run(T0, "SET", "k", "v", "PXAT", String(T0 + 7), "XX");
    run(T0, "SETEX", "k", "10", "v");
    run(T0, "PSETEX", "k", "10", "v");
    run(T0, "EXPIRE", "k", "100");
    run(T0, "PEXPIRE", "k", "100", "GT"); // sooner than the TTL it has: no change
    run(T0, "PEXPIRE", "k", "200000", "GT");
    run(T0, "EXPIREAT", "k", String(T0 / 1000 + 500));
    run(T0, "GETEX", "k", "EX", "9");
    run(T0, "GETEX", "k", "PERSIST");
    run(T0, "GETEX", "k", "PERSIST"); // no TTL left: no change
    run(T0, "GETEX", "k");
    expect(taken().slice(1)).toEqual([
      ["SET", "k", "v", "PXAT", String(T0 + 100_000)],
      ["SET", "k", "v", "PXAT", String(T0 + 100)],
      ["SET", "k", "v", "PXAT", String(T0 + 5000)],
      ["SET", "k", "v", "PXAT", String(T0 + 7), "XX"],
      ["SET", "k", "v", "PXAT", String(T0 + 10_000)],
      ["SET", "k", "v", "PXAT", String(T0 + 10)],
      ["PEXPIREAT", "k", String(T0 + 100_000)],
      ["PEXPIREAT", "k", String(T0 + 200_000), "GT"],
      ["PEXPIREAT", "k", String(T0 + 500_000)],
      ["PEXPIREAT", "k", String(T0 + 9000)],
      ["PERSIST", "k"],
    ]);
  });

  it("writes an expiry in the past, GETDEL and GETEX to a past time as DEL", () => {
    run(T0, "MSET", "a", "1", "b", "2", "c", "3");
    taken();
    run(T0, "EXPIRE", "a", "-1");
    run(T0, "GETDEL", "b");
    run(T0, "GETEX", "c", "PXAT", String(T0 - 1));
    expect(taken()).toEqual([["DEL", "a"], ["DEL", "b"], ["DEL", "c"]]);
  });

  it("writes keys that expired or were evicted as DEL, ahead of the command that found them", () => {
    run(T0, "SET", "k", "1", "PX", "10");
    taken();
    run(T0 + 11, "SET", "k", "2");
    expect(taken()).toEqual([["DEL", "k"], ["SET", "k", "2"]]);
    run(T0, "SET", "gone", "x", "PX", "5");
    taken();
    run(T0 + 6, "GET", "gone"); // a read that finds it expired
    expect(taken()).toEqual([["DEL", "gone"]]);
    // Active expiry, in another database.
    execDirect(engine, [["SET", "t", "x", "PX", "5"]], { db: 2, nowMs: T0 });
    run(T0, "SET", "other", "1");
    taken();
    call(engine, "activeExpireCycle", T0 + 10, 100);
    expect(taken()).toEqual([["SELECT", "2"], ["DEL", "t"]]);
    // Eviction.
    const cmds: Arg[][] = [];
    for (let i = 0; i < 5000; i++) cmds.push(["SET", `e:${i}`, "x".repeat(200)]);
    execDirect(engine, cmds, { nowMs: T0 });
    taken(); // over a megabyte: the buffer is given back once drained

    const used = Number(call(engine, "usedMemory")) >>> 0;
    (engine.x.setMaxmemory as (b: bigint, p: number) => void)(BigInt(used - 50_000), 1); // allkeys-lru
    call(engine, "performEvictions");
    const dels = taken().filter((c) => c[0] !== "SELECT");
    expect(dels.length).toBeGreaterThan(0);
    for (const d of dels) expect(d[0]).toBe("DEL");
    for (const d of dels) expect(run(T0, "EXISTS", d[1])).toBe(":0\r\n");
  });

  it("writes the results of INCRBYFLOAT and HINCRBYFLOAT, not the increments", () => {
    run(T0, "INCRBYFLOAT", "f", "1.5");
    run(T0, "INCRBYFLOAT", "f", "0.1");
    run(T0, "HINCRBYFLOAT", "h", "x", "1.25");
    expect(taken().slice(1)).toEqual([
      ["SET", "f", "1.5", "KEEPTTL"],
      ["SET", "f", "1.6", "KEEPTTL"],
      ["HSET", "h", "x", "1.25"],
    ]);
  });

  it("writes SPOP as the SREM of the members it popped, or DEL when it took them all", () => {
    for (const members of [["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]]) {
      run(T0, "DEL", "s");
      run(T0, "SADD", "s", ...members);
      taken();
      const one = run(T0, "SPOP", "s").split("\r\n")[1];
      expect(taken()).toEqual([["SREM", "s", one]]);
      // Few popped (one by one) and most popped (the keepers moved out): both say which.
      for (const count of [2, 6]) {
        const reply = run(T0, "SPOP", "s", String(count)).split("\r\n").filter((_, k) => k % 2 === 0 && k > 0);
        const props = taken();
        expect(props.length).toBe(1);
        expect(props[0].slice(0, 2)).toEqual(["SREM", "s"]);
        expect(props[0].slice(2).sort()).toEqual(reply.slice(0, count).sort());
      }
      run(T0, "SPOP", "s", "100");
      expect(taken()).toEqual([["DEL", "s"]]);
    }
  });

  it("writes blocking and multi-key pops as the pop of the key they served", () => {
    run(T0, "RPUSH", "l", "a", "b", "c", "d", "e");
    run(T0, "ZADD", "z", "1", "a", "2", "b", "3", "c");
    run(T0, "RPUSH", "L", "1", "2");
    taken();
    run(T0, "BLPOP", "none", "l", "0");
    run(T0, "BRPOP", "l", "0");
    run(T0, "LMPOP", "2", "none", "l", "RIGHT", "COUNT", "2");
    run(T0, "BLMPOP", "0", "1", "l", "left");
    run(T0, "BLMOVE", "L", "L2", "left", "RIGHT", "0");
    run(T0, "BRPOPLPUSH", "L", "L3", "0");
    run(T0, "BZPOPMIN", "z", "0");
    run(T0, "BZPOPMAX", "z", "0");
    run(T0, "ZMPOP", "1", "z", "MIN", "COUNT", "5");
    expect(taken()).toEqual([
      ["LPOP", "l"],
      ["RPOP", "l"],
      ["RPOP", "l", "2"],
      ["LPOP", "l", "1"],
      ["LMOVE", "L", "L2", "left", "RIGHT"],
      ["RPOPLPUSH", "L", "L3"],
      ["ZPOPMIN", "z"],
      ["ZPOPMAX", "z"],
      ["ZPOPMIN", "z", "5"],
    ]);
    // A command that would block (or fails) changes nothing and writes nothing.
    run(T0, "BLPOP", "l", "0");
    run(T0, "BZPOPMIN", "z", "0");
    expect(taken()).toEqual([]);
  });

  it("wraps a transaction of two or more commands in MULTI/EXEC, after its SELECT", () => {
    call(engine, "propagateMulti", 1);
    execDirect(engine, [["SET", "a", "1"], ["GET", "a"], ["INCR", "a"]], { db: 5, nowMs: T0 });
    call(engine, "propagateMulti", 0);
    expect(taken()).toEqual([["SELECT", "5"], ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["EXEC"]]);
    call(engine, "propagateMulti", 1);
    execDirect(engine, [["GET", "a"], ["SET", "b", "1"]], { db: 5, nowMs: T0 });
    call(engine, "propagateMulti", 0);
    expect(taken()).toEqual([["SET", "b", "1"]]);
    call(engine, "propagateMulti", 1);
    call(engine, "propagateMulti", 0);
    expect(taken()).toEqual([]);
  });

  it("keeps a transaction whole when the host drains in the middle of it", () => {
    run(T0, "SET", "before", "1");
    call(engine, "propagateMulti", 1);
    run(T0, "SET", "x", "1");
    const early = taken(); // only what came before the transaction
    expect(early).toEqual([["SELECT", "0"], ["SET", "before", "1"]]);
    run(T0, "SET", "y", "2");
    expect(call(engine, "propagatedLen")).toBe(0);
    call(engine, "propagateMulti", 0);
    expect(taken()).toEqual([["MULTI"], ["SET", "x", "1"], ["SET", "y", "2"], ["EXEC"]]);
  });

  it("while loading, finds no key expired and an expiry in the past sets the time", () => {
    call(engine, "setPropagation", 0);
    call(engine, "setLoading", 1);
    run(T0, "SET", "k", "1", "PXAT", String(T0 - 1000));
    run(T0, "INCR", "k");
    run(T0, "SET", "j", "v");
    run(T0, "PEXPIREAT", "j", String(T0 - 5));
    expect(run(T0, "GET", "k")).toBe("$1\r\n2\r\n");
    expect(run(T0, "EXISTS", "j")).toBe(":1\r\n");
    call(engine, "setLoading", 0);
    expect(run(T0, "GET", "k")).toBe("$-1\r\n");
    expect(run(T0, "EXISTS", "j")).toBe(":0\r\n");
  });

  it("leaves its buffer out of what maxmemory holds data to", () => {
    const cmds: Arg[][] = [];
    for (let i = 0; i < 2000; i++) cmds.push(["SET", `k:${i}`, "y".repeat(200)]);
    execDirect(engine, cmds, { nowMs: T0 });
    // Half a megabyte of propagation waits in the buffer; the data alone is under the limit.
    const used = Number(call(engine, "usedMemory")) >>> 0;
    const bufCap = 512 * 1024;
    expect(call(engine, "propagatedLen")).toBeGreaterThan(400_000);
    (engine.x.setMaxmemory as (b: bigint, p: number) => void)(BigInt(used - bufCap + 64 * 1024), 1);
    expect(call(engine, "evictIfNeeded")).toBe(0);
    expect(call(engine, "dbKeys", 0)).toBe(2000);
  });
});
