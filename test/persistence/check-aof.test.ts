// wedis-check-aof (host/aof/check.ts, bin/wedis-check-aof.js): AOF directories written by hand,
// damaged the ways a crash or a disk damages them, checked and fixed, with the exact lines and
// exit codes; and the loader's view of the same files, which the checker must share.
import { describe, it, expect } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { checkAof, runCheckAof, USAGE } from "../../host/aof/check.js";
import { Manifest } from "../../host/aof/manifest.js";
import { AofLoadError, loadAof } from "../../host/aof/loader.js";
import { Engine } from "../../host/engine.js";
import { Logger } from "../../host/log.js";

const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

const BASE = "appendonly.aof.1.base.aof";
const INCR1 = "appendonly.aof.1.incr.aof";
const INCR2 = "appendonly.aof.2.incr.aof";

// 21 RESP lines; 31 with the annotation; 14.
const base = resp("SELECT", "0") + resp("SET", "k", "v") + resp("RPUSH", "l", "a\r\nb", "");
const incr1 = "#TS:1700000000\r\n" + resp("MULTI") + resp("INCR", "n") + resp("SADD", "s", "x") + resp("EXEC") + resp("SELECT", "3") + resp("SET", "k3", "v");
const lastCommand = resp("HSET", "h", "f", "v");
const incr2 = resp("DEL", "k") + lastCommand;
const DEL_END = resp("DEL", "k").length;

/** An AOF directory holding `files`, named by its manifest in this order. */
function aofDir(files: [string, string | Buffer][]) {
  const dir = join(mkdtempSync(join(tmpdir(), "wedis-check-")), "appendonlydir");
  mkdirSync(dir);
  let manifest = "";
  for (const [name, content] of files) {
    writeFileSync(join(dir, name), content);
    const [, seq, kind] = /\.([0-9]+)\.(base|incr)\.aof$/.exec(name)!;
    manifest += `file ${name} seq ${seq} type ${kind === "base" ? "b" : "i"}\n`;
  }
  writeFileSync(join(dir, "appendonly.aof.manifest"), manifest);
  return { dir, manifest: join(dir, "appendonly.aof.manifest"), path: (name: string) => join(dir, name) };
}

/** The command line in-process: its lines (a question with its answer, as a terminal shows it) and exit code. */
function run(argv: string[], answers: (string | null)[] = []) {
  const lines: string[] = [];
  const code = runCheckAof(argv, {
    out: (line) => lines.push(line),
    ask: (prompt) => {
      const answer = answers.length > 0 ? answers.shift()! : null;
      lines.push(prompt + (answer ?? ""));
      return answer;
    },
  });
  return { code, lines };
}

const size = (path: string) => statSync(path).size;
const errorLine = (offset: number, reason: string) => `0x${offset.toString(16).padStart(16, " ")}: ${reason} (offset ${offset})`;
const analyzed = (name: string, size: number, okUpTo: number, line: number) =>
  `AOF analyzed: filename=${name}, size=${size}, ok_up_to=${okUpTo}, ok_up_to_line=${line}, diff=${size - okUpTo}`;

const quiet = new Logger();
quiet.enabled = false;

/** What the server makes of the directory: its key count, or the loader's error. */
async function load(dir: string): Promise<number | string> {
  const engine = Engine.load({ debug: true });
  (engine.x.init as (dbs: number, hashSeed: number, randomSeed: number) => void)(16, 1, 2);
  const manifest = Manifest.parse(readFileSync(join(dir, "appendonly.aof.manifest"), "latin1"), "appendonly.aof");
  try {
    return (await loadAof({ engine, log: quiet, dir, manifest, loadTruncated: false, databases: 16 })).keys;
  } catch (err) {
    if (err instanceof AofLoadError) return err.message;
    throw err;
  }
}

