// The hash commands, and the hash type they work on.
//
// A hash has the two encodings of Redis 7.0, and OBJECT ENCODING names them as Redis does:
//
// - `listpack` (listpack.ts): field, value, field, value… in one block, in insertion order. A
//   new hash starts here. Lookups walk the pairs, which is cheap for the few hundred short pairs
//   this form is allowed to hold, and each pair costs its bytes plus 2-3 bytes of framing.
// - `hashtable`: a dict.ts table of KIND_PLAIN entries, one block per field:
//
//     [next u32][field blob][value blob]
//
//   The value sits inline, right after the field, rather than behind an sds pointer: that saves
//   the pointer (4 bytes), the sds header and a second allocation with its size-class rounding,
//   about 12-20 bytes per field on small values. A value that changes size (HSET over it,
//   HINCRBY) reallocs the block, which stays in place while the size class does not change; when
//   the block moves, the one link that pointed at it (from the lookup) is rewritten.
//
// A listpack hash becomes a hashtable when a write would give it a field or value longer than
// hash-max-listpack-value bytes, or more than hash-max-listpack-entries pairs; it never goes
// back (Redis neither, not even when HDEL empties it down to one field). The checks happen on
// every store, whoever stores: HSET, HSETNX (only when the field is new), HINCRBY and
// HINCRBYFLOAT (whose results can be long), exactly as observed on Redis 7.0.15.
//
// Order is observable for the listpack form: HGETALL, HKEYS, HSCAN and HRANDFIELD with a count
// reply in insertion order there, as Redis does, so those replies match Redis byte for byte.
// Hashtable order is the table's own (Redis's is its own too: clients cannot rely on it).
//
// The keyspace entry's value pointer is the listpack or the Dict; its encoding bits say which.
// Both are out of line, so the entry's layout does not depend on the encoding and converting
// rewrites the pointer and the bits in place.
import { cursorArg, parsedCursor, addReplyCursor, scanOptions, scanCount, scanPat, scanPatLen, scanMatchesAll, addReplyEmptyScan } from "./cursor";
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyBulk, addReplyNull, addReplyLongLong, addReplyError, addReplyArrayLen, addReplyMapLen, addReplyOK,
  addReplyArityError, proto,
} from "./reply";
import { currentDb, addDirty, newKeyLru } from "./server";
import { propOn, propCommand, propArg, propBulk } from "./propagate";
import { Db, getDb, lastHash, lookupRead, lookupWriteLink, dbAddNew, dbDeleteAt } from "./db";
import {
  OBJ_HASH, ENC_HT, ENC_LISTPACK, entryType, entryEncoding, entryVal, setEntryVal, newPtrEntry,
  registerValueType,
} from "./object";
import {
  Dict, dictCreate, dictFindLink, dictHashKey, dictAdd, dictUnlinkAt, dictSize, dictEmpty, dictRelease,
  dictScanStep, scanReset, scanFound, scanEntry, dictRandomEntry, dictShrinkIfNeeded, KIND_PLAIN, DictWalk,
  dictWalkStart, dictWalkNext,
} from "./dict";
import { blobSize, blobWrite, blobData, blobLen, blobEnd } from "./blob";
import { alloc, free, realloc, usable } from "./alloc";
import {
  lpNew, lpFree, lpDup, lpLength, lpFirst, lpNext, lpGet, lpGetValue, lpFind, lpReplace, lpAppendPair,
  lpDeleteRangeAt, lpIsInt, lpInt, lpStr, lpStrLen,
} from "./listpack";
import { hashMaxListpackEntries, hashMaxListpackValue } from "./config";
import {
  string2ll, parsedInt, ll2string, string2ld, ldFromLL, ldAdd, ldIsFinite, ld2string, LD_SIZE,
  MAX_LONG_DOUBLE_CHARS,
} from "./util";
import { getLongLongArg, argInt } from "./args";
import { randomBelow } from "./random";
import { stringmatchlen } from "./glob";
import { addReplyWrongType } from "./t_string";

