// RESP request decoder: turns socket bytes into commands described by offsets.
//
// This is the hottest JavaScript path of the server, so it never makes a JS string or an object per
// argument. A feed() fills one reused ParsedBatch: a byte buffer (`data`) plus flat Int32Arrays saying
// where each argument lies in it. The server copies data[0, dataLen) into the engine once and passes
// the offsets along.
//
// Where the bytes live:
//   - When nothing is pending, `data` is the socket chunk itself (zero copies).
//   - The tail of an incomplete command is copied into `pbuf`, a buffer the decoder owns. The next
//     chunk is appended there and parsing resumes where it stopped (the position, the arguments already
//     found and the newline scan position are all kept), so a command split over many reads costs
//     linear time, not a re-parse per read.
//   - When a bulk header tells how many bytes the command still needs, later chunks are only kept in a
//     list until enough have arrived, then copied once into a buffer of the exact size. A 100 MB value
//     in 64 KB reads is copied once, not 1600 times.
//     Those chunks are kept by reference, so a caller must not modify a Buffer after feeding it
//     (Node's socket 'data' chunks are never reused; the decoder itself never writes into them).
//   - Moving the pending tail to the front of `pbuf` is deferred to the next feed(), because the batch
//     just returned may still point into `pbuf` (a batch is valid until the next feed()/next()).
//
// What counts as valid input follows what Redis 7.0 accepts, byte for byte, including its quirks
// (each checked against a real redis-server):
//   - `*` at the start of a command means multibulk; anything else is an inline command.
//   - Numbers in `*N` and `$N` lines are strict: no sign `+`, no leading zeros, no `-0`, at most 20
//     characters. `*N` with N <= 0 is an empty command and is skipped; N > INT_MAX is invalid.
//   - The two bytes after a bulk's data, and the byte after each `\r` of a header, are skipped without
//     being checked (`$4\r\nPINGxx` is PING).
//   - Redis looks for line ends with strchr, which stops at a NUL byte: a NUL before the `\r` of a
//     header, or before the `\n` of an inline line, makes the line never end (until the size limit).
//   - Inline lines are split like Redis's sdssplitargs: quotes, escapes, and a closing quote that must
//     be followed by whitespace or the end of the line.
//   - The "too big" errors fire only when no line end has arrived yet and more than 64 KB wait.
//   - Error replies replace `\r` and `\n` with spaces (Redis sanitizes formatted errors), so `got '\r'`
//     reads `got ' '`. A byte >= 0x80 in `got 'X'` is that raw byte: `error` is a latin1 string.
//
// Unauthenticated clients are limited (multibulk count > 10, bulk length > 16384 are errors). Redis
// checks this while executing the pipeline one command at a time, so `AUTH pw` followed by a big
// command in the same read is fine. To get the same answer, when a command would break the limit and
// commands before it are in the batch, the decoder stops the batch there and sets `more`: the server
// runs the batch (maybe AUTH), then calls next(), which re-reads that command with the current flag.

/** Redis's PROTO_INLINE_MAX_SIZE: the longest line (inline request or header) waited for. */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Limits Redis applies to clients that still have to authenticate. */
export const UNAUTH_MAX_MULTIBULK = 10;
export const UNAUTH_MAX_BULK = 16384;
const INT_MAX = 2147483647;
/** Pending buffers bigger than this are dropped once empty, so one huge value does not pin memory. */
const KEEP_PBUF_BYTES = 1024 * 1024;

export const ERR_INVALID_MULTIBULK = "ERR Protocol error: invalid multibulk length";
export const ERR_INVALID_BULK = "ERR Protocol error: invalid bulk length";
export const ERR_TOO_BIG_INLINE = "ERR Protocol error: too big inline request";
export const ERR_TOO_BIG_MBULK = "ERR Protocol error: too big mbulk count string";
export const ERR_TOO_BIG_BULK = "ERR Protocol error: too big bulk count string";
export const ERR_UNBALANCED = "ERR Protocol error: unbalanced quotes in request";
export const ERR_UNAUTH_MULTIBULK = "ERR Protocol error: unauthenticated multibulk length";
export const ERR_UNAUTH_BULK = "ERR Protocol error: unauthenticated bulk length";
/** The `expected '$', got 'X'` error for byte `c` (latin1; `\r`/`\n` shown as a space like Redis). */
export function errExpectedDollar(c: number): string {
  const shown = c === 13 || c === 10 ? " " : String.fromCharCode(c);
  return "ERR Protocol error: expected '$', got '" + shown + "'";
}

