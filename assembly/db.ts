// The 16 (by default) databases: each a dict of keyspace entries plus an array of the entries that
// carry a TTL ("volatile" keys), which active expiry and the volatile-* eviction policies sample.
//
// Expired keys are deleted lazily by every lookup (a key past its time is never returned) and
// actively by expire.ts. Handlers follow one pattern:
//
//   const link = dbFindLink(db, key, klen)   // 0 when absent or just expired
//   ... inspect load<u32>(link) ...
//   dbReplaceAt / dbDeleteAt / dbAddNew       // using the link right away
//
// A link stays valid only until the next call into the db or dict modules.
import { alloc, free, realloc } from "./alloc";
import { Dict, dictCreate, dictFindLink, dictHashKey, dictAdd, dictUnlinkAt, dictReplaceAt, dictSize, dictEmpty, KIND_KEYSPACE } from "./dict";
import { entryHasTtl, entryExpireAt, entryVolIdx, setEntryVolIdx, freeEntry, setEntryLru, entryLru } from "./object";
import { entryType, entryKeyPtr, entryKeyLen, OBJ_LIST, OBJ_ZSET } from "./object";
import { signalKeyAsReady } from "./blocking";
import { now, lruClock, hit, miss, countExpired, lfuMode, addPendingGrowth, loading } from "./server";
import { propOn, propDel } from "./propagate";
import { lfuTouch } from "./lfu";

@unmanaged
export class Db {
  dict: Dict;
  vol: usize; // u32 entry pointers of keys with a TTL
  volLen: u32;
  volCap: u32;
  avgTtl: f64; // running estimate, as Redis keeps it, for INFO keyspace
  id: i32;
}

let dbTable: usize = 0;
export let dbCount: i32 = 0;

/** Creates `n` empty databases (once, at start). */
export function initDbs(n: i32): void {
  dbCount = n;
  dbTable = alloc(<usize>n << 2);
  for (let i = 0; i < n; i++) {
    const db = changetype<Db>(alloc(offsetof<Db>()));
    db.dict = dictCreate(KIND_KEYSPACE);
    db.vol = 0;
    db.volLen = 0;
    db.volCap = 0;
    db.avgTtl = 0;
    db.id = i;
    store<u32>(dbTable + (<usize>i << 2), <u32>changetype<usize>(db));
  }
}

// @ts-ignore: decorator
@inline
export function getDb(i: i32): Db {
  return changetype<Db>(<usize>load<u32>(dbTable + (<usize>i << 2)));
}

/** Exchanges the contents of two databases (SWAPDB): clients keep their index, see the other data. */
export function swapDbs(a: i32, b: i32): void {
  const pa = load<u32>(dbTable + (<usize>a << 2));
  const pb = load<u32>(dbTable + (<usize>b << 2));
  store<u32>(dbTable + (<usize>a << 2), pb);
  store<u32>(dbTable + (<usize>b << 2), pa);
  changetype<Db>(<usize>pa).id = b;
  changetype<Db>(<usize>pb).id = a;
}

// ---- volatile keys ---------------------------------------------------------------------------

/** Bytes the volatile-key array of `db` will take after its next growth. */
export function volGrownBytes(db: Db): usize {
  return <usize>(db.volCap == 0 ? 16 : db.volCap * 2) << 2;
}

// A full array doubles on the next key given a TTL: realloc needs old + new size for a moment,
// which under maxmemory is a spike of up to megabytes inside a command. So whenever an array is
// full its growth is announced (server.ts pendingGrowth) and eviction grows it ahead of time.

// @ts-ignore: decorator
@inline
function volFull(db: Db): bool {
  return db.volCap != 0 && db.volLen == db.volCap;
}

/** Doubles the volatile-key array (eviction calls this ahead of need, see evict.ts). */
export function volGrow(db: Db): void {
  if (volFull(db)) addPendingGrowth(-<isize>volGrownBytes(db));
  const cap: u32 = db.volCap == 0 ? 16 : db.volCap * 2;
  db.vol = db.vol == 0 ? alloc(<usize>cap << 2) : realloc(db.vol, <usize>cap << 2);
  db.volCap = cap;
}

export function volAdd(db: Db, e: usize): void {
  if (db.volLen == db.volCap) volGrow(db);
  store<u32>(db.vol + (<usize>db.volLen << 2), <u32>e);
  setEntryVolIdx(e, db.volLen);
  db.volLen++;
  if (db.volLen == db.volCap) addPendingGrowth(<isize>volGrownBytes(db));
}

export function volRemove(db: Db, e: usize): void {
  if (volFull(db)) addPendingGrowth(-<isize>volGrownBytes(db));
  const idx = entryVolIdx(e);
  const lastIdx = db.volLen - 1;
  if (idx != lastIdx) {
    const last = <usize>load<u32>(db.vol + (<usize>lastIdx << 2));
    store<u32>(db.vol + (<usize>idx << 2), <u32>last);
    setEntryVolIdx(last, idx);
  }
  db.volLen = lastIdx;
  // Give memory back when the array is mostly empty (after a mass expiry).
  if (db.volCap > 64 && db.volLen < db.volCap / 4) {
    db.volCap /= 2;
    db.vol = realloc(db.vol, <usize>db.volCap << 2);
  }
}

/** The i-th key with a TTL (for sampling). */
// @ts-ignore: decorator
@inline
export function volEntry(db: Db, i: u32): usize {
  return <usize>load<u32>(db.vol + (<usize>i << 2));
}

