// Hash table over raw memory: chained buckets, power-of-two sizes, incremental rehashing.
//
// One table layout serves the keyspace now and the large forms of sets and hashes later. The table
// never owns the layout of its entries; it only needs two things from an entry:
//
//   entry + 0  u32 next     the next entry in the same bucket (0 ends the chain)
//   keyBlob(kind, entry)    where the entry's key starts, as a length-prefixed blob (see blob.ts)
//
// Growing and shrinking move entries from table 0 to table 1 a few buckets at a time: every lookup,
// insert and delete moves one bucket (and the host's cron moves more), so no single command pays
// for rehashing a million keys. While rehashing, lookups check both tables and inserts go to
// table 1. When table 0 is empty, table 1 becomes table 0.
//
// SCAN uses Redis's reverse-binary cursor: the cursor's bits are incremented from the most
// significant end, so a bucket's "descendants" in a table twice as large are visited right after
// it. That is what guarantees that an element present for the whole scan is returned at least once
// even when the table grows or shrinks between calls (it may be returned twice).
//
// Links: dictFindLink returns the address of the u32 that points at the entry (a bucket slot or the
// previous entry's next field), so callers can replace or unlink an entry without a second lookup.
// A link is valid only until the next call into this module.
import { alloc, free, usedMemory } from "./alloc";
import { overMaxmemory } from "./server";
import { hashBytes } from "./hash";
import { blobLen, blobData } from "./blob";
import { randomBelow, randomU64 } from "./random";
import { keyspaceKeyBlob } from "./object";

/** Entry layouts known to the table. */
export const KIND_KEYSPACE: u32 = 0;
/** Entries whose key blob starts right after the next pointer (set members, hash fields). */
export const KIND_PLAIN: u32 = 1;

const INITIAL_EXP: i32 = 2; // 4 buckets
const MIN_FILL_PERCENT: u64 = 10;
const FORCE_RESIZE_RATIO: u32 = 5;

@unmanaged
export class Dict {
  t0: usize;
  exp0: i32; // log2 of table 0's size; -1 when it has no table
  used0: u32;
  t1: usize;
  exp1: i32;
  used1: u32;
  rehashidx: i32; // next bucket of table 0 to move; -1 when not rehashing
  kind: u32;
  pauseRehash: i32; // > 0 while an iteration must not see entries move
}

/** Whether tables may grow at the normal load factor (Redis turns this off during a fork). */
let resizeAllowed = true;

export function setResizeAllowed(on: bool): void {
  resizeAllowed = on;
}

// @ts-ignore: decorator
@inline
function sizeOf(exp: i32): u32 {
  return exp < 0 ? 0 : (<u32>1) << exp;
}

// @ts-ignore: decorator
@inline
export function keyBlob(kind: u32, e: usize): usize {
  return kind == KIND_KEYSPACE ? keyspaceKeyBlob(e) : e + 4;
}

// @ts-ignore: decorator
@inline
function entryHash(kind: u32, e: usize): u32 {
  const b = keyBlob(kind, e);
  return hashBytes(blobData(b), blobLen(b));
}

/** Forgets both tables (their memory is the caller's business). */
function clearTables(d: Dict): void {
  d.t0 = 0;
  d.exp0 = -1;
  d.used0 = 0;
  d.t1 = 0;
  d.exp1 = -1;
  d.used1 = 0;
  d.rehashidx = -1;
}

export function dictCreate(kind: u32): Dict {
  const d = changetype<Dict>(alloc(offsetof<Dict>()));
  clearTables(d);
  d.kind = kind;
  d.pauseRehash = 0;
  return d;
}

export function dictSize(d: Dict): u32 {
  return d.used0 + d.used1;
}

export function dictSlots(d: Dict): u32 {
  return sizeOf(d.exp0) + sizeOf(d.exp1);
}

export function dictIsRehashing(d: Dict): bool {
  return d.rehashidx >= 0;
}

function newTable(exp: i32): usize {
  const bytes = (<usize>1 << <usize>exp) << 2;
  const t = alloc(bytes);
  memory.fill(t, 0, bytes);
  return t;
}

