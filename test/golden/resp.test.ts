// The golden machinery itself: reply framing, matchers, scenario parsing, and the integrity of
// the recorded transcripts. None of it needs a server.
import { describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-ignore: plain JS helpers shared with the recorder (no type declarations)
import { replyEnd, matches, encodeCommand, argToJson, argFromJson } from "./resp.mjs";
// @ts-ignore: plain JS helper
import { loadTranscripts } from "./replay.mjs";
// @ts-ignore: plain JS script
import { splitArgs, parseScenario } from "../../scripts/record-golden.mjs";

const b = (s: string) => Buffer.from(s, "latin1");

describe("reply framing", () => {
  it("finds the end of each RESP2 and RESP3 type", () => {
    const cases = [
      "+OK\r\n",
      "-ERR x\r\n",
      ":-12\r\n",
      "$3\r\na\r\n\r\n",
      "$-1\r\n",
      "*-1\r\n",
      "*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
      "_\r\n",
      ",3.5\r\n",
      "#t\r\n",
      "(123\r\n",
      "=7\r\ntxt:abc\r\n",
      "!3\r\nerr\r\n",
      "%2\r\n+a\r\n:1\r\n+b\r\n*0\r\n",
      "~1\r\n+x\r\n",
      ">2\r\n+p\r\n+q\r\n",
      "|1\r\n+k\r\n+v\r\n+reply\r\n",
    ];
    for (const c of cases) {
      expect(replyEnd(b(c + "+NEXT\r\n"), 0), c).toBe(c.length);
      // every strict prefix is incomplete
      for (let i = 0; i < c.length; i++) expect(replyEnd(b(c.slice(0, i)), 0), `${c} prefix ${i}`).toBe(-1);
    }
  });

  it("rejects bytes that start no reply", () => {
    expect(() => replyEnd(b("hello\r\n"), 0)).toThrow(/not a RESP reply/);
  });

  it("encodes commands as arrays of bulk strings", () => {
    expect(encodeCommand(["SET", Buffer.from([0, 255])]).toString("latin1")).toBe("*2\r\n$3\r\nSET\r\n$2\r\n\x00\xff\r\n");
  });

  it("stores non-UTF-8 arguments as base64 and restores them", () => {
    const bin = Buffer.from([0x61, 0xff, 0x00]);
    expect(argToJson(bin)).toEqual({ b64: bin.toString("base64") });
    expect(argFromJson(argToJson(bin))).toEqual(bin);
    expect(argToJson(Buffer.from("héllo"))).toBe("héllo");
  });
});

describe("matchers", () => {
  it("exact compares bytes", () => {
    expect(matches({ reply: "+OK\r\n" }, "+OK\r\n")).toBe(true);
    expect(matches({ reply: "+OK\r\n" }, "$2\r\nOK\r\n")).toBe(false);
  });

  it("type compares types and shapes, not values", () => {
    const step = { reply: "%2\r\n$2\r\nid\r\n:5\r\n$1\r\nv\r\n$1\r\nx\r\n", match: "type" };
    expect(matches(step, "%2\r\n$2\r\nid\r\n:99\r\n$1\r\nv\r\n$3\r\nxyz\r\n")).toBe(true);
    expect(matches(step, "*4\r\n$2\r\nid\r\n:99\r\n$1\r\nv\r\n$3\r\nxyz\r\n")).toBe(false);
    expect(matches(step, "%1\r\n$2\r\nid\r\n:99\r\n")).toBe(false);
    expect(matches(step, "%2\r\n$2\r\nid\r\n+5\r\n$1\r\nv\r\n$1\r\nx\r\n")).toBe(false);
  });

  it("sorted compares aggregates as multisets", () => {
    const step = { reply: "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", match: "sorted" };
    expect(matches(step, "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n")).toBe(true);
    expect(matches(step, "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\na\r\n")).toBe(false);
    expect(matches(step, "*2\r\n$1\r\na\r\n$1\r\nb\r\n")).toBe(false);
    const map = { reply: "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", match: "sorted" };
    expect(matches(map, "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n")).toBe(true);
    expect(matches(map, "%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n")).toBe(false);
  });

  it("regex matches the reply text", () => {
    const step = { reply: ":100000\r\n", match: "regex", regex: "^:(99\\d\\d\\d|100000)\\r\\n$" };
    expect(matches(step, ":99998\r\n")).toBe(true);
    expect(matches(step, ":100001\r\n")).toBe(false);
  });
});

describe("scenario syntax", () => {
  it("splits arguments like redis-cli", () => {
    const s = (line: string) => splitArgs(line).map((x: Buffer) => x.toString("latin1"));
    expect(s(`SET  k "a b\\x00\\xff\\n" 'it\\'s' x"y"`)).toEqual(["SET", "k", "a b\x00\xff\n", "it's", "xy"]);
    expect(s(`ECHO ""`)).toEqual(["ECHO", ""]);
    expect(() => splitArgs(`ECHO "open`)).toThrow(/unbalanced/);
    expect(() => splitArgs(`ECHO "a"b`)).toThrow(/closing quote/);
  });

  it("parses directives", () => {
    const steps = parseScenario("# c\n\nPING\n@sleep 5\n@match-type HELLO 3\n@match-sorted KEYS *\n@match-regex /^:\\d\\/x$/i TTL k\n", "t");
    expect(steps.map((x: { line: number; match?: string; sleep?: number }) => [x.line, x.match ?? x.sleep ?? "exact"])).toEqual([
      [3, "exact"],
      [4, 5],
      [5, "type"],
      [6, "sorted"],
      [7, "regex"],
    ]);
    expect(steps[4].regex).toBe("^:\\d\\/x$");
    expect(steps[4].flags).toBe("i");
    expect(steps[4].args.map(String)).toEqual(["TTL", "k"]);
    expect(() => parseScenario("@bogus x\n", "t")).toThrow(/t.txt:1: unknown directive/);
    expect(() => parseScenario("@match-regex /abc TTL k\n", "t")).toThrow(/unterminated/);
  });
});

describe("recorded transcripts", () => {
  const transcripts = loadTranscripts(join(dirname(fileURLToPath(import.meta.url)), "transcripts"));
  it("each recorded reply is one complete reply that satisfies its own matcher", () => {
    let n = 0;
    for (const t of transcripts) {
      for (const s of t.steps) {
        if (!s.cmd) continue;
        n++;
        expect(replyEnd(b(s.reply), 0), `${t.name}:${s.line}`).toBe(s.reply.length);
        expect(matches(s, s.reply), `${t.name}:${s.line}`).toBe(true);
      }
    }
    expect(n).toBeGreaterThan(500);
  });
});
