// Key expiry: the TTL commands and the active expiry cycle.
//
// A key past its time is never seen: every lookup deletes it on the spot (db.ts). That alone
// would let keys nobody reads stay in memory forever, so the host's cron also runs an active
// cycle, Redis's adaptive sampling: take 20 random keys that carry a TTL, delete the expired
// ones, and go again while more than 10% of a sample was expired — a high ratio means many more
// are waiting — until the caller's budget runs out. The cost stays proportional to the garbage
// found, and at most ~10% of volatile keys linger expired in memory.
import { argc, argPtr, argLen, argIs } from "./request";
import { addReplyLongLong, addReplyError, errorBegin, errorBytes, errorEnd, addReplyExpireTimeError } from "./reply";
import { currentDb, now, setNow, addDirty, countExpired, loading } from "./server";
import { propOn, propCommand, propArg, propBulkInt, propAsDel } from "./propagate";
import { Db, getDb, dbCount, dbFindLink, lookupWriteLink, dbDeleteAt, dbReplaceAt, volEntry } from "./db";
import { entryHasTtl, entryExpireAt, setEntryExpireAt, entryWithTtlFlag, entryKeyPtr, entryKeyLen } from "./object";
import { randomBelow } from "./random";
import { getLongLongArg, argInt } from "./args";

// ---- the TTL of one key --------------------------------------------------------------------------

/** Gives the entry `*link` points at the absolute expiry `when` (ms), adding the TTL fields if needed. */
export function setExpireAt(d: Db, link: usize, when: i64): void {
  const e = <usize>load<u32>(link);
  if (entryHasTtl(e)) {
    setEntryExpireAt(e, when);
    return;
  }
  const n = entryWithTtlFlag(e, true);
  setEntryExpireAt(n, when);
  dbReplaceAt(d, link, n, false);
}

/** Removes the TTL of the entry `*link` points at; false when it had none. */
export function removeExpire(d: Db, link: usize): bool {
  const e = <usize>load<u32>(link);
  if (!entryHasTtl(e)) return false;
  dbReplaceAt(d, link, entryWithTtlFlag(e, false), false);
  return true;
}

// ---- commands --------------------------------------------------------------------------------------

const FLAG_NX: u32 = 1;
const FLAG_XX: u32 = 2;
const FLAG_GT: u32 = 4;
const FLAG_LT: u32 = 8;

function expireGeneric(basetime: i64, seconds: bool, name: string): void {
  let flags: u32 = 0;
  for (let i = 3; i < argc; i++) {
    if (argIs(i, "nx")) flags |= FLAG_NX;
    else if (argIs(i, "xx")) flags |= FLAG_XX;
    else if (argIs(i, "gt")) flags |= FLAG_GT;
    else if (argIs(i, "lt")) flags |= FLAG_LT;
    else {
      addReplyUnsupportedOption(i);
      return;
    }
  }
  if ((flags & FLAG_NX) != 0 && (flags & (FLAG_XX | FLAG_GT | FLAG_LT)) != 0) {
    addReplyError("NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if ((flags & FLAG_GT) != 0 && (flags & FLAG_LT) != 0) {
    addReplyError("GT and LT options at the same time are not compatible");
    return;
  }
  if (!getLongLongArg(2)) return;
  let when = argInt;
  if (seconds) {
    if (when > i64.MAX_VALUE / 1000 || when < i64.MIN_VALUE / 1000) {
      addReplyExpireTimeError(name);
      return;
    }
    when *= 1000;
  }
  if (when > i64.MAX_VALUE - basetime) {
    addReplyExpireTimeError(name);
    return;
  }
  when += basetime;
  const d = getDb(currentDb);
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyLongLong(0);
    return;
  }
  if (flags != 0) {
    const e = <usize>load<u32>(link);
    const current: i64 = entryHasTtl(e) ? entryExpireAt(e) : -1;
    if ((flags & FLAG_NX) != 0 && current != -1) {
      addReplyLongLong(0);
      return;
    }
    if ((flags & FLAG_XX) != 0 && current == -1) {
      addReplyLongLong(0);
      return;
    }
    // No TTL counts as an infinite one: never "greater than", always "less than".
    if ((flags & FLAG_GT) != 0 && (current == -1 || when <= current)) {
      addReplyLongLong(0);
      return;
    }
    if ((flags & FLAG_LT) != 0 && current != -1 && when >= current) {
      addReplyLongLong(0);
      return;
    }
  }
  // A time already past deletes the key (not while loading: see server.ts's `loading`).
  if (when <= now && !loading) {
    dbDeleteAt(d, link);
    if (propOn) {
      propAsDel(currentDb);
    }
  } else {
    setExpireAt(d, link, when);
    // Replayed later, a relative time would mean a later expiry: the absolute one, in ms.
    if (propOn) {
      propCommand(currentDb, argc, "PEXPIREAT");
      propArg(1);
      propBulkInt(when);
      for (let i = 3; i < argc; i++) propArg(i);
    }
  }
  addDirty(1);
  addReplyLongLong(1);
}


