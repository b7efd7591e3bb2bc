// Engine-wide state for the command being executed (the client's database, the clock) and the
// counters INFO reports.

/**
 * The host is replaying the AOF: nothing counts as expired (a key whose time passed since it was
 * written still takes the commands that followed it; its DEL comes later in the file), as in
 * Redis, where keys never expire while loading.
 */
export let loading: bool = false;

export function setLoading(on: i32): void {
  loading = on != 0;
}

/** Database index of the client whose batch is running. */
export let currentDb: i32 = 0;
/** Wall-clock milliseconds, set once per batch by the host. */
export let now: i64 = 0;
/** Redis's LRU clock: seconds, 24 bits, wrapping. */
export let lruClock: u32 = 0;
/** The LFU clock: minutes, 16 bits, wrapping (the high part of the LRU field under LFU policies). */
export let lfuClock: u32 = 0;

export function setCurrentDb(db: i32): void {
  currentDb = db;
}

export function setNow(ms: i64): void {
  now = ms;
  lruClock = <u32>(ms / 1000) & 0xffffff;
  lfuClock = <u32>(ms / 60000) & 0xffff;
  keyLruInit = lfuMode ? (lfuClock << 8) | LFU_INIT_VAL : lruClock;
}

// ---- counters (INFO stats) -------------------------------------------------------------------
export let keyspaceHits: u64 = 0;
export let keyspaceMisses: u64 = 0;
export let expiredKeys: u64 = 0;
export let evictedKeys: u64 = 0;
/** Changes to the dataset since start (Redis's server.dirty). */
export let dirty: u64 = 0;

// @ts-ignore: decorator
@inline
export function hit(): void {
  keyspaceHits++;
}

// @ts-ignore: decorator
@inline
export function miss(): void {
  keyspaceMisses++;
}

// @ts-ignore: decorator
@inline
export function countExpired(): void {
  expiredKeys++;
}

// @ts-ignore: decorator
@inline
export function countEvicted(): void {
  evictedKeys++;
}

// @ts-ignore: decorator
@inline
export function addDirty(n: u64): void {
  dirty += n;
}

export function resetStats(): void {
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  evictedKeys = 0;
}

// ---- settings the host pushes in (CONFIG SET) ------------------------------------------------

/** maxmemory in bytes (0 = no limit). */
export let maxmemory: u64 = 0;
/** maxmemory-policy, numbered as the host's config.ts numbers it; see isLfuPolicy/isLruPolicy. */
export let maxmemoryPolicy: i32 = 0;

export const POLICY_NOEVICTION: i32 = 0;
export const POLICY_ALLKEYS_LRU: i32 = 1;
export const POLICY_VOLATILE_LRU: i32 = 2;
export const POLICY_ALLKEYS_LFU: i32 = 3;
export const POLICY_VOLATILE_LFU: i32 = 4;
export const POLICY_ALLKEYS_RANDOM: i32 = 5;
export const POLICY_VOLATILE_RANDOM: i32 = 6;
export const POLICY_VOLATILE_TTL: i32 = 7;
/** Ours, not Redis's: evict whichever key the table yields first (no sampling, no ranking). */
export const POLICY_SIMPLE_FIRST: i32 = 8;

export function setMaxmemory(bytes: u64, policy: i32): void {
  maxmemory = bytes;
  maxmemoryPolicy = policy;
  lfuMode = isLfuPolicy();
  keyLruInit = lfuMode ? (lfuClock << 8) | LFU_INIT_VAL : lruClock;
}

// ---- the 24-bit LRU/LFU field of new keys -------------------------------------------------------
// Under an LFU policy the field holds 16 bits of minutes and an 8-bit logarithmic counter
// (lfu.ts); otherwise it is the LRU clock. Which one is decided per policy, like Redis, whether or
// not maxmemory is set, so OBJECT FREQ works on an unlimited server with an LFU policy.

/** A new key's counter: high enough that it is not the first thing evicted. */
export const LFU_INIT_VAL: u32 = 5;
/** isLfuPolicy(), cached: read on every key access. */
export let lfuMode: bool = false;
let keyLruInit: u32 = 0;

/** The LRU/LFU field a freshly created key starts with: every entry constructor passes this. */
// @ts-ignore: decorator
@inline
export function newKeyLru(): u32 {
  return keyLruInit;
}

/**
 * Bytes a coming command may allocate at once beyond its own data: the doubling of a full
 * volatile-key array (db.ts keeps this up to date). Eviction makes room for it ahead of time.
 */
export let pendingGrowth: usize = 0;

export function addPendingGrowth(delta: isize): void {
  pendingGrowth += delta;
}

/**
 * Bytes the host holds for clients (query buffers, replies not yet sent), reported by its cron.
 * Redis counts client buffers in used_memory, so they take their share of maxmemory here too.
 */
export let hostMemory: u64 = 0;

export function setHostMemory(bytes: f64): void {
  hostMemory = <u64>bytes;
}

/**
 * Engine memory that is counted in used_memory but not held against maxmemory: the propagation
 * buffer (propagate.ts), as Redis leaves its AOF buffer out of the eviction target.
 */
export let notCountedMemory: u64 = 0;

export function setNotCountedMemory(bytes: usize): void {
  notCountedMemory = <u64>bytes;
}

/** What data may use: maxmemory less the clients' buffers (0 when they alone exceed it). */
// @ts-ignore: decorator
@inline
export function dataLimit(): u64 {
  const limit = maxmemory + notCountedMemory;
  return limit > hostMemory ? limit - hostMemory : 0;
}

/**
 * Used memory, plus what the next command may need at once, above the limit for data: checked
 * before each command (one compare when there is no limit).
 */
// @ts-ignore: decorator
@inline
export function overMaxmemory(used: usize): bool {
  return maxmemory != 0 && <u64>used + <u64>pendingGrowth > dataLimit();
}

export function isLfuPolicy(): bool {
  return maxmemoryPolicy == POLICY_ALLKEYS_LFU || maxmemoryPolicy == POLICY_VOLATILE_LFU;
}

export function isLruPolicy(): bool {
  return maxmemoryPolicy == POLICY_ALLKEYS_LRU || maxmemoryPolicy == POLICY_VOLATILE_LRU;
}
