// The string commands through real clients (ioredis 6 speaks RESP3, node-redis RESP2) and a raw
// connection for byte-exact replies. Expected replies and errors are what Redis 7.0.15 answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient, RESP_TYPES } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";
import { RawConn } from "../server/raw.js";
// @ts-ignore: plain JS helper shared with the golden tests (no type declarations)
import { encodeCommand, parseReply } from "../golden/resp.mjs";

let s: StartedServer;
let r: Redis; // RESP3
let nr: ReturnType<typeof createClient>; // RESP2
let raw: RawConn; // RESP2, exact bytes

beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  nr = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
  nr.on("error", () => {});
  await nr.connect();
  raw = new RawConn(s.port);
  await raw.ready;
});

afterAll(async () => {
  r.disconnect();
  nr.destroy();
  raw.socket.destroy();
  await s.close();
});

beforeEach(async () => {
  await r.flushall();
});

const NOT_INT = "ERR value is not an integer or out of range";
const SYNTAX = "ERR syntax error";
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A command through ioredis; an error reply becomes its message string. */
async function call(...args: (string | Buffer | number)[]): Promise<unknown> {
  try {
    return await r.call(String(args[0]), ...args.slice(1));
  } catch (e) {
    return (e as Error).message;
  }
}

/** One command over the raw RESP2 connection: the reply's exact bytes. */
async function rawCall(...args: (string | Buffer)[]): Promise<string> {
  raw.send(encodeCommand(args));
  return (await raw.replies(1))[0];
}

interface Node {
  type: string;
  value?: string | null;
  items?: Node[] | null;
}

/** One command over the raw RESP2 connection, the reply as plain values (integers as numbers). */
async function rawJs(...args: string[]): Promise<unknown> {
  const plain = (n: Node): unknown => (n.items !== undefined ? n.items?.map(plain) ?? null : n.type === ":" ? Number(n.value) : n.value);
  return plain(parseReply(Buffer.from(await rawCall(...args), "latin1")) as Node);
}

async function encoding(key: string): Promise<unknown> {
  return call("object", "encoding", key);
}

describe("GET and SET", () => {
  it("stores and returns values, binary-safe", async () => {
    expect(await call("get", "nosuch")).toBeNull();
    expect(await call("set", "k", "v")).toBe("OK");
    expect(await call("get", "k")).toBe("v");
    expect(await call("set", "k", "")).toBe("OK");
    expect(await call("get", "k")).toBe("");
    expect(await call("strlen", "k")).toBe(0);
    const bin = Buffer.from([0, 13, 10, 0xff, 0, 36, 42, 13, 10]);
    expect(await r.set(Buffer.from([0, 1, 13, 10]), bin)).toBe("OK");
    expect(await r.getBuffer(Buffer.from([0, 1, 13, 10]))).toEqual(bin);
    expect(await rawCall("GET", Buffer.from([0, 1, 13, 10]))).toBe(`$9\r\n${bin.toString("latin1")}\r\n`);
    const big = Buffer.alloc(100_000, 0xab);
    big[50_000] = 0;
    await r.set("big", big);
    expect(await r.getBuffer("big")).toEqual(big);
    expect(await rawCall("GET", "nosuch")).toBe("$-1\r\n");
  });

  it("node-redis (RESP2) reads binary values as Buffers", async () => {
    const bin = Buffer.from([0xff, 0, 13, 10, 0x80]);
    await nr.set("nr:bin", bin);
    const c = nr.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect(await c.get("nr:bin")).toEqual(bin);
    expect(await nr.get("nr:none")).toBeNull();
  });

  it("overwrites across every encoding and size, in place or not", async () => {
    // Each value lands in a different shape (int, embstr of several sizes, raw); every pair of
    // consecutive writes exercises one transition.
    const values = ["1", "x", "123456789", "-9223372036854775808", "a".repeat(44), "b".repeat(45), "7", "", "c".repeat(20), "9".repeat(20), "c".repeat(300), "42"];
    for (const a of values) {
      for (const b of values) {
        await r.set("t", a);
        expect(await r.get("t")).toBe(a);
        await r.set("t", b);
        expect(await r.get("t")).toBe(b);
      }
    }
    // The same with a TTL on both sides (the in-place rewrite must keep the TTL fields right).
    for (const a of values) {
      await r.set("t", a, "EX", 100);
      await r.set("t", a + "z", "EX", 200);
      expect(await r.get("t")).toBe(a + "z");
      expect(await r.ttl("t")).toBe(200);
      await r.set("t", a);
      expect(await r.ttl("t")).toBe(-1);
    }
  });

});

