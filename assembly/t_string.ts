// The string commands: GET/SET and their variants, ranges, counters.
//
// A string value has three shapes (object.ts): `int` (an i64 inline in the keyspace entry),
// `embstr` (≤ 44 bytes inline) and `raw` (an sds out of line). Which one a write produces is
// part of Redis's observable behaviour (OBJECT ENCODING), so each command follows Redis's rule:
//
// - values arriving from a client (SET, SETNX, SETEX, GETSET, MSET, APPEND to a new key) go
//   through Redis's tryObjectEncoding: a strict 64-bit integer of ≤ 20 bytes is `int`, else ≤ 44
//   bytes is `embstr`, else `raw`;
// - APPEND and SETRANGE on an existing key always leave `raw`: the value is about to grow, and
//   an sds has room to grow in place;
// - INCR and friends store `int`; INCRBYFLOAT stores its text as a plain string (`embstr` when
//   short), never `int`, even when the text is "3".
//
// The hot path is SET of a short value over a short value of the same shape (the benchmark):
// the entry block is rewritten in place when the new value lands in the same allocator size
// class, which saves an alloc, a free and the dict relink. Everything else builds a new entry
// and swaps it into the link the lookup returned (one hash, one probe per key).
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyBulk, addReplyNull, addReplyOK, addReplyLongLong, addReplyError, addReplyErrorCode,
  addReplyBulkLongLong, addReplyArrayLen, addReplyExpireTimeError,
  addReplyArityError,
} from "./reply";
import { currentDb, now, newKeyLru, addDirty, hit, miss, loading } from "./server";
import { propOn, propCommand, propArg, propBulk, propBulkInt, propBulkAscii, propAsDel } from "./propagate";
import { Db, getDb, dbFindLink, lastHash, lookupRead, lookupWriteLink, dbAddNew, dbReplaceAt, dbDeleteAt, touchEntry } from "./db";
import { setExpireAt, removeExpire } from "./expire";
import {
  OBJ_STRING, ENC_RAW, ENC_INT, ENC_EMBSTR, EMBSTR_SIZE_LIMIT, entryType, entryEncoding, entryHasTtl,
  entryExpireAt, setEntryExpireAt, entryInline, entryInt, entryVal, setEntryVal, setEntryLru,
  newEmbstrEntry, newIntEntry, newPtrEntry, stringValue, stringLength, strPtr, strLen,
  setEntryInlineEncoding,
} from "./object";
import { sdsNew, sdsLen, sdsCat, sdsMakeRoomFor, sdsSetLen } from "./sds";
import { blobSize, blobLen, blobWrite } from "./blob";
import { sizeClass } from "./alloc";
import {
  string2ll, parsedInt, string2ld, ldFromLL, ldAdd, ldIsFinite, ld2string, LD_SIZE, MAX_LONG_DOUBLE_CHARS,
} from "./util";
import { getLongLongArg, argInt } from "./args";

// ---- shared pieces -------------------------------------------------------------------------------

/**
 * Redis's proto-max-bulk-len: no string may grow past it (APPEND, SETRANGE), and LCS may not use
 * more scratch memory than it. The host pushes CONFIG SET changes through setProtoMaxBulkLen.
 */
export let protoMaxBulkLen: u64 = 512 * 1024 * 1024;

export function setProtoMaxBulkLen(n: f64): void {
  protoMaxBulkLen = <u64>n;
}

/** Largest block the allocator serves from size classes (alloc.ts SMALL_MAX). */
const SMALL_BLOCK_MAX: usize = 16384;

export function addReplyWrongType(): void {
  addReplyErrorCode("WRONGTYPE Operation against a key holding the wrong kind of value");
}

function addReplyNotInteger(): void {
  addReplyError("value is not an integer or out of range");
}

