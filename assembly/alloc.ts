// The allocator: every byte of linear memory above the static data belongs to it, and it is
// the one place that knows how much of it the database uses (`used_memory`, `maxmemory`).
//
// Why a slab allocator. The keyspace makes millions of tiny blocks (key strings, value
// objects, dict entries), so what matters most is the cost per block. A header in front of
// each block (what the placeholder and most general-purpose mallocs do) costs 4-16 bytes on a
// 16-byte key; here a block carries nothing at all. Blocks of one size class are cut out of a
// *slab* (a run of pages holding only that class), and the facts about the block (its class,
// the slab it lives in) are found from the address alone, through a page map.
//
// Pages and spans. The heap, from the first 4 KiB boundary above `__heap_base` to the end of
// linear memory, is cut into 4 KiB pages. Every page belongs to exactly one *span*: a run of
// consecutive pages that is either a slab of small blocks, one large block, or free. Each
// span is described by a 32-byte `Span` record kept outside the span (so slab pages hold
// blocks only, and a freed large block's pages hold nothing of ours). A few pages hold the
// allocator's own metadata: the page-map leaves and the pages the Span records are cut from.
//
//      heap start                                                      end of memory
//      |                                                                           |
//      [ slab, class 16: 1 page ][ large: 5 pages ][ free: 3 pages ][M][ slab ...   ]
//                                                                   ^ metadata page
//
// A slab of the 160-byte class (2 pages, 51 blocks, 32 bytes left over):
//
//      page p                              page p+1
//      +------+------+------+------+-- ... --+------+------+------+-------+
//      | blk0 | blk1 | blk2 | blk3 |         | b48  | b49  | b50  | slack |
//      +------+------+------+------+-- ... --+------+------+------+-------+
//        used   free   used  never                                  (32 B)
//               |            handed out
//               +-> first word links to the next free block of this slab
//
//      its Span (elsewhere, in a metadata page):
//      { start = p*4096, npages = 2, kind = SMALL, cls = 16, used, bump, cap = 51,
//        free = &blk1, size = 160, next/prev = neighbours in the class's partial list }
//
// Blocks past `bump` have never been handed out: a new slab is not threaded into a free list
// up front, it is handed out from the front and only freed blocks form the list.
//
// The page map is two-level: a static 1024-entry top level, one per 4 MiB of the 4 GiB
// address space, pointing at leaves of 1024 u32 entries (one 4 KiB page each), allocated as
// memory grows (0.1% of the heap). An entry is the address of the Span that holds the page,
// or 1 for a metadata page. Every page of a slab is mapped (any block address may be looked
// up); for large and free spans only the first and last pages are (lookups are by the start
// address, and coalescing looks at the page just before and just after a span). Interior
// entries of those may be stale; no path reads them, and the debug checks verify any entry
// they read against the Span's own extent.
//
// Small blocks (<= 16 KiB) come in 44 size classes: 8-byte steps up to 128, then four classes
// per doubling (160, 192, 224, 256, 320, ... 14336, 16384), so the worst rounding is 25% and
// typically far less. Each class has a list of *partial* slabs (some block free); alloc takes
// from the head, free pushes a slab that was full back onto it: both O(1) with no search. A
// slab whose last block is freed goes back to the page allocator, except the class keeps one
// empty slab when it is its only partial one, so an alloc/free ping-pong does not map and
// unmap pages each time. The slab size per class (1-7 pages) is picked to waste < 1.6%.
//
// Large blocks are whole pages, so usable() is the size rounded up to 4 KiB. Free spans are
// coalesced with free neighbours at once and kept in bins by length (exact for 1-63 pages,
// one best-fit list above that, with a bitmap of non-empty bins), so a fill-delete-refill
// cycle reuses the same pages instead of growing memory. realloc of a large block shrinks in
// place and grows in place into a free neighbour (or fresh memory at the end of the heap).
//
// Growth. When no free span fits, memory.grow adds at least what is needed, more as the heap
// gets bigger (1/16 of it, capped at 4 MiB) so a growing heap rarely calls it; new leaves and
// metadata pages are taken from the top of the new memory so the fresh pages continue the
// free span that may end the old heap. 65536 wasm pages (4 GiB) is the ceiling; every size
// and page computation is done so that it cannot wrap near 2^32, and tryAlloc returns 0
// rather than trapping.
//
// Accounting. `used` is the sum of usable() of live blocks (what jemalloc-based Redis reports
// as used_memory); metadata and free pages are not in it but show in the heap statistics.
//
// Debug builds (asserts on) check every pointer given to free/realloc/usable against its
// span: foreign pointers, pointers inside a block, frees of free spans and, for small blocks,
// double frees (a freed block is filled with 0xdd after its link word; a block seen with that
// pattern is looked up in its slab's free list). New small blocks are filled with 0xaa so
// code that assumes zeroed memory fails in tests rather than in production.

