// Transactions over real sockets: MULTI/EXEC/DISCARD queueing and its error rules, WATCH
// invalidation by other connections, by our own writes, by whole-database commands and by expiry,
// blocking commands that must not block inside EXEC, and the two client libraries' multi().
// Expected bytes are those Redis 7.0.15 sends, observed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient, WatchError } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";
import { installMulti, transactionInfo } from "../../host/multi.js";
import { RawConn, cmd } from "../server/raw.js";

let s: StartedServer;
const open: RawConn[] = [];
beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
});
afterAll(async () => {
  for (const c of open) c.close();
  await s.close();
});

async function conn(): Promise<RawConn> {
  const c = new RawConn(s.port);
  open.push(c);
  await c.ready;
  return c;
}

/** Sends the commands in one write and returns their replies. */
async function run(c: RawConn, ...cmds: string[][]): Promise<string[]> {
  c.send(Buffer.concat(cmds.map((a) => cmd(...a))));
  return c.replies(cmds.length);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bulk = (v: string) => `$${v.length}\r\n${v}\r\n`;
const OK = "+OK\r\n";
const QUEUED = "+QUEUED\r\n";
const EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";

describe("MULTI / EXEC / DISCARD", () => {
  it("queue commands and answer them as one array, in order", async () => {
    const c = await conn();
    expect(await run(c, ["MULTI"], ["SET", "t:a", "1"], ["INCR", "t:a"], ["GET", "t:a"], ["EXEC"])).toEqual([
      OK, QUEUED, QUEUED, QUEUED, `*3\r\n+OK\r\n:2\r\n${bulk("2")}`,
    ]);
    expect(await run(c, ["MULTI"], ["EXEC"])).toEqual([OK, "*0\r\n"]);
  });

  it("nothing runs before EXEC", async () => {
    const c = await conn();
    const other = await conn();
    await run(c, ["MULTI"], ["SET", "t:later", "v"]);
    expect(await run(other, ["EXISTS", "t:later"])).toEqual([":0\r\n"]);
    expect(await run(c, ["EXEC"])).toEqual([`*1\r\n${OK}`]);
    expect(await run(other, ["GET", "t:later"])).toEqual([bulk("v")]);
  });

  it("refuse nesting, EXEC/DISCARD without MULTI and WATCH inside MULTI, without aborting", async () => {
    const c = await conn();
    expect(await run(c, ["EXEC"], ["DISCARD"])).toEqual(["-ERR EXEC without MULTI\r\n", "-ERR DISCARD without MULTI\r\n"]);
    expect(await run(c, ["MULTI"], ["MULTI"], ["WATCH", "x"], ["SET", "t:n", "1"], ["EXEC"])).toEqual([
      OK,
      "-ERR MULTI calls can not be nested\r\n",
      "-ERR WATCH inside MULTI is not allowed\r\n",
      QUEUED,
      `*1\r\n${OK}`,
    ]);
  });

  it("a command refused while queuing makes EXEC fail with EXECABORT and run nothing", async () => {
    const c = await conn();
    expect(await run(c, ["MULTI"], ["SET", "t:ab", "1"], ["NOSUCH", "x"], ["EXEC"], ["EXISTS", "t:ab"])).toEqual([
      OK, QUEUED, "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n", EXECABORT, ":0\r\n",
    ]);
    expect(await run(c, ["MULTI"], ["GET"], ["EXEC"])).toEqual([OK, "-ERR wrong number of arguments for 'get' command\r\n", EXECABORT]);
    expect(await run(c, ["MULTI"], ["DISCARD", "x"], ["EXEC"])).toEqual([
      OK, "-ERR wrong number of arguments for 'discard' command\r\n", EXECABORT,
    ]);
    expect(await run(c, ["MULTI"], ["MULTI", "x"], ["EXEC"])).toEqual([
      OK, "-ERR wrong number of arguments for 'multi' command\r\n", EXECABORT,
    ]);
    // no-multi commands.
    expect(await run(c, ["MULTI"], ["SHUTDOWN"], ["EXEC"])).toEqual([OK, "-ERR Command not allowed inside a transaction\r\n", EXECABORT]);
    // After EXECABORT the transaction is over.
    expect(await run(c, ["EXEC"])).toEqual(["-ERR EXEC without MULTI\r\n"]);
  });

  it("an EXEC refused for its arity aborts the transaction on the spot", async () => {
    const c = await conn();
    expect(await run(c, ["MULTI"], ["SET", "t:ea", "1"], ["EXEC", "x"], ["DISCARD"], ["EXISTS", "t:ea"])).toEqual([
      OK,
      QUEUED,
      "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
      "-ERR DISCARD without MULTI\r\n",
      ":0\r\n",
    ]);
  });

  it("errors at run time stay in the array; the other commands still apply", async () => {
    const c = await conn();
    expect(await run(c, ["MULTI"], ["SET", "t:r", "x"], ["INCR", "t:r"], ["APPEND", "t:r", "y"], ["EXEC"], ["GET", "t:r"])).toEqual([
      OK, QUEUED, QUEUED, QUEUED, "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n:2\r\n", bulk("xy"),
    ]);
  });

  it("DISCARD drops the queue", async () => {
    const c = await conn();
    expect(await run(c, ["MULTI"], ["SET", "t:d", "1"], ["DISCARD"], ["EXISTS", "t:d"], ["EXEC"])).toEqual([
      OK, QUEUED, OK, ":0\r\n", "-ERR EXEC without MULTI\r\n",
    ]);
  });

  it("host and engine commands mix in order (SELECT inside the transaction)", async () => {
    const c = await conn();
    expect(
      await run(c, ["MULTI"], ["SET", "t:m", "db0"], ["SELECT", "1"], ["SET", "t:m", "db1"], ["GET", "t:m"], ["SELECT", "0"], ["GET", "t:m"], ["EXEC"]),
    ).toEqual([OK, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, `*6\r\n${OK}${OK}${OK}${bulk("db1")}${OK}${bulk("db0")}`]);
    expect(await run(c, ["SELECT", "1"], ["GET", "t:m"], ["SELECT", "0"])).toEqual([OK, bulk("db1"), OK]);
  });

  it("queued arguments survive the decoder reusing its buffers", async () => {
    const c = await conn();
    const values = Array.from({ length: 20 }, (_, i) => String.fromCharCode(97 + i).repeat(3000 + i));
    c.send(cmd("MULTI"));
    expect(await c.replies(1)).toEqual([OK]);
    for (let i = 0; i < values.length; i++) {
      // One command per write: each read overwrites what the decoder held before.
      c.send(cmd("SET", `t:buf${i}`, values[i]));
      expect(await c.replies(1)).toEqual([QUEUED]);
    }
    await run(c, ["EXEC"]);
    const got = await run(c, ...values.map((_, i) => ["GET", `t:buf${i}`]));
    expect(got).toEqual(values.map(bulk));
  });

  it("QUIT inside MULTI answers +OK and closes; RESET ends the transaction", async () => {
    const c = await conn();
    expect(await run(c, ["MULTI"], ["SET", "t:q", "1"], ["RESET"], ["EXEC"])).toEqual([OK, QUEUED, "+RESET\r\n", "-ERR EXEC without MULTI\r\n"]);
    expect(await run(c, ["MULTI"], ["SET", "t:q", "1"], ["QUIT"])).toEqual([OK, QUEUED, OK]);
    await c.closedByPeer();
    const d = await conn();
    expect(await run(d, ["EXISTS", "t:q"])).toEqual([":0\r\n"]);
  });

  it("RESP3 clients get the same arrays", async () => {
    const c = await conn();
    await run(c, ["HELLO", "3"]);
    expect(await run(c, ["MULTI"], ["SET", "t:3", "1"], ["GET", "t:3"], ["EXEC"])).toEqual([OK, QUEUED, QUEUED, `*2\r\n${OK}${bulk("1")}`]);
  });

  it("state shows in transactionInfo (CLIENT LIST's multi=, multi-mem=, flags x/d)", async () => {
    const c = await conn();
    const other = await conn();
    await run(c, ["CLIENT", "SETNAME", "txinfo"]);
    const me = [...s.wedis.clients.values()].find((x) => x.name === "txinfo")!;
    expect(transactionInfo(me)).toEqual({ multi: -1, multiMem: 0, dirtyCas: false });
    await run(c, ["MULTI"], ["SET", "a", "1"], ["PING"], ["GET", "abc"]);
    // Redis: argument bytes plus 8 per argument (5+24, 4+8, 6+16).
    expect(transactionInfo(me)).toEqual({ multi: 3, multiMem: 63, dirtyCas: false });
    await run(c, ["DISCARD"], ["WATCH", "t:info"]);
    await run(other, ["SET", "t:info", "1"]);
    expect(transactionInfo(me)).toEqual({ multi: -1, multiMem: 0, dirtyCas: true });
    await run(c, ["UNWATCH"]);
    expect(transactionInfo(me).dirtyCas).toBe(false);
  });
});

describe("over maxmemory", () => {
  it("queuing is refused, and so is an EXEC holding a denyoom command; DISCARD still works", async () => {
    const c = await conn();
    const admin = await conn();
    const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    try {
      expect(await run(c, ["MULTI"], ["SET", "o:z", "1"], ["GET", "o:z"])).toEqual([OK, QUEUED, QUEUED]);
      await run(admin, ["CONFIG", "SET", "maxmemory", "1"]);
      expect(await run(c, ["EXEC"], ["MULTI"], ["GET", "o:z"])).toEqual([
        "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n", OK, OOM,
      ]);
      await run(admin, ["CONFIG", "SET", "maxmemory", "0"]);
      expect(await run(c, ["DISCARD"], ["MULTI"], ["GET", "o:z"])).toEqual([OK, OK, QUEUED]);
      await run(admin, ["CONFIG", "SET", "maxmemory", "1"]);
      // Reads only: EXEC runs. Inside MULTI even MULTI and WATCH are refused.
      expect(await run(c, ["EXEC"], ["MULTI"], ["MULTI"], ["WATCH", "x"], ["DISCARD"])).toEqual(["*1\r\n$-1\r\n", OK, OOM, OOM, OK]);
    } finally {
      await run(admin, ["CONFIG", "SET", "maxmemory", "0"]);
    }
  });
});

describe("blocking commands inside EXEC", () => {
  it("answer as on a timeout instead of blocking", async () => {
    const c = await conn();
    expect(
      await run(c, ["MULTI"], ["BLPOP", "t:none", "0"], ["BRPOP", "t:none", "0"], ["BLMOVE", "t:none", "t:d", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "t:none", "t:d", "0"], ["BLMPOP", "0", "1", "t:none", "LEFT"], ["EXEC"]),
    ).toEqual([OK, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, "*5\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n"]);
    await run(c, ["HELLO", "3"]);
    expect(await run(c, ["MULTI"], ["BLPOP", "t:none", "0"], ["BLMOVE", "t:none", "t:d", "LEFT", "LEFT", "0"], ["EXEC"])).toEqual([
      OK, QUEUED, QUEUED, "*2\r\n_\r\n_\r\n",
    ]);
    // With data there they pop as usual.
    expect(await run(c, ["MULTI"], ["RPUSH", "t:l", "a"], ["BLPOP", "t:l", "0"], ["BLPOP", "t:l", "0.01"], ["EXEC"])).toEqual([
      OK, QUEUED, QUEUED, QUEUED, `*3\r\n:1\r\n*2\r\n${bulk("t:l")}${bulk("a")}_\r\n`,
    ]);
  });

  it("a transaction's push serves a parked client after EXEC", async () => {
    const parked = await conn();
    const c = await conn();
    parked.send(cmd("BLPOP", "t:wake", "0"));
    await sleep(30);
    expect(await run(c, ["MULTI"], ["RPUSH", "t:wake", "x", "y"], ["LLEN", "t:wake"], ["EXEC"])).toEqual([OK, QUEUED, QUEUED, "*2\r\n:2\r\n:2\r\n"]);
    expect(await parked.replies(1)).toEqual([`*2\r\n${bulk("t:wake")}${bulk("x")}`]);
    expect(await run(c, ["LRANGE", "t:wake", "0", "-1"])).toEqual([`*1\r\n${bulk("y")}`]);
  });
});

describe("WATCH", () => {
  /** Runs MULTI; PING; EXEC on `c` and tells whether EXEC ran. */
  async function execRuns(c: RawConn): Promise<boolean> {
    const r = await run(c, ["MULTI"], ["PING"], ["EXEC"]);
    expect(r.slice(0, 2)).toEqual([OK, QUEUED]);
    if (r[2] === "*-1\r\n" || r[2] === "_\r\n") return false;
    expect(r[2]).toBe("*1\r\n+PONG\r\n");
    return true;
  }

  it("a write by another connection makes EXEC answer a null array and run nothing", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SET", "w:k", "0"]);
    expect(await run(a, ["WATCH", "w:k"])).toEqual([OK]);
    await run(b, ["SET", "w:k", "0"]); // same value: still a modification
    expect(await run(a, ["MULTI"], ["SET", "w:side", "1"], ["EXEC"], ["EXISTS", "w:side"])).toEqual([OK, QUEUED, "*-1\r\n", ":0\r\n"]);
    // EXEC forgot the watch: the next transaction runs.
    await run(b, ["SET", "w:k", "1"]);
    expect(await execRuns(a)).toBe(true);
  });

  it("RESP3 gets _ for a failed EXEC", async () => {
    const a = await conn();
    const b = await conn();
    await run(a, ["HELLO", "3"], ["WATCH", "w:3"]);
    await run(b, ["INCR", "w:3"]);
    expect(await run(a, ["MULTI"], ["PING"], ["EXEC"])).toEqual([OK, QUEUED, "_\r\n"]);
  });

  it("untouched keys, reads and writes that change nothing leave EXEC alone", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SET", "w:ro", "v"]);
    await run(a, ["WATCH", "w:ro", "w:missing"]);
    await run(b, ["GET", "w:ro"], ["SET", "w:ro", "x", "NX"], ["DEL", "w:missing"], ["SET", "w:unrelated", "1"], ["COPY", "w:ro", "w:copy"]);
    expect(await execRuns(a)).toBe(true);
  });

  it("our own write between WATCH and EXEC counts; writes inside the transaction do not", async () => {
    const a = await conn();
    expect(await run(a, ["WATCH", "w:own"], ["SET", "w:own", "1"], ["MULTI"], ["PING"], ["EXEC"])).toEqual([OK, OK, OK, QUEUED, "*-1\r\n"]);
    expect(await run(a, ["WATCH", "w:own"], ["MULTI"], ["SET", "w:own", "2"], ["EXEC"])).toEqual([OK, OK, QUEUED, `*1\r\n${OK}`]);
  });

  it("a transaction's writes invalidate other watchers", async () => {
    const a = await conn();
    const b = await conn();
    await run(a, ["WATCH", "w:tx"]);
    await run(b, ["MULTI"], ["LPUSH", "w:tx", "1"], ["EXEC"]);
    expect(await execRuns(a)).toBe(false);
  });

  it("UNWATCH, DISCARD and RESET forget watched keys", async () => {
    const a = await conn();
    const b = await conn();
    await run(a, ["WATCH", "w:u"]);
    await run(b, ["SET", "w:u", "1"]);
    expect(await run(a, ["UNWATCH"])).toEqual([OK]);
    expect(await execRuns(a)).toBe(true);
    await run(a, ["WATCH", "w:u"], ["MULTI"], ["DISCARD"]);
    await run(b, ["SET", "w:u", "2"]);
    expect(await execRuns(a)).toBe(true);
    await run(a, ["WATCH", "w:u"], ["RESET"]);
    await run(b, ["SET", "w:u", "3"]);
    expect(await execRuns(a)).toBe(true);
    // UNWATCH inside MULTI is queued and answers +OK.
    expect(await run(a, ["MULTI"], ["UNWATCH"], ["EXEC"])).toEqual([OK, QUEUED, `*1\r\n${OK}`]);
  });

  it("a key is watched in the database it was watched in", async () => {
    const a = await conn();
    const b = await conn();
    await run(a, ["WATCH", "w:db"], ["SELECT", "2"]);
    await run(b, ["SELECT", "2"], ["SET", "w:db", "other db"], ["SELECT", "0"]);
    expect(await execRuns(a)).toBe(true);
    await run(a, ["SELECT", "0"], ["WATCH", "w:db"], ["SELECT", "2"]);
    await run(b, ["SET", "w:db", "watched db"]);
    expect(await execRuns(a)).toBe(false);
    await run(a, ["SELECT", "0"]);
  });

  it("RENAME, MOVE and COPY … DB touch the keys they write, in their databases", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SET", "w:r1", "1"]);
    await run(a, ["WATCH", "w:r2"]);
    await run(b, ["RENAME", "w:r1", "w:r2"]);
    expect(await execRuns(a)).toBe(false);

    await run(b, ["SET", "w:mv", "1"]);
    await run(a, ["SELECT", "3"], ["WATCH", "w:mv"]);
    await run(b, ["MOVE", "w:mv", "3"]);
    expect(await execRuns(a)).toBe(false);

    await run(a, ["WATCH", "w:cp"]);
    await run(b, ["COPY", "w:r2", "w:cp", "DB", "3"]);
    expect(await execRuns(a)).toBe(false);
    await run(a, ["FLUSHDB"], ["SELECT", "0"]);
  });

  it("a parked client's move into a watched key counts", async () => {
    const a = await conn();
    const parked = await conn();
    const b = await conn();
    await run(a, ["WATCH", "w:dst"]);
    parked.send(cmd("BLMOVE", "w:src", "w:dst", "LEFT", "LEFT", "0"));
    await sleep(30);
    await run(b, ["RPUSH", "w:src", "v"]);
    expect(await parked.replies(1)).toEqual([bulk("v")]);
    expect(await execRuns(a)).toBe(false);
  });

  it("FLUSHDB and FLUSHALL touch watched keys that existed, not missing ones", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SELECT", "5"], ["SET", "w:f", "1"], ["SET", "w:other", "1"]);
    await run(a, ["SELECT", "5"], ["WATCH", "w:f"]);
    await run(b, ["FLUSHDB"]);
    expect(await execRuns(a)).toBe(false);

    await run(b, ["SET", "w:other", "1"]);
    await run(a, ["WATCH", "w:nokey"]);
    await run(b, ["FLUSHDB"]);
    expect(await execRuns(a)).toBe(true);

    await run(b, ["SET", "w:f", "1"]);
    await run(a, ["WATCH", "w:f"]);
    await run(b, ["FLUSHALL"]);
    expect(await execRuns(a)).toBe(false);
    await run(a, ["SELECT", "0"]);
  });

  it("SWAPDB touches keys live on either side", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SELECT", "7"], ["SET", "w:s", "in 7"], ["SELECT", "6"], ["SET", "w:z", "1"]);
    await run(a, ["SELECT", "6"], ["WATCH", "w:s"]);
    await run(b, ["SWAPDB", "6", "7"]);
    expect(await execRuns(a)).toBe(false);

    await run(a, ["WATCH", "w:none"]);
    await run(b, ["SWAPDB", "6", "7"], ["SWAPDB", "6", "6"]);
    expect(await execRuns(a)).toBe(true);
    await run(b, ["FLUSHALL"]);
    await run(a, ["SELECT", "0"]);
  });

  it("expiry of a key that was live when watched makes EXEC fail", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SET", "w:e", "1", "PX", "60"]);
    await run(a, ["WATCH", "w:e"]);
    await sleep(100);
    expect(await execRuns(a)).toBe(false);

    // Deleted meanwhile by another client's lookup (lazy expiry): the same.
    await run(b, ["SET", "w:e2", "1", "PX", "60"]);
    await run(a, ["WATCH", "w:e2"]);
    await sleep(100);
    expect(await run(b, ["GET", "w:e2"])).toEqual(["$-1\r\n"]);
    expect(await execRuns(a)).toBe(false);

    // Expiring after WATCH, while the commands are being queued.
    await run(b, ["SET", "w:e3", "1", "PX", "60"]);
    expect(await run(a, ["WATCH", "w:e3"], ["MULTI"], ["PING"])).toEqual([OK, OK, QUEUED]);
    await sleep(100);
    expect(await run(a, ["EXEC"])).toEqual(["*-1\r\n"]);
  });

  it("a key already expired when watched counts as absent", async () => {
    const a = await conn();
    const b = await conn();
    await run(b, ["SET", "w:x", "1", "PX", "20"]);
    await sleep(50);
    await run(a, ["WATCH", "w:x"]);
    expect(await execRuns(a)).toBe(true);
    // Its deletion by expiry is no change either…
    await run(b, ["SET", "w:x", "1", "PX", "20"]);
    await sleep(50);
    await run(a, ["WATCH", "w:x"]);
    await run(b, ["GET", "w:x"]);
    expect(await execRuns(a)).toBe(true);
    // …but writing it is.
    await run(b, ["SET", "w:x", "1", "PX", "20"]);
    await sleep(50);
    await run(a, ["WATCH", "w:x"]);
    await run(b, ["SET", "w:x", "2"]);
    expect(await execRuns(a)).toBe(false);
  });

  it("the server only listens for writes while someone watches", async () => {
    const a = await conn();
    await run(a, ["WATCH", "w:hook1", "w:hook2", "w:hook1"]);
    const t = installMulti(s.wedis);
    expect(t.watchedKeys).toBeGreaterThanOrEqual(2);
    expect(s.wedis.dirtyHook).not.toBeNull();
    await run(a, ["UNWATCH"]);
    // Other tests' connections may still watch; close them all to check the hook goes away.
    for (const c of open) c.close();
    await sleep(50);
    expect(t.watchedKeys).toBe(0);
    expect(s.wedis.dirtyHook).toBeNull();
  });
});

