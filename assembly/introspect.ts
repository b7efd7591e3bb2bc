// OBJECT and MEMORY USAGE: what the engine can tell about one key's value.
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyLongLong, addReplyNull, addReplyError, addReplyBulkAscii, addReplyArrayLen, addReplyStatus,
} from "./reply";
import { currentDb, lruClock, hit, miss, maxmemory, isLfuPolicy, isLruPolicy } from "./server";
import { getDb, dbFindLink } from "./db";
import { entryType, entryEncoding, entryLru, entryInt, entryMemory, encodingName, ENC_INT } from "./object";
import { getLongLongArg, argInt } from "./args";
import { lfuDecayed } from "./lfu";

/** The live entry named by argument 2 (OBJECT x key), counting a hit or miss but not touching it. */
function objectLookup(): usize {
  const link = dbFindLink(getDb(currentDb), argPtr(2), argLen(2));
  if (link == 0) {
    miss();
    return 0;
  }
  hit();
  return <usize>load<u32>(link);
}

export function objectEncodingCommand(): void {
  const e = objectLookup();
  if (e == 0) addReplyNull();
  else addReplyBulkAscii(encodingName(entryEncoding(e)));
}

/** Small integers are shared objects in Redis (refcount INT_MAX) unless an LRU/LFU policy needs per-key fields. */
const SHARED_INTEGERS: i64 = 10000;

export function objectRefcountCommand(): void {
  const e = objectLookup();
  if (e == 0) {
    addReplyNull();
    return;
  }
  const shared =
    entryEncoding(e) == ENC_INT && entryInt(e) >= 0 && entryInt(e) < SHARED_INTEGERS &&
    !(maxmemory != 0 && (isLfuPolicy() || isLruPolicy()));
  addReplyLongLong(shared ? 2147483647 : 1);
}

const LRU_CLOCK_MAX: u32 = 0xffffff;

export function objectIdletimeCommand(): void {
  const e = objectLookup();
  if (e == 0) {
    addReplyNull();
    return;
  }
  if (isLfuPolicy()) {
    addReplyError(
      "An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
    return;
  }
  const lru = entryLru(e);
  const idle: u32 = lruClock >= lru ? lruClock - lru : lruClock + (LRU_CLOCK_MAX - lru);
  addReplyLongLong(<i64>idle);
}

export function objectFreqCommand(): void {
  const e = objectLookup();
  if (e == 0) {
    addReplyNull();
    return;
  }
  if (!isLfuPolicy()) {
    addReplyError(
      "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
    return;
  }
  // The 8-bit logarithmic counter sits in the low byte of the LRU field under LFU policies; the
  // reply includes the decay owed since it was last touched (lfu.ts), without storing it.
  addReplyLongLong(<i64>lfuDecayed(entryLru(e)));
}

export function objectHelpCommand(): void {
  addReplyArrayLen(11);
  addReplyStatus("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  addReplyStatus("ENCODING <key>");
  addReplyStatus("    Return the internal representation (encoding) of the value stored at <key>.");
  addReplyStatus("FREQ <key>");
  addReplyStatus("    Return the logarithmic access frequency counter of <key> (LFU policies only).");
  addReplyStatus("IDLETIME <key>");
  addReplyStatus("    Return the approximate number of seconds since <key> was last accessed.");
  addReplyStatus("REFCOUNT <key>");
  addReplyStatus("    Return the number of references to the value stored at <key>.");
  addReplyStatus("HELP");
  addReplyStatus("    Print this help.");
}

export function memoryUsageCommand(): void {
  // SAMPLES only matters for aggregate types, which are measured exactly here anyway; it is
  // still validated the way Redis validates it.
  for (let i = 3; i < argc; i++) {
    if (argIs(i, "samples") && i + 1 < argc) {
      if (!getLongLongArg(i + 1)) return;
      if (argInt < 0) {
        addReplyError("syntax error");
        return;
      }
      i++;
    } else {
      addReplyError("syntax error");
      return;
    }
  }
  const link = dbFindLink(getDb(currentDb), argPtr(2), argLen(2));
  if (link == 0) {
    addReplyNull();
    return;
  }
  addReplyLongLong(<i64>entryMemory(<usize>load<u32>(link)));
}