describe("wedis-check-aof: valid files", () => {
  it("checks the base, then every incremental file, in manifest order", () => {
    const d = aofDir([[BASE, base], [INCR1, incr1], [INCR2, incr2]]);
    const r = run([d.manifest]);
    expect(r.lines).toEqual([
      "Start checking Multi Part AOF",
      "Start to check BASE AOF (RESP format).",
      analyzed(BASE, base.length, base.length, 22),
      `BASE AOF ${BASE} is valid`,
      "Start to check INCR files.",
      analyzed(INCR1, incr1.length, incr1.length, 32),
      `INCR AOF ${INCR1} is valid`,
      analyzed(INCR2, incr2.length, incr2.length, 15),
      `INCR AOF ${INCR2} is valid`,
      "All AOF files and manifest are valid",
    ]);
    expect(r.code).toBe(0);
  });

  it("reports empty files, a manifest without a base, and a manifest naming no file", () => {
    let d = aofDir([[BASE, ""], [INCR1, incr1], [INCR2, ""]]);
    let r = run([d.manifest]);
    expect(r.lines).toContain(`BASE AOF ${BASE} is empty`);
    expect(r.lines).toContain(`INCR AOF ${INCR2} is empty`);
    expect(r.code).toBe(0);
    d = aofDir([[INCR1, incr1]]);
    r = run([d.manifest]);
    expect(r.lines).toEqual(["Start checking Multi Part AOF", "Start to check INCR files.", analyzed(INCR1, incr1.length, incr1.length, 32), `INCR AOF ${INCR1} is valid`, "All AOF files and manifest are valid"]);
    writeFileSync(d.manifest, "# only history\nfile appendonly.aof.1.base.aof seq 1 type h\n");
    expect(run([d.manifest])).toEqual({ code: 0, lines: ["Start checking Multi Part AOF", "All AOF files and manifest are valid"] });
  });

  it("checks a single file given directly, as the last file", () => {
    const dir = mkdtempSync(join(tmpdir(), "wedis-check-"));
    const path = join(dir, "appendonly.aof");
    writeFileSync(path, base);
    expect(run([path])).toEqual({
      code: 0,
      lines: ["Start checking single AOF file", analyzed(path, base.length, base.length, 22), `AOF ${path} is valid`],
    });
    writeFileSync(path, base + resp("SET", "x", "y").slice(0, 12));
    const r = run(["--fix", path], ["y"]);
    expect(r.lines.slice(1)).toEqual([
      errorLine(base.length, "the last command was cut short"),
      analyzed(path, base.length + 12, base.length, 22),
      `This will shrink the AOF ${path} from ${base.length + 12} bytes, with 12 bytes, to ${base.length} bytes`,
      "Continue? [y/N]: y",
      `Successfully truncated AOF ${path}`,
    ]);
    expect(r.code).toBe(0);
    expect(size(path)).toBe(base.length);
    writeFileSync(path, "");
    expect(run([path])).toEqual({ code: 0, lines: ["Start checking single AOF file", `AOF ${path} is empty`] });
  });
});

