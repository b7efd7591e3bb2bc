// The engine writes each command's reply as RESP bytes, in the protocol of the client that sent
// the batch (2 or 3), into one growable output buffer that the host copies to the socket.
// Writing RESP here rather than a typed intermediate form saves the host a second pass over
// every reply; the host keeps its own encoder for the replies it produces itself.
import { alloc, realloc } from "./alloc";
import { ll2string } from "./util";

/** Protocol of the client whose batch is being executed (2 or 3). */
export let proto: i32 = 2;

let buf: usize = 0;
let cap: usize = 0;
let len: usize = 0;

export function setProto(p: i32): void {
  proto = p;
}

/** Starts a new batch: the buffer is reused, its contents forgotten. */
export function resetOutput(): void {
  len = 0;
}

export function outputPtr(): usize {
  return buf;
}

export function outputLen(): usize {
  return len;
}

/** Makes room for `n` more bytes and returns where they go. */
// @ts-ignore: decorator
@inline
export function reserve(n: usize): usize {
  if (len + n > cap) grow(n);
  return buf + len;
}

function grow(n: usize): void {
  let c: usize = cap < 16384 ? 16384 : cap;
  while (c < len + n) c <<= 1;
  buf = buf == 0 ? alloc(c) : realloc(buf, c);
  cap = c;
}

// @ts-ignore: decorator
@inline
function put2(p: usize, a: u8, b: u8): void {
  store<u8>(p, a);
  store<u8>(p, b, 1);
}

// @ts-ignore: decorator
@inline
function crlf(p: usize): void {
  store<u16>(p, 0x0a0d);
}

/** Appends raw bytes (already RESP). */
export function addReplyProto(ptr: usize, n: usize): void {
  const p = reserve(n);
  memory.copy(p, ptr, n);
  len += n;
}

/** Appends an ASCII string literal's characters as bytes. Literals are static: nothing is allocated. */
export function addAscii(s: string): void {
  const n = <usize>s.length;
  const p = reserve(n);
  const src = changetype<usize>(s);
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, <u8>load<u16>(src + (i << 1)));
  len += n;
}

function addHeader(prefix: u8, n: i64): void {
  const p = reserve(24);
  store<u8>(p, prefix);
  const d = ll2string(p + 1, n);
  crlf(p + 1 + d);
  len += d + 3;
}

export function addReplyOK(): void {
  const p = reserve(5);
  store<u32>(p, 0x0d4b4f2b); // "+OK\r"
  store<u8>(p, 0x0a, 4);
  len += 5;
}

/** `+status\r\n` */
export function addReplyStatus(s: string): void {
  store<u8>(reserve(1), 43);
  len++;
  addAscii(s);
  crlf(reserve(2));
  len += 2;
}

/** `-ERR msg\r\n`: the generic error. */
export function addReplyError(msg: string): void {
  addAscii("-ERR ");
  addAscii(msg);
  crlf(reserve(2));
  len += 2;
}

/** `-CODE msg\r\n`: `msg` starts with its own error code (WRONGTYPE, NOPROTO, ...). */
export function addReplyErrorCode(msg: string): void {
  store<u8>(reserve(1), 45);
  len++;
  addAscii(msg);
  crlf(reserve(2));
  len += 2;
}

export function addReplyLongLong(v: i64): void {
  addHeader(58, v); // ':'
}

export function addReplyBulk(ptr: usize, n: usize): void {
  const p = reserve(n + 24);
  store<u8>(p, 36); // '$'
  const d = ll2string(p + 1, <i64>n);
  crlf(p + 1 + d);
  memory.copy(p + 3 + d, ptr, n);
  crlf(p + 3 + d + n);
  len += n + d + 5;
}

/** A bulk string holding the decimal form of `v`. */
export function addReplyBulkLongLong(v: i64): void {
  const p = reserve(32);
  const tmp = p + 8; // digits first, then the header in front of them
  const d = ll2string(tmp, v);
  store<u8>(p, 36);
  const h = ll2string(p + 1, <i64>d);
  memory.copy(p + 3 + h, tmp, d);
  crlf(p + 1 + h);
  crlf(p + 3 + h + d);
  len += d + h + 5;
}

/** A bulk string from an ASCII literal. */
export function addReplyBulkAscii(s: string): void {
  addHeader(36, s.length);
  addAscii(s);
  crlf(reserve(2));
  len += 2;
}

