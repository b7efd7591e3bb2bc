// COMMAND and its subcommands, checked on the bytes the ReplyWriter produces in RESP2 and
// RESP3. Expected byte strings marked "recorded" are what redis-server 7.0.15 sent for the same
// request (summaries aside: ours differ by design, so DOCS expectations splice ours in).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandCommand, commandCommandWith } from "../../host/commands/command.js";
import type { CommandJson } from "../../host/commands/spec.js";
import { CommandTable } from "../../host/commands/table.js";
import { ReplyWriter } from "../../host/resp/encoder.js";

// Every declared command (the generated table leaves out engine commands without handlers).
const dir = join(import.meta.dirname, "../../commands");
const declared: CommandJson[] = [];
let nextId = 0;
for (const f of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
  const group = JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, CommandJson>;
  for (const [name, spec] of Object.entries(group)) {
    const subs = spec.subcommands
      ? Object.fromEntries(Object.entries(spec.subcommands).map(([s, j]) => [s, { ...j, id: nextId++, name: `${name}|${s}` }]))
      : undefined;
    declared.push({ ...spec, id: nextId++, name, subcommands: subs });
  }
}
const table = new CommandTable(declared);

function reply(proto: 2 | 3, ...args: string[]): string {
  const w = new ReplyWriter(proto);
  commandCommandWith(table, w, args.map((a) => Buffer.from(a)));
  return w.take().toString("latin1");
}

const both = (...args: string[]) => [reply(2, ...args), reply(3, ...args)];
const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const summary = (name: string) => table.byName(name)!.json.summary;

// A small reader for checking shapes of large replies: [type, value or children].
type Node = { type: string; value?: string; items?: Node[] };
function parse(s: string): Node {
  let pos = 0;
  const one = (): Node => {
    const type = s[pos];
    const end = s.indexOf("\r\n", pos);
    const head = s.slice(pos + 1, end);
    pos = end + 2;
    if (type === "$") {
      const n = Number(head);
      if (n < 0) return { type, value: undefined };
      const value = s.slice(pos, pos + n);
      pos += n + 2;
      return { type, value };
    }
    if ("*~%".includes(type)) {
      const n = Number(head) * (type === "%" ? 2 : 1);
      const items: Node[] = [];
      for (let i = 0; i < n; i++) items.push(one());
      return { type, items };
    }
    return { type, value: head };
  };
  const node = one();
  expect(pos).toBe(s.length);
  return node;
}
const pairs = (n: Node) => {
  const out = new Map<string, Node>();
  for (let i = 0; i < n.items!.length; i += 2) out.set(n.items![i].value!, n.items![i + 1]);
  return out;
};

const GET_INFO_3 =
  "*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n" +
  "~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
  "%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n" +
  "$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";
const GET_INFO_2 =
  "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
  "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
  "*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n" +
  "$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

describe("COMMAND COUNT", () => {
  it("counts the top-level commands", () => {
    const topLevel = readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .reduce((n, f) => n + Object.keys(JSON.parse(readFileSync(join(dir, f), "utf8"))).length, 0);
    expect(both("COMMAND", "COUNT")).toEqual([`:${topLevel}\r\n`, `:${topLevel}\r\n`]);
    expect(reply(2, "command", "count", "x")).toBe("-ERR wrong number of arguments for 'command|count' command\r\n");
  });
});

