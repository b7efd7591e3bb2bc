// Server administration over real sockets: TIME, CONFIG, DEBUG, SHUTDOWN, FUNCTION/SCRIPT with
// no scripting engine, and the MEMORY reports. Error strings are Redis 7.0.15's, observed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";
import { Config } from "../../host/config.js";
import { rewriteConfigText } from "../../host/commands/config.js";
import { doctorReport, mallocStatsText, memoryStatsCommand } from "../../host/commands/memory.js";
import { ReplyWriter } from "../../host/resp/encoder.js";
import type { CommandContext } from "../../host/commands/handlers.js";
import { RawConn, cmd, exchange } from "../server/raw.js";

let s: StartedServer;
let r: Redis;
beforeAll(async () => {
  s = await startServer({ port: 0, debug: true, config: { "enable-debug-command": "yes" } });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true });
  await r.connect();
});
afterAll(async () => {
  r.disconnect();
  await s.close();
});

const one = async (...args: string[]) => (await exchange(s.port, cmd(...args), 1))[0];

/**
 * `<CMD> HELP` as raw bytes, in RESP2 and RESP3 (they must be identical: an array of simple
 * strings), returned as its lines after checking the shape Redis uses: the conventional first
 * line, then each usage line (unindented) followed by at least one 4-space description line.
 */