/** The null bulk string: `$-1` in RESP2, `_` in RESP3. */
export function addReplyNull(): void {
  if (proto >= 3) {
    const p = reserve(3);
    store<u8>(p, 95);
    crlf(p + 1);
    len += 3;
  } else {
    const p = reserve(5);
    store<u32>(p, 0x0d312d24); // "$-1\r"
    store<u8>(p, 0x0a, 4);
    len += 5;
  }
}

/** The null array: `*-1` in RESP2, `_` in RESP3. */
export function addReplyNullArray(): void {
  if (proto >= 3) {
    addReplyNull();
  } else {
    const p = reserve(5);
    store<u32>(p, 0x0d312d2a); // "*-1\r"
    store<u8>(p, 0x0a, 4);
    len += 5;
  }
}

export function addReplyArrayLen(n: i64): void {
  addHeader(42, n);
}

/** A map of `n` pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
export function addReplyMapLen(n: i64): void {
  if (proto >= 3) addHeader(37, n);
  else addHeader(42, n * 2);
}

/** A set: `~n` in RESP3, an array in RESP2. */
export function addReplySetLen(n: i64): void {
  addHeader(proto >= 3 ? 126 : 42, n);
}

/** RESP3 boolean; RESP2 gets 1 or 0 as an integer. */
export function addReplyBool(b: bool): void {
  if (proto >= 3) {
    const p = reserve(4);
    store<u8>(p, 35);
    store<u8>(p, b ? 116 : 102, 1);
    crlf(p + 2);
    len += 4;
  } else addReplyLongLong(b ? 1 : 0);
}

/** Verbatim string (RESP3 `=len\r\ntxt:...`), a plain bulk string in RESP2. */
export function addReplyVerbatim(ptr: usize, n: usize): void {
  if (proto < 3) {
    addReplyBulk(ptr, n);
    return;
  }
  addHeader(61, n + 4);
  addAscii("txt:");
  addReplyProto(ptr, n);
  crlf(reserve(2));
  len += 2;
}

// Deferred lengths: for replies whose element count is known only after writing the elements
// (SCAN, KEYS). The header is inserted in front of the elements afterwards.

/** Remembers where a collection starts; pass the result to setDeferred*Len. */
export function addReplyDeferredLen(): usize {
  return len;
}

const headerScratch: usize = memory.data(32);

function insertHeader(at: usize, prefix: u8, n: i64): void {
  store<u8>(headerScratch, prefix);
  const d = ll2string(headerScratch + 1, n);
  crlf(headerScratch + 1 + d);
  const h = d + 3;
  reserve(h); // may move the buffer: take addresses after it
  const start = buf + at;
  memory.copy(start + h, start, len - at);
  memory.copy(start, headerScratch, h);
  len += h;
}

export function setDeferredArrayLen(at: usize, n: i64): void {
  insertHeader(at, 42, n);
}

export function setDeferredMapLen(at: usize, n: i64): void {
  if (proto >= 3) insertHeader(at, 37, n);
  else insertHeader(at, 42, n * 2);
}

export function setDeferredSetLen(at: usize, n: i64): void {
  insertHeader(at, proto >= 3 ? 126 : 42, n);
}

// Errors assembled from pieces, e.g. quoting a user's argument, without building a string:
//   errorBegin("ERR Unsupported option "); errorBytes(p, n); errorEnd();

/** Starts `-<text>`; `text` includes the error code. */
export function errorBegin(text: string): void {
  store<u8>(reserve(1), 45);
  len++;
  addAscii(text);
}

export function errorAscii(text: string): void {
  addAscii(text);
}

/** User bytes inside an error: newlines become spaces so the reply stays one line. */
export function errorBytes(ptr: usize, n: usize): void {
  const p = reserve(n);
  for (let i: usize = 0; i < n; i++) {
    const c = load<u8>(ptr + i);
    store<u8>(p + i, c == 13 || c == 10 ? 32 : c);
  }
  len += n;
}

export function errorEnd(): void {
  crlf(reserve(2));
  len += 2;
}

/** `-ERR invalid expire time in '<name>' command`, shared by SET, GETEX, EXPIRE and friends. */
export function addReplyExpireTimeError(name: string): void {
  errorBegin("ERR invalid expire time in '");
  errorAscii(name);
  errorAscii("' command");
  errorEnd();
}

/** `-ERR wrong number of arguments for '<name>' command`, for arity rules the table can't express. */
export function addReplyArityError(name: string): void {
  errorBegin("ERR wrong number of arguments for '");
  errorAscii(name);
  errorAscii("' command");
  errorEnd();
}
