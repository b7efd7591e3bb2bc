// Eviction: keeping used memory under maxmemory by deleting keys the policy picks.
//
// When it runs. Before every command (exec in index.ts, and the host before its own commands),
// one compare: used memory above maxmemory? Only then performEvictions() deletes keys until it
// is not. If nothing can be deleted (noeviction, or a volatile-* policy with no key carrying a
// TTL), a command flagged denyoom in the command table is refused with the OOM error; every
// other command (reads, DEL, EXPIRE…) still runs, since it cannot make things worse or it frees
// memory. A write therefore lands on a server that is at most at the limit, and the limit is
// exceeded by at most what one command allocates: the flood tests hold a 20 MB cap to ~100 bytes.
// Two allocations could have broken that promise because they are large and happen inside a
// command after the check: doubling the keyspace table (dict.ts refuses it near the limit, as
// Redis does) and doubling a database's array of volatile keys (grown here, ahead of need, after
// evicting enough to pay for it).
//
// Which key. Exact LRU would need every key ordered by access time: a list threaded through all
// entries, two pointers each, moved on every read. Redis instead approximates, and so do we:
//
//   - every entry carries a 24-bit field stamped on access (db.ts touchEntry): the LRU clock in
//     seconds, or under LFU policies a minutes stamp and a logarithmic counter (lfu.ts);
//   - a round samples maxmemory-samples keys (5) from each database (consecutive hash buckets
//     from a random start for allkeys-*, random slots of the volatile-key array for volatile-*)
//     and scores them: "idle" is seconds since last access (LRU), 255 minus the decayed counter
//     (LFU), or the distance to u64 max from the expiry time (volatile-ttl: sooner is worse);
//   - the scored samples compete for the 16 places of the eviction pool, kept sorted by score
//     and kept across rounds and across commands. A sample enters only if it beats the pool's
//     worst candidate or there is room; the best one (the pool's right end) is evicted.
//
// The pool is what makes five samples per round good: a key has to be the worst of a handful
// only to be considered, but it is evicted only when it is the worst of everything sampled
// recently. Candidates are remembered by name (the entry may have been freed or replaced since),
// so popping one looks it up again; a name that is gone is a ghost and is simply dropped. Scores
// in the pool are not refreshed: a candidate read after being pooled may still be evicted — the
// approximation Redis makes too, harmless since the pool turns over quickly.
//
// The random policies pick one random key (from all keys or from the volatile ones) of the next
// non-empty database, round robin. simple-first, ours, takes the next key in table order from a
// cursor per database: no scoring at all, a baseline for the LRU benchmark.
import { alloc, free, usedMemory } from "./alloc";
import {
  maxmemory, maxmemoryPolicy, overMaxmemory, lruClock, countEvicted, pendingGrowth, dataLimit,
  POLICY_NOEVICTION, POLICY_ALLKEYS_LRU, POLICY_VOLATILE_LRU, POLICY_ALLKEYS_LFU, POLICY_VOLATILE_LFU,
  POLICY_ALLKEYS_RANDOM, POLICY_VOLATILE_RANDOM, POLICY_VOLATILE_TTL, POLICY_SIMPLE_FIRST,
} from "./server";
import { maxmemorySamples } from "./config";
import { Db, getDb, dbCount, volEntry, dbDeleteImplicit, volGrow, volGrownBytes } from "./db";
import { dictSample, dictScanStep, dictFindLink, dictHashKey, dictRandomEntry, dictSize, scanEntry, scanFound, scanReset } from "./dict";
import { entryLru, entryHasTtl, entryExpireAt, entryKeyPtr, entryKeyLen } from "./object";
import { lfuDecayed } from "./lfu";
import { randomBelow } from "./random";
import { addReplyErrorCode } from "./reply";

export const EVICT_OK: i32 = 0;
export const EVICT_FAIL: i32 = 1;

