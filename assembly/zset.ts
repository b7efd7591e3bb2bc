// Sorted set values, whatever their encoding: the operations the commands are written against.
//
// A sorted set is a listpack while it is small (at most zset-max-listpack-entries members, none
// longer than zset-max-listpack-value bytes) and a skiplist + dict (skiplist.ts) from then on;
// it never goes back, as in Redis 7.0, except that ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE pick the
// small form for a small result (zsetShrinkIfSmall).
//
// The listpack holds member, score, member, score, … sorted by score then member bytes. A score
// is written as Redis's d2string text (integral values as plain integers), so the listpack turns
// integral scores into integer entries, exactly the bytes Redis produces.
//
// A value is handled through a *handle*, two words [enc u32][val u32] in static memory: the
// listpack moves on every write and the encoding may change, so commands load a handle from the
// keyspace entry (zhLoad), operate on it, and store it back (zhStore). Temporary results
// (ZUNION, ZRANGESTORE) use handles that belong to no key.
//
// Positions (cursors) are a node address for a skiplist, and the address of the member entry
// for a listpack; a cursor is valid until the next write to the same value.
import { usable } from "./alloc";
import {
  lpNew, lpFree, lpBytes, lpLength, lpFirst, lpLast, lpNext, lpPrev, lpSeek, lpGet, lpGetValue, lpIsInt, lpInt,
  lpStr, lpStrLen, lpInsert, lpAppend, lpDeleteRangeAt, lpFind, lpDup, lpAt, LP_BEFORE,
} from "./listpack";
import {
  ZSet, zslCreate, zslFree, zslMemorySampled, zslFind, zslInsert, zslUpdateScore, zslDeleteNode, zslRank,
  zslByRank, zslFirst, nodeScore, nodeMember, nodeMemberLen, nodeNext, nodeBackward, memberCmp,
  zslFirstScoreAtLeast, zslLastScoreAtMost, zslFirstLexAtLeast, zslLastLexAtMost,
} from "./skiplist";
import { ENC_LISTPACK, ENC_SKIPLIST, OBJ_ZSET, entryEncoding, entryVal, setEntryVal, registerValueType } from "./object";
import { zsetMaxListpackEntries, zsetMaxListpackValue } from "./config";
import { d2string, string2d, parsedDouble } from "./util";

// ---- handles -----------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
export function zhEnc(h: usize): u32 {
  return load<u32>(h);
}

// @ts-ignore: decorator
@inline
export function zhVal(h: usize): usize {
  return <usize>load<u32>(h, 4);
}

// @ts-ignore: decorator
@inline
export function zhSet(h: usize, enc: u32, v: usize): void {
  store<u32>(h, enc);
  store<u32>(h, <u32>v, 4);
}

// @ts-ignore: decorator
@inline
function zsl(h: usize): ZSet {
  return changetype<ZSet>(zhVal(h));
}

/** Loads the handle from a keyspace entry holding a sorted set. */
export function zhLoad(h: usize, e: usize): void {
  zhSet(h, entryEncoding(e), entryVal(e));
}

/**
 * Stores the handle back into its keyspace entry. The encoding lives in the entry's meta word;
 * both sorted set encodings are out of line, so the entry layout does not change with it.
 */
export function zhStore(h: usize, e: usize): void {
  setEntryVal(e, zhVal(h));
  store<u32>(e, (load<u32>(e, 4) & ~(<u32>15 << 24)) | ((zhEnc(h) & 15) << 24), 4);
}

/** An empty sorted set: a listpack unless `sizeHint` members would not fit one. */
export function zhCreate(h: usize, sizeHint: u64, lenHint: u64): void {
  if (sizeHint <= <u64>zsetMaxListpackEntries && lenHint <= <u64>zsetMaxListpackValue) {
    zhSet(h, ENC_LISTPACK, lpNew(0));
  } else {
    zhSet(h, ENC_SKIPLIST, changetype<usize>(zslCreate()));
  }
}

export function zhFree(h: usize): void {
  zsetFreeValue(zhEnc(h), zhVal(h));
}

export function zsetLen(h: usize): u32 {
  return zhEnc(h) == ENC_LISTPACK ? lpLength(zhVal(h)) >> 1 : zsl(h).length;
}

// ---- registered value functions -----------------------------------------------------------------

export function zsetFreeValue(enc: u32, v: usize): void {
  if (enc == ENC_LISTPACK) lpFree(v);
  else zslFree(changetype<ZSet>(v));
}

