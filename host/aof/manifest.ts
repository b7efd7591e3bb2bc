// The AOF manifest: Redis 7's list of the files that make up the append-only log.
//
// The log lives in a directory (`appenddirname`) as one base file — the dataset as commands at the
// time of the last rewrite — and one or more incremental files of the writes since, in order.
// `<appendfilename>.manifest` names them, one line per file:
//
//   file appendonly.aof.2.base.aof seq 2 type b
//   file appendonly.aof.1.incr.aof seq 1 type h      (history: replaced, about to be deleted)
//   file appendonly.aof.3.incr.aof seq 3 type i
//
// Base and incremental files are numbered independently. The manifest is the commit point of
// every change to the set of files: it is written to a temporary file, fsynced and renamed over
// the old one, and the directory fsynced, so a crash leaves either the old list or the new one,
// each naming only complete files. Parsing follows Redis's rules and error texts, so a manifest
// either server wrote loads in the other.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { splitArgs } from "../config.js";

export type AofFileType = "b" | "h" | "i";

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** A manifest that cannot be used; `line`/`text` locate the offending line when there is one. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly line = 0,
    readonly text = "",
  ) {
    super(message);
  }
}

const MAX_LINE = 1024;

export class Manifest {
  base: AofFileInfo | null = null;
  history: AofFileInfo[] = [];
  incr: AofFileInfo[] = [];
  /** Highest sequence numbers handed out (the next file of a kind gets one more). */
  baseSeq = 0;
  incrSeq = 0;

  constructor(readonly filename: string) {}

  static parse(text: string, filename: string): Manifest {
    const m = new Manifest(filename);
    const lines = text.split("\n");
    // A final newline leaves one empty string after it; a file without any line is an error.
    if (lines[lines.length - 1] === "") lines.pop();
    if (lines.length === 0) throw new ManifestError("Found an empty AOF manifest");
    let maxIncr = 0;
    lines.forEach((raw, i) => {
      const n = i + 1;
      if (raw.startsWith("#")) return;
      if (raw.length + 1 > MAX_LINE) throw new ManifestError("The AOF manifest file contains too long line", n, raw);
      const line = raw.trim();
      const argv = line === "" ? null : splitArgs(line);
      if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError("Invalid AOF manifest file format", n, line);
      let name = "";
      let seq = 0;
      let type = "";
      for (let k = 0; k < argv.length; k += 2) {
        const key = argv[k].toLowerCase();
        if (key === "file") {
          name = argv[k + 1];
          if (basename(name) !== name) throw new ManifestError("File can't be a path, just a filename", n, line);
        } else if (key === "seq") seq = parseInt(argv[k + 1], 10) || 0;
        else if (key === "type") type = argv[k + 1].charAt(0);
        // Other keys are allowed, for forward compatibility (as in Redis).
      }
      if (name === "" || seq === 0 || type === "") throw new ManifestError("Invalid AOF manifest file format", n, line);
      const info: AofFileInfo = { name, seq, type: type as AofFileType };
      if (type === "b") {
        if (m.base !== null) throw new ManifestError("Found duplicate base file information", n, line);
        m.base = info;
        m.baseSeq = seq;
      } else if (type === "h") {
        m.history.push(info);
      } else if (type === "i") {
        if (seq <= maxIncr) throw new ManifestError("Found a non-monotonic sequence number", n, line);
        m.incr.push(info);
        m.incrSeq = maxIncr = seq;
      } else {
        throw new ManifestError("Unknown AOF file type", n, line);
      }
    });
    return m;
  }

  /** The manifest's text: base first, then history, then the incremental files. */
  format(): string {
    const all = [...(this.base ? [this.base] : []), ...this.history, ...this.incr];
    return all.map((f) => `file ${quoteName(f.name)} seq ${f.seq} type ${f.type}\n`).join("");
  }

  clone(): Manifest {
    const m = new Manifest(this.filename);
    m.base = this.base && { ...this.base };
    m.history = this.history.map((f) => ({ ...f }));
    m.incr = this.incr.map((f) => ({ ...f }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  /** Files that hold data, in load order: the base, then the incremental files. */
  dataFiles(): AofFileInfo[] {
    return [...(this.base ? [this.base] : []), ...this.incr];
  }

  /** Names a new base file; the current one becomes history. */
  newBase(): string {
    if (this.base !== null) this.history.unshift({ ...this.base, type: "h" });
    const seq = ++this.baseSeq;
    this.base = { name: `${this.filename}.${seq}.base.aof`, seq, type: "b" };
    return this.base.name;
  }

  /** Names a new incremental file, appended to the list. */
  newIncr(): string {
    const seq = ++this.incrSeq;
    const info: AofFileInfo = { name: `${this.filename}.${seq}.incr.aof`, seq, type: "i" };
    this.incr.push(info);
    return info.name;
  }

  /** After a rewrite: every incremental file but the last `keep` becomes history. */
  incrToHistory(keep: number): void {
    const moved = this.incr.splice(0, Math.max(0, this.incr.length - keep));
    for (const f of moved.reverse()) this.history.unshift({ ...f, type: "h" });
  }

  get manifestName(): string {
    return `${this.filename}.manifest`;
  }

  /** Writes the manifest atomically into `dir` (temp file, fsync, rename, fsync of the directory). */
  persist(dir: string): void {
    const tmp = join(dir, `temp-${this.manifestName}`);
    const fd = openSync(tmp, "w", 0o644);
    try {
      writeSync(fd, this.format());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, this.manifestName));
    fsyncDir(dir);
  }
}

/** fsync of a directory, so that a rename or a new file in it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A file name as the manifest writes it: quoted (sdscatrepr style) only if it needs to be. */
function quoteName(name: string): string {
  if (/^[\x21-\x7e]*$/.test(name) && !/["'\\]/.test(name) && name !== "") return name;
  let out = '"';
  for (const ch of Buffer.from(name, "latin1")) {
    const c = String.fromCharCode(ch);
    if (c === "\\" || c === '"') out += "\\" + c;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (ch >= 0x20 && ch <= 0x7e) out += c;
    else out += "\\x" + ch.toString(16).padStart(2, "0");
  }
  return out + '"';
}
