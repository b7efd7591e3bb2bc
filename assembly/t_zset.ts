// Sorted set commands that work on single members: ZADD and ZINCRBY, ZREM, ZCARD, ZSCORE,
// ZMSCORE, ZRANK, ZREVRANK, the pops (ZPOPMIN, ZPOPMAX, ZMPOP), ZRANDMEMBER and ZSCAN. Range
// commands are in zrange.ts, the set operations in zsetops.ts, the value itself in zset.ts.
//
// Doubles: Redis 7.0 prints scores with "%.17g"; RESP2 sends them as bulk strings, RESP3 as
// `,` doubles. ZSCAN is the exception: it sends the score text a listpack would hold
// (d2string), a bulk string in both protocols.
import { cursorArg, parsedCursor, addReplyCursor, scanOptions, scanCount, scanPat, scanPatLen, scanMatchesAll, addReplyEmptyScan } from "./cursor";
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyBulk, addReplyNull, addReplyNullArray, addReplyLongLong, addReplyError, addReplyArrayLen,
  addReplyProto, proto, addReplyDeferredLen, setDeferredArrayLen,
} from "./reply";
import { currentDb, addDirty, newKeyLru } from "./server";
import { propOn, propCommand, propArg, propBulkInt } from "./propagate";
import { Db, getDb, dbFindLink, lastHash, lookupRead, lookupWriteLink, dbAddNew, dbDeleteAt } from "./db";
import { OBJ_ZSET, entryType, newPtrEntry, ENC_LISTPACK } from "./object";
import { formatDouble, d2string, string2d, parsedDouble, string2ll, parsedInt } from "./util";
import { addReplyWrongType } from "./t_string";
import { randomBelow } from "./random";
import { alloc, free } from "./alloc";
import { stringmatchlen } from "./glob";
import { dictScanStep, scanReset, scanFound, scanEntry } from "./dict";
import { nodeMember, nodeMemberLen, nodeScore, ZSet } from "./skiplist";
import {
  H_KEY, H_TMP, zhLoad, zhStore, zhCreate, zhFree, zhEnc, zhVal, zsetLen, zsetAdd, zsetDel, zsetScore, zScore,
  zsetRank, zaddOut, zaddNewScore, ZADD_INCR, ZADD_NX, ZADD_XX, ZADD_GT, ZADD_LT, ZADD_OUT_NOP, ZADD_OUT_ADDED,
  ZADD_OUT_UPDATED, ZADD_OUT_NAN, zcFirst, zcLast, zcNext, zcPrev, zcMember, zcScore, zcAtRank, curPtr, curLen,
  zsetDeleteFrom, zsetInsertNew,
} from "./zset";

// ---- shared pieces -------------------------------------------------------------------------------

const dblBuf: usize = memory.data(40);

/** A double reply: bulk "%.17g" in RESP2, `,` in RESP3. */
export function addReplyDouble(d: f64): void {
  if (proto >= 3) {
    store<u8>(dblBuf, 44); // ','
    const n = formatDouble(dblBuf + 1, d);
    store<u16>(dblBuf + 1 + n, 0x0a0d);
    addReplyProto(dblBuf, n + 3);
  } else addReplyBulk(dblBuf, formatDouble(dblBuf, d));
}

/** One element of a reply with optional score: RESP3 pairs it as a 2-array. */
export function addReplyMemberScore(p: usize, n: usize, score: f64, withScores: bool): void {
  if (withScores && proto >= 3) addReplyArrayLen(2);
  addReplyBulk(p, n);
  if (withScores) addReplyDouble(score);
}

/** Array header for `count` elements, flat pairs in RESP2 when with scores. */
export function addReplyMembersLen(count: i64, withScores: bool): void {
  addReplyArrayLen(withScores && proto < 3 ? count * 2 : count);
}

export function db(): Db {
  return getDb(currentDb);
}

/** The sorted set at argument `i` for reading: loads H_KEY. 0 = missing; -1 = wrong type (replied). */
export function readZset(i: i32): i32 {
  const e = lookupRead(db(), argPtr(i), argLen(i));
  if (e == 0) return 0;
  if (entryType(e) != OBJ_ZSET) {
    addReplyWrongType();
    return -1;
  }
  zhLoad(H_KEY, e);
  return 1;
}

/** Link of the key at argument `i` for writing, or 0 (the hash is in lastHash). */
export function writeLink(i: i32): usize {
  return lookupWriteLink(db(), argPtr(i), argLen(i));
}

