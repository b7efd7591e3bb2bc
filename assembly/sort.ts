// SORT and SORT_RO: sort the elements of a list, set or sorted set, optionally by the values of
// other keys (BY), reply other keys' values instead of the elements (GET), cut a window (LIMIT)
// and, for SORT, store the result as a list (STORE).
//
// How a SORT runs, in the order Redis 7.0 does things (the order decides which error wins and what
// a client can observe):
//
// 1. The options are parsed left to right before the key is looked up, so a syntax error or a bad
//    LIMIT number beats WRONGTYPE. A keyword missing its arguments is a syntax error. A BY pattern
//    without `*` means "do not sort" (BY nosort), and that decision sticks even if a later BY has a
//    `*`. SORT_RO does not know STORE.
// 2. The key must be a list, set or sorted set; a missing key sorts like an empty list. A sorted
//    set is converted to its skiplist encoding first, even by SORT_RO: Redis 7.0 does that and
//    OBJECT ENCODING shows it.
// 3. The elements are copied into one private arena (as offsets, since it grows), so that nothing
//    read later — the pattern lookups, nor storing the result over the sorted key itself — can
//    invalidate them. For "do not sort" on a list or sorted set only the LIMIT window is loaded,
//    walking backwards for DESC: those keep their natural order. A set has no natural order; its
//    walk order is used as is, DESC ignored, except that with STORE Redis sorts it ALPHA anyway
//    (so replicas agree), and so do we.
// 4. Scores. Numeric sorting reads each element (or its BY value) the way C's strtod does over the
//    whole C string: leading white space allowed, nothing after the number, hex floats and
//    "inf" accepted, NaN and out-of-range values (overflow, and underflow into the subnormals)
//    refused with "One or more scores can't be converted into double". A BY key that is missing
//    (or of the wrong type) scores 0. Equal scores are ordered by the elements' bytes, so the
//    result is deterministic. ALPHA with STORE compares bytes (memcmp, then length); without
//    STORE Redis collates with strcoll, which under the C/C.UTF-8 locale a server normally runs in
//    is strcmp: the same byte order, but blind past a NUL byte ("a\0b" ties with "a"). With BY,
//    a missing value sorts before every present one. (Redis tests strtod's errno without clearing
//    it first, so after an out-of-range number a later SORT may fail spuriously; we do not copy
//    that.)
// 5. The sort is a stable merge sort. Redis uses the C library's qsort, which in glibc is a merge
//    sort too, so elements whose ALPHA BY values tie come out in the same (load) order.
// 6. Output: an array of the window's elements, or for each element one reply per GET pattern
//    (`#` is the element itself, a missing key or field is a null). With STORE the same values
//    are pushed into a new list (a missing GET value becomes ""), which replaces the destination
//    whatever it held (TTL dropped); an empty result deletes the destination instead. The reply is
//    the number of values stored.
//
// Patterns: the first `*` is replaced by the element; `key->field` after the `*` reads a hash
// field instead of a string. Like Redis, the searches for `*` and `->` stop at a NUL byte in the
// pattern (it treats the pattern as a C string there), and `->` at the very end is part of the key.
import { argc, argPtr, argLen, argIs } from "./request";
import { addReplyBulk, addReplyNull, addReplyArrayLen, addReplyLongLong, addReplyError } from "./reply";
import { currentDb, addDirty, newKeyLru } from "./server";
import { Db, getDb, dbFindLink, lastHash, lookupRead, dbAddNew, dbReplaceAt, dbDelete } from "./db";
import {
  OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH, OBJ_STRING, ENC_INTSET, ENC_QUICKLIST, entryType, entryEncoding,
  entryVal, newPtrEntry, stringValue, strPtr, strLen,
} from "./object";
import { alloc, free, realloc } from "./alloc";
import { addReplyWrongType } from "./t_string";
import { getLongLongArg, argInt } from "./args";
import { ll2string, string2d, parsedDouble } from "./util";
import { lpIsInt, lpInt, lpStr, lpStrLen } from "./listpack";
import { qlCreate, qlFree, qlCount, qlPushTail, qlSeek, qlItNext, qlItPrev, qlItValue } from "./quicklist";
import { intsetLen, intsetGet } from "./intset";
import { Dict, dictSize } from "./dict";
import { blobData, blobLen } from "./blob";
import { H_KEY, zhLoad, zhStore, zsetLen, zsetConvertToSkiplist, zcAtRank, zcNext, zcPrev, zcMember, curPtr, curLen } from "./zset";
import { hashTypeGet, hvPtr, hvLen } from "./t_hash";