describe("SET options", () => {
  it("every combination of NX/XX, GET and an expiry, on a present and an absent key", async () => {
    const conds = [[], ["NX"], ["XX"]];
    const gets = [[], ["GET"]];
    const expiries: string[][] = [[], ["EX", "100"], ["PX", "100000"], ["EXAT", String(Math.floor(Date.now() / 1000) + 100)], ["PXAT", String(Date.now() + 100_000)], ["KEEPTTL"]];
    let n = 0;
    for (const present of [false, true]) {
      for (const oldTtl of [false, true]) {
        for (const c of conds) {
          for (const g of gets) {
            for (const ex of expiries) {
              const key = `combo:${n++}`;
              if (present) await r.set(key, "old", ...(oldTtl ? (["EX", "500"] as const) : ([] as const)));
              // Options in both orders: the order does not matter.
              for (const opts of [[...c, ...g, ...ex], [...ex, ...g, ...c]]) {
                if (present) await r.set(key, "old", ...(oldTtl ? (["EX", "500"] as const) : ([] as const)));
                else await r.del(key);
                const reply = await call("set", key, "new", ...opts);
                const applies = c[0] === "NX" ? !present : c[0] === "XX" ? present : true;
                if (g.length) expect(reply).toBe(present ? "old" : null);
                else expect(reply).toBe(applies ? "OK" : null);
                expect(await r.get(key)).toBe(applies ? "new" : present ? "old" : null);
                const ttl = await r.ttl(key);
                if (!applies) expect(ttl).toBe(present ? (oldTtl ? 500 : -1) : -2);
                else if (ex[0] === "KEEPTTL") expect(ttl).toBe(present && oldTtl ? 500 : -1);
                else if (ex.length) expect(ttl).toBeGreaterThanOrEqual(99), expect(ttl).toBeLessThanOrEqual(100);
                else expect(ttl).toBe(-1);
              }
            }
          }
        }
      }
    }
  });

  it("accepts options in any case and repeated, the last expiry counting", async () => {
    expect(await call("set", "k", "v", "nx", "nx")).toBe("OK");
    expect(await call("set", "k", "v2", "xx", "XX", "get", "GET")).toBe("v");
    expect(await call("set", "k", "v", "ex", "10", "EX", "20")).toBe("OK");
    expect(await r.ttl("k")).toBe(20);
    expect(await call("set", "k", "v", "KEEPTTL", "keepttl")).toBe("OK");
    expect(await r.ttl("k")).toBe(20);
  });

  it("absolute times", async () => {
    expect(await call("set", "e", "v", "EXAT", "4102444800")).toBe("OK");
    expect(await call("expiretime", "e")).toBe(4102444800);
    expect(await call("set", "e", "v", "PXAT", "4102444800123")).toBe("OK");
    expect(await call("pexpiretime", "e")).toBe(4102444800123);
    // A time in the past is accepted; the key is simply gone.
    expect(await call("set", "past", "v", "EXAT", "1")).toBe("OK");
    expect(await call("exists", "past")).toBe(0);
    expect(await call("set", "past", "v", "PXAT", "1")).toBe("OK");
    expect(await call("get", "past")).toBeNull();
    // PXAT takes any positive time: no conversion can overflow.
    expect(await call("set", "far", "v", "PXAT", "9223372036854775807")).toBe("OK");
    expect(await rawCall("PEXPIRETIME", "far")).toBe(":9223372036854775807\r\n");
  });

  it("errors, leaving the key untouched", async () => {
    await r.set("k", "orig");
    const syntax = [
      ["NX", "XX"], ["XX", "NX"], ["EX", "10", "PX", "100"], ["PX", "10", "EX", "100"], ["EX", "10", "KEEPTTL"],
      ["KEEPTTL", "EX", "10"], ["EXAT", "10", "PXAT", "10"], ["EX", "10", "EXAT", "100"], ["KEEPTTL", "PXAT", "100"],
      ["EX"], ["PX"], ["EXAT"], ["PXAT"], ["FOO"], ["NX", "FOO"], ["PERSIST"], ["EX", "10", "EX"], ["EX", "0", "FOO"],
      ["EX", "abc", "NX", "XX"],
    ];
    for (const opts of syntax) expect([opts, await call("set", "k", "v", ...opts)]).toEqual([opts, SYNTAX]);
    const invalid = [
      ["EX", "0"], ["PX", "0"], ["EXAT", "0"], ["PXAT", "0"], ["EX", "-1"], ["PX", "-5"], ["EX", "9223372036854775807"],
      ["EX", "9223372036854775"], ["PX", "9223372036854775807"], ["EXAT", "9223372036854775807"], ["EX", "0", "GET"],
    ];
    for (const opts of invalid) expect([opts, await call("set", "k", "v", ...opts)]).toEqual([opts, "ERR invalid expire time in 'set' command"]);
    for (const v of ["abc", "1.5", "", " 1", "9223372036854775808"]) expect(await call("set", "k", "v", "EX", v)).toBe(NOT_INT);
    expect(await call("get", "k")).toBe("orig");
    expect(await call("ttl", "k")).toBe(-1);
    expect(await rawCall("SET", "k", "v", "XX", "NX")).toBe("-ERR syntax error\r\n");
    expect(await rawCall("SET", "k", "v", "EX", "0")).toBe("-ERR invalid expire time in 'set' command\r\n");
  });


  it("expiry: a key set with PX is gone after its time", async () => {
    expect(await call("set", "short", "v", "PX", "40")).toBe("OK");
    expect(await call("get", "short")).toBe("v");
    await sleep(120);
    expect(await call("get", "short")).toBeNull();
    expect(await call("exists", "short")).toBe(0);
    // KEEPTTL carries the short TTL over to the new value.
    await r.set("short2", "v", "PX", "40");
    await r.set("short2", "w", "KEEPTTL");
    await sleep(120);
    expect(await call("get", "short2")).toBeNull();
  });
});

