// The allocator (assembly/alloc.ts) driven from JS through the debug build: sizes and classes,
// accounting, contents under random alloc/free/realloc, page reuse, growth and its limits,
// statistics tables, and the debug build's pointer checks.
import { describe, expect, it } from "vitest";
import { Engine } from "../../host/engine.js";

interface AllocExports {
  memory: WebAssembly.Memory;
  usedMemory(): number;
  memAlloc(size: number): number;
  memTryAlloc(size: number): number;
  memFree(ptr: number): void;
  memRealloc(ptr: number, size: number): number;
  memUsable(ptr: number): number;
  memPeak(): number;
  memResetPeak(): void;
  memRssBytes(): number;
  memHeapBytes(): number;
  memActiveBytes(): number;
  memMetaBytes(): number;
  memFreePageBytes(): number;
  memClassStats(buf: number, cap: number): number;
  memSpanMap(buf: number, cap: number): number;
  allocSizeClass(size: number): number;
  allocClassSize(cls: number): number;
  allocClassPages(cls: number): number;
  allocClassCount(): number;
  allocHeapFirstPage(): number;
  allocHeapEndPage(): number;
  allocCheck(): number;
}

const PAGE = 4096;
const SMALL_MAX = 16384;

function load(): { engine: Engine; x: AllocExports } {
  const engine = Engine.load({ debug: true });
  return { engine, x: engine.x as unknown as AllocExports };
}

/** Size class as specified (independent of the engine's arithmetic). */
function expectedUsable(size: number): number {
  if (size <= 128) return Math.max(8, Math.ceil(size / 8) * 8);
  if (size <= SMALL_MAX) {
    const lg = Math.floor(Math.log2(size - 1));
    const step = 2 ** (lg - 2);
    return Math.ceil(size / step) * step;
  }
  return Math.ceil(size / PAGE) * PAGE;
}

/** Deterministic PRNG (mulberry32) so failures replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills a block with a pattern derived from `tag`; `verify` checks it byte by byte. */
function fill(engine: Engine, ptr: number, len: number, tag: number): void {
  const u8 = engine.u8();
  for (let i = 0; i < len; i++) u8[ptr + i] = (tag * 31 + i * 7) & 0xff;
}

function verify(engine: Engine, ptr: number, len: number, tag: number): boolean {
  const u8 = engine.u8();
  for (let i = 0; i < len; i++) if (u8[ptr + i] !== ((tag * 31 + i * 7) & 0xff)) return false;
  return true;
}

function expectHealthy(x: AllocExports): void {
  expect(x.allocCheck()).toBe(0);
}

interface ClassRow {
  blockSize: number;
  pagesPerSlab: number;
  blocksPerSlab: number;
  spans: number;
  pages: number;
  blocksUsed: number;
  bytesUsed: number;
  blocksFree: number;
}

function readClassStats(engine: Engine, x: AllocExports) {
  const need = x.memClassStats(0, 0);
  const buf = x.memAlloc(need);
  expect(x.memClassStats(buf, need)).toBe(need);
  const bytes = engine.copyOut(buf, need);
  x.memFree(buf);
  const u32 = (i: number) => bytes.readUInt32LE(i * 4);
  const [version, nclasses, rowBytes, pageSize] = [u32(0), u32(1), u32(2), u32(3)];
  expect(version).toBe(1);
  expect(rowBytes).toBe(32);
  expect(pageSize).toBe(PAGE);
  expect(need).toBe(16 + (nclasses + 3) * 32);
  const rows: ClassRow[] = [];
  for (let r = 0; r < nclasses + 3; r++) {
    const w = (k: number) => u32(4 + r * 8 + k);
    rows.push({
      blockSize: w(0), pagesPerSlab: w(1), blocksPerSlab: w(2), spans: w(3),
      pages: w(4), blocksUsed: w(5), bytesUsed: w(6), blocksFree: w(7),
    });
  }
  // The table's own buffer was live while it was written: it is counted in its class.
  return { nclasses, classes: rows.slice(0, nclasses), large: rows[nclasses], free: rows[nclasses + 1], meta: rows[nclasses + 2], statsBuf: need };
}

