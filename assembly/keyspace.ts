// Commands about keys regardless of their type: existence, deletion, listing, renaming, moving
// between databases, and whole-database operations.
import {
  cursorArg, parsedCursor, addReplyCursor, scanOptions, scanCount, scanPat, scanPatLen, scanHasType, scanTypePtr, scanMatchesAll,
  scanTypeLen,
} from "./cursor";
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyLongLong, addReplyOK, addReplyError, addReplyStatus, addReplyBulk, addReplyNull,
  addReplyArrayLen, addReplyDeferredLen, setDeferredArrayLen, addReplyErrorCode,
} from "./reply";
import { currentDb, now, addDirty, newKeyLru } from "./server";
import {
  Db, getDb, dbCount, dbFindLink, lookupWriteLink, dbDeleteAt, dbUnlinkAt, dbAddNew, dbReplaceAt,
  dbEmpty, dbSize, isExpired, lastHash, swapDbs,
} from "./db";
import { dictScanStep, scanReset, scanFound, scanEntry, dictRandomEntry, dictHashKey, dictSize } from "./dict";
import {
  entryType, entryKeyPtr, entryKeyLen, entryHasTtl, entryExpireAt, setEntryExpireAt, entryRekey,
  entryDup, freeEntryShell, typeName, setEntryLru,
} from "./object";
import { stringmatchlen } from "./glob";
import { string2ll, parsedInt } from "./util";
import { getIntArg, argInt } from "./args";

// @ts-ignore: decorator
@inline
function db(): Db {
  return getDb(currentDb);
}

function delGeneric(): void {
  const d = db();
  let n: i64 = 0;
  for (let i = 1; i < argc; i++) {
    const link = dbFindLink(d, argPtr(i), argLen(i));
    if (link != 0) {
      dbDeleteAt(d, link);
      n++;
    }
  }
  addDirty(<u64>n);
  addReplyLongLong(n);
}

export function delCommand(): void {
  delGeneric();
}

// Values are freed right away: a string is one or two blocks. Freeing big lists/sets in the
// background arrives with those types.
export function unlinkCommand(): void {
  delGeneric();
}

export function existsCommand(): void {
  const d = db();
  let n: i64 = 0;
  for (let i = 1; i < argc; i++) if (dbFindLink(d, argPtr(i), argLen(i)) != 0) n++;
  addReplyLongLong(n);
}

export function touchCommand(): void {
  const d = db();
  let n: i64 = 0;
  for (let i = 1; i < argc; i++) if (lookupWriteLink(d, argPtr(i), argLen(i)) != 0) n++;
  addReplyLongLong(n);
}

export function typeCommand(): void {
  const link = dbFindLink(db(), argPtr(1), argLen(1));
  addReplyStatus(link == 0 ? "none" : typeName(entryType(<usize>load<u32>(link))));
}

export function dbsizeCommand(): void {
  addReplyLongLong(dbSize(db()));
}

// ---- listing -----------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function isMatchAll(p: usize, n: usize): bool {
  return n == 1 && load<u8>(p) == 42;
}

export function keysCommand(): void {
  const d = db();
  const pat = argPtr(1);
  const plen = argLen(1);
  const all = isMatchAll(pat, plen);
  const at = addReplyDeferredLen();
  let n: i64 = 0;
  scanReset();
  let cursor: u32 = 0;
  do {
    cursor = dictScanStep(d.dict, cursor);
  } while (cursor != 0);
  for (let i: usize = 0; i < scanFound; i++) {
    const e = scanEntry(i);
    if (isExpired(e)) continue;
    const k = entryKeyPtr(e);
    const kl = entryKeyLen(e);
    if (all || stringmatchlen(pat, plen, k, kl, false)) {
      addReplyBulk(k, kl);
      n++;
    }
  }
  setDeferredArrayLen(at, n);
}

export function scanCommand(): void {
  if (!cursorArg(1)) return;
  const cursor = parsedCursor;
  if (!scanOptions(2, true)) return;
  const count = scanCount;
  const pat = scanPat;
  const plen = scanPatLen;
  const typeFilter: i32 = scanHasType ? 1 : -1;
  const typeP = scanTypePtr;
  const typeL = scanTypeLen;
  const d = db();
  const all = scanMatchesAll();
  scanReset();
  let c = <u32>cursor;
  let iterations = count * 10;
  do {
    c = dictScanStep(d.dict, c);
  } while (c != 0 && iterations-- > 0 && <i64>scanFound < count);
  addReplyArrayLen(2);
  addReplyCursor(<u64>c);
  const at = addReplyDeferredLen();
  let n: i64 = 0;
  for (let i: usize = 0; i < scanFound; i++) {
    const e = scanEntry(i);
    if (isExpired(e)) continue;
    const k = entryKeyPtr(e);
    const kl = entryKeyLen(e);
    if (!all && !stringmatchlen(pat, plen, k, kl, false)) continue;
    if (typeFilter >= 0 && !typeIs(entryType(e), typeP, typeL)) continue;
    addReplyBulk(k, kl);
    n++;
  }
  setDeferredArrayLen(at, n);
}



function typeIs(type: u32, p: usize, n: usize): bool {
  const name = typeName(type);
  if (<usize>name.length != n) return false;
  for (let i: usize = 0; i < n; i++) {
    let c = <u32>load<u8>(p + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c != <u32>name.charCodeAt(<i32>i)) return false;
  }
  return true;
}

export function randomkeyCommand(): void {
  const d = db();
  // Expired keys may be sampled: delete them and try again, as Redis does, but not forever when
  // every key is volatile and past its time (those are left to active expiry).
  for (let tries = 0; tries < 100; tries++) {
    const e = dictRandomEntry(d.dict);
    if (e == 0) break;
    if (!isExpired(e)) {
      addReplyBulk(entryKeyPtr(e), entryKeyLen(e));
      return;
    }
    dbFindLink(d, entryKeyPtr(e), entryKeyLen(e)); // deletes it as expired
  }
  addReplyNull();
}