// ---- the arena: element and BY-value bytes, addressed by offset ------------------------------------

let arena: usize = 0;
let arenaLen: usize = 0;
let arenaCap: usize = 0;

function arenaPut(p: usize, n: usize): u32 {
  if (arenaLen + n > arenaCap) {
    let cap = arenaCap < 256 ? <usize>256 : arenaCap << 1;
    while (cap < arenaLen + n) cap <<= 1;
    // The source may be an element already in the arena (GET #): follow it when the arena moves.
    const inside = arena != 0 && p >= arena && p < arena + arenaLen;
    const rel = p - arena;
    arena = arena == 0 ? alloc(cap) : realloc(arena, cap);
    arenaCap = cap;
    if (inside) p = arena + rel;
  }
  const off = arenaLen;
  memory.copy(arena + off, p, n);
  arenaLen += n;
  return <u32>off;
}

const numBuf: usize = memory.data(24);

function arenaPutInt(v: i64): u32 {
  return arenaPut(numBuf, ll2string(numBuf, v));
}

// ---- records: one per element ------------------------------------------------------------------------

// [element offset u32][element length u32][score f64][BY value offset u32][BY value length u32]
const REC: usize = 24;
const NO_VALUE: u32 = 0xffffffff;

let recs: usize = 0;
let nrecs: u32 = 0;

// @ts-ignore: decorator
@inline
function rec(i: u32): usize {
  return recs + <usize>i * REC;
}

function addRecord(off: u32, len: usize): void {
  const r = rec(nrecs++);
  store<u32>(r, off);
  store<u32>(r, <u32>len, 4);
  store<f64>(r, 0, 8);
  store<u32>(r, NO_VALUE, 16);
  store<u32>(r, 0, 20);
}

// @ts-ignore: decorator
@inline
function recPtr(r: usize): usize {
  return arena + <usize>load<u32>(r);
}

// @ts-ignore: decorator
@inline
function recLen(r: usize): usize {
  return <usize>load<u32>(r, 4);
}

// ---- comparison and the merge sort -----------------------------------------------------------------

let sortDesc = false;
let sortAlpha = false;
let sortByPattern = false;
let sortStore = false;

