// The background AOF rewrite: a new base file holding the dataset as it is, so the log stops
// growing with history.
//
// Redis forks; the child writes the snapshot that copy-on-write gives it. Node cannot fork, but
// the engine's entire state is its linear memory and its globals, so a snapshot is one copy of
// memory (Engine.snapshot(), the only pause clients see). A worker thread restores it into a
// second instance of the engine and writes the base from there (rewrite-worker.ts), while this
// thread keeps serving and appending new writes to a fresh incremental file:
//
//   start   the pending writes are flushed and synced into the current incremental file; a new
//           one is opened and named in the manifest (written atomically), so the log on disk
//           stays complete — old base + every incremental file — whatever happens next; then
//           the snapshot is taken and handed to the worker (transferred, not copied again).
//   done    the worker's temp file (fsynced) is renamed to the next base name; the old base and
//           the incremental files before the current one become history in a new manifest,
//           written atomically — the switch — and are then deleted.
//   failed  the temp file is removed; the manifest never named it.
//
// Turned on at runtime (CONFIG SET appendonly yes), the AOF has no base yet: the new incremental
// file is named in the manifest only together with the base the rewrite produces.
import { Worker } from "node:worker_threads";
import { existsSync, mkdirSync, renameSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WedisServer } from "../server.js";
import type { AppendOnlyFile } from "./aof.js";
import type { Manifest } from "./manifest.js";

/** Messages from rewrite-worker.ts. */
export type WorkerMessage = { type: "progress"; keys: number } | { type: "done"; bytes: number; keys: number };

export interface WorkerJob {
  snapshot: import("../engine.js").EngineSnapshot;
  path: string;
  incrementalFsync: boolean;
}

/** Consecutive failures after which automatic rewrites back off (Redis's threshold). */
const BACKOFF_AFTER = 3;

function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, "rewrite-worker.js");
  // Under vitest this module runs from source: the worker is the compiled one in dist/.
  return existsSync(sibling) ? sibling : join(here, "..", "..", "dist", "host", "aof", "rewrite-worker.js");
}

export class Rewrite {
  private worker: Worker | null = null;
  private tmp = "";
  /** Manifest to complete when done, when the current one must not name the new file yet. */
  private target: Manifest | null = null;
  private startMs = 0;
  private finished = false;

  scheduled = false;
  lastOk = true;
  rewrites = 0;
  consecutiveFailures = 0;
  lastTimeSec = -1;
  /** Microseconds the last snapshot kept clients waiting (INFO latest_fork_usec). */
  latestSnapshotUsec = 0;
  snapshots = 0;
  keysTotal = 0;
  keysDone = 0;
  private retryAt = 0;

  constructor(
    private readonly server: WedisServer,
    private readonly aof: AppendOnlyFile,
  ) {}

  get running(): boolean {
    return this.worker !== null;
  }

  get currentTimeSec(): number {
    return this.running ? Math.floor((Date.now() - this.startMs) / 1000) : -1;
  }

  private get log() {
    return this.server.log;
  }

  /** Starts a rewrite; returns an error text for the reply (and the log has the details). */
  start(why: "user" | "auto" | "enable" | "scheduled"): string | null {
    if (this.running) return "Background append only file rewriting already in progress";
    const aof = this.aof;
    try {
      mkdirSync(aof.dir, { recursive: true });
      const m = aof.manifest.clone();
      this.target = null;
      if (aof.state === "on") {
        aof.switchIncr(m, m.newIncr(), true);
      } else if (aof.state === "wait-rewrite") {
        aof.switchIncr(m, m.newIncr(), false);
        this.target = m;
      } else {
        aof.flushNow(true);
        this.target = m;
      }
    } catch (err) {
      this.lastOk = false;
      this.log.warning(`Can't rewrite append only file in background: ${(err as Error).message}`);
      return "Can't execute an AOF background rewriting. Please check the server logs for more information.";
    }
    const engine = this.server.engine;
    const t0 = performance.now();
    let worker: Worker;
    let snapshotMb: string;
    try {
      // The copy needs as much memory again as the engine holds, for a moment: it can fail.
      const snapshot = engine.snapshot();
      this.latestSnapshotUsec = Math.round((performance.now() - t0) * 1000);
      snapshotMb = (snapshot.memory.byteLength / 1048576).toFixed(1);
      this.tmp = join(aof.dir, `temp-rewriteaof-bg-${process.pid}.aof`);
      const job: WorkerJob = { snapshot, path: this.tmp, incrementalFsync: this.server.config.bool("aof-rewrite-incremental-fsync") };
      worker = new Worker(workerPath(), { workerData: job, transferList: [snapshot.memory] });
    } catch (err) {
      this.lastOk = false;
      this.consecutiveFailures++;
      this.log.warning(`Can't rewrite append only file in background: ${(err as Error).message}`);
      return "Can't execute an AOF background rewriting. Please check the server logs for more information.";
    }
    this.snapshots++;
    this.keysTotal = 0;
    for (let db = 0; db < this.server.config.int("databases"); db++) this.keysTotal += engine.x.dbKeys(db);
    this.keysDone = 0;
    this.worker = worker;
    this.finished = false;
    this.startMs = Date.now();
    this.scheduled = false;
    this.rewrites++;
    worker.on("message", (msg: WorkerMessage) => {
      if (this.worker !== worker) return;
      if (msg.type === "progress") this.keysDone = msg.keys;
      else this.done(msg.bytes);
    });
    worker.on("error", (err) => {
      if (this.worker === worker) this.failed(err.message);
    });
    worker.on("exit", (code) => {
      if (this.worker === worker && !this.finished) this.failed(`the rewrite thread exited with code ${code}`);
    });
    this.log.notice(
      `Background append only file rewriting started (${why}): snapshot of ${snapshotMb} MB ` +
        `in ${(this.latestSnapshotUsec / 1000).toFixed(1)} ms, written by thread ${worker.threadId}`,
    );
    return null;
  }

