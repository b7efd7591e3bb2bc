// wedis-check-aof: checks an AOF — a manifest and the files it names, or one file — and repairs
// a last file by truncating it where it stops being valid.
//
// It behaves like Redis 7.0's redis-check-aof: the same arguments, the same lines where Redis has
// one, and the same rule that only the last file may be truncated (an earlier file cut short had
// later files written after the hole; dropping their commands is not a repair). Files are read by
// the server's own reader and judged by the loader's rules (reader.ts, loader.ts), so a valid file
// is one the server loads whole — except a SELECT beyond `databases`, a setting the checker does
// not know. It is stricter than loading in one way, Redis's: a MULTI inside a MULTI and an EXEC
// without one, which a server never writes, are damage. What can be wrong with a file:
//
//   cut      it ends inside a command, or inside a MULTI without its EXEC (loading drops the
//            transaction from its MULTI on), or in zero bytes (what a file system leaves when the
//            file grew but the crash came before its data reached the disk). --fix truncates the
//            last file where the loader would stop, after asking, as Redis does.
//   damaged  a byte that cannot be there, a command loading refuses (unknown, or one only a client
//            connection sends), a MULTI inside a MULTI, an EXEC without one, a SELECT of no
//            database. --fix truncates there too, as Redis's does, which discards everything
//            after the damage: the question it asks first says how many bytes go.
//
// Where Redis stops at the first bad file, every file is checked and reported; only the last one
// is ever changed, and only when all before it are valid.
//
// --truncate-to-timestamp T cuts the last file at its first `#TS:` annotation later than T (at the
// MULTI if the annotation falls inside a transaction), without asking, as Redis does. Redis refuses
// any cut at offset 0 of a file; we refuse it only at the start of the first file with data, the
// one cut that would leave nothing from before T. An incremental file starts with its annotation,
// so emptying a last incremental file that began after T is a cut like any other.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isatty } from "node:tty";
import { AofReader, type AofChunk } from "./reader.js";
import { Manifest, ManifestError } from "./manifest.js";
import { EXEC, MULTI, SELECT, aofArityOk, aofCommand, selectIndex, startsWithRdbMagic } from "./loader.js";
import { strerror } from "../strerror.js";

export const USAGE = "Usage: wedis-check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>";

export interface CheckIo {
  /** One line of output, without its newline. */
  out(line: string): void;
  /** Asks --fix's question; the answer line, or null at the end of input. Missing: no. */
  ask?(prompt: string): string | null;
}

export interface CheckOptions {
  fix?: boolean;
  /** --truncate-to-timestamp, in unix seconds. */
  toTimestamp?: number | null;
  /** Reader chunk size (tests make it small). */
  chunkBytes?: number;
}

/** What a file holds, as read. */
export type FileState = "valid" | "empty" | "cut" | "damaged" | "rdb" | "unreadable";

export interface FileReport {
  /** As the manifest names it, or the path given. */
  name: string;
  path: string;
  role: "base" | "incr" | "single";
  state: FileState;
  size: number;
  /** Bytes the loader would use: up to where a cut or damage begins (all of a valid file). */
  okUpTo: number;
  /** The line at which those bytes end (RESP lines: header and bulk lines, annotations). */
  okUpToLine: number;
  /** Where reading stopped and why, for a cut or damaged file. */
  error: { offset: number; reason: string } | null;
  /** The file's size now, if it was truncated. */
  truncatedTo: number | null;
  /** Valid, empty, or truncated into a valid file. */
  ok: boolean;
}

export interface CheckReport {
  ok: boolean;
  manifest: boolean;
  files: FileReport[];
}