describe("SETNX SETEX PSETEX GETSET GETDEL GETEX", () => {
  it("SETNX", async () => {
    expect(await call("setnx", "a", "1")).toBe(1);
    expect(await call("setnx", "a", "2")).toBe(0);
    expect(await call("get", "a")).toBe("1");
    expect(await encoding("a")).toBe("int");
  });

  it("SETEX and PSETEX", async () => {
    expect(await call("setex", "s", "100", "v")).toBe("OK");
    expect(await call("ttl", "s")).toBe(100);
    expect(await call("psetex", "p", "100000", "v")).toBe("OK");
    expect(await call("ttl", "p")).toBe(100);
    expect(await call("setex", "s", "0", "v")).toBe("ERR invalid expire time in 'setex' command");
    expect(await call("setex", "s", "9223372036854775807", "v")).toBe("ERR invalid expire time in 'setex' command");
    expect(await call("psetex", "p", "-10", "v")).toBe("ERR invalid expire time in 'psetex' command");
    expect(await call("setex", "s", "1.5", "v")).toBe(NOT_INT);
    expect(await call("setex", "n", "100", "12")).toBe("OK");
    expect(await encoding("n")).toBe("int");
    await r.set("px", "v");
    expect(await call("psetex", "px", "40", "w")).toBe("OK");
    await sleep(120);
    expect(await call("get", "px")).toBeNull();
  });

  it("GETSET returns the old value and drops the TTL", async () => {
    expect(await call("getset", "g", "new")).toBeNull();
    await r.set("g", "old", "EX", 100);
    expect(await call("getset", "g", "123")).toBe("old");
    expect(await call("ttl", "g")).toBe(-1);
    expect(await encoding("g")).toBe("int");
  });

  it("GETDEL", async () => {
    await r.set("d", "v", "EX", 100);
    expect(await call("getdel", "d")).toBe("v");
    expect(await call("getdel", "d")).toBeNull();
    expect(await call("exists", "d")).toBe(0);
    await r.set("d", "12");
    expect(await call("getdel", "d")).toBe("12");
  });

  it("GETEX with every option", async () => {
    await r.set("ge", "v");
    expect(await call("getex", "ge")).toBe("v");
    expect(await call("ttl", "ge")).toBe(-1);
    expect(await call("getex", "ge", "EX", "100")).toBe("v");
    expect(await call("ttl", "ge")).toBe(100);
    expect(await call("getex", "ge", "px", "200000")).toBe("v");
    expect(await call("ttl", "ge")).toBe(200);
    expect(await call("getex", "ge", "EXAT", "4102444800")).toBe("v");
    expect(await call("expiretime", "ge")).toBe(4102444800);
    expect(await call("getex", "ge", "PXAT", "4102444800999")).toBe("v");
    expect(await call("pexpiretime", "ge")).toBe(4102444800999);
    expect(await call("getex", "ge", "PERSIST")).toBe("v");
    expect(await call("ttl", "ge")).toBe(-1);
    expect(await call("getex", "ge", "ex", "50", "EX", "60")).toBe("v");
    expect(await call("ttl", "ge")).toBe(60);
    for (const opts of [["EX", "10", "PX", "100"], ["PERSIST", "EX", "10"], ["EX", "10", "PERSIST"], ["EX"], ["KEEPTTL"], ["FOO"], ["NX"], ["GET"]]) {
      expect([opts, await call("getex", "ge", ...opts)]).toEqual([opts, SYNTAX]);
    }
    for (const opts of [["EX", "0"], ["EX", "-1"], ["PX", "0"], ["EXAT", "0"], ["EX", "9223372036854775807"]]) {
      expect(await call("getex", "ge", ...opts)).toBe("ERR invalid expire time in 'getex' command");
    }
    expect(await call("getex", "ge", "EX", "abc")).toBe(NOT_INT);
    // The key is looked up before the time is checked.
    expect(await call("getex", "nosuch", "EX", "0")).toBeNull();
    expect(await call("getex", "nosuch", "PERSIST")).toBeNull();
    // A time already past deletes the key after replying.
    expect(await call("getex", "ge", "PXAT", "1")).toBe("v");
    expect(await call("exists", "ge")).toBe(0);
    await r.set("ge2", "w", "PX", "100000");
    expect(await call("getex", "ge2", "PX", "40")).toBe("w");
    await sleep(120);
    expect(await call("get", "ge2")).toBeNull();
  });
});

