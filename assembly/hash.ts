// Hashing of key bytes for the hash tables. A seeded 32-bit MurmurHash3-style mix: fast on short
// keys (keys are mostly 5–40 bytes) and seeded at start-up so hash values are not predictable by clients.

let seed: u32 = 0x9747b28c;

export function setHashSeed(s: u32): void {
  seed = s;
}

// @ts-ignore: decorator
@inline
function mix(h: u32, k: u32): u32 {
  k *= 0xcc9e2d51;
  k = rotl<u32>(k, 15);
  k *= 0x1b873593;
  h ^= k;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}

/** Hash of `len` bytes at `p`. */
export function hashBytes(p: usize, len: usize): u32 {
  let h = seed ^ <u32>len;
  let i: usize = 0;
  const end4 = len & ~(<usize>3);
  for (; i < end4; i += 4) h = mix(h, load<u32>(p + i));
  let k: u32 = 0;
  const rest = len & 3;
  if (rest >= 3) k ^= <u32>load<u8>(p + i + 2) << 16;
  if (rest >= 2) k ^= <u32>load<u8>(p + i + 1) << 8;
  if (rest >= 1) {
    k ^= <u32>load<u8>(p + i);
    k *= 0xcc9e2d51;
    k = rotl<u32>(k, 15);
    k *= 0x1b873593;
    h ^= k;
  }
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}
