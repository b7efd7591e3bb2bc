// Listpack: a sequence of strings and integers packed into one block, in Redis 7's byte format.
//
// Small hashes, sorted sets and every node of a list keep their elements here. One allocation,
// no pointers, and each element costs its bytes plus 2-3 bytes of framing, so a list of short
// strings takes a few bytes per element where a linked structure would take dozens.
//
// Layout (all multi-byte numbers little-endian):
//
//   [total u32][count u16][entry][entry]...[0xFF]
//
//   total  the size of the whole listpack in bytes, the end marker included
//   count  the number of entries, or 65535 meaning "at least 65535: walk to count"
//
// An entry is [encoding+data][backlen]. The first byte of the encoding says what follows:
//
//   0xxxxxxx                          an integer 0..127, no data
//   10llllll  + l bytes               a string shorter than 64 bytes
//   110xxxxx xxxxxxxx                 a 13-bit signed integer (two's complement over the 13 bits)
//   1110llll llllllll + l bytes       a string shorter than 4096 bytes (length: 4 high, 8 low bits)
//   11110000 + u32 len + len bytes    any longer string
//   11110001 + 2 bytes                16-bit signed integer
//   11110010 + 3 bytes                24-bit signed integer
//   11110011 + 4 bytes                32-bit signed integer
//   11110100 + 8 bytes                64-bit signed integer
//   11111111                          end of the listpack (not an entry)
//
// backlen is the size of [encoding+data], written so it can be read from its LAST byte
// backwards: 1 to 5 bytes of 7 bits each, most significant group first; every byte except the
// first (leftmost) has its high bit set, meaning "more bytes to the left". Reading backwards from
// the byte before an entry therefore finds where the previous entry starts, which is what makes
// walking from the tail (LRANGE -1, RPOP) as cheap as walking from the head.
//
// A string that is a canonical 64-bit integer (util.ts string2ll: "123", "-5", not "0123" or
// "+1") is stored as an integer entry, in the smallest encoding that holds it, as Redis does:
// "123" takes 1 byte + 1 backlen byte instead of 5. Reading it back formats the integer, which
// gives back exactly the same text, so the change is invisible to clients.
//
// Every writer returns the listpack's (possibly moved) address: the block is resized with
// realloc on each change, which stays in place while the size stays within its allocator size
// class. Writers that have a natural "current position" afterwards (insert, replace, delete)
// leave it in `lpAt`, because an entry pointer taken before the call is dead if the block moved.
//
// API (p is an entry pointer; 0 means "none"/"past the end"):
//   lpNew(capacity) → lp                       lpFree(lp)
//   lpBytes(lp), lpLength(lp)                  lpFirst/lpLast(lp), lpNext/lpPrev(lp, p), lpSeek(lp, i)
//   lpLengthReadOnly(lp)  the count, never writing a repaired count back
//   lpGet(p)        → lpIsInt, lpInt, and always lpStr/lpStrLen (ints formatted into a scratch
//                     that the next lpGet overwrites)
//   lpGetValue(p)   → lpIsInt and lpInt, or lpStr/lpStrLen (no formatting)
//   lpEq(p, ptr, len), lpEntrySize(p), lpEncodedSize(ptr, len)
//   lpAppend/lpPrepend(lp, ptr, len), lpAppendInt(lp, v), lpAppendPair(lp, a, alen, b, blen)
//   lpInsert(lp, p, ptr, len, LP_BEFORE|LP_AFTER)    → lpAt = the new entry
//   lpInsertInt(lp, p, v, where)                      → lpAt = the new entry
//   lpReplace(lp, p, ptr, len), lpReplaceInt(lp, p, v) → lpAt = the replaced entry
//   lpDelete(lp, p)                                   → lpAt = the entry after it, or 0
//   lpDeleteRange(lp, index, count), lpDeleteRangeAt(lp, p, count) → lpAt = entry after, or 0
//   lpFind(lp, p, ptr, len, skip) → first matching entry from p, comparing every (skip+1)-th
//   lpMerge(a, b) → a with b's entries appended (b is freed)
//   lpAppendFrom(lp, src, p, count) → lp with `count` raw entries of another listpack appended
// `ptr` given to a writer must not point into the listpack being written.
import { alloc, free, realloc } from "./alloc";
import { string2ll, parsedInt, ll2string } from "./util";