/** False (after replying) when a string of `size + append` bytes would pass proto-max-bulk-len. */
function checkStringLength(size: u64, append: u64): bool {
  // Both operands are below 2^63, so the sum cannot wrap; a wasm32 string also cannot pass 4 GB.
  const total = size + append;
  if (total > protoMaxBulkLen || total > <u64>0xfff00000) {
    addReplyError("string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

/** Link of the live key argument `i` for a read: counts a hit or miss and touches the LRU clock. */
function findRead(d: Db, i: i32): usize {
  const link = dbFindLink(d, argPtr(i), argLen(i));
  if (link == 0) miss();
  else {
    hit();
    touchEntry(<usize>load<u32>(link));
  }
  return link;
}

/** Replies a string entry's value as a bulk string. */
// @ts-ignore: decorator
@inline
function replyString(e: usize): void {
  if (entryEncoding(e) == ENC_INT) {
    addReplyBulkLongLong(entryInt(e));
  } else {
    stringValue(e);
    addReplyBulk(strPtr, strLen);
  }
}

/** A fresh string entry; `isInt` means `iv` holds the value (already parsed). `when` 0: no TTL. */
function makeString(key: usize, klen: usize, val: usize, vlen: usize, isInt: bool, iv: i64, when: i64): usize {
  const ttl = when != 0;
  let e: usize;
  if (isInt) e = newIntEntry(key, klen, iv, ttl, newKeyLru());
  else if (vlen <= EMBSTR_SIZE_LIMIT) e = newEmbstrEntry(key, klen, val, vlen, ttl, newKeyLru());
  else e = newPtrEntry(key, klen, OBJ_STRING, ENC_RAW, sdsNew(val, vlen), ttl, newKeyLru());
  if (ttl) setEntryExpireAt(e, when);
  return e;
}

/**
 * Rewrites an inline (int/embstr) string entry with a new inline value when its block would be
 * the same size class anyway and the TTL layout does not change. False when it cannot.
 */
function overwriteInline(e: usize, val: usize, vlen: usize, isInt: bool, iv: i64, when: i64): bool {
  if (entryType(e) != OBJ_STRING) return false;
  const enc = entryEncoding(e);
  if (enc != ENC_EMBSTR && enc != ENC_INT) return false;
  if (!isInt && vlen > EMBSTR_SIZE_LIMIT) return false;
  if (entryHasTtl(e) != (when != 0)) return false;
  const inl = entryInline(e);
  const head = inl - e;
  const oldSize = head + (enc == ENC_INT ? 8 : blobSize(blobLen(inl)));
  const newSize = head + (isInt ? 8 : blobSize(vlen));
  if (oldSize > SMALL_BLOCK_MAX || newSize > SMALL_BLOCK_MAX || sizeClass(oldSize) != sizeClass(newSize)) return false;
  if (isInt) {
    store<i64>(inl, iv);
    if (enc != ENC_INT) setEntryInlineEncoding(e, ENC_INT);
  } else {
    blobWrite(inl, val, vlen);
    if (enc != ENC_EMBSTR) setEntryInlineEncoding(e, ENC_EMBSTR);
  }
  if (when != 0) setEntryExpireAt(e, when);
  touchEntry(e);
  return true;
}

/**
 * Stores `val` under the key whose lookup just returned `link` (0: absent; lastHash is then the
 * key's hash). `when` is the absolute expiry (0: none); `keepTtl` keeps an existing key's TTL.
 * `tryInt`: the client-value rule (an integer becomes `int`); off, short text stays `embstr`.
 */
function storeString(
  d: Db, link: usize, key: usize, klen: usize, val: usize, vlen: usize, when: i64, keepTtl: bool, tryInt: bool,
): void {
  const hash = lastHash;
  const isInt = tryInt && vlen <= 20 && string2ll(val, vlen);
  const iv = parsedInt;
  if (link == 0) {
    dbAddNew(d, makeString(key, klen, val, vlen, isInt, iv, when), hash);
    return;
  }
  const old = <usize>load<u32>(link);
  if (keepTtl && entryHasTtl(old)) when = entryExpireAt(old);
  if (overwriteInline(old, val, vlen, isInt, iv, when)) return;
  dbReplaceAt(d, link, makeString(key, klen, val, vlen, isInt, iv, when), true);
}

/**
 * Makes the string entry at `*link` raw (an sds out of line, TTL kept) so that it can be edited
 * in place; returns the entry now at `*link`.
 */
function unshareRaw(d: Db, link: usize, key: usize, klen: usize): usize {
  const e = <usize>load<u32>(link);
  if (entryEncoding(e) == ENC_RAW) return e;
  stringValue(e);
  const ttl = entryHasTtl(e);
  const n = newPtrEntry(key, klen, OBJ_STRING, ENC_RAW, sdsNew(strPtr, strLen), ttl, newKeyLru());
  if (ttl) setEntryExpireAt(n, entryExpireAt(e));
  dbReplaceAt(d, link, n, true);
  return n;
}

// ---- SET and its options -------------------------------------------------------------------------

const OPT_NX: u32 = 1;
const OPT_XX: u32 = 2;
const OPT_GET: u32 = 4;
const OPT_KEEPTTL: u32 = 8;
const OPT_PERSIST: u32 = 16;
const OPT_EX: u32 = 32;
const OPT_PX: u32 = 64;
const OPT_EXAT: u32 = 128;
const OPT_PXAT: u32 = 256;
const OPT_EXPIRE: u32 = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;

/** Results of parseOptions / expireWhen. */
let optFlags: u32 = 0;
let optExpireArg: i32 = 0; // argument index of the expire value, 0 when none
let optWhen: i64 = 0;

/** Which expire option argument `j` names, 0 for none. */
function expireOption(j: i32): u32 {
  const n = argLen(j);
  if (n == 2) {
    if (argIs(j, "ex")) return OPT_EX;
    if (argIs(j, "px")) return OPT_PX;
  } else if (n == 4) {
    if (argIs(j, "exat")) return OPT_EXAT;
    if (argIs(j, "pxat")) return OPT_PXAT;
  }
  return 0;
}

/**
 * Parses SET's (forSet) or GETEX's options from argument `first` on. Redis accepts an option
 * again when it repeats (NX NX, EX 1 EX 2: the last value counts) and rejects only conflicting
 * ones, all with a plain syntax error.
 */
function parseOptions(first: i32, forSet: bool): bool {
  let f: u32 = 0;
  let exp: i32 = 0;
  for (let j = first; j < argc; j++) {
    const x = expireOption(j);
    if (x != 0) {
      if (j + 1 < argc && (f & (OPT_KEEPTTL | OPT_PERSIST)) == 0 && (f & OPT_EXPIRE & ~x) == 0) {
        f |= x;
        exp = ++j;
        continue;
      }
    } else if (forSet) {
      if (argIs(j, "nx")) {
        if ((f & OPT_XX) == 0) {
          f |= OPT_NX;
          continue;
        }
      } else if (argIs(j, "xx")) {
        if ((f & OPT_NX) == 0) {
          f |= OPT_XX;
          continue;
        }
      } else if (argIs(j, "get")) {
        f |= OPT_GET;
        continue;
      } else if (argIs(j, "keepttl")) {
        if ((f & OPT_EXPIRE) == 0) {
          f |= OPT_KEEPTTL;
          continue;
        }
      }
    } else if (argIs(j, "persist") && (f & OPT_EXPIRE) == 0) {
      f |= OPT_PERSIST;
      continue;
    }
    addReplyError("syntax error");
    return false;
  }
  optFlags = f;
  optExpireArg = exp;
  return true;
}


/**
 * Turns the expire argument into an absolute time in ms (optWhen), or replies the error:
 * not an integer, not positive, or overflowing once converted/added to now.
 */
function expireWhen(name: string): bool {
  if (!getLongLongArg(optExpireArg)) return false;
  let ms = argInt;
  const seconds = (optFlags & (OPT_EX | OPT_EXAT)) != 0;
  if (ms <= 0 || (seconds && ms > i64.MAX_VALUE / 1000)) {
    addReplyExpireTimeError(name);
    return false;
  }
  if (seconds) ms *= 1000;
  if ((optFlags & (OPT_EX | OPT_PX)) != 0) ms += now; // wraps negative on overflow, caught below
  if (ms <= 0) {
    addReplyExpireTimeError(name);
    return false;
  }
  optWhen = ms;
  return true;
}

/**
 * SET/SETNX/SETEX/PSETEX once the options are known. `nxReply`: SETNX answers 1/0 instead of
 * OK/nil. With GET the old value is the reply and nothing else is sent.
 */
function setGeneric(flags: u32, valIdx: i32, when: i64, nxReply: bool): void {
  const d = getDb(currentDb);
  const key = argPtr(1);
  const klen = argLen(1);
  const link = dbFindLink(d, key, klen);
  const withGet = (flags & OPT_GET) != 0;
  if (withGet) {
    if (link == 0) {
      miss();
      addReplyNull();
    } else {
      const e = <usize>load<u32>(link);
      hit();
      if (entryType(e) != OBJ_STRING) {
        addReplyWrongType();
        return;
      }
      replyString(e);
    }
  }
  if (((flags & OPT_NX) != 0 && link != 0) || ((flags & OPT_XX) != 0 && link == 0)) {
    if (!withGet) {
      if (nxReply) addReplyLongLong(0);
      else addReplyNull();
    }
    return;
  }
  storeString(d, link, key, klen, argPtr(valIdx), argLen(valIdx), when, (flags & OPT_KEEPTTL) != 0, true);
  addDirty(1);
  // EX, PX, EXAT and SETEX/PSETEX replay as SET key value PXAT <ms> (PXAT itself as sent).
  if (propOn && when != 0 && (flags & OPT_PXAT) == 0) {
    propCommand(currentDb, 5, "SET");
    propArg(1);
    propArg(valIdx);
    propBulkAscii("PXAT");
    propBulkInt(when);
  }
  if (!withGet) {
    if (nxReply) addReplyLongLong(1);
    else addReplyOK();
  }
}

export function setCommand(): void {
  if (argc == 3) {
    // The benchmark's path: no options, one lookup, usually an in-place overwrite.
    const d = getDb(currentDb);
    const key = argPtr(1);
    const klen = argLen(1);
    storeString(d, dbFindLink(d, key, klen), key, klen, argPtr(2), argLen(2), 0, false, true);
    addDirty(1);
    addReplyOK();
    return;
  }
  if (!parseOptions(3, true)) return;
  let when: i64 = 0;
  if (optExpireArg != 0) {
    if (!expireWhen("set")) return;
    when = optWhen;
  }
  setGeneric(optFlags, 2, when, false);
}

export function setnxCommand(): void {
  setGeneric(OPT_NX, 2, 0, true);
}

function setexGeneric(unit: u32, name: string): void {
  optFlags = unit;
  optExpireArg = 2;
  if (!expireWhen(name)) return;
  setGeneric(0, 3, optWhen, false);
}

export function setexCommand(): void {
  setexGeneric(OPT_EX, "setex");
}

export function psetexCommand(): void {
  setexGeneric(OPT_PX, "psetex");
}

// ---- reads -------------------------------------------------------------------------------------

export function getCommand(): void {
  const e = lookupRead(getDb(currentDb), argPtr(1), argLen(1));
  if (e == 0) {
    addReplyNull();
  } else if (entryType(e) != OBJ_STRING) {
    addReplyWrongType();
  } else {
    replyString(e);
  }
}

export function mgetCommand(): void {
  const d = getDb(currentDb);
  addReplyArrayLen(argc - 1);
  for (let i = 1; i < argc; i++) {
    const e = lookupRead(d, argPtr(i), argLen(i));
    // MGET never fails: a key of another type reads as nil.
    if (e == 0 || entryType(e) != OBJ_STRING) addReplyNull();
    else replyString(e);
  }
}

export function strlenCommand(): void {
  const e = lookupRead(getDb(currentDb), argPtr(1), argLen(1));
  if (e == 0) addReplyLongLong(0);
  else if (entryType(e) != OBJ_STRING) addReplyWrongType();
  else addReplyLongLong(<i64>stringLength(e));
}

function getrangeGeneric(): void {
  if (!getLongLongArg(2)) return;
  let start = argInt;
  if (!getLongLongArg(3)) return;
  let end = argInt;
  const e = lookupRead(getDb(currentDb), argPtr(1), argLen(1));
  if (e == 0) {
    addReplyBulk(0, 0);
    return;
  }
  if (entryType(e) != OBJ_STRING) {
    addReplyWrongType();
    return;
  }
  stringValue(e);
  const n = <i64>strLen;
  // Both ends from the end of the string and in the wrong order: empty, before any clamping.
  if (start < 0 && end < 0 && start > end) {
    addReplyBulk(0, 0);
    return;
  }
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (start > end || n == 0) addReplyBulk(0, 0);
  else addReplyBulk(strPtr + <usize>start, <usize>(end - start + 1));
}

export function getrangeCommand(): void {
  getrangeGeneric();
}

export function substrCommand(): void {
  getrangeGeneric();
}

// ---- read-and-write ------------------------------------------------------------------------------

export function getsetCommand(): void {
  const d = getDb(currentDb);
  const link = findRead(d, 1);
  if (link == 0) {
    addReplyNull();
  } else {
    const e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_STRING) {
      addReplyWrongType();
      return;
    }
    replyString(e);
  }
  storeString(d, link, argPtr(1), argLen(1), argPtr(2), argLen(2), 0, false, true);
  addDirty(1);
}

export function getdelCommand(): void {
  const d = getDb(currentDb);
  const link = findRead(d, 1);
  if (link == 0) {
    addReplyNull();
    return;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_STRING) {
    addReplyWrongType();
    return;
  }
  replyString(e);
  dbDeleteAt(d, link);
  addDirty(1);
  if (propOn) {
    propAsDel(currentDb);
  }
}

export function getexCommand(): void {
  if (!parseOptions(2, false)) return;
  const d = getDb(currentDb);
  const link = findRead(d, 1);
  if (link == 0) {
    addReplyNull();
    return;
  }
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_STRING) {
    addReplyWrongType();
    return;
  }
  // Redis looks the key up before it validates the time: a missing key answers nil even to
  // GETEX k EX 0.
  if (optExpireArg != 0 && !expireWhen("getex")) return;
  replyString(e);
  // Replayed as what it did: DEL, PEXPIREAT with the absolute time, or PERSIST.
  if ((optFlags & (OPT_EXAT | OPT_PXAT)) != 0 && optWhen <= now && !loading) {
    dbDeleteAt(d, link);
    addDirty(1);
    if (propOn) {
      propAsDel(currentDb);
    }
  } else if (optExpireArg != 0) {
    setExpireAt(d, link, optWhen);
    addDirty(1);
    if (propOn) {
      propCommand(currentDb, 3, "PEXPIREAT");
      propArg(1);
      propBulkInt(optWhen);
    }
  } else if ((optFlags & OPT_PERSIST) != 0) {
    if (removeExpire(d, link)) {
      addDirty(1);
      if (propOn) {
        propCommand(currentDb, 2, "PERSIST");
        propArg(1);
      }
    }
  }
}


function msetGeneric(nx: bool): void {
  if ((argc & 1) == 0) {
    addReplyArityError(nx ? "msetnx" : "mset");
    return;
  }
  const d = getDb(currentDb);
  if (nx) {
    for (let i = 1; i < argc; i += 2) {
      if (lookupWriteLink(d, argPtr(i), argLen(i)) != 0) {
        addReplyLongLong(0);
        return;
      }
    }
  }
  for (let i = 1; i < argc; i += 2) {
    const key = argPtr(i);
    const klen = argLen(i);
    storeString(d, dbFindLink(d, key, klen), key, klen, argPtr(i + 1), argLen(i + 1), 0, false, true);
  }
  addDirty(<u64>((argc - 1) >> 1));
  if (nx) addReplyLongLong(1);
  else addReplyOK();
}

export function msetCommand(): void {
  msetGeneric(false);
}

export function msetnxCommand(): void {
  msetGeneric(true);
}

// ---- in-place edits ------------------------------------------------------------------------------

export function appendCommand(): void {
  const d = getDb(currentDb);
  const key = argPtr(1);
  const klen = argLen(1);
  const val = argPtr(2);
  const vlen = argLen(2);
  const link = lookupWriteLink(d, key, klen);
  if (link == 0) {
    // A new key takes the value as SET would (so "123" is an int until the next APPEND).
    storeString(d, 0, key, klen, val, vlen, 0, false, true);
    addDirty(1);
    addReplyLongLong(<i64>vlen);
    return;
  }
  const old = <usize>load<u32>(link);
  if (entryType(old) != OBJ_STRING) {
    addReplyWrongType();
    return;
  }
  if (!checkStringLength(<u64>stringLength(old), <u64>vlen)) return;
  const e = unshareRaw(d, link, key, klen);
  const s = sdsCat(entryVal(e), val, vlen);
  setEntryVal(e, s);
  addDirty(1);
  addReplyLongLong(<i64>sdsLen(s));
}

export function setrangeCommand(): void {
  if (!getLongLongArg(2)) return;
  const offset = argInt;
  if (offset < 0) {
    addReplyError("offset is out of range");
    return;
  }
  const d = getDb(currentDb);
  const key = argPtr(1);
  const klen = argLen(1);
  const val = argPtr(3);
  const vlen = argLen(3);
  const link = lookupWriteLink(d, key, klen);
  if (link == 0) {
    // Writing nothing to a missing key creates nothing.
    if (vlen == 0) {
      addReplyLongLong(0);
      return;
    }
    if (!checkStringLength(<u64>offset, <u64>vlen)) return;
    const off = <usize>offset;
    const s = sdsNew(0, off + vlen);
    memory.fill(s, 0, off);
    memory.copy(s + off, val, vlen);
    dbAddNew(d, newPtrEntry(key, klen, OBJ_STRING, ENC_RAW, s, false, newKeyLru()), lastHash);
    addDirty(1);
    addReplyLongLong(<i64>(off + vlen));
    return;
  }
  const old = <usize>load<u32>(link);
  if (entryType(old) != OBJ_STRING) {
    addReplyWrongType();
    return;
  }
  if (vlen == 0) {
    addReplyLongLong(<i64>stringLength(old));
    return;
  }
  if (!checkStringLength(<u64>offset, <u64>vlen)) return;
  const off = <usize>offset;
  const e = unshareRaw(d, link, key, klen);
  let s = entryVal(e);
  const len = sdsLen(s);
  const need = off + vlen;
  if (need > len) {
    // The gap between the old end and the offset reads as zero bytes.
    s = sdsMakeRoomFor(s, need - len);
    memory.fill(s + len, 0, need - len);
    sdsSetLen(s, need);
    setEntryVal(e, s);
  }
  memory.copy(s + off, val, vlen);
  addDirty(1);
  addReplyLongLong(<i64>sdsLen(s));
}

// ---- counters ----------------------------------------------------------------------------------

function incrDecr(incr: i64): void {
  const d = getDb(currentDb);
  const key = argPtr(1);
  const klen = argLen(1);
  const link = lookupWriteLink(d, key, klen);
  let value: i64 = 0;
  let e: usize = 0;
  if (link != 0) {
    e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_STRING) {
      addReplyWrongType();
      return;
    }
    if (entryEncoding(e) == ENC_INT) {
      value = entryInt(e);
    } else {
      stringValue(e);
      if (!string2ll(strPtr, strLen)) {
        addReplyNotInteger();
        return;
      }
      value = parsedInt;
    }
  }
  if ((incr < 0 && value < 0 && incr < i64.MIN_VALUE - value) || (incr > 0 && value > 0 && incr > i64.MAX_VALUE - value)) {
    addReplyError("increment or decrement would overflow");
    return;
  }
  value += incr;
  if (e == 0) {
    dbAddNew(d, newIntEntry(key, klen, value, false, newKeyLru()), lastHash);
  } else if (entryEncoding(e) == ENC_INT) {
    store<i64>(entryInline(e), value);
  } else {
    const ttl = entryHasTtl(e);
    const n = newIntEntry(key, klen, value, ttl, newKeyLru());
    if (ttl) setEntryExpireAt(n, entryExpireAt(e));
    dbReplaceAt(d, link, n, true);
  }
  addDirty(1);
  addReplyLongLong(value);
}

