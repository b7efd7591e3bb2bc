// The engine's exports: everything the host may call. Keep this list short; see ARCHITECTURE.md.
import { alloc, free, usedMemory } from "./alloc";
import { setProto, resetOutput, outputPtr as replyPtr, outputLen as replyLen, reserve as reserveOutput } from "./reply";
import { setCommand } from "./request";
import { resetCommandFlags, commandFlags, CMD_DIRTY } from "./blocking";
import { dispatch } from "./commands/dispatch.generated";
import { setCurrentDb, setNow, dirty, overMaxmemory, currentDb } from "./server";
import { admitCommand, makeRoomFor } from "./evict";
import { initDbs } from "./db";
import { setHashSeed } from "./hash";
import { seedRandom } from "./random";
import { propOn, propBeginCommand, propDone, propVerbatim } from "./propagate";

// ---- start-up -----------------------------------------------------------------------------------

/** Creates the databases; call once before anything else. Seeds make hashing unpredictable. */
export function init(databases: i32, hashSeed: u32, randomSeed: u32): void {
  setHashSeed(hashSeed);
  // Spread the 32-bit seed over the generator's 64-bit state (0 is not a valid state).
  seedRandom((<u64>randomSeed + 1) * 0x9e3779b97f4a7c15);
  initDbs(databases);
  // The I/O areas exist from the start, so INFO counts them as startup overhead, not as data.
  reserveTable(1);
  reserveData(1);
  reserveOutput(1);
}

// ---- batch execution -------------------------------------------------------------------------

let tableArea: usize = 0;
let tableCap: usize = 0;
let dataArea: usize = 0;
let dataCap: usize = 0;

/** Returns a table area of at least `bytes` bytes (reused between batches). */
export function reserveTable(bytes: usize): usize {
  if (bytes > tableCap) {
    if (tableArea != 0) free(tableArea);
    tableCap = bytes < 4096 ? 4096 : bytes;
    makeRoomFor(tableCap);
    tableArea = alloc(tableCap);
  }
  return tableArea;
}

/** Returns a data area of at least `bytes` bytes (reused between batches). */
export function reserveData(bytes: usize): usize {
  if (bytes > dataCap) {
    if (dataArea != 0) free(dataArea);
    dataCap = bytes < 16384 ? 16384 : bytes;
    makeRoomFor(dataCap);
    dataArea = alloc(dataCap);
  }
  return dataArea;
}

/** Commands the last exec() ran (fewer than asked when it stopped at its output budget). */
let executed: u32 = 0;

export function executedCount(): u32 {
  return executed;
}

/**
 * Executes `ncmds` commands described by the table at `table` (layout in ARCHITECTURE.md) in
 * database `db` for a client speaking RESP `proto`, at wall-clock time `nowMs`. Replies are
 * appended to the output buffer, which this call empties first; returns the bytes written.
 *
 * With a `budget` (0, also what a caller passing only six arguments gets, means none),
 * execution stops after the command whose replies take the output to `budget` bytes or more;
 * executedCount() says how many ran. A client that pipelines thousands of GETs of a big value
 * without reading would otherwise have the engine build gigabytes of replies at once; the host
 * runs the rest when the client has read what it was sent.
 */
export function exec(table: usize, ncmds: u32, data: usize, db: i32, proto: i32, nowMs: f64, budget: usize): usize {
  resetOutput();
  setProto(proto);
  setNow(<i64>nowMs);
  setCurrentDb(db);
  let rec = table;
  const limit: usize = budget == 0 ? <usize>-1 : budget;
  let i: u32 = 0;
  while (i < ncmds) {
    const id = load<u32>(rec);
    const argc = load<i32>(rec, 4);
    setCommand(rec + 16, argc, data);
    resetCommandFlags();
    propBeginCommand();
    const dirtyBefore = dirty;
    // maxmemory: evict before the command; refuse it (OOM) only if it may add data (evict.ts).
    if (!overMaxmemory(usedMemory()) || admitCommand(id)) dispatch(id);
    const changed = dirty != dirtyBefore;
    // A command that changed data is propagated as sent, unless it wrote its own form.
    if (changed && propOn && !propDone) propVerbatim(currentDb);
    store<u32>(rec, <u32>replyLen(), 8);
    store<u32>(rec, commandFlags | (changed ? CMD_DIRTY : 0), 12);
    rec += 16 + (<usize>argc << 3);
    i++;
    if (replyLen() >= limit) break;
  }
  executed = i;
  return replyLen();
}

export function outputPtr(): usize {
  return replyPtr();
}

export function outputLen(): usize {
  return replyLen();
}

// ---- cron and state the host reads or sets --------------------------------------------------------
export { activeExpireCycle } from "./expire";
export { setMaxmemory, resetStats, setHostMemory } from "./server";
export { performEvictions, evictIfNeeded, denyoomTable } from "./evict";
export { debugObject } from "./debugkey";
export { setProtoMaxBulkLen } from "./t_string";
export { setEngineConfig } from "./config";
export { setBlockingActive, readyKeysPtr, readyKeysLen, readyKeysReset } from "./blocking";
export { engineStat, dbKeys, dbVolatileKeys, dbAvgTtl, rehashStep } from "./stats";
export { rewriteBegin, rewriteStep, rewriteKeys } from "./aofrw";

// ---- allocator -------------------------------------------------------------------------------
export { usedMemory } from "./alloc";
export { alloc as memAlloc, free as memFree, realloc as memRealloc, usable as memUsable } from "./alloc";
export { tryAlloc as memTryAlloc } from "./alloc";
// Statistics for INFO memory / MEMORY STATS (byte totals are f64; layouts in alloc.ts).
export {
  peakMemory as memPeak,
  resetPeakMemory as memResetPeak,
  memoryBytes as memRssBytes,
  heapBytes as memHeapBytes,
  activeBytes as memActiveBytes,
  metaBytes as memMetaBytes,
  freePageBytes as memFreePageBytes,
  classStats as memClassStats,
  spanMap as memSpanMap,
} from "./alloc";
// Propagation of changes (assembly/propagate.ts, host/aof/) and AOF loading.
export {
  setPropagation, propagatedPtr, propagatedLen, propagatedReset, propagationForceSelect, propagateMulti,
} from "./propagate";
export { setLoading } from "./server";
// WATCH asks for a key's state without a lookup's side effects (assembly/watch.ts, host/multi.ts).
export { watchKeyState } from "./watch";
