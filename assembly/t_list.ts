// The list commands (all but the blocking ones): pushes, pops, ranges, LINSERT/LREM/LTRIM/LPOS,
// LMOVE and LMPOP, on quicklist values (quicklist.ts).
//
// Redis 7.0 has one list encoding, "quicklist", from the first element on; a list key never
// exists empty: the command that removes the last element deletes the key.
//
// Argument checks come before the key lookup wherever Redis does it that way (LRANGE, LTRIM,
// LREM, LPOS, LMPOP, LPOP's count parse first; LSET and LINDEX look the key up first), because
// the order decides which error a client sees when several things are wrong.
//
// For the blocking commands (BLPOP, BLMOVE, BLMPOP, built on top of this file):
//
// - Ready keys. A client can only be blocked on a list key that does not exist, so the only event
//   that can wake one is the creation of a list key, which db.ts's dbAddNew reports to
//   blocking.ts. The key may be gone again by the time the host reads the list; the retried
//   command simply blocks again.
// - Serving a blocked client: listPopReply (pop 1 or `count` from one key, reply, delete the key
//   when empty), listMoveGeneric (LMOVE's body: returns whether it moved) and listMpopReply.
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyBulk, addReplyNull, addReplyNullArray, addReplyOK, addReplyLongLong, addReplyError,
  addReplyArrayLen, addReplyBulkLongLong, addReplyDeferredLen, setDeferredArrayLen,
} from "./reply";
import { currentDb, addDirty, hit, miss, newKeyLru } from "./server";
import { propOn, propCommand, propArg, propBulkInt } from "./propagate";
import { Db, getDb, dbFindLink, lastHash, dbAddNew, dbDeleteAt, touchEntry } from "./db";
import {
  OBJ_LIST, ENC_QUICKLIST, entryType, entryVal, newPtrEntry, registerValueType,
} from "./object";
import { alloc, free } from "./alloc";
import { addReplyWrongType } from "./t_string";
import { getLongLongArg, argInt } from "./args";
import { string2ll, parsedInt, ll2string } from "./util";
import { lpIsInt, lpInt, lpStr, lpStrLen, lpEq } from "./listpack";
import {
  qlCreate, qlFree, qlDup, qlMemory, qlCount, qlPush, qlPopDiscard, qlPeekValue, qlSeek, qlItNext,
  qlItPrev, qlItDelete, qlItValue, qlItReplace, qlItInsert, qlDelRange, itP,
} from "./quicklist";

registerValueType(
  OBJ_LIST,
  (enc: u32, v: usize): void => qlFree(v),
  (enc: u32, v: usize): usize => qlDup(v),
  (enc: u32, v: usize): usize => qlMemory(v),
);

// ---- shared pieces -------------------------------------------------------------------------------

/** Live entry of key `i` for a read (hit/miss counted, LRU touched), or 0. */
function findRead(d: Db, i: i32): usize {
  const link = dbFindLink(d, argPtr(i), argLen(i));
  if (link == 0) {
    miss();
    return 0;
  }
  hit();
  const e = <usize>load<u32>(link);
  touchEntry(e);
  return e;
}

/** Link of a key for a write (LRU touched), or 0. */
function findWrite(d: Db, key: usize, klen: usize): usize {
  const link = dbFindLink(d, key, klen);
  if (link != 0) touchEntry(<usize>load<u32>(link));
  return link;
}

/** The quicklist of key (klen bytes), created when absent. The key must not hold another type. */
function listForPush(d: Db, key: usize, klen: usize): usize {
  const link = findWrite(d, key, klen);
  if (link != 0) return entryVal(<usize>load<u32>(link));
  const ql = qlCreate();
  dbAddNew(d, newPtrEntry(key, klen, OBJ_LIST, ENC_QUICKLIST, ql, false, newKeyLru()), lastHash);
  return ql;
}

/** Replies the element last read by lpGetValue as a bulk string. */
// @ts-ignore: decorator
@inline
function replyValue(): void {
  if (lpIsInt) addReplyBulkLongLong(lpInt);
  else addReplyBulk(lpStr, lpStrLen);
}

