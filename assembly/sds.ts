// Binary-safe strings whose header grows with the length, after Redis's sds.
//
// An sds is a pointer to its first byte. The byte just before it is always the flags byte, so
// anyone holding only the pointer can find the length: the GET path reads one byte at s-1 and at
// most one more field. The low 2 bits of the flags byte name the header type; the rest of the
// header sits in front of the flags byte:
//
//   type 0, SDS5    [flags]                          flags = len << 3 | 0, len < 32
//   type 1, SDS8    [len u8 ][alloc u8 ][flags]      3-byte header, len/alloc < 256
//   type 2, SDS16   [len u16][alloc u16][flags]      5-byte header, len/alloc < 65536
//   type 3, SDS32   [len u32][alloc u32][flags]      9-byte header
//                                         ^ s-1     ^ s: the bytes
//
// `alloc` is the capacity: how many bytes fit after s without reallocating. SDS5 has no room to
// record a capacity, so it is only used for strings that never grow (keys embedded in keyspace
// entries, short values built once); growing one turns it into SDS8 or larger. Wasm32 addresses
// fit in 32 bits, so there is no 64-bit type.
//
// Two ways to own the memory:
// - embedded: sdsWrite() lays header+bytes into memory someone else allocated (e.g. inside a
//   keyspace entry); capacity == length, and such a string must never be freed or grown alone.
// - owned: sdsNew*/sdsMakeRoomFor/sdsFree allocate the header+bytes block from alloc.ts. When the
//   allocator hands out a larger size class than asked for, the slack becomes capacity for free,
//   as Redis does with the allocator's usable size.
//
// Unlike Redis there is no trailing NUL: every consumer takes (pointer, length), and the byte
// saved per key adds up. Fields are read with unaligned loads, which wasm allows.
import { alloc, free, realloc, usable } from "./alloc";

export const SDS_TYPE_5: u32 = 0;
export const SDS_TYPE_8: u32 = 1;
export const SDS_TYPE_16: u32 = 2;
export const SDS_TYPE_32: u32 = 3;
const TYPE_MASK: u32 = 3;

/** Above this size, growth adds a fixed 1 MB instead of doubling (Redis's SDS_MAX_PREALLOC). */
export const SDS_MAX_PREALLOC: usize = 1024 * 1024;

// @ts-ignore: decorator
@inline
function reqType(len: usize): u32 {
  if (len < 32) return SDS_TYPE_5;
  if (len < 256) return SDS_TYPE_8;
  if (len < 65536) return SDS_TYPE_16;
  return SDS_TYPE_32;
}

// @ts-ignore: decorator
@inline
function hdrSizeOf(type: u32): usize {
  // 1, 3, 5, 9: the flags byte plus two fields of 1, 2 or 4 bytes.
  return 1 + (type == 0 ? 0 : <usize>1 << type);
}

// @ts-ignore: decorator
@inline
function typeMax(type: u32): usize {
  if (type == SDS_TYPE_5) return 31;
  if (type == SDS_TYPE_8) return 255;
  if (type == SDS_TYPE_16) return 65535;
  return 0xffffffff;
}

/** Header type of `s` (SDS_TYPE_*). */
// @ts-ignore: decorator
@inline
export function sdsType(s: usize): u32 {
  return <u32>load<u8>(s - 1) & TYPE_MASK;
}

/** Bytes of header in front of `s`. */
export function sdsHdrSize(s: usize): usize {
  return hdrSizeOf(sdsType(s));
}

/** Smallest header that can describe a string of `len` bytes. */
export function sdsHeaderSize(len: usize): usize {
  return hdrSizeOf(reqType(len));
}

/** Bytes an embedded string of `len` bytes occupies (header + bytes). */
export function sdsTotalSize(len: usize): usize {
  return sdsHeaderSize(len) + len;
}

/** Length of `s`: one byte read for short strings, two for the others. */
// @ts-ignore: decorator
@inline
export function sdsLen(s: usize): usize {
  const f = <u32>load<u8>(s - 1);
  switch (f & TYPE_MASK) {
    case SDS_TYPE_5: return <usize>(f >> 3);
    case SDS_TYPE_8: return <usize>load<u8>(s - 3);
    case SDS_TYPE_16: return <usize>load<u16>(s - 5);
    default: return <usize>load<u32>(s - 9);
  }
}