// @ts-ignore: decorator
@inline
function db(): Db {
  return getDb(currentDb);
}

// ---- hashtable entries -----------------------------------------------------------------------------

/** The field of a hashtable entry, as a blob (it is the entry's dict key). */
// @ts-ignore: decorator
@inline
export function fieldBlob(f: usize): usize {
  return f + 4;
}

/** The value of a hashtable entry, as a blob right after the field. */
// @ts-ignore: decorator
@inline
export function valueBlob(f: usize): usize {
  return blobEnd(f + 4);
}

/** A new [next][field][value] block. */
function htEntryNew(fp: usize, fn: usize, vp: usize, vn: usize): usize {
  const f = alloc(4 + blobSize(fn) + blobSize(vn));
  store<u32>(f, 0);
  blobWrite(blobWrite(f + 4, fp, fn), vp, vn);
  return f;
}

/** Bytes of the block's contents (what a copy needs). */
function htEntrySize(f: usize): usize {
  return blobEnd(valueBlob(f)) - f;
}

function htEntryFree(f: usize): void {
  free(f);
}

/**
 * Gives the field that `*link` points at the value (vp, vn): in place when the block keeps its
 * size class, else in a moved block that the link is pointed at.
 */
function htEntrySetValue(link: usize, vp: usize, vn: usize): void {
  const f = <usize>load<u32>(link);
  const fb = fieldBlob(f);
  const head: usize = 4 + blobSize(blobLen(fb));
  // realloc keeps the head (next pointer and field) whether or not the block moves.
  const n = realloc(f, head + blobSize(vn));
  blobWrite(n + head, vp, vn);
  if (n != f) store<u32>(link, <u32>n);
}

// Replies and the type's free/dup/memory functions walk a table with dict.ts's walk (they do not
// touch the table meanwhile); one walk at a time, in static memory.
const walk = changetype<DictWalk>(memory.data(offsetof<DictWalk>()));

// ---- the type ------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function hashDict(e: usize): Dict {
  return changetype<Dict>(entryVal(e));
}

function setEntryEncoding(e: usize, enc: u32): void {
  // Both encodings keep their value out of line: only the meta word's encoding bits change.
  store<u32>(e, (load<u32>(e, 4) & ~(<u32>15 << 24)) | ((enc & 15) << 24), 4);
}

/** Number of fields of the hash entry `e`. */
export function hashTypeLength(e: usize): u32 {
  return entryEncoding(e) == ENC_LISTPACK ? lpLength(entryVal(e)) >> 1 : dictSize(hashDict(e));
}

/** A field's text read out of a listpack, copied when it is a formatted integer (lpGet's scratch). */
const fieldText: usize = memory.data(24);

/** Rebuilds a listpack hash as a hashtable (the entry is changed in place). */
export function hashTypeConvert(e: usize): void {
  const lp = entryVal(e);
  const d = dictCreate(KIND_PLAIN);
  let p = lpFirst(lp);
  while (p != 0) {
    lpGet(p);
    let fp = lpStr;
    const fn = lpStrLen;
    if (lpIsInt) {
      memory.copy(fieldText, lpStr, fn);
      fp = fieldText;
    }
    p = lpNext(lp, p);
    lpGet(p);
    dictAdd(d, htEntryNew(fp, fn, lpStr, lpStrLen), dictHashKey(fp, fn));
    p = lpNext(lp, p);
  }
  lpFree(lp);
  setEntryVal(e, changetype<usize>(d));
  setEntryEncoding(e, ENC_HT);
}

/** The value found by the last successful hashTypeGet (valid until the hash changes or the next lpGet). */
export let hvPtr: usize = 0;
export let hvLen: usize = 0;