export const LP_HDR_SIZE: usize = 6;
const LP_EOF: u8 = 0xff;
const COUNT_UNKNOWN: u32 = 65535;

export const LP_BEFORE: i32 = 0;
export const LP_AFTER: i32 = 1;

/** Element read by lpGet/lpGetValue. */
export let lpIsInt: bool = false;
export let lpInt: i64 = 0;
export let lpStr: usize = 0;
export let lpStrLen: usize = 0;
/** Position left by the last insert/replace/delete (see the header comment). */
export let lpAt: usize = 0;

const scratch: usize = memory.data(24);
// Encoding header of the entry being written (at most 9 bytes) and its backlen (at most 5).
const hdrBuf: usize = memory.data(16);

// ---- header ----------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
export function lpBytes(lp: usize): u32 {
  return load<u32>(lp);
}

// @ts-ignore: decorator
@inline
function setBytes(lp: usize, n: usize): void {
  store<u32>(lp, <u32>n);
}

function addCount(lp: usize, delta: i32): void {
  const c = <u32>load<u16>(lp, 4);
  if (c == COUNT_UNKNOWN) return; // stays unknown; lpLength walks and repairs when small again
  const n = <i64>c + delta;
  store<u16>(lp, n >= <i64>COUNT_UNKNOWN ? <u16>COUNT_UNKNOWN : <u16>n, 4);
}

/** An empty listpack with room for `capacity` bytes (at least the header and end marker). */
export function lpNew(capacity: usize): usize {
  const size = capacity < LP_HDR_SIZE + 1 ? LP_HDR_SIZE + 1 : capacity;
  const lp = alloc(size);
  setBytes(lp, LP_HDR_SIZE + 1);
  store<u16>(lp, 0, 4);
  store<u8>(lp + LP_HDR_SIZE, LP_EOF);
  return lp;
}

export function lpFree(lp: usize): void {
  free(lp);
}

/** Number of entries. A saturated count is walked, and written back once it fits again. */
export function lpLength(lp: usize): u32 {
  const n = lpLengthReadOnly(lp);
  if (n < COUNT_UNKNOWN && <u32>load<u16>(lp, 4) == COUNT_UNKNOWN) store<u16>(lp, <u16>n, 4);
  return n;
}

/** Number of entries, without writing the count back: for readers that must not write (aofrw.ts). */
export function lpLengthReadOnly(lp: usize): u32 {
  const c = <u32>load<u16>(lp, 4);
  if (c != COUNT_UNKNOWN) return c;
  let n: u32 = 0;
  let p = lpFirst(lp);
  while (p != 0) {
    n++;
    p = lpNext(lp, p);
  }
  return n;
}

// ---- entry sizes ------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function backlenSize(l: usize): usize {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Size of [encoding+data] of the entry at p. */
function encodedLen(p: usize): usize {
  const b = <u32>load<u8>(p);
  if (b < 0x80) return 1;
  if ((b & 0xc0) == 0x80) return 1 + (b & 0x3f);
  if ((b & 0xe0) == 0xc0) return 2;
  if ((b & 0xf0) == 0xe0) return 2 + (((b & 0x0f) << 8) | <u32>load<u8>(p, 1));
  switch (b) {
    case 0xf0: return 5 + <usize>load<u32>(p, 1);
    case 0xf1: return 3;
    case 0xf2: return 4;
    case 0xf3: return 5;
    case 0xf4: return 9;
  }
  unreachable();
  return 0;
}

/** Total bytes of the entry at p (encoding, data and backlen). */
export function lpEntrySize(p: usize): usize {
  const l = encodedLen(p);
  return l + backlenSize(l);
}