describe("wedis-check-aof: a last file cut short", () => {
  it("finds a cut at every byte of the last command, and --fix truncates each to the same offset", () => {
    const good = incr2.length - lastCommand.length;
    for (let cut = good + 1; cut < incr2.length; cut++) {
      const d = aofDir([[BASE, base], [INCR1, incr1], [INCR2, incr2.slice(0, cut)]]);
      const r = run([d.manifest]);
      expect(r.code).toBe(1);
      expect(r.lines.slice(-4)).toEqual([
        errorLine(good, cut - good < 4 ? "a command header was cut short" : "the last command was cut short"),
        analyzed(INCR2, cut, good, 6),
        `AOF ${INCR2} is not valid. Use the --fix option to try fixing it.`,
        `Not all AOF files are valid: ${INCR2}`,
      ]);
      const f = run(["--fix", d.manifest], ["y"]);
      expect(f.lines.slice(-4)).toEqual([
        `This will shrink the AOF ${INCR2} from ${cut} bytes, with ${cut - good} bytes, to ${good} bytes`,
        "Continue? [y/N]: y",
        `Successfully truncated AOF ${INCR2}`,
        "All AOF files and manifest are valid",
      ]);
      expect(f.code).toBe(0);
      expect(size(d.path(INCR2))).toBe(good);
      expect(run([d.manifest]).code).toBe(0);
    }
  });

  it("finds the same cut whatever the reader's chunk size", () => {
    const good = incr2.length - lastCommand.length;
    for (const chunkBytes of [64, 100, 4096]) {
      for (let cut = good + 1; cut < incr2.length; cut += 3) {
        const d = aofDir([[BASE, base], [INCR1, incr1], [INCR2, incr2.slice(0, cut)]]);
        const report = checkAof(d.manifest, { out: () => {}, ask: () => "y" }, { fix: true, chunkBytes });
        expect(report.ok).toBe(true);
        expect(report.files.map((f) => f.truncatedTo)).toEqual([null, null, good]);
        expect(size(d.path(INCR2))).toBe(good);
      }
    }
  });

  it("cuts a transaction left open at its MULTI, wherever the file ends inside it", () => {
    const before = resp("SET", "a", "1");
    const tx = resp("MULTI") + resp("INCR", "n") + "#TS:5\r\n" + resp("SADD", "s", "x") + resp("EXEC");
    const full = before + tx;
    const boundaries = new Set([before.length + resp("MULTI").length, before.length + resp("MULTI").length + resp("INCR", "n").length]);
    for (let cut = before.length + 1; cut < full.length; cut++) {
      const d = aofDir([[BASE, base], [INCR1, full.slice(0, cut)]]);
      const r = run([d.manifest]);
      expect(r.code).toBe(1);
      expect(r.lines).toContain(analyzed(INCR1, cut, before.length, 8));
      if (boundaries.has(cut)) expect(r.lines).toContain(errorLine(before.length, "Reached EOF before reading EXEC for MULTI"));
      const f = run(["--fix", d.manifest], ["y"]);
      expect(f.code).toBe(0);
      expect(size(d.path(INCR1))).toBe(before.length);
    }
  });

  it("treats a tail of zero bytes as a cut (the file grew, its last write never reached the disk)", () => {
    const good = resp("DEL", "k");
    for (const tail of ["", "*4\r\n$4\r\nHS", "*4\r\n$4\r\n"]) {
      const d = aofDir([[BASE, base], [INCR2, good + tail + "\0".repeat(4096)]]);
      const r = run([d.manifest]);
      expect(r.code).toBe(1);
      expect(r.lines).toContain(`AOF ${INCR2} is not valid. Use the --fix option to try fixing it.`);
      expect(r.lines.some((l) => l.includes("zero bytes to the end of the file"))).toBe(true);
      expect(run(["--fix", d.manifest], ["y"]).code).toBe(0);
      expect(size(d.path(INCR2))).toBe(good.length);
    }
    // Zeros followed by anything else are damage, not a cut: reported as such (and --fix, as
    // for any damage in the last file, truncates there once told yes).
    const d = aofDir([[BASE, base], [INCR2, good + "\0\0\0" + resp("SET", "a", "b")]]);
    const r = run([d.manifest]);
    expect(r.code).toBe(1);
    expect(r.lines).toContain(errorLine(good.length, "expected '*', got byte 0x00"));
  });

  it("truncates only on a yes: any other answer, or none, aborts and changes nothing", () => {
    const cut = incr2.length - 5;
    for (const answer of ["n", "", "no", null]) {
      const d = aofDir([[BASE, base], [INCR2, incr2.slice(0, cut)]]);
      const r = run(["--fix", d.manifest], [answer]);
      expect(r.lines.slice(-4)).toEqual([
        `This will shrink the AOF ${INCR2} from ${cut} bytes, with ${cut - DEL_END} bytes, to ${DEL_END} bytes`,
        `Continue? [y/N]: ${answer ?? ""}`,
        "Aborting...",
        `Not all AOF files are valid: ${INCR2}`,
      ]);
      expect(r.code).toBe(1);
      expect(size(d.path(INCR2))).toBe(cut);
    }
    for (const answer of ["Y", "yes"]) {
      const d = aofDir([[BASE, base], [INCR2, incr2.slice(0, cut)]]);
      expect(run(["--fix", d.manifest], [answer]).code).toBe(0);
      expect(size(d.path(INCR2))).toBe(DEL_END);
    }
  });

  it("agrees with the loader: refused before --fix, loaded after", async () => {
    const d = aofDir([[BASE, base], [INCR1, incr1], [INCR2, incr2.slice(0, -3)]]);
    expect(await load(d.dir)).toMatch(new RegExp(`^Unexpected end of file reading the append only file appendonly.aof.2.incr.aof at offset ${DEL_END}\\b`));
    expect(run(["--fix", d.manifest], ["y"]).code).toBe(0);
    // k deleted; l, n, s in db 0 and k3 in db 3.
    expect(await load(d.dir)).toBe(4);
  });
});

