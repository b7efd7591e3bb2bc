// Test hooks for intset.ts and the set type: the intset driven value by value from JS, and a
// look at a set key's encoding and structure.
import {
  intsetNew, intsetAdd, intsetRemove, intsetFind, intsetLen, intsetGet, intsetEncoding, intsetBlobLen,
  intsetFree, intsetValid, intsetChanged,
} from "../intset";
import { getDb, dbFindLink } from "../db";
import { entryVal, entryEncoding, entryType, entryMemory, OBJ_SET, ENC_INTSET } from "../object";

export function tkIntsetNew(): usize {
  return intsetNew();
}

/** Adds v; returns the (possibly moved) intset. tkIntsetChanged tells whether v was new. */
export function tkIntsetAdd(is: usize, v: i64): usize {
  return intsetAdd(is, v);
}

export function tkIntsetRemove(is: usize, v: i64): usize {
  return intsetRemove(is, v);
}

export function tkIntsetChanged(): i32 {
  return intsetChanged ? 1 : 0;
}

export function tkIntsetFind(is: usize, v: i64): i32 {
  return intsetFind(is, v) ? 1 : 0;
}

export function tkIntsetLen(is: usize): u32 {
  return intsetLen(is);
}

export function tkIntsetGet(is: usize, i: u32): i64 {
  return intsetGet(is, i);
}

export function tkIntsetEncoding(is: usize): u32 {
  return intsetEncoding(is);
}

export function tkIntsetBlobLen(is: usize): usize {
  return intsetBlobLen(is);
}

export function tkIntsetValid(is: usize): i32 {
  return intsetValid(is) ? 1 : 0;
}

export function tkIntsetFree(is: usize): void {
  intsetFree(is);
}

/** The set value of key (p, n) in db 0 when it is an intset, else 0. */
export function tkSetIntset(p: usize, n: usize): usize {
  const link = dbFindLink(getDb(0), p, n);
  if (link == 0) return 0;
  const e = <usize>load<u32>(link);
  if (entryType(e) != OBJ_SET || entryEncoding(e) != ENC_INTSET) return 0;
  return entryVal(e);
}

/** Bytes the key (p, n) of db 0 occupies with its value (0 when absent). */
export function tkKeyMemory(p: usize, n: usize): usize {
  const link = dbFindLink(getDb(0), p, n);
  return link == 0 ? 0 : entryMemory(<usize>load<u32>(link));
}
