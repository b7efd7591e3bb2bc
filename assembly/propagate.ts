// Propagation: the engine's account of every change to the dataset, as commands that replay it
// exactly. The AOF is this stream written to disk (host/aof/); a replica would be fed the same.
//
// A command is propagated only if it changed the dataset (server.dirty moved), and in a form
// whose replay gives the same result at any later time, on an engine with other hash seeds:
//
//   - By default, the command as the client sent it: exec() copies its arguments after it ran.
//   - A handler whose effect depends on the clock, on chance or on where a blocked client was
//     served writes its own deterministic form instead (propCommand + prop* arguments), which
//     tells exec not to copy the original: relative expiries become PEXPIREAT or SET … PXAT,
//     INCRBYFLOAT a SET of the result, SPOP the SREM of what it popped, BLPOP the LPOP of the
//     key it served, and so on — the forms Redis 7.0 writes.
//   - Keys deleted because they expired (lazily or by the active cycle) or were evicted are
//     propagated as DEL when they go, before the command that found them.
//
// Every command is preceded by SELECT when its database differs from the last one written.
// A transaction's commands are wrapped in MULTI … EXEC when it propagated two or more (a single
// command is atomic anyway), with the SELECT, if any, ahead of MULTI as Redis writes it.
//
// The stream accumulates in a buffer of its own that the host drains (propagatedPtr/Len, then
// propagatedReset) before it writes the AOF. Its memory is counted in used_memory but not held
// against maxmemory (Redis leaves its AOF buffer out too): eviction writes DELs into it, and
// counting them would make room for nothing.
import { alloc, realloc, free } from "./alloc";
import { ll2string } from "./util";
import { argPtr, argLen, argc } from "./request";
import { setNotCountedMemory } from "./server";

/** Whether changes are propagated at all (the host turns it on with the AOF). */
export let propOn: bool = false;
/** The running command wrote its own form: exec must not copy its arguments. */
export let propDone: bool = false;

let buf: usize = 0;
let cap: usize = 0;
let len: usize = 0;
/** Database of the last SELECT written (-1: none yet, the next command writes one). */
let selectedDb: i32 = -1;

// A transaction being propagated: where it starts in the buffer, where its MULTI goes (after a
// leading SELECT), how many commands it holds so far.
let txDepth: i32 = 0;
let txStart: usize = 0;
let txInsertAt: usize = 0;
let txOps: u32 = 0;

const MIN_CAP: usize = 16384;
/** After a burst, a buffer larger than this is given back when drained. */
const KEEP_CAP: usize = 1 << 20;

// ---- host controls -------------------------------------------------------------------------------

export function setPropagation(on: i32): void {
  propOn = on != 0;
  selectedDb = -1;
  // Whatever was not taken is dropped, a transaction's part too (its MULTI is not written).
  len = 0;
  txStart = 0;
  txInsertAt = 0;
  txOps = 0;
}

export function propagatedPtr(): usize {
  return buf;
}

/** Bytes ready for the host: inside a transaction, only those written before it began. */
export function propagatedLen(): usize {
  return txDepth > 0 ? txStart : len;
}

/** The host took the ready bytes (a transaction under way keeps its part, moved to the front). */
export function propagatedReset(): void {
  if (txDepth > 0) {
    memory.copy(buf, buf + txStart, len - txStart);
    len -= txStart;
    txInsertAt -= txStart;
    txStart = 0;
    return;
  }
  len = 0;
  if (cap > KEEP_CAP) {
    free(buf);
    buf = 0;
    cap = 0;
    setNotCountedMemory(0);
  }
}

/** The next command writes a SELECT whatever the last database was (a new AOF file starts). */
export function propagationForceSelect(): void {
  selectedDb = -1;
}

/** Brackets a transaction (EXEC): what it propagates is wrapped in MULTI … EXEC if 2+ commands. */
export function propagateMulti(begin: i32): void {
  if (begin != 0) {
    if (txDepth++ > 0) return;
    txStart = len;
    txInsertAt = len;
    txOps = 0;
    return;
  }
  if (txDepth == 0 || --txDepth > 0) return;
  if (txOps < 2) return;
  // "*1\r\n$5\r\nMULTI\r\n" goes in front of the first command, after its SELECT if it had one.
  const multiLen: usize = 15;
  reserve(multiLen);
  memory.copy(buf + txInsertAt + multiLen, buf + txInsertAt, len - txInsertAt);
  writeAsciiAt(buf + txInsertAt, "*1\r\n$5\r\nMULTI\r\n");
  len += multiLen;
  header(1);
  bulkAscii("EXEC");
}