describe("MGET MSET MSETNX", () => {
  it("MSET and MGET", async () => {
    expect(await call("mset", "m1", "a", "m2", "123", "m3", "c".repeat(50))).toBe("OK");
    expect(await call("mget", "m1", "nosuch", "m2", "m3", "m1")).toEqual(["a", null, "123", "c".repeat(50), "a"]);
    expect(await encoding("m2")).toBe("int");
    expect(await encoding("m3")).toBe("raw");
    expect(await call("mset", "m1", "x", "m1", "y")).toBe("OK");
    expect(await call("get", "m1")).toBe("y");
    expect(await call("mset", "m1", "a", "m2")).toBe("ERR wrong number of arguments for 'mset' command");
    await r.set("t", "v", "EX", 100);
    await r.mset("t", "v2");
    expect(await call("ttl", "t")).toBe(-1);
    expect(await rawCall("MGET", "m1", "nosuch")).toBe("*2\r\n$1\r\ny\r\n$-1\r\n");
  });

  it("MSETNX sets all or nothing", async () => {
    expect(await call("msetnx", "n1", "a", "n2", "b")).toBe(1);
    expect(await call("msetnx", "n1", "x", "n3", "y")).toBe(0);
    expect(await call("mget", "n1", "n3")).toEqual(["a", null]);
    expect(await call("msetnx", "n4", "a", "n4", "b")).toBe(1);
    expect(await call("get", "n4")).toBe("b");
    expect(await call("msetnx", "n5", "a", "n6")).toBe("ERR wrong number of arguments for 'msetnx' command");
  });
});

