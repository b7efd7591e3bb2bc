// Exact conversions between decimal text and binary floating point, for two formats:
// IEEE f64 (53-bit significand) and the x87 80-bit long double (64-bit significand).
//
// Why the long double: Redis's INCRBYFLOAT and HINCRBYFLOAT parse both operands with strtold(),
// add them in long double and print the sum with "%.17Lf" before trimming zeros. What a user sees
// therefore depends on 64-bit-significand rounding: `0.2 + 0.1` is "0.3" (in f64 it would show as
// 0.30000000000000004), `5000 + 10.8` is "5010.79999999999999982", and 1e4000 is a valid value.
// WebAssembly has no long double, so we carry one in software: a u64 significand, a binary
// exponent and a sign, rounded to nearest-even at every step exactly like the x87 unit does.
// Doubles (`%.17g` replies, strtod) go through the same code with a 53-bit significand.
//
// Both directions are exact, which needs integers bigger than 64 bits: a value m * 2^e prints as
// decimal by scaling with powers of two and ten, and text D * 10^E becomes binary by dividing by
// 5^-E. A small bignum (u32 limbs in static scratch space, never allocated) does that work. Its
// worst cases are bounded by the formats: long double exponents reach 2^±16445 and Redis never
// parses more than 5119 characters for a long double; the double parser keeps at most 800
// significant digits plus a "something nonzero follows" digit, which cannot change the rounding
// (every halfway point between doubles has fewer significant digits than that).
//
// Rounding of decimal output follows glibc's printf: the exact binary value is rounded, ties to
// even (so "%.0f" of 2.5 is "2").

// ---- bignum over static scratch ----------------------------------------------------------------
// Layout: [used limbs u32][limb 0 (least significant) u32]...; no leading zero limbs.

const LIMBS: i32 = 1152; // 36864 bits: covers 5^10070 * 2^66 (the largest division operand)

const BN_A: usize = memory.data((LIMBS + 1) << 2, 8);
const BN_B: usize = memory.data((LIMBS + 1) << 2, 8);

// @ts-ignore: decorator
@inline
function bnLen(a: usize): i32 {
  return load<i32>(a);
}

