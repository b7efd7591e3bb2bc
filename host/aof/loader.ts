// Loading the AOF at start: the base file, then the incremental files, replayed into the engine.
//
// Commands go to the engine the way a client's do — a chunk of the file (a few MB, thousands of
// commands) copied into linear memory once and executed in one crossing per run of commands
// between SELECTs — with the engine in loading mode, where no key counts as expired and nothing
// is evicted (the file says what happened to every key, in order). Between chunks the loader
// yields to the event loop, so clients connected meanwhile are answered (-LOADING, INFO).
//
// A transaction is applied only when its EXEC is read: its commands are kept until then, and a
// file that ends inside one is treated like a file cut short at its MULTI, as Redis does.
//
// Damage follows Redis's rules and words, with the offset added:
//   - the last file cut short (a crash mid-write) loads everything before the cut, and with
//     `aof-load-truncated yes` the file is truncated there and the server starts;
//   - anything else — a cut in an earlier file, bytes that are not a command, an unknown
//     command — stops the start with an error naming the file and the offset.
import { closeSync, existsSync, openSync, readSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../engine.js";
import type { Logger } from "../log.js";
import { EngineBatch } from "../batch.js";
import { execCalls, type EngineCall } from "../direct.js";
import { commandByName, lookupCommand, lookupSubcommand, type Command } from "../commands/table.js";
import { AofReader, type AofChunk } from "./reader.js";
import type { Manifest } from "./manifest.js";

/** The AOF cannot be loaded; the server must not start (the message is for the log). */
export class AofLoadError extends Error {}

export const MULTI = commandByName("multi")!;
export const EXEC = commandByName("exec")!;
export const SELECT = commandByName("select")!;

/**
 * The command an AOF entry runs (argv[0], or its subcommand), or undefined if loading refuses it:
 * only engine commands, SELECT, MULTI and EXEC are ever written to the file.
 */
export function aofCommand(data: Uint8Array, argOff: Int32Array, argLen: Int32Array, first: number, argc: number): Command | undefined {
  let cmd = lookupCommand(data, argOff[first], argLen[first]);
  if (cmd !== undefined && cmd.subcommands !== null && argc >= 2) cmd = lookupSubcommand(cmd, data, argOff[first + 1], argLen[first + 1]);
  if (cmd === undefined || (cmd.run !== "engine" && cmd !== SELECT && cmd !== MULTI && cmd !== EXEC)) return undefined;
  return cmd;
}

/**
 * Whether `argc` arguments fit the command's arity. Engine handlers rely on the arity having been
 * checked (a client's command is refused before it runs); a damaged AOF must not reach them
 * with too few arguments either.
 */
export function aofArityOk(cmd: Command, argc: number): boolean {
  return cmd.arity > 0 ? argc === cmd.arity : argc >= -cmd.arity;
}

/** The database a SELECT in the AOF names; NaN unless it is a plain decimal index. */
export function selectIndex(arg: Uint8Array): number {
  const text = Buffer.from(arg).toString("latin1");
  return /^(0|[1-9][0-9]*)$/.test(text) ? Number(text) : NaN;
}

export interface LoadProgress {
  startMs: number;
  totalBytes: number;
  loadedBytes: number;
}

export interface LoadOptions {
  engine: Engine;
  log: Logger;
  /** The AOF directory. */
  dir: string;
  manifest: Manifest;
  /** aof-load-truncated */
  loadTruncated: boolean;
  databases: number;
  /** Updated as loading goes (INFO's loading_* fields read it). */
  progress?: LoadProgress;
  /** Chunk size in bytes (tests make it small). */
  chunkBytes?: number;
  /** Milliseconds between progress lines in the log (default one second). */
  progressEveryMs?: number;
}

export interface LoadResult {
  /** "none": the manifest names no file; "empty": only empty files. */
  status: "ok" | "truncated" | "empty" | "none";
  bytes: number;
  keys: number;
  ms: number;
}

const FIX_HINT = "make a backup of your AOF file, then use wedis-check-aof --fix <filename.manifest>";
const PROGRESS_EVERY_MS = 1000;

export async function loadAof(opts: LoadOptions): Promise<LoadResult> {
  const { engine, log, dir, manifest } = opts;
  const files = manifest.dataFiles();
  if (files.length === 0) return { status: "none", bytes: 0, keys: 0, ms: 0 };
  let total = 0;
  const sizes = files.map((f) => {
    const path = join(dir, f.name);
    if (!existsSync(path)) throw new AofLoadError(`The AOF file ${f.name} named by the manifest does not exist in ${dir}`);
    const size = statSync(path).size;
    total += size;
    return size;
  });
  if (total === 0) return { status: "empty", bytes: 0, keys: 0, ms: 0 };
  const progress = opts.progress ?? { startMs: Date.now(), totalBytes: 0, loadedBytes: 0 };
  progress.startMs = Date.now();
  progress.totalBytes = total;
  progress.loadedBytes = 0;
  const loader = new Loader(opts, progress);
  const x = engine.x;
  x.setLoading(1);
  let status: LoadResult["status"] = "ok";
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const start = performance.now();
      if (sizes[i] === 0) continue;
      const r = await loader.loadFile(f.name, i === files.length - 1);
      if (r === "truncated") status = "truncated";
      log.notice(`DB loaded from ${f.type === "b" ? "base" : "incr"} file ${f.name}: ${((performance.now() - start) / 1000).toFixed(3)} seconds`);
    }
  } finally {
    x.setLoading(0);
  }
  const ms = Date.now() - progress.startMs;
  return { status, bytes: total, keys: loader.keys(), ms };
}