// ---- constants -------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline const PAGE_SHIFT: usize = 12;
// @ts-ignore: decorator
@inline const PAGE_SIZE: usize = 4096;
/** Pages in 4 GiB: the most linear memory a wasm32 instance can have. */
// @ts-ignore: decorator
@inline const MAX_PAGES: u32 = 1 << 20;
// @ts-ignore: decorator
@inline export const SMALL_CLASSES: i32 = 44;
// @ts-ignore: decorator
@inline export const SMALL_MAX: usize = 16384;
/** Above this a request cannot succeed (static data sits below the heap); refusing it early
 *  also keeps the page arithmetic away from 2^32. */
// @ts-ignore: decorator
@inline const MAX_REQUEST: usize = 0xffff_0000;
// @ts-ignore: decorator
@inline const NBINS: u32 = 64;
/** The Span pool is topped up when it runs below this; a page yields 128 records. */
// @ts-ignore: decorator
@inline const POOL_LOW: u32 = 8;
/** Page-map entry of a page holding allocator metadata (Span addresses are larger). */
// @ts-ignore: decorator
@inline const META_ENTRY: usize = 1;

// Span kinds (also the `kind` byte of spanMap records).
// @ts-ignore: decorator
@inline export const KIND_FREE: u8 = 1;
// @ts-ignore: decorator
@inline export const KIND_SMALL: u8 = 2;
// @ts-ignore: decorator
@inline export const KIND_LARGE: u8 = 3;
// @ts-ignore: decorator
@inline export const KIND_META: u8 = 4;

// Debug fill patterns.
// @ts-ignore: decorator
@inline const POISON_NEW: u8 = 0xaa;
// @ts-ignore: decorator
@inline const POISON_FREE: u8 = 0xdd;
// @ts-ignore: decorator
@inline const POISON_FREE32: u32 = 0xdddddddd;

/** Describes one span (see the essay). 32 bytes; lives in a metadata page. */
@unmanaged export class Span {
  /** Address of the first page. */
  start: usize;
  npages: u32;
  kind: u8;
  cls: u8;
  /** Small: blocks handed out. */
  used: u16;
  /** Small: blocks ever handed out; blocks at and past this index are untouched. */
  bump: u16;
  /** Small: blocks per slab. */
  cap: u16;
  /** Small: first freed block; its first word links to the next. */
  free: usize;
  /** Small: the class size; large: npages * 4096; otherwise 0. */
  size: usize;
  /** Links in a class's partial list (small) or a bin (free); also the pool's link. */
  next: usize;
  prev: usize;
}

// ---- state -----------------------------------------------------------------------------------

/** Top level of the page map: leaf address per 4 MiB of address space. */
const TOP = memory.data(4096, 16);
/** Free spans by length: bin n (1-63) holds spans of exactly n pages, bin 0 the longer ones. */
const BINS = memory.data(256, 16);
/** Head of each class's list of slabs with a free block. */
const PARTIAL = memory.data(176, 16);
/** Pages per slab of each class (u8), computed at init. */
const CLASS_PAGES = memory.data(64, 16);

let ready = false;
let heapStartPage: u32 = 0;
let heapEndPage: u32 = 0;
let used: usize = 0;
let peak: usize = 0;
/** Pages in small slabs and large blocks. */
let activePages: u32 = 0;
/** Pages holding page-map leaves and Span records. */
let metaPages: u32 = 0;
let pool: usize = 0;
let poolCount: u32 = 0;
/** Bit n set when bin n (1-63) is not empty. */
let binmap: u64 = 0;

// ---- size classes ----------------------------------------------------------------------------

/** Class index of a small request (size <= SMALL_MAX). */
// @ts-ignore: decorator
@inline export function sizeClass(size: usize): u32 {
  if (size <= 128) return size == 0 ? 0 : <u32>((size - 1) >> 3);
  // size-1 is in [2^lg, 2^(lg+1)); the four classes of that doubling are 2^lg * (5..8) / 4.
  const lg = <u32>(31 - clz<u32>(<u32>size - 1));
  const k = <u32>((size - 1) >> (lg - 2)); // 4..7
  return 16 + ((lg - 7) << 2) + (k - 4);
}