describe("client libraries", () => {
  it("ioredis multi(): results, errors in place, EXECABORT, WATCH failure", async () => {
    const r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true });
    const other = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true });
    await r.connect();
    await other.connect();
    try {
      expect(await r.multi().set("io:a", "1").incr("io:a").get("io:a").exec()).toEqual([[null, "OK"], [null, 2], [null, "2"]]);
      const withErr = await r.multi().set("io:s", "x").incr("io:s").exec();
      expect(withErr![0]).toEqual([null, "OK"]);
      expect(String(withErr![1][0])).toMatch(/ERR value is not an integer/);
      await expect(r.multi().set("io:b", "1").call("nosuchcommand").exec()).rejects.toThrow(/EXECABORT/);
      expect(await r.exists("io:b")).toBe(0);
      await r.watch("io:w");
      await other.set("io:w", "changed");
      expect(await r.multi().set("io:w", "mine").exec()).toBeNull();
      expect(await r.get("io:w")).toBe("changed");
      await r.watch("io:w");
      expect(await r.multi().set("io:w", "mine").exec()).toEqual([[null, "OK"]]);
      expect(await r.get("io:w")).toBe("mine");
    } finally {
      r.disconnect();
      other.disconnect();
    }
  });

  it("node-redis multi(): results, WatchError, a refused command", async () => {
    const c = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    const other = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    await c.connect();
    await other.connect();
    try {
      expect(await c.multi().set("nr:a", "1").incr("nr:a").get("nr:a").exec()).toEqual(["OK", 2, "2"]);
      await c.watch("nr:w");
      await other.set("nr:w", "changed");
      await expect(c.multi().set("nr:w", "mine").exec()).rejects.toBeInstanceOf(WatchError);
      expect(await c.get("nr:w")).toBe("changed");
      await c.watch("nr:w");
      expect(await c.multi().set("nr:w", "mine").exec()).toEqual(["OK"]);
      expect(await c.get("nr:w")).toBe("mine");
      // node-redis rejects with the first error of the chain: the refused command's.
      await expect(c.multi().set("nr:b", "1").addCommand(["NOSUCHCOMMAND"]).exec()).rejects.toThrow(/unknown command 'NOSUCHCOMMAND'/);
      expect(await c.exists("nr:b")).toBe(0);
    } finally {
      await c.quit();
      await other.quit();
    }
  });
});