function readSpanMap(engine: Engine, x: AllocExports) {
  const need = x.memSpanMap(0, 0);
  const cap = need + 4 * 12; // allocating the buffer may add a record or two
  const buf = x.memAlloc(cap);
  const len = x.memSpanMap(buf, cap);
  expect(len).toBeLessThanOrEqual(cap);
  const bytes = engine.copyOut(buf, len);
  x.memFree(buf);
  const spans = [];
  for (let o = 0; o < len; o += 12) {
    spans.push({
      page: bytes.readUInt32LE(o), npages: bytes.readUInt32LE(o + 4),
      kind: bytes[o + 8], cls: bytes[o + 9], used: bytes.readUInt16LE(o + 10),
    });
  }
  return spans;
}

describe("allocator: sizes and accounting", () => {
  it("gives every size its class: 8-byte steps to 128, 4 per doubling to 16K, pages above", () => {
    const { x } = load();
    const classes = new Set<number>();
    for (let size = 0; size <= 40000; size += size < 20000 ? 1 : 97) {
      const p = x.memAlloc(size) >>> 0;
      expect(p).not.toBe(0);
      expect(p % 8).toBe(0);
      const u = x.memUsable(p);
      expect(u).toBeGreaterThanOrEqual(size);
      expect(u).toBe(expectedUsable(size));
      if (size <= SMALL_MAX) {
        expect(x.allocClassSize(x.allocSizeClass(size))).toBe(u);
        classes.add(u);
      } else {
        expect(x.allocSizeClass(size)).toBe(-1);
      }
      x.memFree(p);
    }
    expect(classes.size).toBe(x.allocClassCount());
    expect(x.usedMemory()).toBe(0);
    expectHealthy(x);
  });

  it("returns used memory to the same count after alloc/free", () => {
    const { x } = load();
    const base = x.usedMemory();
    const ptrs: number[] = [];
    let sum = 0;
    for (let i = 0; i < 3000; i++) {
      const size = (i * 37) % 700 + (i % 50 === 0 ? 30000 : 1);
      const p = x.memAlloc(size);
      ptrs.push(p);
      sum += x.memUsable(p);
      expect(x.usedMemory()).toBe(base + sum);
    }
    expectHealthy(x);
    for (const p of ptrs.reverse()) x.memFree(p);
    expect(x.usedMemory()).toBe(base);
    expect(x.memActiveBytes()).toBeLessThanOrEqual(x.allocClassCount() * 7 * PAGE); // at most a spare slab per class
    expectHealthy(x);
  });

  it("ignores free(0) and hands out distinct blocks for size 0", () => {
    const { x } = load();
    x.memFree(0);
    const a = x.memAlloc(0);
    const b = x.memAlloc(0);
    expect(a).not.toBe(0);
    expect(a).not.toBe(b);
    expect(x.memUsable(a)).toBe(8);
    x.memFree(a);
    x.memFree(b);
    expect(x.usedMemory()).toBe(0);
  });

  it("tracks the peak and resets it to current usage", () => {
    const { x } = load();
    const p = x.memAlloc(100000);
    const q = x.memAlloc(100);
    const top = x.usedMemory();
    x.memFree(p);
    expect(x.memPeak()).toBe(top);
    x.memResetPeak();
    expect(x.memPeak()).toBe(x.usedMemory());
    x.memFree(q);
    expect(x.memPeak()).toBe(104);
  });
});