export function zsetDupValue(enc: u32, v: usize): usize {
  if (enc == ENC_LISTPACK) return lpDup(v);
  const src = changetype<ZSet>(v);
  const z = zslCreate();
  let n = zslFirst(src);
  while (n != 0) {
    zslInsert(z, nodeScore(n), nodeMember(n), nodeMemberLen(n));
    n = nodeNext(n);
  }
  return changetype<usize>(z);
}

export function zsetMemoryValue(enc: u32, v: usize): usize {
  if (enc == ENC_LISTPACK) return usable(v);
  // Sampled as Redis's MEMORY USAGE does by default (5 samples), so it stays O(1) on big sets.
  return zslMemorySampled(changetype<ZSet>(v), 5);
}

registerValueType(OBJ_ZSET, zsetFreeValue, zsetDupValue, zsetMemoryValue);

// ---- listpack helpers ----------------------------------------------------------------------------

const scoreBuf: usize = memory.data(40);

/** Score of the listpack entry at p (the entry after a member). */
function lpScoreAt(p: usize): f64 {
  lpGetValue(p);
  if (lpIsInt) return <f64>lpInt;
  // Written by d2string: always parses back (inf/-inf included).
  string2d(lpStr, lpStrLen);
  return parsedDouble;
}

/** Member bytes of the listpack entry at p: into curPtr/curLen (ints formatted to a scratch). */
function lpMemberAt(p: usize): void {
  lpGet(p);
  if (lpIsInt) {
    // Our own copy: the listpack's scratch is overwritten by the next read of any listpack,
    // and callers pass this member on to writes into another listpack.
    memory.copy(memberBuf, lpStr, lpStrLen);
    curPtr = memberBuf;
  } else curPtr = lpStr;
  curLen = lpStrLen;
}

const memberBuf: usize = memory.data(24);

/** Inserts (member, score) where it sorts; returns the listpack. */
function lpInsertSorted(lp: usize, score: f64, member: usize, mlen: usize): usize {
  let p = lpFirst(lp);
  while (p != 0) {
    const sp = lpNext(lp, p);
    const s = lpScoreAt(sp);
    if (s > score) break;
    if (s == score) {
      lpGet(p);
      if (memberCmp(lpStr, lpStrLen, member, mlen) > 0) break;
    }
    p = lpNext(lp, sp);
  }
  const slen = d2string(scoreBuf, score);
  if (p == 0) {
    lp = lpAppend(lp, member, mlen);
    return lpAppend(lp, scoreBuf, slen);
  }
  lp = lpInsert(lp, p, member, mlen, LP_BEFORE);
  return lpInsert(lp, lpNext(lp, lpAt), scoreBuf, slen, LP_BEFORE);
}

/** Member entry of `member` in the listpack, or 0. */
function lpFindMember(lp: usize, member: usize, mlen: usize): usize {
  const first = lpFirst(lp);
  if (first == 0) return 0;
  return lpFind(lp, first, member, mlen, 1);
}

// ---- conversion ------------------------------------------------------------------------------------

export function zsetConvertToSkiplist(h: usize): void {
  if (zhEnc(h) != ENC_LISTPACK) return;
  const lp = zhVal(h);
  const z = zslCreate();
  let p = lpFirst(lp);
  while (p != 0) {
    const sp = lpNext(lp, p);
    const score = lpScoreAt(sp);
    lpMemberAt(p);
    zslInsert(z, score, curPtr, curLen);
    p = lpNext(lp, sp);
  }
  lpFree(lp);
  zhSet(h, ENC_SKIPLIST, changetype<usize>(z));
}

/** Turns a skiplist into a listpack when it is small enough (results of the *STORE set ops). */
export function zsetShrinkIfSmall(h: usize, maxLen: usize): void {
  if (zhEnc(h) != ENC_SKIPLIST) return;
  const z = zsl(h);
  if (<i64>z.length > zsetMaxListpackEntries || <i64>maxLen > zsetMaxListpackValue) return;
  let lp = lpNew(0);
  let n = zslFirst(z);
  while (n != 0) {
    lp = lpAppend(lp, nodeMember(n), nodeMemberLen(n));
    lp = lpAppend(lp, scoreBuf, d2string(scoreBuf, nodeScore(n)));
    n = nodeNext(n);
  }
  zslFree(z);
  zhSet(h, ENC_LISTPACK, lp);
}

// ---- point operations ----------------------------------------------------------------------------

/** Score found by zsetScore. */
export let zScore: f64 = 0;

