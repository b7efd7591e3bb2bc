// RESP plumbing shared by the golden-transcript recorder (scripts/record-golden.mjs) and the
// replayer (test/golden/golden.test.ts): encoding commands, finding where one reply ends in a
// byte stream, parsing a reply into a tree for the non-exact matchers, and the matchers.
//
// Why our own small parser instead of a client library: the point of the transcripts is to
// compare the exact bytes a server writes. A client library would decode them (and forgive
// differences such as "+OK" versus "$2\r\nOK"), so we frame replies ourselves and keep the
// raw bytes of each one.
//
// Replies are kept as latin1 strings (one char per byte) in the transcripts: CR/LF and other
// control bytes come out as JSON escapes ("+OK\r\n"), and `Buffer.from(s, "latin1")` restores
// the bytes exactly.

const CRLF = Buffer.from("\r\n");

/** Encodes one command (array of Buffers or strings) as a RESP array of bulk strings. */
export function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

/** Index just past the line starting at `pos`, or -1 when the line is not complete yet. */
function lineEnd(buf, pos) {
  const i = buf.indexOf(CRLF, pos);
  return i < 0 ? -1 : i + 2;
}

/**
 * Index just past the reply that starts at `pos` in `buf`, or -1 when more bytes are needed.
 * Knows every RESP2 and RESP3 type; throws on a byte that starts no reply (a protocol error
 * that a test should report rather than wait on forever).
 */
export function replyEnd(buf, pos = 0) {
  if (pos >= buf.length) return -1;
  const type = String.fromCharCode(buf[pos]);
  const end = lineEnd(buf, pos);
  if (end < 0) return -1;
  const header = buf.toString("latin1", pos + 1, end - 2);
  switch (type) {
    case "+": case "-": case ":": case "_": case ",": case "#": case "(":
      return end;
    case "$": case "!": case "=": {
      const n = Number(header);
      if (n < 0) return end; // $-1: RESP2 null bulk
      return end + n + 2 <= buf.length ? end + n + 2 : -1;
    }
    case "*": case "~": case ">": case "%": case "|": {
      let n = Number(header);
      if (n < 0) return end; // *-1: RESP2 null array
      if (type === "%" || type === "|") n *= 2;
      let p = end;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p);
        if (p < 0) return -1;
      }
      // An attribute precedes the reply it describes: the pair is one reply.
      return type === "|" ? replyEnd(buf, p) : p;
    }
    default:
      throw new Error(`not a RESP reply: byte 0x${buf[pos].toString(16)} at ${pos}: ${escape(buf.subarray(pos, pos + 40))}`);
  }
}

/** Parses one complete reply into { type, value } (scalars) or { type, items } (aggregates). */
export function parseReply(buf) {
  let pos = 0;
  const one = () => {
    const type = String.fromCharCode(buf[pos]);
    const end = lineEnd(buf, pos);
    const header = buf.toString("latin1", pos + 1, end - 2);
    pos = end;
    switch (type) {
      case "$": case "!": case "=": {
        const n = Number(header);
        if (n < 0) return { type, value: null };
        const value = buf.toString("latin1", pos, pos + n);
        pos += n + 2;
        return { type, value };
      }
      case "*": case "~": case ">": case "%": case "|": {
        let n = Number(header);
        if (n < 0) return { type, items: null };
        if (type === "%" || type === "|") n *= 2;
        const items = [];
        for (let i = 0; i < n; i++) items.push(one());
        return { type, items };
      }
      default:
        return { type, value: header };
    }
  };
  return one();
}

/** Serializes a parsed reply back to RESP bytes (a latin1 string). */
function serialize(node) {
  if (node.items !== undefined) {
    if (node.items === null) return `${node.type}-1\r\n`;
    const n = node.type === "%" || node.type === "|" ? node.items.length / 2 : node.items.length;
    return `${node.type}${n}\r\n` + node.items.map(serialize).join("");
  }
  if (node.type === "$" || node.type === "!" || node.type === "=") {
    return node.value === null ? "$-1\r\n" : `${node.type}${node.value.length}\r\n${node.value}\r\n`;
  }
  return `${node.type}${node.value}\r\n`;
}

/** Every aggregate sorted (maps by key/value pair), so two replies compare as multisets. */
function canonical(node) {
  if (!node.items) return node;
  const items = node.items.map(canonical);
  if (node.type === "%") {
    const pairs = [];
    for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
    pairs.sort((a, b) => cmp(serialize(a[0]) + serialize(a[1]), serialize(b[0]) + serialize(b[1])));
    return { type: node.type, items: pairs.flat() };
  }
  items.sort((a, b) => cmp(serialize(a), serialize(b)));
  return { type: node.type, items };
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Same RESP type at every level and same aggregate lengths; scalar values may differ. */
function sameShape(a, b) {
  if (a.type !== b.type) return false;
  if (a.items === undefined || b.items === undefined) return a.items === b.items;
  if (a.items === null || b.items === null) return a.items === b.items;
  if (a.items.length !== b.items.length) return false;
  return a.items.every((x, i) => sameShape(x, b.items[i]));
}

/**
 * Does `actual` (latin1 string of reply bytes) satisfy the step recorded from Redis?
 * Matchers: none (exact bytes), "type" (same shape), "regex" (step.regex matches the whole
 * reply as latin1 text), "sorted" (equal once every aggregate is sorted: for KEYS and other
 * replies whose order depends on the hash table).
 */
export function matches(step, actual) {
  switch (step.match ?? "exact") {
    case "exact":
      return actual === step.reply;
    case "type":
      return sameShape(parseReply(Buffer.from(step.reply, "latin1")), parseReply(Buffer.from(actual, "latin1")));
    case "regex":
      return new RegExp(step.regex, step.flags ?? "").test(actual);
    case "sorted":
      return (
        serialize(canonical(parseReply(Buffer.from(step.reply, "latin1")))) ===
        serialize(canonical(parseReply(Buffer.from(actual, "latin1"))))
      );
    default:
      throw new Error(`unknown matcher '${step.match}'`);
  }
}

/** Readable form of reply bytes for failure messages and transcripts. */
export function escape(bytes) {
  const s = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("latin1");
  return JSON.stringify(s).slice(1, -1).replace(/[\u007f-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Argument as stored in a transcript: a string when it is valid UTF-8, else { b64 }. */
export function argToJson(buf) {
  const s = buf.toString("utf8");
  return Buffer.from(s, "utf8").equals(buf) ? s : { b64: buf.toString("base64") };
}

export function argFromJson(a) {
  return typeof a === "string" ? Buffer.from(a, "utf8") : Buffer.from(a.b64, "base64");
}

/** A command as one readable line (for messages). */
export function commandText(cmd) {
  return cmd.map((a) => (typeof a === "string" ? (/^[\x21-\x7e]+$/.test(a) ? a : JSON.stringify(a)) : `<b64:${a.b64}>`)).join(" ");
}
