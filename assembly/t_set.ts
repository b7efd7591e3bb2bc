// The set commands, and the set type they work on.
//
// A set has one of two encodings, those of Redis 7.0 (7.2 added a listpack form for small sets
// of strings; we follow 7.0, so OBJECT ENCODING answers what a 7.0 server answers):
//
// - `intset` (intset.ts): a sorted array of integers in one block, while every member is an
//   integer in Redis's strict sense (string2ll: no "+1", "01", " 1" or "-0") and there are at
//   most set-max-intset-entries (512) of them;
// - `hashtable`: a dict.ts table of KIND_PLAIN entries, one block per member laid out as
//   [next u32][member blob], the member being the entry's key (no value).
//
// A set starts as an intset when its first member is an integer, else as a hashtable. Adding a
// non-integer or the 513th member converts it; it never converts back (Redis neither), except
// that SPOP with a count that leaves few members rebuilds the set from them, and the rebuilt
// set starts over from its first member, as Redis's does.
//
// The keyspace entry is the set's header: its value pointer is the intset or the Dict, its
// encoding bits say which. Changing the encoding rewrites both in place (the entry's layout does
// not depend on which of the two it is), so a set never moves in the keyspace. Results of
// SUNION/SINTER/SDIFF are built the same way, in an entry that is not (yet) in the keyspace:
// the *STORE variants then link it under the destination key, the others reply it and free it.
//
// Iteration order is observable: an intset replies in ascending order, as Redis's does, so the
// replies for integer sets match Redis's byte for byte; hashtable order is the table's own.
import { cursorArg, parsedCursor, addReplyCursor, scanOptions, scanCount, scanPat, scanPatLen, scanMatchesAll, addReplyEmptyScan } from "./cursor";
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyBulk, addReplyBulkLongLong, addReplyNull, addReplyLongLong, addReplyError, addReplyArrayLen,
  addReplySetLen, addReplyDeferredLen, setDeferredSetLen, setDeferredArrayLen,
} from "./reply";
import { currentDb, lruClock, addDirty } from "./server";
import { propOn, propCommand, propArg, propBulk, propBulkInt, propAsDel } from "./propagate";
import { Db, getDb, dbFindLink, lastHash, lookupRead, lookupWriteLink, dbAddNew, dbReplaceAt, dbDelete } from "./db";
import {
  OBJ_SET, ENC_INTSET, ENC_HT, entryType, entryEncoding, entryVal, setEntryVal, newPtrEntry, freeEntry,
  freeEntryShell, registerValueType,
} from "./object";
import {
  Dict, dictCreate, dictFindLink, dictHashKey, dictAdd, dictUnlinkAt, dictSize, dictEmpty, dictRelease,
  dictScanStep, scanReset, scanFound, scanEntry, dictRandomEntry, dictShrinkIfNeeded, KIND_PLAIN,
} from "./dict";
import { blobSize, blobWrite, blobData, blobLen } from "./blob";
import { alloc, free, usable } from "./alloc";
import {
  intsetNew, intsetFree, intsetDup, intsetMemory, intsetAdd, intsetRemove, intsetFind, intsetLen, intsetGet,
  intsetRandom, intsetChanged,
} from "./intset";
import { setMaxIntsetEntries } from "./config";
import { string2ll, parsedInt, ll2string } from "./util";
import { randomBelow } from "./random";
import { stringmatchlen } from "./glob";
import { addReplyWrongType } from "./t_string";

// @ts-ignore: decorator
@inline
function db(): Db {
  return getDb(currentDb);
}

/** Scratch for the text of an integer member (formatted on demand, used at once). */
const numBuf: usize = memory.data(24);
let numLen: usize = 0;

function fmtInt(v: i64): usize {
  numLen = ll2string(numBuf, v);
  return numBuf;
}

// ---- hashtable members ---------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function memberBlob(m: usize): usize {
  return m + 4;
}

/** Links a new member known to be absent. */
function htAddNew(d: Dict, p: usize, n: usize, h: u32): void {
  const m = alloc(4 + blobSize(n));
  blobWrite(m + 4, p, n);
  dictAdd(d, m, h);
}

function htAdd(d: Dict, p: usize, n: usize): bool {
  const h = dictHashKey(p, n);
  if (dictFindLink(d, h, p, n) != 0) return false;
  htAddNew(d, p, n, h);
  return true;
}

function htHas(d: Dict, p: usize, n: usize): bool {
  return dictFindLink(d, dictHashKey(p, n), p, n) != 0;
}

