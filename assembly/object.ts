// Keyspace entries: a key, its value object and the key's TTL, fused into one allocation.
//
// Redis spends three allocations on a small string key (dictEntry, key sds, robj) plus a bucket
// pointer. Here the dict entry, the object header and the key are one block, and a small value
// lives in the same block too:
//
//   0        u32 next        chain link, owned by dict.ts
//   4        u32 meta        bit 31: has TTL | bits 28-30: type | bits 24-27: encoding | bits 0-23: LRU/LFU
//   8        u32 val         ONLY for out-of-line encodings: pointer to the value (sds, list, …)
//   +0       i64 expireAt    ONLY with a TTL: absolute unix time in ms
//   +8       u32 volIdx      ONLY with a TTL: this entry's slot in its db's volatile-key array
//   …        key blob        length-prefixed key bytes (blob.ts)
//   …        inline value    EMBSTR: a blob of ≤ 44 bytes; INT: an i64
//
// A "redis-benchmark" key (16 bytes) with a 3-byte value is 8 + 17 + 4 = 29 bytes: one 32-byte
// block. The price: changing the encoding or adding a TTL means a new block (the caller swaps it
// into the dict link it already holds, see db.ts), and the meta word is the object header: type,
// encoding and the 24-bit LRU/LFU field of Redis's robj.
import { alloc, free, usable } from "./alloc";
import { blobSize, blobWrite, blobData, blobLen, blobEnd } from "./blob";
import { sdsFree, sdsLen, sdsAllocSize, sdsNew } from "./sds";
import { ll2string } from "./util";

// Types, numbered as Redis numbers them (OBJECT/TYPE/SCAN TYPE print names, see typeName).
export const OBJ_STRING: u32 = 0;
export const OBJ_LIST: u32 = 1;
export const OBJ_SET: u32 = 2;
export const OBJ_ZSET: u32 = 3;
export const OBJ_HASH: u32 = 4;
export const OBJ_STREAM: u32 = 6;

// Encodings, numbered as Redis numbers them.
export const ENC_RAW: u32 = 0;
export const ENC_INT: u32 = 1;
export const ENC_HT: u32 = 2;
export const ENC_INTSET: u32 = 6;
export const ENC_SKIPLIST: u32 = 7;
export const ENC_EMBSTR: u32 = 8;
export const ENC_QUICKLIST: u32 = 9;
export const ENC_STREAM: u32 = 10;
export const ENC_LISTPACK: u32 = 11;

/** Longest string kept inline as "embstr" (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
export const EMBSTR_SIZE_LIMIT: usize = 44;

const HAS_TTL: u32 = 1 << 31;
const LRU_MASK: u32 = 0xffffff;

// @ts-ignore: decorator
@inline
export function entryMeta(e: usize): u32 {
  return load<u32>(e, 4);
}

// @ts-ignore: decorator
@inline
export function entryType(e: usize): u32 {
  return (load<u32>(e, 4) >>> 28) & 7;
}

// @ts-ignore: decorator
@inline
export function entryEncoding(e: usize): u32 {
  return (load<u32>(e, 4) >>> 24) & 15;
}

// @ts-ignore: decorator
@inline
export function entryHasTtl(e: usize): bool {
  return (load<u32>(e, 4) & HAS_TTL) != 0;
}

// @ts-ignore: decorator
@inline
export function entryLru(e: usize): u32 {
  return load<u32>(e, 4) & LRU_MASK;
}

// @ts-ignore: decorator
@inline
export function setEntryLru(e: usize, lru: u32): void {
  store<u32>(e, (load<u32>(e, 4) & ~LRU_MASK) | (lru & LRU_MASK), 4);
}

// @ts-ignore: decorator
@inline
export function isOutOfLine(enc: u32): bool {
  return enc != ENC_EMBSTR && enc != ENC_INT;
}

// @ts-ignore: decorator
@inline
function metaOffset(meta: u32): usize {
  // 8 fixed bytes, +4 for the value pointer, +12 for the TTL fields.
  const enc = (meta >>> 24) & 15;
  return 8 + (isOutOfLine(enc) ? 4 : 0) + ((meta & HAS_TTL) != 0 ? 12 : 0);
}

/** Where the key blob starts (dict.ts finds keys through this). */
// @ts-ignore: decorator
@inline
export function keyspaceKeyBlob(e: usize): usize {
  return e + metaOffset(load<u32>(e, 4));
}