/** Smallest exponent whose table holds `n` entries at load factor 1 (at least the initial size). */
function expFor(n: u64): i32 {
  let e = INITIAL_EXP;
  while (e < 32 && (<u64>1 << <u64>e) < n) e++;
  return e;
}

/** Starts resizing to fit `n` entries. Returns false when no resize is needed or possible. */
function resizeTo(d: Dict, n: u64): bool {
  if (d.rehashidx >= 0) return false;
  const exp = expFor(n);
  if (exp > 31) return false; // u32 bucket indexes: 2^31 buckets is as far as we go
  if (d.exp0 < 0) {
    d.t0 = newTable(exp);
    d.exp0 = exp;
    return true;
  }
  if (exp == d.exp0) return false;
  d.t1 = newTable(exp);
  d.exp1 = exp;
  d.used1 = 0;
  d.rehashidx = 0;
  return true;
}

function expandIfNeeded(d: Dict): void {
  if (d.rehashidx >= 0) return;
  if (d.exp0 < 0) {
    resizeTo(d, 4);
    return;
  }
  const size = sizeOf(d.exp0);
  if (d.used0 >= size && (resizeAllowed || d.used0 / size > FORCE_RESIZE_RATIO)) {
    if (d.kind == KIND_KEYSPACE && !keyspaceGrowthAllowed(d.used0, size)) return;
    resizeTo(d, <u64>d.used0 + 1);
  }
}

/**
 * Under maxmemory, a keyspace table does not double when the new bucket array would not fit:
 * it would overshoot the limit by the whole array at once, and eviction would then throw out
 * that many bytes of keys to pay for buckets. Chains get longer instead, up to a load factor of
 * 1.618, past which lookups matter more than memory (Redis's rule for its keyspace dicts).
 */
function keyspaceGrowthAllowed(used: u32, size: u32): bool {
  if (<u64>used * 1000 > <u64>size * 1618) return true;
  return !overMaxmemory(usedMemory() + (<usize>size << 3));
}

/** Shrinks a mostly empty table (used below 10% of the slots). Called from the cron. */
export function dictShrinkIfNeeded(d: Dict): bool {
  if (d.rehashidx >= 0 || d.exp0 <= INITIAL_EXP || !resizeAllowed) return false;
  const size = sizeOf(d.exp0);
  if (<u64>d.used0 * 100 / <u64>size >= MIN_FILL_PERCENT) return false;
  return resizeTo(d, d.used0 < 4 ? 4 : d.used0);
}

/** Moves up to `n` buckets from table 0 to table 1. Returns true while more remain. */
export function dictRehash(d: Dict, n: i32): bool {
  if (d.rehashidx < 0) return false;
  const kind = d.kind;
  const size0 = sizeOf(d.exp0);
  const mask1 = sizeOf(d.exp1) - 1;
  let emptyVisits = n * 10;
  while (n-- > 0 && d.used0 != 0) {
    // Skip empty buckets, but not forever in one step.
    while (load<u32>(d.t0 + (<usize>d.rehashidx << 2)) == 0) {
      d.rehashidx++;
      if (--emptyVisits == 0) return true;
    }
    const slot = d.t0 + (<usize>d.rehashidx << 2);
    let e = <usize>load<u32>(slot);
    while (e != 0) {
      const next = <usize>load<u32>(e);
      const b = d.t1 + (<usize>(entryHash(kind, e) & mask1) << 2);
      store<u32>(e, load<u32>(b));
      store<u32>(b, <u32>e);
      d.used0--;
      d.used1++;
      e = next;
    }
    store<u32>(slot, 0);
    d.rehashidx++;
  }
  if (d.used0 == 0) {
    free(d.t0);
    d.t0 = d.t1;
    d.exp0 = d.exp1;
    d.used0 = d.used1;
    d.t1 = 0;
    d.exp1 = -1;
    d.used1 = 0;
    d.rehashidx = -1;
    return false;
  }
  if (<u32>d.rehashidx >= size0) unreachable();
  return true;
}

