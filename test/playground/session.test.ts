// The playground's session (playground/session.js) under Node: the same module the browser loads,
// driven through its public API against the release engine and the generated command table.
import { describe, it, expect, beforeEach } from "vitest";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { wasmPath } from "../../host/engine.js";
import { COMMAND_JSON } from "../../host/commands/table.generated.js";
// @ts-expect-error: a plain ES module without type declarations
import { createSession, splitArgs } from "../../playground/session.js";

interface Span { page: number; pages: number; kind: string; cls: number; blockSize: number; blocks: number }
interface ClassRow { size: number; blocksUsed: number; slabs: number }
interface MemoryMap { used: number; rss: number; heap: number; pageSize: number; spans: Span[]; classes: ClassRow[] }
interface Session {
  run(line: string): { reply: string; raw: Uint8Array };
  exec(args: (string | Uint8Array)[]): Uint8Array;
  memory(): MemoryMap;
  readonly db: number;
}

const wasm = readFileSync(wasmPath(false));
let clock = 1_700_000_000_000;
let s: Session;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  s = await createSession(wasm, COMMAND_JSON, { now: () => clock });
});

const reply = (line: string) => s.run(line).reply;
const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe("playground session: commands", () => {
  it("runs string commands and renders replies like redis-cli", () => {
    expect(reply("SET greeting hello")).toBe("OK");
    expect(reply("get greeting")).toBe('"hello"');
    expect(reply("GET missing")).toBe("(nil)");
    expect(reply("SET n 41")).toBe("OK");
    expect(reply("INCR n")).toBe("(integer) 42");
    expect(reply("INCR greeting")).toBe("(error) ERR value is not an integer or out of range");
    expect(reply("PING")).toBe("PONG");
  });

  it("keeps the raw RESP bytes of each reply", () => {
    expect(text(s.run("SET k v").raw)).toBe("+OK\r\n");
    expect(text(s.run("GET k").raw)).toBe("$1\r\nv\r\n");
    expect(text(s.run("GET nope").raw)).toBe("$-1\r\n");
    expect(text(s.run("EXISTS k nope").raw)).toBe(":1\r\n");
    expect(text(s.run("GET").raw)).toBe("-ERR wrong number of arguments for 'get' command\r\n");
  });

  it("expires keys on the session's clock", () => {
    s.run("SET temp v");
    expect(reply("TTL temp")).toBe("(integer) -1");
    expect(reply("EXPIRE temp 100")).toBe("(integer) 1");
    expect(reply("TTL temp")).toBe("(integer) 100");
    clock += 30_000;
    expect(reply("TTL temp")).toBe("(integer) 70");
    expect(reply("GET temp")).toBe('"v"');
    clock += 70_001;
    expect(reply("GET temp")).toBe("(nil)");
    expect(reply("TTL temp")).toBe("(integer) -2");
    expect(reply("EXPIRE temp 10")).toBe("(integer) 0");
  });

  it("numbers arrays, aligns the numbers and indents nested arrays", () => {
    s.run("RPUSH letters a b c d e f g h i j k");
    const lines = reply("LRANGE letters 0 -1").split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe(' 1) "a"');
    expect(lines[9]).toBe('10) "j"');
    expect(reply("LRANGE nothing 0 -1")).toBe("(empty array)");
    s.run("SET only 1");
    s.run("DEL letters");
    expect(reply("SCAN 0")).toBe('1) "0"\n2) 1) "only"');
  });

  it("answers errors with the server's exact strings", () => {
    expect(reply("GET")).toBe("(error) ERR wrong number of arguments for 'get' command");
    expect(reply("SET k")).toBe("(error) ERR wrong number of arguments for 'set' command");
    expect(reply("OBJECT")).toBe("(error) ERR wrong number of arguments for 'object' command");
    expect(reply("OBJECT ENCODING")).toBe("(error) ERR wrong number of arguments for 'object|encoding' command");
    expect(reply("object nosuch k")).toBe("(error) ERR unknown subcommand 'nosuch'. Try OBJECT HELP.");
    expect(reply('frobnicate a "b c"')).toBe("(error) ERR unknown command 'frobnicate', with args beginning with: 'a' 'b c' ");
    expect(reply("nosuch")).toBe("(error) ERR unknown command 'nosuch', with args beginning with: ");
    // Redis cuts the list of arguments at 128 bytes.
    const long = "x".repeat(200);
    expect(reply(`nosuch ${long} y`)).toBe(`(error) ERR unknown command 'nosuch', with args beginning with: '${"x".repeat(128)}' `);
  });

  it("resolves subcommands", () => {
    s.run("SET num 12345");
    expect(reply("OBJECT ENCODING num")).toBe('"int"');
    expect(reply("object encoding num")).toBe('"int"');
  });

  it("refuses the commands only the server can run, after checking their arity", () => {
    expect(reply("INFO")).toMatch(/^\(error\) ERR 'INFO' needs the Wedis server/);
    expect(reply("CONFIG GET maxmemory")).toMatch(/^\(error\) ERR 'CONFIG GET' needs the Wedis server/);
    expect(reply("client id")).toMatch(/^\(error\) ERR 'CLIENT ID' needs the Wedis server/);
    expect(reply("CONFIG GET")).toBe("(error) ERR wrong number of arguments for 'config|get' command");
  });

  it("keeps SELECT, which only picks the database this session sends", () => {
    s.run("SET where zero");
    expect(reply("SELECT 5")).toBe("OK");
    expect(s.db).toBe(5);
    expect(reply("GET where")).toBe("(nil)");
    expect(reply("SELECT 16")).toBe("(error) ERR DB index is out of range");
    expect(reply("SELECT x")).toBe("(error) ERR value is not an integer or out of range");
    expect(reply("SELECT 0")).toBe("OK");
    expect(reply("GET where")).toBe('"zero"');
  });

  it("answers a blocking command that finds nothing like its timeout would", () => {
    expect(reply("BLPOP empty 0")).toBe("(nil)");
    s.run("RPUSH full x");
    expect(reply("BLPOP full 0")).toBe('1) "full"\n2) "x"');
  });

  it("runs argument arrays with binary values", () => {
    const bin = new Uint8Array([0, 1, 0xff, 13, 10]);
    expect(text(s.exec(["SET", "b", bin]))).toBe("+OK\r\n");
    expect(reply("GET b")).toBe('"\\x00\\x01\\xff\\r\\n"');
    expect(reply("STRLEN b")).toBe("(integer) 5");
  });
});

