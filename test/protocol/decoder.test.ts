// RESP decoder: Redis 7.0's request grammar and errors (each expectation here was checked against a
// real redis-server 7.0 with raw bytes), incremental parsing at every chunk boundary, copy counts for
// large values, and a seeded fuzzer.
import { describe, expect, it } from "vitest";
import {
  ERR_INVALID_BULK,
  ERR_INVALID_MULTIBULK,
  ERR_TOO_BIG_BULK,
  ERR_TOO_BIG_INLINE,
  ERR_TOO_BIG_MBULK,
  ERR_UNAUTH_BULK,
  ERR_UNAUTH_MULTIBULK,
  ERR_UNBALANCED,
  type ParsedBatch,
  RespDecoder,
} from "../../host/resp/decoder.js";

const B = (s: string) => Buffer.from(s, "latin1");

interface Outcome {
  cmds: string[][]; // arguments as latin1 strings (one char per byte)
  error: string | null;
  batches: number;
}

/** Copies a batch out into plain values, checking its offsets are inside [0, dataLen). */
function readBatch(b: ParsedBatch, out: Outcome): void {
  for (let i = 0; i < b.count; i++) {
    const args: string[] = [];
    const f = b.first[i];
    for (let j = 0; j < b.argc[i]; j++) {
      const off = b.argOff[f + j];
      const len = b.argLen[f + j];
      expect(off).toBeGreaterThanOrEqual(0);
      expect(off + len).toBeLessThanOrEqual(b.dataLen);
      args.push(b.data.toString("latin1", off, off + len));
    }
    out.cmds.push(args);
  }
  if (b.count > 0) out.batches++;
  if (b.error !== null) out.error = b.error;
}

function feedAll(dec: RespDecoder, chunks: Buffer[]): Outcome {
  const out: Outcome = { cmds: [], error: null, batches: 0 };
  for (const c of chunks) {
    let b = dec.feed(c);
    readBatch(b, out);
    while (b.more) {
      b = dec.next();
      readBatch(b, out);
    }
    if (out.error !== null) break;
  }
  return out;
}

function decode(input: string | Buffer, opts?: ConstructorParameters<typeof RespDecoder>[0]): Outcome {
  return feedAll(new RespDecoder(opts), [typeof input === "string" ? B(input) : input]);
}

