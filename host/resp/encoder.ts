// RESP2/RESP3 writer for the replies the host produces itself (HELLO, CLIENT, CONFIG, COMMAND,
// errors...). The engine writes its own replies; this writer must produce the same bytes Redis 7.0
// would for the same reply, in either protocol.
//
// RESP3 types that RESP2 lacks are lowered the way Redis lowers them: a map becomes a flat array of
// 2n items, a set or push an array, a double a bulk string, a boolean the integer 1/0, a verbatim
// string or big number a bulk string, and every null the null bulk ($-1) except the null array (*-1).
//
// Bytes go into one growable Buffer reused across batches (reset()); take() copies them out for
// socket.write, view() lends them without copying for a caller that copies them elsewhere at once.

const CRLF0 = 13;
const CRLF1 = 10;
const INITIAL_BYTES = 16 * 1024;
/** A buffer grown past this by one big reply is given back on reset(). */
const KEEP_BYTES = 1024 * 1024;

/** Status reply (`+text`) in a value tree. */
export class Status {
  constructor(readonly text: string) {}
}
/** Error reply (`-CODE message`) in a value tree. */
export class ErrorReply {
  constructor(readonly message: string) {}
}
/** A double in a value tree (plain numbers that are integers are written as integers). */
export class Double {
  constructor(readonly value: number) {}
}
/** A verbatim string in a value tree. */
export class Verbatim {
  constructor(
    readonly text: string | Uint8Array,
    readonly format: string = "txt",
  ) {}
}

/**
 * A reply as JS values: null → null bulk, string/Uint8Array → bulk, integer number or bigint →
 * integer, other number → double, boolean → bool, array → array, Map → map, Set → set.
 */
export type ReplyValue =
  | null
  | undefined
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | Status
  | ErrorReply
  | Double
  | Verbatim
  | readonly ReplyValue[]
  | ReadonlyMap<ReplyValue, ReplyValue>
  | ReadonlySet<ReplyValue>;

const nanProbe = new Float64Array(1);
const nanProbeHi = new Uint32Array(nanProbe.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word

/**
 * C's printf("%.17g", d) as glibc prints it (what Redis 7.0 uses for doubles), with Redis's own
 * spelling of infinities. 17 significant digits, trailing zeros removed, exponent form when the
 * exponent is below -4 or at least 17, exponent with a sign and at least two digits.
 */
export function formatDouble(d: number): string {
  if (d !== d) {
    nanProbe[0] = d;
    return nanProbeHi[HI] >>> 31 ? "-nan" : "nan";
  }
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const s = d.toExponential(16); // "-1.2345678901234568e+17": exactly 17 correctly rounded digits
  const neg = s.charCodeAt(0) === 45;
  const ePos = s.indexOf("e");
  const digits = s.slice(neg ? 1 : 0, ePos).replace(".", "");
  const exp = Number(s.slice(ePos + 1));
  let out: string;
  if (exp < -4 || exp >= 17) {
    const rest = digits.slice(1).replace(/0+$/, "");
    const a = exp < 0 ? -exp : exp;
    out = digits[0] + (rest.length > 0 ? "." + rest : "") + "e" + (exp < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
  } else if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1);
    const frac = digits.slice(exp + 1).replace(/0+$/, "");
    out = frac.length > 0 ? intPart + "." + frac : intPart;
  } else {
    out = "0." + "0".repeat(-exp - 1) + digits.replace(/0+$/, "");
  }
  return neg ? "-" + out : out;
}

export class ReplyWriter {
  /** Protocol of the client being answered. */
  proto: 2 | 3;
  private buf: Buffer;
  private len = 0;

