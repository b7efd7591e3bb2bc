// Test hooks for dict.ts: a table of plain entries ([next][key blob]) driven from JS.
import { alloc, free } from "../alloc";
import {
  Dict, dictCreate, dictFindLink, dictHashKey, dictAdd, dictUnlinkAt, dictSize, dictSlots,
  dictIsRehashing, dictRehash, dictShrinkIfNeeded, dictScanStep, scanReset, scanFound, scanEntry,
  dictSample, dictEmpty, dictRelease, dictRandomEntry, KIND_PLAIN,
} from "../dict";
import { blobSize, blobWrite, blobData, blobLen } from "../blob";

export function tkDictCreate(): usize {
  return changetype<usize>(dictCreate(KIND_PLAIN));
}

/** Adds key (bytes at p, n) if absent; returns 1 when added. */
export function tkDictAdd(d: usize, p: usize, n: usize): i32 {
  const h = dictHashKey(p, n);
  if (dictFindLink(changetype<Dict>(d), h, p, n) != 0) return 0;
  const e = alloc(4 + blobSize(n));
  blobWrite(e + 4, p, n);
  dictAdd(changetype<Dict>(d), e, h);
  return 1;
}

export function tkDictHas(d: usize, p: usize, n: usize): i32 {
  return dictFindLink(changetype<Dict>(d), dictHashKey(p, n), p, n) != 0 ? 1 : 0;
}

export function tkDictDelete(d: usize, p: usize, n: usize): i32 {
  const link = dictFindLink(changetype<Dict>(d), dictHashKey(p, n), p, n);
  if (link == 0) return 0;
  free(dictUnlinkAt(changetype<Dict>(d), link));
  return 1;
}

export function tkDictSize(d: usize): u32 {
  return dictSize(changetype<Dict>(d));
}

export function tkDictSlots(d: usize): u32 {
  return dictSlots(changetype<Dict>(d));
}

export function tkDictRehashing(d: usize): i32 {
  return dictIsRehashing(changetype<Dict>(d)) ? 1 : 0;
}

export function tkDictRehash(d: usize, n: i32): i32 {
  return dictRehash(changetype<Dict>(d), n) ? 1 : 0;
}

export function tkDictShrink(d: usize): i32 {
  return dictShrinkIfNeeded(changetype<Dict>(d)) ? 1 : 0;
}

/** One SCAN step from `cursor`; the keys found are read with tkScanKey. Returns the next cursor. */
export function tkDictScan(d: usize, cursor: u32): u32 {
  scanReset();
  return dictScanStep(changetype<Dict>(d), cursor);
}

export function tkScanCount(): usize {
  return scanFound;
}

/** Pointer to the i-th found key's bytes; its length via tkScanKeyLen. */
export function tkScanKey(i: usize): usize {
  return blobData(scanEntry(i) + 4);
}

export function tkScanKeyLen(i: usize): usize {
  return blobLen(scanEntry(i) + 4);
}

export function tkDictSample(d: usize, count: u32): usize {
  return dictSample(changetype<Dict>(d), count);
}

export function tkDictFree(d: usize): void {
  dictEmpty(changetype<Dict>(d), (e: usize): void => free(e));
  dictRelease(changetype<Dict>(d));
}

/** A random entry (its address identifies it), 0 when empty. */
export function tkDictRandom(d: usize): usize {
  return dictRandomEntry(changetype<Dict>(d));
}
