// Quicklist: a list value as a doubly linked list of listpack nodes.
//
// A plain linked list spends two pointers and an allocation per element; one big listpack makes
// every push at the head move the whole list. The quicklist is the middle way Redis takes: small
// listpacks (listpack.ts) chained together, so a push touches one small block, and the framing
// costs 2-3 bytes per element plus one 16-byte node per few hundred elements.
//
//   Quicklist (16 bytes)                Node (16 bytes)
//   0  u32 head   first node            0  u32 prev
//   4  u32 tail   last node             4  u32 next
//   8  u32 count  elements in all nodes 8  u32 lp     the node's listpack
//   12 u32 len    nodes                 12 u32 count  entries in lp (lp's own u16 saturates)
//
// How full a node may get is `list-max-listpack-size` (config.ts listMaxListpackSize), read at each
// insert so CONFIG SET applies at once: a negative value -1..-5 caps the node's listpack at
// 4/8/16/32/64 KB; a positive value caps its entry count (and, as in Redis, its size at 8 KB
// all the same). A new node always takes its first element, so one element bigger than the cap
// gets a node of its own. Nodes are not merged back when elements are removed (Redis does not
// either); a node that becomes empty is unlinked and freed at once, so an empty quicklist has
// no nodes and the list key is deleted by the caller.
//
// Redis 7.0 lists are always this encoding (OBJECT ENCODING says "quicklist" even for one
// element; the single-listpack "listpack" list encoding came in 7.2).
//
// Compression (`list-compress-depth`) is NOT implemented: the setting is accepted and reported
// by CONFIG but nodes are always stored plain, as with the default depth 0.
//
// Positions are handed out through a module-level cursor (itNode, itP) set by qlSeek and moved by
// qlItNext/qlItPrev, since the engine keeps no managed iterator objects. Any write other than
// through the qlIt* functions invalidates the cursor.
import { alloc, free, usable } from "./alloc";
import {
  lpNew, lpFree, lpBytes, lpFirst, lpLast, lpNext, lpPrev, lpAppend, lpPrepend, lpAppendInt,
  lpInsert, lpReplace, lpDelete, lpDeleteRangeAt, lpSeek, lpEncodedSize, lpEntrySize, lpDup, lpAt,
  lpGetValue, lpIsInt, lpInt, lpStr, lpStrLen, lpAppendFrom, LP_BEFORE, LP_AFTER, LP_HDR_SIZE,
} from "./listpack";
import { listMaxListpackSize } from "./config";

/** Size cap for positive (count-based) fill settings, as Redis's SIZE_SAFETY_LIMIT. */
const SIZE_SAFETY_LIMIT: usize = 8192;

// ---- fields ----------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function qlHead(ql: usize): usize { return <usize>load<u32>(ql); }
// @ts-ignore: decorator
@inline export function qlTail(ql: usize): usize { return <usize>load<u32>(ql, 4); }
// @ts-ignore: decorator
@inline export function qlCount(ql: usize): u32 { return load<u32>(ql, 8); }
// @ts-ignore: decorator
@inline export function qlNodes(ql: usize): u32 { return load<u32>(ql, 12); }
// @ts-ignore: decorator
@inline function setHead(ql: usize, n: usize): void { store<u32>(ql, <u32>n); }
// @ts-ignore: decorator
@inline function setTail(ql: usize, n: usize): void { store<u32>(ql, <u32>n, 4); }
// @ts-ignore: decorator
@inline function addQlCount(ql: usize, d: i32): void { store<u32>(ql, <u32>(<i32>load<u32>(ql, 8) + d), 8); }
// @ts-ignore: decorator
@inline function addQlNodes(ql: usize, d: i32): void { store<u32>(ql, <u32>(<i32>load<u32>(ql, 12) + d), 12); }

// @ts-ignore: decorator
@inline export function nodePrev(n: usize): usize { return <usize>load<u32>(n); }
// @ts-ignore: decorator
@inline export function nodeNext(n: usize): usize { return <usize>load<u32>(n, 4); }
// @ts-ignore: decorator
@inline export function nodeLp(n: usize): usize { return <usize>load<u32>(n, 8); }
// @ts-ignore: decorator
@inline export function nodeCount(n: usize): u32 { return load<u32>(n, 12); }
// @ts-ignore: decorator
@inline function setPrev(n: usize, p: usize): void { store<u32>(n, <u32>p); }
// @ts-ignore: decorator
@inline function setNext(n: usize, p: usize): void { store<u32>(n, <u32>p, 4); }
// @ts-ignore: decorator
@inline function setLp(n: usize, lp: usize): void { store<u32>(n, <u32>lp, 8); }
// @ts-ignore: decorator
@inline function setNodeCount(n: usize, c: u32): void { store<u32>(n, c, 12); }

// ---- whole lists -----------------------------------------------------------------------------------

