// The AOF rewrite (assembly/aofrw.ts): a dataset of every type and encoding, TTLs (one already
// past), binary keys and values, several databases with empty ones between them and tables caught
// mid-rehash is written out in small steps; the text must follow Redis 7's rewrite format, replay
// into a fresh engine as exactly the same dataset, and the walk must leave the source engine's
// heap untouched byte for byte.
import { describe, it, expect, beforeAll } from "vitest";
import { loadDebugEngine, call } from "../helpers/engine.js";
import { execDirect, type Arg } from "../../host/direct.js";
import type { Engine } from "../../host/engine.js";

const T0 = 1_700_000_000_000; // the clock the dataset is built and compared at
const T1 = T0 + 60_000; // the clock at the rewrite: one key is past its TTL by then
const DBS = 16;

// ---- RESP -------------------------------------------------------------------------------------

type Reply = Buffer | bigint | string | null | Reply[] | { error: string };

/** Parses one reply at `pos`; returns it and the position after it. */
function parseReply(b: Buffer, pos: number): [Reply, number] {
  const eol = b.indexOf("\r\n", pos);
  const head = b.toString("latin1", pos + 1, eol);
  const next = eol + 2;
  switch (String.fromCharCode(b[pos])) {
    case "+": return [head, next];
    case "-": return [{ error: head }, next];
    case ":": return [BigInt(head), next];
    case "$": {
      const n = Number(head);
      if (n < 0) return [null, next];
      return [b.subarray(next, next + n), next + n + 2];
    }
    case "*": {
      const n = Number(head);
      if (n < 0) return [null, next];
      const out: Reply[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [r, q] = parseReply(b, p);
        out.push(r);
        p = q;
      }
      return [out, p];
    }
  }
  throw new Error(`unexpected reply byte ${b[pos]} at ${pos}`);
}

/**
 * Splits AOF text into commands, strictly: only arrays of bulk strings, every length exact, every
 * line ended by CRLF, nothing left over. Returns each command with the offset just past it.
 */
function parseCommands(b: Buffer): { args: Buffer[]; end: number }[] {
  const out: { args: Buffer[]; end: number }[] = [];
  let p = 0;
  const line = (prefix: string): number => {
    if (String.fromCharCode(b[p]) !== prefix) throw new Error(`expected '${prefix}' at ${p}`);
    const eol = b.indexOf("\r\n", p);
    if (eol < 0) throw new Error(`unterminated line at ${p}`);
    const text = b.toString("latin1", p + 1, eol);
    if (!/^(0|[1-9][0-9]*)$/.test(text)) throw new Error(`bad length '${text}' at ${p}`);
    p = eol + 2;
    return Number(text);
  };
  while (p < b.length) {
    const argc = line("*");
    const args: Buffer[] = [];
    for (let i = 0; i < argc; i++) {
      const n = line("$");
      if (p + n + 2 > b.length || b[p + n] !== 13 || b[p + n + 1] !== 10) throw new Error(`bad bulk end at ${p + n}`);
      args.push(b.subarray(p, p + n));
      p += n + 2;
    }
    out.push({ args, end: p });
  }
  return out;
}

// ---- engines ----------------------------------------------------------------------------------

function newEngine(): Engine {
  const e = loadDebugEngine();
  call(e, "init", DBS, 1234, 5678);
  return e;
}

function run(e: Engine, db: number, cmd: Arg[], nowMs = T0): Reply {
  const [r] = parseReply(execDirect(e, [cmd], { db, nowMs })[0], 0);
  if (r !== null && typeof r === "object" && "error" in r) throw new Error(`${cmd.map(String).join(" ")}: ${r.error}`);
  return r;
}

