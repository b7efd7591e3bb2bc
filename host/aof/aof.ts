// The append-only file: what makes an acknowledged write survive a crash.
//
// The engine propagates every change as a command (assembly/propagate.ts) into a buffer of its
// own. Here that stream is drained after each batch, written to the current incremental file of
// the AOF directory (manifest.ts) and fsynced by `appendfsync`:
//
//   always    A reply may depend on a write (its own, or one it read), so no reply leaves until
//             every propagated byte produced before it is on disk. Replies are held per client;
//             at the end of an event-loop turn (one turn later, to gather more clients) the bytes
//             are written and fdatasync'd, then the replies go (group commit: one fdatasync for
//             all the clients served meanwhile).
//   everysec  Written at the end of every turn; fdatasync off the loop, at most once a second.
//   no        Written at the end of every turn; the kernel decides when it reaches the disk.
//
// A write error with `always` is fatal, as in Redis (a reply may already depend on the lost
// write). With the other policies the bytes stay buffered and are retried, and meanwhile write
// commands (and PING) are refused with -MISCONF until a write succeeds again.
//
// Rewrites (BGREWRITEAOF, auto-aof-rewrite-*, turning the AOF on at runtime) are in rewrite.ts.
import { closeSync, existsSync, fdatasync, fsyncSync, ftruncateSync, fdatasyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, constants } from "node:fs";
import { join, resolve } from "node:path";
import type { WedisServer } from "../server.js";
import type { Client } from "../client.js";
import type { EngineExports } from "../engine.js";
import { Manifest, ManifestError } from "./manifest.js";
import { AofLoadError, loadAof, type LoadProgress } from "./loader.js";
import { Rewrite } from "./rewrite.js";
import { strerror } from "../strerror.js";

export type FsyncPolicy = "always" | "everysec" | "no";
/** off; on; on but waiting for the first rewrite to give it a base (turned on at runtime). */
export type AofState = "off" | "on" | "wait-rewrite";

export class AppendOnlyFile {
  state: AofState = "off";
  policy: FsyncPolicy;
  readonly dir: string;
  manifest: Manifest;
  readonly rewrite: Rewrite;

  /** Descriptor of the incremental file being appended to (-1 when none). */
  fd = -1;
  /** Total size of the base and incremental files (INFO aof_current_size). */
  currentSize = 0;
  /** Size of the log right after the last rewrite (INFO aof_base_size; auto-rewrite measures growth from it). */
  baseSize = 0;
  /** Bytes in the current incremental file, as last written successfully. */
  private incrSize = 0;

  // The stream: bytes drained from the engine (produced), written to the file, known on disk.
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private produced = 0;
  private written = 0;
  private synced = 0;
  private fsyncing = false;
  private lastFsyncMs = Date.now();
  private flushScheduled = false;
  /** Clients with replies held until the AOF is on disk (appendfsync always). */
  private readonly holding = new Set<Client>();

  lastWriteOk = true;
  lastWriteError = "";
  delayedFsync = 0;

  private readonly x: EngineExports;

  constructor(private readonly server: WedisServer) {
    const cfg = server.config;
    this.policy = cfg.get("appendfsync") as FsyncPolicy;
    this.dir = resolve(cfg.get("dir"), cfg.get("appenddirname"));
    this.manifest = new Manifest(cfg.get("appendfilename"));
    this.x = server.engine.x;
    this.rewrite = new Rewrite(server, this);
    cfg.onChange("appendfsync", (v) => this.setPolicy(v as FsyncPolicy));
    cfg.onChange("appendonly", (v) => (v === "yes" ? this.turnOn() : this.turnOff()));
    server.cronHooks.push(() => this.cron());
  }

  get enabled(): boolean {
    return this.state !== "off";
  }

  private get log() {
    return this.server.log;
  }

  // ---- start-up ------------------------------------------------------------------------------------

  /**
   * With appendonly yes: loads the log (while the server already answers -LOADING), then opens
   * it for appending — creating an empty base first on an empty start, as Redis does. Throws
   * AofLoadError when the log cannot be used; the server must not start then.
   */
  async start(progress: LoadProgress): Promise<void> {
    if (!this.server.config.bool("appendonly")) return;
    if (this.server.config.bool("aof-use-rdb-preamble")) {
      this.log.verbose("aof-use-rdb-preamble is yes, but Wedis writes AOF bases in AOF form only");
    }
    this.upgradeOldStyleFile();
    this.manifest = this.readManifest();
    this.removeTempFiles();
    const t0 = performance.now();
    const r = await loadAof({
      engine: this.server.engine,
      log: this.log,
      dir: this.dir,
      manifest: this.manifest,
      loadTruncated: this.server.config.bool("aof-load-truncated"),
      databases: this.server.config.int("databases"),
      progress,
    });
    if (r.status === "ok" || r.status === "truncated") {
      this.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    }
    this.openAtStart();
  }