describe("encodings", () => {
  it("int, embstr and raw at the thresholds", async () => {
    const cases: [string, string][] = [
      ["0", "int"], ["-1", "int"], ["12345", "int"], ["9223372036854775807", "int"], ["-9223372036854775808", "int"],
      ["9223372036854775808", "embstr"], ["-9223372036854775809", "embstr"], ["12345678901234567890", "embstr"],
      ["123456789012345678901", "embstr"], ["-0", "embstr"], ["01", "embstr"], [" 1", "embstr"], ["1 ", "embstr"],
      ["+1", "embstr"], ["1.0", "embstr"], ["", "embstr"], ["a".repeat(44), "embstr"], ["a".repeat(45), "raw"],
      ["1".repeat(44), "embstr"], ["1".repeat(45), "raw"],
    ];
    for (const [v, enc] of cases) {
      await r.set("e", v);
      expect([v, await encoding("e")]).toEqual([v, enc]);
      expect(await r.get("e")).toBe(v);
      expect(await r.strlen("e")).toBe(v.length);
    }
  });

  it("transitions: APPEND and SETRANGE make raw, INCR makes int, INCRBYFLOAT embstr", async () => {
    await r.set("k", "12");
    await r.append("k", "3");
    expect(await encoding("k")).toBe("raw");
    expect(await r.get("k")).toBe("123");
    expect(await r.incr("k")).toBe(124);
    expect(await encoding("k")).toBe("int");
    await r.set("k", "5");
    await r.append("k", "");
    expect(await encoding("k")).toBe("raw");
    await r.set("k", "abc");
    await r.setrange("k", 0, "x");
    expect(await encoding("k")).toBe("raw");
    await r.set("k", "123");
    expect(await call("setrange", "k", "0", "")).toBe(3);
    expect(await encoding("k")).toBe("int");
    await r.set("k", "7");
    expect(await r.incrbyfloat("k", "1")).toBe("8");
    expect(await encoding("k")).toBe("embstr");
    expect(await call("append", "fresh", "42")).toBe(2);
    expect(await encoding("fresh")).toBe("int");
    await r.append("fresh", "0");
    expect(await encoding("fresh")).toBe("raw");
    expect(await call("setrange", "fresh2", "2", "ab")).toBe(4);
    expect(await encoding("fresh2")).toBe("raw");
    // A raw value replaced by a short one is embstr again.
    await r.set("k", "x".repeat(100));
    expect(await encoding("k")).toBe("raw");
    await r.set("k", "short");
    expect(await encoding("k")).toBe("embstr");
    await r.set("k", "99");
    expect(await encoding("k")).toBe("int");
  });
});