// @ts-ignore: decorator
@inline
function limb(a: usize, i: i32): u32 {
  return load<u32>(a + 4 + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function setLimb(a: usize, i: i32, v: u32): void {
  store<u32>(a + 4 + (<usize>i << 2), v);
}

function bnTrim(a: usize, n: i32): void {
  while (n > 0 && limb(a, n - 1) == 0) n--;
  store<i32>(a, n);
}

function bnSetU64(a: usize, v: u64): void {
  setLimb(a, 0, <u32>v);
  setLimb(a, 1, <u32>(v >> 32));
  bnTrim(a, 2);
}

function bnMulAdd(a: usize, k: u32, add: u32): void {
  const n = bnLen(a);
  let carry: u64 = add;
  for (let i = 0; i < n; i++) {
    const t = <u64>limb(a, i) * <u64>k + carry;
    setLimb(a, i, <u32>t);
    carry = t >> 32;
  }
  if (carry != 0) {
    assert(n < LIMBS);
    setLimb(a, n, <u32>carry);
    store<i32>(a, n + 1);
  }
}

function bnMulPow5(a: usize, n: i32): void {
  while (n >= 13) {
    bnMulAdd(a, 1220703125, 0); // 5^13, the largest power of 5 below 2^32
    n -= 13;
  }
  let k: u32 = 1;
  while (n-- > 0) k *= 5;
  if (k != 1) bnMulAdd(a, k, 0);
}

function bnShl(a: usize, bits: i32): void {
  const n = bnLen(a);
  if (n == 0 || bits == 0) return;
  const w = bits >> 5;
  const b = bits & 31;
  assert(n + w + 1 <= LIMBS);
  if (b == 0) {
    for (let i = n - 1; i >= 0; i--) setLimb(a, i + w, limb(a, i));
    store<i32>(a, n + w);
  } else {
    setLimb(a, n + w, limb(a, n - 1) >> (32 - b));
    for (let i = n - 1; i > 0; i--) setLimb(a, i + w, (limb(a, i) << b) | (limb(a, i - 1) >> (32 - b)));
    setLimb(a, w, limb(a, 0) << b);
    bnTrim(a, n + w + 1);
  }
  for (let i = 0; i < w; i++) setLimb(a, i, 0);
}

function bnBitLen(a: usize): i32 {
  const n = bnLen(a);
  if (n == 0) return 0;
  return (n << 5) - <i32>clz<u32>(limb(a, n - 1));
}

function bnCmp(a: usize, b: usize): i32 {
  const n = bnLen(a);
  const m = bnLen(b);
  if (n != m) return n < m ? -1 : 1;
  for (let i = n - 1; i >= 0; i--) {
    const x = limb(a, i);
    const y = limb(b, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a -= b, with a >= b. */
function bnSub(a: usize, b: usize): void {
  const n = bnLen(a);
  const m = bnLen(b);
  let borrow: i64 = 0;
  for (let i = 0; i < n; i++) {
    const t = <i64>limb(a, i) - <i64>(i < m ? limb(b, i) : 0) - borrow;
    setLimb(a, i, <u32>t);
    borrow = t < 0 ? 1 : 0;
  }
  bnTrim(a, n);
}

/** a /= d, returns the remainder. */
function bnDivSmall(a: usize, d: u32): u32 {
  let rem: u64 = 0;
  const n = bnLen(a);
  for (let i = n - 1; i >= 0; i--) {
    const cur = (rem << 32) | <u64>limb(a, i);
    setLimb(a, i, <u32>(cur / d));
    rem = cur % d;
  }
  bnTrim(a, n);
  return <u32>rem;
}

/** `count` (<= 64) bits of `a` starting at bit `from`. */
function bnBits(a: usize, from: i32, count: i32): u64 {
  let r: u64 = 0;
  const n = bnLen(a);
  // Three limbs cover any 64-bit window; gather them and shift.
  const w = from >> 5;
  const b = from & 31;
  let lo: u64 = 0;
  let hi: u64 = 0;
  if (w < n) lo = limb(a, w);
  if (w + 1 < n) lo |= <u64>limb(a, w + 1) << 32;
  if (w + 2 < n) hi = limb(a, w + 2);
  r = b == 0 ? lo : (lo >> b) | (hi << (64 - b));
  return count >= 64 ? r : r & ((<u64>1 << count) - 1);
}

/** Is any bit below position `pos` set? */
function bnAnyBelow(a: usize, pos: i32): bool {
  if (pos <= 0) return false;
  const n = bnLen(a);
  const w = pos >> 5;
  for (let i = 0; i < w && i < n; i++) if (limb(a, i) != 0) return true;
  const b = pos & 31;
  if (b != 0 && w < n && (limb(a, w) & ((<u32>1 << b) - 1)) != 0) return true;
  return false;
}

/** Keeps only the low `k` bits of `a`. */
function bnTruncate(a: usize, k: i32): void {
  const w = k >> 5;
  const b = k & 31;
  const n = bnLen(a);
  if (w >= n) return;
  if (b != 0) {
    setLimb(a, w, limb(a, w) & ((<u32>1 << b) - 1));
    bnTrim(a, w + 1);
  } else {
    bnTrim(a, w);
  }
}

// ---- binary formats ----------------------------------------------------------------------------
// A finite value is m * 2^e (m < 2^P). Limits are on e, the exponent of m's lowest bit.

export const F64_P: i32 = 53;
export const F64_EMIN: i32 = -1074; // lowest bit of the smallest subnormal
export const F64_EMAX: i32 = 971; // (2^53 - 1) * 2^971 is DBL_MAX
export const LD_P: i32 = 64;
export const LD_EMIN: i32 = -16445;
export const LD_EMAX: i32 = 16320; // (2^64 - 1) * 2^16320 is LDBL_MAX

// Result of the last parse/round: value = (-1)^neg * m * 2^e, or infinity when `inf`.
export let resM: u64 = 0;
export let resE: i32 = 0;
export let resNeg: bool = false;
export let resInf: bool = false;

/**
 * Rounds m * 2^e (m has exactly `p` significant bits, followed by `rbit` and a sticky `sticky`)
 * to nearest-even in the format (p, emin, emax). Writes resM/resE. Returns false on overflow.
 */
function roundTo(m: u64, e: i32, rbit: bool, sticky: bool, p: i32, emin: i32, emax: i32): bool {
  if (e < emin) {
    // Subnormal: fewer bits fit. The bits shifted out become the new round and sticky bits,
    // still from the exact value, so this is one rounding, not two.
    const sh = emin - e;
    sticky = sticky || rbit;
    if (sh > 64) {
      sticky = sticky || m != 0;
      rbit = false;
      m = 0;
    } else {
      rbit = ((m >> (sh - 1)) & 1) != 0;
      if (sh >= 2) sticky = sticky || (m & ((<u64>1 << (sh - 1)) - 1)) != 0;
      m = sh == 64 ? 0 : m >> sh;
    }
    e = emin;
  }
  if (rbit && (sticky || (m & 1) != 0)) {
    m++;
    if (p == 64 ? m == 0 : m == <u64>1 << p) {
      m = <u64>1 << (p - 1);
      e++;
    }
  }
  resM = m;
  resE = e;
  return e <= emax;
}

/** Rounds a nonzero bignum N * 2^e2 to the format; false on overflow. */
function roundBig(n: usize, e2: i32, p: i32, emin: i32, emax: i32): bool {
  const len = bnBitLen(n);
  if (len <= p) return roundTo(bnBits(n, 0, 64) << (p - len), e2 - (p - len), false, false, p, emin, emax);
  const sh = len - p;
  return roundTo(bnBits(n, sh, p), e2 + sh, bnBits(n, sh - 1, 1) != 0, bnAnyBelow(n, sh - 1), p, emin, emax);
}

/**
 * D * 5^e5 * 2^e2 to the format (D in BN_A, nonzero). For e5 < 0 this is a long division by 5^-e5
 * that produces p+1 quotient bits (the last is the round bit) and a remainder for the sticky bit.
 */
function scaleAndRound(e5: i32, e2: i32, p: i32, emin: i32, emax: i32): bool {
  const a = BN_A;
  if (e5 >= 0) {
    bnMulPow5(a, e5);
    return roundBig(a, e2, p, emin, emax);
  }
  const t = BN_B;
  bnSetU64(t, 1);
  bnMulPow5(t, -e5);
  // Choose b so that a * 2^b / (5^k * 2^p) lands in [1, 2).
  let b = p + bnBitLen(t) - bnBitLen(a);
  if (b >= 0) {
    bnShl(a, b);
    bnShl(t, p);
  } else {
    bnShl(t, p - b);
  }
  if (bnCmp(a, t) < 0) {
    bnShl(a, 1);
    b++;
  }
  let m: u64 = 0;
  let rbit = false;
  for (let i = 0; i <= p; i++) {
    const bit = bnCmp(a, t) >= 0;
    if (bit) bnSub(a, t);
    if (i < p) {
      m = (m << 1) | (bit ? 1 : 0);
      bnShl(a, 1);
    } else {
      rbit = bit;
    }
  }
  return roundTo(m, e2 - b + 1, rbit, bnLen(a) != 0, p, emin, emax);
}

// @ts-ignore: decorator
@inline
function isDigit(c: u32): bool {
  return c - 48 < 10;
}

function hexVal(c: u32): i32 {
  if (c - 48 < 10) return <i32>(c - 48);
  const l = c | 32;
  if (l - 97 < 6) return <i32>(l - 87);
  return -1;
}

/** Does [p, p+n) equal the lower-case ASCII `word`, ignoring case? */
function eqNoCase(p: usize, n: usize, word: string): bool {
  if (n != <usize>word.length) return false;
  for (let i: usize = 0; i < n; i++) {
    if ((<u32>load<u8>(p + i) | 32) != <u32>word.charCodeAt(<i32>i)) return false;
  }
  return true;
}

const EXP_CLAMP: i32 = 10000000;

/**
 * Parses the whole of [ptr, ptr+len) as strtod/strtold would, into the format (p, emin, emax).
 * Accepts what those functions accept when they consume every byte: optional sign, decimal with
 * optional fraction and exponent, hex floats (0x1.8p3), "inf"/"infinity" in any case. Rejects
 * anything else, including spaces and NaN, and (like Redis's checks of errno) results that
 * overflow or that underflow to zero from a nonzero input. Result in resM/resE/resNeg/resInf.
 */
export function parseDecimalText(ptr: usize, len: usize, p: i32, emin: i32, emax: i32, maxDigits: i32): bool {
  resInf = false;
  resM = 0;
  resE = 0;
  resNeg = false;
  if (len == 0) return false;
  let i: usize = 0;
  let c = <u32>load<u8>(ptr);
  if (c == 45 || c == 43) {
    resNeg = c == 45;
    i++;
  }
  if (i == len) return false;
  if (eqNoCase(ptr + i, len - i, "inf") || eqNoCase(ptr + i, len - i, "infinity")) {
    resInf = true;
    return true;
  }
  const a = BN_A;
  store<i32>(a, 0);
  let hex = false;
  if (len - i > 2 && load<u8>(ptr + i) == 48 && (<u32>load<u8>(ptr + i + 1) | 32) == 120) {
    // "0x" counts as hex only when a hex digit follows (possibly after the point); strtod would
    // otherwise read just the "0" and leave "x..." unparsed, which we reject anyway.
    const q = ptr + i + 2;
    const d0 = hexVal(<u32>load<u8>(q));
    hex = d0 >= 0 || (len - i > 3 && load<u8>(q) == 46 && hexVal(<u32>load<u8>(q + 1)) >= 0);
    if (hex) i += 2;
  }
  const base: u32 = hex ? 16 : 10;
  const chunkLimit: u32 = hex ? 7 : 9; // digits per u32 chunk
  if (hex) maxDigits = 40; // 160 bits: far more than a round bit and a sticky bit need
  let chunk: u32 = 0;
  let chunkMul: u32 = 1;
  let chunkDigits: u32 = 0;
  let nd: i32 = 0; // significant digits kept
  let scale: i32 = 0; // value = D * base^scale before the exponent part
  let sticky = false;
  let any = false;
  let seenPoint = false;
  while (i < len) {
    c = <u32>load<u8>(ptr + i);
    let d: i32;
    if (c == 46 && !seenPoint) {
      seenPoint = true;
      i++;
      continue;
    }
    d = hex ? hexVal(c) : isDigit(c) ? <i32>(c - 48) : -1;
    if (d < 0) break;
    any = true;
    i++;
    if (nd == 0 && d == 0) {
      if (seenPoint) scale--; // leading zeros only move the point
      continue;
    }
    if (nd < maxDigits) {
      chunk = chunk * base + <u32>d;
      chunkMul *= base;
      if (++chunkDigits == chunkLimit) {
        bnMulAdd(a, chunkMul, chunk);
        chunk = 0;
        chunkMul = 1;
        chunkDigits = 0;
      }
      nd++;
      if (seenPoint) scale--;
    } else {
      if (d != 0) sticky = true;
      if (!seenPoint) scale++;
    }
  }
  if (!any) return false;
  if (chunkDigits != 0) bnMulAdd(a, chunkMul, chunk);
  if (sticky) {
    // Stands for the dropped nonzero tail: strictly between the kept digits and the next value.
    bnMulAdd(a, base, 1);
    nd++;
    scale--;
  }
  // Exponent: e/E (decimal) or p/P (hex, a power of two), decimal digits with optional sign.
  let ex: i32 = 0;
  if (i < len && (<u32>load<u8>(ptr + i) | 32) == (hex ? 112 : 101)) {
    let j = i + 1;
    let eneg = false;
    if (j < len && (load<u8>(ptr + j) == 45 || load<u8>(ptr + j) == 43)) {
      eneg = load<u8>(ptr + j) == 45;
      j++;
    }
    if (j >= len || !isDigit(<u32>load<u8>(ptr + j))) return false;
    while (j < len && isDigit(<u32>load<u8>(ptr + j))) {
      if (ex < EXP_CLAMP) ex = ex * 10 + <i32>(load<u8>(ptr + j) - 48);
      j++;
    }
    if (eneg) ex = -ex;
    i = j;
  }
  if (i != len) return false;
  if (bnLen(a) == 0) return true; // an exact zero is fine, whatever its exponent
  if (hex) {
    const e2 = scale * 4 + ex;
    const bl = bnBitLen(a);
    if (bl - 1 + e2 >= emax + p) return false; // >= 2^(emax+p): overflow
    if (bl + e2 < emin - 1) return false; // below a quarter of the smallest subnormal: zero
    return scaleAndRound(0, e2, p, emin, emax) && resM != 0;
  }
  const e10 = scale + ex;
  // 10^(nd+e10-1) <= value < 10^(nd+e10): settle the hopeless cases before any big arithmetic.
  const mag = nd + e10;
  const maxDec: i32 = p == LD_P ? 4933 : 309; // 10^maxDec exceeds the largest finite value
  const minDec: i32 = p == LD_P ? -4951 : -324; // 10^minDec is below half the smallest subnormal
  if (mag - 1 >= maxDec) return false;
  if (mag <= minDec) return false;
  return scaleAndRound(e10, e10, p, emin, emax) && resM != 0;
}

// ---- decimal digits ----------------------------------------------------------------------------

const DIGITS_CAP: usize = 5376;
/** Digit scratch: ASCII digits produced by fixedDigits/sigDigits. */
export const DG: usize = memory.data(<i32>DIGITS_CAP, 8);

/** Writes the integer part of m * 2^e at DG; returns the digit count (0 when it is zero). */
function intDigits(m: u64, e: i32): i32 {
  if (e < 0 || (e < 64 && <i32>clz<u64>(m) >= e)) {
    // Fits in 64 bits: plain division.
    let v = e < 0 ? (-e >= 64 ? <u64>0 : m >> <u64>(-e)) : m << <u64>e;
    if (v == 0) return 0;
    let n = 0;
    let t = v;
    while (t != 0) {
      t /= 10;
      n++;
    }
    let q = DG + <usize>n;
    while (v != 0) {
      q--;
      store<u8>(q, <u8>(48 + <u32>(v % 10)));
      v /= 10;
    }
    return n;
  }
  const a = BN_A;
  bnSetU64(a, m);
  bnShl(a, e);
  // Nine digits per division, written backwards from the end of the scratch, then moved down.
  let q = DG + DIGITS_CAP;
  while (bnLen(a) != 0) {
    let r = bnDivSmall(a, 1000000000);
    for (let k = 0; k < 9; k++) {
      q--;
      store<u8>(q, <u8>(48 + r % 10));
      r /= 10;
    }
  }
  while (q < DG + DIGITS_CAP && load<u8>(q) == 48) q++;
  const n = <i32>(DG + DIGITS_CAP - q);
  memory.copy(DG, q, <usize>n);
  return n;
}

/** Prepares BN_A as the fraction of m * 2^e, scaled to an integer of k = -e bits. */
function fracStart(m: u64, e: i32): i32 {
  const k = -e;
  bnSetU64(BN_A, m);
  bnTruncate(BN_A, k);
  return k;
}

/** Next fraction digit (fracStart first). */
// @ts-ignore: decorator
@inline
function fracNext(k: i32): u32 {
  bnMulAdd(BN_A, 10, 0);
  const d = <u32>bnBits(BN_A, k, 4);
  bnTruncate(BN_A, k);
  return d;
}

/** Adds one unit at the last of DG[0, n); returns 1 if the carry made a new leading digit. */
function roundUp(n: i32): i32 {
  let i = n - 1;
  while (i >= 0 && load<u8>(DG + <usize>i) == 57) {
    store<u8>(DG + <usize>i, 48);
    i--;
  }
  if (i >= 0) {
    store<u8>(DG + <usize>i, load<u8>(DG + <usize>i) + 1);
    return 0;
  }
  memory.copy(DG + 1, DG, <usize>n);
  store<u8>(DG, 49);
  return 1;
}

// @ts-ignore: decorator
@inline
function needsUp(next: u32, sticky: bool, last: u32): bool {
  return next > 5 || (next == 5 && (sticky || (last & 1) != 0));
}

/**
 * "%.{frac}f" digits of m * 2^e without sign or point: DG holds the integer digits (at least one)
 * followed by exactly `frac` fraction digits. Returns the number of integer digits.
 */
export function fixedDigits(m: u64, e: i32, frac: i32): i32 {
  let ni = m == 0 ? 0 : intDigits(m, e);
  if (ni == 0) {
    store<u8>(DG, 48);
    ni = 1;
  }
  let next: u32 = 0;
  let sticky = false;
  if (e >= 0 || m == 0) {
    memory.fill(DG + <usize>ni, 48, <usize>frac);
  } else {
    const k = fracStart(m, e);
    for (let i = 0; i < frac; i++) store<u8>(DG + <usize>(ni + i), <u8>(48 + fracNext(k)));
    next = fracNext(k);
    sticky = bnLen(BN_A) != 0;
  }
  const total = ni + frac;
  if (needsUp(next, sticky, <u32>load<u8>(DG + <usize>(total - 1)))) ni += roundUp(total);
  return ni;
}

/** Decimal exponent of the first digit left by sigDigits: value = 0.d1d2... * 10^(sigExp+1). */
export let sigExp: i32 = 0;

/**
 * The first `prec` significant digits of m * 2^e (m != 0), rounded, at DG; the decimal exponent
 * of the first digit in sigExp.
 */
export function sigDigits(m: u64, e: i32, prec: i32): void {
  const ni = intDigits(m, e);
  let have = ni < prec + 1 ? ni : prec + 1;
  let x = ni - 1;
  let sticky = false;
  for (let i = prec + 1; i < ni; i++) if (load<u8>(DG + <usize>i) != 48) sticky = true;
  if (e < 0) {
    const k = fracStart(m, e);
    if (ni == 0) {
      // Skip the zeros between the point and the first significant digit.
      let d = fracNext(k);
      x = -1;
      while (d == 0) {
        d = fracNext(k);
        x--;
      }
      store<u8>(DG, <u8>(48 + d));
      have = 1;
    }
    while (have < prec + 1) {
      store<u8>(DG + <usize>have, <u8>(48 + fracNext(k)));
      have++;
    }
    if (bnLen(BN_A) != 0) sticky = true;
  }
  // Short integers have fewer digits than asked for: pad (no rounding needed then).
  while (have < prec + 1) {
    store<u8>(DG + <usize>have, 48);
    have++;
  }
  const next = <u32>load<u8>(DG + <usize>prec) - 48;
  if (needsUp(next, sticky, <u32>load<u8>(DG + <usize>(prec - 1)))) x += roundUp(prec);
  sigExp = x;
}

/** Writes `s` (ASCII literal) at dst; returns its length. */
export function putAscii(dst: usize, s: string): usize {
  const n = <usize>s.length;
  for (let i: usize = 0; i < n; i++) store<u8>(dst + i, <u8>s.charCodeAt(<i32>i));
  return n;
}

/**
 * "%.{prec}g" of a nonzero finite m * 2^e as glibc prints it: fixed notation when the decimal
 * exponent is in [-4, prec), else d.ddde+XX; trailing zeros and a bare point removed.
 */
export function formatG(dst: usize, neg: bool, m: u64, e: i32, prec: i32): usize {
  let p = dst;
  if (neg) {
    store<u8>(p, 45);
    p++;
  }
  if (m == 0) {
    store<u8>(p, 48);
    return p + 1 - dst;
  }
  sigDigits(m, e, prec);
  const x = sigExp;
  let last = prec - 1; // index of the last digit worth printing
  while (last > 0 && load<u8>(DG + <usize>last) == 48) last--;
  if (x >= -4 && x < prec) {
    if (x >= 0) {
      for (let i = 0; i <= x; i++) store<u8>(p++, load<u8>(DG + <usize>i));
      if (last > x) {
        store<u8>(p++, 46);
        for (let i = x + 1; i <= last; i++) store<u8>(p++, load<u8>(DG + <usize>i));
      }
    } else {
      store<u8>(p++, 48);
      store<u8>(p++, 46);
      for (let i = -1; i > x; i--) store<u8>(p++, 48);
      for (let i = 0; i <= last; i++) store<u8>(p++, load<u8>(DG + <usize>i));
    }
  } else {
    store<u8>(p++, load<u8>(DG));
    if (last > 0) {
      store<u8>(p++, 46);
      for (let i = 1; i <= last; i++) store<u8>(p++, load<u8>(DG + <usize>i));
    }
    store<u8>(p++, 101);
    let ax = x;
    if (ax < 0) {
      store<u8>(p++, 45);
      ax = -ax;
    } else {
      store<u8>(p++, 43);
    }
    if (ax >= 1000) store<u8>(p++, <u8>(48 + ax / 1000));
    if (ax >= 100) store<u8>(p++, <u8>(48 + (ax / 100) % 10));
    store<u8>(p++, <u8>(48 + (ax / 10) % 10));
    store<u8>(p++, <u8>(48 + ax % 10));
  }
  return p - dst;
}

// ---- long double arithmetic --------------------------------------------------------------------

/**
 * Sum of two finite long doubles, rounded to nearest-even like the x87 FPU.
 * Sets resM/resE/resNeg (resInf on overflow).
 */
export function ldAddFinite(am: u64, ae: i32, an: bool, bm: u64, be: i32, bn: bool): void {
  resInf = false;
  if (am == 0 || bm == 0) {
    if (am == 0 && bm == 0) {
      resM = 0;
      resE = 0;
      resNeg = an && bn; // -0 + -0 is the only sum of zeros that stays negative
      return;
    }
    resM = am == 0 ? bm : am;
    resE = am == 0 ? be : ae;
    resNeg = am == 0 ? bn : an;
    return;
  }
  // Normalize (subnormals get an exponent below LD_EMIN, which is fine internally).
  let s = <i32>clz<u64>(am);
  am <<= <u64>s;
  ae -= s;
  s = <i32>clz<u64>(bm);
  bm <<= <u64>s;
  be -= s;
  // Make a the larger magnitude.
  if (be > ae || (be == ae && bm > am)) {
    const tm = am;
    am = bm;
    bm = tm;
    const te = ae;
    ae = be;
    be = te;
    const tn = an;
    an = bn;
    bn = tn;
  }
  // 128-bit window hi:lo, value = hi:lo * 2^(ae-64); b is aligned into it, bits that fall off
  // the bottom are jammed into the lowest bit (enough for correct rounding: 63 guard bits).
  const d = ae - be;
  let bhi: u64 = 0;
  let blo: u64 = 0;
  if (d == 0) {
    bhi = bm;
  } else if (d < 64) {
    bhi = bm >> <u64>d;
    blo = bm << <u64>(64 - d);
  } else if (d == 64) {
    blo = bm;
  } else if (d < 128) {
    blo = bm >> <u64>(d - 64);
    if (bm << <u64>(128 - d) != 0) blo |= 1;
  } else {
    blo = 1;
  }
  let hi = am;
  let lo: u64 = 0;
  let e = ae;
  if (an == bn) {
    lo = blo;
    const h = hi + bhi;
    const carry = h < hi;
    hi = h;
    if (carry) {
      const lost = lo & 1;
      lo = (lo >> 1) | (hi << 63) | lost;
      hi = (hi >> 1) | (<u64>1 << 63);
      e++;
    }
  } else {
    lo = <u64>0 - blo;
    const borrow: u64 = blo != 0 ? 1 : 0;
    hi = hi - bhi - borrow;
    if (hi == 0 && lo == 0) {
      resM = 0;
      resE = 0;
      resNeg = false; // x + (-x) is +0 when rounding to nearest
      return;
    }
    if (hi == 0) {
      hi = lo;
      lo = 0;
      e -= 64;
    }
    const z = <i32>clz<u64>(hi);
    if (z != 0) {
      hi = (hi << <u64>z) | (lo >> <u64>(64 - z));
      lo <<= <u64>z;
      e -= z;
    }
  }
  resNeg = an;
  if (!roundTo(hi, e, (lo >> 63) != 0, (lo << 1) != 0, LD_P, LD_EMIN, LD_EMAX)) resInf = true;
}