  private done(bytes: number): void {
    const aof = this.aof;
    this.finished = true;
    this.worker = null;
    this.log.notice("Background AOF rewrite terminated with success");
    const m = (this.target ?? aof.manifest).clone();
    try {
      const base = m.newBase();
      renameSync(this.tmp, join(aof.dir, base));
      this.log.notice(`Successfully renamed the temporary AOF base file ${this.tmp.slice(aof.dir.length + 1)} into ${base}`);
      // The file being appended to stays; everything before it is in the base now.
      m.incrToHistory(aof.fd >= 0 ? 1 : 0);
      m.persist(aof.dir);
    } catch (err) {
      this.failed(`installing the new base: ${(err as Error).message}`);
      return;
    }
    aof.manifest = m;
    this.target = null;
    this.deleteHistory(m);
    aof.enabledByRewrite();
    aof.rewritten();
    this.lastOk = true;
    this.consecutiveFailures = 0;
    this.lastTimeSec = Math.floor((Date.now() - this.startMs) / 1000);
    this.keysDone = this.keysTotal;
    this.log.notice(`Background AOF rewrite finished successfully (${bytes} bytes)`);
  }

  private deleteHistory(m: Manifest): void {
    if (this.server.config.bool("aof-disable-auto-gc") || m.history.length === 0) return;
    for (const h of m.history) {
      this.log.notice(`Removing the history file ${h.name} in the background`);
      try {
        unlinkSync(join(this.aof.dir, h.name));
      } catch {
        // Already gone: the manifest is all that still names it.
      }
    }
    m.history = [];
    try {
      m.persist(this.aof.dir);
    } catch (err) {
      this.log.warning(`Can't write the AOF manifest after removing history files: ${(err as Error).message}`);
    }
  }

  private failed(reason: string): void {
    this.finished = true;
    const w = this.worker;
    this.worker = null;
    if (w !== null) void w.terminate();
    this.removeTemp();
    this.lastOk = false;
    this.consecutiveFailures++;
    this.log.warning(`Background AOF rewrite terminated with error: ${reason}`);
    if (this.consecutiveFailures >= BACKOFF_AFTER) {
      const minutes = Math.min(60, 2 ** (this.consecutiveFailures - BACKOFF_AFTER));
      this.retryAt = Date.now() + minutes * 60_000;
      this.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${minutes} minutes`);
    }
    // Turned on at runtime, the AOF still needs its base: try again.
    if (this.aof.state === "wait-rewrite") this.scheduled = true;
  }

  /** Stops a rewrite under way (the AOF is turned off, the server shuts down). */
  abort(): void {
    const w = this.worker;
    if (w === null) return;
    this.log.notice(`Killing running AOF rewrite thread: ${w.threadId}`);
    this.worker = null;
    this.finished = true;
    void w.terminate();
    this.removeTemp();
    this.target = null;
  }

  private removeTemp(): void {
    if (this.tmp === "") return;
    try {
      unlinkSync(this.tmp);
    } catch {
      // Not written yet, or already renamed.
    }
  }

  /** From the server cron: scheduled rewrites, and auto-aof-rewrite-percentage/-min-size. */
  cron(): void {
    if (this.running) return;
    const now = Date.now();
    if (this.scheduled && now >= this.retryAt) {
      this.start("scheduled");
      return;
    }
    const cfg = this.server.config;
    const perc = cfg.int("auto-aof-rewrite-percentage");
    const aof = this.aof;
    if (aof.state !== "on" || perc === 0 || aof.currentSize <= cfg.int("auto-aof-rewrite-min-size")) return;
    if (this.consecutiveFailures >= BACKOFF_AFTER && now < this.retryAt) return;
    const base = aof.baseSize > 0 ? aof.baseSize : 1;
    const growth = Math.floor((aof.currentSize * 100) / base) - 100;
    if (growth < perc) return;
    this.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
    this.start("auto");
  }

  /** BGREWRITEAOF: the status to reply when it started, else the error. */
  command(): { ok: string } | { error: string } {
    if (this.running) return { error: "ERR Background append only file rewriting already in progress" };
    this.consecutiveFailures = 0;
    const err = this.start("user");
    if (err !== null) return { error: `ERR ${err}` };
    return { ok: "Background append only file rewriting started" };
  }
}