function isList(link: usize): bool {
  return entryType(<usize>load<u32>(link)) == OBJ_LIST;
}

/** Parses LEFT/RIGHT at argument i: 1 head, 0 tail, -1 neither. */
export function parseWhere(i: i32): i32 {
  if (argIs(i, "left")) return 1;
  if (argIs(i, "right")) return 0;
  return -1;
}

// ---- push ---------------------------------------------------------------------------------------------

function pushGeneric(head: bool, onlyIfExists: bool): void {
  const d = getDb(currentDb);
  const key = argPtr(1);
  const klen = argLen(1);
  const link = findWrite(d, key, klen);
  if (link != 0 && !isList(link)) {
    addReplyWrongType();
    return;
  }
  if (link == 0 && onlyIfExists) {
    addReplyLongLong(0);
    return;
  }
  let ql: usize;
  if (link != 0) ql = entryVal(<usize>load<u32>(link));
  else ql = listForPush(d, key, klen);
  for (let i = 2; i < argc; i++) qlPush(ql, argPtr(i), argLen(i), head);
  addDirty(<u64>(argc - 2));
  addReplyLongLong(<i64>qlCount(ql));
}

export function lpushCommand(): void {
  pushGeneric(true, false);
}

export function rpushCommand(): void {
  pushGeneric(false, false);
}

export function lpushxCommand(): void {
  pushGeneric(true, true);
}

export function rpushxCommand(): void {
  pushGeneric(false, true);
}

// ---- pop ---------------------------------------------------------------------------------------------

/**
 * Pops from the list at `link` and replies: one bulk when count < 0, else an array of up to
 * `count` elements. Deletes the key when it empties. For LPOP/RPOP and the blocking commands.
 */
export function listPopReply(d: Db, link: usize, head: bool, count: i64): void {
  const ql = entryVal(<usize>load<u32>(link));
  if (count < 0) {
    qlPeekValue(ql, head);
    replyValue();
    qlPopDiscard(ql, head);
    addDirty(1);
  } else {
    const total = <i64>qlCount(ql);
    const n = count < total ? count : total;
    addReplyArrayLen(n);
    for (let i: i64 = 0; i < n; i++) {
      qlPeekValue(ql, head);
      replyValue();
      qlPopDiscard(ql, head);
    }
    addDirty(<u64>n);
  }
  if (qlCount(ql) == 0) dbDeleteAt(d, link);
}

function popGeneric(head: bool): void {
  let count: i64 = -1;
  if (argc == 3) {
    if (!string2ll(argPtr(2), argLen(2)) || parsedInt < 0) {
      addReplyError("value is out of range, must be positive");
      return;
    }
    count = parsedInt;
  } else if (argc > 3) {
    addReplyError(head ? "wrong number of arguments for 'lpop' command" : "wrong number of arguments for 'rpop' command");
    return;
  }
  const d = getDb(currentDb);
  const link = dbFindLink(d, argPtr(1), argLen(1));
  if (link == 0) {
    miss();
    if (count >= 0) addReplyNullArray();
    else addReplyNull();
    return;
  }
  hit();
  if (!isList(link)) {
    addReplyWrongType();
    return;
  }
  touchEntry(<usize>load<u32>(link));
  listPopReply(d, link, head, count);
}

export function lpopCommand(): void {
  popGeneric(true);
}

export function rpopCommand(): void {
  popGeneric(false);
}

// ---- reads -------------------------------------------------------------------------------------------

export function llenCommand(): void {
  const e = findRead(getDb(currentDb), 1);
  if (e == 0) addReplyLongLong(0);
  else if (entryType(e) != OBJ_LIST) addReplyWrongType();
  else addReplyLongLong(<i64>qlCount(entryVal(e)));
}

export function lindexCommand(): void {
  const e = findRead(getDb(currentDb), 1);
  if (e == 0) {
    addReplyNull();
    return;
  }
  if (entryType(e) != OBJ_LIST) {
    addReplyWrongType();
    return;
  }
  if (!getLongLongArg(2)) return;
  if (!qlSeek(entryVal(e), argInt)) {
    addReplyNull();
    return;
  }
  qlItValue();
  replyValue();
}