// @ts-ignore: decorator
@inline
export function entryKeyPtr(e: usize): usize {
  return blobData(keyspaceKeyBlob(e));
}

// @ts-ignore: decorator
@inline
export function entryKeyLen(e: usize): usize {
  return blobLen(keyspaceKeyBlob(e));
}

/** The value pointer of an out-of-line encoding. */
// @ts-ignore: decorator
@inline
export function entryVal(e: usize): usize {
  return <usize>load<u32>(e, 8);
}

// @ts-ignore: decorator
@inline
export function setEntryVal(e: usize, v: usize): void {
  store<u32>(e, <u32>v, 8);
}

/** Address of the inline value (EMBSTR blob or INT i64), right after the key. */
// @ts-ignore: decorator
@inline
export function entryInline(e: usize): usize {
  return blobEnd(keyspaceKeyBlob(e));
}

// @ts-ignore: decorator
@inline
function ttlField(e: usize): usize {
  const enc = entryEncoding(e);
  return e + 8 + (isOutOfLine(enc) ? 4 : 0);
}

/** Absolute expiry in unix ms; only meaningful when entryHasTtl. */
// @ts-ignore: decorator
@inline
export function entryExpireAt(e: usize): i64 {
  return load<i64>(ttlField(e));
}

// @ts-ignore: decorator
@inline
export function setEntryExpireAt(e: usize, when: i64): void {
  store<i64>(ttlField(e), when);
}

// @ts-ignore: decorator
@inline
export function entryVolIdx(e: usize): u32 {
  return load<u32>(ttlField(e), 8);
}

// @ts-ignore: decorator
@inline
export function setEntryVolIdx(e: usize, i: u32): void {
  store<u32>(ttlField(e), i, 8);
}

function metaOf(type: u32, enc: u32, ttl: bool, lru: u32): u32 {
  return (ttl ? HAS_TTL : 0) | ((type & 7) << 28) | ((enc & 15) << 24) | (lru & LRU_MASK);
}

/** Size of the fixed part and key of an entry. */
function headSize(enc: u32, ttl: bool, klen: usize): usize {
  return 8 + (isOutOfLine(enc) ? 4 : 0) + (ttl ? 12 : 0) + blobSize(klen);
}

/** Allocates an entry and writes everything up to the key; returns it. The inline value is the caller's. */
function newHead(key: usize, klen: usize, type: u32, enc: u32, ttl: bool, lru: u32, extra: usize): usize {
  const e = alloc(headSize(enc, ttl, klen) + extra);
  store<u32>(e, 0);
  store<u32>(e, metaOf(type, enc, ttl, lru), 4);
  blobWrite(e + metaOffset(metaOf(type, enc, ttl, lru)), key, klen);
  return e;
}

/** A string entry holding `vlen` bytes inline (embstr). */
export function newEmbstrEntry(key: usize, klen: usize, val: usize, vlen: usize, ttl: bool, lru: u32): usize {
  const e = newHead(key, klen, OBJ_STRING, ENC_EMBSTR, ttl, lru, blobSize(vlen));
  blobWrite(entryInline(e), val, vlen);
  return e;
}

/** A string entry holding an integer (int encoding). */
export function newIntEntry(key: usize, klen: usize, v: i64, ttl: bool, lru: u32): usize {
  const e = newHead(key, klen, OBJ_STRING, ENC_INT, ttl, lru, 8);
  store<i64>(entryInline(e), v);
  return e;
}

/** An entry whose value lives out of line (raw sds, or a structure of another type). */
export function newPtrEntry(key: usize, klen: usize, type: u32, enc: u32, val: usize, ttl: bool, lru: u32): usize {
  const e = newHead(key, klen, type, enc, ttl, lru, 0);
  setEntryVal(e, val);
  return e;
}