// @ts-ignore: decorator
@inline
function rehashStep(d: Dict): void {
  if (d.rehashidx >= 0 && d.pauseRehash == 0) dictRehash(d, 1);
}

// @ts-ignore: decorator
@inline
function keyMatches(kind: u32, e: usize, key: usize, klen: usize): bool {
  const b = keyBlob(kind, e);
  return blobLen(b) == klen && memory.compare(blobData(b), key, klen) == 0;
}

/** Hash of a key, for the *Hashed variants. */
// @ts-ignore: decorator
@inline
export function dictHashKey(key: usize, klen: usize): u32 {
  return hashBytes(key, klen);
}

/**
 * Address of the link (bucket slot or previous entry's `next`) that points at the entry with this
 * key, or 0. Valid until the next call into this module.
 */
export function dictFindLink(d: Dict, hash: u32, key: usize, klen: usize): usize {
  if (dictSize(d) == 0) return 0;
  rehashStep(d);
  const kind = d.kind;
  for (let table = 0; table < 2; table++) {
    const exp = table == 0 ? d.exp0 : d.exp1;
    if (exp < 0) break;
    const t = table == 0 ? d.t0 : d.t1;
    let link = t + (<usize>(hash & (sizeOf(exp) - 1)) << 2);
    let e = <usize>load<u32>(link);
    while (e != 0) {
      if (keyMatches(kind, e, key, klen)) return link;
      link = e;
      e = <usize>load<u32>(e);
    }
    if (d.rehashidx < 0) break;
  }
  return 0;
}

/** The entry with this key, or 0. */
export function dictFind(d: Dict, key: usize, klen: usize): usize {
  const link = dictFindLink(d, hashBytes(key, klen), key, klen);
  return link == 0 ? 0 : <usize>load<u32>(link);
}

/** Links a new entry whose key is known to be absent. */
export function dictAdd(d: Dict, e: usize, hash: u32): void {
  rehashStep(d);
  expandIfNeeded(d);
  if (d.rehashidx >= 0) {
    const b = d.t1 + (<usize>(hash & (sizeOf(d.exp1) - 1)) << 2);
    store<u32>(e, load<u32>(b));
    store<u32>(b, <u32>e);
    d.used1++;
  } else {
    const b = d.t0 + (<usize>(hash & (sizeOf(d.exp0) - 1)) << 2);
    store<u32>(e, load<u32>(b));
    store<u32>(b, <u32>e);
    d.used0++;
  }
}

/** Which table holds the entry a link points at: needed to keep the per-table counts right. */
function tableOfLink(d: Dict, link: usize): i32 {
  // A bucket slot lies inside a table; otherwise the link is an entry's next field. During a
  // rehash that entry may sit in either table (entries added meanwhile go to table 1 whatever
  // their old bucket), so look for it in its table-1 chain.
  if (d.exp1 >= 0 && link >= d.t1 && link < d.t1 + ((<usize>sizeOf(d.exp1)) << 2)) return 1;
  if (link >= d.t0 && link < d.t0 + ((<usize>sizeOf(d.exp0)) << 2)) return 0;
  if (d.rehashidx < 0) return 0;
  const h = entryHash(d.kind, link);
  let e = <usize>load<u32>(d.t1 + (<usize>(h & (sizeOf(d.exp1) - 1)) << 2));
  while (e != 0) {
    if (e == link) return 1;
    e = <usize>load<u32>(e);
  }
  return 0;
}

/** Unlinks the entry `*link` points at and returns it (the caller frees it). */
export function dictUnlinkAt(d: Dict, link: usize): usize {
  const e = <usize>load<u32>(link);
  if (tableOfLink(d, link) == 1) d.used1--;
  else d.used0--;
  store<u32>(link, load<u32>(e));
  return e;
}

/** Puts `e` where the entry `*link` points at was (same key; e.g. the entry was reallocated). */
export function dictReplaceAt(link: usize, e: usize): void {
  const old = <usize>load<u32>(link);
  store<u32>(e, load<u32>(old));
  store<u32>(link, <u32>e);
}