/** Looks a field up; true (and hvPtr/hvLen set) when it exists. */
export function hashTypeGet(e: usize, fp: usize, fn: usize): bool {
  if (entryEncoding(e) == ENC_LISTPACK) {
    const lp = entryVal(e);
    const p = lpFind(lp, lpFirst(lp), fp, fn, 1);
    if (p == 0) return false;
    lpGet(lpNext(lp, p));
    hvPtr = lpStr;
    hvLen = lpStrLen;
    return true;
  }
  const link = dictFindLink(hashDict(e), dictHashKey(fp, fn), fp, fn);
  if (link == 0) return false;
  const vb = valueBlob(<usize>load<u32>(link));
  hvPtr = blobData(vb);
  hvLen = blobLen(vb);
  return true;
}

export function hashTypeExists(e: usize, fp: usize, fn: usize): bool {
  if (entryEncoding(e) == ENC_LISTPACK) {
    const lp = entryVal(e);
    return lpFind(lp, lpFirst(lp), fp, fn, 1) != 0;
  }
  return dictFindLink(hashDict(e), dictHashKey(fp, fn), fp, fn) != 0;
}

/**
 * Stores field = value, converting first when the pair is too long for a listpack and after
 * when there are too many pairs. True when the field is new. The bytes must not live inside
 * this hash.
 */
export function hashTypeSet(e: usize, fp: usize, fn: usize, vp: usize, vn: usize): bool {
  if (entryEncoding(e) == ENC_LISTPACK) {
    if (<i64>fn > hashMaxListpackValue || <i64>vn > hashMaxListpackValue) {
      hashTypeConvert(e);
    } else {
      let lp = entryVal(e);
      const p = lpFind(lp, lpFirst(lp), fp, fn, 1);
      if (p != 0) {
        setEntryVal(e, lpReplace(lp, lpNext(lp, p), vp, vn));
        return false;
      }
      lp = lpAppendPair(lp, fp, fn, vp, vn);
      setEntryVal(e, lp);
      if (<i64>(lpLength(lp) >> 1) > hashMaxListpackEntries) hashTypeConvert(e);
      return true;
    }
  }
  const d = hashDict(e);
  const h = dictHashKey(fp, fn);
  const link = dictFindLink(d, h, fp, fn);
  if (link != 0) {
    htEntrySetValue(link, vp, vn);
    return false;
  }
  dictAdd(d, htEntryNew(fp, fn, vp, vn), h);
  return true;
}

/** Removes a field; true when it existed. The caller deletes the key when the hash is empty. */
export function hashTypeDelete(e: usize, fp: usize, fn: usize): bool {
  if (entryEncoding(e) == ENC_LISTPACK) {
    const lp = entryVal(e);
    const p = lpFind(lp, lpFirst(lp), fp, fn, 1);
    if (p == 0) return false;
    setEntryVal(e, lpDeleteRangeAt(lp, p, 2));
    return true;
  }
  const d = hashDict(e);
  const link = dictFindLink(d, dictHashKey(fp, fn), fp, fn);
  if (link == 0) return false;
  htEntryFree(dictUnlinkAt(d, link));
  // Redis shrinks a hash's table as soon as it is mostly empty; nothing else would.
  dictShrinkIfNeeded(d);
  return true;
}

/** A new, empty (listpack) hash entry under `key`, added to the db; `hash` is the key's hash. */
function hashTypeCreate(d: Db, key: usize, klen: usize, hash: u32): usize {
  const e = newPtrEntry(key, klen, OBJ_HASH, ENC_LISTPACK, lpNew(0), false, newKeyLru());
  dbAddNew(d, e, hash);
  return e;
}

function hashFreeValue(enc: u32, v: usize): void {
  if (enc == ENC_LISTPACK) {
    lpFree(v);
    return;
  }
  const d = changetype<Dict>(v);
  dictEmpty(d, htEntryFree);
  dictRelease(d);
}

