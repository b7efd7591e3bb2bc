// A small fast PRNG (xorshift64*) for sampling: RANDOMKEY, eviction and active-expiry samples,
// SRANDMEMBER later. Not for anything that needs to be unpredictable to an attacker.

let state: u64 = 0x853c49e6748fea9b;

export function seedRandom(s: u64): void {
  state = s == 0 ? 0x853c49e6748fea9b : s;
}

export function randomU64(): u64 {
  let x = state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  state = x;
  return x * 0x2545f4914f6cdd1d;
}

/** Uniform in [0, n); n > 0. */
export function randomBelow(n: u32): u32 {
  return <u32>((randomU64() >> 32) * <u64>n >> 32);
}