function intEncodedLen(v: i64): usize {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function strEncodedLen(len: usize): usize {
  if (len < 64) return 1 + len;
  if (len < 4096) return 2 + len;
  return 5 + len;
}

/** Bytes an entry holding these bytes would take (with the int conversion), backlen included. */
export function lpEncodedSize(ptr: usize, len: usize): usize {
  const l = string2ll(ptr, len) ? intEncodedLen(parsedInt) : strEncodedLen(len);
  return l + backlenSize(l);
}

// ---- encoding --------------------------------------------------------------------------------------

/** Writes the header of an int entry (the whole entry minus backlen) to hdrBuf; returns its size. */
function encodeInt(v: i64): usize {
  const b = hdrBuf;
  if (v >= 0 && v <= 127) {
    store<u8>(b, <u8>v);
    return 1;
  }
  if (v >= -4096 && v <= 4095) {
    const u = <u32>(v < 0 ? v + 8192 : v);
    store<u8>(b, <u8>(0xc0 | (u >> 8)));
    store<u8>(b, <u8>u, 1);
    return 2;
  }
  if (v >= -32768 && v <= 32767) {
    store<u8>(b, 0xf1);
    store<u16>(b, <u16>v, 1);
    return 3;
  }
  if (v >= -8388608 && v <= 8388607) {
    const u = <u32>v;
    store<u8>(b, 0xf2);
    store<u8>(b, <u8>u, 1);
    store<u8>(b, <u8>(u >> 8), 2);
    store<u8>(b, <u8>(u >> 16), 3);
    return 4;
  }
  if (v >= -2147483648 && v <= 2147483647) {
    store<u8>(b, 0xf3);
    store<u32>(b, <u32>v, 1);
    return 5;
  }
  store<u8>(b, 0xf4);
  store<i64>(b, v, 1);
  return 9;
}

/** Writes the header of a string entry (before its data) to hdrBuf; returns the header size. */
function encodeStrHeader(len: usize): usize {
  const b = hdrBuf;
  if (len < 64) {
    store<u8>(b, <u8>(0x80 | len));
    return 1;
  }
  if (len < 4096) {
    store<u8>(b, <u8>(0xe0 | (len >> 8)));
    store<u8>(b, <u8>len, 1);
    return 2;
  }
  store<u8>(b, 0xf0);
  store<u32>(b, <u32>len, 1);
  return 5;
}

/** Writes the backlen for an [encoding+data] of `l` bytes at dst; returns its size. */
function writeBacklen(dst: usize, l: usize): usize {
  const n = backlenSize(l);
  // Most significant 7-bit group first; every byte but the first carries the "more" bit 128.
  for (let i: usize = 0; i < n; i++) {
    const shift = <u32>((n - 1 - i) * 7);
    let byte = <u32>((l >> shift) & 127);
    if (i > 0) byte |= 128;
    store<u8>(dst + i, <u8>byte);
  }
  return n;
}

/** Size of [encoding+data] of the entry ending just before `end` (reads its backlen backwards). */
function readBacklen(end: usize): usize {
  let p = end - 1;
  let v: usize = 0;
  let shift: u32 = 0;
  while (true) {
    const b = <usize>load<u8>(p);
    v |= (b & 127) << shift;
    if ((b & 128) == 0) break;
    shift += 7;
    p--;
  }
  return v;
}

// The entry being written: its header in hdrBuf (hdrLen bytes), then dataLen bytes from dataPtr.
let hdrLen: usize = 0;
let dataPtr: usize = 0;
let dataLen: usize = 0;

/** Prepares the entry for these bytes (int conversion included); returns its total size. */
function prepareStr(ptr: usize, len: usize): usize {
  if (string2ll(ptr, len)) return prepareInt(parsedInt);
  hdrLen = encodeStrHeader(len);
  dataPtr = ptr;
  dataLen = len;
  const l = hdrLen + len;
  return l + backlenSize(l);
}

function prepareInt(v: i64): usize {
  hdrLen = encodeInt(v);
  dataPtr = 0;
  dataLen = 0;
  return hdrLen + backlenSize(hdrLen);
}

/** Writes the prepared entry at dst. */
function writePrepared(dst: usize): void {
  memory.copy(dst, hdrBuf, hdrLen);
  if (dataLen != 0) memory.copy(dst + hdrLen, dataPtr, dataLen);
  writeBacklen(dst + hdrLen + dataLen, hdrLen + dataLen);
}

// ---- reading -------------------------------------------------------------------------------------

/** Reads the entry at p into lpIsInt/lpInt or lpStr/lpStrLen, without formatting integers. */
export function lpGetValue(p: usize): void {
  const b = <u32>load<u8>(p);
  if (b < 0x80) {
    lpIsInt = true;
    lpInt = b;
    return;
  }
  if ((b & 0xc0) == 0x80) {
    lpIsInt = false;
    lpStr = p + 1;
    lpStrLen = b & 0x3f;
    return;
  }
  if ((b & 0xe0) == 0xc0) {
    const u = ((b & 0x1f) << 8) | <u32>load<u8>(p, 1);
    lpIsInt = true;
    lpInt = u >= 4096 ? <i64>u - 8192 : <i64>u;
    return;
  }
  if ((b & 0xf0) == 0xe0) {
    lpIsInt = false;
    lpStr = p + 2;
    lpStrLen = ((b & 0x0f) << 8) | <u32>load<u8>(p, 1);
    return;
  }
  lpIsInt = true;
  switch (b) {
    case 0xf0: {
      lpIsInt = false;
      lpStr = p + 5;
      lpStrLen = <usize>load<u32>(p, 1);
      return;
    }
    case 0xf1: {
      lpInt = <i64>load<i16>(p, 1);
      return;
    }
    case 0xf2: {
      const u = <u32>load<u8>(p, 1) | (<u32>load<u8>(p, 2) << 8) | (<u32>load<u8>(p, 3) << 16);
      lpInt = <i64>(<i32>(u << 8) >> 8);
      return;
    }
    case 0xf3: {
      lpInt = <i64>load<i32>(p, 1);
      return;
    }
    case 0xf4: {
      lpInt = load<i64>(p, 1);
      return;
    }
  }
  unreachable();
}

/** Reads the entry at p; lpStr/lpStrLen are always set (integers formatted into a scratch). */
export function lpGet(p: usize): void {
  lpGetValue(p);
  if (lpIsInt) {
    lpStrLen = ll2string(scratch, lpInt);
    lpStr = scratch;
  }
}


/** True when the entry at p equals these bytes (as text). */
export function lpEq(p: usize, ptr: usize, len: usize): bool {
  lpGetValue(p);
  if (lpIsInt) {
    return string2ll(ptr, len) && parsedInt == lpInt;
  }
  return lpStrLen == len && memory.compare(lpStr, ptr, len) == 0;
}

// ---- navigation ---------------------------------------------------------------------------------

export function lpFirst(lp: usize): usize {
  const p = lp + LP_HDR_SIZE;
  return load<u8>(p) == LP_EOF ? 0 : p;
}

export function lpLast(lp: usize): usize {
  const end = lp + <usize>lpBytes(lp) - 1;
  if (end == lp + LP_HDR_SIZE) return 0;
  return lpPrevOf(end);
}

// @ts-ignore: decorator
@inline
function lpPrevOf(p: usize): usize {
  const l = readBacklen(p);
  return p - backlenSize(l) - l;
}

export function lpNext(lp: usize, p: usize): usize {
  const q = p + lpEntrySize(p);
  return load<u8>(q) == LP_EOF ? 0 : q;
}

export function lpPrev(lp: usize, p: usize): usize {
  if (p == lp + LP_HDR_SIZE) return 0;
  return lpPrevOf(p);
}

/** The entry at `index` (negative counts from the tail: -1 is the last), or 0 when out of range. */
export function lpSeek(lp: usize, index: i64): usize {
  const n = <i64>lpLength(lp);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return 0;
  if (index <= n >> 1) {
    let p = lp + LP_HDR_SIZE;
    for (let i: i64 = 0; i < index; i++) p += lpEntrySize(p);
    return p;
  }
  let p = lp + <usize>lpBytes(lp) - 1;
  for (let i: i64 = n; i > index; i--) p = lpPrevOf(p);
  return p;
}

// ---- writing ----------------------------------------------------------------------------------------

/** Opens a gap of `size` bytes at offset `off` and writes the prepared entry there. */
function insertPrepared(lp: usize, off: usize, size: usize): usize {
  const old = <usize>lpBytes(lp);
  lp = realloc(lp, old + size);
  memory.copy(lp + off + size, lp + off, old - off);
  writePrepared(lp + off);
  setBytes(lp, old + size);
  addCount(lp, 1);
  lpAt = lp + off;
  return lp;
}

export function lpAppend(lp: usize, ptr: usize, len: usize): usize {
  const size = prepareStr(ptr, len);
  return insertPrepared(lp, <usize>lpBytes(lp) - 1, size);
}

export function lpAppendInt(lp: usize, v: i64): usize {
  const size = prepareInt(v);
  return insertPrepared(lp, <usize>lpBytes(lp) - 1, size);
}

export function lpPrepend(lp: usize, ptr: usize, len: usize): usize {
  const size = prepareStr(ptr, len);
  return insertPrepared(lp, LP_HDR_SIZE, size);
}

/** Inserts before or after the entry at p (p = 0: at the end). lpAt = the new entry. */
export function lpInsert(lp: usize, p: usize, ptr: usize, len: usize, where: i32): usize {
  const size = prepareStr(ptr, len);
  return insertPrepared(lp, insertOffset(lp, p, where), size);
}

export function lpInsertInt(lp: usize, p: usize, v: i64, where: i32): usize {
  const size = prepareInt(v);
  return insertPrepared(lp, insertOffset(lp, p, where), size);
}

function insertOffset(lp: usize, p: usize, where: i32): usize {
  if (p == 0) return <usize>lpBytes(lp) - 1;
  return p - lp + (where == LP_AFTER ? lpEntrySize(p) : 0);
}

/** Appends two entries with one resize (a hash field and its value, a zset member and score). */
export function lpAppendPair(lp: usize, a: usize, alen: usize, b: usize, blen: usize): usize {
  const old = <usize>lpBytes(lp);
  const sa = lpEncodedSize(a, alen);
  const sb = lpEncodedSize(b, blen);
  lp = realloc(lp, old + sa + sb);
  prepareStr(a, alen);
  writePrepared(lp + old - 1);
  prepareStr(b, blen);
  writePrepared(lp + old - 1 + sa);
  store<u8>(lp + old - 1 + sa + sb, LP_EOF);
  setBytes(lp, old + sa + sb);
  addCount(lp, 2);
  return lp;
}

/** Replaces the prepared entry over the `oldSize` bytes at offset off. */
function replacePrepared(lp: usize, off: usize, oldSize: usize, size: usize): usize {
  const old = <usize>lpBytes(lp);
  const tail = off + oldSize;
  if (size > oldSize) {
    lp = realloc(lp, old - oldSize + size);
    memory.copy(lp + off + size, lp + tail, old - tail);
  } else if (size < oldSize) {
    memory.copy(lp + off + size, lp + tail, old - tail);
    lp = realloc(lp, old - oldSize + size);
  }
  writePrepared(lp + off);
  setBytes(lp, old - oldSize + size);
  lpAt = lp + off;
  return lp;
}

export function lpReplace(lp: usize, p: usize, ptr: usize, len: usize): usize {
  const oldSize = lpEntrySize(p);
  const size = prepareStr(ptr, len);
  return replacePrepared(lp, p - lp, oldSize, size);
}

export function lpReplaceInt(lp: usize, p: usize, v: i64): usize {
  const oldSize = lpEntrySize(p);
  const size = prepareInt(v);
  return replacePrepared(lp, p - lp, oldSize, size);
}

/** Removes the bytes [off, off+size) holding `n` entries; lpAt = what follows, or 0 at the end. */
function cut(lp: usize, off: usize, size: usize, n: u32): usize {
  const old = <usize>lpBytes(lp);
  memory.copy(lp + off, lp + off + size, old - off - size);
  lp = realloc(lp, old - size);
  setBytes(lp, old - size);
  const c = <u32>load<u16>(lp, 4);
  if (c != COUNT_UNKNOWN) store<u16>(lp, <u16>(c - n), 4);
  lpAt = load<u8>(lp + off) == LP_EOF ? 0 : lp + off;
  return lp;
}

export function lpDelete(lp: usize, p: usize): usize {
  return cut(lp, p - lp, lpEntrySize(p), 1);
}

/** Deletes up to `count` entries starting at p. */
export function lpDeleteRangeAt(lp: usize, p: usize, count: u32): usize {
  let q = p;
  let n: u32 = 0;
  while (n < count && load<u8>(q) != LP_EOF) {
    q += lpEntrySize(q);
    n++;
  }
  return cut(lp, p - lp, q - p, n);
}

/** Deletes up to `count` entries starting at `index` (negative from the tail). */
export function lpDeleteRange(lp: usize, index: i64, count: u32): usize {
  const p = lpSeek(lp, index);
  if (p == 0 || count == 0) {
    lpAt = 0;
    return lp;
  }
  return lpDeleteRangeAt(lp, p, count);
}

/**
 * The first entry from p on that equals the bytes, looking at every (skip+1)-th entry (skip = 1
 * searches only the fields of field/value pairs), or 0.
 */
export function lpFind(lp: usize, p: usize, ptr: usize, len: usize, skip: u32): usize {
  const isInt = string2ll(ptr, len);
  const v = parsedInt;
  while (p != 0 && load<u8>(p) != LP_EOF) {
    lpGetValue(p);
    if (lpIsInt) {
      if (isInt && lpInt == v) return p;
    } else if (!isInt && lpStrLen == len && memory.compare(lpStr, ptr, len) == 0) {
      return p;
    }
    p += lpEntrySize(p);
    for (let i: u32 = 0; i < skip && load<u8>(p) != LP_EOF; i++) p += lpEntrySize(p);
  }
  return 0;
}

/** Appends `count` entries of listpack `src` starting at p, copying their bytes as they are. */
export function lpAppendFrom(lp: usize, src: usize, p: usize, count: u32): usize {
  let q = p;
  let n: u32 = 0;
  while (n < count && load<u8>(q) != LP_EOF) {
    q += lpEntrySize(q);
    n++;
  }
  const size = q - p;
  const old = <usize>lpBytes(lp);
  lp = realloc(lp, old + size);
  memory.copy(lp + old - 1, p, size);
  store<u8>(lp + old - 1 + size, LP_EOF);
  setBytes(lp, old + size);
  const c = <u32>load<u16>(lp, 4);
  if (c != COUNT_UNKNOWN) {
    const t = c + n;
    store<u16>(lp, t >= COUNT_UNKNOWN ? <u16>COUNT_UNKNOWN : <u16>t, 4);
  }
  return lp;
}

/** `a` with all of `b`'s entries appended; b is freed. */
export function lpMerge(a: usize, b: usize): usize {
  const first = lpFirst(b);
  if (first != 0) a = lpAppendFrom(a, b, first, lpLength(b));
  lpFree(b);
  return a;
}

/** A copy of the listpack (exact size). */
export function lpDup(lp: usize): usize {
  const n = <usize>lpBytes(lp);
  const c = alloc(n);
  memory.copy(c, lp, n);
  return c;
}
