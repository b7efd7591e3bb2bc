// ReplyWriter: exact bytes in RESP2 and RESP3 for every method. Double formatting expectations were
// read from a real redis-server 7.0 (ZSCORE replies, %.17g).
import { describe, expect, it } from "vitest";
import { Double, ErrorReply, formatDouble, type ReplyValue, ReplyWriter, Status, Verbatim } from "../../host/resp/encoder.js";

function bytes(proto: 2 | 3, write: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter(proto);
  write(w);
  expect(w.length).toBe(w.take().length);
  return w.take().toString("latin1");
}

/** [name, writer call, RESP2 bytes, RESP3 bytes] */
const cases: [string, (w: ReplyWriter) => void, string, string][] = [
  ["ok", (w) => w.ok(), "+OK\r\n", "+OK\r\n"],
  ["simple", (w) => w.simple("PONG"), "+PONG\r\n", "+PONG\r\n"],
  ["simple sanitized", (w) => w.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"],
  ["error", (w) => w.error("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
  ["error with dash", (w) => w.error("-WRONGTYPE x"), "-WRONGTYPE x\r\n", "-WRONGTYPE x\r\n"],
  ["error newlines", (w) => w.error("ERR a\nb\rc"), "-ERR a b c\r\n", "-ERR a b c\r\n"],
  ["integer 0", (w) => w.integer(0), ":0\r\n", ":0\r\n"],
  ["integer 7", (w) => w.integer(7), ":7\r\n", ":7\r\n"],
  ["integer -42", (w) => w.integer(-42), ":-42\r\n", ":-42\r\n"],
  ["integer 1234567890123", (w) => w.integer(1234567890123), ":1234567890123\r\n", ":1234567890123\r\n"],
  ["integer max safe", (w) => w.integer(Number.MAX_SAFE_INTEGER), ":9007199254740991\r\n", ":9007199254740991\r\n"],
  ["integer 2^63 as double", (w) => w.integer(2 ** 63), ":9223372036854775808\r\n", ":9223372036854775808\r\n"],
  ["integer bigint", (w) => w.integer(-9223372036854775808n), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"],
  ["bulk string", (w) => w.bulk("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n"],
  ["bulk utf8", (w) => w.bulk("é"), "$2\r\n\xc3\xa9\r\n", "$2\r\n\xc3\xa9\r\n"],
  ["bulk empty", (w) => w.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n"],
  ["bulk buffer", (w) => w.bulk(Buffer.from([0, 13, 10, 255])), "$4\r\n\x00\r\n\xff\r\n", "$4\r\n\x00\r\n\xff\r\n"],
  ["bulk null", (w) => w.bulk(null), "$-1\r\n", "_\r\n"],
  ["nullBulk", (w) => w.nullBulk(), "$-1\r\n", "_\r\n"],
  ["nullArray", (w) => w.nullArray(), "*-1\r\n", "_\r\n"],
  ["array", (w) => (w.array(2), w.integer(1), w.bulk("a")), "*2\r\n:1\r\n$1\r\na\r\n", "*2\r\n:1\r\n$1\r\na\r\n"],
  ["array 0", (w) => w.array(0), "*0\r\n", "*0\r\n"],
  ["map", (w) => (w.map(1), w.bulk("k"), w.integer(1)), "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"],
  ["map 0", (w) => w.map(0), "*0\r\n", "%0\r\n"],
  ["set", (w) => (w.set(1), w.simple("x")), "*1\r\n+x\r\n", "~1\r\n+x\r\n"],
  ["push", (w) => (w.push(2), w.bulk("message"), w.bulk("c")), "*2\r\n$7\r\nmessage\r\n$1\r\nc\r\n", ">2\r\n$7\r\nmessage\r\n$1\r\nc\r\n"],
  ["double 1.1", (w) => w.double(1.1), "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"],
  ["double 3", (w) => w.double(3), "$1\r\n3\r\n", ",3\r\n"],
  ["double inf", (w) => w.double(Infinity), "$3\r\ninf\r\n", ",inf\r\n"],
  ["double -inf", (w) => w.double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
  ["double nan", (w) => w.double(NaN), "$3\r\nnan\r\n", ",nan\r\n"],
  ["double 0", (w) => w.double(0), "$1\r\n0\r\n", ",0\r\n"],
  ["bool true", (w) => w.bool(true), ":1\r\n", "#t\r\n"],
  ["bool false", (w) => w.bool(false), ":0\r\n", "#f\r\n"],
  ["verbatim", (w) => w.verbatim("hi\r\n"), "$4\r\nhi\r\n\r\n", "=8\r\ntxt:hi\r\n\r\n"],
  ["verbatim md", (w) => w.verbatim(Buffer.from("# t"), "mkd"), "$3\r\n# t\r\n", "=7\r\nmkd:# t\r\n"],
  ["bigNumber", (w) => w.bigNumber("123456789012345678901234567890"), "$30\r\n123456789012345678901234567890\r\n", "(123456789012345678901234567890\r\n"],
  ["raw", (w) => w.raw(Buffer.from("+X\r\n")), "+X\r\n", "+X\r\n"],
];

describe("ReplyWriter exact bytes", () => {
  for (const [name, write, r2, r3] of cases) {
    it(`${name} (RESP2)`, () => expect(bytes(2, write)).toBe(r2));
    it(`${name} (RESP3)`, () => expect(bytes(3, write)).toBe(r3));
  }

  it("rejects integers that are not finite and verbatim formats that are not 3 characters", () => {
    expect(() => new ReplyWriter(2).integer(Infinity)).toThrow(RangeError);
    expect(() => new ReplyWriter(3).verbatim("x", "text")).toThrow(RangeError);
  });
});

describe("formatDouble (%.17g as Redis 7.0 prints it)", () => {
  const cases: [number, string][] = [
    [1.1, "1.1000000000000001"],
    [1e20, "1e+20"],
    [0.00001, "1.0000000000000001e-05"],
    [123456789012345678, "1.2345678901234568e+17"],
    [1e-300, "1e-300"],
    [3, "3"],
    [1e16, "10000000000000000"],
    [1e17, "1e+17"],
    [5e-324, "4.9406564584124654e-324"],
    [0.0001, "0.0001"],
    [0.1, "0.10000000000000001"],
    [-2.5, "-2.5"],
    [-0, "-0"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [100, "100"],
    [0.5, "0.5"],
    [-1e-5, "-1.0000000000000001e-05"],
    [12345.678, "12345.678"],
  ];
  for (const [d, s] of cases) it(`${d} → ${s}`, () => expect(formatDouble(d)).toBe(s));

  it("prints a NaN with the sign bit set as -nan (glibc)", () => {
    const f = new Float64Array([NaN]);
    new Uint8Array(f.buffer)[7] |= 0x80;
    expect(formatDouble(f[0])).toBe("-nan");
  });
});

describe("buffer management", () => {
  it("grows past its initial size and keeps earlier bytes", () => {
    const w = new ReplyWriter(2, 8);
    const big = Buffer.alloc(100000, 0x61);
    w.simple("first");
    w.bulk(big);
    w.integer(5);
    const out = w.take();
    expect(out.length).toBe(8 + 9 + 100000 + 2 + 4);
    expect(out.subarray(0, 8).toString()).toBe("+first\r\n");
    expect(out.subarray(out.length - 4).toString()).toBe(":5\r\n");
  });

  it("take() returns a copy; reset() starts over; view() lends the bytes", () => {
    const w = new ReplyWriter(3);
    w.ok();
    const taken = w.take();
    expect(w.view().toString()).toBe("+OK\r\n");
    w.reset();
    expect(w.length).toBe(0);
    w.integer(1);
    expect(taken.toString()).toBe("+OK\r\n");
    expect(w.take().toString()).toBe(":1\r\n");
  });

  it("switching proto changes the encoding of the following replies", () => {
    const w = new ReplyWriter(2);
    w.nullBulk();
    w.proto = 3;
    w.nullBulk();
    expect(w.take().toString()).toBe("$-1\r\n_\r\n");
  });
});

describe("value trees", () => {
  const hello = new Map<string, ReplyValue>([
    ["server", "redis"],
    ["proto", 3],
    ["modules", []],
  ]);

  it("writes a HELLO-like map in both protocols", () => {
    expect(bytes(3, (w) => w.value(hello))).toBe(
      "%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n",
    );
    expect(bytes(2, (w) => w.value(hello))).toBe(
      "*6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n",
    );
  });

  it("writes every kind of leaf", () => {
    const v: ReplyValue[] = [
      null,
      "s",
      Buffer.from("b"),
      7,
      2.5,
      10n,
      true,
      new Status("OK"),
      new ErrorReply("ERR x"),
      new Double(2),
      new Verbatim("v"),
      new Set(["m"]),
    ];
    expect(bytes(3, (w) => w.value(v))).toBe(
      "*12\r\n_\r\n$1\r\ns\r\n$1\r\nb\r\n:7\r\n,2.5\r\n:10\r\n#t\r\n+OK\r\n-ERR x\r\n,2\r\n=5\r\ntxt:v\r\n~1\r\n$1\r\nm\r\n",
    );
    expect(bytes(2, (w) => w.value(v))).toBe(
      "*12\r\n$-1\r\n$1\r\ns\r\n$1\r\nb\r\n:7\r\n$3\r\n2.5\r\n:10\r\n:1\r\n+OK\r\n-ERR x\r\n$1\r\n2\r\n$1\r\nv\r\n*1\r\n$1\r\nm\r\n",
    );
  });
});
