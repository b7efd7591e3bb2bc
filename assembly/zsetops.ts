// Sorted set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.
//
// Inputs may be sorted sets or plain sets (a set member counts with score 1). Each input is
// described by a 24-byte record in a scratch array:
//
//   0  u32 kind     0 missing, 1 sorted set, 2 intset, 3 hashtable set
//   4  u32 enc      } for a sorted set these two words are a zset.ts handle, so the
//   8  u32 val      } encoding-independent cursors work on the record directly
//   12 u32 length
//   16 f64 weight
//
// As Redis does, union and intersection first sort the inputs by size (stably), smallest
// first: the intersection then walks the smallest input and probes the others, and both add
// scores in that order, which decides the last bit of a sum of three or more doubles. A weighted
// score that is NaN (inf × 0) counts as 0, and so does a SUM that comes out NaN (inf + -inf).
//
// The result is built as a skiplist (skiplist.ts) and, for the STORE forms, turned into a listpack
// when it is small enough: Redis 7.0 chooses the encoding of these results by their size.
import { argc, argPtr, argLen, argIs } from "./request";
import { addReplyBulk, addReplyLongLong, addReplyError, errorBegin, errorAscii, errorEnd } from "./reply";
import { lookupRead, lookupWriteLink } from "./db";
import { OBJ_ZSET, OBJ_SET, ENC_INTSET, ENC_SKIPLIST, entryType, entryEncoding, entryVal } from "./object";
import { string2d, parsedDouble, string2ll, parsedInt, ll2string } from "./util";
import { addReplyWrongType } from "./t_string";
import { alloc, free } from "./alloc";
import { Dict, dictFind, dictSize, dictScanStep, scanReset, scanFound, scanEntry } from "./dict";
import { blobData, blobLen } from "./blob";
import { intsetLen, intsetGet, intsetFind } from "./intset";
import {
  ZSet, zslCreate, zslFree, zslFind, zslInsert, zslUpdateScore, zslFirst, nodeNext, nodeScore, nodeMember,
  nodeMemberLen,
} from "./skiplist";
import { H_DST, zhSet, zsetLen, zcFirst, zcNext, zcMember, zcScore, curPtr, curLen, zsetScore, zScore, zsetShrinkIfSmall } from "./zset";
import { db, addReplyMembersLen, addReplyMemberScore } from "./t_zset";
import { storeResult } from "./zrange";

const SRC_MISSING: u32 = 0;
const SRC_ZSET: u32 = 1;
const SRC_INTSET: u32 = 2;
const SRC_HTSET: u32 = 3;
const REC: usize = 24;

const OP_UNION: i32 = 0;
const OP_INTER: i32 = 1;
const OP_DIFF: i32 = 2;

const AGG_SUM: i32 = 0;
const AGG_MIN: i32 = 1;
const AGG_MAX: i32 = 2;

// @ts-ignore: decorator
@inline
function rec(src: usize, i: i32): usize {
  return src + <usize>i * REC;
}

// @ts-ignore: decorator
@inline
function recKind(r: usize): u32 {
  return load<u32>(r);
}

// @ts-ignore: decorator
@inline
function recVal(r: usize): usize {
  return <usize>load<u32>(r, 8);
}

// @ts-ignore: decorator
@inline
function recLen(r: usize): u32 {
  return load<u32>(r, 12);
}

// @ts-ignore: decorator
@inline
function recWeight(r: usize): f64 {
  return load<f64>(r, 16);
}

// ---- iterating and probing an input ------------------------------------------------------------------

const intBuf: usize = memory.data(24);

/** Member and score of the current element of an input being iterated. */
let itPtr: usize = 0;
let itLen: usize = 0;
let itScore: f64 = 0;
let itPos: usize = 0;
let itCount: usize = 0;

/** Starts iterating input r; for a hashtable set this collects its entries (dict scan list). */
function iterStart(r: usize): void {
  const k = recKind(r);
  itPos = 0;
  if (k == SRC_ZSET) itPos = zcFirst(r + 4);
  else if (k == SRC_HTSET) {
    scanReset();
    const d = changetype<Dict>(recVal(r));
    let c: u32 = 0;
    do c = dictScanStep(d, c);
    while (c != 0);
    itCount = scanFound;
  } else if (k == SRC_INTSET) itCount = <usize>recLen(r);
  else itCount = 0;
}

