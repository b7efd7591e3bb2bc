// Test hooks for sorted set values (zset.ts over listpack or skiplist.ts): a handle in engine
// memory driven from JS, so tests can exercise both encodings and the conversion between them.
import { alloc, free } from "../alloc";
import {
  zsetAdd, zsetDel, zsetScore, zScore, zsetRank, zsetLen, zhCreate, zhFree, zhEnc, zhVal, zcAtRank, zcMember,
  zcScore, curPtr, curLen, zaddOut, zaddNewScore, zsetConvertToSkiplist, zsetDupValue, zsetMemoryValue,
  zsetFreeValue, zhSet,
} from "../zset";
import { ZSet, zslCheck } from "../skiplist";
import { ENC_SKIPLIST } from "../object";

/** A new empty sorted set (listpack) in a fresh 8-byte handle. */
export function tkZsetNew(): usize {
  const h = alloc(8);
  zhCreate(h, 0, 0);
  return h;
}

export function tkZsetFree(h: usize): void {
  zhFree(h);
  free(h);
}

/** ZADD semantics; returns zaddOut (-1 on NaN). */
export function tkZsetAdd(h: usize, score: f64, p: usize, n: usize, flags: u32): i32 {
  if (!zsetAdd(h, score, p, n, flags)) return -1;
  return <i32>zaddOut;
}

export function tkZsetNewScore(): f64 {
  return zaddNewScore;
}

export function tkZsetDel(h: usize, p: usize, n: usize): i32 {
  return zsetDel(h, p, n) ? 1 : 0;
}

/** The member's score, or NaN when absent. */
export function tkZsetScore(h: usize, p: usize, n: usize): f64 {
  return zsetScore(h, p, n) ? zScore : NaN;
}

export function tkZsetRank(h: usize, p: usize, n: usize, rev: i32): f64 {
  return <f64>zsetRank(h, p, n, rev != 0);
}

export function tkZsetLen(h: usize): u32 {
  return zsetLen(h);
}

export function tkZsetEncoding(h: usize): u32 {
  return zhEnc(h);
}

/** Member at 0-based rank: returns its address, length in tkZsetMemberLen(), score in tkZsetMemberScore(). */
let lastScore: f64 = 0;
export function tkZsetMemberAt(h: usize, r: u32): usize {
  const c = zcAtRank(h, r);
  lastScore = zcScore(h, c);
  zcMember(h, c);
  return curPtr;
}

export function tkZsetMemberLen(): usize {
  return curLen;
}

export function tkZsetMemberScore(): f64 {
  return lastScore;
}

export function tkZsetToSkiplist(h: usize): void {
  zsetConvertToSkiplist(h);
}

/** Skiplist invariants (order, spans, backward links, dict size); 1 for a listpack. */
export function tkZsetCheck(h: usize): i32 {
  if (zhEnc(h) != ENC_SKIPLIST) return 1;
  return zslCheck(changetype<ZSet>(zhVal(h))) ? 1 : 0;
}

/** A deep copy in a new handle. */
export function tkZsetDup(h: usize): usize {
  const c = alloc(8);
  zhSet(c, zhEnc(h), zsetDupValue(zhEnc(h), zhVal(h)));
  return c;
}

export function tkZsetMemory(h: usize): usize {
  return zsetMemoryValue(zhEnc(h), zhVal(h));
}