/** The command line: the exit code (0 when everything is valid or was fixed). */
export function runCheckAof(argv: readonly string[], io: CheckIo): number {
  let fix = false;
  let toTimestamp: number | null = null;
  let path: string;
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    io.out(USAGE);
    return 0;
  }
  if (argv.length === 1 && !argv[0].startsWith("--")) {
    path = argv[0];
  } else if (argv.length === 2 && argv[0] === "--fix") {
    fix = true;
    path = argv[1];
  } else if (argv.length === 3 && argv[0] === "--truncate-to-timestamp") {
    if (!/^[+-]?[0-9]+$/.test(argv[1])) {
      io.out("Invalid timestamp, aborting...");
      return 1;
    }
    toTimestamp = Number(argv[1]);
    path = argv[2];
  } else {
    io.out(USAGE);
    return 1;
  }
  return checkAof(path, io, { fix, toTimestamp }).ok ? 0 : 1;
}

/** Checks a manifest and its files, or a single AOF file; fixes what options allow. */
export function checkAof(path: string, io: CheckIo, opts: CheckOptions = {}): CheckReport {
  return new Check(io, opts).run(path);
}

/** Reads one file: its state and where its good part ends. Nothing is written. */
export function scanAof(path: string, toTimestamp: number | null = null, chunkBytes?: number): Scan {
  const fd = openSync(path, "r");
  let size: number;
  try {
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  if (size === 0) return { state: "empty", size, okUpTo: 0, okUpToLine: 1, error: null, timestampCut: null };
  if (startsWithRdbMagic(path)) return { state: "rdb", size, okUpTo: 0, okUpToLine: 1, error: null, timestampCut: null };
  const reader = new AofReader(path, chunkBytes);
  try {
    return new Scanner(reader, toTimestamp).run();
  } finally {
    reader.close();
  }
}

export interface Scan {
  state: "valid" | "empty" | "cut" | "damaged" | "rdb";
  size: number;
  okUpTo: number;
  okUpToLine: number;
  error: { offset: number; reason: string } | null;
  /** With a timestamp: the first annotation later than it, and where the file is cut for it. */
  timestampCut: { offset: number; ts: number } | null;
}


interface Note {
  at: number;
  end: number;
  /** A `#TS:` annotation's time when a timestamp was asked for (NaN: malformed); else null. */
  ts: number | null;
}

/**
 * One pass over a file. The reader reports annotations while it parses a chunk and returns the
 * chunk's commands after, so annotations wait in `notes` and are taken in offset order with the
 * commands: a timestamp cut must know whether it falls inside a transaction.
 */
class Scanner {
  /** After the last item (command or annotation) read, and the lines up to there. */
  private pos = 0;
  private lines = 0;
  /** The same at the last point outside a transaction: where a cut can go. */
  private safeAt = 0;
  private safeLines = 0;
  /** The open transaction's MULTI (-1: none), and the lines before it. */
  private multiAt = -1;
  private multiLines = 0;
  private notes: Note[] = [];

  constructor(
    private readonly reader: AofReader,
    private readonly toTimestamp: number | null,
  ) {
    reader.onAnnotation = (at, line) => this.notes.push({ at, end: at + line.length + 1, ts: this.timestampOf(line) });
  }

  run(): Scan {
    const r = this.reader;
    for (let c: AofChunk | null; (c = r.next()) !== null; ) {
      const dataStart = c.endOffset - c.dataLen;
      for (let i = 0; i < c.count; i++) {
        const stop = this.takeNotes(c.at[i]) ?? this.command(c, i, dataStart);
        if (stop !== null) return stop;
      }
    }
    const stop = this.takeNotes(Infinity);
    if (stop !== null) return stop;
    const end = r.end!;
    if (end.kind === "eof") {
      if (this.multiAt >= 0) return this.cut(this.multiAt, "Reached EOF before reading EXEC for MULTI");
      return { state: "valid", size: r.size, okUpTo: r.size, okUpToLine: this.lines + 1, error: null, timestampCut: null };
    }
    if (end.kind === "truncated") return this.cut(this.pos, end.reason);
    const zeros = zeroTail(r.path, end.offset, r.size);
    if (zeros > 0) return this.cut(end.offset, `${zeros} zero bytes to the end of the file: a write that never reached the disk`);
    return this.damaged(end.offset, end.reason);
  }

  private timestampOf(line: Buffer): number | null {
    if (this.toTimestamp === null || line.length < 4 || line.toString("latin1", 0, 4) !== "#TS:") return null;
    const m = /^#TS:([+-]?[0-9]+)\r$/.exec(line.toString("latin1"));
    return m === null ? NaN : Number(m[1]);
  }

  /** The annotations before offset `before`, in order; a result when one ends the scan. */
  private takeNotes(before: number): Scan | null {
    let k = 0;
    let stop: Scan | null = null;
    for (; k < this.notes.length && this.notes[k].at < before && stop === null; k++) {
      const n = this.notes[k];
      if (n.ts !== null && Number.isNaN(n.ts)) stop = this.damaged(n.at, "Invalid timestamp annotation");
      else if (n.ts !== null && n.ts > this.toTimestamp!) stop = this.timestampCut(n.ts);
      else this.advance(n.end, 1);
    }
    this.notes.splice(0, k);
    return stop;
  }

  private command(c: AofChunk, i: number, dataStart: number): Scan | null {
    const f = c.first[i];
    const argc = c.argc[i];
    const at = c.at[i];
    const cmd = aofCommand(c.data, c.argOff, c.argLen, f, argc);
    if (cmd === undefined) {
      return this.damaged(at, `Unknown command '${c.data.toString("latin1", c.argOff[f], c.argOff[f] + c.argLen[f])}'`);
    }
    if (!aofArityOk(cmd, argc)) return this.damaged(at, `Wrong number of arguments for '${cmd.name}'`);
    if (cmd === MULTI) {
      if (this.multiAt >= 0) return this.damaged(at, "Unexpected MULTI");
      this.multiAt = at;
      this.multiLines = this.lines;
    } else if (cmd === EXEC) {
      if (this.multiAt < 0) return this.damaged(at, "Unexpected EXEC");
      this.multiAt = -1;
    } else if (cmd === SELECT) {
      const valid = argc === 2 && !Number.isNaN(selectIndex(c.data.subarray(c.argOff[f + 1], c.argOff[f + 1] + c.argLen[f + 1])));
      if (!valid) return this.damaged(at, "SELECT of an invalid database");
    }
    const last = f + argc - 1;
    this.advance(dataStart + c.argOff[last] + c.argLen[last] + 2, 1 + 2 * argc);
    return null;
  }

  private advance(end: number, lines: number): void {
    this.pos = end;
    this.lines += lines;
    if (this.multiAt < 0) {
      this.safeAt = end;
      this.safeLines = this.lines;
    }
  }

  private cut(offset: number, reason: string): Scan {
    return this.stopped("cut", { offset, reason });
  }

  private damaged(offset: number, reason: string): Scan {
    return this.stopped("damaged", { offset, reason });
  }

  private timestampCut(ts: number): Scan {
    const s = this.stopped("valid", null);
    s.timestampCut = { offset: s.okUpTo, ts };
    return s;
  }

  /** The good part ends at the last point outside a transaction. */
  private stopped(state: Scan["state"], error: Scan["error"]): Scan {
    const inMulti = this.multiAt >= 0;
    return {
      state,
      size: this.reader.size,
      okUpTo: inMulti ? this.multiAt : this.safeAt,
      okUpToLine: (inMulti ? this.multiLines : this.safeLines) + 1,
      error,
      timestampCut: null,
    };
  }
}

/** How many bytes from `from` to the end, if all of them are zero; 0 otherwise. */
function zeroTail(path: string, from: number, size: number): number {
  if (from >= size) return 0;
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let at = from; at < size; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
      if (n === 0) return 0;
      for (let k = 0; k < n; k++) if (buf[k] !== 0) return 0;
      at += n;
    }
    return size - from;
  } finally {
    closeSync(fd);
  }
}