/** Moves to the next element; false at the end. */
function iterNext(r: usize): bool {
  const k = recKind(r);
  if (k == SRC_ZSET) {
    if (itPos == 0) return false;
    const h = r + 4;
    itScore = zcScore(h, itPos);
    zcMember(h, itPos);
    itPtr = curPtr;
    itLen = curLen;
    itPos = zcNext(h, itPos);
    return true;
  }
  if (itPos >= itCount) return false;
  itScore = 1.0;
  if (k == SRC_INTSET) {
    itLen = ll2string(intBuf, intsetGet(recVal(r), <u32>itPos));
    itPtr = intBuf;
  } else {
    const e = scanEntry(itPos);
    itPtr = blobData(e + 4);
    itLen = blobLen(e + 4);
  }
  itPos++;
  return true;
}

let foundScore: f64 = 0;

/** Whether input r holds the member; its score in foundScore. */
function probe(r: usize, p: usize, n: usize): bool {
  const k = recKind(r);
  if (k == SRC_ZSET) {
    if (!zsetScore(r + 4, p, n)) return false;
    foundScore = zScore;
    return true;
  }
  foundScore = 1.0;
  if (k == SRC_INTSET) return string2ll(p, n) && intsetFind(recVal(r), parsedInt);
  if (k == SRC_HTSET) return dictFind(changetype<Dict>(recVal(r)), p, n) != 0;
  return false;
}

// @ts-ignore: decorator
@inline
function aggregate(agg: i32, acc: f64, v: f64): f64 {
  if (agg == AGG_SUM) {
    const s = acc + v;
    return isNaN(s) ? 0.0 : s;
  }
  if (agg == AGG_MIN) return v < acc ? v : acc;
  return v > acc ? v : acc;
}

// ---- the command ------------------------------------------------------------------------------------

/**
 * dstArg: destination key argument (STORE forms) or 0; numArg: the numkeys argument; name: the
 * command name for the "at least 1 input key" error; cardOnly: ZINTERCARD.
 */