export interface ParsedBatch {
  /** Complete commands parsed. */
  count: number;
  /** Bytes that all offsets refer to (contiguous). */
  data: Buffer;
  /** End of the last complete command in `data`: the server copies data[0, dataLen). */
  dataLen: number;
  /** argc[i]: number of arguments of command i (arrays may be longer than count; reused). */
  argc: Int32Array;
  /** first[i]: index in argOff/argLen of command i's first argument. */
  first: Int32Array;
  argOff: Int32Array;
  argLen: Int32Array;
  /** Protocol error after the `count` commands: reply "-" + error + "\r\n" (latin1), then close. */
  error: string | null;
  /** Commands were held back (see the unauthenticated limits): run this batch, then call next(). */
  more: boolean;
}

export interface RespDecoderOptions {
  maxBulkLen?: number;
  maxMultibulkLen?: number;
  maxInlineLen?: number;
}

/** Counters that let tests see copying behaviour without timing anything. */
export interface DecoderStats {
  /** Times pending bytes and new chunks were joined into one buffer. */
  concats: number;
  /** Bytes copied by those joins, by growth of the pending buffer, and by keeping leftovers. */
  copiedBytes: number;
}

const EMPTY = Buffer.alloc(0);

// Returned by the parse helpers for "not enough bytes yet".
const WAIT = -1;
// Returned by the strict number parser for "not a number Redis would accept".
const BAD = Number.NaN;

function isSpace(c: number): boolean {
  // C isspace() in the "C" locale: space, \t, \n, \v, \f, \r.
  return c === 32 || (c >= 9 && c <= 13);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

// Digits of LLONG_MAX; LLONG_MIN's magnitude is one more.
const LLONG_DIGITS = "9223372036854775807";

/**
 * Redis's string2ll over data[from, to): optional '-', then "0" alone or a digit 1-9 followed by
 * digits, within the range of a signed 64-bit integer. Returns the value (approximate beyond 2^53,
 * which only ever matters for comparisons with limits far below that) or NaN.
 */
function parseLL(data: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len <= 0 || len > 20) return BAD;
  let i = from;
  let neg = false;
  if (len === 1 && data[i] === 48) return 0;
  if (data[i] === 45) {
    neg = true;
    i++;
    if (i === to) return BAD;
  }
  const c0 = data[i];
  if (c0 < 49 || c0 > 57) return BAD;
  let v = c0 - 48;
  const digitsFrom = i;
  for (i++; i < to; i++) {
    const c = data[i];
    if (c < 48 || c > 57) return BAD;
    v = v * 10 + (c - 48);
  }
  const nd = to - digitsFrom;
  if (nd > 19) return BAD;
  if (nd === 19) {
    // Doubles cannot tell LLONG_MAX from LLONG_MAX + 1: compare the digits exactly.
    for (let k = 0; k < 19; k++) {
      const d = data[digitsFrom + k];
      const m = LLONG_DIGITS.charCodeAt(k) + (k === 18 && neg ? 1 : 0);
      if (d < m) break;
      if (d > m) return BAD;
    }
  }
  return neg ? -v : v;
}

export class RespDecoder {
  /** proto-max-bulk-len. */
  maxBulkLen: number;
  /** Largest accepted `*N` (Redis 7.0: INT_MAX). */
  maxMultibulkLen: number;
  /** PROTO_INLINE_MAX_SIZE: inline requests and header lines waited for without a line end. */
  maxInlineLen: number;
  /** Set by the server while the client must still authenticate. */
  unauthenticated = false;
  /** Copy counters (for tests and diagnostics). */
  readonly stats: DecoderStats = { concats: 0, copiedBytes: 0 };

  private readonly batch: ParsedBatch;
  /** Set once a protocol error was reported: later input is ignored. */
  private failed = false;