/** True (score in zScore) when `member` is in the set. */
export function zsetScore(h: usize, member: usize, mlen: usize): bool {
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    const p = lpFindMember(lp, member, mlen);
    if (p == 0) return false;
    zScore = lpScoreAt(lpNext(lp, p));
    return true;
  }
  const n = zslFind(zsl(h), member, mlen);
  if (n == 0) return false;
  zScore = nodeScore(n);
  return true;
}

// ZADD flags (in) and outcomes (out).
export const ZADD_INCR: u32 = 1;
export const ZADD_NX: u32 = 2;
export const ZADD_XX: u32 = 4;
export const ZADD_GT: u32 = 8;
export const ZADD_LT: u32 = 16;

export const ZADD_OUT_NOP: u32 = 1;
export const ZADD_OUT_NAN: u32 = 2;
export const ZADD_OUT_ADDED: u32 = 4;
export const ZADD_OUT_UPDATED: u32 = 8;

/** Outcome of the last zsetAdd and the member's score after it. */
export let zaddOut: u32 = 0;
export let zaddNewScore: f64 = 0;

/**
 * Adds or updates a member under ZADD's rules (NX/XX/GT/LT/INCR). Returns false only when an
 * increment produced NaN (zaddOut = ZADD_OUT_NAN, nothing changed).
 */
export function zsetAdd(h: usize, score: f64, member: usize, mlen: usize, flags: u32): bool {
  const incr = (flags & ZADD_INCR) != 0;
  const nx = (flags & ZADD_NX) != 0;
  const xx = (flags & ZADD_XX) != 0;
  const gt = (flags & ZADD_GT) != 0;
  const lt = (flags & ZADD_LT) != 0;
  zaddOut = 0;
  if (zsetScore(h, member, mlen)) {
    const cur = zScore;
    if (nx) {
      zaddOut = ZADD_OUT_NOP;
      return true;
    }
    if (incr) {
      score += cur;
      if (isNaN(score)) {
        zaddOut = ZADD_OUT_NAN;
        return false;
      }
    }
    if ((lt && score >= cur) || (gt && score <= cur)) {
      zaddOut = ZADD_OUT_NOP;
      return true;
    }
    zaddNewScore = score;
    if (score != cur) {
      if (zhEnc(h) == ENC_LISTPACK) {
        let lp = zhVal(h);
        lp = lpDeleteRangeAt(lp, lpFindMember(lp, member, mlen), 2);
        zhSet(h, ENC_LISTPACK, lpInsertSorted(lp, score, member, mlen));
      } else {
        const z = zsl(h);
        zslUpdateScore(z, zslFind(z, member, mlen), score);
      }
      zaddOut = ZADD_OUT_UPDATED;
    }
    return true;
  }
  if (xx) {
    zaddOut = ZADD_OUT_NOP;
    return true;
  }
  zsetInsertNew(h, score, member, mlen);
  zaddNewScore = score;
  zaddOut = ZADD_OUT_ADDED;
  return true;
}

/** Adds a member known to be absent, converting to a skiplist when the listpack would be too big. */
export function zsetInsertNew(h: usize, score: f64, member: usize, mlen: usize): void {
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    if (<i64>(lpLength(lp) >> 1) + 1 > zsetMaxListpackEntries || <i64>mlen > zsetMaxListpackValue) {
      zsetConvertToSkiplist(h);
    } else {
      zhSet(h, ENC_LISTPACK, lpInsertSorted(lp, score, member, mlen));
      return;
    }
  }
  zslInsert(zsl(h), score, member, mlen);
}

/** Removes a member; true when it was there. */
export function zsetDel(h: usize, member: usize, mlen: usize): bool {
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    const p = lpFindMember(lp, member, mlen);
    if (p == 0) return false;
    zhSet(h, ENC_LISTPACK, lpDeleteRangeAt(lp, p, 2));
    return true;
  }
  const z = zsl(h);
  const n = zslFind(z, member, mlen);
  if (n == 0) return false;
  zslDeleteNode(z, n);
  return true;
}

/** 0-based rank of `member` (from the highest score when `rev`), or -1. */
export function zsetRank(h: usize, member: usize, mlen: usize, rev: bool): i64 {
  const len = <i64>zsetLen(h);
  let rank: i64 = -1;
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    let p = lpFirst(lp);
    let i: i64 = 0;
    while (p != 0) {
      lpGet(p);
      if (lpStrLen == mlen && memory.compare(lpStr, member, mlen) == 0) {
        rank = i;
        break;
      }
      p = lpNext(lp, lpNext(lp, p));
      i++;
    }
  } else {
    const z = zsl(h);
    const n = zslFind(z, member, mlen);
    if (n != 0) rank = <i64>zslRank(z, nodeScore(n), member, mlen) - 1;
  }
  if (rank < 0) return -1;
  return rev ? len - 1 - rank : rank;
}