/** Removes every entry, calling `freeEntry` on each, and releases the tables. */
export function dictEmpty(d: Dict, freeEntry: (e: usize) => void): void {
  for (let table = 0; table < 2; table++) {
    const exp = table == 0 ? d.exp0 : d.exp1;
    if (exp < 0) continue;
    const t = table == 0 ? d.t0 : d.t1;
    const n = sizeOf(exp);
    for (let i: u32 = 0; i < n; i++) {
      let e = <usize>load<u32>(t + (<usize>i << 2));
      while (e != 0) {
        const next = <usize>load<u32>(e);
        freeEntry(e);
        e = next;
      }
    }
    free(t);
  }
  clearTables(d);
}

/** Frees the table header itself (after dictEmpty). */
export function dictRelease(d: Dict): void {
  free(changetype<usize>(d));
}

/** Bytes the table itself occupies (header and bucket arrays), for MEMORY USAGE/STATS. */
export function dictOverhead(d: Dict): usize {
  return offsetof<Dict>() + (<usize>dictSlots(d) << 2);
}

// ---- walking ---------------------------------------------------------------------------------

/**
 * A walk over every entry of both tables, bucket by bucket, for readers that leave the table alone
 * while they walk (replies, the types' free/dup/memory functions, the AOF rewrite of a snapshot).
 * It moves nothing and writes nothing in the table, so a rehash half done stays half done: the
 * buckets of table 0 already moved are empty and cost one load each. The state is the caller's,
 * in static memory, so walks can nest (the keyspace, and a hash inside it) and can pause between
 * calls as long as the table does not change meanwhile.
 */
@unmanaged
export class DictWalk {
  d: Dict;
  table: i32;
  idx: u32; // next bucket of `table`
  e: usize; // the entry returned last (its chain continues from it)
}

export function dictWalkStart(w: DictWalk, d: Dict): void {
  w.d = d;
  w.table = 0;
  w.idx = 0;
  w.e = 0;
}

/** The next entry, or 0 when all were seen. */
export function dictWalkNext(w: DictWalk): usize {
  if (w.e != 0) {
    const next = <usize>load<u32>(w.e);
    w.e = next;
    if (next != 0) return next;
  }
  const d = w.d;
  while (w.table < 2) {
    const exp = w.table == 0 ? d.exp0 : d.exp1;
    if (exp < 0 || w.idx >= sizeOf(exp)) {
      w.table++;
      w.idx = 0;
      continue;
    }
    const t = w.table == 0 ? d.t0 : d.t1;
    const e = <usize>load<u32>(t + (<usize>w.idx << 2));
    w.idx++;
    if (e != 0) {
      w.e = e;
      return e;
    }
  }
  return 0;
}

// ---- SCAN ------------------------------------------------------------------------------------

/** Entries found by the last dictScan call, and how many. */
export let scanFound: usize = 0;
let scanOut: usize = 0;
let scanOutCap: usize = 0;

function scanPush(e: usize): void {
  if (scanFound == scanOutCap) {
    const cap: usize = scanOutCap == 0 ? 64 : scanOutCap * 2;
    const p = alloc(cap << 2);
    if (scanOut != 0) {
      memory.copy(p, scanOut, scanFound << 2);
      free(scanOut);
    }
    scanOut = p;
    scanOutCap = cap;
  }
  store<u32>(scanOut + (scanFound << 2), <u32>e);
  scanFound++;
}

/** The i-th entry found by the last scan (valid until the next scan). */
export function scanEntry(i: usize): usize {
  return <usize>load<u32>(scanOut + (i << 2));
}

/** Resets the found list; callers scanning several steps call this once, then dictScanStep. */
export function scanReset(): void {
  scanFound = 0;
}

function emitBucket(t: usize, idx: u32): void {
  let e = <usize>load<u32>(t + (<usize>idx << 2));
  while (e != 0) {
    scanPush(e);
    e = <usize>load<u32>(e);
  }
}

