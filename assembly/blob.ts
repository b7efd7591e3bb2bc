// Length-prefixed byte strings embedded inside larger allocations (keys inside keyspace entries,
// small values next to them). The prefix is sized by length, the idea of Redis's sds header types
// reduced to what an embedded, never-growing string needs:
//
//   len < 255:   [len u8][bytes…]
//   len >= 255:  [0xff][len u32][bytes…]
//
// Most keys are short, so most pay one byte. Strings that grow (APPEND, SETRANGE) live out of line
// as sds (sds.ts) instead.

// @ts-ignore: decorator
@inline
export function blobHeaderSize(len: usize): usize {
  return len < 255 ? 1 : 5;
}

// @ts-ignore: decorator
@inline
export function blobSize(len: usize): usize {
  return len + (len < 255 ? 1 : 5);
}

// @ts-ignore: decorator
@inline
export function blobLen(b: usize): usize {
  const l = <usize>load<u8>(b);
  return l < 255 ? l : <usize>load<u32>(b + 1);
}

// @ts-ignore: decorator
@inline
export function blobData(b: usize): usize {
  return b + (load<u8>(b) < 255 ? 1 : 5);
}

/** Writes `len` bytes from `src` as a blob at `dst`; returns the address just past it. */
export function blobWrite(dst: usize, src: usize, len: usize): usize {
  if (len < 255) {
    store<u8>(dst, <u8>len);
    dst += 1;
  } else {
    store<u8>(dst, 0xff);
    store<u32>(dst + 1, <u32>len);
    dst += 5;
  }
  memory.copy(dst, src, len);
  return dst + len;
}

/** The address just past the blob at `b`. */
// @ts-ignore: decorator
@inline
export function blobEnd(b: usize): usize {
  return blobData(b) + blobLen(b);
}