  // Pending bytes: pbuf[pstart, plen) then the chunks in `parts`. Only the command at pstart (and
  // maybe commands held back for `more`) is pending.
  private pbuf: Buffer = EMPTY;
  private pstart = 0;
  private plen = 0;
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Pending bytes needed before parsing can progress (0: try with whatever there is). */
  private need = 0;

  // Where parsing of the pending command stopped, relative to its first byte.
  private rPos = 0;
  private rMbLeft = 0; // arguments still expected; 0: not inside a multibulk
  private rBulkLen = -1; // length of the bulk whose data is awaited; -1: a `$` line is awaited
  private rScan = 0; // where the line-end search resumes
  private rArgs = 0; // arguments already found (stored at argOff[rFirst...], relative offsets)
  private rFirst = 0;

  constructor(opts: RespDecoderOptions = {}) {
    this.maxBulkLen = opts.maxBulkLen ?? 512 * 1024 * 1024;
    this.maxMultibulkLen = opts.maxMultibulkLen ?? INT_MAX;
    this.maxInlineLen = opts.maxInlineLen ?? PROTO_INLINE_MAX_SIZE;
    this.batch = {
      count: 0,
      data: EMPTY,
      dataLen: 0,
      argc: new Int32Array(64),
      first: new Int32Array(64),
      argOff: new Int32Array(256),
      argLen: new Int32Array(256),
      error: null,
      more: false,
    };
  }

  /** Bytes buffered for commands not yet returned (client-query-buffer-limit, CLIENT LIST qbuf). */
  pending(): number {
    return this.plen - this.pstart + this.partsLen;
  }

  /** Parses as many complete commands as `chunk` completes. The batch is reused: valid until the next call. */
  feed(chunk: Buffer): ParsedBatch {
    const b = this.batch;
    b.count = 0;
    b.dataLen = 0;
    b.error = null;
    b.more = false;
    if (this.failed) {
      b.data = EMPTY;
      return b;
    }
    if (this.plen === this.pstart && this.partsLen === 0) {
      if (chunk.length === 0) {
        b.data = EMPTY;
        return b;
      }
      this.run(chunk, chunk.length, false);
      return b;
    }
    // Something is pending. Move it to the front now that the previous batch is dead.
    if (this.pstart > 0) {
      this.pbuf.copyWithin(0, this.pstart, this.plen);
      this.plen -= this.pstart;
      this.pstart = 0;
    }
    if (this.rArgs > 0 && this.rFirst > 0) {
      b.argOff.copyWithin(0, this.rFirst, this.rFirst + this.rArgs);
      b.argLen.copyWithin(0, this.rFirst, this.rFirst + this.rArgs);
    }
    this.rFirst = 0;
    const total = this.plen + this.partsLen + chunk.length;
    if (total < this.need) {
      // Nothing can be parsed yet: keep a reference, copy later, once.
      if (chunk.length > 0) {
        this.parts.push(chunk);
        this.partsLen += chunk.length;
      }
      b.data = this.pbuf;
      return b;
    }
    this.gather(chunk, total);
    this.run(this.pbuf, total, true);
    return b;
  }

  /** After a batch with `more`: parses the commands held back (with the current `unauthenticated`). */
  next(): ParsedBatch {
    return this.feed(EMPTY);
  }

  /**
   * Hands back every byte not yet returned as a command, and forgets it. A client parked by a
   * blocking command sets its later input aside this way and feeds it again once it is released.
   */
  takePending(): Buffer {
    const out = Buffer.concat([this.pbuf.subarray(this.pstart, this.plen), ...this.parts]);
    const failed = this.failed;
    this.reset();
    this.failed = failed;
    return out;
  }

  /** Forgets all pending input and any error (e.g. for a reused connection object). */
  reset(): void {
    this.failed = false;
    this.pstart = this.plen = 0;
    this.parts = [];
    this.partsLen = 0;
    this.need = 0;
    this.clearResume();
    if (this.pbuf.length > KEEP_PBUF_BYTES) this.pbuf = EMPTY;
  }

  private clearResume(): void {
    this.rPos = 0;
    this.rMbLeft = 0;
    this.rBulkLen = -1;
    this.rScan = 0;
    this.rArgs = 0;
    this.rFirst = 0;
  }

