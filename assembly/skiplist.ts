// The large form of a sorted set: a skiplist ordered by (score, member) with spans, plus a hash
// table from member to node, sharing one block per member.
//
// Redis keeps three allocations per member (the skiplist node, the member sds, the dict entry)
// and a bucket pointer. Here one block is both the dict entry and the skiplist node:
//
//   0          u32 next           dict chain (dict.ts KIND_PLAIN: the key blob follows it)
//   4          member blob        length-prefixed member bytes (blob.ts)
//   f = blobEnd(member):
//   f + 0      f64 score
//   f + 8      u32 backward       previous node at level 0 (0 for the first)
//   f + 12     u8  levels         how many (forward, span) pairs follow
//   f + 13     [u32 forward, u32 span] × levels
//
// A 13-byte member at level 1 (3 of 4 nodes) is 39 bytes: one 40-byte block, plus a 4-byte bucket.
// Nodes never move once allocated: the dict rehashes by relinking entries, and a score change
// relinks the same block elsewhere in the list (its level does not change), so a node address
// stays valid for the life of the member.
//
// Spans: span(x, i) is how many level-0 steps forward(x, i) is ahead of x. Summing spans along a
// search path gives a node's rank, which makes ZRANK, ZRANGE by index and ZREMRANGEBYRANK
// logarithmic. The header node has no member and MAX_LEVEL pairs; the list's `level` is the
// highest level in use. Levels are drawn with p = 1/4, as Redis does, so on average a node
// carries 1.33 pairs.
import { alloc, free, usable } from "./alloc";
import { blobSize, blobWrite, blobData, blobLen, blobEnd } from "./blob";
import {
  Dict, dictCreate, dictAdd, dictFindLink, dictUnlinkAt, dictHashKey, dictEmpty, dictRelease, dictOverhead,
  KIND_PLAIN,
} from "./dict";
import { randomU64 } from "./random";

export const ZSL_MAX_LEVEL: i32 = 32;

@unmanaged
export class ZSet {
  dict: Dict;
  header: usize;
  tail: usize;
  length: u32;
  level: u32;
}

// ---- node fields -----------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
export function nodeFixed(n: usize): usize {
  return blobEnd(n + 4);
}

// @ts-ignore: decorator
@inline
export function nodeMember(n: usize): usize {
  return blobData(n + 4);
}

// @ts-ignore: decorator
@inline
export function nodeMemberLen(n: usize): usize {
  return blobLen(n + 4);
}

// @ts-ignore: decorator
@inline
export function nodeScore(n: usize): f64 {
  return load<f64>(nodeFixed(n));
}

// @ts-ignore: decorator
@inline
function setNodeScore(n: usize, s: f64): void {
  store<f64>(nodeFixed(n), s);
}

// @ts-ignore: decorator
@inline
export function nodeBackward(n: usize): usize {
  return <usize>load<u32>(nodeFixed(n), 8);
}

// @ts-ignore: decorator
@inline
function setBackward(n: usize, b: usize): void {
  store<u32>(nodeFixed(n), <u32>b, 8);
}

// @ts-ignore: decorator
@inline
function nodeLevels(n: usize): i32 {
  return <i32>load<u8>(nodeFixed(n), 12);
}

// @ts-ignore: decorator
@inline
function pairAt(n: usize, i: i32): usize {
  return nodeFixed(n) + 13 + (<usize>i << 3);
}

// @ts-ignore: decorator
@inline
export function nodeForward(n: usize, i: i32): usize {
  return <usize>load<u32>(pairAt(n, i));
}

// @ts-ignore: decorator
@inline
function nodeSpan(n: usize, i: i32): u32 {
  return load<u32>(pairAt(n, i), 4);
}

/** The node after `n` at level 0 (0 at the end). */
// @ts-ignore: decorator
@inline
export function nodeNext(n: usize): usize {
  return <usize>load<u32>(nodeFixed(n) + 13);
}

function newNode(levels: i32, score: f64, member: usize, mlen: usize): usize {
  const n = alloc(4 + blobSize(mlen) + 13 + (<usize>levels << 3));
  store<u32>(n, 0);
  const f = blobWrite(n + 4, member, mlen);
  store<f64>(f, score);
  store<u32>(f, 0, 8);
  store<u8>(f, <u8>levels, 12);
  return n;
}

/** Level for a new node: 1, then one more with probability 1/4 each time, at most MAX_LEVEL. */
function randomLevel(): i32 {
  let r = randomU64();
  let level = 1;
  // Two random bits per try: a level costs 2 bits, 32 levels exactly one u64.
  while ((r & 3) == 0 && level < ZSL_MAX_LEVEL) {
    level++;
    r >>= 2;
  }
  return level;
}