describe("allocator: realloc", () => {
  it("keeps contents while growing through small classes into large blocks and back", () => {
    const { engine, x } = load();
    let p = x.memAlloc(5);
    fill(engine, p, 5, 9);
    let len = 5;
    for (const size of [6, 8, 9, 100, 129, 1000, 5000, 16384, 16385, 50000, 200000, 70000, 20000, 3000, 10]) {
      const before = x.memUsable(p);
      const q = x.memRealloc(p, size);
      expect(verify(engine, q, Math.min(len, size), 9)).toBe(true);
      expect(x.memUsable(q)).toBe(expectedUsable(size));
      if (expectedUsable(size) === before && size <= SMALL_MAX) expect(q).toBe(p); // same class: in place
      p = q;
      len = size;
      fill(engine, p, len, 9);
      expect(x.usedMemory()).toBe(x.memUsable(p));
      expectHealthy(x);
    }
    x.memFree(p);
    expect(x.usedMemory()).toBe(0);
  });

  it("resizes a large block in place: shrinking frees its tail, growing takes the free neighbour", () => {
    const { engine, x } = load();
    const a = x.memAlloc(40 * PAGE);
    const guard = x.memAlloc(PAGE * 5); // keeps a's right neighbour known
    fill(engine, a, 40 * PAGE, 3);
    expect(x.memRealloc(a, 10 * PAGE)).toBe(a);
    expect(x.memUsable(a)).toBe(10 * PAGE);
    expect(verify(engine, a, 10 * PAGE, 3)).toBe(true);
    expectHealthy(x);
    // the 30 freed pages follow a: growing back into them stays in place
    expect(x.memRealloc(a, 35 * PAGE)).toBe(a);
    expect(verify(engine, a, 10 * PAGE, 3)).toBe(true);
    expect(x.memUsable(a)).toBe(35 * PAGE);
    expectHealthy(x);
    // beyond the free neighbour the block moves
    const moved = x.memRealloc(a, 60 * PAGE);
    expect(moved).not.toBe(a);
    expect(verify(engine, moved, 10 * PAGE, 3)).toBe(true);
    x.memFree(moved);
    x.memFree(guard);
    expect(x.usedMemory()).toBe(0);
    expectHealthy(x);
  });

  it("grows the block that ends the heap in place by growing memory", () => {
    const { engine, x } = load();
    // Too big for the initial memory: it lands in fresh memory at the end of the heap (still
    // in the first 4 MiB, so growing further needs no new page-map leaf in the way).
    const a = x.memAlloc(200 * 1024);
    fill(engine, a, 200 * 1024, 4);
    const rss = x.memRssBytes();
    expect(x.memRealloc(a, 400 * 1024)).toBe(a);
    expect(x.memRealloc(a, 1024 * 1024)).toBe(a);
    expect(x.memRssBytes()).toBeGreaterThan(rss);
    expect(verify(engine, a, 200 * 1024, 4)).toBe(true);
    expect(x.usedMemory()).toBe(1024 * 1024);
    expectHealthy(x);
  });
});

describe("allocator: random workloads", () => {
  for (const seed of [1, 2, 3, 42]) {
    it(`keeps every live block intact (seed ${seed})`, () => {
      const { engine, x } = load();
      const rand = rng(seed);
      const live = new Map<number, { len: number; tag: number }>();
      const pick = () => {
        const r = rand();
        if (r < 0.7) return 1 + Math.floor(rand() * 128);
        if (r < 0.93) return 1 + Math.floor(rand() * 2048);
        if (r < 0.99) return 1 + Math.floor(rand() * SMALL_MAX);
        return SMALL_MAX + 1 + Math.floor(rand() * 200000);
      };
      let tag = 0;
      for (let step = 0; step < 6000; step++) {
        const r = rand();
        if (r < 0.55 || live.size === 0) {
          const len = pick();
          const p = x.memAlloc(len);
          expect(live.has(p)).toBe(false);
          tag++;
          fill(engine, p, len, tag);
          live.set(p, { len, tag });
        } else {
          const keys = [...live.keys()];
          const p = keys[Math.floor(rand() * keys.length)];
          const b = live.get(p)!;
          expect(verify(engine, p, b.len, b.tag)).toBe(true);
          live.delete(p);
          if (r < 0.85) {
            x.memFree(p);
          } else {
            const len = pick();
            const q = x.memRealloc(p, len);
            expect(verify(engine, q, Math.min(len, b.len), b.tag)).toBe(true);
            tag++;
            fill(engine, q, len, tag);
            live.set(q, { len, tag });
          }
        }
        if (step % 1000 === 999) {
          expectHealthy(x);
          // no two live blocks overlap, and the accounting adds up
          const blocks = [...live.entries()].map(([p]) => [p, p + x.memUsable(p)]).sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < blocks.length; i++) expect(blocks[i][0]).toBeGreaterThanOrEqual(blocks[i - 1][1]);
          const sum = [...live.keys()].reduce((s, p) => s + x.memUsable(p), 0);
          expect(x.usedMemory()).toBe(sum);
          for (const [p, b] of live) expect(verify(engine, p, b.len, b.tag)).toBe(true);
        }
      }
      for (const [p, b] of live) {
        expect(verify(engine, p, b.len, b.tag)).toBe(true);
        x.memFree(p);
      }
      expect(x.usedMemory()).toBe(0);
      expectHealthy(x);
    });
  }
});