// ---- rename / move / copy ------------------------------------------------------------------------

function renameGeneric(nx: bool): void {
  const d = db();
  const slink = dbFindLink(d, argPtr(1), argLen(1));
  if (slink == 0) {
    addReplyError("no such key");
    return;
  }
  const src = <usize>load<u32>(slink);
  if (argLen(1) == argLen(2) && memory.compare(argPtr(1), argPtr(2), argLen(1)) == 0) {
    if (nx) addReplyLongLong(0);
    else addReplyOK();
    return;
  }
  // Look the destination up first: lookups may rehash, which would invalidate the source link.
  const dlink = dbFindLink(d, argPtr(2), argLen(2));
  if (dlink != 0) {
    if (nx) {
      addReplyLongLong(0);
      return;
    }
    dbDeleteAt(d, dlink);
  }
  const sl = dbFindLink(d, argPtr(1), argLen(1));
  const ttl = entryHasTtl(src);
  const when = ttl ? entryExpireAt(src) : 0;
  const old = dbUnlinkAt(d, sl);
  const moved = entryRekey(old, argPtr(2), argLen(2), ttl);
  if (ttl) setEntryExpireAt(moved, when);
  freeEntryShell(old);
  dbAddNew(d, moved, dictHashKey(argPtr(2), argLen(2)));
  addDirty(1);
  if (nx) addReplyLongLong(1);
  else addReplyOK();
}

export function renameCommand(): void {
  renameGeneric(false);
}

export function renamenxCommand(): void {
  renameGeneric(true);
}

export function moveCommand(): void {
  if (!getIntArg(2)) return;
  const target = <i32>argInt;
  if (target < 0 || target >= dbCount) {
    addReplyError("DB index is out of range");
    return;
  }
  if (target == currentDb) {
    addReplyError("source and destination objects are the same");
    return;
  }
  const src = db();
  const dst = getDb(target);
  const key = argPtr(1);
  const klen = argLen(1);
  if (dbFindLink(src, key, klen) == 0) {
    addReplyLongLong(0);
    return;
  }
  if (dbFindLink(dst, key, klen) != 0) {
    addReplyLongLong(0);
    return;
  }
  const hash = lastHash;
  const e = dbUnlinkAt(src, dbFindLink(src, key, klen));
  dbAddNew(dst, e, hash);
  addDirty(1);
  addReplyLongLong(1);
}

export function copyCommand(): void {
  let target = currentDb;
  let replace = false;
  for (let i = 3; i < argc; i++) {
    if (argIs(i, "replace")) replace = true;
    else if (argIs(i, "db") && i + 1 < argc) {
      if (!getIntArg(i + 1)) return;
      target = <i32>argInt;
      if (target < 0 || target >= dbCount) {
        addReplyError("DB index is out of range");
        return;
      }
      i++;
    } else {
      addReplyError("syntax error");
      return;
    }
  }
  const same = argLen(1) == argLen(2) && memory.compare(argPtr(1), argPtr(2), argLen(1)) == 0;
  if (target == currentDb && same) {
    addReplyError("source and destination objects are the same");
    return;
  }
  const src = db();
  const dst = getDb(target);
  const slink = dbFindLink(src, argPtr(1), argLen(1));
  if (slink == 0) {
    addReplyLongLong(0);
    return;
  }
  if (dbFindLink(dst, argPtr(2), argLen(2)) != 0 && !replace) {
    addReplyLongLong(0);
    return;
  }
  // The destination lookup may have moved buckets: find the source again.
  const e = <usize>load<u32>(dbFindLink(src, argPtr(1), argLen(1)));
  const ttl = entryHasTtl(e);
  const n = entryDup(e, argPtr(2), argLen(2), ttl);
  if (ttl) setEntryExpireAt(n, entryExpireAt(e));
  setEntryLru(n, newKeyLru());
  const again = dbFindLink(dst, argPtr(2), argLen(2));
  if (again != 0) dbReplaceAt(dst, again, n, true);
  else dbAddNew(dst, n, lastHash);
  addDirty(1);
  addReplyLongLong(1);
}

// ---- whole databases ------------------------------------------------------------------------------

/** FLUSHDB/FLUSHALL accept ASYNC or SYNC; anything else is a syntax error. */
function flushModeOk(): bool {
  if (argc == 1) return true;
  if (argc == 2 && (argIs(1, "async") || argIs(1, "sync"))) return true;
  addReplyError("syntax error");
  return false;
}

export function flushdbCommand(): void {
  if (!flushModeOk()) return;
  addDirty(dbEmpty(db()));
  addReplyOK();
}

export function flushallCommand(): void {
  if (!flushModeOk()) return;
  let n: u64 = 0;
  for (let i = 0; i < dbCount; i++) n += dbEmpty(getDb(i));
  addDirty(n + 1);
  addReplyOK();
}

export function swapdbCommand(): void {
  if (!string2ll(argPtr(1), argLen(1)) || parsedInt < -2147483648 || parsedInt > 2147483647) {
    addReplyError("invalid first DB index");
    return;
  }
  const a = <i32>parsedInt;
  if (!string2ll(argPtr(2), argLen(2)) || parsedInt < -2147483648 || parsedInt > 2147483647) {
    addReplyError("invalid second DB index");
    return;
  }
  const b = <i32>parsedInt;
  if (a < 0 || a >= dbCount || b < 0 || b >= dbCount) {
    addReplyError("DB index is out of range");
    return;
  }
  if (a != b) swapDbs(a, b);
  addDirty(1);
  addReplyOK();
}