// ---- order -----------------------------------------------------------------------------------------

/** Byte order of member strings, shorter first on a common prefix (memcmp, then length). */
export function memberCmp(a: usize, alen: usize, b: usize, blen: usize): i32 {
  const m = alen < blen ? alen : blen;
  const c = memory.compare(a, b, m);
  if (c != 0) return c;
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/** True when node `n` sorts before (score, member). */
// @ts-ignore: decorator
@inline
function nodeBefore(n: usize, score: f64, member: usize, mlen: usize): bool {
  const s = nodeScore(n);
  return s < score || (s == score && memberCmp(nodeMember(n), nodeMemberLen(n), member, mlen) < 0);
}

// ---- create / free ---------------------------------------------------------------------------------

export function zslCreate(): ZSet {
  const z = changetype<ZSet>(alloc(offsetof<ZSet>()));
  z.dict = dictCreate(KIND_PLAIN);
  const h = newNode(ZSL_MAX_LEVEL, 0, 0, 0);
  memory.fill(pairAt(h, 0), 0, <usize>ZSL_MAX_LEVEL << 3);
  z.header = h;
  z.tail = 0;
  z.length = 0;
  z.level = 1;
  return z;
}

export function zslFree(z: ZSet): void {
  // Every member node is a dict entry: emptying the dict frees them all.
  dictEmpty(z.dict, (e: usize): void => free(e));
  dictRelease(z.dict);
  free(z.header);
  free(changetype<usize>(z));
}

/** Bytes of the whole structure, for MEMORY USAGE. */
export function zslMemory(z: ZSet): usize {
  let total = usable(changetype<usize>(z)) + dictOverhead(z.dict) + usable(z.header);
  let n = nodeNext(z.header);
  while (n != 0) {
    total += usable(n);
    n = nodeNext(n);
  }
  return total;
}

/** Bytes of the structure estimated from a sample of nodes (Redis's MEMORY USAGE SAMPLES). */
export function zslMemorySampled(z: ZSet, samples: u32): usize {
  if (samples == 0 || samples >= z.length) return zslMemory(z);
  let sum: usize = 0;
  let n = nodeNext(z.header);
  for (let i: u32 = 0; i < samples; i++) {
    sum += usable(n);
    n = nodeNext(n);
  }
  return usable(changetype<usize>(z)) + dictOverhead(z.dict) + usable(z.header) + <usize>(<f64>sum / <f64>samples * <f64>z.length);
}

// ---- lookups ---------------------------------------------------------------------------------------

/** The node of `member`, or 0. */
export function zslFind(z: ZSet, member: usize, mlen: usize): usize {
  const link = dictFindLink(z.dict, dictHashKey(member, mlen), member, mlen);
  return link == 0 ? 0 : <usize>load<u32>(link);
}

/** 1-based rank of the node with (score, member); 0 when absent. */
export function zslRank(z: ZSet, score: f64, member: usize, mlen: usize): u32 {
  let x = z.header;
  let rank: u32 = 0;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let f = nodeForward(x, i);
    while (f != 0) {
      const s = nodeScore(f);
      if (s < score || (s == score && memberCmp(nodeMember(f), nodeMemberLen(f), member, mlen) <= 0)) {
        rank += nodeSpan(x, i);
        x = f;
        f = nodeForward(x, i);
      } else break;
    }
    if (x != z.header && nodeScore(x) == score && memberCmp(nodeMember(x), nodeMemberLen(x), member, mlen) == 0) {
      return rank;
    }
  }
  return 0;
}

/** The node at 1-based rank `rank` (1..length), or 0. */
export function zslByRank(z: ZSet, rank: u32): usize {
  let x = z.header;
  let traversed: u32 = 0;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let f = nodeForward(x, i);
    while (f != 0 && traversed + nodeSpan(x, i) <= rank) {
      traversed += nodeSpan(x, i);
      x = f;
      f = nodeForward(x, i);
    }
    if (traversed == rank) return x == z.header ? 0 : x;
  }
  return 0;
}

// ---- insert / delete -------------------------------------------------------------------------------

/** Scratch for the search path: the last node visited at each level and its rank. */
const UPDATE: usize = memory.data(ZSL_MAX_LEVEL * 4);
const RANK: usize = memory.data(ZSL_MAX_LEVEL * 4);