describe("COMMAND INFO", () => {
  it("describes GET exactly as Redis does (recorded)", () => {
    expect(reply(2, "COMMAND", "INFO", "get")).toBe("*1\r\n" + GET_INFO_2);
    expect(reply(3, "COMMAND", "INFO", "GET")).toBe("*1\r\n" + GET_INFO_3);
  });

  it("answers null for unknown names (recorded)", () => {
    expect(reply(2, "COMMAND", "INFO", "nosuch", "get")).toBe("*2\r\n$-1\r\n" + GET_INFO_2);
    expect(reply(3, "COMMAND", "INFO", "nosuch")).toBe("*1\r\n_\r\n");
  });

  it("prints key-spec notes, tips and subcommand names (recorded)", () => {
    expect(reply(3, "COMMAND", "INFO", "set")).toBe(
      "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@string\r\n+@slow\r\n~0\r\n" +
        "~1\r\n%4\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n~4\r\n+RW\r\n+access\r\n" +
        "+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n" +
        ":1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n" +
        ":1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n",
    );
    expect(reply(2, "COMMAND", "INFO", "config|set")).toBe(
      "*1\r\n*10\r\n$10\r\nconfig|set\r\n:-4\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n" +
        "*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n" +
        "*0\r\n*0\r\n",
    );
  });

  it("nests subcommands of a container as an array of entries", () => {
    const node = parse(reply(3, "COMMAND", "INFO", "config"));
    const entry = node.items![0];
    expect(entry.items!.map((n) => n.type)).toEqual(["$", ":", "~", ":", ":", ":", "~", "~", "~", "*"]);
    expect(entry.items![1].value).toBe("-2");
    expect(entry.items![6].items!.map((n) => n.value)).toEqual(["@slow"]);
    const subs = entry.items![9].items!.map((s) => s.items![0].value).sort();
    expect(subs).toEqual(["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]);
  });

  it("lists every command with no names, and COMMAND alone does the same", () => {
    for (const proto of [2, 3] as const) {
      const all = reply(proto, "COMMAND");
      expect(reply(proto, "COMMAND", "INFO")).toBe(all);
      const names = parse(all).items!.map((e) => e.items![0].value);
      expect(names).toEqual(table.all.map((c) => c.name));
      expect(all).toContain(proto === 2 ? GET_INFO_2 : GET_INFO_3);
    }
  });
});

describe("COMMAND DOCS", () => {
  const incr3 =
    "%1\r\n$4\r\nincr\r\n%5\r\n$7\r\nsummary\r\n" + bulk(summary("incr")) +
    "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n" +
    "*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n";

  it("is a map in RESP3 and a flat array in RESP2 (recorded, with our summary)", () => {
    expect(reply(3, "COMMAND", "DOCS", "incr")).toBe(incr3);
    expect(reply(2, "COMMAND", "DOCS", "INCR")).toBe(
      "*2\r\n$4\r\nincr\r\n*10\r\n$7\r\nsummary\r\n" + bulk(summary("incr")) +
        "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n" +
        "*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n",
    );
  });

  it("prints deprecation, history as a set, and argument flags (recorded, with our summary)", () => {
    const substr = reply(2, "COMMAND", "DOCS", "substr");
    expect(substr).toContain(
      "$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n2.0.0\r\n$11\r\nreplaced_by\r\n$10\r\n`GETRANGE`\r\n",
    );
    const set = reply(3, "COMMAND", "DOCS", "set");
    expect(set).toContain("$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n");
    expect(set).toContain(
      "%5\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n",
    );
  });

  it("skips unknown names and accepts subcommand names", () => {
    expect(both("COMMAND", "DOCS", "nosuch")).toEqual(["*0\r\n", "%0\r\n"]);
    expect(reply(3, "COMMAND", "DOCS", "nosuch", "incr")).toBe(incr3);
    const doc = parse(reply(3, "COMMAND", "DOCS", "CONFIG|GET"));
    expect(doc.items![0].value).toBe("config|get");
    expect(pairs(doc.items![1]).get("summary")!.value).toBe(summary("config|get"));
  });

  it("documents every command with no names, subcommands nested as a map", () => {
    for (const proto of [2, 3] as const) {
      const doc = parse(reply(proto, "COMMAND", "DOCS"));
      expect(doc.type).toBe(proto === 3 ? "%" : "*");
      const top = pairs(doc);
      expect([...top.keys()]).toEqual(table.all.map((c) => c.name));
      const config = pairs(top.get("config")!);
      const subs = config.get("subcommands")!;
      expect(subs.type).toBe(proto === 3 ? "%" : "*");
      expect([...pairs(subs).keys()].sort()).toEqual(["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]);
    }
  });

  it("works over the server's own table (redis-cli asks at start)", () => {
    const w = new ReplyWriter(3);
    commandCommand(w, [Buffer.from("COMMAND"), Buffer.from("DOCS")]);
    const doc = pairs(parse(w.take().toString("latin1")));
    expect(doc.has("command")).toBe(true);
    expect(pairs(doc.get("ping")!).get("summary")!.value).toBe(summary("ping"));
  });
});

describe("COMMAND GETKEYS / GETKEYSANDFLAGS", () => {
  it("returns keys (recorded)", () => {
    expect(both("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2")).toEqual([
      "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
      "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    ]);
    expect(reply(2, "COMMAND", "GETKEYS", "MEMORY", "usage", "k", "samples", "5")).toBe("*1\r\n$1\r\nk\r\n");
  });

  it("returns keys with flags (recorded)", () => {
    expect(both("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get")).toEqual([
      "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n",
      "*1\r\n*2\r\n$1\r\nk\r\n~3\r\n+RW\r\n+access\r\n+update\r\n",
    ]);
    expect(reply(3, "COMMAND", "GETKEYSANDFLAGS", "copy", "a", "b")).toBe(
      "*2\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nb\r\n~2\r\n+OW\r\n+update\r\n",
    );
  });

  it("refuses what Redis refuses, with its words (recorded)", () => {
    expect(reply(2, "COMMAND", "GETKEYS", "get")).toBe("-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    expect(reply(2, "COMMAND", "GETKEYS", "get", "a", "b")).toBe("-ERR Invalid number of arguments specified for command\r\n");
    expect(reply(2, "COMMAND", "GETKEYS", "ping", "x")).toBe("-ERR The command has no key arguments\r\n");
    expect(reply(2, "COMMAND", "GETKEYS", "config", "get", "x")).toBe("-ERR The command has no key arguments\r\n");
    expect(reply(2, "COMMAND", "GETKEYS", "foo", "bar")).toBe("-ERR Invalid command specified\r\n");
    expect(reply(2, "COMMAND", "GETKEYS", "memory", "foo", "k")).toBe("-ERR Invalid command specified\r\n");
    expect(reply(2, "COMMAND", "GETKEYS", "memory", "usage")).toBe("-ERR Invalid number of arguments specified for command\r\n");
  });
});

describe("COMMAND LIST, HELP and errors", () => {
  const list = (...a: string[]) => parse(reply(2, "COMMAND", "LIST", ...a)).items!.map((n) => n.value!);

  it("lists commands followed by their subcommands", () => {
    const names = list();
    const expected = table.all.flatMap((c) => [c.name, ...(c.subcommands ? [...c.subcommands.values()].map((s) => s.name) : [])]);
    expect(names).toEqual(expected);
    expect(names.indexOf("config|get")).toBeGreaterThan(names.indexOf("config"));
  });

  it("filters by pattern, ACL category and module", () => {
    expect(list("FILTERBY", "PATTERN", "GET*").sort()).toEqual(["get", "getdel", "getex", "getrange", "getset"]);
    expect(list("filterby", "pattern", "config|g*")).toEqual(["config|get"]);
    expect(list("filterby", "pattern", "*|get")).toEqual(["config|get"]);
    expect(list("filterby", "pattern", "e[!c]*")).toEqual(["echo"]); // "!" is a literal in Redis globs
    expect(list("filterby", "pattern", "d[^a-d]l")).toEqual(["del"]);
    expect(list("filterby", "pattern", "?cho")).toEqual(["echo"]);
    const strings = list("FILTERBY", "ACLCAT", "STRING");
    expect(strings.sort()).toEqual(table.all.filter((c) => c.json.group === "string").map((c) => c.name).sort());
    expect(list("filterby", "aclcat", "dangerous")).toContain("config|set");
    expect(list("filterby", "aclcat", "nosuch")).toEqual([]);
    expect(list("filterby", "module", "x")).toEqual([]);
  });

  it("rejects malformed filters with a syntax error (recorded)", () => {
    for (const args of [["filterby"], ["foo"], ["filterby", "foo", "x"]]) {
      expect(reply(3, "COMMAND", "LIST", ...args)).toBe("-ERR syntax error\r\n");
    }
  });

  it("prints help as status lines", () => {
    const help = parse(reply(3, "COMMAND", "HELP"));
    expect(help.items![0]).toEqual({ type: "+", value: "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" });
    expect(help.items!.every((n) => n.type === "+")).toBe(true);
    const documented = help.items!.filter((n) => !n.value!.startsWith(" ")).map((n) => n.value!.split(" ")[0]);
    for (const sub of table.byName("command")!.subcommands!.keys()) expect(documented).toContain(sub.toUpperCase());
  });

  it("reports unknown subcommands (recorded)", () => {
    expect(reply(2, "COMMAND", "FOO")).toBe("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
  });
});