// ---- writing a command ---------------------------------------------------------------------------

/** Called by exec before each command. */
// @ts-ignore: decorator
@inline
export function propBeginCommand(): void {
  propDone = false;
}

/** Starts a command of `n` arguments for database `db` (the arguments follow: propBulk…). */
function open(db: i32, n: i32): void {
  if (db != selectedDb) {
    header(2);
    bulkAscii("SELECT");
    bulkInt(<i64>db);
    selectedDb = db;
  }
  if (txDepth > 0) {
    // The MULTI of a transaction goes after the SELECT that precedes its first command.
    if (txOps == 0) txInsertAt = len;
    txOps++;
  }
  header(n);
}

/**
 * The running command's own deterministic form: `n` arguments, the first of them written here
 * as the ASCII `name`, the rest by the caller (propArg, propBulk, propBulkInt, propBulkAscii).
 */
export function propCommand(db: i32, n: i32, name: string): void {
  propDone = true;
  open(db, n);
  bulkAscii(name);
}

/** The running command's form is DEL of its key (argument 1): GETDEL, an expiry in the past… */
export function propAsDel(db: i32): void {
  propCommand(db, 2, "DEL");
  propArg(1);
}

/** The running command exactly as sent (exec calls this for a command that changed data). */
export function propVerbatim(db: i32): void {
  open(db, argc);
  for (let i = 0; i < argc; i++) bulk(argPtr(i), argLen(i));
}

/** DEL of a key that expired or was evicted (the running command, if any, is not affected). */
export function propDel(db: i32, key: usize, klen: usize): void {
  open(db, 2);
  bulkAscii("DEL");
  bulk(key, klen);
}

/** Argument `i` of the running command, unchanged. */
export function propArg(i: i32): void {
  bulk(argPtr(i), argLen(i));
}

export function propBulk(ptr: usize, n: usize): void {
  bulk(ptr, n);
}

export function propBulkInt(v: i64): void {
  bulkInt(v);
}

export function propBulkAscii(s: string): void {
  bulkAscii(s);
}

// ---- the buffer ------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
function reserve(n: usize): usize {
  if (len + n > cap) grow(n);
  return buf + len;
}

function grow(n: usize): void {
  let c: usize = cap < MIN_CAP ? MIN_CAP : cap;
  while (c < len + n) c <<= 1;
  buf = buf == 0 ? alloc(c) : realloc(buf, c);
  cap = c;
  setNotCountedMemory(cap);
}

function header(n: i32): void {
  const p = reserve(24);
  store<u8>(p, 42); // '*'
  const d = ll2string(p + 1, <i64>n);
  store<u16>(p + 1 + d, 0x0a0d);
  len += d + 3;
}

function bulk(ptr: usize, n: usize): void {
  const p = reserve(n + 24);
  store<u8>(p, 36); // '$'
  const d = ll2string(p + 1, <i64>n);
  store<u16>(p + 1 + d, 0x0a0d);
  memory.copy(p + 3 + d, ptr, n);
  store<u16>(p + 3 + d + n, 0x0a0d);
  len += n + d + 5;
}

function bulkInt(v: i64): void {
  const p = reserve(32);
  // Digits go 8 bytes in, then the header is written in front of them and the digits moved.
  const d = ll2string(p + 8, v);
  store<u8>(p, 36);
  const h = ll2string(p + 1, <i64>d);
  memory.copy(p + 3 + h, p + 8, d);
  store<u16>(p + 1 + h, 0x0a0d);
  store<u16>(p + 3 + h + d, 0x0a0d);
  len += h + d + 5;
}

function bulkAscii(s: string): void {
  const n = <usize>s.length;
  const p = reserve(n + 24);
  store<u8>(p, 36);
  const d = ll2string(p + 1, <i64>n);
  store<u16>(p + 1 + d, 0x0a0d);
  writeAsciiAt(p + 3 + d, s);
  store<u16>(p + 3 + d + n, 0x0a0d);
  len += n + d + 5;
}

function writeAsciiAt(p: usize, s: string): void {
  const src = changetype<usize>(s);
  for (let i = 0, n = s.length; i < n; i++) store<u8>(p + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
}