async function helpLines(...args: string[]): Promise<string[]> {
  const resp2 = await one(...args);
  const [, resp3] = await exchange(s.port, Buffer.concat([cmd("HELLO", "3"), cmd(...args)]), 2);
  expect(resp3).toBe(resp2);
  const parts = resp2.split("\r\n");
  expect(parts.pop()).toBe("");
  const n = Number(/^\*(\d+)$/.exec(parts[0])![1]);
  const lines = parts.slice(1);
  expect(lines).toHaveLength(n);
  for (const l of lines) expect(l.startsWith("+")).toBe(true);
  const text = lines.map((l) => l.slice(1));
  expect(text[0]).toBe(`${args[0].toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (let i = 1; i < text.length; i++) {
    if (!text[i].startsWith(" ")) expect(text[i + 1]?.startsWith("    ")).toBe(true);
    else expect(text[i].startsWith("    ")).toBe(true);
  }
  expect(text.slice(-2)).toEqual(["HELP", "    List these subcommands."]);
  return text;
}

/** The unindented lines after the first: one usage line per subcommand. */
const usages = (text: string[]) => text.slice(1).filter((l) => !l.startsWith(" "));

describe("TIME", () => {
  it("answers [seconds, microseconds] as bulk strings close to the clock", async () => {
    const before = Date.now();
    const [sec, usec] = (await r.call("time")) as string[];
    const ms = Number(sec) * 1000 + Number(usec) / 1000;
    expect(sec).toMatch(/^\d+$/);
    expect(usec).toMatch(/^\d{1,6}$/);
    expect(ms).toBeGreaterThanOrEqual(before - 5);
    expect(ms).toBeLessThanOrEqual(Date.now() + 5);
    expect(await one("TIME", "x")).toBe("-ERR wrong number of arguments for 'time' command\r\n");
  });
});

describe("LASTSAVE", () => {
  it("answers the server's start time in seconds (nothing was saved yet)", async () => {
    const t = (await r.call("lastsave")) as number;
    expect(t).toBe(Math.floor(s.wedis.startMs / 1000));
    expect(await one("LASTSAVE", "x")).toBe("-ERR wrong number of arguments for 'lastsave' command\r\n");
  });
});

describe("CONFIG", () => {
  it("GET: patterns, no duplicates, exact names echoed, save and appendonly answer", async () => {
    expect(await r.call("config", "get", "maxmemory")).toEqual(["maxmemory", "0"]);
    expect(await r.call("config", "get", "MAXMEMORY")).toEqual(["MAXMEMORY", "0"]);
    expect(await r.call("config", "get", "nosuch")).toEqual([]);
    expect(await r.call("config", "get", "appendonly")).toEqual(["appendonly", "no"]);
    const save = (await r.call("config", "get", "save")) as string[];
    expect(save[0]).toBe("save");
    const many = (await r.call("config", "get", "maxmemory*", "maxmemory", "maxmemory-policy")) as string[];
    const names = many.filter((_, i) => i % 2 === 0);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["maxmemory", "maxmemory-policy", "maxmemory-samples"]));
  });

  it("GET is a map in RESP3 (node-redis) and a flat array in RESP2 (bytes)", async () => {
    const [flat, , map] = await exchange(s.port, Buffer.concat([cmd("CONFIG", "GET", "hz"), cmd("HELLO", "3"), cmd("CONFIG", "GET", "hz")]), 3);
    expect(flat).toBe("*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    expect(map).toBe("%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    const c = createClient({ RESP: 3, socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    await c.connect();
    try {
      expect(await c.configGet("maxmemory-policy")).toEqual({ "maxmemory-policy": "noeviction" });
    } finally {
      await c.quit();
    }
  });

  it("SET then GET of maxmemory; memory units; the policy reaches the engine", async () => {
    expect(await r.call("config", "set", "maxmemory", "10mb")).toBe("OK");
    expect(await r.call("config", "get", "maxmemory")).toEqual(["maxmemory", String(10 * 1024 * 1024)]);
    await r.set("f", "1");
    // OBJECT FREQ works only when the engine runs an LFU policy.
    await expect(r.call("object", "freq", "f")).rejects.toThrow("An LFU maxmemory policy is not selected");
    expect(await r.call("config", "set", "maxmemory-policy", "allkeys-lfu")).toBe("OK");
    expect(typeof (await r.call("object", "freq", "f"))).toBe("number");
    expect(await r.call("config", "set", "maxmemory", "0", "maxmemory-policy", "noeviction")).toBe("OK");
    await expect(r.call("object", "freq", "f")).rejects.toThrow("An LFU maxmemory policy is not selected");
  });

  it("SET errors are Redis's, and a failing SET changes nothing", async () => {
    const cases: [string[], string][] = [
      [["foo", "bar"], "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n"],
      [["maxmemory", "foo"], "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n"],
      [["maxmemory", "10mb", "maxmemory", "5"], "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter\r\n"],
      [["maxmemory", "10mb", "hz"], "-ERR syntax error\r\n"],
      [["timeout", "-1"], "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive\r\n"],
      [["databases", "3"], "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n"],
      [["maxmemory", "7mb", "maxmemory-policy", "bogus"],
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction\r\n"],
    ];
    for (const [args, err] of cases) expect(await one("CONFIG", "SET", ...args)).toBe(err);
    expect(await r.call("config", "get", "maxmemory")).toEqual(["maxmemory", "0"]);
    expect(await one("CONFIG", "GET")).toBe("-ERR wrong number of arguments for 'config|get' command\r\n");
    expect(await one("CONFIG", "FOO")).toBe("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
  });

  it("RESETSTAT zeroes the INFO counters; REWRITE needs a config file; HELP", async () => {
    await r.get("nosuchkey");
    expect(await r.call("config", "resetstat")).toBe("OK");
    const text = (await r.call("info", "stats")) as string;
    expect(text).toMatch(/\r\ntotal_commands_processed:1\r\n/);
    expect(await one("CONFIG", "REWRITE")).toBe("-ERR The server is running without a config file\r\n");
    const help = await helpLines("CONFIG", "HELP");
    expect(usages(help)).toEqual(["GET <pattern>", "SET <directive> <value>", "RESETSTAT", "REWRITE", "HELP"]);
    expect(help).toContain("    Change parameters at run time; several pairs may be given, and if one is refused none changes.");
    expect(help).toHaveLength(11);
    expect(await r.call("config", "help")).toEqual(help);
  });

  it("rewrites a config file in place, appending only changed parameters", () => {
    const config = new Config();
    config.load("maxmemory", "2gb");
    config.load("hz", "20");
    config.load("save", "900 1 300 10");
    config.load("logfile", "/tmp/my log.txt");
    const text = "# my settings\nport 7000\nhz 15\nhz 16\nsomething-unknown yes\n\n";
    config.load("port", "7000");
    const out = rewriteConfigText(config, text);
    expect(out).toBe(
      "# my settings\nport 7000\nhz 20\nsomething-unknown yes\n# Generated by CONFIG REWRITE\n" +
        'logfile "/tmp/my log.txt"\nsave 900 1\nsave 300 10\nmaxmemory 2gb\n',
    );
    // A second rewrite with nothing changed keeps the file as it is.
    expect(rewriteConfigText(config, out)).toBe(out);
    // A later change lands in place; a new one goes below the existing marker.
    config.load("maxmemory", "1000");
    config.load("timeout", "30");
    expect(rewriteConfigText(config, out)).toBe(out.replace("maxmemory 2gb\n", "maxmemory 1000\ntimeout 30\n"));
  });
});

describe("DEBUG", () => {
  it("SLEEP 0, SET-ACTIVE-EXPIRE, LOG; errors as Redis words them", async () => {
    expect(await r.call("debug", "sleep", "0")).toBe("OK");
    expect(await r.call("debug", "set-active-expire", "1")).toBe("OK");
    expect(await r.call("debug", "log", "hello from the test")).toBe("OK");
    expect(await one("DEBUG", "foo")).toBe("-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n");
    expect(await one("DEBUG", "SLEEP")).toBe("-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n");
    expect(await one("DEBUG")).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
    const help = await helpLines("DEBUG", "HELP");
    expect(usages(help)).toEqual(["LOG <message>", "OBJECT <key>", "SET-ACTIVE-EXPIRE <0|1>", "SLEEP <seconds>", "HELP"]);
    expect(help).toContain("    Freeze the whole server for <seconds>, which may be fractional.");
    expect(await r.call("debug", "help")).toEqual(help);
  });

  it("SLEEP blocks the whole server", async () => {
    const other = new RawConn(s.port);
    await other.ready;
    try {
      const t0 = Date.now();
      const sleeping = r.call("debug", "sleep", "0.3");
      await new Promise((res) => setTimeout(res, 50));
      other.send(cmd("PING"));
      expect(await other.replies(1)).toEqual(["+PONG\r\n"]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
      expect(await sleeping).toBe("OK");
    } finally {
      other.close();
    }
  });

  it("is refused unless enable-debug-command allows it", async () => {
    const sd = await startServer({ port: 0, debug: true });
    try {
      const [reply] = await exchange(sd.port, cmd("DEBUG", "SLEEP", "0"), 1);
      expect(reply).toMatch(/^-ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
    } finally {
      await sd.close();
    }
  });
});

describe("SHUTDOWN", () => {
  it("checks its options, then closes the server without a reply", async () => {
    const sd = await startServer({ port: 0, debug: true });
    const c = new RawConn(sd.port);
    await c.ready;
    c.send(Buffer.concat([cmd("SHUTDOWN", "foo"), cmd("SHUTDOWN", "NOSAVE", "SAVE"), cmd("SHUTDOWN", "ABORT"), cmd("SHUTDOWN", "ABORT", "NOW")]));
    expect(await c.replies(4)).toEqual(["-ERR syntax error\r\n", "-ERR syntax error\r\n", "-ERR No shutdown in progress.\r\n", "-ERR syntax error\r\n"]);
    c.send(cmd("SHUTDOWN", "NOSAVE"));
    expect(await c.closedByPeer()).toBe("");
    await new Promise((res) => setTimeout(res, 50));
    expect(sd.server.listening).toBe(false);
  });
});

describe("FUNCTION and SCRIPT without a scripting engine", () => {
  it("answer as Redis does with nothing loaded", async () => {
    expect(await r.call("function", "list")).toEqual([]);
    expect(await r.call("function", "list", "withcode", "libraryname", "x*")).toEqual([]);
    expect(await r.call("function", "flush")).toBe("OK");
    expect(await r.call("function", "flush", "async")).toBe("OK");
    expect(await r.call("script", "flush", "sync")).toBe("OK");
    expect(await r.call("script", "exists", "a", "b", "c")).toEqual([0, 0, 0]);
    const dump = (await r.callBuffer("function", "dump")) as Buffer;
    expect(dump.subarray(0, 2)).toEqual(Buffer.from([10, 0]));
    expect(await r.call("function", "restore", dump)).toBe("OK");
    expect(await r.call("function", "stats")).toEqual(["running_script", null, "engines", []]);
  });

  it("errors match Redis", async () => {
    const cases: [string[], string][] = [
      [["FUNCTION", "FLUSH", "x"], "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n"],
      [["FUNCTION", "FLUSH", "sync", "async"], "-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.\r\n"],
      [["FUNCTION", "LIST", "LIBRARYNAME"], "-ERR library name argument was not given\r\n"],
      [["FUNCTION", "LIST", "foo"], "-ERR Unknown argument foo\r\n"],
      [["FUNCTION", "DELETE", "x"], "-ERR Library not found\r\n"],
      [["FUNCTION", "KILL"], "-NOTBUSY No scripts in execution right now.\r\n"],
      [["FUNCTION", "LOAD", "x"], "-ERR Missing library metadata\r\n"],
      [["FUNCTION", "LOAD", "#!lua\nreturn 1"], "-ERR Library name was not given\r\n"],
      [["FUNCTION", "LOAD", "#!lua foo=bar\nreturn 1"], "-ERR Invalid metadata value given: foo=bar\r\n"],
      [["FUNCTION", "LOAD", "#!nolua name=a\nreturn 1"], "-ERR Engine 'nolua' not found\r\n"],
      [["FUNCTION", "LOAD", "#!lua name=mylib\nreturn 1"], "-ERR Engine 'lua' not found\r\n"],
      [["FUNCTION", "RESTORE", "x"], "-ERR DUMP payload version or checksum are wrong\r\n"],
      [["FUNCTION", "RESTORE", "x", "foo"], "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n"],
      [["SCRIPT", "FLUSH", "x"], "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n"],
      [["SCRIPT", "KILL"], "-NOTBUSY No scripts in execution right now.\r\n"],
      [["SCRIPT", "DEBUG", "foo"], "-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n"],
    ];
    for (const [args, err] of cases) expect(await one(...args)).toBe(err);
  });

  it("HELP lists the subcommands and says what each does without an engine", async () => {
    const fn = await helpLines("FUNCTION", "HELP");
    expect(usages(fn)).toEqual([
      "LOAD [REPLACE] <FUNCTION CODE>",
      "DELETE <LIBRARY NAME>",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "STATS",
      "KILL",
      "FLUSH [ASYNC|SYNC]",
      "DUMP",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "HELP",
    ]);
    expect(fn[fn.indexOf("KILL") + 1]).toBe("    Stop a running function. Nothing ever runs here, so this replies NOTBUSY.");
    const sc = await helpLines("SCRIPT", "HELP");
    expect(usages(sc)).toEqual(["DEBUG (YES|SYNC|NO)", "EXISTS <sha1> [<sha1> ...]", "FLUSH [ASYNC|SYNC]", "KILL", "LOAD <script>", "HELP"]);
    expect(sc[sc.indexOf("LOAD <script>") + 1]).toBe("    Cache a script by its digest without running it; refused, as there is no Lua engine.");
  });
});

describe("MEMORY reports", () => {
  it("HELP lists the subcommands, PURGE described as doing nothing", async () => {
    const help = await helpLines("MEMORY", "HELP");
    expect(usages(help)).toEqual(["DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE <key> [SAMPLES <count>]", "HELP"]);
    expect(help[help.indexOf("PURGE") + 1]).toBe("    Does nothing here (WebAssembly memory is never handed back) and replies OK.");
    expect(await r.call("memory", "purge")).toBe("OK");
  });

  it("STATS has Redis's fields, consistent with INFO memory", () => {
    const w = new ReplyWriter(3);
    const ctx = { server: s.wedis, client: null, cmd: null, args: [], w } as unknown as CommandContext;
    memoryStatsCommand(ctx);
    const text = w.take().toString("latin1");
    expect(text.startsWith("%")).toBe(true);
    for (const f of ["peak.allocated", "total.allocated", "startup.allocated", "overhead.total", "keys.count", "dataset.bytes", "allocator.allocated", "fragmentation"]) {
      expect(text).toContain(`$${f.length}\r\n${f}\r\n`);
    }
    const used = s.wedis.engine.x.usedMemory() >>> 0;
    expect(text).toMatch(new RegExp(`total\\.allocated\\r\\n:${used}\\r\\n`));
    // Our addition: the allocator's classes in use, whose bytes add up to what is allocated.
    const classes = [...text.matchAll(/bytes\.used\r\n:(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(text).toContain("$22\r\nallocator.size-classes\r\n");
    expect(classes.length).toBeGreaterThan(0);
    expect(classes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(used);
  });

  it("STATS over a RESP2 socket is a well-formed flat array", async () => {
    const reply = await one("MEMORY", "STATS");
    const n = Number(/^\*(\d+)\r\n/.exec(reply)![1]);
    expect(n % 2).toBe(0);
    expect(reply).toContain("allocator.size-classes");
  });

  it("MALLOC-STATS prints the allocator's per-class table; DOCTOR a report", () => {
    const stats = mallocStatsText(s.wedis);
    expect(stats).toMatch(/^___ Begin wedis allocator statistics ___\n/);
    const rows = stats.split("\n").filter((l) => /^\s+\d+\s+\d+\s+\d+/.test(l));
    expect(rows.length).toBe(44);
    expect(rows[0].trim().split(/\s+/)[0]).toBe("8");
    expect(doctorReport(s.wedis)).toMatch(/\S/);
  });
});