/** The table of a key's value (set, hash, skiplist), found without moving a rehash along. */
function keyDict(e: Engine, db: number, key: string): number {
  const b = Buffer.from(key);
  const p = e.x.reserveData(b.length) >>> 0; // the data area: no allocation, nothing on the heap moves
  e.u8().set(b, p);
  return call(e, "tkKeyDict", db, p, b.length) >>> 0;
}
const rehashing = (e: Engine, dict: number) => call(e, "tkDictRehashing", dict) === 1;

interface Rewrite {
  steps: Buffer[];
  keys: number[]; // rewriteKeys after each step
  all: Buffer;
}

function rewrite(e: Engine, budget: number): Rewrite {
  call(e, "rewriteBegin");
  const steps: Buffer[] = [];
  const keys: number[] = [];
  for (;;) {
    const n = call(e, "rewriteStep", budget) >>> 0;
    if (n === 0) break;
    expect(e.x.outputLen() >>> 0).toBe(n);
    steps.push(e.copyOut(e.x.outputPtr(), n));
    keys.push(call(e, "rewriteKeys"));
    if (steps.length > 1_000_000) throw new Error("the walk does not end");
  }
  // Once over, it stays over.
  expect(call(e, "rewriteStep", budget) >>> 0).toBe(0);
  return { steps, keys, all: Buffer.concat(steps) };
}

// ---- the dataset ------------------------------------------------------------------------------

const bin = (...bytes: number[]) => Buffer.from(bytes);
const BIN_KEY = bin(0, 13, 10, 0xff, 0x80, 0x41, 0);
const BIN_VAL = bin(0x80, 0, 13, 10, 0xfe, 0x24, 0x2a, 13, 10, 0);
const seq = (n: number, f: (i: number) => Arg) => Array.from({ length: n }, (_, i) => f(i));
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

// Scores whose text must survive: zeros of both signs, infinities, a value with no exact decimal
// form, the extremes of the double range, integers around 2^52 and 2^53.
const SCORES = [
  "0", "-0", "1.5", "1e300", "-1e300", "-inf", "inf", "+inf", "0.30000000000000004", "0.1", "-2.5e-8",
  "5e-324", "2.2250738585072014e-308", "1.7976931348623157e+308", "4503599627370495", "4503599627370496",
  "9007199254740993", "1e16", "123456789012345678", "-17", "42",
];

