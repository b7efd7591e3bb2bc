// Reads an AOF file as commands, a chunk at a time, in the shape the engine batch takes
// (ParsedBatch: one buffer, argument offsets), so loading copies each byte into the engine once.
//
// The grammar is Redis's for AOF files, and stricter than a client connection's: every command
// is an array of bulk strings (`*N\r\n` then N times `$len\r\n<bytes>\r\n`); a line starting with
// `#` is an annotation (`#TS:…`) and is skipped; inline commands do not exist. Where the input
// stops matters:
//   - it ends inside a command: the file was cut short (a crash mid-write). `end` is
//     "truncated", and `validUpTo` is the offset right after the last complete command;
//   - a byte that cannot be there (garbage, a corrupt header, a bulk not followed by CRLF): the
//     file is damaged. `end` is "format", with the offset of the bad byte. Reading stops.
// Either way the commands before the damage were returned already.
import { closeSync, openSync, readSync, fstatSync } from "node:fs";
import type { ParsedBatch } from "../resp/decoder.js";

export interface AofChunk extends ParsedBatch {
  /** File offset at which each command starts (parallel to argc/first). */
  at: Float64Array;
  /** File offset right after the last command of the chunk. */
  endOffset: number;
}

export type AofEnd =
  | { kind: "eof" }
  | { kind: "truncated"; offset: number; reason: string }
  | { kind: "format"; offset: number; reason: string };

/** Longest annotation line (Redis's AOF_ANNOTATION_LINE_MAX_LEN). */
const ANNOTATION_MAX = 1024;
/** A header line (`*N` or `$N`) longer than this is damage, not a number still arriving. */
const HEADER_MAX = 32;
/** A bulk longer than this cannot be real (and would not fit a Buffer). */
const BULK_MAX = 2 ** 31 - 1;

const NEED_MORE = -1;
const BAD = -2;

export class AofReader {
  size: number;
  /** Offset right after the last complete command returned so far. */
  validUpTo = 0;
  /** Why reading stopped; null while there is more. */
  end: AofEnd | null = null;

  private fd: number;
  private buf: Buffer;
  /** File offset of buf[0], bytes held, bytes read from the file in all. */
  private base = 0;
  private have = 0;
  private fileRead = 0;
  private argc = new Int32Array(1024);
  private first = new Int32Array(1024);
  private at = new Float64Array(1024);
  private argOff = new Int32Array(4096);
  private argLen = new Int32Array(4096);
  private badReason = "";
  private badAt = 0;
  /** Offset before which every annotation was reported to onAnnotation already. */
  private annotatedUpTo = 0;

  /**
   * Called with each complete annotation line (from `#` up to, not including, its `\n`) and its
   * offset, once, in file order. It runs while a chunk is parsed, before that chunk is returned:
   * a caller that needs the annotations among the commands orders them by offset (`at`). The
   * bytes are the reader's and valid only during the call.
   */
  onAnnotation: ((offset: number, line: Buffer) => void) | null = null;

  constructor(
    readonly path: string,
    chunkBytes = 4 * 1024 * 1024,
  ) {
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
    this.buf = Buffer.allocUnsafe(Math.max(64, chunkBytes));
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** The next commands; null once reading stopped (then `end` says why). */
  next(): AofChunk | null {
    if (this.end !== null) return null;
    for (;;) {
      this.fill();
      const eof = this.fileRead >= this.size;
      const chunk = this.parse(eof);
      if (chunk !== null) return chunk;
      if (this.end !== null) return null;
      // Not one whole command in the buffer: it must hold a bigger one.
      if (this.have === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, this.have);
        this.buf = bigger;
      }
    }
  }

  /** Moves what is left to the front and reads until the buffer is full or the file ends. */
  private fill(): void {
    while (this.have < this.buf.length && this.fileRead < this.size) {
      const n = readSync(this.fd, this.buf, this.have, this.buf.length - this.have, this.fileRead);
      if (n === 0) {
        // The file is shorter than it was when opened: what is there is all there is.
        this.size = this.fileRead;
        break;
      }
      this.have += n;
      this.fileRead += n;
    }
  }

