// Number parsing and formatting with Redis 7.0's exact rules: which strings are integers or floats,
// and the text Redis prints for numbers. Nothing here allocates; results of parsing go to module
// globals (parsedInt, parsedDouble) or to caller-provided memory (long doubles).
//
// Long doubles (INCRBYFLOAT, HINCRBYFLOAT) are carried in LD_SIZE bytes of memory:
//   [m u64][e i32][flags u8: 1 negative, 2 infinite, 4 NaN][pad]    value = m * 2^e
// and emulate x87 80-bit arithmetic in software (see fpconv.ts), so that the sums and their
// "%.17Lf" text match a Redis built for x86-64 digit for digit.
import {
  parseDecimalText, resM, resE, resNeg, resInf, F64_P, F64_EMIN, F64_EMAX, LD_P, LD_EMIN, LD_EMAX,
  fixedDigits, formatG, ldAddFinite, putAscii, DG,
} from "./fpconv";

// ---- integers -----------------------------------------------------------------------------------

/** The value of the last successful string2ll. */
export let parsedInt: i64 = 0;

/** Longest text of an i64: "-9223372036854775808" (Redis's LONG_STR_SIZE is 21 with the NUL). */
export const LONG_STR_SIZE: usize = 21;

/**
 * Strict integer parse, as Redis's string2ll: optional '-', then digits with no leading zero
 * (except "0" itself), nothing else: no '+', no spaces, no "-0", at most 20 bytes, in i64 range.
 * On success the value is in parsedInt.
 */
export function string2ll(p: usize, len: usize): bool {
  if (len == 0 || len >= LONG_STR_SIZE) return false;
  if (len == 1 && load<u8>(p) == 48) {
    parsedInt = 0;
    return true;
  }
  let i: usize = 0;
  let neg = false;
  if (load<u8>(p) == 45) {
    neg = true;
    i++;
    if (i == len) return false;
  }
  let c = <u32>load<u8>(p + i);
  if (c < 49 || c > 57) return false; // first digit 1-9
  let v: u64 = c - 48;
  i++;
  for (; i < len; i++) {
    c = <u32>load<u8>(p + i) - 48;
    if (c > 9) return false;
    // 20 digits can exceed u64: check before multiplying and before adding.
    if (v > 1844674407370955161) return false;
    v *= 10;
    if (v > 0xffffffffffffffff - <u64>c) return false;
    v += c;
  }
  if (neg) {
    if (v > 0x8000000000000000) return false;
    parsedInt = <i64>(<u64>0 - v);
  } else {
    if (v > 0x7fffffffffffffff) return false;
    parsedInt = <i64>v;
  }
  return true;
}

/** Number of decimal digits of `v`. */
export function digits10(v: u64): usize {
  let n: usize = 1;
  while (v >= 10000) {
    v /= 10000;
    n += 4;
  }
  while (v >= 10) {
    v /= 10;
    n++;
  }
  return n;
}

/** Writes the decimal text of `v` at dst; returns its length (at most 20). */
export function ull2string(dst: usize, v: u64): usize {
  const n = digits10(v);
  let q = dst + n;
  do {
    q--;
    store<u8>(q, <u8>(48 + <u32>(v % 10)));
    v /= 10;
  } while (v != 0);
  return n;
}

/** Writes the decimal text of `v` at dst; returns its length (at most 20). */
export function ll2string(dst: usize, v: i64): usize {
  if (v < 0) {
    store<u8>(dst, 45);
    // <u64>0 - v is the magnitude, also for i64.MIN_VALUE.
    return 1 + ull2string(dst + 1, <u64>0 - <u64>v);
  }
  return ull2string(dst, <u64>v);
}

// ---- doubles ------------------------------------------------------------------------------------

/** The value of the last successful string2d. */
export let parsedDouble: f64 = 0;

function packF64(neg: bool, inf: bool, m: u64, e: i32): f64 {
  let bits: u64;
  if (inf) bits = 0x7ff0000000000000;
  else if (m == 0) bits = 0;
  else if (m >= <u64>1 << 52) bits = (<u64>(e + 1075) << 52) | (m & 0xfffffffffffff);
  else bits = m; // subnormal: e is -1074
  if (neg) bits |= 0x8000000000000000;
  return reinterpret<f64>(bits);
}

/**
 * Float parse as Redis's string2d (strtod over the whole string): optional sign, decimal or hex
 * float, "inf"/"infinity"; no leading space, no trailing bytes, no NaN, no overflow (1e309) and no
 * nonzero input that underflows to 0 (1e-400). Correctly rounded. Result in parsedDouble.
 */
export function string2d(p: usize, len: usize): bool {
  if (!parseDecimalText(p, len, F64_P, F64_EMIN, F64_EMAX, 800)) return false;
  parsedDouble = packF64(resNeg, resInf, resM, resE);
  return true;
}

/**
 * "%.17g" of d as glibc prints it, with "inf", "-inf", "nan", "-nan": the text of Redis 7.0's
 * double replies (RESP2 bulk and RESP3 ','). At most 24 bytes.
 */