function reverseBits(v: u32): u32 {
  v = bswap<u32>(v);
  v = ((v >> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  return v;
}

/** Increments the cursor's bits from the top: the next bucket in reverse-binary order. */
// @ts-ignore: decorator
@inline
function nextCursor(v: u32, mask: u32): u32 {
  v |= ~mask;
  v = reverseBits(v);
  v++;
  return reverseBits(v);
}

/**
 * Visits the bucket(s) for cursor `v`, appending their entries to the found list (not reset here),
 * and returns the next cursor (0 when the scan is complete).
 */
export function dictScanStep(d: Dict, v: u32): u32 {
  if (dictSize(d) == 0) return 0;
  d.pauseRehash++;
  if (d.rehashidx < 0) {
    const m0 = sizeOf(d.exp0) - 1;
    emitBucket(d.t0, v & m0);
    v = nextCursor(v, m0);
  } else {
    // Visit the small table's bucket, then every bucket of the large table that it expands to.
    let ts = d.t0, es = d.exp0, tl = d.t1, el = d.exp1;
    if (es > el) {
      ts = d.t1;
      es = d.exp1;
      tl = d.t0;
      el = d.exp0;
    }
    const m0 = sizeOf(es) - 1;
    const m1 = sizeOf(el) - 1;
    emitBucket(ts, v & m0);
    do {
      emitBucket(tl, v & m1);
      v = nextCursor(v, m1);
    } while ((v & (m0 ^ m1)) != 0);
  }
  d.pauseRehash--;
  return v;
}

// ---- sampling --------------------------------------------------------------------------------

/**
 * Collects up to `count` entries from consecutive buckets starting at a random one into the found
 * list (reset first). Cheap and good enough for eviction and active-expiry samples.
 */
export function dictSample(d: Dict, count: u32): usize {
  scanFound = 0;
  const size = dictSize(d);
  if (size == 0) return 0;
  if (count > size) count = size;
  let steps = count * 10;
  // Only table 1 has entries in the part of table 0 already moved.
  const m0 = sizeOf(d.exp0) - 1;
  const m1 = d.exp1 >= 0 ? sizeOf(d.exp1) - 1 : 0;
  const maxMask = m1 > m0 ? m1 : m0;
  let i = <u32>randomU64() & maxMask;
  while (scanFound < count && steps-- > 0) {
    for (let table = 0; table < 2; table++) {
      const exp = table == 0 ? d.exp0 : d.exp1;
      if (exp < 0) break;
      if (table == 0 && d.rehashidx >= 0 && (i & m0) < <u32>d.rehashidx) continue;
      const t = table == 0 ? d.t0 : d.t1;
      const m = table == 0 ? m0 : m1;
      let e = <usize>load<u32>(t + (<usize>(i & m) << 2));
      while (e != 0 && scanFound < count) {
        scanPush(e);
        e = <usize>load<u32>(e);
      }
      if (d.rehashidx < 0) break;
    }
    i = (i + 1) & maxMask;
  }
  return scanFound;
}

/** A random entry, close to uniform: a random pick among a sample of consecutive buckets. */
export function dictRandomEntry(d: Dict): usize {
  const n = dictSample(d, 20);
  if (n != 0) return scanEntry(randomBelow(<u32>n));
  if (dictSize(d) == 0) return 0;
  // A table emptied by many deletes (not shrunk yet) can have long runs of empty buckets that a
  // bounded sample misses: probe random buckets until one has entries (Redis's dictGetRandomKey),
  // then pick in its chain. Buckets of table 0 already moved to table 1 are skipped.
  const size0: u32 = sizeOf(d.exp0);
  const size1: u32 = sizeOf(d.exp1);
  const skip: u32 = d.rehashidx < 0 ? 0 : <u32>d.rehashidx;
  let head: usize = 0;
  while (head == 0) {
    const b = skip + randomBelow(size0 + size1 - skip);
    head = b < size0 ? <usize>load<u32>(d.t0 + (<usize>b << 2)) : <usize>load<u32>(d.t1 + (<usize>(b - size0) << 2));
  }
  let len: u32 = 0;
  for (let m = head; m != 0; m = <usize>load<u32>(m)) len++;
  let m = head;
  for (let k = randomBelow(len); k > 0; k--) m = <usize>load<u32>(m);
  return m;
}