export function qlCreate(): usize {
  const ql = alloc(16);
  memory.fill(ql, 0, 16);
  return ql;
}

export function qlFree(ql: usize): void {
  let n = qlHead(ql);
  while (n != 0) {
    const next = nodeNext(n);
    lpFree(nodeLp(n));
    free(n);
    n = next;
  }
  free(ql);
}

export function qlDup(ql: usize): usize {
  const c = qlCreate();
  let prev: usize = 0;
  for (let n = qlHead(ql); n != 0; n = nodeNext(n)) {
    const m = alloc(16);
    setLp(m, lpDup(nodeLp(n)));
    setNodeCount(m, nodeCount(n));
    setPrev(m, prev);
    setNext(m, 0);
    if (prev == 0) setHead(c, m);
    else setNext(prev, m);
    prev = m;
  }
  setTail(c, prev);
  store<u32>(c, qlCount(ql), 8);
  store<u32>(c, qlNodes(ql), 12);
  return c;
}

/** Bytes the allocator holds for the list (MEMORY USAGE). */
export function qlMemory(ql: usize): usize {
  let total = usable(ql);
  for (let n = qlHead(ql); n != 0; n = nodeNext(n)) total += usable(n) + usable(nodeLp(n));
  return total;
}

// ---- nodes -----------------------------------------------------------------------------------------

function newNode(): usize {
  const n = alloc(16);
  setPrev(n, 0);
  setNext(n, 0);
  setLp(n, lpNew(0));
  setNodeCount(n, 0);
  return n;
}

/** Links node n after `after` (0: as the new head). */
function linkAfter(ql: usize, after: usize, n: usize): void {
  const next = after == 0 ? qlHead(ql) : nodeNext(after);
  setPrev(n, after);
  setNext(n, next);
  if (after == 0) setHead(ql, n);
  else setNext(after, n);
  if (next == 0) setTail(ql, n);
  else setPrev(next, n);
  addQlNodes(ql, 1);
}

function unlinkNode(ql: usize, n: usize): void {
  const prev = nodePrev(n);
  const next = nodeNext(n);
  if (prev == 0) setHead(ql, next);
  else setNext(prev, next);
  if (next == 0) setTail(ql, prev);
  else setPrev(next, prev);
  addQlNodes(ql, -1);
  lpFree(nodeLp(n));
  free(n);
}

/** True when node n may take one more entry of `size` bytes under the fill setting. */
function allowInsert(n: usize, size: usize): bool {
  if (n == 0) return false;
  const c = nodeCount(n);
  if (c == 0) return true;
  const newBytes = <usize>lpBytes(nodeLp(n)) + size;
  const fill = listMaxListpackSize;
  if (fill >= 0) return <i64>c < (fill == 0 ? 1 : fill) && newBytes <= SIZE_SAFETY_LIMIT;
  return newBytes <= sizeLimit(fill);
}

function sizeLimit(fill: i64): usize {
  const i = fill < -5 ? 4 : <i32>(-fill - 1);
  return <usize>4096 << i;
}

// ---- push / pop -------------------------------------------------------------------------------------

export function qlPushTail(ql: usize, ptr: usize, len: usize): void {
  let n = qlTail(ql);
  if (!allowInsert(n, lpEncodedSize(ptr, len))) {
    const m = newNode();
    linkAfter(ql, n, m);
    n = m;
  }
  setLp(n, lpAppend(nodeLp(n), ptr, len));
  setNodeCount(n, nodeCount(n) + 1);
  addQlCount(ql, 1);
}

export function qlPushHead(ql: usize, ptr: usize, len: usize): void {
  let n = qlHead(ql);
  if (!allowInsert(n, lpEncodedSize(ptr, len))) {
    const m = newNode();
    linkAfter(ql, 0, m);
    n = m;
  }
  setLp(n, lpPrepend(nodeLp(n), ptr, len));
  setNodeCount(n, nodeCount(n) + 1);
  addQlCount(ql, 1);
}

export function qlPush(ql: usize, ptr: usize, len: usize, head: bool): void {
  if (head) qlPushHead(ql, ptr, len);
  else qlPushTail(ql, ptr, len);
}

/** Deletes the entry p of node n; frees the node when it empties. lpAt = next entry in node or 0. */
function deleteEntry(ql: usize, n: usize, p: usize): void {
  if (nodeCount(n) == 1) {
    unlinkNode(ql, n);
    addQlCount(ql, -1);
    return;
  }
  setLp(n, lpDelete(nodeLp(n), p));
  setNodeCount(n, nodeCount(n) - 1);
  addQlCount(ql, -1);
}

/** Removes the first (head) or last element. The list must not be empty. */
export function qlPopDiscard(ql: usize, head: bool): void {
  const n = head ? qlHead(ql) : qlTail(ql);
  const lp = nodeLp(n);
  deleteEntry(ql, n, head ? lpFirst(lp) : lpLast(lp));
}