// @ts-ignore: decorator
@inline
function upd(i: i32): usize {
  return <usize>load<u32>(UPDATE + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function rnk(i: i32): u32 {
  return load<u32>(RANK + (<usize>i << 2));
}

/** Fills UPDATE/RANK with the path to the spot where (score, member) sorts, levels 0..level-1. */
function searchPath(z: ZSet, score: f64, member: usize, mlen: usize): void {
  let x = z.header;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let r: u32 = i == <i32>z.level - 1 ? 0 : rnk(i + 1);
    let f = nodeForward(x, i);
    while (f != 0 && nodeBefore(f, score, member, mlen)) {
      r += nodeSpan(x, i);
      x = f;
      f = nodeForward(x, i);
    }
    store<u32>(UPDATE + (<usize>i << 2), <u32>x);
    store<u32>(RANK + (<usize>i << 2), r);
  }
}

/** Links node `n` (its score and member set, not in the list) where it sorts. */
function linkNode(z: ZSet, n: usize): void {
  const member = nodeMember(n);
  const mlen = nodeMemberLen(n);
  const score = nodeScore(n);
  searchPath(z, score, member, mlen);
  const level = nodeLevels(n);
  if (level > <i32>z.level) {
    for (let i = <i32>z.level; i < level; i++) {
      store<u32>(RANK + (<usize>i << 2), 0);
      store<u32>(UPDATE + (<usize>i << 2), <u32>z.header);
      store<u32>(pairAt(z.header, i), 0);
      store<u32>(pairAt(z.header, i), z.length, 4);
    }
    z.level = <u32>level;
  }
  const r0 = rnk(0);
  for (let i = 0; i < level; i++) {
    const u = upd(i);
    const up = pairAt(u, i);
    const np = pairAt(n, i);
    store<u32>(np, load<u32>(up));
    store<u32>(up, <u32>n);
    // The new node is (r0 - rnk(i)) steps after update[i]; it takes over the rest of the span.
    const before = r0 - rnk(i);
    store<u32>(np, load<u32>(up, 4) - before, 4);
    store<u32>(up, before + 1, 4);
  }
  // Levels above the new node now span one more node.
  for (let i = level; i < <i32>z.level; i++) {
    const up = pairAt(upd(i), i);
    store<u32>(up, load<u32>(up, 4) + 1, 4);
  }
  const u0 = upd(0);
  setBackward(n, u0 == z.header ? 0 : u0);
  const next = nodeForward(n, 0);
  if (next != 0) setBackward(next, n);
  else z.tail = n;
  z.length++;
}

/** Unlinks `n` from the list, given the search path to it in UPDATE. The node is kept. */
function unlinkNode(z: ZSet, n: usize): void {
  for (let i = 0; i < <i32>z.level; i++) {
    const up = pairAt(upd(i), i);
    if (<usize>load<u32>(up) == n) {
      store<u32>(up, load<u32>(up, 4) + nodeSpan(n, i) - 1, 4);
      store<u32>(up, <u32>nodeForward(n, i));
    } else {
      store<u32>(up, load<u32>(up, 4) - 1, 4);
    }
  }
  const next = nodeForward(n, 0);
  if (next != 0) setBackward(next, nodeBackward(n));
  else z.tail = nodeBackward(n);
  while (z.level > 1 && nodeForward(z.header, <i32>z.level - 1) == 0) z.level--;
  z.length--;
}

/** Adds a member known to be absent; returns its node. */
export function zslInsert(z: ZSet, score: f64, member: usize, mlen: usize): usize {
  const n = newNode(randomLevel(), score, member, mlen);
  linkNode(z, n);
  dictAdd(z.dict, n, dictHashKey(member, mlen));
  return n;
}

/** Changes the score of node `n`; the node stays the same block. */
export function zslUpdateScore(z: ZSet, n: usize, score: f64): void {
  const prev = nodeBackward(n);
  const next = nodeNext(n);
  const member = nodeMember(n);
  const mlen = nodeMemberLen(n);
  // Still in order with its neighbours: no relinking needed.
  if ((prev == 0 || nodeBefore(prev, score, member, mlen)) && (next == 0 || !nodeBefore(next, score, member, mlen))) {
    setNodeScore(n, score);
    return;
  }
  searchPath(z, nodeScore(n), member, mlen);
  unlinkNode(z, n);
  setNodeScore(n, score);
  linkNode(z, n);
}

/** Removes node `n` from the list and the dict and frees it. */
export function zslDeleteNode(z: ZSet, n: usize): void {
  const member = nodeMember(n);
  const mlen = nodeMemberLen(n);
  searchPath(z, nodeScore(n), member, mlen);
  unlinkNode(z, n);
  const link = dictFindLink(z.dict, dictHashKey(member, mlen), member, mlen);
  dictUnlinkAt(z.dict, link);
  free(n);
}

/** Removes a member; true when it was there. */
export function zslDelete(z: ZSet, member: usize, mlen: usize): bool {
  const n = zslFind(z, member, mlen);
  if (n == 0) return false;
  zslDeleteNode(z, n);
  return true;
}

/** Removes the nodes at 1-based ranks start..end (inclusive, valid); returns how many. */
export function zslDeleteRankRange(z: ZSet, start: u32, end: u32): u32 {
  let n = zslByRank(z, start);
  let removed: u32 = 0;
  while (n != 0 && removed < end - start + 1) {
    const next = nodeNext(n);
    zslDeleteNode(z, n);
    removed++;
    n = next;
  }
  return removed;
}

/** The first node (lowest), or 0. */
// @ts-ignore: decorator
@inline
export function zslFirst(z: ZSet): usize {
  return nodeForward(z.header, 0);
}

/** The first node that does not sort before `score` (or, with `excl`, is above it); 0 if none. */
export function zslFirstScoreAtLeast(z: ZSet, score: f64, excl: bool): usize {
  let x = z.header;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let f = nodeForward(x, i);
    while (f != 0 && (excl ? nodeScore(f) <= score : nodeScore(f) < score)) {
      x = f;
      f = nodeForward(x, i);
    }
  }
  return nodeForward(x, 0);
}