  /** The manifest on disk, or an empty one (no directory or no manifest yet). */
  private readManifest(): Manifest {
    const path = join(this.dir, this.manifest.manifestName);
    if (!existsSync(path)) return new Manifest(this.manifest.filename);
    try {
      return Manifest.parse(readFileSync(path, "latin1"), this.manifest.filename);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw new AofLoadError(`Can't read the AOF manifest ${path}: ${(err as Error).message}`);
      const where = err.line ? ` Reading the manifest file, at line ${err.line}: >>> '${err.text}'.` : "";
      throw new AofLoadError(`*** FATAL AOF MANIFEST FILE ERROR ***${where} ${err.message}`);
    }
  }

  /** A pre-7.0 single appendonly.aof in `dir` becomes the base of a new directory (Redis's upgrade). */
  private upgradeOldStyleFile(): void {
    const old = resolve(this.server.config.get("dir"), this.manifest.filename);
    if (!existsSync(old) || existsSync(join(this.dir, this.manifest.manifestName))) return;
    mkdirSync(this.dir, { recursive: true });
    const m = new Manifest(this.manifest.filename);
    m.base = { name: this.manifest.filename, seq: 1, type: "b" };
    m.baseSeq = 1;
    m.persist(this.dir);
    renameSync(old, join(this.dir, this.manifest.filename));
    this.log.notice(`Successfully migrated an old-style AOF file (${this.manifest.filename}) into the AOF directory (${this.dir}).`);
  }

