// Test hooks for the allocator: a full consistency check of its structures (run between the
// steps of randomized tests) and access to the size-class arithmetic.
import {
  Span, mapGet, sizeClass, classSize, classPages, usedMemory,
  heapFirstPage, heapEndPageIndex, partialHead, binHead, binBitmap, activePageCount,
  metaPageCount, SMALL_CLASSES, SMALL_MAX, KIND_FREE, KIND_SMALL, KIND_LARGE,
} from "../alloc";



/** Class index for a request of `size` bytes (small sizes only), -1 for a large request. */
export function allocSizeClass(size: usize): i32 {
  return size > SMALL_MAX ? -1 : <i32>sizeClass(size);
}

export function allocClassSize(cls: u32): usize {
  return classSize(cls);
}

export function allocClassPages(cls: u32): u32 {
  return classPages(cls);
}

export function allocClassCount(): i32 {
  return SMALL_CLASSES;
}

/** First page index of the heap and one past its last (page = address >> 12). */
export function allocHeapFirstPage(): u32 {
  return heapFirstPage();
}

export function allocHeapEndPage(): u32 {
  return heapEndPageIndex();
}

/**
 * Walks every structure of the allocator and returns 0 when all invariants hold, otherwise
 * the number of the first broken check (see the comments below).
 */
export function allocCheck(): i32 {
  const first = heapFirstPage();
  const end = heapEndPageIndex();
  let page = first;
  let prevFree = false;
  let usedSum: usize = 0;
  let active: u32 = 0;
  let meta: u32 = 0;
  let freeSpans: u32 = 0;
  let nonFull = memory.data(44 * 4, 16); // non-full slabs per class, from the walk
  let empty = memory.data(44 * 4, 16); // empty slabs per class
  memory.fill(nonFull, 0, 44 * 4);
  memory.fill(empty, 0, 44 * 4);
  while (page < end) {
    const e = mapGet(page);
    if (e == 0) return 1; // a heap page outside any span
    if (e == 1) {
      meta++;
      page++;
      prevFree = false;
      continue;
    }
    const s = changetype<Span>(e);
    if (<u32>(s.start >> 12) != page || (s.start & 4095) != 0) return 2; // map of a first page
    if (s.npages == 0 || <u64>page + s.npages > <u64>end) return 3; // extent
    if (mapGet(page + s.npages - 1) != e) return 4; // map of a last page
    if (s.kind == KIND_FREE) {
      if (prevFree) return 5; // two free spans side by side: not coalesced
      if (s.size != 0) return 6;
      freeSpans++;
      prevFree = true;
    } else if (s.kind == KIND_LARGE) {
      if (s.size != <usize>s.npages << 12) return 7;
      usedSum += s.size;
      active += s.npages;
      prevFree = false;
    } else if (s.kind == KIND_SMALL) {
      const c = <u32>s.cls;
      if (c >= <u32>SMALL_CLASSES) return 8;
      if (s.size != classSize(c) || s.npages != classPages(c)) return 9; // class geometry
      if (<usize>s.cap != (<usize>s.npages << 12) / s.size) return 10;
      if (s.used > s.cap || s.bump > s.cap || s.used > s.bump) return 11; // counters
      for (let p = page; p < page + s.npages; p++) if (mapGet(p) != e) return 12; // all pages mapped
      // free list: inside the slab, on block boundaries, below bump, bump - used long
      let n: u32 = 0;
      for (let b = s.free; b != 0; b = load<usize>(b)) {
        if (b < s.start || b >= s.start + (<usize>s.npages << 12)) return 13;
        if ((b - s.start) % s.size != 0 || (b - s.start) / s.size >= <usize>s.bump) return 14;
        if (++n > <u32>s.cap) return 15; // cycle
      }
      if (n != <u32>s.bump - <u32>s.used) return 16;
      usedSum += s.size * <usize>s.used;
      active += s.npages;
      if (s.used < s.cap) store<u32>(nonFull + (c << 2), load<u32>(nonFull + (c << 2)) + 1);
      if (s.used == 0) store<u32>(empty + (c << 2), load<u32>(empty + (c << 2)) + 1);
      prevFree = false;
    } else {
      return 17; // unknown kind
    }
    page += s.npages;
  }
  if (usedSum != usedMemory()) return 18; // used_memory agrees with the blocks
  if (active != activePageCount()) return 19;
  if (meta != metaPageCount()) return 20;
  // partial lists: exactly the non-full slabs of the class, doubly linked, <= 1 empty slab
  for (let c: u32 = 0; c < <u32>SMALL_CLASSES; c++) {
    let n: u32 = 0;
    let prev: usize = 0;
    for (let p = partialHead(c); p != 0; p = changetype<Span>(p).next) {
      const s = changetype<Span>(p);
      if (s.kind != KIND_SMALL || <u32>s.cls != c || s.used >= s.cap) return 21;
      if (s.prev != prev) return 22;
      prev = p;
      if (++n > 1 << 20) return 23;
    }
    if (n != load<u32>(nonFull + (c << 2))) return 24;
    if (load<u32>(empty + (c << 2)) > 1) return 25; // empty slabs are given back
  }
  // bins: every free span exactly once, in the bin of its length; bitmap matches
  let binned: u32 = 0;
  const bitmap = binBitmap();
  for (let b: u32 = 0; b < 64; b++) {
    let prev: usize = 0;
    const head = binHead(b);
    if (b != 0 && ((bitmap >> b) & 1) != <u64>(head != 0 ? 1 : 0)) return 26;
    for (let p = head; p != 0; p = changetype<Span>(p).next) {
      const s = changetype<Span>(p);
      if (s.kind != KIND_FREE) return 27;
      if ((s.npages < 64 ? s.npages : 0) != b) return 28;
      if (s.prev != prev) return 29;
      if (mapGet(<u32>(s.start >> 12)) != p) return 30; // a binned span the walk would not see
      prev = p;
      if (++binned > 1 << 20) return 31;
    }
  }
  if (binned != freeSpans) return 32;
  return 0;
}