function htRemove(d: Dict, p: usize, n: usize): bool {
  const link = dictFindLink(d, dictHashKey(p, n), p, n);
  if (link == 0) return false;
  free(dictUnlinkAt(d, link));
  // Give the buckets back once the table is mostly empty (Redis resizes on removal too).
  dictShrinkIfNeeded(d);
  return true;
}

function freeMember(m: usize): void {
  free(m);
}

// ---- iteration -----------------------------------------------------------------------------------

/**
 * A walk over a set's members. Hashtable walks pause the table's incremental rehash (so that a
 * lookup in the same table, as in SINTER k k, cannot move entries under the walk); the set must
 * not be changed until setIterEnd.
 */
@unmanaged
class SetIter {
  v: i64; // the current member when it is an integer (isInt)
  enc: u32;
  ptr: usize; // intset or Dict
  i: u32; // intset index, or next bucket of `table`
  table: u32;
  next: usize; // next entry of the current bucket chain
  cur: usize; // the current hashtable entry
  p: usize; // the current member's bytes (for an integer, after itBytes)
  n: usize;
  isInt: bool;
  buf0: u64; // 24 bytes for the text of an integer member, private to this walk
  buf1: u64;
  buf2: u64;
}

function iterStart(enc: u32, ptr: usize): SetIter {
  const it = changetype<SetIter>(alloc(offsetof<SetIter>()));
  it.enc = enc;
  it.ptr = ptr;
  it.i = 0;
  it.table = 0;
  it.next = 0;
  it.cur = 0;
  it.isInt = enc == ENC_INTSET;
  if (enc == ENC_HT) changetype<Dict>(ptr).pauseRehash++;
  return it;
}

// @ts-ignore: decorator
@inline
function iterOf(e: usize): SetIter {
  return iterStart(entryEncoding(e), entryVal(e));
}

function iterEnd(it: SetIter): void {
  if (it.enc == ENC_HT) changetype<Dict>(it.ptr).pauseRehash--;
  free(changetype<usize>(it));
}

/** Moves to the next member; false at the end. */
function iterNext(it: SetIter): bool {
  if (it.enc == ENC_INTSET) {
    if (it.i >= intsetLen(it.ptr)) return false;
    it.v = intsetGet(it.ptr, it.i++);
    return true;
  }
  const d = changetype<Dict>(it.ptr);
  while (it.next == 0) {
    const exp = it.table == 0 ? d.exp0 : d.exp1;
    if (exp < 0 || it.i >= (<u32>1 << <u32>exp)) {
      if (it.table == 1 || d.exp1 < 0) return false;
      it.table = 1;
      it.i = 0;
      continue;
    }
    const t = it.table == 0 ? d.t0 : d.t1;
    it.next = <usize>load<u32>(t + (<usize>it.i << 2));
    it.i++;
  }
  const m = it.next;
  it.cur = m;
  it.next = <usize>load<u32>(m);
  const b = memberBlob(m);
  it.p = blobData(b);
  it.n = blobLen(b);
  return true;
}

/** Points it.p/it.n at the current member's bytes (formats an integer member). */
function itBytes(it: SetIter): void {
  if (!it.isInt) return;
  const buf = changetype<usize>(it) + offsetof<SetIter>("buf0");
  it.n = ll2string(buf, it.v);
  it.p = buf;
}

function replyIterMember(it: SetIter): void {
  if (it.isInt) addReplyBulkLongLong(it.v);
  else addReplyBulk(it.p, it.n);
}

/** The iterator's member as an argument of a propagated command (SPOP's SREM). */
function propIterMember(it: SetIter): void {
  if (it.isInt) propBulkInt(it.v);
  else propBulk(it.p, it.n);
}

// ---- the set type --------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function setDict(e: usize): Dict {
  return changetype<Dict>(entryVal(e));
}

/** Switches the entry's encoding bits between the two set encodings (object.ts's meta word). */
function setEntryEncoding(e: usize, enc: u32): void {
  // Both encodings keep their value out of line, so the entry's layout stays the same.
  store<u32>(e, (load<u32>(e, 4) & ~(<u32>15 << 24)) | ((enc & 15) << 24), 4);
}

/** Number of members of the set entry `e`. */
export function setTypeSize(e: usize): u32 {
  return entryEncoding(e) == ENC_INTSET ? intsetLen(entryVal(e)) : dictSize(setDict(e));
}