describe("allocator: pages and growth", () => {
  it("gives large blocks whole pages and coalesces their pages when freed", () => {
    const { engine, x } = load();
    // Runs of 64+ pages are cut from the front of the lowest best-fitting free run, and these
    // do not fit in the initial memory, so each lands in fresh memory right after the previous.
    const a = x.memAlloc(64 * PAGE);
    const b = x.memAlloc(70 * PAGE - 100);
    const c = x.memAlloc(80 * PAGE - 4095);
    for (const p of [a, b, c]) expect(p % PAGE).toBe(0);
    expect(x.memUsable(a)).toBe(64 * PAGE);
    expect(x.memUsable(b)).toBe(70 * PAGE);
    expect(x.memUsable(c)).toBe(80 * PAGE);
    expect(b).toBe(a + 64 * PAGE);
    expect(c).toBe(b + 70 * PAGE);
    x.memFree(b);
    x.memFree(a);
    x.memFree(c);
    expectHealthy(x); // includes "no two free spans side by side"
    const big = x.memAlloc(214 * PAGE);
    expect(big).toBe(a); // the three runs became one
    x.memFree(big);
    const spans = readSpanMap(engine, x);
    // the map covers the heap exactly, in order
    let page = x.allocHeapFirstPage();
    for (const s of spans) {
      expect(s.page).toBe(page);
      page += s.npages;
    }
    expect(page).toBe(x.allocHeapEndPage());
    expect((x.allocHeapEndPage() - x.allocHeapFirstPage()) * PAGE).toBe(x.memHeapBytes());
  });

  it("grows linear memory as needed and accounts for it", () => {
    const { engine, x } = load();
    const rss0 = x.memRssBytes();
    expect(rss0).toBe(engine.x.memory.buffer.byteLength);
    const ptrs = [];
    for (let i = 0; i < 200; i++) ptrs.push(x.memAlloc(64 * 1024));
    ptrs.push(x.memAlloc(3 << 20));
    const rss1 = x.memRssBytes();
    expect(rss1).toBeGreaterThanOrEqual(rss0 + 200 * 64 * 1024 + (3 << 20));
    expect(rss1).toBe(engine.x.memory.buffer.byteLength);
    // heap = active + metadata + free pages
    expect(x.memActiveBytes() + x.memMetaBytes() + x.memFreePageBytes()).toBe(x.memHeapBytes());
    expect(x.memActiveBytes()).toBeGreaterThanOrEqual(x.usedMemory());
    expect(x.memMetaBytes()).toBeLessThan(x.memHeapBytes() / 50);
    fill(engine, ptrs[ptrs.length - 1], 3 << 20, 7);
    expect(verify(engine, ptrs[ptrs.length - 1], 3 << 20, 7)).toBe(true);
    for (const p of ptrs) x.memFree(p);
    expect(x.usedMemory()).toBe(0);
    expectHealthy(x);
  });

  it("does not grow memory when a filled and emptied heap is filled again", () => {
    const { x } = load();
    const cycle = (count: number, sizeOf: (i: number) => number) => {
      const ptrs = [];
      for (let i = 0; i < count; i++) ptrs.push(x.memAlloc(sizeOf(i)));
      for (let i = 0; i < 40; i++) ptrs.push(x.memAlloc(20000 + i * 3000));
      // delete in an interleaved order so the pages come back fragmented before coalescing
      for (let i = 0; i < ptrs.length; i += 2) x.memFree(ptrs[i]);
      for (let i = 1; i < ptrs.length; i += 2) x.memFree(ptrs[i]);
      expect(x.usedMemory()).toBe(0);
      expectHealthy(x);
    };
    cycle(30000, (i) => 8 + (i % 120)); // ~2 MB of small blocks
    const rss = x.memRssBytes();
    cycle(30000, (i) => 8 + (i % 120));
    expect(x.memRssBytes()).toBe(rss);
    // other classes, no more bytes in all, reuse the same pages: emptied slabs went back
    cycle(8000, (i) => 130 + ((i * 7) % 100));
    cycle(25000, (i) => 24 + ((i * 13) % 90));
    expect(x.memRssBytes()).toBe(rss);
  });

  it("refuses absurd sizes cleanly with tryAlloc and traps with alloc", () => {
    const { x } = load();
    const keep = x.memAlloc(100);
    const used = x.usedMemory();
    const rss = x.memRssBytes();
    for (const size of [0xffffffff, 0xfffffff8, 0xfffff001, 0xffff0001, 0xffff0000, 0xfffe0000]) {
      expect(x.memTryAlloc(size | 0)).toBe(0);
    }
    expect(() => x.memAlloc(0xfffffff0 | 0)).toThrow(/out of memory/);
    expect(x.usedMemory()).toBe(used);
    expect(x.memRssBytes()).toBe(rss);
    expectHealthy(x);
    // still usable afterwards
    const p = x.memTryAlloc(40000);
    expect(p).not.toBe(0);
    x.memFree(p);
    x.memFree(keep);
    expect(x.usedMemory()).toBe(0);
  });
});