  /** Makes pbuf[0, total) = pending bytes + parts + chunk, growing pbuf geometrically or exactly. */
  private gather(chunk: Buffer, total: number): void {
    let buf = this.pbuf;
    if (buf.length < total) {
      // Doubling keeps many small appends linear; `total` alone covers a big bulk whose size was known.
      const grown = Buffer.allocUnsafe(Math.max(total, Math.min(buf.length * 2, total + KEEP_PBUF_BYTES), 4096));
      if (this.plen > 0) {
        buf.copy(grown, 0, 0, this.plen);
        this.stats.copiedBytes += this.plen;
      }
      buf = this.pbuf = grown;
    }
    let at = this.plen;
    for (const part of this.parts) {
      part.copy(buf, at);
      at += part.length;
    }
    if (chunk.length > 0) chunk.copy(buf, at);
    this.stats.concats++;
    this.stats.copiedBytes += this.partsLen + chunk.length;
    this.parts = [];
    this.partsLen = 0;
    this.plen = total;
  }

  /** Keeps data[from, end) as the pending tail. */
  private keep(data: Buffer, from: number, end: number): void {
    if (data === this.pbuf) {
      this.pstart = from; // compacted by the next feed()
      this.plen = end;
      return;
    }
    const n = end - from;
    if (this.pbuf.length < n) this.pbuf = Buffer.allocUnsafe(Math.max(n, 4096));
    data.copy(this.pbuf, 0, from, end);
    this.stats.copiedBytes += n;
    this.pstart = 0;
    this.plen = n;
  }

  private dropPending(): void {
    this.pstart = this.plen = 0;
    this.need = 0;
    if (this.pbuf.length > KEEP_PBUF_BYTES) this.pbuf = EMPTY; // the batch still holds it if needed
  }

  private growCmds(): void {
    const b = this.batch;
    const n = b.argc.length * 2;
    const argc = new Int32Array(n);
    argc.set(b.argc);
    const first = new Int32Array(n);
    first.set(b.first);
    b.argc = argc;
    b.first = first;
  }

  private growArgs(): void {
    const b = this.batch;
    const n = b.argOff.length * 2;
    const off = new Int32Array(n);
    off.set(b.argOff);
    const len = new Int32Array(n);
    len.set(b.argLen);
    b.argOff = off;
    b.argLen = len;
  }

