// Small sets of integers: one block holding a sorted array, the layout Redis uses for its intsets.
//
//   0   u32 encoding   bytes per element: 2, 4 or 8 (int16, int32, int64)
//   4   u32 length     number of elements
//   8   contents       `length` integers of `encoding` bytes, little-endian, strictly ascending
//
// Every element has the width of the widest one. Adding a value that does not fit the current
// width *upgrades* the whole array in place: the block grows, and the elements are rewritten
// from the last to the first so that no element is overwritten before it has been read. A value
// that forces an upgrade is necessarily smaller than every element (negative) or larger than
// every element, so it goes to the front or the back without a search. Arrays never downgrade,
// as in Redis: removing the one wide value leaves the width as it was.
//
// Lookups are binary searches; appending in ascending order (the common bulk load) is checked
// first against the last element, so building 0..n is O(1) per value plus the realloc. The
// block is always exactly 8 + length * encoding bytes asked of the allocator: a realloc within
// the same size class is free (alloc.ts), so growing by one element rarely moves the block.
//
// Functions that may move the block return the new address; whether the element was added or
// removed is left in `intsetChanged`.
import { alloc, free, realloc, usable } from "./alloc";
import { randomBelow } from "./random";

const ENC16: u32 = 2;
const ENC32: u32 = 4;
const ENC64: u32 = 8;

/** Whether the last intsetAdd/intsetRemove changed the set. */
export let intsetChanged: bool = false;

/** Insertion position found by the last failed search. */
let searchPos: u32 = 0;

// @ts-ignore: decorator
@inline
export function intsetEncoding(is: usize): u32 {
  return load<u32>(is);
}

// @ts-ignore: decorator
@inline
export function intsetLen(is: usize): u32 {
  return load<u32>(is, 4);
}

/** Bytes of the structure (header and contents), what Redis calls intsetBlobLen. */
// @ts-ignore: decorator
@inline
export function intsetBlobLen(is: usize): usize {
  return 8 + <usize>load<u32>(is, 4) * <usize>load<u32>(is);
}

/** The narrowest encoding that holds `v`. */
// @ts-ignore: decorator
@inline
export function intsetValueEncoding(v: i64): u32 {
  if (v < -2147483648 || v > 2147483647) return ENC64;
  if (v < -32768 || v > 32767) return ENC32;
  return ENC16;
}

// @ts-ignore: decorator
@inline
function getAt(is: usize, i: u32, enc: u32): i64 {
  const p = is + 8 + <usize>i * <usize>enc;
  if (enc == ENC16) return <i64>load<i16>(p);
  if (enc == ENC32) return <i64>load<i32>(p);
  return load<i64>(p);
}

// @ts-ignore: decorator
@inline
function setAt(is: usize, i: u32, enc: u32, v: i64): void {
  const p = is + 8 + <usize>i * <usize>enc;
  if (enc == ENC16) store<i16>(p, <i16>v);
  else if (enc == ENC32) store<i32>(p, <i32>v);
  else store<i64>(p, v);
}

/** The i-th smallest element (i < length). */
export function intsetGet(is: usize, i: u32): i64 {
  return getAt(is, i, intsetEncoding(is));
}

export function intsetNew(): usize {
  const is = alloc(8);
  store<u32>(is, ENC16);
  store<u32>(is, 0, 4);
  return is;
}

export function intsetFree(is: usize): void {
  free(is);
}

export function intsetDup(is: usize): usize {
  const n = intsetBlobLen(is);
  const c = alloc(n);
  memory.copy(c, is, n);
  return c;
}

/** Bytes the allocator reserved for the set. */
export function intsetMemory(is: usize): usize {
  return usable(is);
}