  constructor(proto: 2 | 3 = 2, initialBytes = INITIAL_BYTES) {
    this.proto = proto;
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written since the last reset(). */
  get length(): number {
    return this.len;
  }

  /** Forgets everything written after the first `n` bytes (CLIENT REPLY OFF/SKIP drops replies). */
  truncate(n: number): void {
    if (n < this.len) this.len = n;
  }

  /** Empties the writer (keeps its buffer unless one huge reply grew it). */
  reset(): void {
    this.len = 0;
    if (this.buf.length > KEEP_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
  }

  /** A copy of the bytes written so far, safe to hand to socket.write. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    return out;
  }

  /** The bytes written so far without copying: valid until the next write or reset(). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  private ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  private byte(c: number): void {
    this.buf[this.len++] = c;
  }

  private crlf(): void {
    this.buf[this.len++] = CRLF0;
    this.buf[this.len++] = CRLF1;
  }

  /** Writes a non-negative or negative safe integer's digits (room must be ensured). */
  private digits(n: number): void {
    const buf = this.buf;
    if (n < 0) {
      buf[this.len++] = 45;
      n = -n;
    }
    if (n < 10) {
      buf[this.len++] = 48 + n;
      return;
    }
    let tmp = n;
    let count = 0;
    while (tmp > 0) {
      count++;
      tmp = Math.floor(tmp / 10);
    }
    let at = this.len + count;
    this.len = at;
    while (n > 0) {
      const q = Math.floor(n / 10);
      buf[--at] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** `<type><n>\r\n` for a length or count. */
  private header(type: number, n: number): void {
    this.ensure(24);
    this.byte(type);
    this.digits(n);
    this.crlf();
  }

  private ascii(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, "latin1");
  }

  /** A line that must not break the protocol: \r and \n become spaces. */
  private line(type: number, s: string): void {
    if (s.indexOf("\r") >= 0 || s.indexOf("\n") >= 0) s = s.replace(/[\r\n]/g, " ");
    const n = Buffer.byteLength(s);
    this.ensure(n + 3);
    this.byte(type);
    this.len += this.buf.write(s, this.len, "utf8");
    this.crlf();
  }

  ok(): void {
    this.ensure(5);
    this.byte(43);
    this.byte(79);
    this.byte(75);
    this.crlf();
  }

  /** Status reply `+s`. */
  simple(s: string): void {
    this.line(43, s);
  }

  /** Error reply; `msg` starts with the code ("ERR syntax error"). A leading '-' is accepted too. */
  error(msg: string): void {
    this.line(45, msg.charCodeAt(0) === 45 ? msg.slice(1) : msg);
  }

  integer(n: number | bigint): void {
    if (typeof n === "number" && Number.isSafeInteger(n)) {
      this.header(58, n);
      return;
    }
    if (typeof n === "number" && !Number.isFinite(n)) throw new RangeError(`not an integer: ${n}`);
    const s = (typeof n === "bigint" ? n : BigInt(Math.trunc(n))).toString();
    this.ensure(s.length + 3);
    this.byte(58);
    this.ascii(s);
    this.crlf();
  }

  /** Bulk string; null → the null bulk of the protocol. Strings are written as UTF-8. */
  bulk(b: Uint8Array | string | null): void {
    if (b === null) {
      this.nullBulk();
      return;
    }
    if (typeof b === "string") {
      const n = Buffer.byteLength(b);
      this.header(36, n);
      this.ensure(n + 2);
      this.len += this.buf.write(b, this.len, "utf8");
    } else {
      this.header(36, b.length);
      this.ensure(b.length + 2);
      this.buf.set(b, this.len);
      this.len += b.length;
    }
    this.crlf();
  }

  nullBulk(): void {
    if (this.proto === 3) {
      this.ensure(3);
      this.byte(95);
      this.crlf();
    } else {
      this.header(36, -1);
    }
  }

  /** Null array: RESP2 `*-1`, RESP3 `_`. */
  nullArray(): void {
    if (this.proto === 3) {
      this.ensure(3);
      this.byte(95);
      this.crlf();
    } else {
      this.header(42, -1);
    }
  }

  array(n: number): void {
    this.header(42, n);
  }

  /** Map of n pairs: RESP3 `%n`, RESP2 an array of 2n items. */
  map(n: number): void {
    if (this.proto === 3) this.header(37, n);
    else this.header(42, n * 2);
  }

  set(n: number): void {
    this.header(this.proto === 3 ? 126 : 42, n);
  }

  push(n: number): void {
    this.header(this.proto === 3 ? 62 : 42, n);
  }

  /** Double as Redis 7.0 writes it (%.17g; inf, -inf): RESP3 `,`, RESP2 bulk string. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.proto === 3) {
      this.ensure(s.length + 3);
      this.byte(44);
      this.ascii(s);
      this.crlf();
    } else {
      this.header(36, s.length);
      this.ascii(s);
      this.ensure(2);
      this.crlf();
    }
  }

  /** RESP3 `#t`/`#f`, RESP2 `:1`/`:0`. */
  bool(b: boolean): void {
    this.ensure(4);
    if (this.proto === 3) this.byte(35), this.byte(b ? 116 : 102);
    else this.byte(58), this.byte(b ? 49 : 48);
    this.crlf();
  }

  /** Verbatim string: RESP3 `=len\r\nfmt:text`, RESP2 plain bulk. `fmt` is three characters. */
  verbatim(s: string | Uint8Array, fmt = "txt"): void {
    if (this.proto !== 3) {
      this.bulk(s);
      return;
    }
    if (fmt.length !== 3) throw new RangeError("verbatim format must be 3 characters");
    const n = typeof s === "string" ? Buffer.byteLength(s) : s.length;
    this.header(61, n + 4);
    this.ensure(n + 6);
    this.ascii(fmt);
    this.byte(58);
    if (typeof s === "string") this.len += this.buf.write(s, this.len, "utf8");
    else {
      this.buf.set(s, this.len);
      this.len += s.length;
    }
    this.crlf();
  }

  /** Big number: RESP3 `(digits`, RESP2 bulk string. */
  bigNumber(s: string): void {
    if (this.proto !== 3) {
      this.bulk(s);
      return;
    }
    this.ensure(s.length + 3);
    this.byte(40);
    this.ascii(s);
    this.crlf();
  }

  /** Bytes already in RESP form. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Writes a whole reply tree (see ReplyValue). */
  value(v: ReplyValue): void {
    if (v === null || v === undefined) this.nullBulk();
    else if (typeof v === "string" || v instanceof Uint8Array) this.bulk(v);
    else if (typeof v === "number") {
      if (Number.isInteger(v)) this.integer(v);
      else this.double(v);
    } else if (typeof v === "bigint") this.integer(v);
    else if (typeof v === "boolean") this.bool(v);
    else if (Array.isArray(v)) {
      this.array(v.length);
      for (const item of v as readonly ReplyValue[]) this.value(item);
    } else if (v instanceof Map) {
      this.map(v.size);
      for (const [k, item] of v) {
        this.value(k);
        this.value(item);
      }
    } else if (v instanceof Set) {
      this.set(v.size);
      for (const item of v) this.value(item);
    } else if (v instanceof Status) this.simple(v.text);
    else if (v instanceof ErrorReply) this.error(v.message);
    else if (v instanceof Double) this.double(v.value);
    else if (v instanceof Verbatim) this.verbatim(v.text, v.format);
    else throw new TypeError("not a reply value");
  }
}
