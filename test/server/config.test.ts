// The config registry: Redis 7.0 defaults, canonical values, and CONFIG SET's error strings
// (each observed on a real redis-server 7.0.15).
import { describe, expect, it } from "vitest";
import { Config, loadPairs, parseCommandLine, parseConfigText, parseMemory, splitArgs } from "../../host/config.js";

const fail = (name: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;

describe("config registry", () => {
  it("has Redis 7.0's defaults", () => {
    const c = new Config();
    const get = (n: string) => c.getConfig(n)[0]?.[1];
    expect(get("port")).toBe("6379");
    expect(get("maxclients")).toBe("10000");
    expect(get("tcp-keepalive")).toBe("300");
    expect(get("proto-max-bulk-len")).toBe("536870912");
    expect(get("client-query-buffer-limit")).toBe("1073741824");
    expect(get("maxmemory-policy")).toBe("noeviction");
    expect(get("save")).toBe("3600 1 300 100 60 10000");
    expect(get("client-output-buffer-limit")).toBe("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    expect(get("appendfsync")).toBe("everysec");
    expect(get("hz")).toBe("10");
  });

  it("parses memory units like Redis (k = 1000, kb = 1024, any case)", () => {
    expect(parseMemory("1mb")).toBe(1048576);
    expect(parseMemory("512KB")).toBe(524288);
    expect(parseMemory("1k")).toBe(1000);
    expect(parseMemory("1gb")).toBe(1073741824);
    expect(parseMemory("5b")).toBe(5);
    expect(parseMemory("1.5mb")).toBeNull();
    expect(parseMemory("-1")).toBeNull();
    expect(parseMemory("1x")).toBeNull();
    const c = new Config();
    expect(c.setConfig("maxmemory", "1GB")).toBeNull();
    expect(c.get("maxmemory")).toBe("1073741824");
  });

  it("answers CONFIG SET errors with Redis's words", () => {
    const c = new Config();
    expect(c.setConfig("maxmemory", "1x")).toBe(fail("maxmemory", "argument must be a memory value"));
    expect(c.setConfig("hz", "abc")).toBe(fail("hz", "argument couldn't be parsed into an integer"));
    expect(c.setConfig("hz", "-1")).toBe(fail("hz", "argument must be between 0 and 2147483647 inclusive"));
    expect(c.setConfig("timeout", "1.5")).toBe(fail("timeout", "argument couldn't be parsed into an integer"));
    expect(c.setConfig("maxclients", "0")).toBe(fail("maxclients", "argument must be between 1 and 4294967295 inclusive"));
    expect(c.setConfig("port", "70000")).toBe(fail("port", "argument must be between 0 and 65535 inclusive"));
    expect(c.setConfig("proto-max-bulk-len", "100")).toBe(fail("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive"));
    expect(c.setConfig("appendfsync", "foo")).toBe(fail("appendfsync", "argument(s) must be one of the following: always, everysec, no"));
    expect(c.setConfig("activerehashing", "maybe")).toBe(fail("activerehashing", "argument must be 'yes' or 'no'"));
    expect(c.setConfig("databases", "3")).toBe(fail("databases", "can't set immutable config"));
    expect(c.setConfig("dir", "/tmp")).toBe(fail("dir", "can't set protected config"));
    expect(c.setConfig("foo", "1")).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(c.setConfig("save", "100 x")).toBe(fail("save", "Invalid save parameters"));
    expect(c.setConfig("save", "100 1 200")).toBe(fail("save", "Invalid save parameters"));
    expect(c.setConfig("client-output-buffer-limit", "normal 1 2")).toBe(
      fail("client-output-buffer-limit", "Wrong number of arguments in buffer limit configuration."),
    );
    expect(c.setConfig("client-output-buffer-limit", "foo 1 2 3")).toBe(
      fail("client-output-buffer-limit", "Invalid client class specified in buffer limit configuration."),
    );
    expect(c.setConfig("client-output-buffer-limit", "normal x 2 3")).toBe(
      fail("client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
    );
  });

  it("stores canonical values", () => {
    const c = new Config();
    expect(c.setConfig("maxmemory-policy", "ALLKEYS-LRU")).toBeNull();
    expect(c.get("maxmemory-policy")).toBe("allkeys-lru");
    expect(c.setConfig("activerehashing", "NO")).toBeNull();
    expect(c.bool("activerehashing")).toBe(false);
    expect(c.setConfig("hz", "1000")).toBeNull();
    expect(c.int("hz")).toBe(500); // clamped, as Redis does
    expect(c.setConfig("hz", "0")).toBeNull();
    expect(c.int("hz")).toBe(1);
    expect(c.setConfig("client-output-buffer-limit", "normal 1mb 2mb 3")).toBeNull();
    expect(c.get("client-output-buffer-limit")).toBe("normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    expect(c.outputLimit("normal")).toEqual({ hard: 1048576, soft: 2097152, seconds: 3 });
    expect(c.setConfig("save", "")).toBeNull();
    expect(c.get("save")).toBe("");
  });

  it("CONFIG GET matches globs case-insensitively", () => {
    const c = new Config();
    expect(c.getConfig("LazyFree*").map(([n]) => n).sort()).toEqual([
      "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush",
    ]);
    expect(c.getConfig("MAXCLIENTS")).toEqual([["maxclients", "10000"]]);
    expect(c.getConfig("max?lients")).toEqual([["maxclients", "10000"]]);
    expect(c.getConfig("nothing-like-this")).toEqual([]);
  });

  it("sets several parameters all or nothing, and runs apply hooks", () => {
    const c = new Config();
    const seen: string[] = [];
    c.onChange("timeout", (v) => void seen.push(v));
    expect(c.setConfigMany([["timeout", "5"], ["maxmemory", "1x"]])).toBe(fail("maxmemory", "argument must be a memory value"));
    expect(c.get("timeout")).toBe("0");
    expect(c.setConfigMany([["hz", "10"], ["HZ", "11"]])).toBe(fail("HZ", "duplicate parameter"));
    c.onChange("maxmemory", (v) => (v === "7" ? "refused by hook" : null));
    expect(c.setConfigMany([["timeout", "5"], ["maxmemory", "7"]])).toBe(fail("maxmemory", "refused by hook"));
    expect([c.get("timeout"), c.get("maxmemory")]).toEqual(["0", "0"]);
    expect(seen).toEqual(["5", "0"]); // applied, then rolled back
    expect(c.setConfigMany([["timeout", "5"], ["maxmemory", "8"]])).toBeNull();
    expect([c.get("timeout"), c.get("maxmemory")]).toEqual(["5", "8"]);
  });
});

describe("config file and command line", () => {
  it("splits arguments like Redis, with quotes and escapes", () => {
    expect(splitArgs('requirepass "a b\\x41\\n"')).toEqual(["requirepass", "a bA\n"]);
    expect(splitArgs("save ''")).toEqual(["save", ""]);
    expect(splitArgs("x 'it\\'s'")).toEqual(["x", "it's"]);
    expect(splitArgs('bad "unclosed')).toBeNull();
    expect(splitArgs('bad "a"b')).toBeNull();
  });

  it("reads a config file: comments, multi-word values, repeated save lines", () => {
    const pairs = parseConfigText(
      ["# a comment", "port 7000", "", "  maxmemory 2mb  ", "save 900 1", "save 300 10", 'requirepass "p w"', "bind 127.0.0.1 -::1"].join("\n"),
    );
    const c = new Config();
    loadPairs(c, pairs);
    expect(c.get("port")).toBe("7000");
    expect(c.get("maxmemory")).toBe("2097152");
    expect(c.get("save")).toBe("900 1 300 10");
    expect(c.get("requirepass")).toBe("p w");
    expect(c.get("bind")).toBe("127.0.0.1 -::1");
    expect(() => loadPairs(new Config(), [["nonsense", "1"]])).toThrow("Bad directive or wrong number of arguments");
    expect(() => loadPairs(new Config(), [["maxmemory", "lots"]])).toThrow("argument must be a memory value");
    // Immutable parameters can be set at startup.
    const d = new Config();
    loadPairs(d, [["databases", "4"]]);
    expect(d.int("databases")).toBe(4);
  });

  it("parses redis-server style argv", () => {
    expect(parseCommandLine(["/etc/w.conf", "--port", "7777", "--save", "900", "1", "--loglevel", "verbose"])).toEqual({
      file: "/etc/w.conf",
      pairs: [["port", "7777"], ["save", "900 1"], ["loglevel", "verbose"]],
    });
    expect(parseCommandLine(["--save", "", "--list-max-listpack-size", "-2"])).toEqual({
      file: null,
      pairs: [["save", ""], ["list-max-listpack-size", "-2"]],
    });
    // Like redis-server, every word up to the next flag belongs to the flag.
    expect(parseCommandLine(["--port", "1", "stray"]).pairs).toEqual([["port", "1 stray"]]);
    expect(() => parseCommandLine(["a.conf", "b.conf"])).toThrow("Unexpected argument 'b.conf'");
  });
});