function frame(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [B(`*${args.length}\r\n`)];
  for (const a of args) {
    const buf = typeof a === "string" ? B(a) : a;
    parts.push(B(`$${buf.length}\r\n`), buf, B("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplit(buf: Buffer, rand: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const n = 1 + Math.floor(rand() * maxPiece);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe("multibulk", () => {
  it("parses pipelined commands with offsets into one buffer", () => {
    const input = Buffer.concat([frame("SET", "key:1", "xxx"), frame("GET", "key:1"), frame("PING")]);
    const dec = new RespDecoder();
    const b = dec.feed(input);
    expect(b.count).toBe(3);
    expect(b.error).toBeNull();
    expect(b.data).toBe(input); // nothing pending: the chunk itself, no copy
    expect(b.dataLen).toBe(input.length);
    expect(Array.from(b.argc.subarray(0, 3))).toEqual([3, 2, 1]);
    expect(Array.from(b.first.subarray(0, 3))).toEqual([0, 3, 5]);
    expect(input.toString("latin1", b.argOff[1], b.argOff[1] + b.argLen[1])).toBe("key:1");
    expect(dec.pending()).toBe(0);
  });

  it("is binary safe: CR, LF, NUL and high bytes inside bulks", () => {
    const weird = Buffer.from([13, 10, 0, 255, 42, 36, 13, 10, 13]);
    const out = decode(Buffer.concat([frame("SET", weird, ""), frame("ECHO", "\r\n")]));
    expect(out.cmds).toEqual([["SET", weird.toString("latin1"), ""], ["ECHO", "\r\n"]]);
  });

  it("skips *0, *-1 and other non-positive counts", () => {
    expect(decode("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n").cmds).toEqual([["PING"]]);
    expect(decode("*-9223372036854775808\r\n*1\r\n$1\r\na\r\n").cmds).toEqual([["a"]]);
  });

  it("does not check the bytes after a bulk or after a header's CR", () => {
    expect(decode("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n").cmds).toEqual([["PING"], ["PING"]]);
    expect(decode("*1\rx$4\r\nPING\r\n").cmds).toEqual([["PING"]]);
  });

  it("accepts an empty bulk and INT_MAX as a count (then waits)", () => {
    expect(decode("*1\r\n$0\r\n\r\n").cmds).toEqual([[""]]);
    const dec = new RespDecoder();
    const b = dec.feed(B("*2147483647\r\n$1\r\na\r\n"));
    expect(b.count).toBe(0);
    expect(b.error).toBeNull();
  });

  it("accepts a bulk of exactly proto-max-bulk-len, rejects one more", () => {
    expect(decode("*1\r\n$536870912\r\n").error).toBeNull();
    expect(decode("*1\r\n$536870913\r\n").error).toBe(ERR_INVALID_BULK);
    const dec = new RespDecoder({ maxBulkLen: 10 });
    expect(feedAll(dec, [B("*1\r\n$10\r\n0123456789\r\n")]).cmds).toEqual([["0123456789"]]);
    dec.maxBulkLen = 5; // settable at runtime (CONFIG SET proto-max-bulk-len)
    expect(feedAll(dec, [B("*1\r\n$6\r\n")]).error).toBe(ERR_INVALID_BULK);
  });
});

describe("protocol errors (exact strings, after the commands before them)", () => {
  const cases: [string, string | Buffer, string][] = [
    ["count over INT_MAX", "*2147483648\r\n", ERR_INVALID_MULTIBULK],
    ["count -0", "*-0\r\n", ERR_INVALID_MULTIBULK],
    ["count with leading zero", "*01\r\n", ERR_INVALID_MULTIBULK],
    ["count with plus", "*+1\r\n", ERR_INVALID_MULTIBULK],
    ["empty count", "*\r\n", ERR_INVALID_MULTIBULK],
    ["count with junk", "*1x\r\n", ERR_INVALID_MULTIBULK],
    ["count below LLONG_MIN", "*-9223372036854775809\r\n", ERR_INVALID_MULTIBULK],
    ["bulk -1", "*1\r\n$-1\r\n", ERR_INVALID_BULK],
    ["bulk with leading zero", "*1\r\n$01\r\n", ERR_INVALID_BULK],
    ["bulk over LLONG_MAX", "*1\r\n$99999999999999999999\r\n", ERR_INVALID_BULK],
    ["bulk 2^63", "*1\r\n$9223372036854775808\r\n", ERR_INVALID_BULK],
    ["empty bulk length", "*1\r\n$\r\n", ERR_INVALID_BULK],
    ["not a $", "*1\r\nx\r\n", "ERR Protocol error: expected '$', got 'x'"],
    ["CR shown as space", "*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"],
    ["LF shown as space", "*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '"],
    ["high byte raw", B("*1\r\n\xff\r\n"), "ERR Protocol error: expected '$', got '\xff'"],
    ["* instead of $", "*2\r\n$1\r\na\r\n*1\r\n", "ERR Protocol error: expected '$', got '*'"],
    ["unbalanced double quote", 'ECHO "ab\r\n', ERR_UNBALANCED],
    ["text after closing quote", 'ECHO "a"b\r\n', ERR_UNBALANCED],
    ["text after closing single quote", "ECHO 'a'b\r\n", ERR_UNBALANCED],
    ["two quoted strings glued", 'ECHO "a""b"\r\n', ERR_UNBALANCED],
    ["escaped closing quote", 'ECHO "\\"\r\n', ERR_UNBALANCED],
    ["backslash at end", 'ECHO "a\\\r\n', ERR_UNBALANCED],
    ["inline > 64 KB without newline", "x".repeat(65537), ERR_TOO_BIG_INLINE],
    ["count line > 64 KB", "*".repeat(65537), ERR_TOO_BIG_MBULK],
    ["bulk line > 64 KB", "*1\r\n" + "$".repeat(65537), ERR_TOO_BIG_BULK],
  ];
  for (const [name, input, err] of cases) {
    it(name, () => {
      const out = decode(input);
      expect(out.error).toBe(err);
      expect(out.cmds).toEqual([]);
    });
  }

  it("reports the error after the commands that precede it in the same read", () => {
    const out = decode("PING\r\n*1\r\n$4\r\nECHO\r\n*1\r\nx\r\n");
    expect(out.cmds).toEqual([["PING"], ["ECHO"]]);
    expect(out.error).toBe("ERR Protocol error: expected '$', got 'x'");
    const out2 = decode(Buffer.concat([frame("PING"), B("*".repeat(65537))]));
    expect(out2.cmds).toEqual([["PING"]]);
    expect(out2.error).toBe(ERR_TOO_BIG_MBULK);
  });

  it("waits at exactly 64 KB without a line end", () => {
    for (const s of ["x".repeat(65536), "*".repeat(65536), "*1\r\n" + "$".repeat(65536)]) {
      const dec = new RespDecoder();
      const b = dec.feed(B(s));
      expect(b.count).toBe(0);
      expect(b.error).toBeNull();
      expect(dec.pending()).toBe(s.length);
    }
  });

  it("counts the 64 KB limit across reads", () => {
    const dec = new RespDecoder();
    expect(dec.feed(B("x".repeat(40000))).error).toBeNull();
    expect(dec.feed(B("x".repeat(25536))).error).toBeNull();
    expect(dec.feed(B("x")).error).toBe(ERR_TOO_BIG_INLINE);
  });

  it("accepts an inline line longer than 64 KB when its newline is already there", () => {
    const out = decode("ECHO " + "y".repeat(70000) + "\r\n");
    expect(out.error).toBeNull();
    expect(out.cmds[0][1].length).toBe(70000);
  });

  it("treats a NUL before the line end as no line end (like strchr)", () => {
    for (const s of ["*1\x00\r\n$4\r\nPING\r\n", "PI\x00NG\r\n", "*1\r\n$4\x00\r\nPING\r\n"]) {
      const dec = new RespDecoder();
      const b = dec.feed(B(s));
      expect(b.count).toBe(0);
      expect(b.error).toBeNull();
    }
    const dec = new RespDecoder();
    dec.feed(B("PI\x00NG\r\n"));
    expect(dec.feed(B("z".repeat(65536))).error).toBe(ERR_TOO_BIG_INLINE);
  });

  it("ignores input after an error", () => {
    const dec = new RespDecoder();
    expect(dec.feed(B("*x\r\n")).error).toBe(ERR_INVALID_MULTIBULK);
    const b = dec.feed(frame("PING"));
    expect(b.count).toBe(0);
    expect(b.error).toBeNull();
    dec.reset();
    expect(dec.feed(frame("PING")).count).toBe(1);
  });
});

describe("unauthenticated limits", () => {
  it("rejects a count over 10 and a bulk over 16384", () => {
    const dec = () => Object.assign(new RespDecoder(), { unauthenticated: true });
    expect(feedAll(dec(), [B("*11\r\n")]).error).toBe(ERR_UNAUTH_MULTIBULK);
    expect(feedAll(dec(), [B("*10\r\n")]).error).toBeNull();
    expect(feedAll(dec(), [B("*1\r\n$16385\r\n")]).error).toBe(ERR_UNAUTH_BULK);
    expect(feedAll(dec(), [B("*1\r\n$16384\r\n")]).error).toBeNull();
    // Inline requests have no such limit.
    expect(feedAll(dec(), [B("a b c d e f g h i j k l m\r\n")]).cmds[0].length).toBe(13);
    // An invalid count is reported as invalid, not as unauthenticated.
    expect(feedAll(dec(), [B("*2147483648\r\n")]).error).toBe(ERR_INVALID_MULTIBULK);
  });

  it("holds back a too-big command after AUTH in the same read until AUTH has run", () => {
    const dec = new RespDecoder();
    dec.unauthenticated = true;
    const big = frame("MSET", ..."abcdefghijkl".split(""));
    const input = Buffer.concat([frame("AUTH", "pw"), big, frame("PING")]);
    const b = dec.feed(input);
    expect(b.count).toBe(1);
    expect(b.more).toBe(true);
    expect(b.error).toBeNull();
    expect(b.dataLen).toBe(frame("AUTH", "pw").length);
    expect(dec.pending()).toBe(big.length + frame("PING").length);
    dec.unauthenticated = false; // AUTH succeeded
    const out: Outcome = { cmds: [], error: null, batches: 0 };
    readBatch(dec.next(), out);
    expect(out.cmds).toEqual([["MSET", ..."abcdefghijkl".split("")], ["PING"]]);
    expect(dec.pending()).toBe(0);
  });

  it("reports the error when AUTH failed", () => {
    const dec = new RespDecoder();
    dec.unauthenticated = true;
    const b = dec.feed(Buffer.concat([frame("AUTH", "bad"), B("*1\r\n$20000\r\n")]));
    expect(b.count).toBe(1);
    expect(b.more).toBe(true);
    const b2 = dec.next(); // still unauthenticated
    expect(b2.count).toBe(0);
    expect(b2.error).toBe(ERR_UNAUTH_BULK);
  });
});

describe("inline commands", () => {
  const cases: [string, string[][]][] = [
    ["PING\r\n", [["PING"]]],
    ["PING\n", [["PING"]]],
    ["PING\r\r\n", [["PING"]]],
    ["\r\n\n \t \r\nPING\r\n", [["PING"]]],
    ["  SET   a\tb  \r\n", [["SET", "a", "b"]]],
    ['ECHO "a\\x41\\n\\q" \r\n', [["ECHO", "aA\nq"]]],
    ['ECHO "\\a\\b\\t\\r"\r\n', [["ECHO", "\x07\b\t\r"]]],
    ['ECHO "\\x4G" "\\xg" "\\x" "\\xff" "\\X41"\r\n', [["ECHO", "x4G", "xg", "x", "\xff", "X41"]]],
    ['ECHO "\\\\"\r\n', [["ECHO", "\\"]]],
    ["ECHO 'a\\nb' 'b\\'c' 'a\\\\b'\r\n", [["ECHO", "a\\nb", "b'c", "a\\\\b"]]],
    ["ECHO '' \"\"\r\n", [["ECHO", "", ""]]],
    ['ECHO a"b c"\r\n', [["ECHO", "ab c"]]],
    ["ECHO a'b c'\r\n", [["ECHO", "ab c"]]],
    ['ECHO "x"\x0b\r\n', [["ECHO", "x"]]],
    ['ECHO "a"\x0c "b"\t\r\n', [["ECHO", "a", "b"]]],
    ["ECHO x\x0by\r\n", [["ECHO", "x\x0by"]]],
    ["\x0bECHO  \x0cfoo\r\n", [["ECHO", "foo"]]],
    ["ECHO a\rb\r\n", [["ECHO", "a", "b"]]],
    ['SET k "hello world"\r\nGET k\r\n', [["SET", "k", "hello world"], ["GET", "k"]]],
  ];
  for (const [input, cmds] of cases) {
    it(JSON.stringify(input), () => {
      const out = decode(input);
      expect(out.error).toBeNull();
      expect(out.cmds).toEqual(cmds);
    });
  }

  it("does not modify the caller's chunk when unescaping", () => {
    const chunk = B('SET "a b" "\\x41"\r\nGET x\r\n');
    const copy = Buffer.from(chunk);
    const dec = new RespDecoder();
    const b = dec.feed(chunk);
    expect(b.count).toBe(2);
    expect(b.data).not.toBe(chunk);
    expect(chunk.equals(copy)).toBe(true);
  });

  it("mixes inline and multibulk in one stream", () => {
    const input = Buffer.concat([B("PING\r\n"), frame("GET", "k"), B('ECHO "q"\r\n'), frame("DEL", "a", "b")]);
    expect(decode(input).cmds).toEqual([["PING"], ["GET", "k"], ["ECHO", "q"], ["DEL", "a", "b"]]);
  });
});

// A stream exercising every path: multibulk, empty commands, binary bulks, inline with quotes.
function mixedStream(): Buffer {
  return Buffer.concat([
    frame("SET", "key:000000000001", "xxx"),
    B("*0\r\n"),
    frame("GET", "key:000000000001"),
    B('ECHO "hello\\x20world" \'it\\\'s\'\r\n'),
    B("\r\n"),
    frame("SET", Buffer.from([0, 13, 10, 255]), "x".repeat(300)),
    B("*-1\r\nPING\n"),
    frame(""),
    frame("MSET", ...Array.from({ length: 20 }, (_, i) => `v${i}`)),
    B("*1\r\n$4\r\nPINGab"),
  ]);
}

describe("chunk boundaries", () => {
  const stream = mixedStream();
  const whole = decode(stream);

  it("the reference parse is complete and error free", () => {
    expect(whole.error).toBeNull();
    expect(whole.cmds.map((c) => c[0])).toEqual(["SET", "GET", "ECHO", "SET", "PING", "", "MSET", "PING"]);
    expect(whole.cmds[2]).toEqual(["ECHO", "hello world", "it's"]);
  });

  it("gives identical results when fed byte by byte", () => {
    const dec = new RespDecoder();
    const bytes = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
    expect(feedAll(dec, bytes)).toMatchObject({ cmds: whole.cmds, error: null });
    expect(dec.pending()).toBe(0);
  });

  it("gives identical results split in two at every position", () => {
    for (let i = 0; i <= stream.length; i++) {
      const out = feedAll(new RespDecoder(), [stream.subarray(0, i), stream.subarray(i)]);
      expect(out.cmds, `split at ${i}`).toEqual(whole.cmds);
      expect(out.error).toBeNull();
    }
  });

  it("gives identical results in seeded random splits, with the pending count exact", () => {
    const rand = rng(12345);
    for (let round = 0; round < 300; round++) {
      const dec = new RespDecoder();
      const chunks = randomSplit(stream, rand, 1 + Math.floor(rand() * 80));
      const out: Outcome = { cmds: [], error: null, batches: 0 };
      let fed = 0;
      for (const c of chunks) {
        readBatch(dec.feed(c), out);
        fed += c.length;
        // Pending is what a one-shot parse of the same prefix leaves unconsumed.
        const fresh = new RespDecoder();
        fresh.feed(Buffer.from(stream.subarray(0, fed)));
        expect(dec.pending()).toBe(fresh.pending());
      }
      expect(out.cmds).toEqual(whole.cmds);
    }
  });
});

describe("large values", () => {
  it("assembles a 16 MB bulk from 64 KB chunks with one join and no re-copying", () => {
    const size = 16 * 1024 * 1024;
    const value = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) value[i] = i & 0xff;
    const input = Buffer.concat([frame("SET", "big", value), frame("GET", "big")]);
    const dec = new RespDecoder();
    const out: Outcome = { cmds: [], error: null, batches: 0 };
    let pendingMax = 0;
    for (let i = 0; i < input.length; i += 65536) {
      const b = dec.feed(input.subarray(i, i + 65536));
      if (b.count > 0) {
        expect(b.count).toBe(2);
        const f = b.first[0];
        expect(b.argLen[f + 2]).toBe(size);
        expect(b.data.subarray(b.argOff[f + 2], b.argOff[f + 2] + size).equals(value)).toBe(true);
      }
      readBatch(b, out);
      pendingMax = Math.max(pendingMax, dec.pending());
    }
    expect(out.cmds.map((c) => c[0])).toEqual(["SET", "GET"]);
    expect(pendingMax).toBeGreaterThan(size - 65536);
    // One join once the header said how much was needed: every byte copied about once.
    expect(dec.stats.concats).toBeLessThanOrEqual(2);
    expect(dec.stats.copiedBytes).toBeLessThan(input.length + 3 * 65536);
    expect(dec.pending()).toBe(0);
  });

  it("keeps copying linear for a command of many small arguments spread over many reads", () => {
    const args = Array.from({ length: 50000 }, (_, i) => `field:${i}`);
    const input = frame("HSET", "h", ...args);
    const dec = new RespDecoder();
    const out = feedAll(dec, randomSplit(input, rng(7), 1500));
    expect(out.cmds.length).toBe(1);
    expect(out.cmds[0].length).toBe(50002);
    expect(out.cmds[0][50001]).toBe("field:49999");
    expect(dec.stats.copiedBytes).toBeLessThan(4 * input.length);
  });
});

describe("fuzzer (seeded)", () => {
  const KNOWN = new Set([
    ERR_INVALID_BULK,
    ERR_INVALID_MULTIBULK,
    ERR_TOO_BIG_BULK,
    ERR_TOO_BIG_INLINE,
    ERR_TOO_BIG_MBULK,
    ERR_UNBALANCED,
    ERR_UNAUTH_BULK,
    ERR_UNAUTH_MULTIBULK,
  ]);
  const isKnown = (e: string) => KNOWN.has(e) || /^ERR Protocol error: expected '\$', got '[^\r\n]'$/s.test(e);

  const ALPHABET = ["*", "$", "\r", "\n", "\r\n", "0", "1", "2", "3", "-", " ", '"', "'", "\\", "x", "a", "\x00", "\xff"];

  function randomFrame(rand: () => number): Buffer {
    const kind = rand();
    if (kind < 0.6) {
      const n = Math.floor(rand() * 4);
      const args = Array.from({ length: n }, () =>
        Buffer.from(Array.from({ length: Math.floor(rand() * 12) }, () => Math.floor(rand() * 256))),
      );
      return frame(...args);
    }
    if (kind < 0.8) {
      const words = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
        const w = "ab" + (rand() < 0.3 ? "\\x4" + "1" : "");
        return rand() < 0.3 ? `"${w}"` : rand() < 0.2 ? `'${w}'` : w;
      });
      return B(words.join(" ") + (rand() < 0.5 ? "\r\n" : "\n"));
    }
    return B(Array.from({ length: Math.floor(rand() * 10) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join(""));
  }

  function mutate(buf: Buffer, rand: () => number): Buffer {
    const out = Buffer.from(buf);
    const edits = Math.floor(rand() * 3);
    for (let k = 0; k < edits && out.length > 0; k++) {
      const at = Math.floor(rand() * out.length);
      const r = rand();
      if (r < 0.4) out[at] = Math.floor(rand() * 256);
      else if (r < 0.7) out[at] = B(ALPHABET[Math.floor(rand() * ALPHABET.length)])[0];
      else return Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    }
    return out;
  }

  it("never throws, only parses, waits or reports a known error, identically for any split", () => {
    const rand = rng(2024);
    let errors = 0;
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      const frames = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => randomFrame(rand));
      let input: Buffer = Buffer.concat(frames);
      if (rand() < 0.7) input = mutate(input, rand);
      const unauth = rand() < 0.1;
      const mk = () => Object.assign(new RespDecoder(), { unauthenticated: unauth });
      const whole = feedAll(mk(), [input]);
      if (whole.error !== null) {
        expect(isKnown(whole.error), JSON.stringify(whole.error)).toBe(true);
        errors++;
      }
      parsed += whole.cmds.length;
      const split = feedAll(mk(), randomSplit(input, rand, 1 + Math.floor(rand() * 8)));
      expect(split.cmds, JSON.stringify(input.toString("latin1"))).toEqual(whole.cmds);
      expect(split.error).toBe(whole.error);
    }
    // The generator must reach both outcomes, or this test proves little.
    expect(errors).toBeGreaterThan(300);
    expect(parsed).toBeGreaterThan(3000);
  });

  it("round-trips random valid commands exactly", () => {
    const rand = rng(99);
    for (let round = 0; round < 500; round++) {
      const cmds: Buffer[][] = Array.from({ length: 1 + Math.floor(rand() * 10) }, () =>
        Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
          Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256))),
        ),
      );
      const input = Buffer.concat(cmds.map((args) => frame(...args)));
      const out = feedAll(new RespDecoder(), randomSplit(input, rand, 64));
      expect(out.error).toBeNull();
      expect(out.cmds).toEqual(cmds.map((args) => args.map((a) => a.toString("latin1"))));
    }
  });
});
