// Sorted set range commands: ZRANGE in all its forms (by rank, score or lex, reversed, with LIMIT
// and WITHSCORES), ZRANGESTORE, the older ZREVRANGE/Z[REV]RANGEBYSCORE/Z[REV]RANGEBYLEX, ZCOUNT,
// ZLEXCOUNT and ZREMRANGEBY{RANK,SCORE,LEX}.
//
// Score bounds are read the way Redis 7.0 reads them, with C's strtod over the argument: that is
// more lenient than ZADD's scores ("" is 0, leading spaces, hex, 1e999 as inf and 1e-999 as 0 are
// all accepted), and only NaN and trailing junk are "min or max is not a float". A '(' in front
// makes the bound exclusive. Lex bounds are "-", "+", or "[" / "(" followed by the bytes.
//
// Reversed score and lex forms take their bounds as max then min; ranks of a reversed range
// count from the highest score.
import { argc, argPtr, argLen, argIs } from "./request";
import { addReplyBulk, addReplyLongLong, addReplyError, addReplyArrayLen, proto, addReplyDeferredLen, setDeferredArrayLen } from "./reply";
import { addDirty, newKeyLru } from "./server";
import { dbFindLink, lastHash, dbAddNew, dbReplaceAt, dbDeleteAt } from "./db";
import { OBJ_ZSET, entryType, newPtrEntry } from "./object";
import { string2d, parsedDouble, string2ll, parsedInt } from "./util";
import { addReplyWrongType } from "./t_string";
import { nodeScore, ZSet, zslNodeRank } from "./skiplist";
import {
  H_KEY, H_DST, zhLoad, zhCreate, zhFree, zhEnc, zhVal, zsetLen, zcFirst, zcLast, zcNext, zcPrev, zcMember,
  zcScore, zcAtRank, curPtr, curLen, zsetDeleteFrom, zsetInsertNew, setScoreRange, scoreInRange, rangeMin,
  rangeMax, rangeMinEx, rangeMaxEx, zcFirstInScoreRange, zcLastInScoreRange, setLexRange, lexInRange,
  zcFirstInLexRange, zcLastInLexRange, LEX_MINUS, LEX_PLUS, LEX_INCL, LEX_EXCL,
} from "./zset";
import { ENC_SKIPLIST } from "./object";
import { addReplyDouble, db, readZset, writeLink, storeBack } from "./t_zset";

// ---- parsing ---------------------------------------------------------------------------------------

let itemValue: f64 = 0;

// @ts-ignore: decorator
@inline
function isSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

/**
 * strtod over the whole text: true with the value in itemValue. Beyond util.ts's string2d it takes
 * leading white space, the empty string (0), and out-of-range decimals (to ±inf or ±0).
 */
function strtodWhole(p: usize, n: usize): bool {
  if (n == 0) {
    itemValue = 0;
    return true;
  }
  let i: usize = 0;
  while (i < n && isSpace(<u32>load<u8>(p + i))) i++;
  if (i == n) return false;
  if (string2d(p + i, n - i)) {
    itemValue = parsedDouble;
    return true;
  }
  // string2d refuses overflow and underflow, strtod saturates: is this a well-formed decimal?
  let j = i;
  let neg = false;
  if (load<u8>(p + j) == 45 || load<u8>(p + j) == 43) {
    neg = load<u8>(p + j) == 45;
    j++;
  }
  let digits = 0;
  while (j < n && <u32>load<u8>(p + j) - 48 < 10) {
    j++;
    digits++;
  }
  if (j < n && load<u8>(p + j) == 46) {
    j++;
    while (j < n && <u32>load<u8>(p + j) - 48 < 10) {
      j++;
      digits++;
    }
  }
  if (digits == 0 || j >= n || (load<u8>(p + j) | 32) != 101) return false;
  j++;
  let expNeg = false;
  if (j < n && (load<u8>(p + j) == 45 || load<u8>(p + j) == 43)) {
    expNeg = load<u8>(p + j) == 45;
    j++;
  }
  let expDigits = 0;
  while (j < n && <u32>load<u8>(p + j) - 48 < 10) {
    j++;
    expDigits++;
  }
  if (expDigits == 0 || j != n) return false;
  const mag: f64 = expNeg ? 0 : Infinity;
  itemValue = neg ? -mag : mag;
  return true;
}

