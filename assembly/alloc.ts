// PLACEHOLDER allocator (bump, never frees) with the final API. To be replaced by the
// size-class allocator; every other engine file talks only to these functions.

let top: usize = 0;
let used: usize = 0;

/** Allocates `size` bytes, 8-byte aligned. Traps when memory cannot grow. */
export function alloc(size: usize): usize {
  if (top == 0) top = (__heap_base + 15) & ~15;
  const n = (size + 7) & ~7;
  const p = top + 8;
  top = p + n;
  used += n;
  const need = <i32>((top + 0xffff) >>> 16) - memory.size();
  if (need > 0 && memory.grow(need) < 0) unreachable();
  store<u32>(p - 4, <u32>n);
  return p;
}

/** Returns a block to the allocator. `ptr` 0 is ignored. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  used -= load<u32>(ptr - 4);
}

/** Resizes a block, moving it if needed; contents up to min(old, new) are kept. */
export function realloc(ptr: usize, size: usize): usize {
  if (ptr == 0) return alloc(size);
  const old = usable(ptr);
  if (size <= old) return ptr;
  const p = alloc(size);
  memory.copy(p, ptr, old);
  free(ptr);
  return p;
}

/** Bytes actually reserved for the block at `ptr` (its size class). */
export function usable(ptr: usize): usize {
  return load<u32>(ptr - 4);
}

/** Bytes handed out and not yet freed: what INFO reports as used_memory. */
export function usedMemory(): usize {
  return used;
}