describe("playground session: quoting", () => {
  const words = (line: string) => (splitArgs(line) as Uint8Array[] | null)?.map((a) => text(a)) ?? null;

  it("splits like redis-cli", () => {
    expect(words("  set   a  b ")).toEqual(["set", "a", "b"]);
    expect(words('set "a b" \'c d\'')).toEqual(["set", "a b", "c d"]);
    expect(words('echo "q\\"x\\\\y\\n\\t\\x41\\x7a\\q"')).toEqual(["echo", 'q"x\\y\n\tAzq']);
    expect(words("echo 'it\\'s' 'a\\nb'")).toEqual(["echo", "it's", "a\\nb"]);
    expect(words('echo ""')).toEqual(["echo", ""]);
    expect(words("")).toEqual([]);
    expect(words("   ")).toEqual([]);
    // A quote inside a word opens a quoted part of that word.
    expect(words('set a"b c" d')).toEqual(["set", "ab c", "d"]);
  });

  it("refuses broken quoting", () => {
    expect(words('set "a b')).toBeNull();
    expect(words("set 'a")).toBeNull();
    expect(words('set "a"b')).toBeNull();
    expect(reply('SET k "unclosed')).toBe("Invalid argument(s)");
    expect(s.run('SET k "x"y').raw.length).toBe(0);
  });

  it("sends quoted and escaped bytes to the engine", () => {
    expect(reply('SET "my key" "line1\\nline2 \\"q\\" \\xe2\\x82\\xac"')).toBe("OK");
    expect(reply("GET 'my key'")).toBe('"line1\\nline2 \\"q\\" \\xe2\\x82\\xac"');
    expect(reply('STRLEN "my key"')).toBe("(integer) 19");
    expect(reply("SET u €")).toBe("OK");
    expect(reply("STRLEN u")).toBe("(integer) 3");
  });

  it("prints nothing for an empty line", () => {
    expect(s.run("   ")).toEqual({ reply: "", raw: new Uint8Array(0) });
  });
});

