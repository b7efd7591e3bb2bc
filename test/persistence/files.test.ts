// The AOF's file formats on their own: the manifest (parsed and written as Redis 7 does) and the
// command reader (whole commands, annotations, and where a damaged or cut file stops).
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Manifest, ManifestError } from "../../host/aof/manifest.js";
import { AofReader, type AofChunk } from "../../host/aof/reader.js";

const tmp = () => mkdtempSync(join(tmpdir(), "wedis-files-"));
const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

describe("manifest", () => {
  it("parses Redis's lines, in any key order, with comments and extra keys", () => {
    const m = Manifest.parse(
      "# written by hand\nfile appendonly.aof.2.base.aof seq 2 type b\nseq 1 type h file appendonly.aof.1.incr.aof\n" +
        "file appendonly.aof.3.incr.aof seq 3 type i future yes\nfile appendonly.aof.4.incr.aof seq 4 type i\n",
      "appendonly.aof",
    );
    expect(m.base).toEqual({ name: "appendonly.aof.2.base.aof", seq: 2, type: "b" });
    expect(m.history.map((f) => f.name)).toEqual(["appendonly.aof.1.incr.aof"]);
    expect(m.incr.map((f) => f.seq)).toEqual([3, 4]);
    expect(m.dataFiles().map((f) => f.name)).toEqual(["appendonly.aof.2.base.aof", "appendonly.aof.3.incr.aof", "appendonly.aof.4.incr.aof"]);
    // Base first, history, then incremental files; the next files continue the numbering.
    expect(m.format()).toBe(
      "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\n" +
        "file appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n",
    );
    expect(m.newIncr()).toBe("appendonly.aof.5.incr.aof");
    expect(m.newBase()).toBe("appendonly.aof.3.base.aof");
    m.incrToHistory(1);
    // Redis's order: the replaced incremental files ahead of the replaced base.
    expect(m.format()).toBe(
      "file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type h\n" +
        "file appendonly.aof.4.incr.aof seq 4 type h\nfile appendonly.aof.2.base.aof seq 2 type h\n" +
        "file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.5.incr.aof seq 5 type i\n",
    );
  });

  it("refuses what Redis refuses, with its words", () => {
    const bad = (text: string) => {
      try {
        Manifest.parse(text, "appendonly.aof");
      } catch (err) {
        expect(err).toBeInstanceOf(ManifestError);
        return (err as Error).message;
      }
      throw new Error("parsed");
    };
    expect(bad("")).toBe("Found an empty AOF manifest");
    expect(bad("file a seq 1\n")).toBe("Invalid AOF manifest file format");
    expect(bad("file a seq 0 type b\n")).toBe("Invalid AOF manifest file format");
    expect(bad("file ../a seq 1 type b\n")).toBe("File can't be a path, just a filename");
    expect(bad("file a seq 1 type b\nfile b seq 2 type b\n")).toBe("Found duplicate base file information");
    expect(bad("file a seq 2 type i\nfile b seq 2 type i\n")).toBe("Found a non-monotonic sequence number");
    expect(bad("file a seq 1 type x\n")).toBe("Unknown AOF file type");
    expect(bad(`file ${"a".repeat(1100)} seq 1 type b\n`)).toBe("The AOF manifest file contains too long line");
  });

  it("is written atomically and quotes names that need it", () => {
    const dir = tmp();
    const m = new Manifest("my file.aof");
    m.newBase();
    m.newIncr();
    m.persist(dir);
    const text = readFileSync(join(dir, "my file.aof.manifest"), "utf8");
    expect(text).toBe('file "my file.aof.1.base.aof" seq 1 type b\nfile "my file.aof.1.incr.aof" seq 1 type i\n');
    expect(Manifest.parse(text, "my file.aof").format()).toBe(text);
  });
});

/** Every command the reader yields from `text` (split into chunks of `chunk` bytes), and its end. */
function readAll(text: string | Buffer, chunk = 64) {
  const dir = tmp();
  const path = join(dir, "f.aof");
  writeFileSync(path, text);
  const r = new AofReader(path, chunk);
  const cmds: string[][] = [];
  const at: number[] = [];
  for (let c: AofChunk | null; (c = r.next()) !== null; ) {
    for (let i = 0; i < c.count; i++) {
      const args: string[] = [];
      for (let k = 0; k < c.argc[i]; k++) {
        const off = c.argOff[c.first[i] + k];
        args.push(c.data.toString("latin1", off, off + c.argLen[c.first[i] + k]));
      }
      cmds.push(args);
      at.push(c.at[i]);
    }
  }
  r.close();
  return { cmds, at, end: r.end!, validUpTo: r.validUpTo };
}