/**
 * A new block for `e`'s value under key `key` with or without the TTL fields (value ownership moves
 * to the copy; the TTL value itself is the caller's to set). The caller swaps it in and frees the
 * old block with freeEntryShell.
 */
export function entryRekey(e: usize, key: usize, klen: usize, ttl: bool): usize {
  const meta = entryMeta(e);
  const type = (meta >>> 28) & 7;
  const enc = (meta >>> 24) & 15;
  let inlineSize: usize = 0;
  if (enc == ENC_EMBSTR) inlineSize = blobSize(blobLen(entryInline(e)));
  else if (enc == ENC_INT) inlineSize = 8;
  const n = newHead(key, klen, type, enc, ttl, meta & LRU_MASK, inlineSize);
  if (isOutOfLine(enc)) setEntryVal(n, entryVal(e));
  memory.copy(entryInline(n), entryInline(e), inlineSize);
  return n;
}

/** Same key, TTL fields added or removed. */
export function entryWithTtlFlag(e: usize, ttl: bool): usize {
  const kb = keyspaceKeyBlob(e);
  return entryRekey(e, blobData(kb), blobLen(kb), ttl);
}

/** A deep copy of `e` (value included) under another key, for COPY. */
export function entryDup(e: usize, key: usize, klen: usize, ttl: bool): usize {
  const n = entryRekey(e, key, klen, ttl);
  const enc = entryEncoding(e);
  if (isOutOfLine(enc)) setEntryVal(n, dupValue(entryType(e), enc, entryVal(e)));
  return n;
}

/** A copy of an out-of-line value. Each type adds its case here. */
export function dupValue(type: u32, enc: u32, v: usize): usize {
  if (type == OBJ_STRING) return sdsNew(v, sdsLen(v));
  return valueDupFn(type)(enc, v);
}

/** Frees the entry block only (its value was moved elsewhere). */
export function freeEntryShell(e: usize): void {
  free(e);
}

/** Frees an entry and its value. */
export function freeEntry(e: usize): void {
  const enc = entryEncoding(e);
  if (isOutOfLine(enc)) freeValue(entryType(e), enc, entryVal(e));
  free(e);
}

/** Frees an out-of-line value of the given type and encoding. Each type adds its case here. */
export function freeValue(type: u32, enc: u32, v: usize): void {
  if (type == OBJ_STRING) {
    sdsFree(v);
    return;
  }
  valueFreeFn(type)(enc, v);
}

// ---- value types -----------------------------------------------------------------------------------
// Each type module (t_list.ts, t_set.ts, …) registers how to free, copy and measure its values,
// from its top level: `registerValueType(OBJ_LIST, listFree, listDup, listMemory)`. This file then
// needs no knowledge of any structure, and a type is wired in by being compiled in.

export type ValueFree = (enc: u32, v: usize) => void;
export type ValueDup = (enc: u32, v: usize) => usize;
export type ValueMemory = (enc: u32, v: usize) => usize;

function noFree(enc: u32, v: usize): void {
  unreachable();
}
function noDup(enc: u32, v: usize): usize {
  unreachable();
  return 0;
}
function noMemory(enc: u32, v: usize): usize {
  return 0;
}

let listFree: ValueFree = noFree;
let setFree: ValueFree = noFree;
let zsetFree: ValueFree = noFree;
let hashFree: ValueFree = noFree;
let listDup: ValueDup = noDup;
let setDup: ValueDup = noDup;
let zsetDup: ValueDup = noDup;
let hashDup: ValueDup = noDup;
let listMemory: ValueMemory = noMemory;
let setMemory: ValueMemory = noMemory;
let zsetMemory: ValueMemory = noMemory;
let hashMemory: ValueMemory = noMemory;

export function registerValueType(type: u32, f: ValueFree, d: ValueDup, m: ValueMemory): void {
  if (type == OBJ_LIST) {
    listFree = f;
    listDup = d;
    listMemory = m;
  } else if (type == OBJ_SET) {
    setFree = f;
    setDup = d;
    setMemory = m;
  } else if (type == OBJ_ZSET) {
    zsetFree = f;
    zsetDup = d;
    zsetMemory = m;
  } else if (type == OBJ_HASH) {
    hashFree = f;
    hashDup = d;
    hashMemory = m;
  } else unreachable();
}