/** Capacity of `s` (bytes that fit without reallocating). */
export function sdsAlloc(s: usize): usize {
  const f = <u32>load<u8>(s - 1);
  switch (f & TYPE_MASK) {
    case SDS_TYPE_5: return <usize>(f >> 3);
    case SDS_TYPE_8: return <usize>load<u8>(s - 2);
    case SDS_TYPE_16: return <usize>load<u16>(s - 3);
    default: return <usize>load<u32>(s - 5);
  }
}

/** Free bytes after the end of `s`. */
export function sdsAvail(s: usize): usize {
  return sdsAlloc(s) - sdsLen(s);
}

/** Sets the recorded length (the caller has written or dropped the bytes). Must fit the capacity. */
export function sdsSetLen(s: usize, len: usize): void {
  const f = <u32>load<u8>(s - 1);
  switch (f & TYPE_MASK) {
    case SDS_TYPE_5: {
      assert(len < 32);
      store<u8>(s - 1, <u8>((len << 3) | SDS_TYPE_5));
      break;
    }
    case SDS_TYPE_8: store<u8>(s - 3, <u8>len); break;
    case SDS_TYPE_16: store<u16>(s - 5, <u16>len); break;
    default: store<u32>(s - 9, <u32>len);
  }
}

function setAlloc(s: usize, cap: usize): void {
  switch (sdsType(s)) {
    case SDS_TYPE_8: store<u8>(s - 2, <u8>cap); break;
    case SDS_TYPE_16: store<u16>(s - 3, <u16>cap); break;
    case SDS_TYPE_32: store<u32>(s - 5, <u32>cap); break;
    default: break; // SDS5 has no capacity field
  }
}

/** Writes a header of `type` at `base` and returns the sds pointer. */
function writeHeader(base: usize, type: u32, len: usize, cap: usize): usize {
  const s = base + hdrSizeOf(type);
  switch (type) {
    case SDS_TYPE_5: store<u8>(s - 1, <u8>((len << 3) | SDS_TYPE_5)); break;
    case SDS_TYPE_8: {
      store<u8>(s - 3, <u8>len);
      store<u8>(s - 2, <u8>cap);
      store<u8>(s - 1, <u8>SDS_TYPE_8);
      break;
    }
    case SDS_TYPE_16: {
      store<u16>(s - 5, <u16>len);
      store<u16>(s - 3, <u16>cap);
      store<u8>(s - 1, <u8>SDS_TYPE_16);
      break;
    }
    default: {
      store<u32>(s - 9, <u32>len);
      store<u32>(s - 5, <u32>cap);
      store<u8>(s - 1, <u8>SDS_TYPE_32);
    }
  }
  return s;
}

// ---- embedded ---------------------------------------------------------------------------------

/**
 * Writes header + `len` bytes from `src` at `dst` (which has sdsTotalSize(len) bytes) and
 * returns the sds pointer. `src` may be 0 to leave the bytes for the caller to fill.
 */
export function sdsWrite(dst: usize, src: usize, len: usize): usize {
  const s = writeHeader(dst, reqType(len), len, len);
  if (src != 0 && len != 0) memory.copy(s, src, len);
  return s;
}

// ---- owned ------------------------------------------------------------------------------------

/** Capacity granted for a block of `type` given what the allocator really reserved. */
// @ts-ignore: decorator
@inline
function grantedCap(base: usize, type: u32): usize {
  const cap = usable(base) - hdrSizeOf(type);
  const max = typeMax(type);
  return cap > max ? max : cap;
}

/** A new string holding a copy of `len` bytes at `src` (`src` 0: uninitialized bytes). */
export function sdsNew(src: usize, len: usize): usize {
  let type = reqType(len);
  // An empty string is usually about to be appended to; SDS5 could not grow in place.
  if (type == SDS_TYPE_5 && len == 0) type = SDS_TYPE_8;
  const base = alloc(hdrSizeOf(type) + len);
  const cap = type == SDS_TYPE_5 ? len : grantedCap(base, type);
  const s = writeHeader(base, type, len, cap);
  if (src != 0 && len != 0) memory.copy(s, src, len);
  return s;
}

/** A new string of length `len` (bytes uninitialized) with room for at least `cap` bytes. */
export function sdsNewCapacity(len: usize, cap: usize): usize {
  if (cap < len) cap = len;
  let type = reqType(cap);
  if (type == SDS_TYPE_5) type = SDS_TYPE_8; // asked for room: needs a capacity field
  const base = alloc(hdrSizeOf(type) + cap);
  return writeHeader(base, type, len, grantedCap(base, type));
}