class Check {
  private readonly files: FileReport[] = [];
  private readonly fix: boolean;
  private readonly ts: number | null;

  constructor(
    private readonly io: CheckIo,
    private readonly opts: CheckOptions,
  ) {
    this.fix = opts.fix === true;
    this.ts = opts.toTimestamp ?? null;
  }

  run(path: string): CheckReport {
    const out = (line: string) => this.io.out(line);
    let multiPart: boolean;
    try {
      multiPart = isManifest(path);
    } catch (err) {
      out(`Cannot open file ${path}: ${strerror(err)}`);
      return { ok: false, manifest: false, files: [] };
    }
    if (!multiPart) {
      out("Start checking single AOF file");
      this.file(path, path, "single", true);
      return { ok: this.files.every((f) => f.ok), manifest: false, files: this.files };
    }
    out("Start checking Multi Part AOF");
    const manifest = this.manifest(path);
    if (manifest === null) return { ok: false, manifest: true, files: [] };
    const dir = dirname(path);
    const files = manifest.dataFiles();
    files.forEach((f, i) => {
      const filePath = join(dir, f.name);
      if (f.type === "b") out(`Start to check BASE AOF (${isRdb(filePath) ? "RDB" : "RESP"} format).`);
      else if (i === 0 || files[i - 1].type === "b") out("Start to check INCR files.");
      this.file(f.name, filePath, f.type === "b" ? "base" : "incr", i === files.length - 1);
    });
    const bad = this.files.filter((f) => !f.ok);
    if (bad.length === 0) out("All AOF files and manifest are valid");
    else out(`Not all AOF files are valid: ${bad.map((f) => f.name).join(", ")}`);
    return { ok: bad.length === 0, manifest: true, files: this.files };
  }