/** Builds the source dataset; returns what the test needs to know about it. */
function build(e: Engine) {
  // db 0: every type and encoding.
  const r0 = (...c: Arg[]) => run(e, 0, c);
  r0("SET", "s:embstr", "hello");
  r0("SET", "s:int", "12345");
  r0("SET", "s:minint", "-9223372036854775808");
  r0("SET", "s:notint", "007");
  r0("SET", "s:empty", "");
  r0("SET", "s:44", "e".repeat(44));
  r0("SET", "s:raw", "r".repeat(45));
  r0("SET", "s:big", bytes(100_000, 1));
  r0("SET", BIN_KEY, BIN_VAL);
  r0("SET", "s:ttl", "v", "PX", "100000");
  r0("RPUSH", "l:small", "a", "42", "", BIN_VAL, "-7", "9223372036854775807", "x".repeat(70));
  r0("RPUSH", "l:64", ...seq(64, (i) => `e${i}`));
  r0("RPUSH", "l:65", ...seq(65, (i) => String(i)));
  r0("RPUSH", "l:129", ...seq(129, (i) => `item-${i}`));
  r0("RPUSH", "l:nodes", ...seq(300, (i) => `${i}:${"n".repeat(100)}`)); // 30 KB: several 8 KB nodes
  r0("LPUSH", "l:heads", ...seq(200, (i) => (i % 3 === 0 ? String(i * 1000) : bytes(20, i)))); // pushed at the head
  r0("LINSERT", "l:heads", "BEFORE", "3000", "inserted");
  r0("SADD", "set:int", "1", "-5", "70000", "-9223372036854775808", "9223372036854775807", "0");
  r0("SADD", "set:int600", ...seq(600, (i) => String(i * 7 - 2000))); // too many for an intset
  r0("SADD", "set:str", "a", "b", BIN_VAL, "", "123");
  r0("SADD", "set:str200", ...seq(200, (i) => `m${i}`));
  r0("HSET", "h:lp", "f", "v", "1", "2", "-3", "", BIN_VAL, BIN_VAL, "0123", "9223372036854775807");
  r0("HSET", "h:lp128", ...seq(128, (i) => [`f${i}`, String(i)]).flat());
  r0("HSET", "h:ht200", ...seq(200, (i) => [`f${i}`, `v${i}`]).flat());
  r0("HSET", "h:htlong", "short", "1", "long", "L".repeat(100));
  r0("ZADD", "z:lp", ...SCORES.flatMap((s, i) => [s, `m${i}`]), "7", "42", "7", "-1", "0", BIN_VAL);
  r0("ZADD", "z:sl", ...SCORES.flatMap((s, i) => [s, `m${i}`]), ...seq(200, (i) => [String(i / 7), String(i)]).flat());
  r0("ZADD", "z:sl", "-0", "negzero"); // a skiplist keeps the sign of a zero
  r0("ZADD", "z:sllong", "-0", "M".repeat(80), "0.1", "b", "-inf", "c"); // a member too long for a listpack
  r0("ZADD", "z:lp-ttl", "1", "a", "2", "b");
  r0("PEXPIREAT", "z:lp-ttl", String(T0 + 500_000));
  r0("RPUSH", "l:ttl", ...seq(70, (i) => String(i)));
  r0("PEXPIRE", "l:ttl", "3600000");
  r0("SET", "s:expired", "gone soon", "PXAT", String(T0 + 1000));

  // db 1: the same names with other values, binary keys, a TTL on a set and a hash.
  const r1 = (...c: Arg[]) => run(e, 1, c);
  r1("SET", "s:embstr", "db1");
  r1("SADD", BIN_KEY, "x", "y");
  r1("HSET", bin(0xff), bin(0), bin(13, 10));
  r1("SADD", "set:ttl", ...seq(100, (i) => String(i)));
  r1("PEXPIRE", "set:ttl", "99999");
  r1("HSET", "h:ttl", ...seq(150, (i) => [`k${i}`, `${i}`]).flat());
  r1("PEXPIREAT", "h:ttl", String(T0 + 123_456));

  // db 2: never used. db 3: keys that were deleted (its table is there, empty).
  run(e, 3, ["SET", "a", "1"]);
  run(e, 3, ["RPUSH", "b", "1"]);
  run(e, 3, ["DEL", "a", "b"]);

  // db 4: a set's and a hash's table mid-rehash, grown one member at a time until caught.
  let i = 0;
  do run(e, 4, ["SADD", "set:rehash", `member-${i++}`]);
  while (i < 100 || !rehashing(e, keyDict(e, 4, "set:rehash")));
  i = 0;
  do run(e, 4, ["HSET", "h:rehash", `field-${i}`, `value-${i++}`]);
  while (i < 200 || !rehashing(e, keyDict(e, 4, "h:rehash")));
  i = 0;
  do run(e, 4, ["ZADD", "z:rehash", String(i), `zm-${i++}`]);
  while (i < 200 || !rehashing(e, keyDict(e, 4, "z:rehash")));

  // db 5: the keyspace table itself mid-rehash, with keys in both tables.
  run(e, 5, ["SET", "first", "1"]);
  i = 0;
  do run(e, 5, ["SET", `key:${i++}`, String(i)]);
  while (i < 100 || call(e, "tkDictRehashing", call(e, "tkDbDict", 5)) !== 1);
  run(e, 5, ["RPUSH", "late:list", "a", "b"]);
  run(e, 5, ["SADD", "late:set", "1", "2"]);
  run(e, 5, ["SET", "late:ttl", "x", "EX", "1000"]);

  // db 14: a big reply grows the output buffer now, so the walk will not have to (see below).
  run(e, 14, ["SET", "big", Buffer.alloc(4 << 20, 0x61)]);
  run(e, 14, ["GET", "big"]);
  run(e, 14, ["DEL", "big"]);

  // db 15: one key at the top.
  run(e, 15, ["HSET", "last", "f", "v"]);

  // The clock moves on: s:expired is past its TTL. A command that touches no key sets it.
  run(e, 15, ["DBSIZE"], T1);

  expect(rehashing(e, call(e, "tkDbDict", 5) >>> 0)).toBe(true);
  for (const k of ["set:rehash", "h:rehash", "z:rehash"]) expect(rehashing(e, keyDict(e, 4, k))).toBe(true);
}