function setOpGeneric(dstArg: i32, numArg: i32, op: i32, name: string, cardOnly: bool): void {
  if (!string2ll(argPtr(numArg), argLen(numArg))) {
    addReplyError("value is not an integer or out of range");
    return;
  }
  const setnum = parsedInt;
  if (setnum < 1) {
    errorBegin("ERR at least 1 input key is needed for '");
    errorAscii(name);
    errorAscii("' command");
    errorEnd();
    return;
  }
  if (setnum > <i64>(argc - numArg - 1)) {
    addReplyError("syntax error");
    return;
  }
  const n = <i32>setnum;
  const src = alloc(<usize>n * REC);
  const d = db();
  for (let i = 0; i < n; i++) {
    const r = rec(src, i);
    const a = numArg + 1 + i;
    let e: usize = 0;
    if (dstArg > 0) {
      const link = lookupWriteLink(d, argPtr(a), argLen(a));
      if (link != 0) e = <usize>load<u32>(link);
    } else e = lookupRead(d, argPtr(a), argLen(a));
    store<u64>(r, 0);
    store<u64>(r, 0, 8);
    store<f64>(r, 1.0, 16);
    if (e == 0) continue;
    const t = entryType(e);
    if (t == OBJ_ZSET) {
      store<u32>(r, SRC_ZSET);
      zhSet(r + 4, entryEncoding(e), entryVal(e));
      store<u32>(r, zsetLenOf(r + 4), 12);
    } else if (t == OBJ_SET) {
      const v = entryVal(e);
      if (entryEncoding(e) == ENC_INTSET) {
        store<u32>(r, SRC_INTSET);
        store<u32>(r, intsetLen(v), 12);
      } else {
        store<u32>(r, SRC_HTSET);
        store<u32>(r, dictSize(changetype<Dict>(v)), 12);
      }
      store<u32>(r, <u32>v, 8);
    } else {
      free(src);
      addReplyWrongType();
      return;
    }
  }
  // Options.
  let j = numArg + 1 + n;
  let agg = AGG_SUM;
  let withScores = false;
  let limit: i64 = 0;
  while (j < argc) {
    const remaining = argc - j;
    if (op != OP_DIFF && !cardOnly && remaining >= n + 1 && argIs(j, "weights")) {
      j++;
      for (let i = 0; i < n; i++, j++) {
        if (!string2d(argPtr(j), argLen(j))) {
          free(src);
          addReplyError("weight value is not a float");
          return;
        }
        store<f64>(rec(src, i), parsedDouble, 16);
      }
    } else if (op != OP_DIFF && !cardOnly && remaining >= 2 && argIs(j, "aggregate")) {
      j++;
      if (argIs(j, "sum")) agg = AGG_SUM;
      else if (argIs(j, "min")) agg = AGG_MIN;
      else if (argIs(j, "max")) agg = AGG_MAX;
      else {
        free(src);
        addReplyError("syntax error");
        return;
      }
      j++;
    } else if (dstArg == 0 && !cardOnly && argIs(j, "withscores")) {
      j++;
      withScores = true;
    } else if (cardOnly && remaining >= 2 && argIs(j, "limit")) {
      j++;
      if (!string2ll(argPtr(j), argLen(j))) {
        free(src);
        addReplyError("LIMIT can't be negative");
        return;
      }
      if (parsedInt < 0) {
        free(src);
        addReplyError("LIMIT can't be negative");
        return;
      }
      limit = parsedInt;
      j++;
    } else {
      free(src);
      addReplyError("syntax error");
      return;
    }
  }
  if (op != OP_DIFF) sortBySize(src, n);

  const z = zslCreate();
  let cardinality: i64 = 0;
  if (op == OP_UNION) {
    for (let i = 0; i < n; i++) {
      const r = rec(src, i);
      if (recLen(r) == 0) continue;
      const w = recWeight(r);
      iterStart(r);
      while (iterNext(r)) {
        let score = w * itScore;
        if (isNaN(score)) score = 0;
        const node = zslFind(z, itPtr, itLen);
        if (node == 0) zslInsert(z, score, itPtr, itLen);
        else zslUpdateScore(z, node, aggregate(agg, nodeScore(node), score));
      }
    }
  } else if (op == OP_INTER) {
    const r0 = rec(src, 0);
    if (recLen(r0) > 0) {
      iterStart(r0);
      while (iterNext(r0)) {
        let score = recWeight(r0) * itScore;
        if (isNaN(score)) score = 0;
        let k = 1;
        for (; k < n; k++) {
          const rk = rec(src, k);
          if (!probe(rk, itPtr, itLen)) break;
          score = aggregate(agg, score, foundScore * recWeight(rk));
        }
        if (k < n) continue;
        if (cardOnly) {
          cardinality++;
          if (limit != 0 && cardinality >= limit) break;
        } else zslInsert(z, score, itPtr, itLen);
      }
    }
  } else {
    const r0 = rec(src, 0);
    if (recLen(r0) > 0) {
      iterStart(r0);
      while (iterNext(r0)) {
        let k = 1;
        for (; k < n; k++) if (probe(rec(src, k), itPtr, itLen)) break;
        if (k == n) zslInsert(z, itScore, itPtr, itLen);
      }
    }
  }
  free(src);

  if (cardOnly) {
    zslFree(z);
    addReplyLongLong(cardinality);
    return;
  }
  if (dstArg > 0) {
    zhSet(H_DST, ENC_SKIPLIST, changetype<usize>(z));
    let maxLen: usize = 0;
    let node = zslFirst(z);
    while (node != 0) {
      if (nodeMemberLen(node) > maxLen) maxLen = nodeMemberLen(node);
      node = nodeNext(node);
    }
    zsetShrinkIfSmall(H_DST, maxLen);
    const len = zsetLenOf(H_DST);
    storeResult(dstArg, H_DST);
    addReplyLongLong(len);
    return;
  }
  addReplyMembersLen(<i64>z.length, withScores);
  let node = zslFirst(z);
  while (node != 0) {
    addReplyMemberScore(nodeMember(node), nodeMemberLen(node), nodeScore(node), withScores);
    node = nodeNext(node);
  }
  zslFree(z);
}

function zsetLenOf(h: usize): u32 {
  return zsetLen(h);
}

/** Stable insertion sort of the records by length, smallest first (few inputs). */
const sortTmp: usize = memory.data(24);

function sortBySize(src: usize, n: i32): void {
  const tmp = sortTmp;
  for (let i = 1; i < n; i++) {
    memory.copy(tmp, rec(src, i), REC);
    const len = recLen(tmp);
    let j = i - 1;
    while (j >= 0 && recLen(rec(src, j)) > len) {
      memory.copy(rec(src, j + 1), rec(src, j), REC);
      j--;
    }
    memory.copy(rec(src, j + 1), tmp, REC);
  }
}

export function zunionCommand(): void {
  setOpGeneric(0, 1, OP_UNION, "zunion", false);
}

export function zinterCommand(): void {
  setOpGeneric(0, 1, OP_INTER, "zinter", false);
}

export function zdiffCommand(): void {
  setOpGeneric(0, 1, OP_DIFF, "zdiff", false);
}

export function zunionstoreCommand(): void {
  setOpGeneric(1, 2, OP_UNION, "zunionstore", false);
}

export function zinterstoreCommand(): void {
  setOpGeneric(1, 2, OP_INTER, "zinterstore", false);
}

export function zdiffstoreCommand(): void {
  setOpGeneric(1, 2, OP_DIFF, "zdiffstore", false);
}

export function zintercardCommand(): void {
  setOpGeneric(0, 1, OP_INTER, "zintercard", true);
}