/** Reads the head or tail element into listpack's lpIsInt/lpInt/lpStr/lpStrLen (no formatting). */
export function qlPeekValue(ql: usize, head: bool): void {
  const n = head ? qlHead(ql) : qlTail(ql);
  const lp = nodeLp(n);
  lpGetValue(head ? lpFirst(lp) : lpLast(lp));
}

// ---- cursor ------------------------------------------------------------------------------------------

/** The cursor: a node and an entry pointer inside its listpack. */
export let itNode: usize = 0;
export let itP: usize = 0;

/** Puts the cursor on element `index` (negative from the tail); false when out of range. */
export function qlSeek(ql: usize, index: i64): bool {
  const count = <i64>qlCount(ql);
  if (index < 0) index += count;
  if (index < 0 || index >= count) return false;
  if (index < count - index) {
    let n = qlHead(ql);
    let acc: i64 = 0;
    while (acc + <i64>nodeCount(n) <= index) {
      acc += nodeCount(n);
      n = nodeNext(n);
    }
    itNode = n;
    itP = lpSeek(nodeLp(n), index - acc);
  } else {
    let n = qlTail(ql);
    let acc: i64 = count; // index of the element after node n
    while (acc - <i64>nodeCount(n) > index) {
      acc -= nodeCount(n);
      n = nodePrev(n);
    }
    itNode = n;
    itP = lpSeek(nodeLp(n), index - acc); // negative: from the node's tail
  }
  return true;
}

/** Moves the cursor one element towards the tail; false at the end. */
export function qlItNext(): bool {
  const q = lpNext(nodeLp(itNode), itP);
  if (q != 0) {
    itP = q;
    return true;
  }
  const n = nodeNext(itNode);
  if (n == 0) return false;
  itNode = n;
  itP = lpFirst(nodeLp(n));
  return true;
}

/** Moves the cursor one element towards the head; false at the start. */
export function qlItPrev(): bool {
  const q = lpPrev(nodeLp(itNode), itP);
  if (q != 0) {
    itP = q;
    return true;
  }
  const n = nodePrev(itNode);
  if (n == 0) return false;
  itNode = n;
  itP = lpLast(nodeLp(n));
  return true;
}

/**
 * Deletes the element under the cursor and moves the cursor to the neighbour in the walking
 * direction (towards the tail when `forward`). Returns false when there is none.
 */
export function qlItDelete(ql: usize, forward: bool): bool {
  const n = itNode;
  const next = nodeNext(n);
  const prev = nodePrev(n);
  if (nodeCount(n) == 1) {
    unlinkNode(ql, n);
    addQlCount(ql, -1);
    if (forward) {
      if (next == 0) return false;
      itNode = next;
      itP = lpFirst(nodeLp(next));
    } else {
      if (prev == 0) return false;
      itNode = prev;
      itP = lpLast(nodeLp(prev));
    }
    return true;
  }
  const lp = nodeLp(n);
  const off = itP - lp;
  const wasFirst = off == LP_HDR_SIZE;
  const newLp = lpDelete(lp, itP);
  setLp(n, newLp);
  setNodeCount(n, nodeCount(n) - 1);
  addQlCount(ql, -1);
  if (forward) {
    if (lpAt != 0) {
      itP = lpAt;
      return true;
    }
    if (next == 0) return false;
    itNode = next;
    itP = lpFirst(nodeLp(next));
    return true;
  }
  if (!wasFirst) {
    itP = lpPrev(newLp, newLp + off);
    return true;
  }
  if (prev == 0) return false;
  itNode = prev;
  itP = lpLast(nodeLp(prev));
  return true;
}

/** Reads the element under the cursor (listpack's lpGetValue globals). */
export function qlItValue(): void {
  lpGetValue(itP);
}

/** Replaces the element under the cursor (LSET); the cursor stays on it. */
export function qlItReplace(ql: usize, ptr: usize, len: usize): void {
  const n = itNode;
  setLp(n, lpReplace(nodeLp(n), itP, ptr, len));
  itP = lpAt;
  // A node that grew past its cap is split around the new element so later inserts stay cheap.
  const fill = listMaxListpackSize;
  const limit = fill < 0 ? sizeLimit(fill) : SIZE_SAFETY_LIMIT;
  if (nodeCount(n) > 1 && <usize>lpBytes(nodeLp(n)) > limit) splitAround(ql, n);
}

/**
 * Splits node n into up to three nodes: the entries before the cursor, the cursor's entry, and
 * the entries after it. The cursor follows its entry.
 */