/** A new, empty set entry under `key` whose encoding suits its first member (p, n). */
export function setTypeCreate(key: usize, klen: usize, p: usize, n: usize): usize {
  if (string2ll(p, n)) return newPtrEntry(key, klen, OBJ_SET, ENC_INTSET, intsetNew(), false, lruClock);
  return newPtrEntry(key, klen, OBJ_SET, ENC_HT, changetype<usize>(dictCreate(KIND_PLAIN)), false, lruClock);
}

/** A new, empty intset entry (the start of every SUNION/SINTER/SDIFF result). */
function newResultSet(key: usize, klen: usize): usize {
  return newPtrEntry(key, klen, OBJ_SET, ENC_INTSET, intsetNew(), false, lruClock);
}

/** Rewrites an intset as a hashtable holding the same members. */
function convertToHT(e: usize): void {
  const is = entryVal(e);
  const d = dictCreate(KIND_PLAIN);
  const n = intsetLen(is);
  for (let i: u32 = 0; i < n; i++) {
    const p = fmtInt(intsetGet(is, i));
    htAddNew(d, p, numLen, dictHashKey(p, numLen));
  }
  intsetFree(is);
  setEntryVal(e, changetype<usize>(d));
  setEntryEncoding(e, ENC_HT);
}

function intsetAddTo(e: usize, v: i64): bool {
  const is = intsetAdd(entryVal(e), v);
  setEntryVal(e, is);
  if (!intsetChanged) return false;
  if (<i64>intsetLen(is) > setMaxIntsetEntries) convertToHT(e);
  return true;
}

/** Adds member (p, n); true when it was new. */
export function setTypeAdd(e: usize, p: usize, n: usize): bool {
  if (entryEncoding(e) == ENC_INTSET) {
    if (string2ll(p, n)) return intsetAddTo(e, parsedInt);
    convertToHT(e);
  }
  return htAdd(setDict(e), p, n);
}

/** Adds the member an iterator is on. */
function setAddIter(e: usize, it: SetIter): bool {
  if (it.isInt) {
    if (entryEncoding(e) == ENC_INTSET) return intsetAddTo(e, it.v);
    itBytes(it);
    return htAdd(setDict(e), it.p, it.n);
  }
  return setTypeAdd(e, it.p, it.n);
}

/** Removes member (p, n); true when it was there. */
export function setTypeRemove(e: usize, p: usize, n: usize): bool {
  if (entryEncoding(e) == ENC_INTSET) {
    if (!string2ll(p, n)) return false;
    const is = intsetRemove(entryVal(e), parsedInt);
    setEntryVal(e, is);
    return intsetChanged;
  }
  return htRemove(setDict(e), p, n);
}

function setRemoveIter(e: usize, it: SetIter): bool {
  if (it.isInt && entryEncoding(e) == ENC_INTSET) {
    setEntryVal(e, intsetRemove(entryVal(e), it.v));
    return intsetChanged;
  }
  itBytes(it);
  return setTypeRemove(e, it.p, it.n);
}

export function setTypeIsMember(e: usize, p: usize, n: usize): bool {
  if (entryEncoding(e) == ENC_INTSET) return string2ll(p, n) && intsetFind(entryVal(e), parsedInt);
  return htHas(setDict(e), p, n);
}

function setHasIter(e: usize, it: SetIter): bool {
  if (it.isInt && entryEncoding(e) == ENC_INTSET) return intsetFind(entryVal(e), it.v);
  itBytes(it);
  return setTypeIsMember(e, it.p, it.n);
}

/** A random member, as a hashtable entry (randMember) or an integer (randInt when randIsInt). */
let randIsInt = false;
let randInt: i64 = 0;
let randMember: usize = 0;

function setRandom(e: usize): void {
  if (entryEncoding(e) == ENC_INTSET) {
    randIsInt = true;
    randInt = intsetRandom(entryVal(e));
  } else {
    randIsInt = false;
    randMember = dictRandomEntry(setDict(e));
  }
}

function replyRandom(): void {
  if (randIsInt) addReplyBulkLongLong(randInt);
  else addReplyBulk(blobData(memberBlob(randMember)), blobLen(memberBlob(randMember)));
}

/** Propagates the member setRandom picked as an argument (SPOP replays as SREM). */
function propRandom(): void {
  if (randIsInt) propBulkInt(randInt);
  else propBulk(blobData(memberBlob(randMember)), blobLen(memberBlob(randMember)));
}

/** Removes the member setRandom picked (after its reply was written). */
function removeRandom(e: usize): void {
  if (randIsInt) {
    setEntryVal(e, intsetRemove(entryVal(e), randInt));
  } else {
    const b = memberBlob(randMember);
    htRemove(setDict(e), blobData(b), blobLen(b));
  }
}