/** Index of `v`, or -1 with its insertion position in searchPos. `v` fits the encoding. */
function search(is: usize, v: i64): i32 {
  const enc = intsetEncoding(is);
  const n = intsetLen(is);
  if (n == 0) {
    searchPos = 0;
    return -1;
  }
  // Values outside [first, last] need no search: the ends are where bulk loads happen.
  const last = getAt(is, n - 1, enc);
  if (v > last) {
    searchPos = n;
    return -1;
  }
  if (v == last) return <i32>(n - 1);
  if (v < getAt(is, 0, enc)) {
    searchPos = 0;
    return -1;
  }
  let lo: u32 = 0;
  let hi: u32 = n - 1; // contents[hi] > v from here on
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = getAt(is, mid, enc);
    if (x == v) return <i32>mid;
    if (x < v) lo = mid + 1;
    else hi = mid;
  }
  searchPos = lo;
  return -1;
}

export function intsetFind(is: usize, v: i64): bool {
  if (intsetValueEncoding(v) > intsetEncoding(is)) return false;
  return search(is, v) >= 0;
}

function resize(is: usize, n: u32, enc: u32): usize {
  return realloc(is, 8 + <usize>n * <usize>enc);
}

/** Widens every element to the encoding of `v` and adds `v`, which lies outside the current range. */
function upgradeAndAdd(is: usize, v: i64): usize {
  const oldEnc = intsetEncoding(is);
  const newEnc = intsetValueEncoding(v);
  const n = intsetLen(is);
  const front: u32 = v < 0 ? 1 : 0;
  is = resize(is, n + 1, newEnc);
  // Back to front: element i moves to i + front, never onto an element not yet read.
  for (let i = n; i > 0; i--) setAt(is, i - 1 + front, newEnc, getAt(is, i - 1, oldEnc));
  setAt(is, front ? 0 : n, newEnc, v);
  store<u32>(is, newEnc);
  store<u32>(is, n + 1, 4);
  return is;
}

/** Adds `v`; returns the (possibly moved) set. intsetChanged says whether it was new. */
export function intsetAdd(is: usize, v: i64): usize {
  const enc = intsetEncoding(is);
  if (intsetValueEncoding(v) > enc) {
    intsetChanged = true;
    return upgradeAndAdd(is, v);
  }
  if (search(is, v) >= 0) {
    intsetChanged = false;
    return is;
  }
  const pos = searchPos;
  const n = intsetLen(is);
  is = resize(is, n + 1, enc);
  if (pos < n) {
    const at = is + 8 + <usize>pos * <usize>enc;
    memory.copy(at + enc, at, <usize>(n - pos) * <usize>enc);
  }
  setAt(is, pos, enc, v);
  store<u32>(is, n + 1, 4);
  intsetChanged = true;
  return is;
}

/** Removes `v`; returns the (possibly moved) set. intsetChanged says whether it was there. */
export function intsetRemove(is: usize, v: i64): usize {
  const enc = intsetEncoding(is);
  if (intsetValueEncoding(v) > enc) {
    intsetChanged = false;
    return is;
  }
  const i = search(is, v);
  if (i < 0) {
    intsetChanged = false;
    return is;
  }
  const n = intsetLen(is);
  const at = is + 8 + <usize>i * <usize>enc;
  memory.copy(at, at + enc, <usize>(n - 1 - <u32>i) * <usize>enc);
  store<u32>(is, n - 1, 4);
  intsetChanged = true;
  return resize(is, n - 1, enc);
}

/** A uniformly chosen element; the set must not be empty. */
export function intsetRandom(is: usize): i64 {
  return intsetGet(is, randomBelow(intsetLen(is)));
}

/** Debug check: strictly ascending, every element fits the encoding. */
export function intsetValid(is: usize): bool {
  const enc = intsetEncoding(is);
  if (enc != ENC16 && enc != ENC32 && enc != ENC64) return false;
  const n = intsetLen(is);
  for (let i: u32 = 1; i < n; i++) if (getAt(is, i - 1, enc) >= getAt(is, i, enc)) return false;
  return true;
}