describe("playground session: memory map", () => {
  function checkCoverage(m: MemoryMap): void {
    expect(m.spans.length).toBeGreaterThan(0);
    let pages = 0;
    for (let i = 0; i < m.spans.length; i++) {
      const sp = m.spans[i];
      expect(sp.pages).toBeGreaterThan(0);
      expect(["free", "small", "large", "meta"]).toContain(sp.kind);
      // Address order, each run starting where the previous one ended: no gaps, no overlap.
      if (i > 0) expect(sp.page).toBe(m.spans[i - 1].page + m.spans[i - 1].pages);
      pages += sp.pages;
    }
    expect(pages * m.pageSize).toBe(m.heap);
    const last = m.spans[m.spans.length - 1];
    expect((last.page + last.pages) * m.pageSize).toBeLessThanOrEqual(m.rss);
  }

  it("covers the heap with runs and agrees with the class table", () => {
    s.run("SET a 1");
    const m = s.memory();
    checkCoverage(m);
    expect(m.used).toBeGreaterThan(0);
    const usedByClass = new Map<number, number>();
    for (const sp of m.spans) {
      if (sp.kind !== "small") continue;
      expect(sp.blockSize).toBe(m.classes[sp.cls].size);
      usedByClass.set(sp.cls, (usedByClass.get(sp.cls) ?? 0) + sp.blocks);
    }
    m.classes.forEach((row, cls) => expect(usedByClass.get(cls) ?? 0).toBe(row.blocksUsed));
  });

  it("grows after writes", () => {
    const before = s.memory();
    for (let i = 0; i < 2000; i++) s.exec(["SET", `key:${i}`, "v".repeat(100)]);
    s.exec(["SET", "big", "x".repeat(200_000)]);
    const after = s.memory();
    checkCoverage(after);
    expect(after.used).toBeGreaterThan(before.used + 2000 * 100);
    const blocks = (m: MemoryMap) => m.spans.filter((sp) => sp.kind === "small").reduce((n, sp) => n + sp.blocks, 0);
    expect(blocks(after)).toBeGreaterThan(blocks(before) + 2000);
    expect(after.spans.some((sp) => sp.kind === "large" && sp.pages * after.pageSize >= 200_000)).toBe(true);
    // Deleting the big value gives its pages back to the free runs.
    const largeBefore = after.spans.filter((sp) => sp.kind === "large").length;
    s.run("DEL big");
    const freed = s.memory();
    checkCoverage(freed);
    expect(freed.spans.filter((sp) => sp.kind === "large").length).toBe(largeBefore - 1);
    expect(freed.used).toBeLessThan(after.used - 200_000);
  });
});

describe("playground server", () => {
  it("serves the page, the engine and the command table", async () => {
    const child = spawn(process.execPath, ["scripts/playground.mjs", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
      });
      const page = await fetch(`${url}playground/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await page.text()).toContain("app.js");
      const engine = await fetch(`${url}build/wedis.wasm`);
      expect(engine.headers.get("content-type")).toBe("application/wasm");
      expect(Buffer.from(await engine.arrayBuffer()).equals(readFileSync("build/wedis.wasm"))).toBe(true);
      const mod = await fetch(`${url}playground/session.js`);
      expect(mod.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect((await fetch(`${url}nope.txt`)).status).toBe(404);
      expect((await fetch(`${url}..%2fpackage.json`)).status).toBe(404);
    } finally {
      child.kill();
    }
  });
});