  /**
   * The parser. `resume` means data starts with the pending command, whose progress is in the r*
   * fields. Fills the batch; keeps whatever is incomplete.
   */
  private run(data: Buffer, end: number, resume: boolean): void {
    const b = this.batch;
    let argOff = b.argOff;
    let argLen = b.argLen;
    let argCap = argOff.length;
    let count = 0;
    let nargs = 0; // arguments stored so far in this batch
    let cmdFirst = 0; // index of the current command's first argument
    let cs = 0; // first byte of the current command
    let p = 0; // parse position
    let mbLeft = 0;
    let bulkLen = -1;
    let scan = 0; // absolute position where a line-end search may start (0: from the line start)
    const maxBulk = this.maxBulkLen;
    const unauth = this.unauthenticated;
    let error: string | null = null;
    let more = false;
    if (resume) {
      p = this.rPos;
      mbLeft = this.rMbLeft;
      bulkLen = this.rBulkLen;
      scan = this.rScan;
      nargs = this.rArgs; // already at argOff[0...], offsets relative to the command = absolute now
    }

    // Each exit from this loop sets how the tail [cs, end) is kept (or `error`).
    parse: for (;;) {
      if (mbLeft === 0) {
        // At a command boundary.
        cs = p;
        cmdFirst = nargs;
        if (p >= end) break;
        if (data[p] !== 42 /* '*' */) {
          // Inline command: rare, kept out of the hot loop.
          const r = this.inline(data, p, end, scan, nargs);
          if (r === WAIT) {
            scan = this.inlineScan;
            break;
          }
          if (r < 0) {
            error = r === -2 ? ERR_UNBALANCED : ERR_TOO_BIG_INLINE;
            break;
          }
          data = this.batch.data; // inline() may have switched to an owned copy to unescape in place
          argOff = b.argOff;
          argLen = b.argLen;
          argCap = argOff.length;
          scan = 0;
          p = r;
          const n = this.inlineArgs;
          if (n > 0) {
            if (count >= b.argc.length) this.growCmds();
            b.argc[count] = n;
            b.first[count] = nargs;
            count++;
            nargs += n;
          }
          continue;
        }
        // `*N\r\n`
        let r = scan > p ? scan : p;
        scan = 0;
        for (;;) {
          if (r >= end) break;
          const c = data[r];
          if (c === 13) break;
          if (c === 0) {
            r = -r - 1; // NUL: this line never ends (remember where, for the next scan)
            break;
          }
          r++;
        }
        if (r < 0 || r >= end) {
          if (end - p > this.maxInlineLen) {
            error = ERR_TOO_BIG_MBULK;
          } else {
            scan = r < 0 ? -r - 1 : end;
          }
          break;
        }
        if (r + 1 >= end) {
          scan = r;
          break;
        }
        const n = parseLL(data, p + 1, r);
        if (!(n <= this.maxMultibulkLen)) {
          // NaN fails this test too.
          error = ERR_INVALID_MULTIBULK;
          break;
        }
        if (n > UNAUTH_MAX_MULTIBULK && unauth) {
          if (count > 0) more = true;
          else error = ERR_UNAUTH_MULTIBULK;
          break;
        }
        p = r + 2;
        if (n <= 0) continue; // `*0`, `*-1`: an empty command, skipped
        mbLeft = n;
        bulkLen = -1;
      }

      // Arguments of a multibulk: `$len\r\n<len bytes>\r\n` each.
      while (mbLeft > 0) {
        if (bulkLen < 0) {
          let r = scan > p ? scan : p;
          scan = 0;
          for (;;) {
            if (r >= end) break;
            const c = data[r];
            if (c === 13) break;
            if (c === 0) {
              r = -r - 1;
              break;
            }
            r++;
          }
          if (r < 0 || r >= end) {
            if (end - p > this.maxInlineLen) {
              error = ERR_TOO_BIG_BULK;
            } else {
              scan = r < 0 ? -r - 1 : end;
            }
            break parse;
          }
          if (r + 1 >= end) {
            scan = r;
            break parse;
          }
          if (data[p] !== 36 /* '$' */) {
            error = errExpectedDollar(data[p]);
            break parse;
          }
          const n = parseLL(data, p + 1, r);
          if (!(n >= 0 && n <= maxBulk)) {
            error = ERR_INVALID_BULK;
            break parse;
          }
          if (n > UNAUTH_MAX_BULK && unauth) {
            if (count > 0) more = true;
            else error = ERR_UNAUTH_BULK;
            break parse;
          }
          p = r + 2;
          bulkLen = n;
        }
        if (end - p < bulkLen + 2) break parse;
        if (nargs >= argCap) {
          this.growArgs();
          argOff = b.argOff;
          argLen = b.argLen;
          argCap = argOff.length;
        }
        argOff[nargs] = p;
        argLen[nargs] = bulkLen;
        nargs++;
        p += bulkLen + 2;
        bulkLen = -1;
        mbLeft--;
      }
      if (count >= b.argc.length) this.growCmds();
      b.argc[count] = nargs - cmdFirst;
      b.first[count] = cmdFirst;
      count++;
      // mbLeft is 0: the loop top starts the next command.
    }

    b.count = count;
    b.data = data;
    b.dataLen = cs;
    if (error !== null) {
      b.error = error;
      this.failed = true;
      this.parts = [];
      this.partsLen = 0;
      this.dropPending();
      this.clearResume();
      return;
    }
    if (more) {
      // Re-read the held-back command from its start next time.
      b.more = true;
      this.keep(data, cs, end);
      this.need = 0;
      this.clearResume();
      return;
    }
    if (cs >= end) {
      this.dropPending();
      this.clearResume();
      return;
    }
    // Incomplete command at cs: keep its bytes and where parsing stood, relative to cs.
    const partArgs = nargs - cmdFirst;
    for (let i = cmdFirst; i < nargs; i++) argOff[i] -= cs;
    this.rFirst = cmdFirst;
    this.rArgs = partArgs;
    this.rMbLeft = mbLeft;
    this.rBulkLen = bulkLen;
    this.rPos = (mbLeft > 0 ? p : cs) - cs;
    this.rScan = scan > 0 ? scan - cs : 0;
    if (mbLeft > 0 && bulkLen >= 0) this.need = p - cs + bulkLen + 2;
    else if (scan > 0 && scan < end && data[scan] === 13) this.need = scan - cs + 2; // have `\r`, need one more
    else this.need = end - cs + 1;
    this.keep(data, cs, end);
  }