function hashDupValue(enc: u32, v: usize): usize {
  if (enc == ENC_LISTPACK) return lpDup(v);
  const src = changetype<Dict>(v);
  const d = dictCreate(KIND_PLAIN);
  dictWalkStart(walk, src);
  let f = dictWalkNext(walk);
  while (f != 0) {
    const n = htEntrySize(f);
    const c = alloc(n);
    memory.copy(c, f, n);
    const fb = fieldBlob(f);
    dictAdd(d, c, dictHashKey(blobData(fb), blobLen(fb)));
    f = dictWalkNext(walk);
  }
  return changetype<usize>(d);
}

function hashMemoryValue(enc: u32, v: usize): usize {
  if (enc == ENC_LISTPACK) return usable(v);
  const d = changetype<Dict>(v);
  let total = usable(v);
  if (d.exp0 >= 0) total += usable(d.t0);
  if (d.exp1 >= 0) total += usable(d.t1);
  dictWalkStart(walk, d);
  let f = dictWalkNext(walk);
  while (f != 0) {
    total += usable(f);
    f = dictWalkNext(walk);
  }
  return total;
}

registerValueType(OBJ_HASH, hashFreeValue, hashDupValue, hashMemoryValue);

// ---- lookups shared by the commands ---------------------------------------------------------------

/** The hash at argument 1 for a read: 0 when absent, -1 (after replying WRONGTYPE) when not a hash. */
function readHash(): usize {
  const e = lookupRead(db(), argPtr(1), argLen(1));
  if (e == 0) return 0;
  if (entryType(e) != OBJ_HASH) {
    addReplyWrongType();
    return <usize>-1;
  }
  return e;
}

/** Keyspace link of the hash at argument 1 for a write (0 when absent); sets `wrongType`. */
let wrongType = false;
function writeHashLink(d: Db): usize {
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  wrongType = link != 0 && entryType(<usize>load<u32>(link)) != OBJ_HASH;
  if (wrongType) addReplyWrongType();
  return link;
}

/** The hash at argument 1 for a write, created empty when absent; 0 after replying WRONGTYPE. */
function writeHashOrCreate(d: Db): usize {
  const link = writeHashLink(d);
  if (wrongType) return 0;
  if (link != 0) return <usize>load<u32>(link);
  return hashTypeCreate(d, argPtr(1), argLen(1), lastHash);
}

// ---- writes --------------------------------------------------------------------------------------

function hsetGeneric(name: string): i64 {
  if ((argc & 1) == 1) {
    addReplyArityError(name);
    return -1;
  }
  const e = writeHashOrCreate(db());
  if (e == 0) return -1;
  let added: i64 = 0;
  for (let i = 2; i < argc; i += 2) {
    if (hashTypeSet(e, argPtr(i), argLen(i), argPtr(i + 1), argLen(i + 1))) added++;
  }
  addDirty(<u64>((argc - 2) >> 1));
  return added;
}

export function hsetCommand(): void {
  const added = hsetGeneric("hset");
  if (added >= 0) addReplyLongLong(added);
}

export function hmsetCommand(): void {
  if (hsetGeneric("hmset") >= 0) addReplyOK();
}

export function hsetnxCommand(): void {
  const e = writeHashOrCreate(db());
  if (e == 0) return;
  if (hashTypeExists(e, argPtr(2), argLen(2))) {
    addReplyLongLong(0);
    return;
  }
  hashTypeSet(e, argPtr(2), argLen(2), argPtr(3), argLen(3));
  addDirty(1);
  addReplyLongLong(1);
}

export function hdelCommand(): void {
  const d = db();
  const link = writeHashLink(d);
  if (wrongType) return;
  if (link == 0) {
    addReplyLongLong(0);
    return;
  }
  const e = <usize>load<u32>(link);
  let deleted: i64 = 0;
  for (let i = 2; i < argc; i++) {
    if (hashTypeDelete(e, argPtr(i), argLen(i))) {
      deleted++;
      if (hashTypeLength(e) == 0) {
        // The hash's own table is a different dict: the keyspace link is still good.
        dbDeleteAt(d, link);
        break;
      }
    }
  }
  if (deleted != 0) addDirty(<u64>deleted);
  addReplyLongLong(deleted);
}