export function incrCommand(): void {
  incrDecr(1);
}

export function decrCommand(): void {
  incrDecr(-1);
}

export function incrbyCommand(): void {
  if (!getLongLongArg(2)) return;
  incrDecr(argInt);
}

export function decrbyCommand(): void {
  if (!getLongLongArg(2)) return;
  // -MIN does not exist.
  if (argInt == i64.MIN_VALUE) {
    addReplyError("decrement would overflow");
    return;
  }
  incrDecr(-argInt);
}

const LD_VALUE: usize = memory.data(<i32>LD_SIZE, 16);
const LD_INCR: usize = memory.data(<i32>LD_SIZE, 16);
const FLOAT_TEXT: usize = memory.data(<i32>MAX_LONG_DOUBLE_CHARS + 64, 8);

export function incrbyfloatCommand(): void {
  const d = getDb(currentDb);
  const key = argPtr(1);
  const klen = argLen(1);
  const link = lookupWriteLink(d, key, klen);
  if (link == 0) {
    ldFromLL(LD_VALUE, 0);
  } else {
    const e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_STRING) {
      addReplyWrongType();
      return;
    }
    if (entryEncoding(e) == ENC_INT) {
      ldFromLL(LD_VALUE, entryInt(e));
    } else {
      stringValue(e);
      if (!string2ld(strPtr, strLen, LD_VALUE)) {
        addReplyError("value is not a valid float");
        return;
      }
    }
  }
  if (!string2ld(argPtr(2), argLen(2), LD_INCR)) {
    addReplyError("value is not a valid float");
    return;
  }
  ldAdd(LD_VALUE, LD_VALUE, LD_INCR);
  if (!ldIsFinite(LD_VALUE)) {
    addReplyError("increment would produce NaN or Infinity");
    return;
  }
  const n = ld2string(FLOAT_TEXT, LD_VALUE, true);
  // The text is stored as text (Redis's createStringObject): "3" stays embstr, not int.
  storeString(d, link, key, klen, FLOAT_TEXT, n, 0, true, false);
  addDirty(1);
  // The result, not the increment: float arithmetic need not agree between machines.
  if (propOn) {
    propCommand(currentDb, 4, "SET");
    propArg(1);
    propBulk(FLOAT_TEXT, n);
    propBulkAscii("KEEPTTL");
  }
  addReplyBulk(FLOAT_TEXT, n);
}