// ---- cursors ---------------------------------------------------------------------------------------

/** Member bytes of the last zcMember call. */
export let curPtr: usize = 0;
export let curLen: usize = 0;

export function zcFirst(h: usize): usize {
  return zhEnc(h) == ENC_LISTPACK ? lpFirst(zhVal(h)) : zslFirst(zsl(h));
}

export function zcLast(h: usize): usize {
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    const p = lpLast(lp);
    return p == 0 ? 0 : lpPrev(lp, p);
  }
  return zsl(h).tail;
}

/** Cursor at 0-based rank `r` (0 <= r < length). */
export function zcAtRank(h: usize, r: u32): usize {
  if (zhEnc(h) == ENC_LISTPACK) return lpSeek(zhVal(h), <i64>r << 1);
  return zslByRank(zsl(h), r + 1);
}

export function zcNext(h: usize, c: usize): usize {
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    return lpNext(lp, lpNext(lp, c));
  }
  return nodeNext(c);
}

export function zcPrev(h: usize, c: usize): usize {
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    const p = lpPrev(lp, c);
    return p == 0 ? 0 : lpPrev(lp, p);
  }
  return nodeBackward(c);
}

/** Points curPtr/curLen at the member under the cursor (valid until the next zset read). */
export function zcMember(h: usize, c: usize): void {
  if (zhEnc(h) == ENC_LISTPACK) lpMemberAt(c);
  else {
    curPtr = nodeMember(c);
    curLen = nodeMemberLen(c);
  }
}

export function zcScore(h: usize, c: usize): f64 {
  if (zhEnc(h) == ENC_LISTPACK) return lpScoreAt(lpNext(zhVal(h), c));
  return nodeScore(c);
}

// ---- ranges ----------------------------------------------------------------------------------------

/** A score range [min, max] with exclusive ends (set by zrange.ts's parser). */
export let rangeMin: f64 = 0;
export let rangeMax: f64 = 0;
export let rangeMinEx: bool = false;
export let rangeMaxEx: bool = false;

export function setScoreRange(min: f64, minex: bool, max: f64, maxex: bool): void {
  rangeMin = min;
  rangeMinEx = minex;
  rangeMax = max;
  rangeMaxEx = maxex;
}

// @ts-ignore: decorator
@inline
function aboveMin(s: f64): bool {
  return rangeMinEx ? s > rangeMin : s >= rangeMin;
}

// @ts-ignore: decorator
@inline
function belowMax(s: f64): bool {
  return rangeMaxEx ? s < rangeMax : s <= rangeMax;
}

export function scoreInRange(s: f64): bool {
  return aboveMin(s) && belowMax(s);
}

function scoreRangeEmpty(): bool {
  return rangeMin > rangeMax || (rangeMin == rangeMax && (rangeMinEx || rangeMaxEx));
}

/** First cursor whose score is in the score range, or 0. */
export function zcFirstInScoreRange(h: usize): usize {
  if (scoreRangeEmpty()) return 0;
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    let p = lpFirst(lp);
    while (p != 0) {
      const sp = lpNext(lp, p);
      const s = lpScoreAt(sp);
      if (aboveMin(s)) return belowMax(s) ? p : 0;
      p = lpNext(lp, sp);
    }
    return 0;
  }
  const n = zslFirstScoreAtLeast(zsl(h), rangeMin, rangeMinEx);
  return n != 0 && belowMax(nodeScore(n)) ? n : 0;
}

/** Last cursor whose score is in the score range, or 0. */
export function zcLastInScoreRange(h: usize): usize {
  if (scoreRangeEmpty()) return 0;
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    let c = zcLast(h);
    while (c != 0) {
      const s = lpScoreAt(lpNext(lp, c));
      if (belowMax(s)) return aboveMin(s) ? c : 0;
      c = zcPrev(h, c);
    }
    return 0;
  }
  const n = zslLastScoreAtMost(zsl(h), rangeMax, rangeMaxEx);
  return n != 0 && aboveMin(nodeScore(n)) ? n : 0;
}

// Lex ranges: a bound is -inf, +inf or a string, inclusive or exclusive.
export const LEX_MINUS: i32 = 0;
export const LEX_PLUS: i32 = 1;
export const LEX_INCL: i32 = 2;
export const LEX_EXCL: i32 = 3;

