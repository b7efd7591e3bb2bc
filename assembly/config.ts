// Settings the engine obeys, pushed in by the host whenever CONFIG SET (or the config file)
// changes them. Numbered here and in host/commands/config.ts (ENGINE_CONFIG); defaults are
// Redis 7.0's, so an engine used without a host behaves the same.

export const CFG_HASH_MAX_LISTPACK_ENTRIES: i32 = 0;
export const CFG_HASH_MAX_LISTPACK_VALUE: i32 = 1;
export const CFG_LIST_MAX_LISTPACK_SIZE: i32 = 2;
export const CFG_LIST_COMPRESS_DEPTH: i32 = 3;
export const CFG_SET_MAX_INTSET_ENTRIES: i32 = 4;
export const CFG_ZSET_MAX_LISTPACK_ENTRIES: i32 = 5;
export const CFG_ZSET_MAX_LISTPACK_VALUE: i32 = 6;
export const CFG_MAXMEMORY_SAMPLES: i32 = 7;
export const CFG_LFU_LOG_FACTOR: i32 = 8;
export const CFG_LFU_DECAY_TIME: i32 = 9;

export let hashMaxListpackEntries: i64 = 512;
export let hashMaxListpackValue: i64 = 64;
/** Positive: entries per quicklist node; -1..-5: node size limit of 4/8/16/32/64 KB. */
export let listMaxListpackSize: i64 = -2;
export let listCompressDepth: i64 = 0;
export let setMaxIntsetEntries: i64 = 512;
export let zsetMaxListpackEntries: i64 = 128;
export let zsetMaxListpackValue: i64 = 64;
/** Keys sampled per database per eviction round (evict.ts). */
export let maxmemorySamples: i32 = 5;
/** How slowly the LFU counter saturates (lfu.ts). */
export let lfuLogFactor: i32 = 10;
/** Minutes per one-step decay of an LFU counter; 0 = never decay. */
export let lfuDecayTime: i32 = 1;

export function setEngineConfig(id: i32, value: f64): void {
  const v = <i64>value;
  switch (id) {
    case CFG_HASH_MAX_LISTPACK_ENTRIES: hashMaxListpackEntries = v; break;
    case CFG_HASH_MAX_LISTPACK_VALUE: hashMaxListpackValue = v; break;
    case CFG_LIST_MAX_LISTPACK_SIZE: listMaxListpackSize = v; break;
    case CFG_LIST_COMPRESS_DEPTH: listCompressDepth = v; break;
    case CFG_SET_MAX_INTSET_ENTRIES: setMaxIntsetEntries = v; break;
    case CFG_ZSET_MAX_LISTPACK_ENTRIES: zsetMaxListpackEntries = v; break;
    case CFG_ZSET_MAX_LISTPACK_VALUE: zsetMaxListpackValue = v; break;
    case CFG_MAXMEMORY_SAMPLES: maxmemorySamples = <i32>v; break;
    case CFG_LFU_LOG_FACTOR: lfuLogFactor = <i32>v; break;
    case CFG_LFU_DECAY_TIME: lfuDecayTime = <i32>v; break;
  }
}
