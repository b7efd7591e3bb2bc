// SCAN-family cursors (SCAN, SSCAN, HSCAN, ZSCAN): read as Redis reads them, written as bulk strings.
import { argPtr, argLen } from "./request";
import { addReplyBulk, addReplyError, addReplyArrayLen } from "./reply";

/** The cursor read by the last successful cursorArg. */
export let parsedCursor: u64 = 0;

/**
 * Parses argument i as a cursor or replies "invalid cursor". Redis reads it with strtoul: an
 * optional sign then decimal digits, nothing after them, no leading space, no overflow. So "" is 0
 * and "-1" wraps to the largest cursor.
 */
export function cursorArg(i: i32): bool {
  const p = argPtr(i);
  const n = argLen(i);
  let k: usize = 0;
  let neg = false;
  if (n > 0 && (load<u8>(p) == 45 || load<u8>(p) == 43)) {
    neg = load<u8>(p) == 45;
    k = 1;
    if (n == 1) {
      addReplyError("invalid cursor");
      return false;
    }
  }
  let v: u64 = 0;
  for (; k < n; k++) {
    const c = load<u8>(p + k);
    const d = <u64>(c - 48);
    if (c < 48 || c > 57 || v > (u64.MAX_VALUE - d) / 10) {
      addReplyError("invalid cursor");
      return false;
    }
    v = v * 10 + d;
  }
  parsedCursor = neg ? 0 - v : v;
  return true;
}

const text: usize = memory.data(24);

/** The reply to a scan of a missing key: cursor 0 and no elements. */
export function addReplyEmptyScan(): void {
  addReplyArrayLen(2);
  addReplyCursor(0);
  addReplyArrayLen(0);
}

/** The next cursor as a bulk string. */
export function addReplyCursor(v: u64): void {
  let n: usize = 0;
  do {
    store<u8>(text + 23 - n, <u8>(48 + <u32>(v % 10)));
    v /= 10;
    n++;
  } while (v != 0);
  addReplyBulk(text + 24 - n, n);
}

// ---- the options every SCAN-family command takes ------------------------------------------------
import { argc, argIs } from "./request";
import { string2ll, parsedInt } from "./util";

export let scanCount: i64 = 10;
export let scanPat: usize = 0;
export let scanPatLen: usize = 0;
export let scanHasType: bool = false;
export let scanTypePtr: usize = 0;
export let scanTypeLen: usize = 0;

/**
 * Parses `COUNT n`, `MATCH pattern` (and `TYPE t` for SCAN) from argument `from` on, or replies
 * Redis's error: a non-integer COUNT, a COUNT below 1, or anything else is a syntax error.
 */
export function scanOptions(from: i32, allowType: bool): bool {
  scanCount = 10;
  scanPat = 0;
  scanPatLen = 0;
  scanHasType = false;
  for (let i = from; i < argc; i += 2) {
    const last = i + 1 >= argc;
    if (argIs(i, "count") && !last) {
      if (!string2ll(argPtr(i + 1), argLen(i + 1))) {
        addReplyError("value is not an integer or out of range");
        return false;
      }
      scanCount = parsedInt;
      if (scanCount < 1) {
        addReplyError("syntax error");
        return false;
      }
    } else if (argIs(i, "match") && !last) {
      scanPat = argPtr(i + 1);
      scanPatLen = argLen(i + 1);
    } else if (allowType && argIs(i, "type") && !last) {
      scanHasType = true;
      scanTypePtr = argPtr(i + 1);
      scanTypeLen = argLen(i + 1);
    } else {
      addReplyError("syntax error");
      return false;
    }
  }
  return true;
}

/** No MATCH, or a lone "*": the scan lists everything without matching (so the empty key too, as in Redis). */
export function scanMatchesAll(): bool {
  return scanPat == 0 || (scanPatLen == 1 && load<u8>(scanPat) == 42);
}