describe("wedis-check-aof: damage --fix does not repair", () => {
  it("reports garbage in a file that is not the last with its offset, and --fix leaves it alone", () => {
    const head = resp("SET", "a", "1");
    const damaged = head + "garbage\r\n" + resp("SET", "b", "2");
    const d = aofDir([[BASE, base], [INCR1, damaged], [INCR2, incr2]]);
    for (const argv of [[d.manifest], ["--fix", d.manifest]]) {
      const r = run(argv, ["y"]);
      expect(r.lines).toEqual([
        "Start checking Multi Part AOF",
        "Start to check BASE AOF (RESP format).",
        analyzed(BASE, base.length, base.length, 22),
        `BASE AOF ${BASE} is valid`,
        "Start to check INCR files.",
        errorLine(head.length, "expected '*', got 'g'"),
        analyzed(INCR1, damaged.length, head.length, 8),
        argv.length === 2 ? `Failed to truncate AOF ${INCR1} because it is not the last file` : `AOF ${INCR1} is not valid. It is not the last file, so --fix cannot repair it.`,
        // Later files are still checked; none is changed.
        analyzed(INCR2, incr2.length, incr2.length, 15),
        `INCR AOF ${INCR2} is valid`,
        `Not all AOF files are valid: ${INCR1}`,
      ]);
      expect(r.code).toBe(1);
      expect(size(d.path(INCR1))).toBe(damaged.length);
    }
  });

  it("reports a corrupt command in the last file; --fix truncates there as Redis's does, after saying what goes", () => {
    const head = resp("SET", "a", "1");
    for (const [bad, offset, reason] of [
      ["*2\r\n$3\r\nSET\r\nx\r\n", head.length + 13, "expected '$', got 'x'"],
      ["*1\r\n$3\r\nGETxx\r\n", head.length + 11, "bulk string not followed by CRLF"],
    ] as const) {
      const content = head + bad + resp("SET", "b", "2");
      const d = aofDir([[BASE, base], [INCR2, content]]);
      const check = run([d.manifest]);
      expect(check.lines).toContain(errorLine(offset, reason));
      expect(check.lines).toContain(analyzed(INCR2, content.length, head.length, 8));
      expect(check.lines).toContain(`AOF ${INCR2} is not valid. Use the --fix option to try fixing it.`);
      expect(check.code).toBe(1);
      const no = run(["--fix", d.manifest], ["n"]);
      expect(no.code).toBe(1);
      expect(size(d.path(INCR2))).toBe(content.length);
      const r = run(["--fix", d.manifest], ["y"]);
      expect(r.lines).toContain(`This will shrink the AOF ${INCR2} from ${content.length} bytes, with ${content.length - head.length} bytes, to ${head.length} bytes`);
      expect(r.code).toBe(0);
      expect(size(d.path(INCR2))).toBe(head.length);
    }
  });

  it("refuses commands loading refuses, and MULTI/EXEC out of place", async () => {
    const head = resp("SET", "a", "1");
    const cases: [string, string, number][] = [
      [resp("FOO", "x"), "Unknown command 'FOO'", head.length],
      [resp("CONFIG", "SET", "maxmemory", "1"), "Unknown command 'CONFIG'", head.length],
      [resp("SET", "k"), "Wrong number of arguments for 'set'", head.length],
      [resp("EXEC"), "Unexpected EXEC", head.length],
      [resp("MULTI") + resp("INCR", "n") + resp("MULTI"), "Unexpected MULTI", head.length],
      [resp("SELECT", "x"), "SELECT of an invalid database", head.length],
    ];
    for (const [bad, reason, okUpTo] of cases) {
      const content = head + bad + resp("SET", "b", "2");
      const d = aofDir([[BASE, base], [INCR1, content]]);
      const r = run([d.manifest]);
      const at = reason === "Unexpected MULTI" ? head.length + resp("MULTI").length + resp("INCR", "n").length : head.length;
      expect(r.lines.slice(-4)).toEqual([
        errorLine(at, reason),
        analyzed(INCR1, content.length, okUpTo, 8),
        `AOF ${INCR1} is not valid. Use the --fix option to try fixing it.`,
        `Not all AOF files are valid: ${INCR1}`,
      ]);
      expect(r.code).toBe(1);
      expect(size(d.path(INCR1))).toBe(content.length);
      expect(run(["--fix", d.manifest], ["y"]).code).toBe(0);
      expect(size(d.path(INCR1))).toBe(okUpTo);
    }
    const d = aofDir([[BASE, base], [INCR1, head + resp("FOO", "x")]]);
    expect(await load(d.dir)).toBe(`Unknown command 'FOO' reading the append only file appendonly.aof.1.incr.aof at offset ${head.length}`);
  });

  it("does not truncate a cut file that is not the last, and then changes nothing at all", () => {
    const cutBase = base.slice(0, -4);
    const good = base.length - resp("RPUSH", "l", "a\r\nb", "").length;
    const d = aofDir([[BASE, cutBase], [INCR1, incr1], [INCR2, incr2.slice(0, -2)]]);
    let r = run([d.manifest]);
    expect(r.lines).toEqual([
      "Start checking Multi Part AOF",
      "Start to check BASE AOF (RESP format).",
      errorLine(good, "the last command was cut short"),
      analyzed(BASE, cutBase.length, good, 13),
      `AOF ${BASE} is not valid. It is not the last file, so --fix cannot repair it.`,
      "Start to check INCR files.",
      analyzed(INCR1, incr1.length, incr1.length, 32),
      `INCR AOF ${INCR1} is valid`,
      errorLine(DEL_END, "the last command was cut short"),
      analyzed(INCR2, incr2.length - 2, DEL_END, 6),
      `AOF ${INCR2} is not valid. Use the --fix option to try fixing it.`,
      `Not all AOF files are valid: ${BASE}, ${INCR2}`,
    ]);
    expect(r.code).toBe(1);
    r = run(["--fix", d.manifest], ["y"]);
    expect(r.lines).toContain(`Failed to truncate AOF ${BASE} because it is not the last file`);
    expect(r.lines).toContain(`Not truncating AOF ${INCR2}: an earlier file is not valid`);
    expect(r.lines.some((l) => l.startsWith("Continue?"))).toBe(false);
    expect(r.code).toBe(1);
    expect([size(d.path(BASE)), size(d.path(INCR2))]).toEqual([cutBase.length, incr2.length - 2]);
  });

  it("reports a manifest it cannot use, and files it cannot open, with Redis's lines", () => {
    const d = aofDir([[BASE, base]]);
    writeFileSync(d.manifest, "file appendonly.aof.1.base.aof seq 1 type b\nfile x seq 1\n");
    expect(run([d.manifest])).toEqual({
      code: 1,
      lines: ["Start checking Multi Part AOF", "*** FATAL AOF MANIFEST FILE ERROR ***", "Reading the manifest file, at line 2", ">>> 'file x seq 1'", "Invalid AOF manifest file format"],
    });
    writeFileSync(d.manifest, "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.9.incr.aof seq 9 type i\n");
    const r = run([d.manifest]);
    expect(r.lines.slice(-3)).toEqual([
      "Start to check INCR files.",
      `Cannot open file ${d.path("appendonly.aof.9.incr.aof")}: No such file or directory`,
      "Not all AOF files are valid: appendonly.aof.9.incr.aof",
    ]);
    expect(r.code).toBe(1);
    expect(run([join(d.dir, "nothing.manifest")])).toEqual({ code: 1, lines: [`Cannot open file ${join(d.dir, "nothing.manifest")}: No such file or directory`] });
  });

  it("reports an RDB-preamble base as a format Wedis cannot read", () => {
    const d = aofDir([[BASE, "REDIS0009\xfa\x09redis-ver"], [INCR1, incr1]]);
    const r = run([d.manifest]);
    expect(r.lines.slice(0, 3)).toEqual([
      "Start checking Multi Part AOF",
      "Start to check BASE AOF (RDB format).",
      `BASE AOF ${BASE} is in RDB format (an RDB preamble), which Wedis cannot read`,
    ]);
    expect(r.code).toBe(1);
  });
});