class Loader {
  private readonly batch: EngineBatch;
  private db = 0;
  /** Commands of an open transaction (copies), with the offset of its MULTI. */
  private queue: { cmd: Command; args: Buffer[] }[] | null = null;
  private multiAt = 0;
  private lastLog = Date.now();

  constructor(
    private readonly opts: LoadOptions,
    private readonly progress: LoadProgress,
  ) {
    this.batch = new EngineBatch(opts.engine);
  }

  keys(): number {
    let n = 0;
    for (let db = 0; db < this.opts.databases; db++) n += this.opts.engine.x.dbKeys(db);
    return n;
  }

  /** Replays one file; "truncated" when its tail was cut off (and `last` allowed that). */
  async loadFile(name: string, last: boolean): Promise<"ok" | "truncated"> {
    const path = join(this.opts.dir, name);
    if (startsWithRdbMagic(path)) {
      throw new AofLoadError(`The AOF file ${name} is in RDB format, which Wedis cannot read: rewrite it on Redis with aof-use-rdb-preamble no`);
    }
    const reader = new AofReader(path, this.opts.chunkBytes);
    const fileStart = this.progress.loadedBytes;
    this.db = 0;
    this.queue = null;
    try {
      for (;;) {
        const chunk = reader.next();
        if (chunk !== null) this.run(chunk, name);
        this.progress.loadedBytes = fileStart + reader.validUpTo;
        if (chunk === null) break;
        this.report(name);
        // Let clients that connect meanwhile be answered (with -LOADING).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      reader.close();
    }
    const end = reader.end!;
    if (end.kind === "format") {
      throw new AofLoadError(`Bad file format reading the append only file ${name} at offset ${end.offset} (${end.reason}): ${FIX_HINT}`);
    }
    let cutAt = -1;
    if (end.kind === "truncated") cutAt = end.offset;
    if (this.queue !== null) {
      this.opts.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      this.queue = null;
      cutAt = this.multiAt;
    }
    if (cutAt < 0) return "ok";
    return this.truncate(path, name, cutAt, last);
  }

  private truncate(path: string, name: string, offset: number, last: boolean): "truncated" {
    const log = this.opts.log;
    if (!last) throw new AofLoadError(`Fatal error: the truncated file ${name} is not the last file (cut short at offset ${offset})`);
    if (this.opts.loadTruncated) {
      log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      log.warning(`!!! Truncating the AOF ${name} at offset ${offset} !!!`);
      try {
        truncateSync(path, offset);
      } catch (err) {
        throw new AofLoadError(`Error truncating the AOF file ${name}: ${(err as Error).message}`);
      }
      log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return "truncated";
    }
    throw new AofLoadError(
      `Unexpected end of file reading the append only file ${name} at offset ${offset}. You can: ` +
        "1) Make a backup of your AOF file, then use wedis-check-aof --fix <filename.manifest>. " +
        "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
    );
  }

  /** Executes a chunk: runs of engine commands in one crossing each, SELECT and MULTI/EXEC here. */
  private run(chunk: AofChunk, file: string): void {
    const batch = this.batch;
    const { data, argc, first, argOff, argLen } = chunk;
    batch.begin(chunk);
    for (let i = 0; i < chunk.count; i++) {
      const f = first[i];
      const cmd = aofCommand(data, argOff, argLen, f, argc[i]);
      if (cmd === undefined) {
        const name = data.subarray(argOff[f], argOff[f] + argLen[f]).toString("latin1");
        throw new AofLoadError(`Unknown command '${name}' reading the append only file ${file} at offset ${chunk.at[i]}`);
      }
      if (!aofArityOk(cmd, argc[i])) {
        throw new AofLoadError(`Wrong number of arguments for '${cmd.name}' reading the append only file ${file} at offset ${chunk.at[i]}: ${FIX_HINT}`);
      }
      if (this.queue !== null && cmd !== EXEC) {
        const args: Buffer[] = [];
        for (let k = 0; k < argc[i]; k++) args.push(Buffer.from(data.subarray(argOff[f + k], argOff[f + k] + argLen[f + k])));
        this.queue.push({ cmd, args });
        continue;
      }
      if (cmd.run === "engine") {
        batch.add(cmd.id, i);
        continue;
      }
      batch.exec(this.db, 2);
      if (cmd === SELECT) {
        this.select_(data.subarray(argOff[f + 1], argOff[f + 1] + argLen[f + 1]), file, chunk.at[i]);
      } else if (cmd === MULTI) {
        this.queue = [];
        this.multiAt = chunk.at[i];
      }
      // An EXEC without MULTI is an error reply Redis ignores as well.
      else if (this.queue !== null) this.runQueue(file);
    }
    batch.exec(this.db, 2);
    batch.end();
  }

  private select_(arg: Uint8Array, file: string, at: number): void {
    const db = selectIndex(arg);
    if (!(db < this.opts.databases)) {
      const text = Buffer.from(arg).toString("latin1");
      throw new AofLoadError(`SELECT ${text} in the append only file ${file} at offset ${at} is out of range (databases is ${this.opts.databases})`);
    }
    this.db = db;
  }

  /** EXEC: the transaction's commands, SELECTs among them, in as few crossings as they allow. */
  private runQueue(file: string): void {
    const queue = this.queue!;
    this.queue = null;
    let calls: EngineCall[] = [];
    const flush = () => {
      if (calls.length > 0) execCalls(this.opts.engine, calls, this.db, 2, Date.now());
      calls = [];
    };
    for (const q of queue) {
      if (q.cmd === SELECT) {
        flush();
        this.select_(q.args[1] ?? Buffer.alloc(0), file, this.multiAt);
      } else if (q.cmd.run === "engine") {
        calls.push({ id: q.cmd.id, args: q.args });
      }
    }
    flush();
    // The batch's areas were used by execCalls: the next chunk's batch copies afresh.
    this.batch.invalidate();
  }

  private report(file: string): void {
    const now = Date.now();
    if (now - this.lastLog < (this.opts.progressEveryMs ?? PROGRESS_EVERY_MS)) return;
    this.lastLog = now;
    const p = this.progress;
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
    const secs = Math.max(0.001, (now - p.startMs) / 1000);
    this.opts.log.notice(
      `Loading ${file}: ${mb(p.loadedBytes)} MB of ${mb(p.totalBytes)} MB (${Math.floor((p.loadedBytes * 100) / p.totalBytes)}%), ` +
        `${this.keys()} keys, ${mb(p.loadedBytes / secs)} MB/s`,
    );
  }
}

/** An RDB file (a base written with aof-use-rdb-preamble yes) starts with "REDIS". */
export function startsWithRdbMagic(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(5);
    return readSync(fd, head, 0, 5, 0) === 5 && head.toString("latin1") === "REDIS";
  } finally {
    closeSync(fd);
  }
}