  private manifest(path: string): Manifest | null {
    const name = basename(path);
    const appendFilename = name.endsWith(".manifest") ? name.slice(0, -".manifest".length) : name;
    try {
      return Manifest.parse(readFileSync(path, "latin1"), appendFilename);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      // Redis's lines for a manifest it cannot use.
      this.io.out("*** FATAL AOF MANIFEST FILE ERROR ***");
      if (err.line > 0) {
        this.io.out(`Reading the manifest file, at line ${err.line}`);
        this.io.out(`>>> '${err.text}'`);
      }
      this.io.out(err.message);
      return null;
    }
  }

  /** Checks one file, prints its lines, and truncates it when asked and allowed. */
  private file(name: string, path: string, role: FileReport["role"], last: boolean): void {
    const out = (line: string) => this.io.out(line);
    const report: FileReport = {
      name,
      path,
      role,
      state: "unreadable",
      size: 0,
      okUpTo: 0,
      okUpToLine: 1,
      error: null,
      truncatedTo: null,
      ok: false,
    };
    this.files.push(report);
    let scan: Scan;
    try {
      scan = scanAof(path, this.ts, this.opts.chunkBytes);
    } catch (err) {
      out(`Cannot open file ${path}: ${strerror(err)}`);
      return;
    }
    Object.assign(report, { state: scan.state, size: scan.size, okUpTo: scan.okUpTo, okUpToLine: scan.okUpToLine, error: scan.error });
    const label = role === "base" ? "BASE AOF" : role === "incr" ? "INCR AOF" : "AOF";
    const earlierBad = this.files.some((f) => f !== report && !f.ok);
    if (scan.state === "empty") {
      out(`${label} ${name} is empty`);
      report.ok = true;
      return;
    }
    if (scan.state === "rdb") {
      out(`${label} ${name} is in RDB format (an RDB preamble), which Wedis cannot read`);
      return;
    }
    if (scan.error !== null) out(`0x${scan.error.offset.toString(16).padStart(16, " ")}: ${scan.error.reason} (offset ${scan.error.offset})`);
    const analyzed = (okUpTo: number) =>
      `AOF analyzed: filename=${name}, size=${scan.size}, ok_up_to=${okUpTo}, ok_up_to_line=${scan.okUpToLine}, diff=${scan.size - okUpTo}`;

    if (scan.timestampCut !== null) {
      const { offset } = scan.timestampCut;
      const dataBefore = this.files.some((f) => f !== report && f.size > 0);
      if (offset === 0 && !dataBefore) {
        out(`AOF ${name} has nothing before timestamp ${this.ts}, aborting...`);
      } else if (!last) {
        out(`Failed to truncate AOF ${name} to timestamp ${this.ts} to offset ${offset} because it is not the last file.`);
        out(
          "If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run wedis-check-aof.",
        );
      } else if (earlierBad) {
        out(`Not truncating AOF ${name} to timestamp ${this.ts}: an earlier file is not valid`);
      } else {
        out(analyzed(offset));
        if (this.truncate(report, offset)) out(`Successfully truncated AOF ${name} to timestamp ${this.ts}`);
      }
      return;
    }
    if (scan.state === "valid" && this.ts !== null) {
      out(`Truncate nothing in AOF ${name} to timestamp ${this.ts}`);
      out(`${label} ${name} is valid`);
      report.ok = true;
      return;
    }
    out(analyzed(scan.okUpTo));
    if (scan.state === "valid") {
      out(`${label} ${name} is valid`);
      report.ok = true;
    } else if (!last) {
      out(this.fix ? `Failed to truncate AOF ${name} because it is not the last file` : `AOF ${name} is not valid. It is not the last file, so --fix cannot repair it.`);
    } else if (!this.fix) {
      out(`AOF ${name} is not valid. Use the --fix option to try fixing it.`);
    } else if (earlierBad) {
      out(`Not truncating AOF ${name}: an earlier file is not valid`);
    } else {
      out(`This will shrink the AOF ${name} from ${scan.size} bytes, with ${scan.size - scan.okUpTo} bytes, to ${scan.okUpTo} bytes`);
      const answer = this.io.ask ? this.io.ask("Continue? [y/N]: ") : null;
      if (answer === null || !/^y/i.test(answer)) {
        out("Aborting...");
        return;
      }
      if (this.truncate(report, scan.okUpTo)) out(`Successfully truncated AOF ${name}`);
    }
  }