export function formatDouble(dst: usize, d: f64): usize {
  const bits = reinterpret<u64>(d);
  const neg = (bits >> 63) != 0;
  const ex = <i32>((bits >> 52) & 0x7ff);
  const frac = bits & 0xfffffffffffff;
  if (ex == 0x7ff) {
    let p = dst;
    if (neg) store<u8>(p++, 45);
    return p - dst + putAscii(p, frac == 0 ? "inf" : "nan");
  }
  if (ex == 0) return formatG(dst, neg, frac, -1074, 17);
  return formatG(dst, neg, frac | (<u64>1 << 52), ex - 1075, 17);
}

/**
 * Redis's d2string: how a double is stored as text (e.g. zset scores in listpacks): integral
 * values in (-(2^52-1), 2^52) as plain integers (so -0 is "0", as a listpack score shows), else
 * "%.17g"; "nan", "inf", "-inf".
 */
export function d2string(dst: usize, d: f64): usize {
  if (isNaN(d)) return putAscii(dst, "nan");
  if (!isFinite(d)) return putAscii(dst, d < 0 ? "-inf" : "inf");
  if (d > -4503599627370495.0 && d < 4503599627370496.0 && d == <f64><i64>d) return ll2string(dst, <i64>d);
  return formatDouble(dst, d);
}

// ---- long doubles -------------------------------------------------------------------------------

export const LD_SIZE: usize = 16;
const LD_NEG: u8 = 1;
const LD_INF: u8 = 2;
const LD_NAN: u8 = 4;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer input is rejected, and no output is longer. */
export const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

// @ts-ignore: decorator
@inline
function ldStore(out: usize, m: u64, e: i32, flags: u8): void {
  store<u64>(out, m);
  store<i32>(out, e, 8);
  store<u8>(out, flags, 12);
}

/**
 * Long double parse as Redis's string2ld (strtold over the whole string): the string2d rules, in
 * long double range (1e4932 is fine), and at most 5119 bytes. Writes LD_SIZE bytes at `out`.
 */
export function string2ld(p: usize, len: usize, out: usize): bool {
  if (len >= MAX_LONG_DOUBLE_CHARS) return false;
  if (!parseDecimalText(p, len, LD_P, LD_EMIN, LD_EMAX, 6000)) return false;
  ldStore(out, resM, resE, (resNeg ? LD_NEG : 0) | (resInf ? LD_INF : 0));
  return true;
}

/** Exact long double of an integer (64 significand bits hold any i64). */
export function ldFromLL(out: usize, v: i64): void {
  if (v == 0) {
    ldStore(out, 0, 0, 0);
    return;
  }
  const neg = v < 0;
  const m: u64 = neg ? <u64>0 - <u64>v : <u64>v;
  const z = <i32>clz<u64>(m);
  ldStore(out, m << <u64>z, -z, neg ? LD_NEG : 0);
}

/** out = a + b, rounded as the x87 unit does (out may be a or b). */
export function ldAdd(out: usize, a: usize, b: usize): void {
  const fa = load<u8>(a, 12);
  const fb = load<u8>(b, 12);
  if (((fa | fb) & LD_NAN) != 0) {
    ldStore(out, 0, 0, LD_NAN);
    return;
  }
  if (((fa | fb) & LD_INF) != 0) {
    // inf + -inf is NaN; otherwise the infinite operand wins.
    if ((fa & LD_INF) != 0 && (fb & LD_INF) != 0 && (fa & LD_NEG) != (fb & LD_NEG)) ldStore(out, 0, 0, LD_NAN);
    else ldStore(out, 0, 0, (fa & LD_INF) != 0 ? fa : fb);
    return;
  }
  ldAddFinite(load<u64>(a), load<i32>(a, 8), (fa & LD_NEG) != 0, load<u64>(b), load<i32>(b, 8), (fb & LD_NEG) != 0);
  ldStore(out, resM, resE, (resNeg ? LD_NEG : 0) | (resInf ? LD_INF : 0));
}

/** Neither infinite nor NaN (what INCRBYFLOAT requires of its result). */
export function ldIsFinite(a: usize): bool {
  return (load<u8>(a, 12) & (LD_INF | LD_NAN)) == 0;
}

/**
 * Text of a long double as Redis's ld2string. `human` (INCRBYFLOAT, HINCRBYFLOAT): "%.17Lf" with
 * trailing zeros and a bare point removed and "-0" written "0". Otherwise "%.17Lg". "inf", "-inf",
 * "nan" for the specials. At most MAX_LONG_DOUBLE_CHARS bytes.
 */
export function ld2string(dst: usize, a: usize, human: bool): usize {
  const f = load<u8>(a, 12);
  let neg = (f & LD_NEG) != 0;
  if ((f & LD_NAN) != 0) return putAscii(dst, "nan");
  if ((f & LD_INF) != 0) return putAscii(dst, neg ? "-inf" : "inf");
  const m = load<u64>(a);
  const e = load<i32>(a, 8);
  if (!human) return formatG(dst, neg, m, e, 17);
  const ni = <usize>fixedDigits(m, e, 17);
  let last = ni + 17; // one past the last digit to print
  while (last > ni && load<u8>(DG + last - 1) == 48) last--;
  if (neg && ni == 1 && last == 1 && load<u8>(DG) == 48) neg = false; // "-0" is printed "0"
  let p = dst;
  if (neg) store<u8>(p++, 45);
  memory.copy(p, DG, ni);
  p += ni;
  if (last > ni) {
    store<u8>(p++, 46);
    memory.copy(p, DG + ni, last - ni);
    p += last - ni;
  }
  return p - dst;
}