function splitAround(ql: usize, n: usize): void {
  const lp = nodeLp(n);
  let before: u32 = 0;
  for (let q = lpFirst(lp); q != itP; q = lpNext(lp, q)) before++;
  const total = nodeCount(n);
  const afterCount = total - before - 1;
  if (afterCount > 0) {
    const after = lpNext(lp, itP);
    const m = newNode();
    setLp(m, lpAppendFrom(nodeLp(m), lp, after, afterCount));
    setNodeCount(m, afterCount);
    linkAfter(ql, n, m);
    setLp(n, lpDeleteRangeAt(lp, after, afterCount));
    setNodeCount(n, before + 1);
  }
  // n now ends with the cursor's entry.
  const cur = nodeLp(n);
  if (before > 0) {
    const last = lpLast(cur);
    const m = newNode();
    setLp(m, lpAppendFrom(nodeLp(m), cur, last, 1));
    setNodeCount(m, 1);
    linkAfter(ql, n, m);
    setLp(n, lpDelete(cur, last));
    setNodeCount(n, before);
    itNode = m;
    itP = lpFirst(nodeLp(m));
  } else {
    itNode = n;
    itP = lpFirst(cur);
  }
}

/**
 * Inserts before or after the element under the cursor (LINSERT). The cursor is invalid after.
 */
export function qlItInsert(ql: usize, ptr: usize, len: usize, after: bool): void {
  const n = itNode;
  const size = lpEncodedSize(ptr, len);
  addQlCount(ql, 1);
  if (allowInsert(n, size)) {
    setLp(n, lpInsert(nodeLp(n), itP, ptr, len, after ? LP_AFTER : LP_BEFORE));
    setNodeCount(n, nodeCount(n) + 1);
    return;
  }
  const lp = nodeLp(n);
  const atTail = after && lpNext(lp, itP) == 0;
  const atHead = !after && lpPrev(lp, itP) == 0;
  if (atTail) {
    const next = nodeNext(n);
    if (allowInsert(next, size)) {
      setLp(next, lpPrepend(nodeLp(next), ptr, len));
      setNodeCount(next, nodeCount(next) + 1);
    } else {
      const m = newNode();
      setLp(m, lpAppend(nodeLp(m), ptr, len));
      setNodeCount(m, 1);
      linkAfter(ql, n, m);
    }
    return;
  }
  if (atHead) {
    const prev = nodePrev(n);
    if (allowInsert(prev, size)) {
      setLp(prev, lpAppend(nodeLp(prev), ptr, len));
      setNodeCount(prev, nodeCount(prev) + 1);
    } else {
      const m = newNode();
      setLp(m, lpAppend(nodeLp(m), ptr, len));
      setNodeCount(m, 1);
      linkAfter(ql, prev, m);
    }
    return;
  }
  // In the middle of a full node: move the entries after the insertion point to a new node,
  // then the new element goes at the end of whichever half can take it.
  const splitAt = after ? lpNext(lp, itP) : itP;
  let keep: u32 = 0;
  for (let q = lpFirst(lp); q != splitAt; q = lpNext(lp, q)) keep++;
  const moved = nodeCount(n) - keep;
  const m = newNode();
  setLp(m, lpAppendFrom(nodeLp(m), lp, splitAt, moved));
  setNodeCount(m, moved);
  setLp(n, lpDeleteRangeAt(lp, splitAt, moved));
  setNodeCount(n, keep);
  linkAfter(ql, n, m);
  if (allowInsert(n, size)) {
    setLp(n, lpAppend(nodeLp(n), ptr, len));
    setNodeCount(n, keep + 1);
  } else if (allowInsert(m, size)) {
    setLp(m, lpPrepend(nodeLp(m), ptr, len));
    setNodeCount(m, moved + 1);
  } else {
    const k = newNode();
    setLp(k, lpAppend(nodeLp(k), ptr, len));
    setNodeCount(k, 1);
    linkAfter(ql, n, k);
  }
}

// ---- ranges --------------------------------------------------------------------------------------

/** Deletes `count` elements starting at index `start` (≥ 0), whole nodes at a time where possible. */
export function qlDelRange(ql: usize, start: i64, count: i64): void {
  if (count <= 0 || !qlSeek(ql, start)) return;
  let n = itNode;
  let p = itP;
  let left = count;
  while (left > 0 && n != 0) {
    const next = nodeNext(n);
    const lp = nodeLp(n);
    const c = nodeCount(n);
    let before: u32 = 0;
    if (p != lpFirst(lp)) for (let q = lpFirst(lp); q != p; q = lpNext(lp, q)) before++;
    const avail = <i64>(c - before);
    const del = left < avail ? <u32>left : <u32>avail;
    if (del == c) {
      unlinkNode(ql, n);
    } else {
      setLp(n, lpDeleteRangeAt(lp, p, del));
      setNodeCount(n, c - del);
    }
    addQlCount(ql, -<i32>del);
    left -= del;
    n = next;
    if (n != 0) p = lpFirst(nodeLp(n));
  }
}