export function lrangeCommand(): void {
  if (!getLongLongArg(2)) return;
  let start = argInt;
  if (!getLongLongArg(3)) return;
  let end = argInt;
  const e = findRead(getDb(currentDb), 1);
  if (e == 0) {
    addReplyArrayLen(0);
    return;
  }
  if (entryType(e) != OBJ_LIST) {
    addReplyWrongType();
    return;
  }
  const ql = entryVal(e);
  const len = <i64>qlCount(ql);
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    addReplyArrayLen(0);
    return;
  }
  if (end >= len) end = len - 1;
  const n = end - start + 1;
  addReplyArrayLen(n);
  qlSeek(ql, start);
  for (let i: i64 = 0; i < n; i++) {
    if (i > 0) qlItNext();
    qlItValue();
    replyValue();
  }
}

// ---- in-place changes ----------------------------------------------------------------------------

export function lsetCommand(): void {
  const d = getDb(currentDb);
  const link = findWrite(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyError("no such key");
    return;
  }
  if (!isList(link)) {
    addReplyWrongType();
    return;
  }
  if (!getLongLongArg(2)) return;
  const ql = entryVal(<usize>load<u32>(link));
  if (!qlSeek(ql, argInt)) {
    addReplyError("index out of range");
    return;
  }
  qlItReplace(ql, argPtr(3), argLen(3));
  addDirty(1);
  addReplyOK();
}

export function linsertCommand(): void {
  let after: bool;
  if (argIs(2, "after")) after = true;
  else if (argIs(2, "before")) after = false;
  else {
    addReplyError("syntax error");
    return;
  }
  const d = getDb(currentDb);
  const link = findWrite(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyLongLong(0);
    return;
  }
  if (!isList(link)) {
    addReplyWrongType();
    return;
  }
  const ql = entryVal(<usize>load<u32>(link));
  const pivot = argPtr(3);
  const plen = argLen(3);
  qlSeek(ql, 0);
  while (true) {
    if (lpEq(itP, pivot, plen)) {
      qlItInsert(ql, argPtr(4), argLen(4), after);
      addDirty(1);
      addReplyLongLong(<i64>qlCount(ql));
      return;
    }
    if (!qlItNext()) break;
  }
  addReplyLongLong(-1);
}

export function lremCommand(): void {
  if (!getLongLongArg(2)) return;
  const toRemove = argInt;
  const d = getDb(currentDb);
  const link = findWrite(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyLongLong(0);
    return;
  }
  if (!isList(link)) {
    addReplyWrongType();
    return;
  }
  const ql = entryVal(<usize>load<u32>(link));
  const forward = toRemove >= 0;
  const limit: i64 = toRemove < 0 ? -toRemove : toRemove; // 0: no limit
  const val = argPtr(3);
  const vlen = argLen(3);
  let removed: i64 = 0;
  qlSeek(ql, forward ? 0 : -1);
  while (true) {
    if (lpEq(itP, val, vlen)) {
      removed++;
      const more = qlItDelete(ql, forward);
      if (!more || (limit != 0 && removed == limit)) break;
    } else if (!(forward ? qlItNext() : qlItPrev())) break;
  }
  if (removed > 0) addDirty(<u64>removed);
  if (qlCount(ql) == 0) dbDeleteAt(d, link);
  addReplyLongLong(removed);
}

export function ltrimCommand(): void {
  if (!getLongLongArg(2)) return;
  let start = argInt;
  if (!getLongLongArg(3)) return;
  let end = argInt;
  const d = getDb(currentDb);
  const link = findWrite(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyOK();
    return;
  }
  if (!isList(link)) {
    addReplyWrongType();
    return;
  }
  const ql = entryVal(<usize>load<u32>(link));
  const len = <i64>qlCount(ql);
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  let ltrim: i64;
  let rtrim: i64;
  if (start > end || start >= len) {
    ltrim = len;
    rtrim = 0;
  } else {
    if (end >= len) end = len - 1;
    ltrim = start;
    rtrim = len - end - 1;
  }
  qlDelRange(ql, 0, ltrim);
  qlDelRange(ql, <i64>qlCount(ql) - rtrim, rtrim);
  addDirty(<u64>(ltrim + rtrim));
  if (qlCount(ql) == 0) dbDeleteAt(d, link);
  addReplyOK();
}