/** Text of a new value (HINCRBY/HINCRBYFLOAT), stored from here; never inside the hash. */
const numText: usize = memory.data(<i32>MAX_LONG_DOUBLE_CHARS + 64, 8);

export function hincrbyCommand(): void {
  if (!getLongLongArg(3)) return;
  const incr = argInt;
  const e = writeHashOrCreate(db());
  if (e == 0) return;
  const fp = argPtr(2);
  const fn = argLen(2);
  let value: i64 = 0;
  if (hashTypeGet(e, fp, fn)) {
    if (!string2ll(hvPtr, hvLen)) {
      addReplyError("hash value is not an integer");
      return;
    }
    value = parsedInt;
  }
  if ((incr < 0 && value < 0 && incr < i64.MIN_VALUE - value) || (incr > 0 && value > 0 && incr > i64.MAX_VALUE - value)) {
    addReplyError("increment or decrement would overflow");
    return;
  }
  value += incr;
  hashTypeSet(e, fp, fn, numText, ll2string(numText, value));
  addDirty(1);
  addReplyLongLong(value);
}

const LD_VALUE: usize = memory.data(<i32>LD_SIZE, 16);
const LD_INCR: usize = memory.data(<i32>LD_SIZE, 16);

/** Reads a listpack value without formatting an integer, for HINCRBYFLOAT's exact sum. */
function lpValueAsLd(e: usize, fp: usize, fn: usize): i32 {
  // 0: no such field; 1: value in LD_VALUE; -1: not a float.
  const lp = entryVal(e);
  const p = lpFind(lp, lpFirst(lp), fp, fn, 1);
  if (p == 0) return 0;
  lpGetValue(lpNext(lp, p));
  if (lpIsInt) {
    ldFromLL(LD_VALUE, lpInt);
    return 1;
  }
  return string2ld(lpStr, lpStrLen, LD_VALUE) ? 1 : -1;
}

export function hincrbyfloatCommand(): void {
  if (!string2ld(argPtr(3), argLen(3), LD_INCR)) {
    addReplyError("value is not a valid float");
    return;
  }
  if (!ldIsFinite(LD_INCR)) {
    addReplyError("value is NaN or Infinity");
    return;
  }
  const e = writeHashOrCreate(db());
  if (e == 0) return;
  const fp = argPtr(2);
  const fn = argLen(2);
  let found: i32;
  if (entryEncoding(e) == ENC_LISTPACK) found = lpValueAsLd(e, fp, fn);
  else if (hashTypeGet(e, fp, fn)) found = string2ld(hvPtr, hvLen, LD_VALUE) ? 1 : -1;
  else found = 0;
  if (found < 0) {
    addReplyError("hash value is not a float");
    return;
  }
  if (found == 0) ldFromLL(LD_VALUE, 0);
  ldAdd(LD_VALUE, LD_VALUE, LD_INCR);
  if (!ldIsFinite(LD_VALUE)) {
    addReplyError("increment would produce NaN or Infinity");
    return;
  }
  const n = ld2string(numText, LD_VALUE, true);
  hashTypeSet(e, fp, fn, numText, n);
  addDirty(1);
  // The result, not the increment (as INCRBYFLOAT).
  if (propOn) {
    propCommand(currentDb, 4, "HSET");
    propArg(1);
    propArg(2);
    propBulk(numText, n);
  }
  addReplyBulk(numText, n);
}

// ---- reads ---------------------------------------------------------------------------------------

export function hgetCommand(): void {
  const e = readHash();
  if (e == <usize>-1) return;
  if (e != 0 && hashTypeGet(e, argPtr(2), argLen(2))) addReplyBulk(hvPtr, hvLen);
  else addReplyNull();
}

export function hmgetCommand(): void {
  const e = readHash();
  if (e == <usize>-1) return;
  addReplyArrayLen(argc - 2);
  for (let i = 2; i < argc; i++) {
    if (e != 0 && hashTypeGet(e, argPtr(i), argLen(i))) addReplyBulk(hvPtr, hvLen);
    else addReplyNull();
  }
}