/** Block size of class `cls`. */
export function classSize(cls: u32): usize {
  if (cls < 16) return (<usize>cls + 1) << 3;
  const g = (cls - 16) >> 2;
  const k = (cls - 16) & 3;
  return (<usize>5 + k) << (g + 5);
}

/** Pages per slab of class `cls`. */
export function classPages(cls: u32): u32 {
  if (!ready) init();
  return load<u8>(CLASS_PAGES + cls);
}

// ---- page map --------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function pageOf(addr: usize): u32 {
  return <u32>(addr >> PAGE_SHIFT);
}

// @ts-ignore: decorator
@inline function mapSet(page: u32, value: usize): void {
  const leaf = load<usize>(TOP + ((<usize>page >> 10) << 2));
  store<usize>(leaf + ((<usize>page & 1023) << 2), value);
}

/** Page-map entry of `page`: a Span address, META_ENTRY, or 0 when the page is not ours. */
export function mapGet(page: u32): usize {
  const leaf = load<usize>(TOP + ((<usize>page >> 10) << 2));
  if (leaf == 0) return 0;
  return load<usize>(leaf + ((<usize>page & 1023) << 2));
}

/** The span holding `ptr`: the hot path of free/usable/realloc. */
// @ts-ignore: decorator
@inline function spanOf(ptr: usize): Span {
  if (!ASC_NO_ASSERT) {
    const page = pageOf(ptr);
    assert(page >= heapStartPage && page < heapEndPage, "wedis alloc: pointer outside the heap");
    assert(mapGet(page) > META_ENTRY, "wedis alloc: pointer not from the allocator");
  }
  const leaf = load<usize>(TOP + ((ptr >> 22) << 2));
  return changetype<Span>(load<usize>(leaf + (((ptr >> PAGE_SHIFT) & 1023) << 2)));
}

// ---- Span records ----------------------------------------------------------------------------

function pushDesc(d: Span): void {
  d.kind = 0;
  d.next = pool;
  pool = changetype<usize>(d);
  poolCount++;
}

function popDesc(): Span {
  if (!ASC_NO_ASSERT) assert(poolCount > 0, "wedis alloc: span pool empty");
  const d = changetype<Span>(pool);
  pool = d.next;
  poolCount--;
  memory.fill(changetype<usize>(d), 0, offsetof<Span>());
  return d;
}

/** Turns `page` into 128 Span records. */
function carveDescPage(page: u32): void {
  mapSet(page, META_ENTRY);
  metaPages++;
  const base = <usize>page << PAGE_SHIFT;
  for (let off: usize = 0; off < PAGE_SIZE; off += offsetof<Span>()) {
    pushDesc(changetype<Span>(base + off));
  }
}

/** Gets a page for Span records from a free span, or from new memory. */
function refillPool(): bool {
  const s = findFree(1);
  if (s) {
    binRemove(s);
    const page = pageOf(s.start);
    if (s.npages == 1) {
      carveDescPage(page);
      pushDesc(s);
    } else {
      s.start += PAGE_SIZE;
      s.npages--;
      mapSet(page + 1, changetype<usize>(s));
      binInsert(s);
      carveDescPage(page);
    }
    return true;
  }
  return grow(0);
}

// ---- free spans ------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function binOf(npages: u32): u32 {
  return npages < NBINS ? npages : 0;
}

function binInsert(s: Span): void {
  const b = binOf(s.npages);
  const slot = BINS + (<usize>b << 2);
  const head = load<usize>(slot);
  s.next = head;
  s.prev = 0;
  if (head) changetype<Span>(head).prev = changetype<usize>(s);
  store<usize>(slot, changetype<usize>(s));
  if (b) binmap |= (<u64>1) << b;
}

function binRemove(s: Span): void {
  const b = binOf(s.npages);
  const slot = BINS + (<usize>b << 2);
  if (s.prev) changetype<Span>(s.prev).next = s.next;
  else store<usize>(slot, s.next);
  if (s.next) changetype<Span>(s.next).prev = s.prev;
  s.next = 0;
  s.prev = 0;
  if (b && load<usize>(slot) == 0) binmap &= ~((<u64>1) << b);
}