// ---- the pool -------------------------------------------------------------------------------------
// 16 records of 24 bytes, sorted by score ascending; empty ones (key 0) only at the right end.
//   0 u64 score | 8 u32 key | 12 u32 key length | 16 i32 db | 20 u32 cache
// Keys up to 255 bytes are copied into the record's 256-byte cache buffer (no allocation per
// candidate); longer ones get their own block. Shifting records moves the cache pointers with
// them, and the record that is dropped hands its buffer to the slot being filled.
const POOL_SIZE: i32 = 16;
const REC: usize = 24;
const CACHE: usize = 256;
const pool: usize = memory.data(384); // POOL_SIZE * REC
const cacheArea: usize = memory.data(4096); // POOL_SIZE * CACHE
let poolReady = false;

// @ts-ignore: decorator
@inline
function rec(i: i32): usize {
  return pool + <usize>i * REC;
}

function poolInit(): void {
  for (let i = 0; i < POOL_SIZE; i++) {
    const r = rec(i);
    store<u64>(r, 0);
    store<u32>(r, 0, 8);
    store<u32>(r, 0, 12);
    store<i32>(r, 0, 16);
    store<u32>(r, <u32>(cacheArea + <usize>i * CACHE), 20);
  }
  poolReady = true;
}

/** Frees a record's key if it has its own block, and marks the record empty. */
function poolClear(r: usize): void {
  const key = <usize>load<u32>(r, 8);
  if (key != 0 && key != <usize>load<u32>(r, 20)) free(key);
  store<u32>(r, 0, 8);
}

/** Offers a sampled entry with score `score` from database `dbid` to the pool. */
function poolInsert(score: u64, e: usize, dbid: i32): void {
  let k = 0;
  while (k < POOL_SIZE && load<u32>(rec(k), 8) != 0 && load<u64>(rec(k)) < score) k++;
  const lastFull = load<u32>(rec(POOL_SIZE - 1), 8) != 0;
  if (k == 0 && lastFull) return; // worse than every candidate, and no room
  if (k < POOL_SIZE && load<u32>(rec(k), 8) == 0) {
    // An empty slot right here.
  } else if (!lastFull) {
    // Room at the end: shift [k, 15) one to the right; slot k takes the last slot's buffer.
    const spare = load<u32>(rec(POOL_SIZE - 1), 20);
    memory.copy(rec(k + 1), rec(k), <usize>(POOL_SIZE - 1 - k) * REC);
    store<u32>(rec(k), spare, 20);
  } else {
    // Full: drop the worst candidate (slot 0), shift (0, k) left, insert at k - 1.
    k--;
    poolClear(rec(0));
    const spare = load<u32>(rec(0), 20);
    memory.copy(rec(0), rec(1), <usize>k * REC);
    store<u32>(rec(k), spare, 20);
  }
  const r = rec(k);
  const klen = entryKeyLen(e);
  let key = <usize>load<u32>(r, 20);
  if (klen > CACHE) key = alloc(klen);
  memory.copy(key, entryKeyPtr(e), klen);
  store<u64>(r, score);
  store<u32>(r, <u32>key, 8);
  store<u32>(r, <u32>klen, 12);
  store<i32>(r, dbid, 16);
}

/** Forgets every candidate (FLUSHALL and friends may call this; stale names are harmless anyway). */
export function evictionPoolReset(): void {
  if (!poolReady) return;
  for (let i = 0; i < POOL_SIZE; i++) poolClear(rec(i));
}

/** The policy's score of an entry: higher is evicted first. */
function score(e: usize, policy: i32): u64 {
  if (policy == POLICY_ALLKEYS_LRU || policy == POLICY_VOLATILE_LRU) {
    const lru = entryLru(e);
    const clock = lruClock;
    return <u64>(clock >= lru ? clock - lru : clock + (0xffffff - lru));
  }
  if (policy == POLICY_ALLKEYS_LFU || policy == POLICY_VOLATILE_LFU) {
    return <u64>(255 - lfuDecayed(entryLru(e)));
  }
  // volatile-ttl: the sooner it expires, the better a candidate.
  return u64.MAX_VALUE - <u64>entryExpireAt(e);
}