  /** Arguments found by the last inline() call. */
  private inlineArgs = 0;

  /**
   * One inline command starting at `start`. Stores its arguments at argOff[nargs...] and returns the
   * position after its line, or WAIT, -2 (unbalanced quotes), -3 (too big). May replace the batch's
   * data with an owned copy (to unescape quoted arguments in place).
   */
  private inline(data: Buffer, start: number, end: number, scan: number, nargs: number): number {
    let nl = scan > start ? scan : start;
    for (;;) {
      if (nl >= end) break;
      const c = data[nl];
      if (c === 10) break;
      if (c === 0) break; // strchr stops here: the line never ends
      nl++;
    }
    if (nl >= end || data[nl] === 0) {
      if (end - start > this.maxInlineLen) return -3;
      this.inlineScan = nl; // the search resumes here when more bytes come
      return WAIT;
    }
    let e = nl;
    if (e > start && data[e - 1] === 13) e--;
    const b = this.batch;
    b.data = data;
    let n = 0;
    let i = start;
    for (;;) {
      while (i < e && isSpace(data[i])) i++;
      if (i >= e) break;
      const tokStart = i;
      let w = i; // write position: equal to i until a quote makes the token shrink
      let inq = false;
      let insq = false;
      for (;;) {
        if (inq) {
          if (i >= e) return -2;
          const c = data[i];
          if (c === 92 /* \ */ && i + 3 < e && data[i + 1] === 120 /* x */) {
            const h = hexVal(data[i + 2]);
            const l = hexVal(data[i + 3]);
            if (h >= 0 && l >= 0) {
              data[w++] = h * 16 + l;
              i += 4;
              continue;
            }
          }
          if (c === 92 && i + 1 < e) {
            const d = data[i + 1];
            data[w++] = d === 110 ? 10 : d === 114 ? 13 : d === 116 ? 9 : d === 98 ? 8 : d === 97 ? 7 : d;
            i += 2;
          } else if (c === 34 /* " */) {
            if (i + 1 < e && !isSpace(data[i + 1])) return -2;
            i++;
            break;
          } else {
            data[w++] = c;
            i++;
          }
        } else if (insq) {
          if (i >= e) return -2;
          const c = data[i];
          if (c === 92 && i + 1 < e && data[i + 1] === 39 /* ' */) {
            data[w++] = 39;
            i += 2;
          } else if (c === 39) {
            if (i + 1 < e && !isSpace(data[i + 1])) return -2;
            i++;
            break;
          } else {
            data[w++] = c;
            i++;
          }
        } else {
          if (i >= e) break;
          const c = data[i];
          if (c === 32 || c === 10 || c === 13 || c === 9) {
            i++;
            break;
          }
          if (c === 34 || c === 39) {
            // From here bytes move: work on a buffer we own (a copy of the chunk, same offsets).
            if (data !== this.pbuf) {
              data = this.ownCopy(data, end);
              b.data = data;
            }
            if (c === 34) inq = true;
            else insq = true;
            i++;
          } else {
            if (w !== i) data[w] = c;
            w++;
            i++;
          }
        }
      }
      if (nargs + n >= b.argOff.length) this.growArgs();
      b.argOff[nargs + n] = tokStart;
      b.argLen[nargs + n] = w - tokStart;
      n++;
    }
    this.inlineArgs = n;
    return nl + 1;
  }

  private inlineScan = 0;

  /** Copies data[0, end) into pbuf (nothing is pending when data is a foreign chunk) and returns it. */
  private ownCopy(data: Buffer, end: number): Buffer {
    if (this.pbuf.length < end) this.pbuf = Buffer.allocUnsafe(Math.max(end, 4096));
    data.copy(this.pbuf, 0, 0, end);
    this.stats.copiedBytes += end;
    return this.pbuf;
  }
}