/** A free span of at least `n` pages: the shortest exact bin, else best fit among long ones. */
function findFree(n: u32): Span | null {
  if (n < NBINS) {
    const m = binmap & (~(<u64>0) << <u64>n);
    if (m) return changetype<Span>(load<usize>(BINS + (<usize>ctz<u64>(m) << 2)));
  }
  let best: Span | null = null;
  let p = load<usize>(BINS);
  while (p) {
    const s = changetype<Span>(p);
    if (s.npages >= n) {
      if (best == null) best = s;
      else if (s.npages < best.npages || (s.npages == best.npages && s.start < best.start)) best = s;
    }
    p = s.next;
  }
  return best;
}

/** Makes `s` free, merged with free neighbours, and bins it. Callers fix activePages. */
function freeRun(s: Span): void {
  let start = pageOf(s.start);
  let end = start + s.npages;
  if (start > heapStartPage) {
    const e = mapGet(start - 1);
    if (e > META_ENTRY && changetype<Span>(e).kind == KIND_FREE) {
      const l = changetype<Span>(e);
      binRemove(l);
      start = pageOf(l.start);
      pushDesc(l);
    }
  }
  if (end < heapEndPage) {
    const e = mapGet(end);
    if (e > META_ENTRY && changetype<Span>(e).kind == KIND_FREE) {
      const r = changetype<Span>(e);
      binRemove(r);
      end = pageOf(r.start) + r.npages;
      pushDesc(r);
    }
  }
  s.start = <usize>start << PAGE_SHIFT;
  s.npages = end - start;
  s.kind = KIND_FREE;
  s.cls = 0;
  s.used = 0;
  s.bump = 0;
  s.cap = 0;
  s.free = 0;
  s.size = 0;
  mapSet(start, changetype<usize>(s));
  mapSet(end - 1, changetype<usize>(s));
  binInsert(s);
}

/** A span of exactly `n` pages (first and last pages mapped), or null when memory is full. */
function allocPages(n: u32): Span | null {
  if (!ready) init();
  if (poolCount < 2 && !refillPool()) return null;
  let s = findFree(n);
  if (!s) {
    if (!grow(n)) return null;
    s = findFree(n);
    if (!s) return null;
  }
  binRemove(s);
  if (s.npages > n) {
    const rest = popDesc();
    rest.start = s.start + (<usize>n << PAGE_SHIFT);
    rest.npages = s.npages - n;
    rest.kind = KIND_FREE;
    const rp = pageOf(rest.start);
    mapSet(rp, changetype<usize>(rest));
    mapSet(rp + rest.npages - 1, changetype<usize>(rest));
    binInsert(rest);
    s.npages = n;
    mapSet(pageOf(s.start) + n - 1, changetype<usize>(s));
  }
  s.kind = 0;
  activePages += n;
  return s;
}

// ---- growth ----------------------------------------------------------------------------------

/** Page-map leaves missing for pages [a, b). */
function leavesNeeded(a: u32, b: u32): u32 {
  let n: u32 = 0;
  for (let r = a >> 10; r <= (b - 1) >> 10; r++) {
    if (load<usize>(TOP + (<usize>r << 2)) == 0) n++;
  }
  return n;
}

/** Pages (a multiple of 16) to add at `end` so `pages` remain after new leaves; 0 if > 4 GiB. */
function growthFor(end: u32, pages: u32): u32 {
  let d = (pages + 15) & ~15;
  while (true) {
    if (<u64>end + d > <u64>MAX_PAGES) return 0;
    const need = pages + leavesNeeded(end, end + d);
    if (d >= need) return d;
    d = (need + 15) & ~15;
  }
  return 0;
}

/** Adds at least `minPages` free pages to the heap (plus Span records if the pool is low). */
function grow(minPages: u32): bool {
  const end = heapEndPage;
  if (!ASC_NO_ASSERT) assert(<u32>memory.size() << 4 == end, "wedis alloc: memory grown behind its back");
  const meta: u32 = poolCount < POOL_LOW ? 1 : 0;
  let step = (end - heapStartPage) >> 4;
  step = step < 16 ? 16 : step > 1024 ? 1024 : step;
  const want = minPages > step ? minPages : step;
  let d = growthFor(end, want + meta);
  if (d == 0 || memory.grow(<i32>(d >> 4)) < 0) {
    d = growthFor(end, minPages + meta);
    if (d == 0 || memory.grow(<i32>(d >> 4)) < 0) return false;
  }
  addRegion(end, end + d);
  return true;
}