describe("APPEND STRLEN GETRANGE SETRANGE", () => {
  it("APPEND and STRLEN", async () => {
    expect(await call("append", "ap", "hello")).toBe(5);
    expect(await call("append", "ap", " world")).toBe(11);
    expect(await call("get", "ap")).toBe("hello world");
    expect(await call("strlen", "ap")).toBe(11);
    expect(await call("strlen", "nosuch")).toBe(0);
    expect(await call("append", "empty", "")).toBe(0);
    expect(await call("exists", "empty")).toBe(1);
    await r.set("num", "-12345");
    expect(await call("strlen", "num")).toBe(6);
    await r.set("ttl", "v", "EX", 100);
    await r.append("ttl", "w");
    expect(await call("ttl", "ttl")).toBe(100);
    const bin = Buffer.from([0, 255, 13, 10]);
    await r.append("bin", bin);
    await r.append("bin", bin);
    expect(await r.getBuffer("bin")).toEqual(Buffer.concat([bin, bin]));
  });

  it("APPEND grows a value to 1 MB and more", async () => {
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
    let n = 0;
    for (let i = 0; i < 20; i++) {
      chunk[0] = i;
      n = Number(await r.append("big", chunk));
    }
    expect(n).toBe(20 * 64 * 1024);
    expect(await r.strlen("big")).toBe(n);
    const all = await r.getBuffer("big");
    expect(all.length).toBe(n);
    for (let i = 0; i < 20; i++) {
      expect(all[i * chunk.length]).toBe(i);
      expect(all.subarray(i * chunk.length + 1, (i + 1) * chunk.length).equals(chunk.subarray(1))).toBe(true);
    }
    expect(await r.getrangeBuffer("big", 1_000_000, 1_000_009)).toEqual(all.subarray(1_000_000, 1_000_010));
  });

  it("GETRANGE and SUBSTR", async () => {
    await r.set("s", "Hello World");
    const cases: [number | string, number | string, string][] = [
      [0, 4, "Hello"], [-5, -1, "World"], [0, -1, "Hello World"], [0, 100, "Hello World"], [100, 200, ""], [5, 2, ""],
      [-100, 2, "Hel"], [-100, -50, "H"], [3, 3, "l"], [-1, -1, "d"], [0, -100, "H"], [10, 10, "d"], [11, 11, ""],
      [-1, 0, ""], ["9223372036854775807", "9223372036854775807", ""], ["-9223372036854775808", "9223372036854775807", "Hello World"],
      [-2, -5, ""],
    ];
    for (const [a, b, want] of cases) {
      expect([a, b, await call("getrange", "s", String(a), String(b))]).toEqual([a, b, want]);
      expect(await call("substr", "s", String(a), String(b))).toBe(want);
    }
    expect(await call("getrange", "s", "a", "1")).toBe(NOT_INT);
    expect(await call("getrange", "s", "1", "1.5")).toBe(NOT_INT);
    expect(await call("getrange", "nosuch", "0", "-1")).toBe("");
    expect(await rawCall("GETRANGE", "nosuch", "0", "-1")).toBe("$0\r\n\r\n");
    await r.set("e", "");
    expect(await call("getrange", "e", "0", "-1")).toBe("");
    await r.set("n", "1234567");
    expect(await call("getrange", "n", "1", "3")).toBe("234");
    expect(await encoding("n")).toBe("int");
  });

  it("SETRANGE pads with zero bytes and checks its limits", async () => {
    await r.set("s", "Hello World");
    expect(await call("setrange", "s", "6", "Redis")).toBe(11);
    expect(await call("get", "s")).toBe("Hello Redis");
    expect(await call("setrange", "s", "14", "!")).toBe(15);
    expect(await r.getBuffer("s")).toEqual(Buffer.concat([Buffer.from("Hello Redis"), Buffer.alloc(3), Buffer.from("!")]));
    expect(await call("setrange", "pad", "5", "x")).toBe(6);
    expect(await r.getBuffer("pad")).toEqual(Buffer.from([0, 0, 0, 0, 0, 120]));
    expect(await call("setrange", "nosuch", "10", "")).toBe(0);
    expect(await call("exists", "nosuch")).toBe(0);
    expect(await call("setrange", "s", "0", "")).toBe(15);
    expect(await call("setrange", "s", "-1", "x")).toBe("ERR offset is out of range");
    expect(await call("setrange", "s", "abc", "x")).toBe(NOT_INT);
    const tooBig = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    expect(await call("setrange", "s", "536870912", "x")).toBe(tooBig);
    expect(await call("setrange", "s", "536870912", "")).toBe(15);
    expect(await call("setrange", "nosuch", "536870912", "x")).toBe(tooBig);
    expect(await call("setrange", "nosuch", "9223372036854775807", "x")).toBe(tooBig);
    expect(await call("setrange", "nosuch2", "536870912", "")).toBe(0);
    expect(await call("append", "s", "")).toBe(15);
    await r.set("n", "1234567");
    expect(await call("setrange", "n", "2", "xx")).toBe(7);
    expect(await call("get", "n")).toBe("12xx567");
    await r.set("t", "v", "EX", 100);
    await r.setrange("t", 0, "w");
    expect(await call("ttl", "t")).toBe(100);
    // A write well past the end of a long raw value: the gap is zeros, the rest untouched.
    await r.set("long", "y".repeat(100));
    expect(await call("setrange", "long", "100000", "z")).toBe(100001);
    const got = await r.getBuffer("long");
    expect(got.subarray(0, 100).toString()).toBe("y".repeat(100));
    expect(got.subarray(100, 100000).every((b) => b === 0)).toBe(true);
    expect(got[100000]).toBe(122);
  });
});