// ---- reading a dataset -----------------------------------------------------------------------

const hex = (b: Buffer) => b.toString("hex");
const sortBufs = (a: Buffer[]) => [...a].sort((x, y) => Buffer.compare(x, y));

/** Everything observable about one key, as text. */
function describeKey(e: Engine, db: number, key: Buffer): unknown {
  const r = (...c: Arg[]) => run(e, db, c);
  const type = r("TYPE", key) as string;
  const encoding = (r("OBJECT", "ENCODING", key) as Buffer).toString();
  const pexpiretime = String(r("PEXPIRETIME", key));
  let contents: unknown;
  const list = (x: Reply) => (x as Buffer[]).map(hex);
  if (type === "string") contents = hex(r("GET", key) as Buffer);
  else if (type === "list") contents = list(r("LRANGE", key, "0", "-1"));
  else if (type === "set") contents = sortBufs(r("SMEMBERS", key) as Buffer[]).map(hex);
  else if (type === "hash") {
    const flat = r("HGETALL", key) as Buffer[];
    const pairs: string[][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([hex(flat[i]), hex(flat[i + 1])]);
    // A listpack hash has an order (insertion); a hashtable's is its own.
    if (encoding !== "listpack") pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    contents = pairs;
  } else if (type === "zset") contents = (r("ZRANGE", key, "0", "-1", "WITHSCORES") as Buffer[]).map((b) => b.toString("latin1"));
  else throw new Error(`unexpected type ${type}`);
  return { type, encoding, pexpiretime, contents };
}

function dataset(e: Engine): Map<string, unknown>[] {
  const out: Map<string, unknown>[] = [];
  for (let db = 0; db < DBS; db++) {
    const m = new Map<string, unknown>();
    for (const k of sortBufs(run(e, db, ["KEYS", "*"]) as Buffer[])) m.set(hex(k), describeKey(e, db, k));
    out.push(m);
  }
  return out;
}

/** Replays rewrite commands into an engine; SELECT is the host's, so it is done here. */
function replay(e: Engine, cmds: Buffer[][]): void {
  let db = 0;
  let batch: Buffer[][] = [];
  const flush = () => {
    if (batch.length === 0) return;
    for (const reply of execDirect(e, batch, { db, nowMs: T0 })) expect(reply[0]).not.toBe(0x2d); // '-': no error
    batch = [];
  };
  for (const c of cmds) {
    if (c[0].toString() === "SELECT") {
      flush();
      db = Number(c[1].toString());
    } else batch.push(c);
  }
  flush();
}

// ---- the tests ---------------------------------------------------------------------------------

describe("AOF rewrite", () => {
  let src: Engine;
  let first: Rewrite; // budget 1: one command per step (two with a SELECT)
  let before: { heap: Uint8Array; heapStart: number; stats: number[]; out: number; outCap: number };

  beforeAll(() => {
    src = newEngine();
    build(src);
    // Everything the walk could change, taken just before it.
    const heapStart = call(src, "allocHeapFirstPage") << 12;
    const u8 = src.u8();
    const stats: number[] = [];
    for (let s = 0; s <= 5; s++) stats.push(src.x.engineStat(s));
    for (let db = 0; db < DBS; db++) stats.push(src.x.dbKeys(db), src.x.dbVolatileKeys(db));
    const out = src.x.outputPtr() >>> 0;
    before = { heap: u8.slice(heapStart), heapStart, stats, out, outCap: src.x.memUsable(out) >>> 0 };
    first = rewrite(src, 1);
  });

  it("leaves the source engine exactly as it was: heap bytes, counters, tables mid-rehash", () => {
    const e = src;
    const stats: number[] = [];
    for (let s = 0; s <= 5; s++) stats.push(e.x.engineStat(s));
    for (let db = 0; db < DBS; db++) stats.push(e.x.dbKeys(db), e.x.dbVolatileKeys(db));
    expect(stats).toEqual(before.stats); // hits, misses, expired, evicted, dirty, used memory, keys
    // Every byte of the heap but the output buffer's (which did not have to grow or move).
    expect(e.x.outputPtr() >>> 0).toBe(before.out);
    const now = e.u8();
    expect(now.length - before.heapStart).toBe(before.heap.length);
    const outStart = before.out - before.heapStart;
    const outEnd = outStart + before.outCap;
    let diff = -1;
    for (let i = 0; i < before.heap.length; i++) {
      if (i >= outStart && i < outEnd) continue;
      if (now[before.heapStart + i] !== before.heap[i]) {
        diff = before.heapStart + i;
        break;
      }
    }
    expect(diff).toBe(-1);
    expect(call(e, "allocCheck")).toBe(0);
    expect(rehashing(e, call(e, "tkDbDict", 5) >>> 0)).toBe(true);
    for (const k of ["set:rehash", "h:rehash", "z:rehash"]) expect(rehashing(e, keyDict(e, 4, k))).toBe(true);
  });

  it("writes whole commands in every step, stopping at the one that reaches the budget", () => {
    for (const budget of [1, 100, 4096]) {
      const r = budget === 1 ? first : rewrite(src, budget);
      expect(r.all.equals(first.all)).toBe(true); // the same text whatever the step size
      r.steps.forEach((step, i) => {
        const cmds = parseCommands(step); // throws on a cut command
        // The budget is checked after each unit: a command with the SELECT before it and the
        // PEXPIREAT after it, which go out together.
        const ends: number[] = [];
        cmds.forEach((c) => {
          const name = c.args[0].toString();
          if (name === "SELECT") return;
          if (name === "PEXPIREAT" && ends.length) ends[ends.length - 1] = c.end;
          else ends.push(c.end);
        });
        expect(ends.length).toBeGreaterThan(0);
        expect(ends[ends.length - 1]).toBe(step.length);
        const beforeLast = ends.length > 1 ? ends[ends.length - 2] : 0;
        expect(beforeLast).toBeLessThan(budget); // it did not go on past the budget
        if (i < r.steps.length - 1) expect(step.length).toBeGreaterThanOrEqual(budget); // nor stop short
        if (budget === 1) expect(ends.length).toBe(1);
      });
      for (let i = 1; i < r.keys.length; i++) expect(r.keys[i]).toBeGreaterThanOrEqual(r.keys[i - 1]);
    }
    const whole = rewrite(src, 2 ** 31);
    expect(whole.steps.length).toBe(1);
    expect(whole.all.equals(first.all)).toBe(true);
  });

  it("follows Redis's rewrite format: SELECT per non-empty db, 64 items per command, PEXPIREAT last", () => {
    const cmds = parseCommands(first.all).map((c) => c.args);
    const names = new Set(["SELECT", "SET", "RPUSH", "SADD", "HMSET", "ZADD", "PEXPIREAT"]);
    expect(cmds[0][0].toString()).toBe("SELECT");
    const selected: number[] = [];
    const seen = new Set<string>(); // db/key already finished
    let db = -1;
    let key: string | null = null;
    let items: number[] = []; // item counts of the current key's commands
    let ttl = false;
    let keysWritten = 0;
    const finishKey = () => {
      if (key === null) return;
      // Full commands of 64 first, the rest last.
      for (let i = 0; i < items.length - 1; i++) expect(items[i]).toBe(64);
      if (items.length) expect(items[items.length - 1]).toBeGreaterThan(0);
      const pexpiretime = run(src, db, ["PEXPIRETIME", Buffer.from(key, "hex")], T0);
      expect(ttl).toBe(pexpiretime !== -1n);
      seen.add(`${db}/${key}`);
      keysWritten++;
      key = null;
    };
    for (const c of cmds) {
      const name = c[0].toString();
      expect(names.has(name)).toBe(true); // upper case, and only these
      if (name === "SELECT") {
        finishKey();
        expect(c.length).toBe(2);
        const j = Number(c[1].toString());
        expect(j).toBeGreaterThan(db);
        selected.push((db = j));
        continue;
      }
      const k = hex(c[1]);
      if (k !== key) {
        finishKey();
        expect(seen.has(`${db}/${k}`)).toBe(false); // a key's commands are contiguous
        key = k;
        items = [];
        ttl = false;
      }
      expect(ttl).toBe(false); // nothing after PEXPIREAT
      if (name === "PEXPIREAT") {
        expect(c.length).toBe(3);
        ttl = true;
      } else if (name === "SET") {
        expect(c.length).toBe(3);
        expect(items.length).toBe(0);
      } else if (name === "RPUSH" || name === "SADD") items.push(c.length - 2);
      else {
        expect((c.length - 2) % 2).toBe(0);
        items.push((c.length - 2) / 2);
      }
      if (items.length) expect(items[items.length - 1]).toBeLessThanOrEqual(64);
    }
    finishKey();
    const nonEmpty = [...Array(DBS).keys()].filter((j) => src.x.dbKeys(j) > 0);
    expect(selected).toEqual(nonEmpty);
    expect(selected).not.toContain(2);
    expect(selected).not.toContain(3);
    let total = 0;
    for (let j = 0; j < DBS; j++) total += src.x.dbKeys(j);
    expect(keysWritten).toBe(total);
    expect(first.keys[first.keys.length - 1]).toBe(total);

    // The key past its TTL is written, with its (past) expiry.
    const expired = cmds.findIndex((c) => c[1]?.toString() === "s:expired" && c[0].toString() === "SET");
    expect(expired).toBeGreaterThan(0);
    expect(cmds[expired + 1].map(String)).toEqual(["PEXPIREAT", "s:expired", String(T0 + 1000)]);
    // Scores as "%.17g".
    const zadd = cmds.filter((c) => c[0].toString() === "ZADD" && c[1].toString() === "z:sl").flatMap((c) => c.slice(2));
    const scores = new Map<string, string>();
    for (let i = 0; i < zadd.length; i += 2) scores.set(zadd[i + 1].toString("latin1"), zadd[i].toString());
    expect(scores.get("m0")).toBe("0");
    expect(scores.get("m1")).toBe("0"); // added while the set was still a listpack, which keeps "0"
    expect(scores.get("negzero")).toBe("-0");
    expect(scores.get("m5")).toBe("-inf");
    expect(scores.get("m7")).toBe("inf");
    expect(scores.get("m8")).toBe("0.30000000000000004");
    expect(scores.get("m9")).toBe("0.10000000000000001");
    expect(scores.get("m11")).toBe("4.9406564584124654e-324");
    expect(scores.get("m16")).toBe("9007199254740992");
  });

  it("replays into a fresh engine as the same dataset: types, encodings, contents, expiry times", () => {
    const dst = newEngine();
    replay(dst, parseCommands(first.all).map((c) => c.args));
    const want = dataset(src);
    const got = dataset(dst);
    // One known difference, not the rewrite's: z:sl's -0 is written as "-0", but the replayed
    // ZADDs build the set as a listpack until it outgrows one, and a listpack stores a zero score
    // as "0" (Redis 7.0 does the same). A -0 that arrives once the set is a skiplist (z:sllong's)
    // keeps its sign.
    const zsl = want[0].get(hex(Buffer.from("z:sl"))) as { contents: string[] };
    const at = zsl.contents.indexOf("negzero");
    expect(zsl.contents[at + 1]).toBe("-0");
    zsl.contents[at + 1] = "0";
    expect((want[0].get(hex(Buffer.from("z:sllong"))) as { contents: string[] }).contents).toContain("-0");
    for (let db = 0; db < DBS; db++) {
      expect([...got[db].keys()]).toEqual([...want[db].keys()]);
      for (const [k, v] of want[db]) expect({ db, key: k, ...(got[db].get(k) as object) }).toEqual({ db, key: k, ...(v as object) });
    }
    // The encodings the dataset was built to cover all made it through.
    const encodings = new Set<string>();
    for (const m of want) for (const v of m.values()) encodings.add(`${(v as any).type}/${(v as any).encoding}`);
    expect([...encodings].sort()).toEqual([
      "hash/hashtable", "hash/listpack", "list/quicklist", "set/hashtable", "set/intset", "string/embstr",
      "string/int", "string/raw", "zset/listpack", "zset/skiplist",
    ]);
  });
});

describe("AOF rewrite, small cases", () => {
  it("writes nothing for an empty dataset, even one whose tables are allocated", () => {
    const e = newEngine();
    call(e, "rewriteBegin");
    expect(call(e, "rewriteStep", 1000) >>> 0).toBe(0);
    expect(call(e, "rewriteKeys")).toBe(0);
    for (let db = 0; db < DBS; db++) run(e, db, ["SET", "k", "v"]);
    for (let db = 0; db < DBS; db++) run(e, db, ["DEL", "k"]);
    expect(rewrite(e, 1).steps.length).toBe(0);
    // A step before any walk began writes nothing either.
    expect(call(newEngine(), "rewriteStep", 1000) >>> 0).toBe(0);
  });

  it("writes Redis's exact bytes", () => {
    const e = newEngine();
    run(e, 0, ["SET", "k", "1", "PXAT", String(T0 + 100_000)]);
    run(e, 10, ["ZADD", "z", "1.5", "a", "-inf", "b", "3", "c"]);
    run(e, 11, ["RPUSH", "l", "x", "12"]);
    run(e, 12, ["HSET", "h", "f", "7"]);
    run(e, 13, ["SADD", "s", "-3"]);
    const text = rewrite(e, 1 << 20).all.toString("latin1");
    expect(text).toBe(
      "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" +
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n" +
        "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000100000\r\n" +
        "*2\r\n$6\r\nSELECT\r\n$2\r\n10\r\n" +
        "*8\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\n-inf\r\n$1\r\nb\r\n$3\r\n1.5\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nc\r\n" +
        "*2\r\n$6\r\nSELECT\r\n$2\r\n11\r\n" +
        "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n$2\r\n12\r\n" +
        "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n" +
        "*4\r\n$5\r\nHMSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\n7\r\n" +
        "*2\r\n$6\r\nSELECT\r\n$2\r\n13\r\n" +
        "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$2\r\n-3\r\n",
    );
  });

  it("writes RESP2 whatever protocol the last batch spoke", () => {
    const e = newEngine();
    run(e, 0, ["ZADD", "z", "inf", "a"]);
    execDirect(e, [["ZSCORE", "z", "a"]], { proto: 3, nowMs: T0 });
    const text = rewrite(e, 1 << 20).all.toString("latin1");
    expect(text).toContain("$3\r\ninf\r\n");
    expect(parseCommands(Buffer.from(text, "latin1")).length).toBe(2);
  });
});