// ---- value hooks for object.ts (DEL, COPY, MEMORY USAGE, FLUSH) -----------------------------------

function setFreeValue(enc: u32, v: usize): void {
  if (enc == ENC_INTSET) {
    intsetFree(v);
    return;
  }
  dictEmpty(changetype<Dict>(v), freeMember);
  dictRelease(changetype<Dict>(v));
}

function setDupValue(enc: u32, v: usize): usize {
  if (enc == ENC_INTSET) return intsetDup(v);
  const d = dictCreate(KIND_PLAIN);
  const it = iterStart(enc, v);
  while (iterNext(it)) htAddNew(d, it.p, it.n, dictHashKey(it.p, it.n));
  iterEnd(it);
  return changetype<usize>(d);
}

function setMemoryValue(enc: u32, v: usize): usize {
  if (enc == ENC_INTSET) return intsetMemory(v);
  const d = changetype<Dict>(v);
  let total = usable(v);
  if (d.t0 != 0) total += usable(d.t0);
  if (d.t1 != 0) total += usable(d.t1);
  const it = iterStart(enc, v);
  while (iterNext(it)) total += usable(it.cur);
  iterEnd(it);
  return total;
}

registerValueType(OBJ_SET, setFreeValue, setDupValue, setMemoryValue);

// ---- single-key commands -------------------------------------------------------------------------

export function saddCommand(): void {
  const d = db();
  const key = argPtr(1);
  const klen = argLen(1);
  const link = lookupWriteLink(d, key, klen);
  let e: usize;
  let hash: u32 = 0;
  if (link == 0) {
    hash = lastHash;
    e = setTypeCreate(key, klen, argPtr(2), argLen(2));
  } else {
    e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_SET) {
      addReplyWrongType();
      return;
    }
  }
  let added: i64 = 0;
  for (let i = 2; i < argc; i++) if (setTypeAdd(e, argPtr(i), argLen(i))) added++;
  if (link == 0) dbAddNew(d, e, hash);
  addDirty(<u64>added);
  addReplyLongLong(added);
}

export function sremCommand(): void {
  const d = db();
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyLongLong(0);
    return;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_SET) {
    addReplyWrongType();
    return;
  }
  let removed: i64 = 0;
  for (let i = 2; i < argc; i++) {
    if (setTypeRemove(e, argPtr(i), argLen(i))) {
      removed++;
      if (setTypeSize(e) == 0) {
        dbDelete(d, argPtr(1), argLen(1));
        break;
      }
    }
  }
  addDirty(<u64>removed);
  addReplyLongLong(removed);
}

/** The set at argument `i` for a read: 0 when absent; -1 (after replying WRONGTYPE) for another type. */
function readSet(d: Db, i: i32): usize {
  const e = lookupRead(d, argPtr(i), argLen(i));
  if (e != 0 && entryType(e) != OBJ_SET) {
    addReplyWrongType();
    return <usize>-1;
  }
  return e;
}

export function sismemberCommand(): void {
  const e = readSet(db(), 1);
  if (e == <usize>-1) return;
  addReplyLongLong(e != 0 && setTypeIsMember(e, argPtr(2), argLen(2)) ? 1 : 0);
}

export function smismemberCommand(): void {
  const e = readSet(db(), 1);
  if (e == <usize>-1) return;
  addReplyArrayLen(argc - 2);
  for (let i = 2; i < argc; i++) addReplyLongLong(e != 0 && setTypeIsMember(e, argPtr(i), argLen(i)) ? 1 : 0);
}

export function scardCommand(): void {
  const e = readSet(db(), 1);
  if (e == <usize>-1) return;
  addReplyLongLong(e == 0 ? 0 : <i64>setTypeSize(e));
}