/** An independent owned copy of `s`. */
export function sdsDup(s: usize): usize {
  return sdsNew(s, sdsLen(s));
}

/** Frees an owned string. 0 is ignored. */
export function sdsFree(s: usize): void {
  if (s == 0) return;
  free(s - sdsHdrSize(s));
}

/** Bytes the allocator holds for an owned string (header, bytes and slack). */
export function sdsAllocSize(s: usize): usize {
  return usable(s - sdsHdrSize(s));
}

/**
 * Ensures `addlen` more bytes fit after the end of `s` and returns the (possibly moved) string;
 * the length is unchanged. Growth is greedy so that repeated appends are amortized O(1): the
 * new capacity is twice the needed length below 1 MB, the needed length + 1 MB above.
 */
export function sdsMakeRoomFor(s: usize, addlen: usize): usize {
  const len = sdsLen(s);
  if (sdsAvail(s) >= addlen) return s;
  const oldType = sdsType(s);
  const reqlen = len + addlen;
  assert(reqlen > len, "sds length overflow");
  let newlen = reqlen;
  if (newlen < SDS_MAX_PREALLOC) newlen <<= 1;
  else newlen += SDS_MAX_PREALLOC;
  let type = reqType(newlen);
  if (type == SDS_TYPE_5) type = SDS_TYPE_8;
  const oldHdr = hdrSizeOf(oldType);
  const hdr = hdrSizeOf(type);
  let base: usize;
  if (type == oldType) {
    base = realloc(s - oldHdr, hdr + newlen);
  } else {
    // The header size changes, so the bytes move: a fresh block beats realloc + memmove.
    base = alloc(hdr + newlen);
    memory.copy(base + hdr, s, len);
    free(s - oldHdr);
    writeHeader(base, type, len, 0);
  }
  const ns = base + hdr;
  setAlloc(ns, grantedCap(base, type));
  return ns;
}

/** Appends `len` bytes from `src`; returns the (possibly moved) string. */
export function sdsCat(s: usize, src: usize, len: usize): usize {
  const cur = sdsLen(s);
  s = sdsMakeRoomFor(s, len);
  memory.copy(s + cur, src, len);
  sdsSetLen(s, cur + len);
  return s;
}

/**
 * Keeps only bytes [start, end] (inclusive; negative counts from the end, as in Redis's
 * sdsrange), moving them to the front. The capacity is kept.
 */
export function sdsRange(s: usize, start: isize, end: isize): void {
  const len = <isize>sdsLen(s);
  if (len == 0) return;
  if (start < 0) start += len;
  if (start < 0) start = 0;
  if (end < 0) end += len;
  if (end < 0) end = 0;
  let n: isize = start > end ? 0 : end - start + 1;
  if (start >= len) {
    start = 0;
    n = 0;
  } else if (n > len - start) {
    n = len - start;
  }
  if (start != 0 && n != 0) memory.copy(s, s + <usize>start, <usize>n);
  sdsSetLen(s, <usize>n);
}

/** Gives back unused capacity; returns the (possibly moved) string. */
export function sdsRemoveFreeSpace(s: usize): usize {
  const len = sdsLen(s);
  if (sdsAvail(s) == 0) return s;
  const ns = sdsNew(s, len);
  sdsFree(s);
  return ns;
}

// ---- comparison -------------------------------------------------------------------------------

/**
 * memcmp order over the common prefix; on a tie the shorter string sorts first.
 * Returns <0, 0 or >0.
 */
export function sdsCmp(a: usize, alen: usize, b: usize, blen: usize): i32 {
  const n = alen < blen ? alen : blen;
  let i: usize = 0;
  // Eight bytes at a time while they are equal; the first differing byte decides.
  while (i + 8 <= n && load<u64>(a + i) == load<u64>(b + i)) i += 8;
  while (i < n) {
    const x = <i32>load<u8>(a + i);
    const y = <i32>load<u8>(b + i);
    if (x != y) return x - y;
    i++;
  }
  return alen == blen ? 0 : alen < blen ? -1 : 1;
}

/** Byte equality of two (pointer, length) strings. */
export function sdsEq(a: usize, alen: usize, b: usize, blen: usize): bool {
  if (alen != blen) return false;
  let i: usize = 0;
  while (i + 8 <= alen) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  while (i < alen) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
    i++;
  }
  return true;
}