/** Samples one database into the pool. */
function poolPopulate(db: Db, dbid: i32, policy: i32, volatileOnly: bool): void {
  const want = <u32>maxmemorySamples;
  if (volatileOnly) {
    const n = db.volLen;
    if (n <= want) {
      for (let i: u32 = 0; i < n; i++) {
        const e = volEntry(db, i);
        poolInsert(score(e, policy), e, dbid);
      }
    } else {
      for (let i: u32 = 0; i < want; i++) {
        const e = volEntry(db, randomBelow(n));
        poolInsert(score(e, policy), e, dbid);
      }
    }
    return;
  }
  const n = dictSample(db.dict, want);
  for (let i: usize = 0; i < n; i++) {
    const e = scanEntry(i);
    poolInsert(score(e, policy), e, dbid);
  }
}

/** Deletes the best pooled candidate that still exists; false when the pool held only ghosts. */
function evictFromPool(volatileOnly: bool): bool {
  for (let k = POOL_SIZE - 1; k >= 0; k--) {
    const r = rec(k);
    const key = <usize>load<u32>(r, 8);
    if (key == 0) continue;
    const klen = <usize>load<u32>(r, 12);
    const dbid = load<i32>(r, 16);
    let link: usize = 0;
    if (dbid < dbCount) link = dictFindLink(getDb(dbid).dict, dictHashKey(key, klen), key, klen);
    poolClear(r);
    if (link == 0) continue;
    if (volatileOnly && !entryHasTtl(<usize>load<u32>(link))) continue;
    dbDeleteImplicit(getDb(dbid), link);
    return true;
  }
  return false;
}

/** One key evicted by a pool policy; false when no database has a candidate. */
function evictPooled(policy: i32): bool {
  if (!poolReady) poolInit();
  const volatileOnly = policy == POLICY_VOLATILE_LRU || policy == POLICY_VOLATILE_LFU || policy == POLICY_VOLATILE_TTL;
  for (;;) {
    let total: u64 = 0;
    for (let i = 0; i < dbCount; i++) {
      const db = getDb(i);
      const keys = volatileOnly ? db.volLen : dictSize(db.dict);
      if (keys == 0) continue;
      total += keys;
      poolPopulate(db, i, policy, volatileOnly);
    }
    if (total == 0) return false;
    if (evictFromPool(volatileOnly)) return true;
  }
  return false; // not reached: the loop ends by returning
}

let nextDb: i32 = 0;

/** One random key of the next database that has one (round robin, as Redis does). */
function evictRandom(volatileOnly: bool): bool {
  for (let i = 0; i < dbCount; i++) {
    nextDb = (nextDb + 1) % dbCount;
    const db = getDb(nextDb);
    let e: usize = 0;
    if (volatileOnly) {
      if (db.volLen == 0) continue;
      e = volEntry(db, randomBelow(db.volLen));
    } else {
      if (dictSize(db.dict) == 0) continue;
      e = dictRandomEntry(db.dict);
      if (e == 0) continue;
    }
    deleteEntry(db, e);
    return true;
  }
  return false;
}

/** Per-database scan cursors of simple-first (u32 each, allocated on first use). */
let firstCursors: usize = 0;

function evictFirst(): bool {
  if (firstCursors == 0) {
    firstCursors = alloc(<usize>dbCount << 2);
    memory.fill(firstCursors, 0, <usize>dbCount << 2);
  }
  for (let i = 0; i < dbCount; i++) {
    const db = getDb(i);
    if (dictSize(db.dict) == 0) continue;
    const slot = firstCursors + (<usize>i << 2);
    let cursor = load<u32>(slot);
    // A non-empty table yields a key within one full pass of the cursor.
    let wrapped = false;
    for (;;) {
      scanReset();
      const next = dictScanStep(db.dict, cursor);
      if (scanFound != 0) {
        // Stay on this bucket: whatever else it holds comes next.
        store<u32>(slot, cursor);
        deleteEntry(db, scanEntry(0));
        return true;
      }
      cursor = next;
      if (cursor == 0) {
        if (wrapped) break;
        wrapped = true;
      }
    }
    store<u32>(slot, 0);
  }
  return false;
}

/** Deletes an entry found by sampling (the link is found again through its key). */
function deleteEntry(db: Db, e: usize): void {
  const key = entryKeyPtr(e);
  const klen = entryKeyLen(e);
  const link = dictFindLink(db.dict, dictHashKey(key, klen), key, klen);
  assert(link != 0 && <usize>load<u32>(link) == e);
  dbDeleteImplicit(db, link);
}