export function hlenCommand(): void {
  const e = readHash();
  if (e == <usize>-1) return;
  addReplyLongLong(e == 0 ? 0 : <i64>hashTypeLength(e));
}

export function hstrlenCommand(): void {
  const e = readHash();
  if (e == <usize>-1) return;
  addReplyLongLong(e != 0 && hashTypeGet(e, argPtr(2), argLen(2)) ? <i64>hvLen : 0);
}

export function hexistsCommand(): void {
  const e = readHash();
  if (e == <usize>-1) return;
  addReplyLongLong(e != 0 && hashTypeExists(e, argPtr(2), argLen(2)) ? 1 : 0);
}

const WANT_FIELDS: u32 = 1;
const WANT_VALUES: u32 = 2;

/** HKEYS, HVALS, HGETALL: every pair, in the hash's order. */
function getallGeneric(want: u32): void {
  const e = readHash();
  if (e == <usize>-1) return;
  const both = want == (WANT_FIELDS | WANT_VALUES);
  const n: i64 = e == 0 ? 0 : <i64>hashTypeLength(e);
  if (both) addReplyMapLen(n);
  else addReplyArrayLen(n);
  if (e == 0) return;
  if (entryEncoding(e) == ENC_LISTPACK) {
    const lp = entryVal(e);
    let p = lpFirst(lp);
    while (p != 0) {
      if ((want & WANT_FIELDS) != 0) {
        lpGet(p);
        addReplyBulk(lpStr, lpStrLen);
      }
      p = lpNext(lp, p);
      if ((want & WANT_VALUES) != 0) {
        lpGet(p);
        addReplyBulk(lpStr, lpStrLen);
      }
      p = lpNext(lp, p);
    }
    return;
  }
  dictWalkStart(walk, hashDict(e));
  let f = dictWalkNext(walk);
  while (f != 0) {
    if ((want & WANT_FIELDS) != 0) {
      const fb = fieldBlob(f);
      addReplyBulk(blobData(fb), blobLen(fb));
    }
    if ((want & WANT_VALUES) != 0) {
      const vb = valueBlob(f);
      addReplyBulk(blobData(vb), blobLen(vb));
    }
    f = dictWalkNext(walk);
  }
}

export function hkeysCommand(): void {
  getallGeneric(WANT_FIELDS);
}

export function hvalsCommand(): void {
  getallGeneric(WANT_VALUES);
}

export function hgetallCommand(): void {
  getallGeneric(WANT_FIELDS | WANT_VALUES);
}

// ---- HRANDFIELD ----------------------------------------------------------------------------------

/**
 * Largest reply HRANDFIELD with a negative count may produce (elements, values counted). Redis
 * 7.0 tries to build any size and dies of it (HRANDFIELD h -9223372036854775807 kills the
 * server); we answer an error instead, from a size no client could take anyway.
 */
const RANDFIELD_MAX_ELEMENTS: u64 = 1 << 26;

/** Replies one pair: field alone, a flat field+value (RESP2), or a [field, value] pair (RESP3). */
function replyPairLp(lp: usize, p: usize, withValues: bool): void {
  if (withValues && proto >= 3) addReplyArrayLen(2);
  lpGet(p);
  addReplyBulk(lpStr, lpStrLen);
  if (withValues) {
    lpGet(lpNext(lp, p));
    addReplyBulk(lpStr, lpStrLen);
  }
}

function replyPairHt(f: usize, withValues: bool): void {
  if (withValues && proto >= 3) addReplyArrayLen(2);
  const fb = fieldBlob(f);
  addReplyBulk(blobData(fb), blobLen(fb));
  if (withValues) {
    const vb = valueBlob(f);
    addReplyBulk(blobData(vb), blobLen(vb));
  }
}

