// Blocking list commands over real sockets: served at once when data is there, parked in arrival
// order otherwise, woken by pushes (including a push made by another parked client's move),
// timed out with a null array, forgotten on disconnect, with later input of the parked client
// held back until it is released.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { startServer, type StartedServer } from "../../host/server.js";
import { RawConn, cmd } from "../server/raw.js";

let s: StartedServer;
beforeAll(async () => {
  s = await startServer({ port: 0 });
});
afterAll(() => s.close());

async function conn(): Promise<RawConn> {
  const c = new RawConn(s.port);
  await c.ready;
  return c;
}

/** Lets the server process what was sent (parking happens on the server's side). */
const settle = () => new Promise((r) => setTimeout(r, 30));

/** Waits until exactly `n` clients are parked (the machine may be slow: poll, don't guess). */
async function parked(n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (s.wedis.blocking.count !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} parked clients, have ${s.wedis.blocking.count}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const bulk = (v: string) => `$${v.length}\r\n${v}\r\n`;
const pair = (k: string, v: string) => `*2\r\n${bulk(k)}${bulk(v)}`;

describe("blocking list commands", () => {
  it("answer at once when a list has elements, first non-empty key wins", async () => {
    const c = await conn();
    c.send(Buffer.concat([cmd("RPUSH", "b1", "x", "y"), cmd("BLPOP", "b0", "b1", "0"), cmd("BRPOP", "b1", "0"), cmd("EXISTS", "b1")]));
    expect(await c.replies(4)).toEqual([":2\r\n", pair("b1", "x"), pair("b1", "y"), ":0\r\n"]);
    c.close();
  });

  it("serve parked clients oldest first, one element each", async () => {
    const a = await conn();
    const b = await conn();
    const p = await conn();
    a.send(cmd("BLPOP", "q1", "0"));
    await parked(1);
    b.send(cmd("BLPOP", "q1", "0"));
    await parked(2);
    p.send(cmd("RPUSH", "q1", "first"));
    expect(await p.replies(1)).toEqual([":1\r\n"]);
    expect(await a.replies(1)).toEqual([pair("q1", "first")]);
    p.send(cmd("RPUSH", "q1", "second"));
    expect(await p.replies(1)).toEqual([":1\r\n"]);
    expect(await b.replies(1)).toEqual([pair("q1", "second")]);
    expect(s.wedis.blocking.count).toBe(0);
    for (const c of [a, b, p]) c.close();
  });

  it("a parked client is served right after the push, before the pusher's next command", async () => {
    const a = await conn();
    const p = await conn();
    a.send(cmd("BLPOP", "q2", "0"));
    await parked(1);
    p.send(Buffer.concat([cmd("LPUSH", "q2", "v"), cmd("LPOP", "q2")]));
    expect(await p.replies(2)).toEqual([":1\r\n", "$-1\r\n"]);
    expect(await a.replies(1)).toEqual([pair("q2", "v")]);
    a.close();
    p.close();
  });

  it("a move by one parked client wakes another one waiting on the destination", async () => {
    const mover = await conn();
    const waiter = await conn();
    const p = await conn();
    mover.send(cmd("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"));
    waiter.send(cmd("BRPOP", "dst", "0"));
    await parked(2);
    p.send(cmd("RPUSH", "src", "item"));
    expect(await p.replies(1)).toEqual([":1\r\n"]);
    expect(await mover.replies(1)).toEqual([bulk("item")]);
    expect(await waiter.replies(1)).toEqual([pair("dst", "item")]);
    p.send(Buffer.concat([cmd("EXISTS", "src"), cmd("EXISTS", "dst")]));
    expect(await p.replies(2)).toEqual([":0\r\n", ":0\r\n"]);
    for (const c of [mover, waiter, p]) c.close();
  });

  it("time out with a null array (RESP2 *-1, RESP3 _)", async () => {
    const c = await conn();
    const t0 = Date.now();
    c.send(cmd("BLPOP", "never", "0.1"));
    expect(await c.replies(1)).toEqual(["*-1\r\n"]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    c.send(Buffer.concat([cmd("HELLO", "3"), cmd("BRPOPLPUSH", "never", "x", "0.05")]));
    const [, timedOut] = await c.replies(2);
    expect(timedOut).toBe("_\r\n");
    c.close();
  });

  it("a push inside MULTI serves parked clients after EXEC, with what the transaction left", async () => {
    const a = await conn();
    const p = await conn();
    a.send(cmd("BLPOP", "q5", "0"));
    await parked(1);
    // Pushed and popped inside one transaction: nothing is left for the parked client.
    p.send(Buffer.concat([cmd("MULTI"), cmd("RPUSH", "q5", "gone"), cmd("LPOP", "q5"), cmd("EXEC")]));
    expect(await p.replies(4)).toEqual(["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", `*2\r\n:1\r\n${bulk("gone")}`]);
    await settle();
    expect(s.wedis.blocking.count).toBe(1);
    p.send(Buffer.concat([cmd("MULTI"), cmd("RPUSH", "q5", "x", "y"), cmd("EXEC")]));
    expect(await p.replies(3)).toEqual(["+OK\r\n", "+QUEUED\r\n", "*1\r\n:2\r\n"]);
    expect(await a.replies(1)).toEqual([pair("q5", "x")]);
    p.send(cmd("LRANGE", "q5", "0", "-1"));
    expect(await p.replies(1)).toEqual([`*1\r\n${bulk("y")}`]);
    a.close();
    p.close();
  });

  it("hold back the parked client's later commands until it is released", async () => {
    const a = await conn();
    const p = await conn();
    a.send(Buffer.concat([cmd("BLPOP", "q3", "0"), cmd("ECHO", "after")]));
    await parked(1);
    a.send(cmd("ECHO", "later"));
    await settle();
    p.send(cmd("RPUSH", "q3", "z"));
    expect(await a.replies(3)).toEqual([pair("q3", "z"), bulk("after"), bulk("later")]);
    a.close();
    p.close();
  });

  it("forget a client that disconnects while parked", async () => {
    const a = await conn();
    const p = await conn();
    a.send(cmd("BLPOP", "q4", "0"));
    await parked(1);
    a.close();
    await parked(0);
    p.send(Buffer.concat([cmd("RPUSH", "q4", "kept"), cmd("LRANGE", "q4", "0", "-1")]));
    expect(await p.replies(2)).toEqual([":1\r\n", `*1\r\n${bulk("kept")}`]);
    p.close();
  });

  it("BLMPOP pops up to COUNT from the first non-empty list, or waits", async () => {
    const a = await conn();
    const p = await conn();
    a.send(cmd("BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2"));
    await parked(1);
    p.send(cmd("RPUSH", "m2", "a", "b", "c"));
    expect(await p.replies(1)).toEqual([":3\r\n"]);
    expect(await a.replies(1)).toEqual([`*2\r\n${bulk("m2")}*2\r\n${bulk("c")}${bulk("b")}`]);
    a.close();
    p.close();
  });

  it("reply Redis's errors for bad timeouts and wrong types, without parking", async () => {
    const c = await conn();
    c.send(Buffer.concat([
      cmd("BLPOP", "k", "-1"),
      cmd("BLPOP", "k", "abc"),
      cmd("SET", "str", "v"),
      cmd("BLPOP", "str", "0"),
      cmd("BLMOVE", "a", "b", "UP", "LEFT", "0"),
      cmd("BLMPOP", "0", "0", "k", "LEFT"),
    ]));
    expect(await c.replies(6)).toEqual([
      "-ERR timeout is negative\r\n",
      "-ERR timeout is not a float or out of range\r\n",
      "+OK\r\n",
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
      "-ERR syntax error\r\n",
      "-ERR numkeys should be greater than 0\r\n",
    ]);
    expect(s.wedis.blocking.count).toBe(0);
    c.close();
  });

  it("show up in INFO and CLIENT LIST, and work through ioredis", async () => {
    const r = new Redis({ port: s.port, host: "127.0.0.1" });
    const watcher = new Redis({ port: s.port, host: "127.0.0.1" });
    const pending = r.blpop("io", 0);
    await parked(1);
    expect(await watcher.info("clients")).toMatch(/blocked_clients:1\r\n/);
    expect(await watcher.client("LIST")).toMatch(/flags=b .*cmd=blpop/);
    await watcher.rpush("io", "hello");
    expect(await pending).toEqual(["io", "hello"]);
    r.disconnect();
    watcher.disconnect();
  });
});

describe("blocking sorted-set commands", () => {
  it("BZPOPMIN/BZPOPMAX answer [key, member, score] at once or when a ZADD creates the key", async () => {
    const c = await conn();
    c.send(Buffer.concat([cmd("ZADD", "z1", "1", "a", "2", "b"), cmd("BZPOPMAX", "z0", "z1", "0"), cmd("BZPOPMIN", "z1", "0")]));
    expect(await c.replies(3)).toEqual([":2\r\n", `*3\r\n${bulk("z1")}${bulk("b")}${bulk("2")}`, `*3\r\n${bulk("z1")}${bulk("a")}${bulk("1")}`]);
    const w = await conn();
    w.send(Buffer.concat([cmd("HELLO", "3"), cmd("BZPOPMIN", "z2", "0")]));
    await w.replies(1);
    await parked(1);
    c.send(cmd("ZADD", "z2", "1.5", "m"));
    expect(await c.replies(1)).toEqual([":1\r\n"]);
    expect(await w.replies(1)).toEqual([`*3\r\n${bulk("z2")}${bulk("m")},1.5\r\n`]);
    c.close();
    w.close();
  });

  it("BZMPOP waits, then pops with COUNT; a timeout answers a null array", async () => {
    const a = await conn();
    const p = await conn();
    a.send(cmd("BZMPOP", "0", "1", "z3", "MIN", "COUNT", "5"));
    await parked(1);
    p.send(cmd("ZADD", "z3", "3", "c", "1", "a"));
    expect(await p.replies(1)).toEqual([":2\r\n"]);
    expect(await a.replies(1)).toEqual([`*2\r\n${bulk("z3")}*2\r\n*2\r\n${bulk("a")}${bulk("1")}*2\r\n${bulk("c")}${bulk("3")}`]);
    a.send(cmd("BZPOPMIN", "z3", "0.05"));
    expect(await a.replies(1)).toEqual(["*-1\r\n"]);
    a.close();
    p.close();
  });
});