/** Stores H_KEY back into the entry at `link`, deleting the key when the set became empty. */
export function storeBack(link: usize): void {
  const e = <usize>load<u32>(link);
  zhStore(H_KEY, e);
  if (zsetLen(H_KEY) == 0) dbDeleteAt(db(), link);
}

/** Adds a new key (absent: lastHash is its hash) holding handle h. */
export function addNewKey(i: i32, h: usize, hash: u32): void {
  const e = newPtrEntry(argPtr(i), argLen(i), OBJ_ZSET, zhEnc(h), zhVal(h), false, newKeyLru());
  dbAddNew(db(), e, hash);
}

function addReplyNotFloat(): void {
  addReplyError("value is not a valid float");
}

// ---- ZADD / ZINCRBY -----------------------------------------------------------------------------

/** Parsed ZADD scores, grown as needed and kept for the next call. */
let scores: usize = 0;
let scoresCap: usize = 0;

function scoreSlots(n: usize): usize {
  if (n > scoresCap) {
    if (scores != 0) free(scores);
    scores = alloc(n << 3);
    scoresCap = n;
  }
  return scores;
}

function zaddGeneric(incrCmd: bool): void {
  let flags: u32 = incrCmd ? ZADD_INCR : 0;
  let ch = false;
  let i = 2;
  if (!incrCmd) {
    for (; i < argc; i++) {
      if (argIs(i, "nx")) flags |= ZADD_NX;
      else if (argIs(i, "xx")) flags |= ZADD_XX;
      else if (argIs(i, "gt")) flags |= ZADD_GT;
      else if (argIs(i, "lt")) flags |= ZADD_LT;
      else if (argIs(i, "ch")) ch = true;
      else if (argIs(i, "incr")) flags |= ZADD_INCR;
      else break;
    }
  }
  const pairsArgs = argc - i;
  if (pairsArgs == 0 || (pairsArgs & 1) != 0) {
    addReplyError("syntax error");
    return;
  }
  const nx = (flags & ZADD_NX) != 0;
  const xx = (flags & ZADD_XX) != 0;
  const gt = (flags & ZADD_GT) != 0;
  const lt = (flags & ZADD_LT) != 0;
  const incr = (flags & ZADD_INCR) != 0;
  if (nx && xx) {
    addReplyError("XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    addReplyError("GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  const elements = pairsArgs >> 1;
  if (incr && elements > 1) {
    addReplyError("INCR option supports a single increment-element pair");
    return;
  }
  const sc = scoreSlots(<usize>elements);
  for (let j = 0; j < elements; j++) {
    const a = i + j * 2;
    if (!string2d(argPtr(a), argLen(a))) {
      addReplyNotFloat();
      return;
    }
    store<f64>(sc + (<usize>j << 3), parsedDouble);
  }
  const d = db();
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  const hash = lastHash;
  let isNew = false;
  if (link != 0) {
    const e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_ZSET) {
      addReplyWrongType();
      return;
    }
    zhLoad(H_KEY, e);
  } else {
    if (xx) {
      if (incr) addReplyNull();
      else addReplyLongLong(0);
      return;
    }
    zhCreate(H_KEY, 0, <u64>argLen(i + 1));
    isNew = true;
  }
  let added: i64 = 0;
  let updated: i64 = 0;
  let processed: i64 = 0;
  let nanError = false;
  let score: f64 = 0;
  for (let j = 0; j < elements; j++) {
    const m = i + j * 2 + 1;
    if (!zsetAdd(H_KEY, load<f64>(sc + (<usize>j << 3)), argPtr(m), argLen(m), flags)) {
      nanError = true;
      break;
    }
    if (zaddOut & ZADD_OUT_ADDED) added++;
    if (zaddOut & ZADD_OUT_UPDATED) updated++;
    if (!(zaddOut & ZADD_OUT_NOP)) processed++;
    score = zaddNewScore;
  }
  if (isNew) {
    if (zsetLen(H_KEY) > 0) addNewKey(1, H_KEY, hash);
    else zhFree(H_KEY);
  } else {
    zhStore(H_KEY, <usize>load<u32>(link));
  }
  addDirty(<u64>(added + updated));
  if (nanError) {
    addReplyError("resulting score is not a number (NaN)");
    return;
  }
  if (incr) {
    if (processed > 0) addReplyDouble(score);
    else addReplyNull();
  } else addReplyLongLong(ch ? added + updated : added);
}

export function zaddCommand(): void {
  zaddGeneric(false);
}

export function zincrbyCommand(): void {
  zaddGeneric(true);
}

// ---- simple reads and removals ----------------------------------------------------------------------

export function zremCommand(): void {
  const link = writeLink(1);
  if (link == 0) {
    addReplyLongLong(0);
    return;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_ZSET) {
    addReplyWrongType();
    return;
  }
  zhLoad(H_KEY, e);
  let removed: i64 = 0;
  for (let i = 2; i < argc; i++) {
    if (zsetDel(H_KEY, argPtr(i), argLen(i))) removed++;
    if (zsetLen(H_KEY) == 0) break;
  }
  storeBack(link);
  addDirty(<u64>removed);
  addReplyLongLong(removed);
}

export function zcardCommand(): void {
  const r = readZset(1);
  if (r < 0) return;
  addReplyLongLong(r == 0 ? 0 : <i64>zsetLen(H_KEY));
}

export function zscoreCommand(): void {
  const r = readZset(1);
  if (r < 0) return;
  if (r == 0 || !zsetScore(H_KEY, argPtr(2), argLen(2))) addReplyNull();
  else addReplyDouble(zScore);
}

export function zmscoreCommand(): void {
  const r = readZset(1);
  if (r < 0) return;
  addReplyArrayLen(argc - 2);
  for (let i = 2; i < argc; i++) {
    if (r == 0 || !zsetScore(H_KEY, argPtr(i), argLen(i))) addReplyNull();
    else addReplyDouble(zScore);
  }
}

function zrankGeneric(rev: bool): void {
  const r = readZset(1);
  if (r < 0) return;
  if (r == 0) {
    addReplyNull();
    return;
  }
  const rank = zsetRank(H_KEY, argPtr(2), argLen(2), rev);
  if (rank < 0) addReplyNull();
  else addReplyLongLong(rank);
}

export function zrankCommand(): void {
  zrankGeneric(false);
}

export function zrevrankCommand(): void {
  zrankGeneric(true);
}

// ---- pops -----------------------------------------------------------------------------------------

/**
 * Pops up to `count` members from the lowest (or highest, `max`) end of the set at key argument
 * `keyArg` whose link is `link`, and writes the reply. `count` < 0 means "no count given": one
 * member, as a flat pair. `emitKey` is ZMPOP's [key, [[member, score], …]] shape.
 */
export function popAndReply(link: usize, keyArg: i32, count: i64, max: bool, emitKey: bool): void {
  const e = <usize>load<u32>(link);
  zhLoad(H_KEY, e);
  const len = <i64>zsetLen(H_KEY);
  const single = count < 0;
  let n = single ? 1 : count;
  if (n > len) n = len;
  const nested = emitKey || (proto >= 3 && !single);
  if (emitKey) {
    addReplyArrayLen(2);
    addReplyBulk(argPtr(keyArg), argLen(keyArg));
  }
  addReplyArrayLen(nested ? n : n * 2);
  for (let i: i64 = 0; i < n; i++) {
    const c = max ? zcLast(H_KEY) : zcFirst(H_KEY);
    const score = zcScore(H_KEY, c);
    zcMember(H_KEY, c);
    if (nested) addReplyArrayLen(2);
    addReplyBulk(curPtr, curLen);
    addReplyDouble(score);
    zsetDeleteFrom(H_KEY, c, 1);
  }
  storeBack(link);
  addDirty(<u64>n);
}

function zpopGeneric(max: bool): void {
  let count: i64 = -1;
  if (argc > 3) {
    addReplyError("syntax error");
    return;
  }
  if (argc == 3) {
    if (!string2ll(argPtr(2), argLen(2)) || parsedInt < 0) {
      addReplyError("value is out of range, must be positive");
      return;
    }
    count = parsedInt;
    if (count == 0) {
      addReplyArrayLen(0);
      return;
    }
  }
  const link = writeLink(1);
  if (link == 0) {
    addReplyArrayLen(0);
    return;
  }
  if (entryType(<usize>load<u32>(link)) != OBJ_ZSET) {
    addReplyWrongType();
    return;
  }
  popAndReply(link, 1, count, max, false);
}

export function zpopminCommand(): void {
  zpopGeneric(false);
}

export function zpopmaxCommand(): void {
  zpopGeneric(true);
}

/**
 * Parses ZMPOP's arguments from `first` (the numkeys argument). On success returns true with the
 * keys in mpopFirstKey..+mpopNumKeys, the side in mpopMax and the count in mpopCount.
 */
export let mpopFirstKey: i32 = 0;
export let mpopNumKeys: i32 = 0;
export let mpopMax: bool = false;
export let mpopCount: i64 = 1;

export function parseMpop(first: i32): bool {
  if (!string2ll(argPtr(first), argLen(first))) {
    addReplyError("numkeys should be greater than 0");
    return false;
  }
  const numkeys = parsedInt;
  if (numkeys <= 0 || numkeys > 0x7fffffff) {
    addReplyError("numkeys should be greater than 0");
    return false;
  }
  const where = first + 1 + <i32>numkeys;
  if (<i64>where >= <i64>argc) {
    addReplyError("syntax error");
    return false;
  }
  if (argIs(where, "min")) mpopMax = false;
  else if (argIs(where, "max")) mpopMax = true;
  else {
    addReplyError("syntax error");
    return false;
  }
  mpopCount = 1;
  let sawCount = false;
  for (let i = where + 1; i < argc; i++) {
    if (argIs(i, "count") && i + 1 < argc && !sawCount) {
      if (!string2ll(argPtr(i + 1), argLen(i + 1)) || parsedInt <= 0) {
        addReplyError("count should be greater than 0");
        return false;
      }
      mpopCount = parsedInt;
      sawCount = true;
      i++;
    } else {
      addReplyError("syntax error");
      return false;
    }
  }
  mpopFirstKey = first + 1;
  mpopNumKeys = <i32>numkeys;
  return true;
}

/**
 * Pops from the first non-empty sorted set among the keys parseMpop found and replies
 * [key, [[member, score], …]]. Returns 1 when it popped, 0 when every key was missing (nothing
 * replied), -1 after replying WRONGTYPE. For ZMPOP and BZMPOP.
 */
export function zsetMpopReply(): i32 {
  for (let k = 0; k < mpopNumKeys; k++) {
    const i = mpopFirstKey + k;
    const link = writeLink(i);
    if (link == 0) continue;
    if (entryType(<usize>load<u32>(link)) != OBJ_ZSET) {
      addReplyWrongType();
      return -1;
    }
    popAndReply(link, i, mpopCount, mpopMax, true);
    // ZMPOP and BZMPOP replay as ZPOPMIN/ZPOPMAX key count of the key they served.
    if (propOn) {
      propCommand(currentDb, 3, mpopMax ? "ZPOPMAX" : "ZPOPMIN");
      propArg(i);
      propBulkInt(mpopCount);
    }
    return 1;
  }
  return 0;
}

export function zmpopCommand(): void {
  if (!parseMpop(1)) return;
  if (zsetMpopReply() == 0) addReplyNullArray();
}

// ---- ZRANDMEMBER ------------------------------------------------------------------------------------

const LONG_MAX: i64 = 0x7fffffffffffffff;

export function zrandmemberCommand(): void {
  if (argc == 2) {
    const r = readZset(1);
    if (r < 0) return;
    if (r == 0) {
      addReplyNull();
      return;
    }
    const c = zcAtRank(H_KEY, randomBelow(zsetLen(H_KEY)));
    zcMember(H_KEY, c);
    addReplyBulk(curPtr, curLen);
    return;
  }
  if (!string2ll(argPtr(2), argLen(2))) {
    addReplyError("value is not an integer or out of range");
    return;
  }
  const l = parsedInt;
  if (l < -LONG_MAX) {
    addReplyError("value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  if (argc > 4 || (argc == 4 && !argIs(3, "withscores"))) {
    addReplyError("syntax error");
    return;
  }
  const withScores = argc == 4;
  if (withScores && (l < -(LONG_MAX / 2) || l > LONG_MAX / 2)) {
    addReplyError("value is out of range");
    return;
  }
  const r = readZset(1);
  if (r < 0) return;
  if (r == 0 || l == 0) {
    addReplyArrayLen(0);
    return;
  }
  const size = <i64>zsetLen(H_KEY);
  if (l < 0) {
    // Repetitions allowed: independent uniform picks.
    const count = -l;
    addReplyMembersLen(count, withScores);
    for (let i: i64 = 0; i < count; i++) {
      const c = zcAtRank(H_KEY, randomBelow(<u32>size));
      const s = zcScore(H_KEY, c);
      zcMember(H_KEY, c);
      addReplyMemberScore(curPtr, curLen, s, withScores);
    }
    return;
  }
  if (l >= size) {
    // The whole set, highest score first: Redis walks sorted sets from the tail here.
    addReplyMembersLen(size, withScores);
    let c = zcLast(H_KEY);
    while (c != 0) {
      const s = zcScore(H_KEY, c);
      zcMember(H_KEY, c);
      addReplyMemberScore(curPtr, curLen, s, withScores);
      c = zcPrev(H_KEY, c);
    }
    return;
  }
  // Distinct members: choose `l` of the `size` ranks (Floyd's algorithm over a bitmap), then
  // visit them in a random order by shuffling the chosen ranks.
  const count = <u32>l;
  const n = <u32>size;
  const bitmap = alloc((<usize>n + 7) >> 3);
  memory.fill(bitmap, 0, (<usize>n + 7) >> 3);
  const picks = alloc(<usize>count << 2);
  let k: u32 = 0;
  for (let j = n - count; j < n; j++) {
    let t = randomBelow(j + 1);
    if ((load<u8>(bitmap + (t >> 3)) & (1 << (t & 7))) != 0) t = j;
    store<u8>(bitmap + (t >> 3), <u8>(<u32>load<u8>(bitmap + (t >> 3)) | (<u32>1 << (t & 7))));
    store<u32>(picks + (<usize>k << 2), t);
    k++;
  }
  for (let i: u32 = count - 1; i > 0; i--) {
    const j = randomBelow(i + 1);
    const a = load<u32>(picks + (<usize>i << 2));
    store<u32>(picks + (<usize>i << 2), load<u32>(picks + (<usize>j << 2)));
    store<u32>(picks + (<usize>j << 2), a);
  }
  addReplyMembersLen(count, withScores);
  for (let i: u32 = 0; i < count; i++) {
    const c = zcAtRank(H_KEY, load<u32>(picks + (<usize>i << 2)));
    const s = zcScore(H_KEY, c);
    zcMember(H_KEY, c);
    addReplyMemberScore(curPtr, curLen, s, withScores);
  }
  free(picks);
  free(bitmap);
}

// ---- ZSCAN ----------------------------------------------------------------------------------------


const scoreText: usize = memory.data(40);

export function zscanCommand(): void {
  if (!cursorArg(2)) return;
  const r = readZset(1);
  if (r < 0) return;
  if (r == 0) {
    addReplyEmptyScan();
    return;
  }
  if (!scanOptions(3, false)) return;
  const count = scanCount;
  const pat = scanPat;
  const plen = scanPatLen;
  addReplyArrayLen(2);
  const all = scanMatchesAll();
  if (zhEnc(H_KEY) == ENC_LISTPACK) {
    // Small sets answer in one call, cursor 0, as Redis does.
    addReplyCursor(<u64>0);
    const at = addReplyDeferredLen();
    let n: i64 = 0;
    let c = zcFirst(H_KEY);
    while (c != 0) {
      const s = zcScore(H_KEY, c);
      zcMember(H_KEY, c);
      if (all || stringmatchlen(pat, plen, curPtr, curLen, false)) {
        addReplyBulk(curPtr, curLen);
        addReplyBulk(scoreText, d2string(scoreText, s));
        n += 2;
      }
      c = zcNext(H_KEY, c);
    }
    setDeferredArrayLen(at, n);
    return;
  }
  const z = changetype<ZSet>(zhVal(H_KEY));
  scanReset();
  let cur = <u32>parsedCursor;
  let iterations = count * 10;
  do {
    cur = dictScanStep(z.dict, cur);
  } while (cur != 0 && iterations-- > 0 && <i64>scanFound < count);
  addReplyCursor(<u64>cur);
  const at = addReplyDeferredLen();
  let n: i64 = 0;
  for (let i: usize = 0; i < scanFound; i++) {
    const node = scanEntry(i);
    const p = nodeMember(node);
    const l = nodeMemberLen(node);
    if (!all && !stringmatchlen(pat, plen, p, l, false)) continue;
    addReplyBulk(p, l);
    addReplyBulk(scoreText, d2string(scoreText, nodeScore(node)));
    n += 2;
  }
  setDeferredArrayLen(at, n);
}

