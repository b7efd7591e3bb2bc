// The command table: every declared command is well formed, lookup works on raw bytes in any
// case, the legacy key range and key extraction agree with what a real Redis 7.0 printed, and
// the error strings are byte-exact.
//
// The generated table leaves out engine commands whose handlers do not exist yet, so most tests
// build a table straight from commands/*.json (numbered the way the generator numbers them).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandJson } from "../../host/commands/spec.js";
import { COMMAND_JSON } from "../../host/commands/table.generated.js";
import {
  ACL_CATEGORIES,
  type Command,
  CommandTable,
  FLAG_ADMIN,
  FLAG_FAST,
  FLAG_MOVABLE_KEYS,
  FLAG_NO_AUTH,
  FLAG_READONLY,
  FLAG_WRITE,
  allCommands,
  arityError,
  commandByName,
  flagNames,
  getKeys,
  getKeysAndFlags,
  lookupCommand,
  lookupSubcommand,
  unknownCommandError,
  unknownSubcommandError,
} from "../../host/commands/table.js";

const dir = join(import.meta.dirname, "../../commands");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

function declared(): CommandJson[] {
  const raw: [string, string, CommandJson][] = [];
  for (const f of files) {
    const group = JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, CommandJson>;
    for (const [name, spec] of Object.entries(group)) raw.push([f, name, spec]);
  }
  const full: string[] = [];
  for (const [, name, spec] of raw) {
    full.push(name);
    for (const sub of Object.keys(spec.subcommands ?? {})) full.push(`${name}|${sub}`);
  }
  full.sort();
  const id = (n: string) => full.indexOf(n);
  return raw.map(([, name, spec]) => ({
    ...spec,
    id: id(name),
    name,
    subcommands: spec.subcommands
      ? Object.fromEntries(
          Object.entries(spec.subcommands).map(([s, sj]) => [s, { ...sj, id: id(`${name}|${s}`), name: `${name}|${s}` }]),
        )
      : undefined,
  }));
}

const json = declared();
const table = new CommandTable(json);
const b = (s: string) => Buffer.from(s);
const args = (...a: string[]) => a.map(b);

function* everyCommand(): Generator<Command> {
  for (const c of table.all) {
    yield c;
    if (c.subcommands) yield* c.subcommands.values();
  }
}