// ---- LPOS --------------------------------------------------------------------------------------------

export function lposCommand(): void {
  let rank: i64 = 1;
  let count: i64 = -1; // -1: not given (single reply)
  let maxlen: i64 = 0;
  for (let i = 3; i < argc; i++) {
    const hasValue = i + 1 < argc;
    if (argIs(i, "rank") && hasValue) {
      if (!getLongLongArg(i + 1)) return;
      rank = argInt;
      if (rank == 0) {
        addReplyError("RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
        return;
      }
    } else if (argIs(i, "count") && hasValue) {
      if (!getLongLongArg(i + 1)) return;
      count = argInt;
      if (count < 0) {
        addReplyError("COUNT can't be negative");
        return;
      }
    } else if (argIs(i, "maxlen") && hasValue) {
      if (!getLongLongArg(i + 1)) return;
      maxlen = argInt;
      if (maxlen < 0) {
        addReplyError("MAXLEN can't be negative");
        return;
      }
    } else {
      addReplyError("syntax error");
      return;
    }
    i++;
  }
  const e = findRead(getDb(currentDb), 1);
  if (e == 0) {
    if (count >= 0) addReplyArrayLen(0);
    else addReplyNull();
    return;
  }
  if (entryType(e) != OBJ_LIST) {
    addReplyWrongType();
    return;
  }
  const ql = entryVal(e);
  const len = <i64>qlCount(ql);
  const forward = rank > 0;
  if (!forward) rank = -rank; // i64 wraps for the smallest value, as in Redis: any match qualifies
  const val = argPtr(2);
  const vlen = argLen(2);
  let deferred: usize = 0;
  if (count >= 0) deferred = addReplyDeferredLen();
  let matches: i64 = 0;
  let found: i64 = 0;
  let index: i64 = 0;
  qlSeek(ql, forward ? 0 : -1);
  while (maxlen == 0 || index < maxlen) {
    if (lpEq(itP, val, vlen)) {
      matches++;
      if (matches >= rank) {
        const pos = forward ? index : len - 1 - index;
        if (count < 0) {
          addReplyLongLong(pos);
          return;
        }
        addReplyLongLong(pos);
        found++;
        if (count != 0 && found >= count) break;
      }
    }
    index++;
    if (!(forward ? qlItNext() : qlItPrev())) break;
  }
  if (count < 0) addReplyNull();
  else setDeferredArrayLen(deferred, found);
}

// ---- LMOVE / RPOPLPUSH ---------------------------------------------------------------------------

const intText: usize = memory.data(24);

/**
 * LMOVE's body: moves one element from the `fromHead` end of src to the `toHead` end of dst and
 * replies it. Returns 1 when moved, 0 when src is missing (nothing replied), -1 after replying an
 * error (WRONGTYPE of src or dst; nothing moved).
 */
export function listMoveGeneric(src: usize, slen: usize, dst: usize, dlen: usize, fromHead: bool, toHead: bool): i32 {
  const d = getDb(currentDb);
  const slink = findWrite(d, src, slen);
  if (slink == 0) return 0;
  if (!isList(slink)) {
    addReplyWrongType();
    return -1;
  }
  // Value pointers stay put across lookups (links do not): take src's before looking up dst.
  const sql = entryVal(<usize>load<u32>(slink));
  const dlink = findWrite(d, dst, dlen);
  if (dlink != 0 && !isList(dlink)) {
    addReplyWrongType();
    return -1;
  }
  // The element is copied out first: pushing may move the listpack it lives in (src == dst).
  qlPeekValue(sql, fromHead);
  let ptr: usize;
  let len: usize;
  let owned: usize = 0;
  if (lpIsInt) {
    ptr = intText;
    len = ll2string(intText, lpInt);
  } else {
    len = lpStrLen;
    owned = alloc(len == 0 ? 1 : len);
    memory.copy(owned, lpStr, len);
    ptr = owned;
  }
  qlPopDiscard(sql, fromHead);
  if (qlCount(sql) == 0) dbDeleteAt(d, dbFindLink(d, src, slen));
  const dql = listForPush(d, dst, dlen);
  qlPush(dql, ptr, len, toHead);
  addReplyBulk(ptr, len);
  if (owned != 0) free(owned);
  addDirty(1);
  return 1;
}


export function lmoveCommand(): void {
  const from = parseWhere(3);
  const to = parseWhere(4);
  if (from < 0 || to < 0) {
    addReplyError("syntax error");
    return;
  }
  if (listMoveGeneric(argPtr(1), argLen(1), argPtr(2), argLen(2), from == 1, to == 1) == 0) addReplyNull();
}

export function rpoplpushCommand(): void {
  if (listMoveGeneric(argPtr(1), argLen(1), argPtr(2), argLen(2), false, true) == 0) addReplyNull();
}

// ---- LMPOP ---------------------------------------------------------------------------------------

/**
 * Pops up to `count` elements from the first non-empty list among `numkeys` keys starting at
 * argument `first` and replies [key, [elements]]. Returns 1 when it popped, 0 when every key was
 * missing (nothing replied), -1 after replying WRONGTYPE.
 */
export function listMpopReply(first: i32, numkeys: i32, head: bool, count: i64): i32 {
  const d = getDb(currentDb);
  for (let i = first; i < first + numkeys; i++) {
    const link = findWrite(d, argPtr(i), argLen(i));
    if (link == 0) continue;
    if (!isList(link)) {
      addReplyWrongType();
      return -1;
    }
    addReplyArrayLen(2);
    addReplyBulk(argPtr(i), argLen(i));
    listPopReply(d, link, head, count);
    // LMPOP and BLMPOP replay as LPOP/RPOP key count of the key they served, as in Redis.
    if (propOn) {
      propCommand(currentDb, 3, head ? "LPOP" : "RPOP");
      propArg(i);
      propBulkInt(count);
    }
    return 1;
  }
  return 0;
}

/** LMPOP's and BLMPOP's arguments from `numkeys` on, parsed by mpopParse. */
export let mpopNumkeys: i32 = 0;
export let mpopHead: bool = true;
export let mpopCount: i64 = 1;

/** Parses `numkeys key… LEFT|RIGHT [COUNT n]` starting at argument `at`; replies the error and returns false. */
export function mpopParse(at: i32): bool {
  if (!string2ll(argPtr(at), argLen(at)) || parsedInt <= 0) {
    addReplyError("numkeys should be greater than 0");
    return false;
  }
  const numkeys = parsedInt;
  if (numkeys > <i64>(argc - at - 2)) {
    addReplyError("syntax error");
    return false;
  }
  const whereIdx = at + 1 + <i32>numkeys;
  const where = parseWhere(whereIdx);
  if (where < 0) {
    addReplyError("syntax error");
    return false;
  }
  let count: i64 = 1;
  let i = whereIdx + 1;
  let sawCount = false;
  while (i < argc) {
    if (!sawCount && argIs(i, "count") && i + 1 < argc) {
      if (!string2ll(argPtr(i + 1), argLen(i + 1)) || parsedInt <= 0) {
        addReplyError("count should be greater than 0");
        return false;
      }
      count = parsedInt;
      sawCount = true;
      i += 2;
    } else {
      addReplyError("syntax error");
      return false;
    }
  }
  mpopNumkeys = <i32>numkeys;
  mpopHead = where == 1;
  mpopCount = count;
  return true;
}

export function lmpopCommand(): void {
  if (!mpopParse(1)) return;
  if (listMpopReply(2, mpopNumkeys, mpopHead, mpopCount) == 0) addReplyNullArray();
}