/** Takes pages [a, b) (zeroed, just past the heap) into the heap. Metadata goes at the top. */
function addRegion(a: u32, b: u32): void {
  let top = b;
  for (let r = a >> 10; r <= (b - 1) >> 10; r++) {
    const slot = TOP + (<usize>r << 2);
    if (load<usize>(slot) == 0) {
      top--;
      store<usize>(slot, <usize>top << PAGE_SHIFT);
      metaPages++;
    }
  }
  for (let p = top; p < b; p++) mapSet(p, META_ENTRY);
  heapEndPage = b;
  if (poolCount < POOL_LOW && top > a) {
    top--;
    carveDescPage(top);
  }
  if (top > a) {
    const s = popDesc();
    s.start = <usize>a << PAGE_SHIFT;
    s.npages = top - a;
    freeRun(s);
  }
}

function init(): void {
  ready = true;
  for (let c: u32 = 0; c < <u32>SMALL_CLASSES; c++) {
    // The fewest pages wasting < 1/64 of the slab, else the least wasteful count.
    const size = classSize(c);
    let best: u32 = 0;
    let bestWaste: usize = PAGE_SIZE;
    for (let p: u32 = 1; p <= 16; p++) {
      const bytes = <usize>p << PAGE_SHIFT;
      if (bytes < size) continue;
      const waste = bytes % size;
      if (waste * 64 <= bytes) { best = p; break; }
      // compare waste / bytes across page counts without division
      if (best == 0 || waste * (<usize>best << PAGE_SHIFT) < bestWaste * bytes) {
        best = p;
        bestWaste = waste;
      }
    }
    store<u8>(CLASS_PAGES + c, <u8>best);
  }
  heapStartPage = <u32>((__heap_base + PAGE_SIZE - 1) >> PAGE_SHIFT);
  const end = <u32>memory.size() << 4;
  if (end >= heapStartPage + 4) {
    heapEndPage = heapStartPage;
    addRegion(heapStartPage, end);
  } else {
    heapStartPage = end;
    heapEndPage = end;
  }
}

// ---- small blocks ----------------------------------------------------------------------------

function newSlab(cls: u32): Span | null {
  if (!ready) init();
  const pages = <u32>load<u8>(CLASS_PAGES + cls);
  const s = allocPages(pages);
  if (!s) return null;
  const size = classSize(cls);
  s.kind = KIND_SMALL;
  s.cls = <u8>cls;
  s.size = size;
  s.cap = <u16>((<usize>pages << PAGE_SHIFT) / size);
  const first = pageOf(s.start);
  for (let p = first + 1; p < first + pages - 1; p++) mapSet(p, changetype<usize>(s));
  const slot = PARTIAL + (<usize>cls << 2);
  const head = load<usize>(slot);
  s.next = head;
  if (head) changetype<Span>(head).prev = changetype<usize>(s);
  store<usize>(slot, changetype<usize>(s));
  return s;
}

function unlinkPartial(s: Span): void {
  if (s.prev) changetype<Span>(s.prev).next = s.next;
  else store<usize>(PARTIAL + (<usize>s.cls << 2), s.next);
  if (s.next) changetype<Span>(s.next).prev = s.prev;
  s.next = 0;
  s.prev = 0;
}

/** An empty slab goes back to the pages unless it is the class's only partial slab. */
function releaseIfSpare(s: Span): void {
  const slot = PARTIAL + (<usize>s.cls << 2);
  if (load<usize>(slot) == changetype<usize>(s) && s.next == 0) return;
  unlinkPartial(s);
  activePages -= s.npages;
  freeRun(s);
}

// ---- large blocks ----------------------------------------------------------------------------