describe("INCR DECR INCRBY DECRBY", () => {
  it("counts and keeps the TTL", async () => {
    expect(await call("incr", "c")).toBe(1);
    expect(await call("incr", "c")).toBe(2);
    expect(await call("decr", "c")).toBe(1);
    expect(await call("incrby", "c", "10")).toBe(11);
    expect(await call("incrby", "c", "-20")).toBe(-9);
    expect(await call("decrby", "c", "5")).toBe(-14);
    expect(await call("decrby", "c", "-5")).toBe(-9);
    expect(await call("get", "c")).toBe("-9");
    expect(await encoding("c")).toBe("int");
    await r.set("t", "5", "EX", 100);
    expect(await call("incr", "t")).toBe(6);
    expect(await call("ttl", "t")).toBe(100);
    // A raw numeric value (after APPEND) is parsed and becomes int.
    await r.set("raw", "1");
    await r.append("raw", "0");
    expect(await call("incrby", "raw", "5")).toBe(15);
    expect(await encoding("raw")).toBe("int");
    expect(await nr.incrBy("nr:c", 41)).toBe(41);
    expect(await nr.decr("nr:c")).toBe(40);
  });

  it("errors", async () => {
    for (const v of ["abc", " 1", "1 ", "01", "-0", "+5", "", "1.0", "99999999999999999999", "12\0"]) {
      await r.set("s", v);
      expect([v, await call("incr", "s")]).toEqual([v, NOT_INT]);
      expect(await call("get", "s")).toBe(v);
    }
    for (const v of ["abc", "1.5", "", " 1", "01", "+1", "9223372036854775808"]) expect(await call("incrby", "c", v)).toBe(NOT_INT);
    await r.set("big", "9223372036854775806");
    expect(await rawCall("INCR", "big")).toBe(":9223372036854775807\r\n");
    expect(await call("incr", "big")).toBe("ERR increment or decrement would overflow");
    expect(await rawCall("INCRBY", "big", "-1")).toBe(":9223372036854775806\r\n");
    await r.set("small", "-9223372036854775808");
    expect(await call("decr", "small")).toBe("ERR increment or decrement would overflow");
    expect(await rawCall("DECRBY", "small", "-1")).toBe(":-9223372036854775807\r\n");
    await r.set("zero", "0");
    expect(await call("decrby", "zero", "-9223372036854775808")).toBe("ERR decrement would overflow");
    expect(await rawCall("INCRBY", "zero", "-9223372036854775808")).toBe(":-9223372036854775808\r\n");
    expect(await rawCall("GET", "zero")).toBe("$20\r\n-9223372036854775808\r\n");
  });
});

describe("INCRBYFLOAT", () => {
  it("adds in long double precision and prints as Redis does", async () => {
    expect(await call("incrbyfloat", "f", "10.50")).toBe("10.5");
    expect(await call("incrbyfloat", "f", "0.1")).toBe("10.6");
    expect(await call("incrbyfloat", "f", "-5")).toBe("5.6");
    expect(await call("incrbyfloat", "f", "2.0e2")).toBe("205.60000000000000001");
    await r.set("g", "5000");
    expect(await call("incrbyfloat", "g", "10.8")).toBe("5010.79999999999999982");
    await r.set("h", "0.1");
    expect(await call("incrbyfloat", "h", "0.2")).toBe("0.3");
    expect(await call("incrbyfloat", "neg", "-0.0")).toBe("0");
    expect(await call("incrbyfloat", "hex", "0x10")).toBe("16");
    await r.set("max", "9223372036854775807");
    expect(await call("incrbyfloat", "max", "1")).toBe("9223372036854775808");
    expect(await encoding("max")).toBe("embstr");
    const huge = (await call("incrbyfloat", "huge", "1e100")) as string;
    expect(huge).toBe("9999999999999999999669353532207342619498699019828496079271391541752018669482644324418977840117055488");
    expect(await encoding("huge")).toBe("raw");
    await r.set("t", "5", "EX", 100);
    expect(await call("incrbyfloat", "t", "1.5")).toBe("6.5");
    expect(await call("ttl", "t")).toBe(100);
  });

  it("errors", async () => {
    await r.set("f", "1");
    for (const v of ["abc", "", " 1", "1 ", "nan", "1.5.5", "1e", "1\x00"]) expect([v, await call("incrbyfloat", "f", v)]).toEqual([v, "ERR value is not a valid float"]);
    for (const v of ["inf", "-inf", "1e5000"]) {
      const got = await call("incrbyfloat", "f", v);
      expect([v, got]).toEqual([v, v === "1e5000" ? "ERR value is not a valid float" : "ERR increment would produce NaN or Infinity"]);
    }
    await r.set("nf", "abc");
    expect(await call("incrbyfloat", "nf", "1")).toBe("ERR value is not a valid float");
    await r.set("nf", "");
    expect(await call("incrbyfloat", "nf", "1")).toBe("ERR value is not a valid float");
    expect(await call("get", "f")).toBe("1");
  });
});