export function smoveCommand(): void {
  const d = db();
  const slink = lookupWriteLink(d, argPtr(1), argLen(1));
  const src: usize = slink == 0 ? 0 : <usize>load<u32>(slink);
  const dlink = lookupWriteLink(d, argPtr(2), argLen(2));
  let dst: usize = dlink == 0 ? 0 : <usize>load<u32>(dlink);
  const p = argPtr(3);
  const n = argLen(3);
  if (src == 0) {
    addReplyLongLong(0);
    return;
  }
  if (entryType(src) != OBJ_SET || (dst != 0 && entryType(dst) != OBJ_SET)) {
    addReplyWrongType();
    return;
  }
  if (src == dst) {
    addReplyLongLong(setTypeIsMember(src, p, n) ? 1 : 0);
    return;
  }
  if (!setTypeRemove(src, p, n)) {
    addReplyLongLong(0);
    return;
  }
  if (setTypeSize(src) == 0) dbDelete(d, argPtr(1), argLen(1));
  if (dst == 0) {
    dst = setTypeCreate(argPtr(2), argLen(2), p, n);
    dbFindLink(d, argPtr(2), argLen(2)); // absent: sets lastHash
    dbAddNew(d, dst, lastHash);
  }
  setTypeAdd(dst, p, n);
  addDirty(1);
  addReplyLongLong(1);
}

// ---- SPOP / SRANDMEMBER --------------------------------------------------------------------------

/** How much smaller than the set the rest must be for SPOP to rebuild it (Redis's factor). */
const SPOP_MOVE_STRATEGY_MUL: i64 = 5;
/** SRANDMEMBER copies the set when asked for more than a third of it (Redis's factor). */
const SRANDMEMBER_SUB_STRATEGY_MUL: i64 = 3;

export function spopCommand(): void {
  if (argc == 3) {
    spopWithCount();
    return;
  }
  if (argc > 3) {
    addReplyError("syntax error");
    return;
  }
  const d = db();
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyNull();
    return;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_SET) {
    addReplyWrongType();
    return;
  }
  setRandom(e);
  replyRandom();
  // Chance picked the member: the replay removes that one.
  if (propOn) {
    propCommand(currentDb, 3, "SREM");
    propArg(1);
    propRandom();
  }
  removeRandom(e);
  if (setTypeSize(e) == 0) dbDelete(d, argPtr(1), argLen(1));
  addDirty(1);
}

function spopWithCount(): void {
  if (!string2ll(argPtr(2), argLen(2)) || parsedInt < 0) {
    addReplyError("value is out of range, must be positive");
    return;
  }
  const count = parsedInt;
  const d = db();
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplySetLen(0);
    return;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_SET) {
    addReplyWrongType();
    return;
  }
  if (count == 0) {
    addReplySetLen(0);
    return;
  }
  const size = <i64>setTypeSize(e);
  if (count >= size) {
    // All of it: replied as SUNION of the one set would be (same order), then the key goes.
    const r = newResultSet(0, 0);
    const it = iterOf(e);
    while (iterNext(it)) setAddIter(r, it);
    iterEnd(it);
    replySet(r);
    freeEntry(r);
    dbDelete(d, argPtr(1), argLen(1));
    addDirty(<u64>size);
    if (propOn) {
      propAsDel(currentDb);
    }
    return;
  }
  const remaining = size - count;
  addReplySetLen(count);
  // Replayed as one SREM of the members chance picked (Redis 7.0 writes an SREM per member).
  if (propOn) {
    propCommand(currentDb, <i32>count + 2, "SREM");
    propArg(1);
  }
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    // Few to pop: pop them one by one.
    for (let i: i64 = 0; i < count; i++) {
      setRandom(e);
      replyRandom();
      if (propOn) propRandom();
      removeRandom(e);
    }
  } else {
    // Few to keep: move the keepers to a new set, reply what is left, keep the new set.
    let keep: usize = 0;
    for (let i: i64 = 0; i < remaining; i++) {
      setRandom(e);
      let p: usize, n: usize;
      if (randIsInt) {
        p = fmtInt(randInt);
        n = numLen;
      } else {
        p = blobData(memberBlob(randMember));
        n = blobLen(memberBlob(randMember));
      }
      if (keep == 0) keep = setTypeCreate(0, 0, p, n);
      setTypeAdd(keep, p, n);
      // For an integer the scratch text may have been reused by the add: remove by value.
      if (randIsInt) setEntryVal(e, intsetRemove(entryVal(e), randInt));
      else setTypeRemove(e, p, n);
    }
    const it = iterOf(e);
    while (iterNext(it)) {
      replyIterMember(it);
      if (propOn) propIterMember(it);
    }
    iterEnd(it);
    setFreeValue(entryEncoding(e), entryVal(e));
    setEntryVal(e, entryVal(keep));
    setEntryEncoding(e, entryEncoding(keep));
    freeEntryShell(keep);
  }
  addDirty(<u64>count);
}

export function srandmemberCommand(): void {
  if (argc == 3) {
    srandmemberWithCount();
    return;
  }
  if (argc > 3) {
    addReplyError("syntax error");
    return;
  }
  const e = readSet(db(), 1);
  if (e == <usize>-1) return;
  if (e == 0) {
    addReplyNull();
    return;
  }
  setRandom(e);
  replyRandom();
}

