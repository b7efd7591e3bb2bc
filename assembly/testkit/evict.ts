// Test hooks for eviction and LFU (lfu.ts, evict.ts).
import { lfuLogIncr, lfuDecayed } from "../lfu";
import { seedRandom } from "../random";
import { pendingGrowth } from "../server";
import { getDb } from "../db";
import { dictSlots } from "../dict";

/** Reseeds the engine's generator (deterministic LFU increments in tests). */
export function tkSeedRandom(seed: u32): void {
  seedRandom((<u64>seed + 1) * 0x9e3779b97f4a7c15);
}

/** The counter after `hits` accesses starting from `start`, each counted with the Morris probability. */
export function tkLfuAfterHits(start: u32, hits: u32): u32 {
  let c = start;
  for (let i: u32 = 0; i < hits; i++) c = lfuLogIncr(c);
  return c;
}

/** lfuDecayed of an LFU field (minutes << 8 | counter) at the engine's current clock. */
export function tkLfuDecayed(field: u32): u32 {
  return lfuDecayed(field);
}

/** Bytes eviction keeps free for the doubling of full volatile-key arrays (server.ts). */
export function tkPendingGrowth(): u32 {
  return <u32>pendingGrowth;
}

/** Capacity of database `db`'s volatile-key array. */
export function tkVolCap(db: i32): u32 {
  return getDb(db).volCap;
}

/** Bucket count of database `db`'s keyspace table (both tables while rehashing). */
export function tkDbSlots(db: i32): u32 {
  return dictSlots(getDb(db).dict);
}