/** Parses a score bound; sets itemValue and itemExcl. */
let itemExcl = false;

function parseScoreItem(i: i32): bool {
  const p = argPtr(i);
  const n = argLen(i);
  itemExcl = n > 0 && load<u8>(p) == 40;
  const ok = itemExcl ? strtodWhole(p + 1, n - 1) : strtodWhole(p, n);
  return ok && !isNaN(itemValue);
}

/** Parses a score range from arguments min, max; replies with the error on failure. */
export function parseScoreRange(minArg: i32, maxArg: i32): bool {
  if (!parseScoreItem(minArg)) {
    addReplyError("min or max is not a float");
    return false;
  }
  const min = itemValue;
  const minEx = itemExcl;
  if (!parseScoreItem(maxArg)) {
    addReplyError("min or max is not a float");
    return false;
  }
  setScoreRange(min, minEx, itemValue, itemExcl);
  return true;
}

let lexKind: i32 = 0;

function parseLexItem(i: i32): bool {
  const p = argPtr(i);
  const n = argLen(i);
  if (n == 0) return false;
  const c = load<u8>(p);
  if (c == 43) {
    lexKind = LEX_PLUS;
    return n == 1;
  }
  if (c == 45) {
    lexKind = LEX_MINUS;
    return n == 1;
  }
  if (c == 40) {
    lexKind = LEX_EXCL;
    return true;
  }
  if (c == 91) {
    lexKind = LEX_INCL;
    return true;
  }
  return false;
}

export function parseLexRange(minArg: i32, maxArg: i32): bool {
  if (!parseLexItem(minArg)) {
    addReplyError("min or max not valid string range item");
    return false;
  }
  const minKind = lexKind;
  if (!parseLexItem(maxArg)) {
    addReplyError("min or max not valid string range item");
    return false;
  }
  setLexRange(minKind, argPtr(minArg) + 1, argLen(minArg) - 1, lexKind, argPtr(maxArg) + 1, argLen(maxArg) - 1);
  return true;
}

// ---- result sink: the client, or a destination set ------------------------------------------------

let toStore = false;
let withScores = false;
let emitted: i64 = 0;
let deferAt: usize = 0;

function beginResult(known: i64): void {
  emitted = 0;
  if (toStore) {
    zhCreate(H_DST, known < 0 ? 0 : <u64>known, 0);
    return;
  }
  if (known >= 0) addReplyArrayLen(withScores && proto < 3 ? known * 2 : known);
  else deferAt = addReplyDeferredLen();
}

function emit(c: usize): void {
  const score = zcScore(H_KEY, c);
  zcMember(H_KEY, c);
  emitted++;
  if (toStore) {
    zsetInsertNew(H_DST, score, curPtr, curLen);
    return;
  }
  if (withScores && proto >= 3) addReplyArrayLen(2);
  addReplyBulk(curPtr, curLen);
  if (withScores) addReplyDouble(score);
}

function endResult(known: i64, dstArg: i32): void {
  if (toStore) {
    storeResult(dstArg, H_DST);
    addReplyLongLong(emitted);
    return;
  }
  if (known < 0) setDeferredArrayLen(deferAt, withScores && proto < 3 ? emitted * 2 : emitted);
}

/** Puts the set in handle h at key argument `dstArg` (replacing any value, dropping any TTL),
 *  or deletes the key when h is empty. */
export function storeResult(dstArg: i32, h: usize): void {
  const d = db();
  const link = dbFindLink(d, argPtr(dstArg), argLen(dstArg));
  if (zsetLen(h) == 0) {
    zhFree(h);
    if (link != 0) {
      dbDeleteAt(d, link);
      addDirty(1);
    }
    return;
  }
  const e = newPtrEntry(argPtr(dstArg), argLen(dstArg), OBJ_ZSET, zhEnc(h), zhVal(h), false, newKeyLru());
  if (link != 0) dbReplaceAt(d, link, e, true);
  else dbAddNew(d, e, lastHash);
  addDirty(1);
}

// ---- ZRANGE and friends ------------------------------------------------------------------------------

const BY_AUTO: i32 = 0;
const BY_RANK: i32 = 1;
const BY_SCORE: i32 = 2;
const BY_LEX: i32 = 3;
const DIR_AUTO: i32 = 0;
const DIR_FWD: i32 = 1;
const DIR_REV: i32 = 2;