function allocLarge(size: usize): usize {
  if (size > MAX_REQUEST) return 0;
  const n = <u32>((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
  const s = allocPages(n);
  if (!s) return 0;
  s.kind = KIND_LARGE;
  s.size = <usize>n << PAGE_SHIFT;
  used += s.size;
  if (used > peak) peak = used;
  return s.start;
}

/** Gives back the pages of large block `s` past its first `n`. */
function shrinkLarge(s: Span, n: u32): void {
  if (poolCount < 1 && !refillPool()) return; // keeping the block whole is also correct
  const tail = s.npages - n;
  const t = popDesc();
  t.start = s.start + (<usize>n << PAGE_SHIFT);
  t.npages = tail;
  s.npages = n;
  s.size = <usize>n << PAGE_SHIFT;
  mapSet(pageOf(s.start) + n - 1, changetype<usize>(s));
  used -= <usize>tail << PAGE_SHIFT;
  activePages -= tail;
  freeRun(t);
}

/** Extends large block `s` to `n` pages from the free span after it (growing memory when that
 *  span, or the block itself, ends the heap). False when the neighbour is not free. */
function extendLarge(s: Span, n: u32): bool {
  const extra = n - s.npages;
  const end = pageOf(s.start) + s.npages;
  let r = freeAt(end);
  const avail: u32 = r ? r.npages : 0;
  if (avail < extra) {
    const tailEnd = r ? pageOf(r.start) + r.npages : end;
    if (tailEnd != heapEndPage) return false;
    if (!grow(extra - avail)) return false;
    r = freeAt(end);
    if (!r || r.npages < extra) return false;
  }
  binRemove(r!);
  const rs = r!;
  if (rs.npages > extra) {
    rs.start += <usize>extra << PAGE_SHIFT;
    rs.npages -= extra;
    mapSet(pageOf(rs.start), changetype<usize>(rs));
    binInsert(rs);
  } else {
    pushDesc(rs);
  }
  s.npages = n;
  s.size = <usize>n << PAGE_SHIFT;
  mapSet(pageOf(s.start) + n - 1, changetype<usize>(s));
  used += <usize>extra << PAGE_SHIFT;
  if (used > peak) peak = used;
  activePages += extra;
  return true;
}

/** The free span starting at `page`, if any. */
function freeAt(page: u32): Span | null {
  if (page >= heapEndPage) return null;
  const e = mapGet(page);
  if (e <= META_ENTRY) return null;
  const s = changetype<Span>(e);
  return s.kind == KIND_FREE && pageOf(s.start) == page ? s : null;
}

// ---- debug checks ----------------------------------------------------------------------------

/** Traps (debug builds) unless `ptr` is a live block of span `s`. */
function checkLive(ptr: usize, s: Span): void {
  const page = pageOf(ptr);
  const first = pageOf(s.start);
  assert(page >= first && page < first + s.npages, "wedis alloc: pointer not from the allocator");
  if (s.kind == KIND_SMALL) {
    const off = ptr - s.start;
    assert(off % s.size == 0, "wedis alloc: pointer inside a block");
    assert(off / s.size < <usize>s.bump, "wedis alloc: pointer to a block never allocated");
    if (load<u32>(ptr, 4) == POISON_FREE32) {
      for (let p = s.free; p; p = load<usize>(p)) {
        assert(p != ptr, "wedis alloc: double free (or use of a freed block)");
      }
    }
  } else if (s.kind == KIND_LARGE) {
    assert(ptr == s.start, "wedis alloc: pointer inside a block");
  } else {
    assert(false, "wedis alloc: pointer to freed memory (double free?)");
  }
}

// ---- API -------------------------------------------------------------------------------------

/** Allocates `size` bytes, 8-byte aligned, never 0. Traps when memory cannot grow. */
export function alloc(size: usize): usize {
  const p = tryAlloc(size);
  if (p == 0) {
    if (!ASC_NO_ASSERT) assert(false, "wedis alloc: out of memory");
    unreachable();
  }
  return p;
}

/** Like alloc, but returns 0 when the memory cannot grow (for sizes a user chose). */
export function tryAlloc(size: usize): usize {
  if (size > SMALL_MAX) return allocLarge(size);
  const cls = sizeClass(size);
  const slot = PARTIAL + (<usize>cls << 2);
  let s = changetype<Span>(load<usize>(slot));
  if (changetype<usize>(s) == 0) {
    const fresh = newSlab(cls);
    if (!fresh) return 0;
    s = fresh;
  }
  let p = s.free;
  if (p) {
    s.free = load<usize>(p);
  } else {
    p = s.start + <usize>s.bump * s.size;
    s.bump++;
  }
  const n = s.used + 1;
  s.used = n;
  if (n == s.cap) {
    // Full: off the partial list (it is the head, so no search).
    const next = s.next;
    store<usize>(slot, next);
    if (next) changetype<Span>(next).prev = 0;
    s.next = 0;
  }
  used += s.size;
  if (used > peak) peak = used;
  if (!ASC_NO_ASSERT) memory.fill(p, POISON_NEW, s.size);
  return p;
}

/** Returns a block to the allocator. `ptr` 0 is ignored. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  const s = spanOf(ptr);
  if (!ASC_NO_ASSERT) checkLive(ptr, s);
  used -= s.size;
  if (s.kind == KIND_SMALL) {
    if (!ASC_NO_ASSERT) memory.fill(ptr + 4, POISON_FREE, s.size - 4);
    store<usize>(ptr, s.free);
    s.free = ptr;
    const n = s.used;
    if (n == s.cap) {
      // Was full: back on the partial list.
      const slot = PARTIAL + (<usize>s.cls << 2);
      const head = load<usize>(slot);
      s.next = head;
      s.prev = 0;
      if (head) changetype<Span>(head).prev = changetype<usize>(s);
      store<usize>(slot, changetype<usize>(s));
    }
    s.used = n - 1;
    if (n == 1) releaseIfSpare(s);
  } else {
    activePages -= s.npages;
    freeRun(s);
  }
}

/** Resizes a block; in place when the size class (small) or page count (large) allows.
 *  Contents up to min(old, new) size are kept. Traps when memory cannot grow. */
export function realloc(ptr: usize, size: usize): usize {
  if (ptr == 0) return alloc(size);
  const s = spanOf(ptr);
  if (!ASC_NO_ASSERT) checkLive(ptr, s);
  const old = s.size;
  if (s.kind == KIND_SMALL) {
    if (size <= SMALL_MAX && sizeClass(size) == <u32>s.cls) return ptr;
  } else if (size > SMALL_MAX && size <= MAX_REQUEST) {
    const n = <u32>((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
    if (n == s.npages) return ptr;
    if (n < s.npages) {
      shrinkLarge(s, n);
      return ptr;
    }
    if (extendLarge(s, n)) return ptr;
  }
  const q = alloc(size);
  memory.copy(q, ptr, old < size ? old : size);
  free(ptr);
  return q;
}

/** Bytes actually reserved for the block at `ptr` (its size class, or its pages). */
export function usable(ptr: usize): usize {
  const s = spanOf(ptr);
  if (!ASC_NO_ASSERT) checkLive(ptr, s);
  return s.size;
}

/** Sum of usable() of live blocks: what INFO reports as used_memory. */
export function usedMemory(): usize {
  return used;
}

// ---- statistics ------------------------------------------------------------------------------
// Byte totals are f64 so that the host reads 4 GiB and anything above 2 GiB correctly (a u32
// export arrives in JS as a signed i32).

/** Highest usedMemory() since start or the last resetPeakMemory(). */
export function peakMemory(): f64 {
  return <f64>peak;
}

/** Restarts the peak from the current usage (CONFIG RESETSTAT). */
export function resetPeakMemory(): void {
  peak = used;
}

/** Bytes of linear memory in all (memory.size() * 64 KiB): the engine's RSS. */
export function memoryBytes(): f64 {
  return <f64>memory.size() * 65536;
}

/** Bytes of linear memory the allocator manages (static data excluded). */
export function heapBytes(): f64 {
  if (!ready) init();
  return <f64>(heapEndPage - heapStartPage) * <f64>PAGE_SIZE;
}

/** Bytes of pages holding slabs and large blocks (jemalloc's "active"). */
export function activeBytes(): f64 {
  return <f64>activePages * <f64>PAGE_SIZE;
}

/** Bytes of the allocator's own metadata (page-map leaves, Span records). */
export function metaBytes(): f64 {
  return <f64>metaPages * <f64>PAGE_SIZE;
}

/** Bytes of free pages inside the heap (reusable without growing memory). */
export function freePageBytes(): f64 {
  if (!ready) init();
  return <f64>(heapEndPage - heapStartPage - activePages - metaPages) * <f64>PAGE_SIZE;
}

/**
 * Writes the per-class table into [buf, buf + cap) and returns its length in bytes; when
 * `cap` is too small nothing is written (call again with the returned length). All u32,
 * little-endian:
 *
 *   header (16 bytes): version = 1, nclasses (44), rowBytes (32), pageSize (4096)
 *   then nclasses + 3 rows of 8 u32:
 *     [0] blockSize   [1] pagesPerSlab  [2] blocksPerSlab  [3] spans
 *     [4] pages       [5] blocksUsed    [6] bytesUsed      [7] blocksFree
 *   rows 0..nclasses-1: the small classes (spans = slabs; blocksFree counts free and never
 *     used blocks of those slabs; bytesUsed = blocksUsed * blockSize);
 *   row nclasses:     large blocks (blockSize 0, blocksPerSlab 1, spans = blocks);
 *   row nclasses + 1: free page runs (spans = runs, pages = free pages, [1] = longest run);
 *   row nclasses + 2: metadata pages (spans = pages = metadata pages).
 */
export function classStats(buf: usize, cap: usize): usize {
  const rows = <usize>SMALL_CLASSES + 3;
  const len: usize = 16 + rows * 32;
  if (cap < len) return len;
  if (!ready) init();
  memory.fill(buf, 0, len);
  store<u32>(buf, 1);
  store<u32>(buf, <u32>SMALL_CLASSES, 4);
  store<u32>(buf, 32, 8);
  store<u32>(buf, <u32>PAGE_SIZE, 12);
  const base = buf + 16;
  for (let c: u32 = 0; c < <u32>SMALL_CLASSES; c++) {
    const row = base + (<usize>c << 5);
    const size = <u32>classSize(c);
    const pages = <u32>load<u8>(CLASS_PAGES + c);
    store<u32>(row, size);
    store<u32>(row, pages, 4);
    store<u32>(row, (pages << 12) / size, 8);
  }
  const large = base + (<usize>SMALL_CLASSES << 5);
  const freeRow = large + 32;
  const metaRow = freeRow + 32;
  store<u32>(large, 1, 8);
  let page = heapStartPage;
  while (page < heapEndPage) {
    const e = mapGet(page);
    if (e == META_ENTRY) {
      store<u32>(metaRow, load<u32>(metaRow, 12) + 1, 12);
      store<u32>(metaRow, load<u32>(metaRow, 16) + 1, 16);
      page++;
      continue;
    }
    const s = changetype<Span>(e);
    let row = freeRow;
    if (s.kind == KIND_SMALL) {
      row = base + (<usize>s.cls << 5);
      store<u32>(row, load<u32>(row, 20) + s.used, 20);
      store<u32>(row, load<u32>(row, 24) + <u32>s.size * s.used, 24);
      store<u32>(row, load<u32>(row, 28) + s.cap - s.used, 28);
    } else if (s.kind == KIND_LARGE) {
      row = large;
      store<u32>(row, load<u32>(row, 20) + 1, 20);
      store<u32>(row, load<u32>(row, 24) + <u32>s.size, 24);
    } else if (s.npages > load<u32>(freeRow, 4)) {
      store<u32>(freeRow, s.npages, 4);
    }
    store<u32>(row, load<u32>(row, 12) + 1, 12);
    store<u32>(row, load<u32>(row, 16) + s.npages, 16);
    page += s.npages;
  }
  return len;
}

/**
 * Writes the heap's memory map, in address order, into [buf, buf + cap) and returns its length
 * in bytes; nothing is written when `cap` is too small. One 12-byte record per span (runs of
 * metadata pages are one record):
 *   u32 firstPage (address >> 12), u32 npages, u8 kind (1 free, 2 small, 3 large, 4 metadata),
 *   u8 class (small), u16 blocksUsed (small)
 */
export function spanMap(buf: usize, cap: usize): usize {
  const len = walkMap(0, false);
  if (cap >= len) walkMap(buf, true);
  return len;
}

function walkMap(buf: usize, write: bool): usize {
  if (!ready) init();
  let len: usize = 0;
  let metaRun: usize = 0; // record of the metadata run ending just before `page`, if any
  let page = heapStartPage;
  while (page < heapEndPage) {
    const e = mapGet(page);
    if (e == META_ENTRY) {
      if (metaRun != 0) {
        if (write) store<u32>(buf + metaRun - 1, load<u32>(buf + metaRun - 1, 4) + 1, 4);
      } else {
        if (write) writeRecord(buf + len, page, 1, KIND_META, 0, 0);
        metaRun = len + 1;
        len += 12;
      }
      page++;
      continue;
    }
    metaRun = 0;
    const s = changetype<Span>(e);
    if (write) writeRecord(buf + len, page, s.npages, s.kind, s.cls, s.used);
    len += 12;
    page += s.npages;
  }
  return len;
}

function writeRecord(rec: usize, page: u32, n: u32, kind: u8, cls: u8, blocks: u16): void {
  store<u32>(rec, page);
  store<u32>(rec, n, 4);
  store<u8>(rec, kind, 8);
  store<u8>(rec, cls, 9);
  store<u16>(rec, blocks, 10);
}

// ---- internals for the testkit (assembly/testkit/alloc.ts) -----------------------------------

export function heapFirstPage(): u32 {
  if (!ready) init();
  return heapStartPage;
}

export function heapEndPageIndex(): u32 {
  if (!ready) init();
  return heapEndPage;
}

export function partialHead(cls: u32): usize {
  return load<usize>(PARTIAL + (<usize>cls << 2));
}

export function binHead(b: u32): usize {
  return load<usize>(BINS + (<usize>b << 2));
}

export function binBitmap(): u64 {
  return binmap;
}

export function activePageCount(): u32 {
  return activePages;
}

export function metaPageCount(): u32 {
  return metaPages;
}