export let lexMinKind: i32 = 0;
export let lexMinPtr: usize = 0;
export let lexMinLen: usize = 0;
export let lexMaxKind: i32 = 0;
export let lexMaxPtr: usize = 0;
export let lexMaxLen: usize = 0;

export function setLexRange(minKind: i32, minPtr: usize, minLen: usize, maxKind: i32, maxPtr: usize, maxLen: usize): void {
  lexMinKind = minKind;
  lexMinPtr = minPtr;
  lexMinLen = minLen;
  lexMaxKind = maxKind;
  lexMaxPtr = maxPtr;
  lexMaxLen = maxLen;
}

function lexAboveMin(p: usize, n: usize): bool {
  if (lexMinKind == LEX_MINUS) return true;
  if (lexMinKind == LEX_PLUS) return false;
  const c = memberCmp(p, n, lexMinPtr, lexMinLen);
  return lexMinKind == LEX_EXCL ? c > 0 : c >= 0;
}

function lexBelowMax(p: usize, n: usize): bool {
  if (lexMaxKind == LEX_PLUS) return true;
  if (lexMaxKind == LEX_MINUS) return false;
  const c = memberCmp(p, n, lexMaxPtr, lexMaxLen);
  return lexMaxKind == LEX_EXCL ? c < 0 : c <= 0;
}

export function lexInRange(p: usize, n: usize): bool {
  return lexAboveMin(p, n) && lexBelowMax(p, n);
}

function lexRangeEmpty(): bool {
  if (lexMinKind == LEX_PLUS || lexMaxKind == LEX_MINUS) return true;
  if (lexMinKind == LEX_MINUS || lexMaxKind == LEX_PLUS) return false;
  const c = memberCmp(lexMinPtr, lexMinLen, lexMaxPtr, lexMaxLen);
  return c > 0 || (c == 0 && (lexMinKind == LEX_EXCL || lexMaxKind == LEX_EXCL));
}

/** First cursor whose member is in the lex range, or 0. */
export function zcFirstInLexRange(h: usize): usize {
  if (lexRangeEmpty()) return 0;
  if (zhEnc(h) == ENC_LISTPACK) {
    const lp = zhVal(h);
    let p = lpFirst(lp);
    while (p != 0) {
      lpGet(p);
      if (lexAboveMin(lpStr, lpStrLen)) return lexBelowMax(lpStr, lpStrLen) ? p : 0;
      p = lpNext(lp, lpNext(lp, p));
    }
    return 0;
  }
  const z = zsl(h);
  let n: usize;
  if (lexMinKind == LEX_MINUS) n = zslFirst(z);
  else n = zslFirstLexAtLeast(z, lexMinPtr, lexMinLen, lexMinKind == LEX_EXCL);
  return n != 0 && lexBelowMax(nodeMember(n), nodeMemberLen(n)) ? n : 0;
}

/** Last cursor whose member is in the lex range, or 0. */
export function zcLastInLexRange(h: usize): usize {
  if (lexRangeEmpty()) return 0;
  if (zhEnc(h) == ENC_LISTPACK) {
    let c = zcLast(h);
    while (c != 0) {
      lpGet(c);
      if (lexBelowMax(lpStr, lpStrLen)) return lexAboveMin(lpStr, lpStrLen) ? c : 0;
      c = zcPrev(h, c);
    }
    return 0;
  }
  const z = zsl(h);
  let n: usize;
  if (lexMaxKind == LEX_PLUS) n = z.tail;
  else n = zslLastLexAtMost(z, lexMaxPtr, lexMaxLen, lexMaxKind == LEX_EXCL);
  return n != 0 && lexAboveMin(nodeMember(n), nodeMemberLen(n)) ? n : 0;
}

/** Removes `count` members starting at cursor c (ascending); returns how many were removed. */
export function zsetDeleteFrom(h: usize, c: usize, count: u32): u32 {
  if (count == 0 || c == 0) return 0;
  if (zhEnc(h) == ENC_LISTPACK) {
    const before = lpLength(zhVal(h));
    const lp = lpDeleteRangeAt(zhVal(h), c, count << 1);
    zhSet(h, ENC_LISTPACK, lp);
    return (before - lpLength(lp)) >> 1;
  }
  const z = zsl(h);
  let removed: u32 = 0;
  while (c != 0 && removed < count) {
    const next = nodeNext(c);
    zslDeleteNode(z, c);
    removed++;
    c = next;
  }
  return removed;
}

/** Scratch handles for commands: the key being worked on, a destination, a temporary. */
export const H_KEY: usize = memory.data(8);
export const H_DST: usize = memory.data(8);
export const H_TMP: usize = memory.data(8);