/** Evicts one key by the current policy; false when the policy finds none. */
function evictOne(policy: i32): bool {
  if (policy == POLICY_ALLKEYS_RANDOM) return evictRandom(false);
  if (policy == POLICY_VOLATILE_RANDOM) return evictRandom(true);
  if (policy == POLICY_SIMPLE_FIRST) return evictFirst();
  return evictPooled(policy);
}

/** Evicts until used memory is at most `target`; false when the policy ran out of keys. */
function evictDownTo(target: u64, policy: i32): bool {
  while (<u64>usedMemory() > target) {
    if (!evictOne(policy)) return false;
    countEvicted();
  }
  return true;
}

/**
 * Deletes keys by maxmemory-policy until used memory is at most maxmemory less the clients'
 * buffers (dataLimit). Returns EVICT_OK, or
 * EVICT_FAIL when it is still above (noeviction, or no key the policy may delete).
 */
export function performEvictions(): i32 {
  if (!overMaxmemory(usedMemory())) return EVICT_OK;
  const policy = maxmemoryPolicy;
  const limit = dataLimit();
  const fail = <u64>usedMemory() > limit ? EVICT_FAIL : EVICT_OK;
  if (policy == POLICY_NOEVICTION) return fail;
  if (!evictDownTo(limit, policy)) return EVICT_FAIL;
  // A full volatile-key array would double inside the next command that sets a TTL: do it now,
  // after freeing what it costs, so that the limit holds across that command too.
  for (let i = 0; i < dbCount && pendingGrowth != 0; i++) {
    const db = getDb(i);
    if (db.volCap == 0 || db.volLen < db.volCap) continue;
    const grow = <u64>volGrownBytes(db);
    if (grow >= limit) continue;
    if (!evictDownTo(limit - grow, policy)) break;
    // Grown even if the evictions just emptied some slots: otherwise the next fill-up would
    // pay for the same room again, and again.
    volGrow(db);
  }
  return EVICT_OK;
}

/**
 * Before an allocation of `bytes` more that does not belong to any command (the engine's
 * argument areas growing for a bigger read): evicts first, if the policy allows, so that the
 * allocation does not take memory over the limit even for a moment.
 */
export function makeRoomFor(bytes: usize): void {
  // What the block will really take: a size class or whole pages, never more than the next page.
  bytes = (bytes + 4095) & ~<usize>4095;
  const limit = dataLimit();
  if (maxmemory == 0 || <u64>usedMemory() + <u64>bytes <= limit) return;
  const policy = maxmemoryPolicy;
  if (policy == POLICY_NOEVICTION || <u64>bytes >= limit) return;
  evictDownTo(limit - <u64>bytes, policy);
}

/** For the host, before commands it runs itself: 0 fine, 1 over the limit with nothing to evict. */
export function evictIfNeeded(): i32 {
  return overMaxmemory(usedMemory()) ? performEvictions() : EVICT_OK;
}

// ---- which commands are refused ---------------------------------------------------------------
// The engine does not carry command flags; the host marks the ids flagged denyoom once at start
// in a byte table (denyoomTable), read here when eviction fails.

let oomTable: usize = 0;
let oomTableLen: u32 = 0;

/** A zeroed byte per command id for the host to set (1 = denyoom). Call once at start. */
export function denyoomTable(n: u32): usize {
  if (oomTable != 0) free(oomTable);
  oomTable = alloc(n < 1 ? 1 : n);
  memory.fill(oomTable, 0, n);
  oomTableLen = n;
  return oomTable;
}

/**
 * Called by exec before command `id` when memory is over the limit: evicts, and when that
 * cannot get under the limit refuses a denyoom command with the OOM error. True: run it.
 */
export function admitCommand(id: u32): bool {
  if (performEvictions() == EVICT_OK) return true;
  if (id >= oomTableLen || load<u8>(oomTable + <usize>id) == 0) return true;
  addReplyErrorCode("OOM command not allowed when used memory > 'maxmemory'.");
  return false;
}
