// Numbers the host reads for INFO and MEMORY: one export per kind keeps the boundary small.
import { keyspaceHits, keyspaceMisses, expiredKeys, evictedKeys, dirty } from "./server";
import { getDb, dbCount } from "./db";
import { dictSize, dictRehash, dictIsRehashing, dictShrinkIfNeeded } from "./dict";
import { usedMemory } from "./alloc";

export const STAT_KEYSPACE_HITS: i32 = 0;
export const STAT_KEYSPACE_MISSES: i32 = 1;
export const STAT_EXPIRED_KEYS: i32 = 2;
export const STAT_EVICTED_KEYS: i32 = 3;
export const STAT_DIRTY: i32 = 4;
export const STAT_USED_MEMORY: i32 = 5;

/** A counter by number (see STAT_*; the host mirrors the numbering). */
export function engineStat(which: i32): f64 {
  switch (which) {
    case STAT_KEYSPACE_HITS: return <f64>keyspaceHits;
    case STAT_KEYSPACE_MISSES: return <f64>keyspaceMisses;
    case STAT_EXPIRED_KEYS: return <f64>expiredKeys;
    case STAT_EVICTED_KEYS: return <f64>evictedKeys;
    case STAT_DIRTY: return <f64>dirty;
    case STAT_USED_MEMORY: return <f64>usedMemory();
  }
  return -1;
}

export function dbKeys(db: i32): u32 {
  return db < 0 || db >= dbCount ? 0 : dictSize(getDb(db).dict);
}

export function dbVolatileKeys(db: i32): u32 {
  return db < 0 || db >= dbCount ? 0 : getDb(db).volLen;
}

export function dbAvgTtl(db: i32): f64 {
  return db < 0 || db >= dbCount ? 0 : getDb(db).avgTtl;
}

/**
 * Background table maintenance from the cron (Redis's activerehashing and tryResizeHashTables):
 * shrinks tables that emptied out and moves `steps` buckets of each table being rehashed.
 * Returns 1 when some table is still rehashing.
 */
export function rehashStep(steps: i32): i32 {
  let busy = 0;
  for (let i = 0; i < dbCount; i++) {
    const d = getDb(i).dict;
    dictShrinkIfNeeded(d);
    if (dictIsRehashing(d) && dictRehash(d, steps)) busy = 1;
  }
  return busy;
}