function zrangeGeneric(dstArg: i32, keyArg: i32, by: i32, dir: i32): void {
  const store = dstArg > 0;
  let minArg = keyArg + 1;
  let maxArg = keyArg + 2;
  let optWith = false;
  let optRev = false;
  let optBy = BY_RANK;
  let offset: i64 = 0;
  let limit: i64 = -1;
  let haveLimit = false;
  for (let j = keyArg + 3; j < argc; j++) {
    const left = argc - j - 1;
    if (!store && argIs(j, "withscores")) optWith = true;
    else if (argIs(j, "limit") && left >= 2) {
      if (!string2ll(argPtr(j + 1), argLen(j + 1))) {
        addReplyError("value is not an integer or out of range");
        return;
      }
      offset = parsedInt;
      if (!string2ll(argPtr(j + 2), argLen(j + 2))) {
        addReplyError("value is not an integer or out of range");
        return;
      }
      limit = parsedInt;
      haveLimit = true;
      j += 2;
    } else if (dir == DIR_AUTO && argIs(j, "rev")) optRev = true;
    else if (by == BY_AUTO && argIs(j, "bylex")) optBy = BY_LEX;
    else if (by == BY_AUTO && argIs(j, "byscore")) optBy = BY_SCORE;
    else {
      addReplyError("syntax error");
      return;
    }
  }
  if (dir == DIR_AUTO) dir = optRev ? DIR_REV : DIR_FWD;
  if (by == BY_AUTO) by = optBy;
  if (haveLimit && by == BY_RANK) {
    addReplyError("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (optWith && by == BY_LEX) {
    addReplyError("syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  const rev = dir == DIR_REV;
  if (rev && by != BY_RANK) {
    const t = minArg;
    minArg = maxArg;
    maxArg = t;
  }
  let start: i64 = 0;
  let end: i64 = 0;
  if (by == BY_RANK) {
    if (!string2ll(argPtr(minArg), argLen(minArg))) {
      addReplyError("value is not an integer or out of range");
      return;
    }
    start = parsedInt;
    if (!string2ll(argPtr(maxArg), argLen(maxArg))) {
      addReplyError("value is not an integer or out of range");
      return;
    }
    end = parsedInt;
  } else if (by == BY_SCORE) {
    if (!parseScoreRange(minArg, maxArg)) return;
  } else if (!parseLexRange(minArg, maxArg)) return;

  toStore = store;
  withScores = optWith;
  const r = readZset(keyArg);
  if (r < 0) return;
  if (r == 0) {
    beginResult(0);
    endResult(0, dstArg);
    return;
  }
  if (by == BY_RANK) rangeByRank(start, end, rev, dstArg);
  else rangeByScoreOrLex(by == BY_LEX, rev, offset, limit, dstArg);
}

function rangeByRank(start: i64, end: i64, rev: bool, dstArg: i32): void {
  const llen = <i64>zsetLen(H_KEY);
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    beginResult(0);
    endResult(0, dstArg);
    return;
  }
  if (end >= llen) end = llen - 1;
  const count = end - start + 1;
  beginResult(count);
  let c = zcAtRank(H_KEY, <u32>(rev ? llen - 1 - start : start));
  for (let i: i64 = 0; i < count && c != 0; i++) {
    emit(c);
    c = rev ? zcPrev(H_KEY, c) : zcNext(H_KEY, c);
  }
  endResult(count, dstArg);
}

function inRange(lex: bool, c: usize): bool {
  if (lex) {
    zcMember(H_KEY, c);
    return lexInRange(curPtr, curLen);
  }
  return scoreInRange(zcScore(H_KEY, c));
}

function rangeByScoreOrLex(lex: bool, rev: bool, offset: i64, limit: i64, dstArg: i32): void {
  let c: usize;
  if (lex) c = rev ? zcLastInLexRange(H_KEY) : zcFirstInLexRange(H_KEY);
  else c = rev ? zcLastInScoreRange(H_KEY) : zcFirstInScoreRange(H_KEY);
  beginResult(-1);
  // A negative offset skips everything, as in Redis.
  while (c != 0 && offset != 0) {
    c = rev ? zcPrev(H_KEY, c) : zcNext(H_KEY, c);
    offset--;
  }
  while (c != 0 && limit != 0) {
    if (!inRange(lex, c)) break;
    emit(c);
    limit--;
    c = rev ? zcPrev(H_KEY, c) : zcNext(H_KEY, c);
  }
  endResult(-1, dstArg);
}

export function zrangeCommand(): void {
  zrangeGeneric(0, 1, BY_AUTO, DIR_AUTO);
}

export function zrangestoreCommand(): void {
  zrangeGeneric(1, 2, BY_AUTO, DIR_AUTO);
}

export function zrevrangeCommand(): void {
  zrangeGeneric(0, 1, BY_RANK, DIR_REV);
}

export function zrangebyscoreCommand(): void {
  zrangeGeneric(0, 1, BY_SCORE, DIR_FWD);
}

export function zrevrangebyscoreCommand(): void {
  zrangeGeneric(0, 1, BY_SCORE, DIR_REV);
}

export function zrangebylexCommand(): void {
  zrangeGeneric(0, 1, BY_LEX, DIR_FWD);
}

export function zrevrangebylexCommand(): void {
  zrangeGeneric(0, 1, BY_LEX, DIR_REV);
}

// ---- counting ----------------------------------------------------------------------------------------

/** Members from cursor c on (ascending) that are in the current range. */
function countFrom(lex: bool, c: usize): u32 {
  if (c == 0) return 0;
  if (zhEnc(H_KEY) == ENC_SKIPLIST) {
    // Ranks make this O(log n): the last member in range is found by a search too.
    const z = changetype<ZSet>(zhVal(H_KEY));
    const last = lex ? zcLastInLexRange(H_KEY) : zcLastInScoreRange(H_KEY);
    if (last == 0) return 0;
    return zslNodeRank(z, last) - zslNodeRank(z, c) + 1;
  }
  let n: u32 = 0;
  while (c != 0 && inRange(lex, c)) {
    n++;
    c = zcNext(H_KEY, c);
  }
  return n;
}

export function zcountCommand(): void {
  if (!parseScoreRange(2, 3)) return;
  const r = readZset(1);
  if (r < 0) return;
  addReplyLongLong(r == 0 ? 0 : <i64>countFrom(false, zcFirstInScoreRange(H_KEY)));
}

export function zlexcountCommand(): void {
  if (!parseLexRange(2, 3)) return;
  const r = readZset(1);
  if (r < 0) return;
  addReplyLongLong(r == 0 ? 0 : <i64>countFrom(true, zcFirstInLexRange(H_KEY)));
}

// ---- ZREMRANGEBY* ------------------------------------------------------------------------------------

/** Loads H_KEY for a write; returns its link, 0 when missing (replied 0), or 1 on wrong type. */
function removalTarget(): usize {
  const link = writeLink(1);
  if (link == 0) {
    addReplyLongLong(0);
    return 0;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_ZSET) {
    addReplyWrongType();
    return 1;
  }
  zhLoad(H_KEY, e);
  return link;
}

function finishRemoval(link: usize, removed: u32): void {
  storeBack(link);
  addDirty(<u64>removed);
  addReplyLongLong(removed);
}

export function zremrangebyrankCommand(): void {
  if (!string2ll(argPtr(2), argLen(2))) {
    addReplyError("value is not an integer or out of range");
    return;
  }
  let start = parsedInt;
  if (!string2ll(argPtr(3), argLen(3))) {
    addReplyError("value is not an integer or out of range");
    return;
  }
  let end = parsedInt;
  const link = removalTarget();
  if (link <= 1) return;
  const llen = <i64>zsetLen(H_KEY);
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    addReplyLongLong(0);
    return;
  }
  if (end >= llen) end = llen - 1;
  const removed = zsetDeleteFrom(H_KEY, zcAtRank(H_KEY, <u32>start), <u32>(end - start + 1));
  finishRemoval(link, removed);
}

function zremrangeGeneric(lex: bool): void {
  if (lex) {
    if (!parseLexRange(2, 3)) return;
  } else if (!parseScoreRange(2, 3)) return;
  const link = removalTarget();
  if (link <= 1) return;
  const c = lex ? zcFirstInLexRange(H_KEY) : zcFirstInScoreRange(H_KEY);
  const removed = zsetDeleteFrom(H_KEY, c, countFrom(lex, c));
  finishRemoval(link, removed);
}

export function zremrangebyscoreCommand(): void {
  zremrangeGeneric(false);
}

export function zremrangebylexCommand(): void {
  zremrangeGeneric(true);
}