function bytesCmp(a: usize, an: usize, b: usize, bn: usize): i32 {
  const m = an < bn ? an : bn;
  const c = memory.compare(a, b, m);
  if (c != 0) return c;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/**
 * ALPHA order: with STORE Redis compares the bytes; without, it collates with strcoll, which in
 * the C and C.UTF-8 locales is strcmp: bytes up to the first NUL.
 */
function alphaCmp(a: usize, an: usize, b: usize, bn: usize): i32 {
  if (sortStore) return bytesCmp(a, an, b, bn);
  return bytesCmp(a, cLen(a, an), b, cLen(b, bn));
}

function compare(i: u32, j: u32): i32 {
  const a = rec(i);
  const b = rec(j);
  let c: i32;
  if (!sortAlpha) {
    const sa = load<f64>(a, 8);
    const sb = load<f64>(b, 8);
    if (sa > sb) c = 1;
    else if (sa < sb) c = -1;
    else c = bytesCmp(recPtr(a), recLen(a), recPtr(b), recLen(b));
  } else if (sortByPattern) {
    const oa = load<u32>(a, 16);
    const ob = load<u32>(b, 16);
    if (oa == NO_VALUE || ob == NO_VALUE) {
      c = oa == ob ? 0 : oa == NO_VALUE ? -1 : 1;
    } else {
      c = alphaCmp(arena + <usize>oa, <usize>load<u32>(a, 20), arena + <usize>ob, <usize>load<u32>(b, 20));
    }
  } else {
    c = alphaCmp(recPtr(a), recLen(a), recPtr(b), recLen(b));
  }
  return sortDesc ? -c : c;
}

/** Sorts `n` record indices at `idx` (stable, bottom-up merge through `tmp`); returns the sorted array. */
function mergeSort(idx: usize, tmp: usize, n: u32): usize {
  const len = <usize>n;
  let src = idx;
  let dst = tmp;
  for (let width: usize = 1; width < len; width <<= 1) {
    for (let lo: usize = 0; lo < len; lo += width << 1) {
      const mid = min(lo + width, len);
      const hi = min(lo + (width << 1), len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const x = load<u32>(src + (i << 2));
        const y = load<u32>(src + (j << 2));
        // Take from the right run only when strictly smaller: that keeps the sort stable.
        if (compare(y, x) < 0) {
          store<u32>(dst + (k << 2), y);
          j++;
        } else {
          store<u32>(dst + (k << 2), x);
          i++;
        }
        k++;
      }
      while (i < mid) store<u32>(dst + (k++ << 2), load<u32>(src + (i++ << 2)));
      while (j < hi) store<u32>(dst + (k++ << 2), load<u32>(src + (j++ << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

// ---- numbers as strtod reads them ------------------------------------------------------------------

let score: f64 = 0;

function isCSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

/** Length of the C string at p (up to the first NUL byte, at most n). */
function cLen(p: usize, n: usize): usize {
  for (let i: usize = 0; i < n; i++) if (load<u8>(p + i) == 0) return i;
  return n;
}

/** Reads (p, n) as SORT's scores: strtod over the whole C string, no NaN, no ERANGE. */
function parseScore(p: usize, n: usize): bool {
  const len = cLen(p, n);
  if (len == 0) {
    // strtod converts nothing and stops at the terminator: that counts as 0.
    score = 0;
    return true;
  }
  let i: usize = 0;
  while (i < len && isCSpace(load<u8>(p + i))) i++;
  // Only white space: strtod converts nothing and points back at the first space.
  if (i == len) return false;
  if (!string2d(p + i, len - i)) return false;
  const d = parsedDouble;
  if (isNaN(d)) return false;
  // A nonzero result in the subnormal range sets ERANGE in glibc's strtod.
  if (d != 0 && Math.abs(d) < 2.2250738585072014e-308) return false;
  score = d;
  return true;
}

// ---- patterns ----------------------------------------------------------------------------------------

/** The value found by lookupByPattern. */
let valPtr: usize = 0;
let valLen: usize = 0;

let keyBuf: usize = 0;
let keyCap: usize = 0;

function patternHasStar(i: i32): bool {
  const p = argPtr(i);
  const n = cLen(p, argLen(i));
  for (let k: usize = 0; k < n; k++) if (load<u8>(p + k) == 42) return true;
  return false;
}

/** Whether argument `i` is the pattern `#` (compared as a C string, as Redis does). */
function isHashSign(i: i32): bool {
  const p = argPtr(i);
  return argLen(i) >= 1 && load<u8>(p) == 35 && (argLen(i) == 1 || load<u8>(p + 1) == 0);
}

/**
 * Looks up the value pattern `i` names for the element (ep, en): valPtr/valLen, or false when
 * there is none (no `*`, no key, wrong type, no field). `#` is the element itself.
 */
function lookupByPattern(d: Db, i: i32, ep: usize, en: usize): bool {
  if (isHashSign(i)) {
    valPtr = ep;
    valLen = en;
    return true;
  }
  const pat = argPtr(i);
  const plen = argLen(i);
  const clen = cLen(pat, plen);
  let star: isize = -1;
  for (let k: usize = 0; k < clen; k++) {
    if (load<u8>(pat + k) == 42) {
      star = <isize>k;
      break;
    }
  }
  if (star < 0) return false;
  let fieldLen: usize = 0;
  for (let k = <usize>star + 1; k + 1 < clen; k++) {
    if (load<u8>(pat + k) == 45 && load<u8>(pat + k + 1) == 62) {
      // "->" needs something after it (before a NUL) to name a field.
      if (k + 2 < clen) fieldLen = plen - k - 2;
      break;
    }
  }
  const prefix = <usize>star;
  const postfix = plen - prefix - 1 - (fieldLen != 0 ? fieldLen + 2 : 0);
  const klen = prefix + en + postfix;
  if (klen > keyCap) {
    if (keyBuf != 0) free(keyBuf);
    keyCap = klen < 64 ? 64 : klen;
    keyBuf = alloc(keyCap);
  }
  memory.copy(keyBuf, pat, prefix);
  memory.copy(keyBuf + prefix, ep, en);
  memory.copy(keyBuf + prefix + en, pat + prefix + 1, postfix);
  const e = lookupRead(d, keyBuf, klen);
  if (e == 0) return false;
  if (fieldLen != 0) {
    if (entryType(e) != OBJ_HASH) return false;
    if (!hashTypeGet(e, pat + plen - fieldLen, fieldLen)) return false;
    valPtr = hvPtr;
    valLen = hvLen;
    return true;
  }
  if (entryType(e) != OBJ_STRING) return false;
  stringValue(e);
  valPtr = strPtr;
  valLen = strLen;
  return true;
}

// ---- loading the elements ----------------------------------------------------------------------------

function putListValue(): void {
  qlItValue();
  if (lpIsInt) putInt(lpInt);
  else addRecord(arenaPut(lpStr, lpStrLen), lpStrLen);
}

/** A record for the decimal text of v. */
function putInt(v: i64): void {
  const off = arenaPutInt(v);
  addRecord(off, arenaLen - <usize>off);
}

/** `count` list elements from index `from`, towards the head when `back`. */
function loadList(ql: usize, from: i64, count: i64, back: bool): void {
  if (count <= 0 || !qlSeek(ql, from)) return;
  for (let k: i64 = 0; k < count; k++) {
    if (k > 0 && !(back ? qlItPrev() : qlItNext())) break;
    putListValue();
  }
}

/** `count` sorted set members from rank `from`, towards rank 0 when `back` (H_KEY loaded). */
function loadZset(from: i64, count: i64, back: bool): void {
  if (count <= 0) return;
  let c = zcAtRank(H_KEY, <u32>from);
  for (let k: i64 = 0; k < count && c != 0; k++) {
    zcMember(H_KEY, c);
    addRecord(arenaPut(curPtr, curLen), curLen);
    c = back ? zcPrev(H_KEY, c) : zcNext(H_KEY, c);
  }
}

/** Every member of a set, in its own walk order (intset ascending, hashtable bucket order). */
function loadSet(e: usize): void {
  const v = entryVal(e);
  if (entryEncoding(e) == ENC_INTSET) {
    const n = intsetLen(v);
    for (let i: u32 = 0; i < n; i++) {
      putInt(intsetGet(v, i));
    }
    return;
  }
  const dct = changetype<Dict>(v);
  for (let t = 0; t < 2; t++) {
    const exp = t == 0 ? dct.exp0 : dct.exp1;
    if (exp < 0) continue;
    const table = t == 0 ? dct.t0 : dct.t1;
    const size = <usize>1 << <usize>exp;
    for (let b: usize = 0; b < size; b++) {
      let m = <usize>load<u32>(table + (b << 2));
      while (m != 0) {
        const blob = m + 4; // [next u32][member blob]
        addRecord(arenaPut(blobData(blob), blobLen(blob)), blobLen(blob));
        m = <usize>load<u32>(m);
      }
    }
  }
}

// ---- the command -------------------------------------------------------------------------------------

let gets: usize = 0;

function cleanup(): void {
  if (arena != 0) free(arena);
  arena = 0;
  arenaLen = 0;
  arenaCap = 0;
  if (recs != 0) free(recs);
  recs = 0;
  nrecs = 0;
  if (gets != 0) free(gets);
  gets = 0;
  if (keyBuf != 0) free(keyBuf);
  keyBuf = 0;
  keyCap = 0;
}

function sortGeneric(readonly: bool): void {
  let desc = false;
  let alpha = false;
  let dontsort = false;
  let limitStart: i64 = 0;
  let limitCount: i64 = -1;
  let by: i32 = 0; // argument index of the BY pattern, 0 for none
  let storeAt: i32 = 0; // argument index of the STORE destination, 0 for none
  let ngets: i32 = 0;
  gets = alloc(<usize>argc << 2);

  for (let j = 2; j < argc; j++) {
    const left = argc - j - 1;
    if (argIs(j, "asc")) desc = false;
    else if (argIs(j, "desc")) desc = true;
    else if (argIs(j, "alpha")) alpha = true;
    else if (argIs(j, "limit") && left >= 2) {
      if (!getLongLongArg(j + 1)) return cleanup();
      limitStart = argInt;
      if (!getLongLongArg(j + 2)) return cleanup();
      limitCount = argInt;
      j += 2;
    } else if (!readonly && argIs(j, "store") && left >= 1) {
      storeAt = ++j;
    } else if (argIs(j, "by") && left >= 1) {
      by = ++j;
      if (!patternHasStar(j)) dontsort = true;
    } else if (argIs(j, "get") && left >= 1) {
      j++;
      store<u32>(gets + (<usize>ngets << 2), <u32>j);
      ngets++;
    } else {
      addReplyError("syntax error");
      return cleanup();
    }
  }

  const d = getDb(currentDb);
  const e = lookupRead(d, argPtr(1), argLen(1));
  const type = e == 0 ? OBJ_LIST : entryType(e);
  if (type != OBJ_LIST && type != OBJ_SET && type != OBJ_ZSET) {
    addReplyWrongType();
    return cleanup();
  }

  // A set has no order of its own that a replica would share: when storing, sort it anyway.
  if (dontsort && type == OBJ_SET && storeAt != 0) {
    dontsort = false;
    alpha = true;
    by = 0;
  }

  let n: i64 = 0;
  if (e != 0) {
    if (type == OBJ_ZSET) {
      zhLoad(H_KEY, e);
      zsetConvertToSkiplist(H_KEY);
      zhStore(H_KEY, e);
      n = <i64>zsetLen(H_KEY);
    } else if (type == OBJ_LIST) {
      n = <i64>qlCount(entryVal(e));
    } else {
      n = entryEncoding(e) == ENC_INTSET ? <i64>intsetLen(entryVal(e)) : <i64>dictSize(changetype<Dict>(entryVal(e)));
    }
  }

  // The window, computed as Redis does (so that odd LIMITs give the same odd results).
  let start: i64 = limitStart < 0 ? 0 : limitStart;
  let end: i64;
  if (limitCount < 0) end = n - 1;
  else end = limitCount > i64.MAX_VALUE - start ? i64.MAX_VALUE : start + limitCount - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;

  let vlen = n;
  if (type != OBJ_SET && dontsort && (start != 0 || end != n - 1)) vlen = end - start + 1;
  if (vlen < 0) vlen = 0;
  recs = alloc(max<usize>(<usize>vlen, 1) * REC);
  nrecs = 0;

  if (e != 0) {
    if (dontsort && type != OBJ_SET) {
      if (end >= start) {
        const from = desc ? n - start - 1 : start;
        if (type == OBJ_LIST) loadList(entryVal(e), from, vlen, desc);
        else loadZset(from, vlen, desc);
        end -= start;
        start = 0;
      }
    } else if (type == OBJ_LIST) {
      loadList(entryVal(e), 0, n, false);
    } else if (type == OBJ_ZSET) {
      loadZset(0, n, false);
    } else {
      loadSet(e);
    }
  }

  let idx: usize = 0;
  let scoreError = false;
  if (!dontsort) {
    for (let i: u32 = 0; i < nrecs; i++) {
      const r = rec(i);
      let vp = recPtr(r);
      let vn = recLen(r);
      if (by != 0) {
        if (!lookupByPattern(d, by, vp, vn)) continue;
        vp = valPtr;
        vn = valLen;
      }
      if (alpha) {
        if (by != 0) {
          store<u32>(r, arenaPut(vp, vn), 16);
          store<u32>(r, <u32>vn, 20);
        }
      } else if (parseScore(vp, vn)) {
        store<f64>(r, score, 8);
      } else {
        scoreError = true;
      }
    }
    sortDesc = desc;
    sortAlpha = alpha;
    sortByPattern = by != 0;
    sortStore = storeAt != 0;
    const a = alloc(max<usize>(<usize>nrecs, 1) << 2);
    const t = alloc(max<usize>(<usize>nrecs, 1) << 2);
    for (let i: u32 = 0; i < nrecs; i++) store<u32>(a + (<usize>i << 2), i);
    idx = mergeSort(a, t, nrecs);
    free(idx == a ? t : a);
  }

  const width = end - start + 1;
  const outLen: i64 = width <= 0 ? 0 : ngets > 0 ? <i64>ngets * width : width;
  if (scoreError) {
    addReplyError("One or more scores can't be converted into double");
  } else if (storeAt == 0) {
    addReplyArrayLen(outLen);
    for (let j = start; j <= end && outLen > 0; j++) {
      const r = rec(idx != 0 ? load<u32>(idx + (<usize>j << 2)) : <u32>j);
      if (ngets == 0) addReplyBulk(recPtr(r), recLen(r));
      for (let g = 0; g < ngets; g++) {
        const pat = <i32>load<u32>(gets + (<usize>g << 2));
        if (lookupByPattern(d, pat, recPtr(r), recLen(r))) addReplyBulk(valPtr, valLen);
        else addReplyNull();
      }
    }
  } else {
    const ql = qlCreate();
    for (let j = start; j <= end && outLen > 0; j++) {
      const r = rec(idx != 0 ? load<u32>(idx + (<usize>j << 2)) : <u32>j);
      if (ngets == 0) qlPushTail(ql, recPtr(r), recLen(r));
      for (let g = 0; g < ngets; g++) {
        const pat = <i32>load<u32>(gets + (<usize>g << 2));
        if (lookupByPattern(d, pat, recPtr(r), recLen(r))) qlPushTail(ql, valPtr, valLen);
        else qlPushTail(ql, 0, 0);
      }
    }
    const key = argPtr(storeAt);
    const klen = argLen(storeAt);
    if (outLen > 0) {
      // Looked up last: every read of the sorted key (which may be this very key) is done.
      const link = dbFindLink(d, key, klen);
      const ne = newPtrEntry(key, klen, OBJ_LIST, ENC_QUICKLIST, ql, false, newKeyLru());
      if (link != 0) dbReplaceAt(d, link, ne, true);
      else dbAddNew(d, ne, lastHash);
      addDirty(<u64>outLen);
    } else {
      qlFree(ql);
      if (dbDelete(d, key, klen)) addDirty(1);
    }
    addReplyLongLong(outLen);
  }
  if (idx != 0) free(idx);
  cleanup();
}

export function sortCommand(): void {
  sortGeneric(false);
}

export function sortRoCommand(): void {
  sortGeneric(true);
}