/** Header for `n` pairs. */
function randReplyLen(n: i64, withValues: bool): void {
  addReplyArrayLen(withValues && proto < 3 ? n * 2 : n);
}

/** The `i`-th pair's field entry of a listpack hash. */
function lpPair(lp: usize, i: u32): usize {
  let p = lpFirst(lp);
  for (let k: u32 = 0; k < i; k++) p = lpNext(lp, lpNext(lp, p));
  return p;
}

/** Scratch list of entries (pairs of a listpack, distinct picks from a hashtable). */
let picked: usize = 0;
let pickedCap: usize = 0;

function pickedReserve(n: usize): void {
  if (n <= pickedCap) return;
  if (picked != 0) free(picked);
  picked = alloc(n << 2);
  pickedCap = n;
}

function hrandfieldWithCount(): void {
  if (!string2ll(argPtr(2), argLen(2))) {
    addReplyError("value is not an integer or out of range");
    return;
  }
  const l = parsedInt;
  if (l == i64.MIN_VALUE) {
    addReplyError("value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  let withValues = false;
  if (argc == 4) {
    if (!argIs(3, "withvalues")) {
      addReplyError("syntax error");
      return;
    }
    withValues = true;
  } else if (argc > 4) {
    addReplyError("syntax error");
    return;
  }
  const e = readHash();
  if (e == <usize>-1) return;
  if (e == 0 || l == 0) {
    addReplyArrayLen(0);
    return;
  }
  const size = hashTypeLength(e);
  const lpForm = entryEncoding(e) == ENC_LISTPACK;
  const lp = lpForm ? entryVal(e) : 0;

  if (l < 0) {
    // Repetitions allowed: each pick independent.
    const count = <u64>(-l);
    if (count > RANDFIELD_MAX_ELEMENTS || (withValues && count * 2 > RANDFIELD_MAX_ELEMENTS)) {
      addReplyError("value is out of range");
      return;
    }
    randReplyLen(<i64>count, withValues);
    if (lpForm) {
      // Index the pairs once, so that each pick is O(1) rather than a walk.
      pickedReserve(<usize>size);
      let p = lpFirst(lp);
      for (let i: usize = 0; i < <usize>size; i++) {
        store<u32>(picked + (i << 2), <u32>p);
        p = lpNext(lp, lpNext(lp, p));
      }
      for (let i: u64 = 0; i < count; i++) {
        replyPairLp(lp, <usize>load<u32>(picked + (<usize>randomBelow(size) << 2)), withValues);
      }
    } else {
      const d = hashDict(e);
      for (let i: u64 = 0; i < count; i++) replyPairHt(dictRandomEntry(d), withValues);
    }
    return;
  }

  const count = <u64>l;
  if (count >= <u64>size) {
    // The whole hash, in its order.
    randReplyLen(<i64>size, withValues);
    if (lpForm) {
      let p = lpFirst(lp);
      while (p != 0) {
        replyPairLp(lp, p, withValues);
        p = lpNext(lp, lpNext(lp, p));
      }
    } else {
      dictWalkStart(walk, hashDict(e));
      let f = dictWalkNext(walk);
      while (f != 0) {
        replyPairHt(f, withValues);
        f = dictWalkNext(walk);
      }
    }
    return;
  }

  // Distinct fields, fewer than the hash has.
  const want = <u32>count;
  randReplyLen(<i64>want, withValues);
  if (lpForm || <u64>want * 3 > <u64>size || want > 1000) {
    // Selection sampling: one pass, each pair taken with probability needed/remaining, so the
    // picks come out in the hash's order (as Redis's listpack sampling does).
    let need = want;
    let left = size;
    if (lpForm) {
      let p = lpFirst(lp);
      while (need != 0) {
        if (randomBelow(left) < need) {
          replyPairLp(lp, p, withValues);
          need--;
        }
        left--;
        p = lpNext(lp, lpNext(lp, p));
      }
    } else {
      dictWalkStart(walk, hashDict(e));
      while (need != 0) {
        const f = dictWalkNext(walk);
        if (randomBelow(left) < need) {
          replyPairHt(f, withValues);
          need--;
        }
        left--;
      }
    }
    return;
  }
  // Few picks from a large table: random entries until `want` distinct ones.
  pickedReserve(<usize>want);
  let got: usize = 0;
  const d = hashDict(e);
  while (got < <usize>want) {
    const f = dictRandomEntry(d);
    let seen = false;
    for (let i: usize = 0; i < got; i++) {
      if (<usize>load<u32>(picked + (i << 2)) == f) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    store<u32>(picked + (got << 2), <u32>f);
    got++;
    replyPairHt(f, withValues);
  }
}

export function hrandfieldCommand(): void {
  if (argc >= 3) {
    hrandfieldWithCount();
    return;
  }
  const e = readHash();
  if (e == <usize>-1) return;
  if (e == 0) {
    addReplyNull();
    return;
  }
  if (entryEncoding(e) == ENC_LISTPACK) {
    const lp = entryVal(e);
    lpGet(lpPair(lp, randomBelow(hashTypeLength(e))));
    addReplyBulk(lpStr, lpStrLen);
  } else {
    const fb = fieldBlob(dictRandomEntry(hashDict(e)));
    addReplyBulk(blobData(fb), blobLen(fb));
  }
}

// ---- HSCAN ---------------------------------------------------------------------------------------



export function hscanCommand(): void {
  if (!cursorArg(2)) return;
  const cursor = parsedCursor;
  const e = readHash();
  if (e == <usize>-1) return;
  if (e == 0) {
    // Redis answers a missing key before it looks at the options.
    addReplyEmptyScan();
    return;
  }
  if (!scanOptions(3, false)) return;
  const count = scanCount;
  const pat = scanPat;
  const plen = scanPatLen;
  // A lone "*" is not matched at all (so the empty field is listed), as in Redis.
  const all = scanMatchesAll();
  addReplyArrayLen(2);
  if (entryEncoding(e) == ENC_LISTPACK) {
    // Small hashes are returned whole, whatever the cursor; the scan is then complete.
    addReplyCursor(0);
    const lp = entryVal(e);
    let n: i64 = 0;
    let p = lpFirst(lp);
    while (p != 0) {
      lpGet(p);
      if (all || stringmatchlen(pat, plen, lpStr, lpStrLen, false)) n++;
      p = lpNext(lp, lpNext(lp, p));
    }
    addReplyArrayLen(n * 2);
    p = lpFirst(lp);
    while (p != 0) {
      lpGet(p);
      if (all || stringmatchlen(pat, plen, lpStr, lpStrLen, false)) {
        addReplyBulk(lpStr, lpStrLen);
        lpGet(lpNext(lp, p));
        addReplyBulk(lpStr, lpStrLen);
      }
      p = lpNext(lp, lpNext(lp, p));
    }
    return;
  }
  const d = hashDict(e);
  scanReset();
  let c = <u32>cursor;
  let iterations = count * 10;
  // Redis counts fields and values together against COUNT: about COUNT/2 fields per call.
  do {
    c = dictScanStep(d, c);
  } while (c != 0 && iterations-- > 0 && <i64>scanFound * 2 < count);
  addReplyCursor(<u64>c);
  let n: i64 = 0;
  for (let i: usize = 0; i < scanFound; i++) {
    const fb = fieldBlob(scanEntry(i));
    if (all || stringmatchlen(pat, plen, blobData(fb), blobLen(fb), false)) n++;
  }
  addReplyArrayLen(n * 2);
  for (let i: usize = 0; i < scanFound; i++) {
    const f = scanEntry(i);
    const fb = fieldBlob(f);
    if (all || stringmatchlen(pat, plen, blobData(fb), blobLen(fb), false)) {
      addReplyBulk(blobData(fb), blobLen(fb));
      const vb = valueBlob(f);
      addReplyBulk(blobData(vb), blobLen(vb));
    }
  }
}
