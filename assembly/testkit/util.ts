// Test hooks for util.ts, sds.ts and glob.ts. Inputs are bytes the test wrote at a pointer from
// memAlloc; outputs are written at a pointer the test passes and read back by length.
import {
  string2ll, parsedInt, ll2string, string2d, parsedDouble, formatDouble, d2string,
  string2ld, ldAdd, ldIsFinite, ld2string, ldFromLL, LD_SIZE,
} from "../util";
import {
  sdsNew, sdsNewCapacity, sdsFree, sdsLen, sdsAvail, sdsAlloc, sdsSetLen, sdsMakeRoomFor, sdsCat,
  sdsRange, sdsCmp, sdsEq, sdsWrite, sdsHeaderSize, sdsTotalSize, sdsType, sdsDup,
} from "../sds";
import { stringmatchlen } from "../glob";

const LD_A: usize = memory.data(<i32>LD_SIZE, 8);
const LD_B: usize = memory.data(<i32>LD_SIZE, 8);

/** 1 and the value in tkParsedInt() when string2ll accepts [p, p+len), else 0. */
export function tkString2ll(p: usize, len: usize): i32 {
  return string2ll(p, len) ? 1 : 0;
}

export function tkParsedInt(): i64 {
  return parsedInt;
}

export function tkLl2string(dst: usize, v: i64): usize {
  return ll2string(dst, v);
}

/** 1 and the value in tkParsedDouble() when string2d accepts the bytes, else 0. */
export function tkString2d(p: usize, len: usize): i32 {
  return string2d(p, len) ? 1 : 0;
}

export function tkParsedDouble(): f64 {
  return parsedDouble;
}

export function tkFormatDouble(dst: usize, d: f64): usize {
  return formatDouble(dst, d);
}

export function tkD2string(dst: usize, d: f64): usize {
  return d2string(dst, d);
}

/**
 * INCRBYFLOAT's arithmetic on text: parses the current value and the increment as long doubles,
 * adds, writes the human form at dst. Returns its length, -1 for "value is not a valid float",
 * -2 for "increment would produce NaN or Infinity".
 */
export function tkIncrByFloat(vp: usize, vlen: usize, ip: usize, ilen: usize, dst: usize): i32 {
  if (!string2ld(vp, vlen, LD_A) || !string2ld(ip, ilen, LD_B)) return -1;
  ldAdd(LD_A, LD_A, LD_B);
  if (!ldIsFinite(LD_A)) return -2;
  return <i32>ld2string(dst, LD_A, true);
}

/** Like tkIncrByFloat for an integer-encoded current value. */
export function tkIncrByFloatInt(v: i64, ip: usize, ilen: usize, dst: usize): i32 {
  ldFromLL(LD_A, v);
  if (!string2ld(ip, ilen, LD_B)) return -1;
  ldAdd(LD_A, LD_A, LD_B);
  if (!ldIsFinite(LD_A)) return -2;
  return <i32>ld2string(dst, LD_A, true);
}

/** "%.17Lg" of a parsed long double, or -1 when it does not parse. */
export function tkLdFormatAuto(p: usize, len: usize, dst: usize): i32 {
  if (!string2ld(p, len, LD_A)) return -1;
  return <i32>ld2string(dst, LD_A, false);
}

export function tkStringMatch(p: usize, plen: usize, s: usize, slen: usize, nocase: i32): i32 {
  return stringmatchlen(p, plen, s, slen, nocase != 0) ? 1 : 0;
}

export function tkSdsNew(src: usize, len: usize): usize { return sdsNew(src, len); }
export function tkSdsNewCapacity(len: usize, cap: usize): usize { return sdsNewCapacity(len, cap); }
export function tkSdsDup(s: usize): usize { return sdsDup(s); }
export function tkSdsFree(s: usize): void { sdsFree(s); }
export function tkSdsLen(s: usize): usize { return sdsLen(s); }
export function tkSdsAvail(s: usize): usize { return sdsAvail(s); }
export function tkSdsAlloc(s: usize): usize { return sdsAlloc(s); }
export function tkSdsType(s: usize): u32 { return sdsType(s); }
export function tkSdsSetLen(s: usize, len: usize): void { sdsSetLen(s, len); }
export function tkSdsMakeRoomFor(s: usize, add: usize): usize { return sdsMakeRoomFor(s, add); }
export function tkSdsCat(s: usize, src: usize, len: usize): usize { return sdsCat(s, src, len); }
export function tkSdsRange(s: usize, start: isize, end: isize): void { sdsRange(s, start, end); }
export function tkSdsCmp(a: usize, alen: usize, b: usize, blen: usize): i32 { return sdsCmp(a, alen, b, blen); }
export function tkSdsEq(a: usize, alen: usize, b: usize, blen: usize): i32 { return sdsEq(a, alen, b, blen) ? 1 : 0; }
export function tkSdsWrite(dst: usize, src: usize, len: usize): usize { return sdsWrite(dst, src, len); }
export function tkSdsHeaderSize(len: usize): usize { return sdsHeaderSize(len); }
export function tkSdsTotalSize(len: usize): usize { return sdsTotalSize(len); }