describe("allocator: statistics", () => {
  it("per-class table agrees with what was allocated", () => {
    const { engine, x } = load();
    const want = new Map<number, number>([[8, 1000], [24, 777], [48, 3], [160, 300], [3584, 17], [16384, 5]]);
    const ptrs: number[] = [];
    for (const [size, n] of want) for (let i = 0; i < n; i++) ptrs.push(x.memAlloc(size));
    const larges = [x.memAlloc(20000), x.memAlloc(100000)];
    const st = readClassStats(engine, x);
    expect(st.nclasses).toBe(x.allocClassCount());
    let bytes = 0;
    for (let c = 0; c < st.nclasses; c++) {
      const row = st.classes[c];
      expect(row.blockSize).toBe(x.allocClassSize(c));
      expect(row.pagesPerSlab).toBe(x.allocClassPages(c));
      expect(row.blocksPerSlab).toBe(Math.floor((row.pagesPerSlab * PAGE) / row.blockSize));
      // slack per slab under 1/64 when the class allows it
      expect(row.spans * row.blocksPerSlab).toBe(row.blocksUsed + row.blocksFree);
      expect(row.pages).toBe(row.spans * row.pagesPerSlab);
      expect(row.bytesUsed).toBe(row.blocksUsed * row.blockSize);
      // the stats buffer itself was live while the table was written
      const extra = row.blockSize === expectedUsable(st.statsBuf) ? 1 : 0;
      expect(row.blocksUsed).toBe((want.get(row.blockSize) ?? 0) + extra);
      bytes += row.bytesUsed;
    }
    expect(st.classes.find((r) => r.blockSize === 8)!.spans).toBe(2); // 512 blocks per page
    expect(st.large.spans).toBe(2);
    expect(st.large.bytesUsed).toBe(5 * PAGE + 25 * PAGE);
    bytes += st.large.bytesUsed;
    expect(bytes).toBe(x.usedMemory() + expectedUsable(st.statsBuf));
    const pages = st.classes.reduce((s, r) => s + r.pages, 0) + st.large.pages + st.free.pages + st.meta.pages;
    expect(pages * PAGE).toBe(x.memHeapBytes());
    expect(st.meta.pages * PAGE).toBe(x.memMetaBytes());
    for (const p of [...ptrs, ...larges]) x.memFree(p);
    const after = readClassStats(engine, x);
    expect(after.classes.reduce((s, r) => s + r.blocksUsed, 0)).toBe(1); // only the stats buffer
    expect(after.large.spans).toBe(0);
  });

  it("class table writes nothing when the buffer is too small", () => {
    const { engine, x } = load();
    const need = x.memClassStats(0, 0);
    const buf = x.memAlloc(need);
    engine.u8().fill(0x5a, buf, buf + need);
    expect(x.memClassStats(buf, need - 1)).toBe(need);
    expect(engine.u8()[buf]).toBe(0x5a);
    x.memFree(buf);
  });
});

describe("allocator: debug checks", () => {
  it("traps on double free of a small block", () => {
    const { x } = load();
    const p = x.memAlloc(32);
    x.memAlloc(32); // keeps the slab alive
    x.memFree(p);
    expect(() => x.memFree(p)).toThrow(/double free/);
  });

  it("traps on double free of a large block and of a block whose slab was given back", () => {
    const { x } = load();
    const p = x.memAlloc(50000);
    x.memFree(p);
    expect(() => x.memFree(p)).toThrow(/wedis alloc/);
    const y = load().x;
    // class 1024: four blocks per one-page slab; the fifth opens a second slab
    const blocks = [0, 1, 2, 3, 4].map(() => y.memAlloc(1000));
    for (const b of blocks.slice(0, 4)) y.memFree(b); // first slab empties and is given back
    expect(y.allocCheck()).toBe(0);
    expect(() => y.memFree(blocks[0])).toThrow(/wedis alloc/);
  });

  it("traps on foreign and interior pointers", () => {
    const { x } = load();
    const p = x.memAlloc(64);
    const q = x.memAlloc(100000);
    expect(() => x.memFree(p + 8)).toThrow(/inside a block/);
    expect(() => x.memFree(q + PAGE)).toThrow(/wedis alloc/);
    expect(() => x.memFree(16)).toThrow(/outside the heap/);
    expect(() => x.memUsable(p + 64 * 10)).toThrow(/never allocated/);
    expect(x.memUsable(p)).toBe(64); // nothing was damaged
  });
});