  /** Leftovers of a rewrite that was under way when the process died. */
  private removeTempFiles(): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) {
      if (f.startsWith("temp-rewriteaof-")) unlinkSync(join(this.dir, f));
    }
  }

  private openAtStart(): void {
    mkdirSync(this.dir, { recursive: true });
    const m = this.manifest;
    if (m.base === null && m.incr.length === 0) {
      // The dataset is empty here: its base is an empty file.
      const name = m.newBase();
      closeSync(openSync(join(this.dir, name), "w", 0o644));
      this.log.notice(`Creating AOF base file ${name} on server start`);
    }
    const opening = m.incr.length > 0;
    const name = opening ? m.incr[m.incr.length - 1].name : m.newIncr();
    this.fd = openSync(join(this.dir, name), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    m.persist(this.dir);
    this.incrSize = statSync(join(this.dir, name)).size;
    this.currentSize = this.sizeOf(m.dataFiles().map((f) => f.name));
    this.baseSize = m.base ? this.sizeOf([m.base.name]) : 0;
    this.log.notice(`${opening ? "Opening" : "Creating"} AOF incr file ${name} on server start`);
    this.state = "on";
    this.propagate(true);
  }

  private sizeOf(names: string[]): number {
    let n = 0;
    for (const f of names) {
      try {
        n += statSync(join(this.dir, f)).size;
      } catch {
        // A file that vanished counts as empty here; loading would report it.
      }
    }
    return n;
  }

  private propagate(on: boolean): void {
    this.x.setPropagation(on ? 1 : 0);
    if (on) this.x.propagationForceSelect();
  }

  // ---- turning it on and off at runtime ----------------------------------------------------------

  /** CONFIG SET appendonly yes: propagate from now on, and rewrite a base from a snapshot of now. */
  private turnOn(): string | null {
    if (this.state !== "off") return null;
    this.propagate(true);
    this.state = "wait-rewrite";
    this.lastWriteOk = true;
    // A rewrite under way (BGREWRITEAOF with the AOF off) does not follow the new writes.
    if (this.rewrite.running) {
      this.log.warning("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
      this.rewrite.abort();
    }
    const err = this.rewrite.start("enable");
    if (err !== null) {
      this.state = "off";
      this.propagate(false);
      this.log.warning("Wedis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      return "Unable to turn on AOF. Check server logs.";
    }
    return null;
  }

  /** CONFIG SET appendonly no: what was written is flushed and synced, then nothing more. */
  private turnOff(): null {
    if (this.state === "off") return null;
    this.flushNow(true);
    this.rewrite.abort();
    this.propagate(false);
    this.closeFd(true);
    this.state = "off";
    this.releaseAll();
    this.pending = [];
    this.pendingBytes = 0;
    return null;
  }

  private setPolicy(p: FsyncPolicy): void {
    this.policy = p;
    // Leaving `always`: replies held so far are released once what they wait for is on disk.
    if (p !== "always" && this.holding.size > 0) this.flushNow(true);
  }

  // ---- the stream ----------------------------------------------------------------------------------

  /**
   * Takes what the engine propagated since the last call (after every batch, before replies go)
   * and makes sure it is written at the end of this turn.
   */
  drain(): void {
    if (this.take() && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushTurn());
    }
  }

  /** Copies the engine's propagated bytes into `pending`; false when there were none. */
  private take(): boolean {
    const x = this.x;
    const n = x.propagatedLen() >>> 0;
    if (n === 0) return false;
    this.pending.push(this.server.engine.copyOut(x.propagatedPtr(), n));
    x.propagatedReset();
    this.pendingBytes += n;
    this.produced += n;
    return true;
  }

  /** True when a reply produced now must wait for the disk (appendfsync always). */
  mustHold(c: Client): boolean {
    return this.policy === "always" && this.state !== "off" && (this.synced < this.produced || c.held !== null);
  }

  /** Keeps `out` for `c` until what the AOF holds now is on disk. */
  hold(c: Client, out: Buffer): void {
    if (c.held === null) c.held = [];
    c.held.push(out);
    c.heldUntil = this.produced;
    this.holding.add(c);
  }

  /** Bytes propagated but not yet written (INFO aof_buffer_length, mem_aof_buffer). */
  get bufferLength(): number {
    return this.pendingBytes;
  }

  /**
   * appendfsync always waits one more loop turn before its fdatasync: the turn's poll collects
   * the requests that arrived meanwhile — typically other clients answering the previous group's
   * replies — so one fdatasync covers more commands. Measured here (SET -c 50 -P 1): 71k → 81k
   * ops/s with one turn; a second turn made it worse (63k).
   */
  private deferredOnce = false;

  /** End of an event-loop turn: write what the turn produced, then fsync by policy. */
  private flushTurn(): void {
    if (this.policy === "always" && !this.deferredOnce) {
      this.deferredOnce = true;
      setImmediate(() => this.flushTurn());
      return;
    }
    this.deferredOnce = false;
    this.flushScheduled = false;
    this.take();
    if (this.state === "off") return;
    if (!this.writePending()) return;
    if (this.policy === "always") this.syncNow();
    else this.maybeFsync();
  }

  /**
   * appendfsync always: fdatasync on this thread, once per event-loop turn for every client the
   * turn served (Redis does the same in beforeSleep). Measured here (scratch runs of SET -c 50
   * -P 1), fdatasync on the thread pool instead — next fsync started from its callback, or from
   * the next turn — gave 52–58k ops/s against 71k for this: replies produced while one is in
   * flight wait for the next, so each waits for nearly two. A slow disk stalls the loop, as it
   * stalls Redis.
   */
  private syncNow(): void {
    if (this.fd < 0 || this.written === this.synced) return;
    // no-appendfsync-on-rewrite: the durability promise is suspended during a rewrite.
    if (!(this.server.config.bool("no-appendfsync-on-rewrite") && this.rewrite.running)) {
      try {
        fdatasyncSync(this.fd);
      } catch (err) {
        this.server.fatal(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(err)}. Exiting...`);
        return;
      }
      this.lastFsyncMs = Date.now();
    }
    this.synced = this.written;
    this.release();
  }

  /** Writes the pending bytes to the file; false (and the error state) when the write failed. */
  private writePending(): boolean {
    if (this.pendingBytes === 0 || this.fd < 0) return true;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    try {
      while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
    } catch (err) {
      return this.writeFailed(err, done, data);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.written += data.length;
    this.incrSize += data.length;
    this.currentSize += data.length;
    if (!this.lastWriteOk) {
      this.log.warning("AOF write error looks solved, Wedis can write again.");
      this.lastWriteOk = true;
    }
    return true;
  }

  private writeFailed(err: unknown, done: number, data: Buffer): false {
    const why = strerror(err);
    if (this.policy === "always") {
      // A reply may already depend on these bytes (Redis exits too).
      this.server.fatal(`Can't recover from AOF write error when the AOF fsync policy is 'always': ${why}. Exiting...`);
      return false;
    }
    if (done > 0) {
      // Take back the partial command, so the file ends on a whole one.
      try {
        ftruncateSync(this.fd, this.incrSize);
      } catch (e) {
        this.log.warning(`Could not remove short write from the append-only file. Wedis may refuse to load the AOF the next time it starts. ftruncate: ${strerror(e)}`);
      }
    }
    this.pending = [data];
    if (this.lastWriteOk) this.log.warning(`Error writing to the AOF file: ${why}`);
    this.lastWriteOk = false;
    this.lastWriteError = why;
    return false;
  }

  /** everysec: an fdatasync on the thread pool when a second has passed since the last one. */
  private maybeFsync(): void {
    if (this.fd < 0 || this.written === this.synced || !this.lastWriteOk) return;
    if (this.policy !== "everysec") return;
    if (this.server.config.bool("no-appendfsync-on-rewrite") && this.rewrite.running) return;
    if (this.fsyncing) {
      if (this.policy === "everysec" && Date.now() - this.lastFsyncMs > 2000) this.delayedFsync++;
      return;
    }
    if (Date.now() - this.lastFsyncMs < 1000) return;
    const upTo = this.written;
    this.fsyncing = true;
    fdatasync(this.fd, (err) => {
      this.fsyncing = false;
      this.lastFsyncMs = Date.now();
      if (err) {
        this.log.warning(`Error syncing the AOF file: ${strerror(err)}`);
        return;
      }
      // The file may have been switched meanwhile (a rewrite, turned off): the old one was
      // synced when it was closed, and `synced` is already past this point then.
      if (upTo > this.synced) this.synced = upTo;
    });
  }

  /** Sends the held replies whose writes are now on disk. */
  private release(): void {
    if (this.holding.size === 0) return;
    for (const c of this.holding) {
      if (c.heldUntil > this.synced) continue;
      this.holding.delete(c);
      this.server.sendHeld(c);
    }
  }

  private releaseAll(): void {
    for (const c of this.holding) this.server.sendHeld(c);
    this.holding.clear();
  }

  /** Writes and syncs everything now, on this thread (shutdown, switching files, turning off). */
  flushNow(sync: boolean): boolean {
    this.take();
    if (this.fd < 0) return true;
    const ok = this.writePending();
    if (sync && ok) {
      try {
        fdatasyncSync(this.fd);
        this.synced = this.written;
        this.lastFsyncMs = Date.now();
      } catch (err) {
        this.log.warning(`Fail to fsync the AOF file: ${strerror(err)}`);
        return false;
      }
      this.release();
    }
    return ok;
  }

  // ---- files ---------------------------------------------------------------------------------------

  /**
   * Continues the log in a new incremental file (a rewrite starts): the bytes so far are written
   * out and synced into the old one, the next command writes a SELECT. With `persist` the
   * manifest names the new file at once; otherwise the caller does once a base exists.
   */
  switchIncr(m: Manifest, name: string, persist: boolean): void {
    this.flushNow(true);
    const fd = openSync(join(this.dir, name), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_TRUNC, 0o644);
    if (persist) {
      try {
        m.persist(this.dir);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
      this.manifest = m;
    }
    this.closeFd(false);
    this.fd = fd;
    this.incrSize = 0;
    this.x.propagationForceSelect();
    this.log.notice(`Creating AOF incr file ${name} on background rewrite`);
  }

  private closeFd(sync: boolean): void {
    if (this.fd < 0) return;
    try {
      if (sync) fsyncSync(this.fd);
    } catch (err) {
      this.log.warning(`Fail to fsync the AOF file: ${strerror(err)}`);
    }
    closeSync(this.fd);
    this.fd = -1;
    this.synced = this.written;
  }

  /** After a rewrite: the sizes INFO reports and auto-rewrite measures growth from. */
  rewritten(): void {
    const m = this.manifest;
    this.currentSize = this.sizeOf(m.dataFiles().map((f) => f.name));
    this.baseSize = this.currentSize;
  }

  /** A rewrite that gave the log its first base (turned on at runtime) makes it fully on. */
  enabledByRewrite(): void {
    if (this.state === "wait-rewrite") this.state = "on";
  }

  // ---- cron and shutdown -----------------------------------------------------------------------------

  private cron(): void {
    if (this.state === "off") return;
    this.drain();
    // A write that failed is retried; everysec syncs what a quiet second left unsynced.
    if (!this.lastWriteOk) this.writePending();
    if (this.policy === "everysec") this.maybeFsync();
    this.rewrite.cron();
  }

  /** SHUTDOWN/SIGTERM: stop any rewrite, write and sync everything, release held replies. */
  shutdown(): boolean {
    this.rewrite.abort();
    if (this.state === "off") return true;
    this.log.notice("Calling fsync() on the AOF file.");
    const ok = this.flushNow(true);
    this.releaseAll();
    this.closeFd(true);
    return ok;
  }

  /** INFO persistence: the aof_* fields Redis shows while the AOF is on. */
  infoFields(): [string, string | number][] {
    return [
      ["aof_current_size", this.currentSize],
      ["aof_base_size", this.baseSize],
      ["aof_pending_rewrite", 0],
      ["aof_buffer_length", this.pendingBytes],
      ["aof_pending_bio_fsync", this.fsyncing ? 1 : 0],
      ["aof_delayed_fsync", this.delayedFsync],
    ];
  }
}