  private truncate(report: FileReport, size: number): boolean {
    try {
      const fd = openSync(report.path, "r+");
      try {
        ftruncateSync(fd, size);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      this.io.out(`Failed to truncate AOF ${report.name}: ${strerror(err)}`);
      return false;
    }
    report.truncatedTo = size;
    report.ok = true;
    return true;
  }
}

/**
 * Redis's test: a manifest's first line that is not a comment starts with "file" (an AOF's starts
 * with `*`). Only the head of the file is read, since an AOF can be large.
 */
function isManifest(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    for (const line of head.toString("latin1", 0, n).split("\n")) {
      if (line.startsWith("#")) continue;
      return line.startsWith("file");
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function isRdb(path: string): boolean {
  try {
    return startsWithRdbMagic(path);
  } catch {
    return false;
  }
}

/**
 * Output and the --fix question on the terminal or pipes. The answer is a line read from stdin,
 * as in Redis, so `echo y | wedis-check-aof --fix …` scripts it; end of input means no. A piped
 * answer is echoed so that the transcript reads like a terminal's.
 */
export function terminalIo(): CheckIo {
  return {
    out: (line) => writeAll(1, line + "\n"),
    ask: (prompt) => {
      writeAll(1, prompt);
      const answer = readLine(0);
      if (!isatty(0)) writeAll(1, (answer ?? "") + "\n");
      return answer;
    },
  };
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let at = 0; at < buf.length; ) {
    try {
      at += writeSync(fd, buf, at, buf.length - at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      pause();
    }
  }
}

/** One line from `fd`, byte by byte so that nothing after it is consumed; null at end of input. */
function readLine(fd: number): string | null {
  const byte = Buffer.alloc(1);
  const bytes: number[] = [];
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, byte, 0, 1, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        pause();
        continue;
      }
      if (code === "EOF") n = 0;
      else throw err;
    }
    if (n === 0) return bytes.length === 0 ? null : Buffer.from(bytes).toString();
    if (byte[0] === 0x0a) return Buffer.from(bytes).toString().replace(/\r$/, "");
    bytes.push(byte[0]);
  }
}

/** A non-blocking descriptor had nothing yet: wait a little without spinning. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
}
