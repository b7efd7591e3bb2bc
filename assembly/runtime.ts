// A custom AssemblyScript runtime: the compiler's own allocation hooks (__alloc, __new, ...)
// go through our counting allocator, so even a stray managed object shows up in used_memory.
// There is no garbage collector: the engine keeps its data in raw memory and must not rely
// on managed objects being reclaimed.
import { OBJECT, OBJECT_OVERHEAD, BLOCK_OVERHEAD } from "rt/common";
import { alloc, free, realloc, usable } from "./alloc";

// Managed objects carry AssemblyScript's 20-byte header (BLOCK mmInfo + OBJECT fields) so that
// builtins such as String#length, which read rtSize at ptr-4, keep working. The allocator's
// blocks are 8-byte aligned; the runtime's block starts SLACK bytes in, so that mmInfo sits at
// block+4 and both the runtime pointer and the object payload (16 bytes further) stay 8-aligned.

// @ts-ignore: decorator
@inline const SLACK: usize = 8;

// @ts-ignore: decorator
@unsafe @global
export function __alloc(size: usize): usize {
  return alloc(size + SLACK) + SLACK;
}

// @ts-ignore: decorator
@unsafe @global
export function __realloc(ptr: usize, size: usize): usize {
  return realloc(ptr - SLACK, size + SLACK) + SLACK;
}

// @ts-ignore: decorator
@unsafe @global
export function __free(ptr: usize): void {
  free(ptr - SLACK);
}

// @ts-ignore: decorator
@unsafe @global
export function __new(size: usize, id: u32): usize {
  const ptr = __alloc(OBJECT_OVERHEAD + size);
  const object = changetype<OBJECT>(ptr - BLOCK_OVERHEAD);
  object.mmInfo = <u32>(usable(ptr - SLACK) - SLACK);
  object.gcInfo = 0;
  object.gcInfo2 = 0;
  object.rtId = id;
  object.rtSize = <u32>size;
  // Builtins (Array, typed arrays) expect a new object's payload zeroed, as the stock runtime does.
  memory.fill(ptr + OBJECT_OVERHEAD, 0, size);
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
export function __renew(oldPtr: usize, size: usize): usize {
  const ptr = __realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  changetype<OBJECT>(ptr - BLOCK_OVERHEAD).rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
export function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {}