/** The last node whose score is below `score` (or, without `excl`, equal to it too); 0 if none. */
export function zslLastScoreAtMost(z: ZSet, score: f64, excl: bool): usize {
  let x = z.header;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let f = nodeForward(x, i);
    while (f != 0 && (excl ? nodeScore(f) < score : nodeScore(f) <= score)) {
      x = f;
      f = nodeForward(x, i);
    }
  }
  return x == z.header ? 0 : x;
}

/**
 * Lex bounds: the first node whose member is >= (or > with `excl`) the bytes given, and the last
 * node whose member is <= (< with `excl`). Lex ranges assume equal scores, as Redis documents.
 */
export function zslFirstLexAtLeast(z: ZSet, p: usize, n: usize, excl: bool): usize {
  let x = z.header;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let f = nodeForward(x, i);
    while (f != 0) {
      const c = memberCmp(nodeMember(f), nodeMemberLen(f), p, n);
      if (excl ? c <= 0 : c < 0) {
        x = f;
        f = nodeForward(x, i);
      } else break;
    }
  }
  return nodeForward(x, 0);
}

export function zslLastLexAtMost(z: ZSet, p: usize, n: usize, excl: bool): usize {
  let x = z.header;
  for (let i = <i32>z.level - 1; i >= 0; i--) {
    let f = nodeForward(x, i);
    while (f != 0) {
      const c = memberCmp(nodeMember(f), nodeMemberLen(f), p, n);
      if (excl ? c < 0 : c <= 0) {
        x = f;
        f = nodeForward(x, i);
      } else break;
    }
  }
  return x == z.header ? 0 : x;
}

/** 1-based rank of a node in the list (walks the search path to it). */
export function zslNodeRank(z: ZSet, n: usize): u32 {
  return zslRank(z, nodeScore(n), nodeMember(n), nodeMemberLen(n));
}

/** Checks every invariant (order, spans, backward links, length, dict size); for tests. */
export function zslCheck(z: ZSet): bool {
  let n = nodeNext(z.header);
  let prev: usize = 0;
  let count: u32 = 0;
  while (n != 0) {
    if (nodeBackward(n) != prev) return false;
    if (prev != 0 && !nodeBefore(prev, nodeScore(n), nodeMember(n), nodeMemberLen(n))) return false;
    prev = n;
    count++;
    n = nodeNext(n);
  }
  if (count != z.length || prev != z.tail) return false;
  if (z.dict.used0 + z.dict.used1 != z.length) return false;
  // Spans: at every level, the spans from the header to the end add up to the rank of each node.
  for (let i = 0; i < <i32>z.level; i++) {
    let x = z.header;
    let r: u32 = 0;
    while (nodeForward(x, i) != 0) {
      r += nodeSpan(x, i);
      x = nodeForward(x, i);
      if (zslNodeRank(z, x) != r) return false;
    }
  }
  for (let i = <i32>z.level; i < ZSL_MAX_LEVEL; i++) if (nodeForward(z.header, i) != 0) return false;
  return true;
}
