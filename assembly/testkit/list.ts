// Test hooks for listpack.ts, quicklist.ts and t_list.ts. Element bytes are written by the test at
// a pointer from memAlloc; elements read back are copied to a caller buffer.
import {
  lpNew, lpFree, lpBytes, lpLength, lpFirst, lpLast, lpNext, lpPrev, lpSeek, lpGet, lpStr, lpStrLen,
  lpGetValue, lpIsInt, lpInt, lpAppend, lpPrepend, lpInsert, lpReplace, lpDelete, lpDeleteRange,
  lpFind, lpAppendInt, lpAppendPair, lpMerge, lpDup, lpAt, lpEntrySize, lpEq,
} from "../listpack";

export function tkLpNew(cap: usize): usize { return lpNew(cap); }
export function tkLpFree(lp: usize): void { lpFree(lp); }
export function tkLpBytes(lp: usize): u32 { return lpBytes(lp); }
export function tkLpLength(lp: usize): u32 { return lpLength(lp); }
export function tkLpFirst(lp: usize): usize { return lpFirst(lp); }
export function tkLpLast(lp: usize): usize { return lpLast(lp); }
export function tkLpNext(lp: usize, p: usize): usize { return lpNext(lp, p); }
export function tkLpPrev(lp: usize, p: usize): usize { return lpPrev(lp, p); }
export function tkLpSeek(lp: usize, i: i32): usize { return lpSeek(lp, i); }
export function tkLpEntrySize(p: usize): usize { return lpEntrySize(p); }
/** Copies the entry's text to dst; returns its length. */
export function tkLpGet(p: usize, dst: usize): usize {
  lpGet(p);
  memory.copy(dst, lpStr, lpStrLen);
  return lpStrLen;
}
/** 1 when the entry is stored as an integer (value in tkLpIntValue). */
export function tkLpIsInt(p: usize): i32 {
  lpGetValue(p);
  return lpIsInt ? 1 : 0;
}
export function tkLpIntValue(p: usize): i64 {
  lpGetValue(p);
  return lpInt;
}
export function tkLpEq(p: usize, ptr: usize, len: usize): i32 { return lpEq(p, ptr, len) ? 1 : 0; }
export function tkLpAppend(lp: usize, ptr: usize, len: usize): usize { return lpAppend(lp, ptr, len); }
export function tkLpAppendInt(lp: usize, v: i64): usize { return lpAppendInt(lp, v); }
export function tkLpAppendPair(lp: usize, a: usize, al: usize, b: usize, bl: usize): usize { return lpAppendPair(lp, a, al, b, bl); }
export function tkLpPrepend(lp: usize, ptr: usize, len: usize): usize { return lpPrepend(lp, ptr, len); }
export function tkLpInsert(lp: usize, p: usize, ptr: usize, len: usize, where: i32): usize { return lpInsert(lp, p, ptr, len, where); }
export function tkLpReplace(lp: usize, p: usize, ptr: usize, len: usize): usize { return lpReplace(lp, p, ptr, len); }
export function tkLpDelete(lp: usize, p: usize): usize { return lpDelete(lp, p); }
export function tkLpDeleteRange(lp: usize, index: i32, count: u32): usize { return lpDeleteRange(lp, index, count); }
export function tkLpFind(lp: usize, p: usize, ptr: usize, len: usize, skip: u32): usize { return lpFind(lp, p, ptr, len, skip); }
export function tkLpMerge(a: usize, b: usize): usize { return lpMerge(a, b); }
export function tkLpDup(lp: usize): usize { return lpDup(lp); }
export function tkLpAt(): usize { return lpAt; }

// ---- quicklist ----------------------------------------------------------------------------------
import {
  qlCreate, qlFree, qlDup, qlMemory, qlCount, qlNodes, qlHead, qlTail, qlPush, qlSeek, itP,
  qlItInsert, qlItReplace, qlItDelete, qlDelRange, qlPopDiscard, nodeNext, nodePrev, nodeLp, nodeCount,
} from "../quicklist";
import { setEngineConfig, CFG_LIST_MAX_LISTPACK_SIZE } from "../config";

export function tkQlSetFill(v: i32): void { setEngineConfig(CFG_LIST_MAX_LISTPACK_SIZE, <f64>v); }
export function tkQlCreate(): usize { return qlCreate(); }
export function tkQlFree(ql: usize): void { qlFree(ql); }
export function tkQlDup(ql: usize): usize { return qlDup(ql); }
export function tkQlMemory(ql: usize): usize { return qlMemory(ql); }
export function tkQlCount(ql: usize): u32 { return qlCount(ql); }
export function tkQlNodes(ql: usize): u32 { return qlNodes(ql); }
export function tkQlPush(ql: usize, ptr: usize, len: usize, head: i32): void { qlPush(ql, ptr, len, head != 0); }
export function tkQlPop(ql: usize, head: i32): void { qlPopDiscard(ql, head != 0); }
/** Copies element `index` to dst and returns its length, or -1 when out of range. */
export function tkQlGet(ql: usize, index: i32, dst: usize): i32 {
  if (!qlSeek(ql, index)) return -1;
  lpGet(itP);
  memory.copy(dst, lpStr, lpStrLen);
  return <i32>lpStrLen;
}
export function tkQlInsert(ql: usize, index: i32, ptr: usize, len: usize, after: i32): void {
  qlSeek(ql, index);
  qlItInsert(ql, ptr, len, after != 0);
}
export function tkQlReplace(ql: usize, index: i32, ptr: usize, len: usize): void {
  qlSeek(ql, index);
  qlItReplace(ql, ptr, len);
}
export function tkQlDelete(ql: usize, index: i32, forward: i32): void {
  qlSeek(ql, index);
  qlItDelete(ql, forward != 0);
}
export function tkQlDelRange(ql: usize, start: i32, count: i32): void { qlDelRange(ql, start, count); }
/** Structure check: links both ways, counts, no empty node, node sizes within `maxBytes` unless single. */
export function tkQlCheck(ql: usize, maxBytes: u32): i32 {
  let total: u32 = 0;
  let nodes: u32 = 0;
  let prev: usize = 0;
  for (let n = qlHead(ql); n != 0; n = nodeNext(n)) {
    if (nodePrev(n) != prev) return -1;
    if (nodeCount(n) == 0) return -2;
    if (nodeCount(n) != lpLength(nodeLp(n))) return -3;
    if (nodeCount(n) > 1 && lpBytes(nodeLp(n)) > maxBytes) return -4;
    total += nodeCount(n);
    nodes++;
    prev = n;
  }
  if (prev != qlTail(ql)) return -5;
  if (total != qlCount(ql)) return -6;
  if (nodes != qlNodes(ql)) return -7;
  return 1;
}