/** Replies the member at `ref`: an intset index, or a hashtable entry. */
function replyRef(e: usize, ref: u32): void {
  if (entryEncoding(e) == ENC_INTSET) addReplyBulkLongLong(intsetGet(entryVal(e), ref));
  else addReplyBulk(blobData(memberBlob(<usize>ref)), blobLen(memberBlob(<usize>ref)));
}

function randomRef(e: usize): u32 {
  if (entryEncoding(e) == ENC_INTSET) return randomBelow(intsetLen(entryVal(e)));
  return <u32>dictRandomEntry(setDict(e));
}

function srandmemberWithCount(): void {
  if (!string2ll(argPtr(2), argLen(2))) {
    addReplyError("value is not an integer or out of range");
    return;
  }
  if (parsedInt == i64.MIN_VALUE) {
    addReplyError("value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  const l = parsedInt;
  const e = readSet(db(), 1);
  if (e == <usize>-1) return;
  if (e == 0 || l == 0) {
    addReplyArrayLen(0);
    return;
  }
  const uniq = l > 0;
  const count = uniq ? l : -l;
  if (!uniq || count == 1) {
    // Repetitions allowed: independent draws.
    addReplyArrayLen(count);
    for (let i: i64 = 0; i < count; i++) {
      setRandom(e);
      replyRandom();
    }
    return;
  }
  const size = <i64>setTypeSize(e);
  if (count >= size) {
    addReplyArrayLen(size);
    const it = iterOf(e);
    while (iterNext(it)) replyIterMember(it);
    iterEnd(it);
    return;
  }
  const n = <u32>count;
  addReplyArrayLen(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // A large share: list every member, then a partial Fisher-Yates shuffle picks `count`.
    const refs = alloc(<usize>size << 2);
    const it = iterOf(e);
    let k: u32 = 0;
    while (iterNext(it)) {
      store<u32>(refs + (<usize>k << 2), it.isInt ? k : <u32>it.cur);
      k++;
    }
    iterEnd(it);
    for (let i: u32 = 0; i < n; i++) {
      const j = i + randomBelow(<u32>size - i);
      const pick = load<u32>(refs + (<usize>j << 2));
      store<u32>(refs + (<usize>j << 2), load<u32>(refs + (<usize>i << 2)));
      replyRef(e, pick);
    }
    free(refs);
    return;
  }
  // A small share: draw until `count` distinct members came out, remembering those seen.
  const seen = dictCreate(KIND_PLAIN);
  const key = numBuf;
  let got: u32 = 0;
  while (got < n) {
    const ref = randomRef(e);
    store<u32>(key, ref);
    if (htAdd(seen, key, 4)) {
      replyRef(e, ref);
      got++;
    }
  }
  dictEmpty(seen, freeMember);
  dictRelease(seen);
}

// ---- multi-key operations ------------------------------------------------------------------------

/** Replies every member of a set entry as a set. */
function replySet(e: usize): void {
  addReplySetLen(setTypeSize(e));
  const it = iterOf(e);
  while (iterNext(it)) replyIterMember(it);
  iterEnd(it);
}

/**
 * Links the result entry `r` under the key at argument `dstIdx` (replacing whatever is there,
 * TTL included) and replies its size; an empty result deletes the key instead.
 */
function storeResult(d: Db, dstIdx: i32, r: usize): void {
  const size = setTypeSize(r);
  const key = argPtr(dstIdx);
  const klen = argLen(dstIdx);
  if (size > 0) {
    const link = dbFindLink(d, key, klen);
    if (link != 0) dbReplaceAt(d, link, r, true);
    else dbAddNew(d, r, lastHash);
    addDirty(1);
  } else {
    freeEntry(r);
    if (dbDelete(d, key, klen)) addDirty(1);
  }
  addReplyLongLong(size);
}

/**
 * Looks up `nkeys` keys from argument `first` for reading into a new array of entries (0 for
 * an absent key). Replies WRONGTYPE and returns 0 when one holds another type.
 */
function lookupSets(d: Db, first: i32, nkeys: i32): usize {
  const sets = alloc(<usize>nkeys << 2);
  for (let j = 0; j < nkeys; j++) {
    const e = lookupRead(d, argPtr(first + j), argLen(first + j));
    if (e != 0 && entryType(e) != OBJ_SET) {
      free(sets);
      addReplyWrongType();
      return 0;
    }
    store<u32>(sets + (<usize>j << 2), <u32>e);
  }
  return sets;
}

// @ts-ignore: decorator
@inline
function setAt(sets: usize, j: i32): usize {
  return <usize>load<u32>(sets + (<usize>j << 2));
}

/** Size of a set entry, 0 for an absent key. */
// @ts-ignore: decorator
@inline
function sizeOrZero(e: usize): u32 {
  return e == 0 ? 0 : setTypeSize(e);
}

/** Sorts the entries by size, smallest first (`rev`: largest first); key counts are small. */
function sortBySize(sets: usize, from: i32, n: i32, rev: bool): void {
  for (let i = from + 1; i < n; i++) {
    const x = setAt(sets, i);
    const sx = sizeOrZero(x);
    let j = i - 1;
    while (j >= from) {
      const sy = sizeOrZero(setAt(sets, j));
      if (rev ? sy >= sx : sy <= sx) break;
      store<u32>(sets + (<usize>(j + 1) << 2), <u32>setAt(sets, j));
      j--;
    }
    store<u32>(sets + (<usize>(j + 1) << 2), <u32>x);
  }
}

/**
 * SINTER, SMEMBERS (one key), SINTERCARD (cardOnly, stopping at `limit` when not 0) and
 * SINTERSTORE (dstIdx > 0): walks the smallest set and keeps what every other set has.
 */
function sinterGeneric(first: i32, nkeys: i32, dstIdx: i32, cardOnly: bool, limit: i64): void {
  const d = db();
  const sets = lookupSets(d, first, nkeys);
  if (sets == 0) return;
  for (let j = 0; j < nkeys; j++) {
    if (setAt(sets, j) != 0) continue;
    // An absent key is an empty set: so is the intersection.
    free(sets);
    if (dstIdx > 0) {
      if (dbDelete(d, argPtr(dstIdx), argLen(dstIdx))) addDirty(1);
      addReplyLongLong(0);
    } else if (cardOnly) addReplyLongLong(0);
    else addReplySetLen(0);
    return;
  }
  sortBySize(sets, 0, nkeys, false);
  const s0 = setAt(sets, 0);
  let r: usize = 0;
  let at: usize = 0;
  if (dstIdx > 0) r = newResultSet(argPtr(dstIdx), argLen(dstIdx));
  else if (!cardOnly) at = addReplyDeferredLen();
  let card: i64 = 0;
  const it = iterOf(s0);
  while (iterNext(it)) {
    let j = 1;
    for (; j < nkeys; j++) {
      const sj = setAt(sets, j);
      if (sj == s0) continue;
      if (!setHasIter(sj, it)) break;
    }
    if (j < nkeys) continue;
    card++;
    if (r != 0) setAddIter(r, it);
    else if (!cardOnly) replyIterMember(it);
    if (limit != 0 && card >= limit) break;
  }
  iterEnd(it);
  free(sets);
  if (r != 0) storeResult(d, dstIdx, r);
  else if (cardOnly) addReplyLongLong(card);
  else setDeferredSetLen(at, card);
}

export function smembersCommand(): void {
  sinterGeneric(1, 1, 0, false, 0);
}

export function sinterCommand(): void {
  sinterGeneric(1, argc - 1, 0, false, 0);
}

export function sinterstoreCommand(): void {
  sinterGeneric(2, argc - 2, 1, false, 0);
}

export function sintercardCommand(): void {
  if (!string2ll(argPtr(1), argLen(1)) || parsedInt < 1) {
    addReplyError("numkeys should be greater than 0");
    return;
  }
  const numkeys = parsedInt;
  if (numkeys > <i64>(argc - 2)) {
    addReplyError("Number of keys can't be greater than number of args");
    return;
  }
  let limit: i64 = 0;
  for (let j = 2 + <i32>numkeys; j < argc; j++) {
    if (argIs(j, "limit") && j + 1 < argc) {
      j++;
      if (!string2ll(argPtr(j), argLen(j)) || parsedInt < 0) {
        addReplyError("LIMIT can't be negative");
        return;
      }
      limit = parsedInt;
    } else {
      addReplyError("syntax error");
      return;
    }
  }
  sinterGeneric(2, <i32>numkeys, 0, true, limit);
}

const OP_UNION: i32 = 0;
const OP_DIFF: i32 = 1;

/** SUNION, SDIFF and their *STORE forms (dstIdx > 0). */
function sunionDiffGeneric(first: i32, nkeys: i32, dstIdx: i32, op: i32): void {
  const d = db();
  const sets = lookupSets(d, first, nkeys);
  if (sets == 0) return;
  const s0 = setAt(sets, 0);
  let sameset = false;
  for (let j = 1; j < nkeys; j++) if (s0 != 0 && setAt(sets, j) == s0) sameset = true;
  const r = dstIdx > 0 ? newResultSet(argPtr(dstIdx), argLen(dstIdx)) : newResultSet(0, 0);
  if (op == OP_UNION) {
    for (let j = 0; j < nkeys; j++) {
      const s = setAt(sets, j);
      if (s == 0) continue;
      const it = iterOf(s);
      while (iterNext(it)) setAddIter(r, it);
      iterEnd(it);
    }
  } else if (s0 != 0 && !sameset) {
    // Redis's choice: walk the first set checking the others (about size0 * nkeys / 2 lookups),
    // or copy it and remove every member of the others (the sum of their sizes).
    let work1: i64 = 0;
    let work2: i64 = 0;
    for (let j = 0; j < nkeys; j++) {
      const s = setAt(sets, j);
      if (s == 0) continue;
      work1 += setTypeSize(s0);
      work2 += setTypeSize(s);
    }
    work1 /= 2;
    if (work1 <= work2) {
      // Largest first: a member found early in a big set costs fewer lookups.
      sortBySize(sets, 1, nkeys, true);
      const it = iterOf(s0);
      while (iterNext(it)) {
        let j = 1;
        for (; j < nkeys; j++) {
          const s = setAt(sets, j);
          if (s != 0 && setHasIter(s, it)) break;
        }
        if (j == nkeys) setAddIter(r, it);
      }
      iterEnd(it);
    } else {
      for (let j = 0; j < nkeys; j++) {
        const s = setAt(sets, j);
        if (s == 0) continue;
        const it = iterOf(s);
        while (iterNext(it)) {
          if (j == 0) setAddIter(r, it);
          else setRemoveIter(r, it);
        }
        iterEnd(it);
        if (setTypeSize(r) == 0) break;
      }
    }
  }
  free(sets);
  if (dstIdx > 0) {
    storeResult(d, dstIdx, r);
    return;
  }
  replySet(r);
  freeEntry(r);
}

export function sunionCommand(): void {
  sunionDiffGeneric(1, argc - 1, 0, OP_UNION);
}

export function sunionstoreCommand(): void {
  sunionDiffGeneric(2, argc - 2, 1, OP_UNION);
}

export function sdiffCommand(): void {
  sunionDiffGeneric(1, argc - 1, 0, OP_DIFF);
}

export function sdiffstoreCommand(): void {
  sunionDiffGeneric(2, argc - 2, 1, OP_DIFF);
}

// ---- SSCAN ---------------------------------------------------------------------------------------



export function sscanCommand(): void {
  if (!cursorArg(2)) return;
  const cursor = parsedCursor;
  const e = readSet(db(), 1);
  if (e == <usize>-1) return;
  if (e == 0) {
    addReplyEmptyScan();
    return;
  }
  if (!scanOptions(3, false)) return;
  const count = scanCount;
  const pat = scanPat;
  const plen = scanPatLen;
  const all = scanMatchesAll();
  addReplyArrayLen(2);
  if (entryEncoding(e) == ENC_INTSET) {
    // A small encoding is returned whole in one call, whatever the cursor.
    addReplyCursor(0);
    const at = addReplyDeferredLen();
    let n: i64 = 0;
    const it = iterOf(e);
    while (iterNext(it)) {
      if (!all) {
        itBytes(it);
        if (!stringmatchlen(pat, plen, it.p, it.n, false)) continue;
      }
      replyIterMember(it);
      n++;
    }
    iterEnd(it);
    setDeferredArrayLen(at, n);
    return;
  }
  const dict = setDict(e);
  scanReset();
  let c = <u32>cursor;
  let iterations = count * 10;
  do {
    c = dictScanStep(dict, c);
  } while (c != 0 && iterations-- > 0 && <i64>scanFound < count);
  addReplyCursor(<u64>c);
  const at = addReplyDeferredLen();
  let n: i64 = 0;
  for (let i: usize = 0; i < scanFound; i++) {
    const b = memberBlob(scanEntry(i));
    const p = blobData(b);
    const l = blobLen(b);
    if (!all && !stringmatchlen(pat, plen, p, l, false)) continue;
    addReplyBulk(p, l);
    n++;
  }
  setDeferredArrayLen(at, n);
}