describe("wedis-check-aof: annotations and --truncate-to-timestamp", () => {
  const tsBase = resp("SET", "k", "v");
  const tsIncr1 = "#TS:50\r\n" + resp("SET", "a", "0");
  const part1 = "#TS:100\r\n" + resp("SET", "a", "1");
  const part2 = "#TS:200\r\n" + resp("SET", "b", "2");
  const part3 = "#TS:300\r\n" + resp("MULTI") + resp("INCR", "n") + "#TS:400\r\n" + resp("INCR", "n") + resp("EXEC") + "#TS:500\r\n" + resp("DEL", "a");
  const tsIncr2 = part1 + part2 + part3;
  const dirs = () => aofDir([[BASE, tsBase], [INCR1, tsIncr1], [INCR2, tsIncr2]]);

  it("cuts the last file at the first annotation later than the time, without asking", () => {
    const d = dirs();
    const r = run(["--truncate-to-timestamp", "150", d.manifest]);
    expect(r.lines).toEqual([
      "Start checking Multi Part AOF",
      "Start to check BASE AOF (RESP format).",
      "Truncate nothing in AOF appendonly.aof.1.base.aof to timestamp 150",
      `BASE AOF ${BASE} is valid`,
      "Start to check INCR files.",
      `Truncate nothing in AOF ${INCR1} to timestamp 150`,
      `INCR AOF ${INCR1} is valid`,
      analyzed(INCR2, tsIncr2.length, part1.length, 9),
      `Successfully truncated AOF ${INCR2} to timestamp 150`,
      "All AOF files and manifest are valid",
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(d.path(INCR2), "latin1")).toBe(part1);
  });

  it("cuts at the MULTI when the annotation is inside a transaction", () => {
    const d = dirs();
    expect(run(["--truncate-to-timestamp", "350", d.manifest]).code).toBe(0);
    expect(readFileSync(d.path(INCR2), "latin1")).toBe(part1 + part2 + "#TS:300\r\n");
    const e = dirs();
    expect(run(["--truncate-to-timestamp", "450", e.manifest]).code).toBe(0);
    expect(readFileSync(e.path(INCR2), "latin1")).toBe(tsIncr2.slice(0, tsIncr2.indexOf("#TS:500")));
  });

  it("truncates nothing when every annotation is earlier", () => {
    const d = dirs();
    const r = run(["--truncate-to-timestamp", "1000", d.manifest]);
    expect(r.lines.slice(-3)).toEqual([`Truncate nothing in AOF ${INCR2} to timestamp 1000`, `INCR AOF ${INCR2} is valid`, "All AOF files and manifest are valid"]);
    expect(r.code).toBe(0);
    expect(size(d.path(INCR2))).toBe(tsIncr2.length);
  });

  it("empties a last incremental file that began after the time, but never cuts to nothing at all", () => {
    let d = dirs();
    expect(run(["--truncate-to-timestamp", "70", d.manifest]).code).toBe(0);
    expect(size(d.path(INCR2))).toBe(0);
    d = aofDir([[BASE, "#TS:100\r\n" + tsBase], [INCR1, tsIncr1]]);
    const r = run(["--truncate-to-timestamp", "70", d.manifest]);
    expect(r.lines).toContain(`AOF ${BASE} has nothing before timestamp 70, aborting...`);
    expect(r.code).toBe(1);
    expect(size(d.path(BASE))).toBe(tsBase.length + 9);
  });

  it("refuses to cut a file that is not the last", () => {
    const d = dirs();
    const r = run(["--truncate-to-timestamp", "40", d.manifest]);
    expect(r.lines.slice(-4)).toEqual([
      `Failed to truncate AOF ${INCR1} to timestamp 40 to offset 0 because it is not the last file.`,
      "If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run wedis-check-aof.",
      `Not truncating AOF ${INCR2} to timestamp 40: an earlier file is not valid`,
      `Not all AOF files are valid: ${INCR1}, ${INCR2}`,
    ]);
    expect(r.code).toBe(1);
    expect([size(d.path(INCR1)), size(d.path(INCR2))]).toEqual([tsIncr1.length, tsIncr2.length]);
  });

  it("checks timestamp annotations only when truncating to a timestamp", () => {
    const bad = resp("SET", "a", "1") + "#TS:12x\r\n" + resp("SET", "b", "2");
    const d = aofDir([[BASE, tsBase], [INCR1, bad]]);
    expect(run([d.manifest]).code).toBe(0);
    const r = run(["--truncate-to-timestamp", "100", d.manifest]);
    expect(r.lines).toContain(errorLine(resp("SET", "a", "1").length, "Invalid timestamp annotation"));
    expect(r.code).toBe(1);
    expect(size(d.path(INCR1))).toBe(bad.length);
  });

  it("a timestamp cut before a cut command needs no --fix", () => {
    const d = aofDir([[BASE, tsBase], [INCR1, part1 + part2.slice(0, -4)]]);
    expect(run([d.manifest]).code).toBe(1);
    expect(run(["--truncate-to-timestamp", "150", d.manifest]).code).toBe(0);
    expect(size(d.path(INCR1))).toBe(part1.length);
  });

  it("refuses a timestamp that is not a number", () => {
    expect(run(["--truncate-to-timestamp", "soon", "x.manifest"])).toEqual({ code: 1, lines: ["Invalid timestamp, aborting..."] });
  });
});

describe("wedis-check-aof: the command line", () => {
  it("prints the usage for arguments it does not take", () => {
    for (const argv of [[], ["--fix"], ["--bogus", "x"], ["a", "b"], ["--truncate-to-timestamp", "1"], ["--fix", "a", "b"]]) {
      expect(run(argv)).toEqual({ code: 1, lines: [USAGE] });
    }
    expect(run(["--help"])).toEqual({ code: 0, lines: [USAGE] });
  });

  it("runs as an executable: exit codes, and the --fix answer read from stdin", () => {
    const bin = fileURLToPath(new URL("../../bin/wedis-check-aof.js", import.meta.url));
    const exec = (args: string[], input = "") => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });
    const d = aofDir([[BASE, base], [INCR2, incr2.slice(0, -3)]]);
    let p = exec([d.manifest]);
    expect(p.status).toBe(1);
    expect(p.stdout).toContain(`AOF ${INCR2} is not valid. Use the --fix option to try fixing it.\n`);
    p = exec(["--fix", d.manifest]);
    expect(p.status).toBe(1);
    expect(p.stdout).toContain("Continue? [y/N]: \nAborting...\n");
    p = exec(["--fix", d.manifest], "y\n");
    expect(p.status).toBe(0);
    expect(p.stdout).toContain(`Continue? [y/N]: y\nSuccessfully truncated AOF ${INCR2}\nAll AOF files and manifest are valid\n`);
    expect(size(d.path(INCR2))).toBe(DEL_END);
    p = exec([d.manifest]);
    expect(p.status).toBe(0);
    expect(p.stdout.endsWith("All AOF files and manifest are valid\n")).toBe(true);
    p = exec([]);
    expect([p.status, p.stdout]).toEqual([1, USAGE + "\n"]);
  });
});