describe("declared commands", () => {
  it("declares every command of the foundation, and none of those that don't exist yet", () => {
    const names = [...everyCommand()].map((c) => c.name).sort();
    const expected = (
      "ping echo quit reset hello auth select swapdb move copy dbsize flushdb flushall time info " +
      "config config|get config|set config|resetstat config|rewrite config|help " +
      "client client|id client|getname client|setname client|setinfo client|list client|info client|kill " +
      "client|no-evict client|reply client|help " +
      "command command|count command|info command|list command|docs command|getkeys command|getkeysandflags command|help " +
      "object object|encoding object|freq object|idletime object|refcount object|help " +
      "memory memory|usage memory|stats memory|doctor memory|help memory|malloc-stats memory|purge " +
      "debug type exists del unlink touch keys scan randomkey rename renamenx expire pexpire expireat pexpireat " +
      "ttl pttl expiretime pexpiretime persist get set setnx setex psetex getset getdel getex mget mset msetnx " +
      "append strlen getrange substr setrange incr decr incrby decrby incrbyfloat lcs shutdown lastsave " +
      "function function|delete function|dump function|flush function|help function|kill function|list " +
      "function|load function|restore function|stats " +
      "script script|debug script|exists script|flush script|help script|kill script|load"
    )
      .split(" ")
      .sort();
    // Later stages add commands (data types, transactions…); the foundation's stay.
    expect(names).toEqual(expect.arrayContaining(expected));
    for (const absent of ["eval", "evalsha", "fcall", "save", "bgsave"]) {
      expect(table.byName(absent)).toBeUndefined();
    }
  });

  it("gives every entry consistent facts", () => {
    const ids = new Set<number>();
    for (const c of everyCommand()) {
      const j = c.json;
      expect(ids.has(c.id), c.name).toBe(false);
      ids.add(c.id);
      expect(j.summary.length, c.name).toBeGreaterThan(10);
      expect(j.since, c.name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(c.arity, c.name).not.toBe(0);
      expect(files, c.name).toContain(`${c.parent ? c.parent.json.group : j.group}.json`);
      if (c.subcommands) {
        // Containers: Redis prints arity -2, no flags, ACL @slow; their subcommands run.
        // COMMAND alone is valid too (arity -1), so that container runs itself.
        expect(j.run, c.name).toBe(c.name === "command" ? "host" : undefined);
        expect(c.arity, c.name).toBe(c.name === "command" ? -1 : -2);
        expect(c.subcommands.size, c.name).toBeGreaterThan(0);
        for (const s of c.subcommands.values()) expect(["engine", "host"], s.name).toContain(s.run);
      } else {
        expect(["engine", "host"], c.name).toContain(j.run);
      }
      if (c.parent) {
        expect(c.name.startsWith(c.parent.name + "|"), c.name).toBe(true);
        expect(c.arity === -2 || Math.abs(c.arity) >= 2, c.name).toBe(true);
        expect(j.group).toBe(c.parent.json.group);
      }
      // Flags and categories come back out of their bit sets in the order Redis prints them,
      // which is the order the JSON recorded from Redis has.
      expect(flagNames(c.flags & ~FLAG_MOVABLE_KEYS), c.name).toEqual(j.flags);
      expect(ACL_CATEGORIES.filter((n) => (j.acl_categories ?? []).includes(n)), c.name).toEqual(j.acl_categories);
      // Derived ACL categories, as Redis adds them.
      const acl = j.acl_categories ?? [];
      if (c.flags & FLAG_WRITE) expect(acl, c.name).toContain("write");
      if (c.flags & FLAG_READONLY) expect(acl, c.name).toContain("read");
      if (c.flags & FLAG_ADMIN) expect(acl, c.name).toEqual(expect.arrayContaining(["admin", "dangerous"]));
      expect(acl.includes("fast"), c.name).toBe((c.flags & FLAG_FAST) !== 0);
      expect(acl.includes("slow"), c.name).toBe((c.flags & FLAG_FAST) === 0);
      // Argument key_spec_index values point at a key spec.
      const walk = (list: CommandJson["arguments"] = []) => {
        for (const a of list) {
          if (a.key_spec_index !== undefined) expect(a.key_spec_index, c.name).toBeLessThan(j.key_specs?.length ?? 0);
          if (a.type === "key") expect(a.key_spec_index, c.name).toBeDefined();
          walk(a.arguments);
        }
      };
      walk(j.arguments);
      for (const ks of j.key_specs ?? []) {
        expect(Object.keys(ks.begin_search)).toHaveLength(1);
        expect(Object.keys(ks.find_keys)).toHaveLength(1);
        expect(["RO", "RW", "OW", "RM"]).toContain(ks.flags[0]);
      }
    }
  });

  it("runs connection/server commands in the host and data commands in the engine", () => {
    // MEMORY USAGE reads one key (engine); the other MEMORY subcommands report on the whole server.
    const host = "quit reset hello auth select time info debug shutdown lastsave bgrewriteaof multi exec discard watch unwatch".split(" ");
    const hostContainers = ["config", "client", "command", "function", "script"];
    const hostSubcommands = ["memory|stats", "memory|doctor", "memory|help", "memory|malloc-stats", "memory|purge"];
    for (const c of everyCommand()) {
      if (c.subcommands) continue;
      const top = c.parent ? c.parent.name : c.name;
      const want =
        host.includes(top) || hostContainers.includes(top) || hostSubcommands.includes(c.name) ? "host" : "engine";
      expect(c.run, c.name).toBe(want);
    }
  });

  it("builds the server's table from the generated JSON", () => {
    expect(allCommands.length).toBe(COMMAND_JSON.length);
    for (const j of COMMAND_JSON) {
      expect(commandByName(j.name)?.json).toBe(j);
      const decl = table.byName(j.name)!;
      expect(decl.id).toBe(j.id);
    }
    // Host commands never depend on engine handlers, so they are always present.
    expect(commandByName("command|docs")?.run).toBe("host");
    expect(commandByName("CONFIG|GET")?.name).toBe("config|get");
  });
});

describe("lookup", () => {
  it("finds every command by its bytes in any case, at any offset", () => {
    for (const c of table.all) {
      for (const spelled of [c.name, c.name.toUpperCase(), c.name.replace(/^./, (x) => x.toUpperCase())]) {
        const buf = Buffer.from(`xx${spelled}yy`);
        expect(table.lookup(buf, 2, spelled.length), spelled).toBe(c);
      }
      if (c.subcommands) {
        for (const [sub, s] of c.subcommands) {
          const buf = Buffer.from(`*${sub.toUpperCase()}*`);
          expect(table.lookupSub(c, buf, 1, sub.length)).toBe(s);
          expect(table.byName(`${c.name.toUpperCase()}|${sub}`)).toBe(s);
        }
      }
    }
  });

  it("misses on near names", () => {
    for (const name of ["ge", "gett", "", "config|get", "get ", "xget", "g\u00e9t", "GET\0"]) {
      const buf = Buffer.from(name);
      expect(table.lookup(buf, 0, buf.length), name).toBeUndefined();
    }
    const config = table.byName("config")!;
    expect(table.lookupSub(config, b("gets"), 0, 4)).toBeUndefined();
    expect(table.lookupSub(table.byName("get")!, b("get"), 0, 3)).toBeUndefined();
  });

  it("exports the same lookups over the server's table", () => {
    const ping = lookupCommand(b("PiNg"), 0, 4);
    expect(ping?.name).toBe("ping");
    const command = lookupCommand(b("command"), 0, 7)!;
    expect(lookupSubcommand(command, b("DOCS"), 0, 4)?.name).toBe("command|docs");
    expect(command.displayName).toBe("COMMAND");
    expect(commandByName("command|docs")?.displayName).toBe("COMMAND DOCS");
    // A flag the server checks before authentication.
    expect(table.byName("hello")!.flags & FLAG_NO_AUTH).not.toBe(0);
    expect(table.byName("get")!.flags & FLAG_NO_AUTH).toBe(0);
  });
});

// Recorded from redis-server 7.0.15 with COMMAND INFO: [first, last, step].
const recordedLegacy: Record<string, [number, number, number]> = {
  get: [1, 1, 1],
  set: [1, 1, 1],
  mget: [1, -1, 1],
  mset: [1, -1, 2],
  msetnx: [1, -1, 2],
  del: [1, -1, 1],
  exists: [1, -1, 1],
  rename: [1, 2, 1],
  copy: [1, 2, 1],
  move: [1, 1, 1],
  lcs: [1, 2, 1],
  keys: [0, 0, 0],
  ping: [0, 0, 0],
  config: [0, 0, 0],
  "config|get": [0, 0, 0],
  object: [0, 0, 0],
  "object|encoding": [2, 2, 1],
  "memory|usage": [2, 2, 1],
  "object|help": [0, 0, 0],
};

// Key specs of other Redis 7.0 commands, recorded with COMMAND INFO, to exercise the merge
// rules: [printed first/last/step, movablekeys].
const otherCommands: { name: string; arity: number; printed: number[]; movable: boolean; key_specs: CommandJson["key_specs"] }[] = [
  { name: "sort", arity: -2, printed: [1, 1, 1], movable: true, key_specs: [
    { flags: ["RO", "access"], begin_search: { index: { pos: 1 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } },
    { flags: ["RO", "access"], begin_search: { unknown: null }, find_keys: { unknown: null } },
    { flags: ["OW", "update"], begin_search: { unknown: null }, find_keys: { unknown: null } }] },
  { name: "blmove", arity: 6, printed: [1, 2, 1], movable: false, key_specs: [
    { flags: ["RW", "access", "delete"], begin_search: { index: { pos: 1 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } },
    { flags: ["RW", "insert"], begin_search: { index: { pos: 2 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } }] },
  { name: "georadius", arity: -6, printed: [1, 1, 1], movable: true, key_specs: [
    { flags: ["RO", "access"], begin_search: { index: { pos: 1 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } },
    { flags: ["OW", "update"], begin_search: { keyword: { keyword: "STORE", startfrom: 6 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } },
    { flags: ["OW", "update"], begin_search: { keyword: { keyword: "STOREDIST", startfrom: 6 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } }] },
  { name: "zunionstore", arity: -4, printed: [1, 1, 1], movable: true, key_specs: [
    { flags: ["OW", "update"], begin_search: { index: { pos: 1 } }, find_keys: { range: { lastkey: 0, step: 1, limit: 0 } } },
    { flags: ["RO", "access"], begin_search: { index: { pos: 2 } }, find_keys: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } }] },
  { name: "xread", arity: -4, printed: [0, 0, 0], movable: true, key_specs: [
    { flags: ["RO", "access"], begin_search: { keyword: { keyword: "STREAMS", startfrom: 1 } }, find_keys: { range: { lastkey: -1, step: 1, limit: 2 } } }] },
  { name: "eval", arity: -3, printed: [0, 0, 0], movable: true, key_specs: [
    { flags: ["RW", "access", "update"], begin_search: { index: { pos: 2 } }, find_keys: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } }] },
  { name: "lmpop", arity: -4, printed: [0, 0, 0], movable: true, key_specs: [
    { flags: ["RW", "access", "delete"], begin_search: { index: { pos: 1 } }, find_keys: { keynum: { keynumidx: 0, firstkey: 1, step: 1 } } }] },
];
const other = new CommandTable(
  otherCommands.map((c, i) => ({
    id: i, name: c.name, summary: "test entry", since: "1.0.0", group: "generic", arity: c.arity,
    flags: c.name === "eval" ? ["no_mandatory_keys"] : [], key_specs: c.key_specs, run: "engine" as const,
  })),
);

describe("key positions", () => {
  it("derives the legacy (first, last, step) that Redis prints", () => {
    for (const [name, range] of Object.entries(recordedLegacy)) {
      const c = table.byName(name)!;
      expect([c.firstKey, c.lastKey, c.step], name).toEqual(range);
      expect(c.flags & FLAG_MOVABLE_KEYS, name).toBe(0);
    }
    for (const c of otherCommands) {
      const cmd = other.byName(c.name)!;
      expect([cmd.firstKey, cmd.lastKey, cmd.step], c.name).toEqual(c.printed);
      expect((cmd.flags & FLAG_MOVABLE_KEYS) !== 0, c.name).toBe(c.movable);
    }
  });

  // Expected positions are what Redis 7.0 answered to COMMAND GETKEYS for the same lines.
  it("finds keys as COMMAND GETKEYS does", () => {
    const keysOf = (t: CommandTable, ...line: string[]) => {
      const a = args(...line);
      return getKeys(t.resolve(a)!, a).map((i) => line[i]);
    };
    expect(keysOf(table, "get", "k")).toEqual(["k"]);
    expect(keysOf(table, "mset", "a", "1", "b", "2")).toEqual(["a", "b"]);
    expect(keysOf(table, "mset", "a", "1", "b")).toEqual(["a", "b"]);
    expect(keysOf(table, "del", "a", "b", "c")).toEqual(["a", "b", "c"]);
    expect(keysOf(table, "memory", "usage", "k", "samples", "5")).toEqual(["k"]);
    expect(keysOf(table, "OBJECT", "Encoding", "k")).toEqual(["k"]);
    expect(keysOf(table, "copy", "a", "b", "db", "1")).toEqual(["a", "b"]);
    expect(keysOf(table, "config", "get", "x")).toEqual([]);
    expect(keysOf(other, "zunionstore", "d", "2", "a", "b", "weights", "1", "2")).toEqual(["d", "a", "b"]);
    expect(keysOf(other, "xread", "count", "2", "streams", "s1", "s2", "0", "0")).toEqual(["s1", "s2"]);
    expect(keysOf(other, "xread", "streams", "s1", "s2", "s3")).toEqual(["s1"]);
    expect(keysOf(other, "eval", "s", "2", "a", "b", "c")).toEqual(["a", "b"]);
    expect(keysOf(other, "georadius", "k", "0", "0", "1", "m", "store", "s", "storedist", "t")).toEqual(["k", "s", "t"]);
    expect(keysOf(other, "georadius", "k", "0", "0", "1", "m")).toEqual(["k"]);
    // Key counts that are negative, not numbers, or run past the end give no keys at all.
    expect(keysOf(other, "eval", "s", "0")).toEqual([]);
    expect(keysOf(other, "eval", "s", "x")).toEqual([]);
    expect(keysOf(other, "eval", "s", "-1")).toEqual([]);
    expect(keysOf(other, "lmpop", "5", "a", "left")).toEqual([]);
  });

  it("resolves SET's variable key flags from its GET option", () => {
    const set = table.byName("set")!;
    expect(getKeysAndFlags(set, args("set", "k", "v"))).toEqual([{ pos: 1, flags: ["OW", "update"] }]);
    expect(getKeysAndFlags(set, args("set", "k", "v", "nx", "GeT"))).toEqual([{ pos: 1, flags: ["RW", "access", "update"] }]);
    const copy = table.byName("copy")!;
    expect(getKeysAndFlags(copy, args("copy", "a", "b")).map((k) => k.flags)).toEqual([["RO", "access"], ["OW", "update"]]);
  });
});

describe("error strings", () => {
  it("reports arity with the full lower-case name", () => {
    expect(arityError(table.byName("GET")!)).toBe("ERR wrong number of arguments for 'get' command");
    expect(arityError(table.byName("config|get")!)).toBe("ERR wrong number of arguments for 'config|get' command");
  });

  // Every expected string below is what redis-server 7.0.15 replied.
  it("reports unknown commands like Redis", () => {
    expect(unknownCommandError(args("foo"))).toBe("ERR unknown command 'foo', with args beginning with: ");
    expect(unknownCommandError(args("foo", "a", "b"))).toBe("ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    expect(unknownCommandError(args("FOO", "a b", "c\r\nd"))).toBe(
      "ERR unknown command 'FOO', with args beginning with: 'a b' 'c  d' ",
    );
    expect(unknownCommandError(args("foo", "x".repeat(100), "y".repeat(100), "zz"))).toBe(
      `ERR unknown command 'foo', with args beginning with: '${"x".repeat(100)}' '${"y".repeat(25)}' `,
    );
    expect(unknownCommandError(args("N".repeat(140)))).toBe(
      `ERR unknown command '${"N".repeat(128)}', with args beginning with: `,
    );
    expect(unknownCommandError(args("foo", "a\0b", "c"))).toBe("ERR unknown command 'foo', with args beginning with: 'a' 'c' ");
    expect(unknownCommandError(args("", "a"))).toBe("ERR unknown command '', with args beginning with: 'a' ");
    expect(unknownCommandError(args("foo", ""))).toBe("ERR unknown command 'foo', with args beginning with: '' ");
  });

  it("reports unknown subcommands like Redis", () => {
    expect(unknownSubcommandError(table.byName("config")!, b("FOO"))).toBe("ERR unknown subcommand 'FOO'. Try CONFIG HELP.");
    expect(unknownSubcommandError(table.byName("memory")!, b("q".repeat(140)))).toBe(
      `ERR unknown subcommand '${"q".repeat(128)}'. Try MEMORY HELP.`,
    );
    expect(unknownSubcommandError(table.byName("client")!, b("x\r\ny"))).toBe("ERR unknown subcommand 'x  y'. Try CLIENT HELP.");
  });
});