  private parse(eof: boolean): AofChunk | null {
    const b = this.buf;
    const have = this.have;
    let pos = 0;
    let count = 0;
    let nargs = 0;
    for (;;) {
      if (pos >= have) {
        if (eof) this.end = { kind: "eof" };
        break;
      }
      if (b[pos] === 0x23) {
        const nl = b.indexOf(0x0a, pos);
        if (nl < 0 || nl >= have) {
          if (have - pos > ANNOTATION_MAX) return this.fail(pos, "annotation line too long", count);
          if (eof) {
            // An annotation cut short at the very end still holds no command: the end.
            pos = have;
            continue;
          }
          break;
        }
        if (nl - pos + 1 > ANNOTATION_MAX) return this.fail(pos, "annotation line too long", count);
        this.annotation(pos, nl);
        pos = nl + 1;
        continue;
      }
      const start = pos;
      if (b[pos] !== 0x2a) return this.fail(pos, `expected '*', got ${describe(b[pos])}`, count);
      let n = this.number(pos + 1, have);
      if (n === BAD) return this.fail(this.badAt, this.badReason || "invalid array header", count);
      if (n === NEED_MORE) {
        if (eof) return this.truncated("a command header was cut short", count);
        break;
      }
      if (n < 1) return this.fail(pos, "invalid array length", count);
      const argc = n;
      let p = this.lineEnd;
      this.ensure(count + 1, 0);
      let complete = true;
      for (let k = 0; k < argc; k++) {
        // Room is made per argument: a damaged header may claim any count.
        this.ensure(0, nargs + k + 1);
        if (p >= have) {
          complete = false;
          break;
        }
        if (b[p] !== 0x24) return this.fail(p, `expected '$', got ${describe(b[p])}`, count);
        n = this.number(p + 1, have);
        if (n === BAD) return this.fail(this.badAt, this.badReason || "invalid bulk length", count);
        if (n === NEED_MORE) {
          complete = false;
          break;
        }
        if (n < 0 || n > BULK_MAX) return this.fail(p, "invalid bulk length", count);
        const off = this.lineEnd;
        if (off + n + 2 > have) {
          complete = false;
          break;
        }
        if (b[off + n] !== 0x0d || b[off + n + 1] !== 0x0a) return this.fail(off + n, "bulk string not followed by CRLF", count);
        this.argOff[nargs + k] = off;
        this.argLen[nargs + k] = n;
        p = off + n + 2;
      }
      if (!complete) {
        if (eof) return this.truncated("the last command was cut short", count);
        break;
      }
      this.argc[count] = argc;
      this.first[count] = nargs;
      this.at[count] = this.base + start;
      nargs += argc;
      count++;
      pos = p;
      this.validUpTo = this.base + pos;
    }
    return this.emit(count, pos);
  }

  /** A buffer without a whole command is parsed again once more bytes came: report each line once. */
  private annotation(pos: number, nl: number): void {
    const at = this.base + pos;
    if (this.onAnnotation === null || at < this.annotatedUpTo) return;
    this.annotatedUpTo = at + 1;
    this.onAnnotation(at, this.buf.subarray(pos, nl));
  }

  /** Returns what was parsed (or null), and keeps the unparsed bytes for the next call. */
  private emit(count: number, pos: number): AofChunk | null {
    if (count === 0) return null;
    // The chunk refers to this buffer until the next call: the rest goes to a fresh one.
    const data = this.buf;
    const rest = this.have - pos;
    const next = Buffer.allocUnsafe(Math.max(data.length, rest));
    data.copy(next, 0, pos, this.have);
    this.buf = next;
    const chunk: AofChunk = {
      count,
      data,
      dataLen: pos,
      argc: this.argc,
      first: this.first,
      argOff: this.argOff,
      argLen: this.argLen,
      error: null,
      more: false,
      at: this.at,
      endOffset: this.base + pos,
    };
    this.base += pos;
    this.have = rest;
    // The arrays belong to the chunk now.
    this.argc = new Int32Array(this.argc.length);
    this.first = new Int32Array(this.first.length);
    this.at = new Float64Array(this.at.length);
    this.argOff = new Int32Array(this.argOff.length);
    this.argLen = new Int32Array(this.argLen.length);
    return chunk;
  }

  private fail(pos: number, reason: string, count: number): AofChunk | null {
    const offset = this.base + pos;
    const chunk = this.emit(count, this.validUpTo - this.base);
    this.end = { kind: "format", offset, reason };
    return chunk;
  }

  private truncated(reason: string, count: number): AofChunk | null {
    const chunk = this.emit(count, this.validUpTo - this.base);
    this.end = { kind: "truncated", offset: this.validUpTo, reason };
    return chunk;
  }

  /** End of the last header line parsed by number(). */
  private lineEnd = 0;

  /** The decimal number from `p` up to CRLF; NEED_MORE, or BAD with badAt/badReason. */
  private number(p: number, have: number): number {
    const b = this.buf;
    let v = 0;
    let digits = 0;
    let neg = false;
    if (p < have && b[p] === 0x2d) {
      neg = true;
      p++;
    }
    const start = p;
    for (;;) {
      if (p >= have) return NEED_MORE;
      const c = b[p];
      if (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        if (++digits > HEADER_MAX) return this.bad(p, "number too long");
        p++;
        continue;
      }
      if (c === 0x0d) {
        if (p + 1 >= have) return NEED_MORE;
        if (b[p + 1] !== 0x0a || digits === 0) return this.bad(digits === 0 ? start : p + 1, "invalid number");
        this.lineEnd = p + 2;
        return neg ? -v : v;
      }
      return this.bad(p, `unexpected ${describe(c)} in a length`);
    }
  }

  private bad(pos: number, reason: string): number {
    this.badAt = pos;
    this.badReason = reason;
    return BAD;
  }

  private ensure(cmds: number, args: number): void {
    if (cmds > 0 && cmds > this.argc.length) {
      const n = Math.max(cmds, this.argc.length * 2);
      this.argc = grow(this.argc, n);
      this.first = grow(this.first, n);
      const at = new Float64Array(n);
      at.set(this.at);
      this.at = at;
    }
    if (args > 0 && args > this.argOff.length) {
      const n = Math.max(args, this.argOff.length * 2);
      this.argOff = grow(this.argOff, n);
      this.argLen = grow(this.argLen, n);
    }
  }
}

function grow(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, "0")}`;
}