function valueFreeFn(type: u32): ValueFree {
  return type == OBJ_LIST ? listFree : type == OBJ_SET ? setFree : type == OBJ_ZSET ? zsetFree : type == OBJ_HASH ? hashFree : noFree;
}

function valueDupFn(type: u32): ValueDup {
  return type == OBJ_LIST ? listDup : type == OBJ_SET ? setDup : type == OBJ_ZSET ? zsetDup : type == OBJ_HASH ? hashDup : noDup;
}

function valueMemoryFn(type: u32): ValueMemory {
  return type == OBJ_LIST ? listMemory : type == OBJ_SET ? setMemory : type == OBJ_ZSET ? zsetMemory : type == OBJ_HASH ? hashMemory : noMemory;
}

// ---- string values -----------------------------------------------------------------------------

/** Bytes of the last string read by stringValue (valid until the next call or entry change). */
export let strPtr: usize = 0;
export let strLen: usize = 0;
const intScratch: usize = memory.data(24);

/** Points strPtr/strLen at a string entry's value; int values are formatted into a scratch area. */
export function stringValue(e: usize): void {
  const enc = entryEncoding(e);
  if (enc == ENC_EMBSTR) {
    const b = entryInline(e);
    strPtr = blobData(b);
    strLen = blobLen(b);
  } else if (enc == ENC_INT) {
    strLen = ll2string(intScratch, load<i64>(entryInline(e)));
    strPtr = intScratch;
  } else {
    strPtr = entryVal(e);
    strLen = sdsLen(strPtr);
  }
}

/** Length of a string entry's value without formatting it. */
export function stringLength(e: usize): usize {
  const enc = entryEncoding(e);
  if (enc == ENC_EMBSTR) return blobLen(entryInline(e));
  if (enc == ENC_INT) return ll2string(intScratch, load<i64>(entryInline(e)));
  return sdsLen(entryVal(e));
}

/** The integer of an int-encoded entry. */
// @ts-ignore: decorator
@inline
export function entryInt(e: usize): i64 {
  return load<i64>(entryInline(e));
}


// ---- sizes ---------------------------------------------------------------------------------------

/** Bytes the allocator gave this entry and its value (MEMORY USAGE). */
export function entryMemory(e: usize): usize {
  let total = usable(e);
  const enc = entryEncoding(e);
  if (!isOutOfLine(enc)) return total;
  const type = entryType(e);
  total += type == OBJ_STRING ? sdsAllocSize(entryVal(e)) : valueMemoryFn(type)(enc, entryVal(e));
  return total;
}

export function typeName(type: u32): string {
  switch (type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    case OBJ_STREAM: return "stream";
  }
  return "none";
}

export function encodingName(enc: u32): string {
  switch (enc) {
    case ENC_RAW: return "raw";
    case ENC_INT: return "int";
    case ENC_HT: return "hashtable";
    case ENC_INTSET: return "intset";
    case ENC_SKIPLIST: return "skiplist";
    case ENC_EMBSTR: return "embstr";
    case ENC_QUICKLIST: return "quicklist";
    case ENC_STREAM: return "stream";
    case ENC_LISTPACK: return "listpack";
  }
  return "unknown";
}

// ---- in-place value changes (t_string.ts) ------------------------------------------------------

/**
 * Rewrites the encoding bits of an entry whose layout does not depend on them: int and embstr
 * entries have the same header (no value pointer), so SET can swap one for the other in place
 * when the new value fits the block. The caller writes the inline value.
 */
export function setEntryInlineEncoding(e: usize, enc: u32): void {
  assert(!isOutOfLine(enc) && !isOutOfLine(entryEncoding(e)));
  store<u32>(e, (load<u32>(e, 4) & ~(<u32>15 << 24)) | ((enc & 15) << 24), 4);
}