describe("LCS", () => {
  beforeEach(async () => {
    await r.mset("key1", "ohmytext", "key2", "mynewtext");
  });

  it("the string, its length", async () => {
    expect(await call("lcs", "key1", "key2")).toBe("mytext");
    expect(await call("lcs", "key1", "key2", "LEN")).toBe(6);
    expect(await call("lcs", "key1", "key2", "len", "LEN")).toBe(6);
    expect(await call("lcs", "key1", "nosuch")).toBe("");
    expect(await call("lcs", "key1", "nosuch", "LEN")).toBe(0);
    expect(await call("lcs", "key1", "key1")).toBe("ohmytext");
    await r.mset("a", "ABCBDAB", "b", "BDCABA", "x", "1234567890", "y", "0987654321");
    expect(await call("lcs", "a", "b")).toBe("BDAB");
    expect(await call("lcs", "b", "a")).toBe("BCBA");
    expect(await call("lcs", "x", "y")).toBe("0");
    await r.mset("p", Buffer.from("a\0b\xffc", "latin1"), "q", Buffer.from("\0\xff", "latin1"));
    expect(await rawCall("LCS", "p", "q")).toBe("$2\r\n\0\xff\r\n");
  });

  it("IDX, MINMATCHLEN, WITHMATCHLEN (RESP2 bytes)", async () => {
    expect(await rawCall("LCS", "key1", "key2", "IDX")).toBe(
      "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n",
    );
    expect(await rawJs(...["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"])).toEqual(["matches", [[[4, 7], [5, 8], 4]], "len", 6]);
    expect(await rawJs(...["LCS", "key1", "key2", "WITHMATCHLEN", "IDX", "MINMATCHLEN", "-5"])).toEqual(["matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "len", 6]);
    expect(await rawJs(...["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "100"])).toEqual(["matches", [], "len", 6]);
    expect(await rawJs(...["LCS", "nosuch", "nosuch2", "IDX", "WITHMATCHLEN"])).toEqual(["matches", [], "len", 0]);
  });

  it("IDX is a map in RESP3", async () => {
    const c = new RawConn(s.port);
    await c.ready;
    try {
      c.send(encodeCommand(["HELLO", "3"]));
      await c.replies(1);
      c.send(encodeCommand(["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"]));
      expect((await c.replies(1))[0]).toBe("%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n");
      c.send(encodeCommand(["LCS", "key1", "key2", "LEN"]));
      expect((await c.replies(1))[0]).toBe(":6\r\n");
    } finally {
      c.socket.destroy();
    }
  });

  it("errors", async () => {
    expect(await call("lcs", "key1", "key2", "LEN", "IDX")).toBe("ERR If you want both the length and indexes, please just use IDX.");
    expect(await call("lcs", "key1", "key2", "IDX", "MINMATCHLEN")).toBe(SYNTAX);
    expect(await call("lcs", "key1", "key2", "IDX", "MINMATCHLEN", "abc")).toBe(NOT_INT);
    expect(await call("lcs", "key1", "key2", "FOO")).toBe(SYNTAX);
  });

  it("agrees with a reference LCS length on pseudo-random strings", async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: rnd() % 60 }, () => "abc"[rnd() % 3]).join("");
      const b = Array.from({ length: rnd() % 60 }, () => "abc"[rnd() % 3]).join("");
      const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
      await r.mset("ra", a, "rb", b);
      const lcs = (await call("lcs", "ra", "rb")) as string;
      expect(lcs.length).toBe(dp[a.length][b.length]);
      // It is a subsequence of both.
      const isSub = (x: string, y: string) => {
        let k = 0;
        for (const ch of y) if (k < x.length && ch === x[k]) k++;
        return k === x.length;
      };
      expect(isSub(lcs, a) && isSub(lcs, b)).toBe(true);
      // The IDX ranges cover exactly the LCS: their lengths add up to it and they match bytes.
      const idx = (await rawJs(...["LCS", "ra", "rb", "IDX", "WITHMATCHLEN"])) as [string, [number[], number[], number][], string, number];
      let sum = 0;
      for (const [[as, ae], [bs, be], len] of idx[1]) {
        expect(ae - as + 1).toBe(len);
        expect(be - bs + 1).toBe(len);
        expect(a.slice(as, ae + 1)).toBe(b.slice(bs, be + 1));
        sum += len;
      }
      expect(sum).toBe(idx[3]);
    }
  });
});