// ---- lookups -----------------------------------------------------------------------------------

/** Hash of the key of the last dbFindLink call (for dbAddNew after a miss). */
export let lastHash: u32 = 0;

// @ts-ignore: decorator
@inline
export function isExpired(e: usize): bool {
  return entryHasTtl(e) && now > entryExpireAt(e) && !loading;
}

/**
 * Link to the live entry with this key, or 0. An expired entry found on the way is deleted
 * (lazy expiry) and counted. Remembers the key's hash in lastHash.
 */
export function dbFindLink(db: Db, key: usize, klen: usize): usize {
  const h = dictHashKey(key, klen);
  lastHash = h;
  const link = dictFindLink(db.dict, h, key, klen);
  if (link == 0) return 0;
  const e = <usize>load<u32>(link);
  if (isExpired(e)) {
    dbDeleteImplicit(db, link);
    countExpired();
    return 0;
  }
  return link;
}

/**
 * Records an access to `e` in its LRU/LFU field: the LRU clock, or under an LFU policy a
 * (probabilistic) count. Every lookup that Redis would let "touch" the key goes through here.
 */
// @ts-ignore: decorator
@inline
export function touchEntry(e: usize): void {
  if (lfuMode) lfuTouch(e);
  else setEntryLru(e, lruClock);
}

/** The live entry for a read: counts a hit or a miss and refreshes the LRU clock. */
export function lookupRead(db: Db, key: usize, klen: usize): usize {
  const link = dbFindLink(db, key, klen);
  if (link == 0) {
    miss();
    return 0;
  }
  hit();
  const e = <usize>load<u32>(link);
  touchEntry(e);
  return e;
}

/** The live entry for a write (no hit/miss counting), or 0. */
export function lookupWriteLink(db: Db, key: usize, klen: usize): usize {
  const link = dbFindLink(db, key, klen);
  if (link != 0) touchEntry(<usize>load<u32>(link));
  return link;
}

// ---- changes -----------------------------------------------------------------------------------

/** Adds an entry whose key is absent; `hash` is the key's hash (lastHash after a failed find). */
export function dbAddNew(db: Db, e: usize, hash: u32): void {
  dictAdd(db.dict, e, hash);
  if (entryHasTtl(e)) volAdd(db, e);
  // A new list or sorted set may be what a blocked client waits for (BLPOP, BZPOPMIN…), however
  // it came to be: a push, RENAME, MOVE, COPY, a *STORE.
  const type = entryType(e);
  if (type == OBJ_LIST || type == OBJ_ZSET) signalKeyAsReady(db.id, entryKeyPtr(e), entryKeyLen(e));
}

/**
 * Puts `n` in place of the entry `*link` points at (same key) and frees the old block with
 * `freeOld` semantics: when `freeOldValue` the old value goes too, else only its block (the value
 * moved to `n`).
 */
export function dbReplaceAt(db: Db, link: usize, n: usize, freeOldValue: bool): void {
  const old = <usize>load<u32>(link);
  const oldTtl = entryHasTtl(old);
  const newTtl = entryHasTtl(n);
  if (oldTtl && newTtl) {
    const idx = entryVolIdx(old);
    store<u32>(db.vol + (<usize>idx << 2), <u32>n);
    setEntryVolIdx(n, idx);
  } else if (oldTtl) {
    volRemove(db, old);
  } else if (newTtl) {
    volAdd(db, n);
  }
  // A new value under the same key keeps the key's access frequency (Redis's dbOverwrite).
  if (lfuMode) setEntryLru(n, entryLru(old));
  dictReplaceAt(link, n);
  if (freeOldValue) freeEntry(old);
  else free(old);
}

/** Unlinks and frees the entry `*link` points at. */
export function dbDeleteAt(db: Db, link: usize): void {
  const e = dictUnlinkAt(db.dict, link);
  if (entryHasTtl(e)) volRemove(db, e);
  freeEntry(e);
}

/**
 * Deletes a key the server removes on its own (it expired, or was evicted): propagated as DEL,
 * since a replay would not find the same keys expired or evicted at the same moment.
 */
export function dbDeleteImplicit(db: Db, link: usize): void {
  if (propOn) {
    const e = <usize>load<u32>(link);
    propDel(db.id, entryKeyPtr(e), entryKeyLen(e));
  }
  dbDeleteAt(db, link);
}

/** Unlinks the entry (keeping it alive, e.g. for MOVE/RENAME) and returns it. */
export function dbUnlinkAt(db: Db, link: usize): usize {
  const e = dictUnlinkAt(db.dict, link);
  if (entryHasTtl(e)) volRemove(db, e);
  return e;
}

/** Deletes a key; true when it existed (and was live). */
export function dbDelete(db: Db, key: usize, klen: usize): bool {
  const link = dbFindLink(db, key, klen);
  if (link == 0) return false;
  dbDeleteAt(db, link);
  return true;
}

export function dbSize(db: Db): u32 {
  return dictSize(db.dict);
}

/** Removes every key of a database; returns how many there were. */
export function dbEmpty(db: Db): u32 {
  const n = dictSize(db.dict);
  dictEmpty(db.dict, (e: usize): void => freeEntry(e));
  if (volFull(db)) addPendingGrowth(-<isize>volGrownBytes(db));
  if (db.vol != 0) free(db.vol);
  db.vol = 0;
  db.volLen = 0;
  db.volCap = 0;
  db.avgTtl = 0;
  return n;
}