function addReplyUnsupportedOption(i: i32): void {
  errorBegin("ERR Unsupported option ");
  errorBytes(argPtr(i), argLen(i));
  errorEnd();
}

export function expireCommand(): void {
  expireGeneric(now, true, "expire");
}

export function pexpireCommand(): void {
  expireGeneric(now, false, "pexpire");
}

export function expireatCommand(): void {
  expireGeneric(0, true, "expireat");
}

export function pexpireatCommand(): void {
  expireGeneric(0, false, "pexpireat");
}

/** TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 no key, -1 no TTL. */
function ttlGeneric(ms: bool, absolute: bool): void {
  const d = getDb(currentDb);
  const link = dbFindLink(d, argPtr(1), argLen(1));
  if (link == 0) {
    addReplyLongLong(-2);
    return;
  }
  const e = <usize>load<u32>(link);
  if (!entryHasTtl(e)) {
    addReplyLongLong(-1);
    return;
  }
  const when = entryExpireAt(e);
  let ttl = absolute ? when : when - now;
  if (ttl < 0) ttl = 0;
  // Seconds are rounded to the nearest, for the absolute forms too; unsigned so that a time
  // near the largest i64 rounds instead of wrapping.
  addReplyLongLong(ms ? ttl : <i64>((<u64>ttl + 500) / 1000));
}

export function ttlCommand(): void {
  ttlGeneric(false, false);
}

export function pttlCommand(): void {
  ttlGeneric(true, false);
}

export function expiretimeCommand(): void {
  ttlGeneric(false, true);
}

export function pexpiretimeCommand(): void {
  ttlGeneric(true, true);
}

export function persistCommand(): void {
  const d = getDb(currentDb);
  const link = lookupWriteLink(d, argPtr(1), argLen(1));
  if (link != 0 && removeExpire(d, link)) {
    addDirty(1);
    addReplyLongLong(1);
  } else addReplyLongLong(0);
}

// ---- active expiry -----------------------------------------------------------------------------

const KEYS_PER_LOOP: u32 = 20;
const ACCEPTABLE_STALE_PERCENT: u32 = 10;
let nextDb: i32 = 0;

/**
 * Runs the active expiry cycle at time `nowMs`, sampling at most `budget` keys in all. Returns 1
 * when it stopped with work left (some database still had many expired keys), else 0.
 */
export function activeExpireCycle(nowMs: f64, budget: i32): i32 {
  setNow(<i64>nowMs);
  let more = 0;
  for (let k = 0; k < dbCount && budget > 0; k++) {
    const d = getDb(nextDb);
    nextDb = (nextDb + 1) % dbCount;
    while (d.volLen > 0 && budget > 0) {
      const sample = d.volLen < KEYS_PER_LOOP ? d.volLen : KEYS_PER_LOOP;
      let expired: u32 = 0;
      let ttlSum: f64 = 0;
      let ttlSamples: u32 = 0;
      for (let i: u32 = 0; i < sample && d.volLen > 0; i++) {
        budget--;
        const e = volEntry(d, randomBelow(d.volLen));
        const when = entryExpireAt(e);
        if (now > when) {
          // dbFindLink deletes an expired key and counts it.
          dbFindLink(d, entryKeyPtr(e), entryKeyLen(e));
          expired++;
        } else {
          ttlSum += <f64>(when - now);
          ttlSamples++;
        }
      }
      if (ttlSamples > 0) {
        // Redis's running estimate: each sample moves the average 2% of the way.
        const avg = ttlSum / <f64>ttlSamples;
        d.avgTtl = d.avgTtl == 0 ? avg : (d.avgTtl / 50) * 49 + avg / 50;
      }
      if (expired * 100 <= sample * ACCEPTABLE_STALE_PERCENT) break;
      if (budget <= 0) more = 1;
    }
    if (d.volLen == 0) d.avgTtl = 0;
  }
  return more;
}
