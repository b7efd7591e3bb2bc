// LCS: the longest common subsequence of two string values, as the string itself, its length
// (LEN), or the matching ranges (IDX).
//
// The classic dynamic programme: T[i][j] is the LCS length of the first i bytes of A and the
// first j bytes of B, a table of (|A|+1)·(|B|+1) u32 cells. The answer is T[|A|][|B|]; the
// string and the ranges come from walking the table back from that corner. Redis's output
// depends on the exact walk, so ours takes the same path:
//
// - equal bytes at (i, j): the byte is part of the LCS; step diagonally;
// - otherwise step up (drop A's byte) only when that keeps a strictly longer LCS than stepping
//   left (drop B's byte); on a tie, step left.
//
// Matches found by diagonal steps join into ranges (a run of consecutive diagonal steps is
// contiguous in both strings). A range is reported when the walk leaves it (the next step is
// not diagonal) or when it reaches the first byte of either string, if it is at least
// MINMATCHLEN long. The walk goes from the ends of the strings backwards, so ranges come out
// last first, as Redis lists them.
//
// The table's size is bounded the way Redis bounds it: refused above proto-max-bulk-len, and a
// failed allocation is an error reply, not a crash.
import { argc, argPtr, argLen, argIs } from "./request";
import {
  addReplyBulk, addReplyLongLong, addReplyError, addReplyArrayLen, addReplyMapLen, addReplyBulkAscii,
  addReplyDeferredLen, setDeferredArrayLen,
} from "./reply";
import { currentDb } from "./server";
import { getDb, lookupRead } from "./db";
import { OBJ_STRING, ENC_INT, entryType, entryEncoding, stringValue, strPtr, strLen } from "./object";
import { alloc, free, tryAlloc } from "./alloc";
import { getLongLongArg, argInt } from "./args";
import { protoMaxBulkLen } from "./t_string";

// Int-encoded values are formatted into one shared scratch by stringValue; each side needs its own.
const INT_A: usize = memory.data(24);
const INT_B: usize = memory.data(24);

let valPtr: usize = 0;
let valLen: usize = 0;

/** Points valPtr/valLen at the value of `e` (0: the empty string), copying ints to `scratch`. */
function valueOf(e: usize, scratch: usize): void {
  if (e == 0) {
    valPtr = 0;
    valLen = 0;
    return;
  }
  stringValue(e);
  valLen = strLen;
  if (entryEncoding(e) == ENC_INT) {
    memory.copy(scratch, strPtr, strLen);
    valPtr = scratch;
  } else {
    valPtr = strPtr;
  }
}

export function lcsCommand(): void {
  const d = getDb(currentDb);
  const ea = lookupRead(d, argPtr(1), argLen(1));
  const eb = lookupRead(d, argPtr(2), argLen(2));
  if ((ea != 0 && entryType(ea) != OBJ_STRING) || (eb != 0 && entryType(eb) != OBJ_STRING)) {
    addReplyError("The specified keys must contain string values");
    return;
  }
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen: i64 = 0;
  for (let j = 3; j < argc; j++) {
    if (argIs(j, "idx")) getIdx = true;
    else if (argIs(j, "len")) getLen = true;
    else if (argIs(j, "withmatchlen")) withMatchLen = true;
    else if (argIs(j, "minmatchlen") && j + 1 < argc) {
      if (!getLongLongArg(j + 1)) return;
      minMatchLen = argInt < 0 ? 0 : argInt;
      j++;
    } else {
      addReplyError("syntax error");
      return;
    }
  }
  if (getIdx && getLen) {
    addReplyError("If you want both the length and indexes, please just use IDX.");
    return;
  }

  valueOf(ea, INT_A);
  const a = valPtr;
  const alen = valLen;
  valueOf(eb, INT_B);
  const b = valPtr;
  const blen = valLen;

  const w = blen + 1; // row width
  const cells = <u64>(alen + 1) * <u64>w;
  const bytes = cells * 4;
  if (bytes > protoMaxBulkLen) {
    addReplyError("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  const t: usize = bytes > <u64>0xfff00000 ? 0 : tryAlloc(<usize>bytes);
  if (t == 0) {
    addReplyError("Insufficient memory, failed allocating transient memory for LCS");
    return;
  }

  // Row 0 and column 0 are zero; each row depends only on itself and the row above.
  memory.fill(t, 0, w << 2);
  for (let i: usize = 1; i <= alen; i++) {
    const row = t + ((i * w) << 2);
    const up = row - (w << 2);
    const ca = load<u8>(a + i - 1);
    store<u32>(row, 0);
    let left: u32 = 0;
    for (let j: usize = 1; j <= blen; j++) {
      let v: u32;
      if (ca == load<u8>(b + j - 1)) {
        v = load<u32>(up + (j - 1) * 4) + 1;
      } else {
        const above = load<u32>(up + j * 4);
        v = above > left ? above : left;
      }
      store<u32>(row + j * 4, v);
      left = v;
    }
  }
  const total = load<u32>(t + (alen * w + blen) * 4);

  if (getLen) {
    free(t);
    addReplyLongLong(total);
    return;
  }

  // The LCS itself is built back to front (only when it is the reply).
  const result: usize = getIdx || total == 0 ? 0 : alloc(<usize>total);
  let deferred: usize = 0;
  if (getIdx) {
    addReplyMapLen(2);
    addReplyBulkAscii("matches");
    deferred = addReplyDeferredLen();
  }
  let ranges: i64 = 0;
  let k = <usize>total;
  let i = alen;
  let j = blen;
  let inRange = false;
  let aStart: usize = 0;
  let aEnd: usize = 0;
  let bStart: usize = 0;
  let bEnd: usize = 0;
  while (i > 0 && j > 0) {
    let close = false;
    const c = load<u8>(a + i - 1);
    if (c == load<u8>(b + j - 1)) {
      if (result != 0) store<u8>(result + k - 1, c);
      if (!inRange) {
        inRange = true;
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        // Consecutive diagonal steps: the range grows backwards in both strings.
        aStart = i - 1;
        bStart = j - 1;
      }
      if (aStart == 0 || bStart == 0) close = true;
      k--;
      i--;
      j--;
    } else {
      const above = load<u32>(t + ((i - 1) * w + j) * 4);
      const left = load<u32>(t + (i * w + j - 1) * 4);
      if (above > left) i--;
      else j--;
      close = inRange;
    }
    if (close) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && <i64>matchLen >= minMatchLen) {
        addReplyArrayLen(withMatchLen ? 3 : 2);
        addReplyArrayLen(2);
        addReplyLongLong(<i64>aStart);
        addReplyLongLong(<i64>aEnd);
        addReplyArrayLen(2);
        addReplyLongLong(<i64>bStart);
        addReplyLongLong(<i64>bEnd);
        if (withMatchLen) addReplyLongLong(<i64>matchLen);
        ranges++;
      }
      inRange = false;
    }
  }
  free(t);

  if (getIdx) {
    addReplyBulkAscii("len");
    addReplyLongLong(total);
    setDeferredArrayLen(deferred, ranges);
  } else {
    addReplyBulk(result, <usize>total);
    if (result != 0) free(result);
  }
}