describe("AOF reader", () => {
  const big = "x".repeat(1000);
  const text = resp("SELECT", "0") + "#TS:1700000000\r\n" + resp("SET", "k", big) + resp("RPUSH", "l", "a\r\nb", "") + resp("DEL", "k");

  it("yields whole commands across chunk boundaries, skipping annotations", () => {
    for (const chunk of [64, 100, 4096]) {
      const r = readAll(text, chunk);
      expect(r.cmds).toEqual([["SELECT", "0"], ["SET", "k", big], ["RPUSH", "l", "a\r\nb", ""], ["DEL", "k"]]);
      expect(r.end).toEqual({ kind: "eof" });
      expect(r.validUpTo).toBe(text.length);
      expect(r.at[1]).toBe(text.indexOf("*3\r\n$3\r\nSET"));
    }
  });

  it("reports a cut anywhere inside the last command as truncated, after the commands before it", () => {
    const last = text.lastIndexOf("*2\r\n$3\r\nDEL");
    for (let cut = last + 1; cut < text.length; cut++) {
      const r = readAll(text.slice(0, cut));
      expect(r.cmds.length).toBe(3);
      expect(r.end.kind).toBe("truncated");
      expect(r.validUpTo).toBe(last);
      if (r.end.kind === "truncated") expect(r.end.offset).toBe(last);
    }
  });

  it("reports bytes that cannot be there as damage, with their offset", () => {
    const good = resp("SET", "a", "1");
    const cases: [string, number, RegExp][] = [
      [good + "garbage\r\n", good.length, /expected '\*'/],
      [good + "*2\r\n$3\r\nSET\r\nx\r\n", good.length + 13, /expected '\$'/],
      [good + "*x\r\n", good.length + 1, /unexpected 'x'/],
      [good + "*0\r\n", good.length, /invalid array length/],
      [good + "*1\r\n$3\r\nGETxx\r\n", good.length + 11, /not followed by CRLF/],
      [good + "*1\r\n$-5\r\n", good.length + 4, /invalid bulk length/],
      [good + "\x00\x00\x00\x00", good.length, /byte 0x00/],
    ];
    for (const [input, offset, reason] of cases) {
      const r = readAll(input);
      expect(r.cmds).toEqual([["SET", "a", "1"]]);
      expect(r.end.kind).toBe("format");
      if (r.end.kind === "format") {
        expect(r.end.offset).toBe(offset);
        expect(r.end.reason).toMatch(reason);
      }
      expect(r.validUpTo).toBe(good.length);
    }
  });

  it("does not allocate for what a damaged header claims", () => {
    const r = readAll(resp("SET", "a", "1") + "*2000000000\r\n$3\r\nSET\r\n");
    expect(r.end.kind).toBe("truncated");
    expect(r.cmds.length).toBe(1);
  });

  it("reports each annotation once, in order, with its offset, whatever the chunk size", () => {
    const input = "#TS:1\r\n" + text + "#TS:2\r\n" + resp("DEL", "x") + "#TS:3\r\n#cut";
    const want = [...input.matchAll(/#TS:\d+\r/g)].map((m) => [m.index, m[0].slice(0, -1)]);
    for (const chunk of [64, 100, 4096]) {
      const dir = tmp();
      writeFileSync(join(dir, "f.aof"), input);
      const r = new AofReader(join(dir, "f.aof"), chunk);
      const seen: [number, string][] = [];
      r.onAnnotation = (at, line) => seen.push([at, line.toString("latin1").replace(/\r$/, "")]);
      let n = 0;
      for (let c: AofChunk | null; (c = r.next()) !== null; ) n += c.count;
      r.close();
      expect(n).toBe(5);
      expect(seen).toEqual(want);
    }
  });

  it("reads an empty file, and one of annotations only", () => {
    expect(readAll("").end).toEqual({ kind: "eof" });
    expect(readAll("#TS:1\r\n#TS:2\r\n").cmds).toEqual([]);
  });
});
