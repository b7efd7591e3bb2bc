// The AOF rewrite's thread: restores the engine snapshot it is handed (Engine.restore) and writes
// the dataset as commands into the temp base file, then fsyncs it. The main thread renames it
// into place (rewrite.ts). Nothing here touches the live engine.
import { parentPort, workerData } from "node:worker_threads";
import { closeSync, fdatasyncSync, fsyncSync, openSync, writeSync } from "node:fs";
import { Engine } from "../engine.js";
import type { WorkerJob, WorkerMessage } from "./rewrite.js";

/** Bytes asked of the engine per step, and written between incremental fsyncs (Redis: 4 MB). */
const STEP_BYTES = 1 << 20;
const SYNC_EVERY = 4 << 20;

function run(job: WorkerJob): void {
  const engine = Engine.restore(job.snapshot);
  const x = engine.x;
  const fd = openSync(job.path, "w", 0o644);
  let bytes = 0;
  let unsynced = 0;
  let lastReport = Date.now();
  try {
    x.rewriteBegin();
    for (;;) {
      const n = x.rewriteStep(STEP_BYTES) >>> 0;
      if (n === 0) break;
      const ptr = x.outputPtr() >>> 0;
      const out = engine.u8().subarray(ptr, ptr + n);
      let done = 0;
      while (done < n) done += writeSync(fd, out, done, n - done);
      bytes += n;
      unsynced += n;
      // Syncing as it goes spreads the disk work instead of one long fsync at the end.
      if (job.incrementalFsync && unsynced >= SYNC_EVERY) {
        fdatasyncSync(fd);
        unsynced = 0;
      }
      const now = Date.now();
      if (now - lastReport >= 1000) {
        lastReport = now;
        post({ type: "progress", keys: x.rewriteKeys() });
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  post({ type: "done", bytes, keys: x.rewriteKeys() });
}

function post(msg: WorkerMessage): void {
  parentPort!.postMessage(msg);
}

run(workerData as WorkerJob);
