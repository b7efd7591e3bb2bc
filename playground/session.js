// A Wedis session without a server: the engine (build/wedis.wasm) and the command table, driven
// one redis-cli-style line at a time. It backs the browser playground and runs unchanged under
// Node, so it touches neither the DOM nor any Node module — only WebAssembly, TextEncoder and
// TextDecoder.
//
// What the server would do before the engine sees a command is done here, with the server's exact
// error strings: find the command (and subcommand), check its arity, and refuse the commands the
// host implements (INFO, CONFIG, CLIENT, MULTI…), which need connections, files or the server's
// state. SELECT is the one host command kept, because it only picks the database number this
// session passes to the engine. Everything else crosses the boundary as ARCHITECTURE.md describes
// it: argument bytes into the data area, one table record [id, argc, replyEnd, flags, off, len…],
// one exec call, the RESP2 reply read back from the output buffer.
//
// There is no other client, so a blocking command that finds nothing to pop could never be served;
// it is answered the way its timeout would answer it, with a null reply.

const CMD_BLOCKED = 1;
const DATABASES = 16;
const KINDS = ["", "free", "small", "large", "meta"];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Loads the engine from its bytes and indexes `commandJson` (COMMAND_JSON of
 * host/commands/table.generated). Asynchronous because browsers refuse to compile a module of this
 * size synchronously on the main thread.
 * Options: `now()` gives the wall-clock ms the engine sees (tests freeze time with it); `seed`
 * fixes the hash and random seeds.
 */
export async function createSession(wasmBytes, commandJson, options = {}) {
  const now = options.now ?? (() => Date.now());
  let x;
  const readString = (ptr) => {
    if (!x || !ptr) return String(ptr);
    const len = new Uint32Array(x.memory.buffer, (ptr - 4) & ~3, 1)[0] >>> 1;
    return String.fromCharCode(...new Uint16Array(x.memory.buffer, ptr, len));
  };
  const { instance } = await WebAssembly.instantiate(wasmBytes, {
    env: {
      abort(msg, file, line, col) {
        throw new Error(`engine abort: ${readString(msg)} at ${readString(file)}:${line}:${col}`);
      },
    },
  });
  x = instance.exports;
  const seed = options.seed ?? randomSeed();
  x.init(DATABASES, seed, seed);

  const commands = indexCommands(commandJson);
  let db = 0;

  /** Runs one command given as arguments; returns its RESP reply bytes. */
  function execArgs(args) {
    if (args.length === 0) return new Uint8Array(0);
    const name = decoder.decode(args[0]).toLowerCase();
    let cmd = commands.get(name);
    if (!cmd) return errorBytes(unknownCommandError(args));
    if (cmd.subcommands && args.length >= 2) {
      const sub = cmd.subcommands.get(decoder.decode(args[1]).toLowerCase());
      if (!sub) return errorBytes(`ERR unknown subcommand '${cText(args[1], 128)}'. Try ${cmd.name.toUpperCase()} HELP.`);
      cmd = sub;
    }
    const arity = cmd.arity;
    if (arity > 0 ? args.length !== arity : args.length < -arity) {
      return errorBytes(`ERR wrong number of arguments for '${cmd.name}' command`);
    }
    if (cmd.name === "select") return select(args[1]);
    if (cmd.run !== "engine") {
      return errorBytes(`ERR '${cmd.name.toUpperCase().replace("|", " ")}' needs the Wedis server; the playground runs only the engine's commands`);
    }
    return crossBoundary(cmd, args);
  }

  function select(arg) {
    // An int, strictly (no sign on zero, no leading zeros, no blanks), as the server's SELECT.
    const text = decoder.decode(arg);
    const n = /^(0|-?[1-9][0-9]*)$/.test(text) ? Number(text) : NaN;
    if (!(n >= -2147483648 && n <= 2147483647)) return errorBytes("ERR value is not an integer or out of range");
    if (n < 0 || n >= DATABASES) return errorBytes("ERR DB index is out of range");
    db = n;
    return encoder.encode("+OK\r\n");
  }

  function crossBoundary(cmd, args) {
    let bytes = 0;
    for (const a of args) bytes += a.length;
    const table = x.reserveTable((4 + 2 * args.length) * 4) >>> 0;
    const data = x.reserveData(Math.max(bytes, 1)) >>> 0;
    // Views are made after reserving: reserving may grow memory, which detaches older views.
    const u8 = new Uint8Array(x.memory.buffer);
    const u32 = new Uint32Array(x.memory.buffer);
    let w = table >>> 2;
    u32[w++] = cmd.id;
    u32[w++] = args.length;
    u32[w++] = 0;
    u32[w++] = 0;
    let off = 0;
    for (const a of args) {
      u8.set(a, data + off);
      u32[w++] = off;
      u32[w++] = a.length;
      off += a.length;
    }
    const n = x.exec(table, 1, data, db, 2, now()) >>> 0;
    const flags = new Uint32Array(x.memory.buffer)[(table >>> 2) + 3];
    if (flags & CMD_BLOCKED) return encoder.encode("*-1\r\n");
    const ptr = x.outputPtr() >>> 0;
    return new Uint8Array(x.memory.buffer, ptr, n).slice();
  }

  return {
    /** The database SELECT picked. */
    get db() {
      return db;
    },

    /** Runs one command line; `reply` is rendered as redis-cli prints it, `raw` is the RESP. */
    run(line) {
      const args = splitArgs(line);
      if (args === null) return { reply: "Invalid argument(s)", raw: new Uint8Array(0) };
      let raw;
      try {
        raw = execArgs(args);
      } catch (e) {
        // A trap inside the engine (a bug): show it rather than lose the console.
        raw = errorBytes(`ERR ${e instanceof Error ? e.message : String(e)}`);
      }
      return { reply: raw.length === 0 ? "" : renderReply(decodeReply(raw)), raw };
    },

    /** Runs one command given as arguments (strings are sent as UTF-8); returns the raw RESP. */
    exec(args) {
      return execArgs(args.map((a) => (typeof a === "string" ? encoder.encode(a) : a)));
    },

    /** The allocator's view of linear memory; see memoryMap below. */
    memory() {
      return memoryMap(x);
    },
  };
}

function randomSeed() {
  const c = globalThis.crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0];
  return (Math.random() * 0x1_0000_0000) >>> 0;
}

// ---- the command table ---------------------------------------------------------------------------

/** name → { id, name, arity, run, subcommands: Map | null } for the top-level commands. */
function indexCommands(json) {
  const make = (j) => {
    const subs = j.subcommands ? Object.values(j.subcommands).map(make) : null;
    return {
      id: j.id,
      name: j.name,
      arity: j.arity,
      // A container runs where its subcommands run, as in host/commands/table.ts.
      run: j.run ?? subs?.[0]?.run ?? "host",
      subcommands: subs ? new Map(subs.map((s) => [s.name.slice(s.name.indexOf("|") + 1), s])) : null,
    };
  };
  return new Map(json.map((j) => [j.name, make(j)]));
}

// ---- error strings ---------------------------------------------------------------------------------
// As the server writes them (host/commands/table.ts): arguments printed C-style ("%.128s", so cut
// at a NUL byte), CR and LF turned into spaces so the error stays one RESP line.

function cBytes(b, max) {
  let n = 0;
  while (n < b.length && n < max && b[n] !== 0) n++;
  return b.subarray(0, n);
}

function cText(b, max) {
  return decoder.decode(cBytes(b, max));
}

function unknownCommandError(args) {
  let list = "";
  let used = 0;
  for (let i = 1; i < args.length && used < 128; i++) {
    const part = cBytes(args[i], 128 - used);
    list += `'${decoder.decode(part)}' `;
    used += part.length + 3;
  }
  return `ERR unknown command '${cText(args[0], 128)}', with args beginning with: ${list}`;
}

function errorBytes(message) {
  return encoder.encode(`-${message.replace(/[\r\n]/g, " ")}\r\n`);
}

// ---- redis-cli's line syntax -------------------------------------------------------------------------
// Words split on blanks; "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes (any other
// escaped character stands for itself); 'single quotes' take only \'. A closing quote must end the
// word and every quote must close, or the whole line is invalid (null), as in redis-cli.

const ESCAPES = { n: 10, r: 13, t: 9, b: 8, a: 7 };
const isBlank = (c) => c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
const isHex = (c) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** The arguments of a command line as bytes, or null when its quoting is broken. */
export function splitArgs(line) {
  const chars = [...line];
  const args = [];
  let i = 0;
  for (;;) {
    while (i < chars.length && isBlank(chars[i])) i++;
    if (i >= chars.length) return args;
    const bytes = [];
    const put = (c) => bytes.push(...encoder.encode(c));
    let quote = "";
    for (;;) {
      const c = chars[i];
      if (quote === '"') {
        if (c === undefined) return null;
        if (c === "\\" && chars[i + 1] === "x" && isHex(chars[i + 2]) && isHex(chars[i + 3])) {
          bytes.push(parseInt(chars[i + 2] + chars[i + 3], 16));
          i += 4;
          continue;
        }
        if (c === "\\" && chars[i + 1] !== undefined) {
          const e = chars[i + 1];
          if (Object.hasOwn(ESCAPES, e)) bytes.push(ESCAPES[e]);
          else put(e);
          i += 2;
          continue;
        }
        if (c === '"') {
          if (chars[i + 1] !== undefined && !isBlank(chars[i + 1])) return null;
          i++;
          break;
        }
        put(c);
      } else if (quote === "'") {
        if (c === undefined) return null;
        if (c === "\\" && chars[i + 1] === "'") {
          put("'");
          i += 2;
          continue;
        }
        if (c === "'") {
          if (chars[i + 1] !== undefined && !isBlank(chars[i + 1])) return null;
          i++;
          break;
        }
        put(c);
      } else {
        if (c === undefined || isBlank(c)) break;
        if (c === '"' || c === "'") quote = c;
        else put(c);
      }
      i++;
    }
    args.push(new Uint8Array(bytes));
  }
}

// ---- RESP2 replies ---------------------------------------------------------------------------------------
// Decoded to { type: "status" | "error" | "integer" | "bulk" | "array", value } with null for the
// null bulk and null array; bulk values stay bytes.

/** Decodes the one RESP2 reply in `buf`. */
export function decodeReply(buf) {
  let pos = 0;
  const line = () => {
    let end = pos;
    while (end + 1 < buf.length && !(buf[end] === 13 && buf[end + 1] === 10)) end++;
    if (end + 1 >= buf.length) throw new Error("truncated reply");
    const text = decoder.decode(buf.subarray(pos, end));
    pos = end + 2;
    return text;
  };
  const one = () => {
    const type = String.fromCharCode(buf[pos++]);
    const text = line();
    switch (type) {
      case "+": return { type: "status", value: text };
      case "-": return { type: "error", value: text };
      case ":": return { type: "integer", value: text };
      case "$": {
        const n = Number(text);
        if (n < 0) return { type: "bulk", value: null };
        const value = buf.slice(pos, pos + n);
        pos += n + 2;
        return { type: "bulk", value };
      }
      case "*": {
        const n = Number(text);
        if (n < 0) return { type: "array", value: null };
        const items = [];
        for (let i = 0; i < n; i++) items.push(one());
        return { type: "array", value: items };
      }
      default:
        throw new Error(`unexpected reply type '${type}'`);
    }
  };
  return one();
}

/** A reply as redis-cli prints it on a terminal (no trailing newline). */
export function renderReply(reply) {
  return render(reply, "").replace(/\n$/, "");
}

function render(r, indent) {
  switch (r.type) {
    case "status": return `${r.value}\n`;
    case "error": return `(error) ${r.value}\n`;
    case "integer": return `(integer) ${r.value}\n`;
    case "bulk": return r.value === null ? "(nil)\n" : `${quoteBytes(r.value)}\n`;
    case "array": {
      if (r.value === null) return "(nil)\n";
      if (r.value.length === 0) return "(empty array)\n";
      // Numbers are right-aligned to the widest; nested lines are indented past "N) ".
      const width = String(r.value.length).length;
      let out = "";
      r.value.forEach((item, i) => {
        const lead = `${String(i + 1).padStart(width)}) `;
        out += (i > 0 ? indent : "") + lead + render(item, indent + " ".repeat(lead.length));
      });
      return out;
    }
  }
  throw new Error(`unknown reply type ${r.type}`);
}

const QUOTED = { 34: '\\"', 92: "\\\\", 10: "\\n", 13: "\\r", 9: "\\t", 7: "\\a", 8: "\\b" };

/** Bytes in double quotes, printable ASCII as is, the rest escaped (redis-cli's repr). */
function quoteBytes(bytes) {
  let s = '"';
  for (const b of bytes) {
    if (Object.hasOwn(QUOTED, b)) s += QUOTED[b];
    else if (b >= 0x20 && b <= 0x7e) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `${s}"`;
}

// ---- the memory map ---------------------------------------------------------------------------------------
// The allocator writes its tables into engine memory; the scratch space is the engine's data area,
// which is itself a heap block, so the map read back includes it — it is the heap as it is.

const PAGE = 4096;

/** Has `fill(buf, cap)` write into the data area, growing it until the table fits; a copy. */
function readTable(x, fill) {
  let cap = fill(0, 0) >>> 0;
  for (;;) {
    const buf = x.reserveData(Math.max(cap, 1)) >>> 0;
    const len = fill(buf, cap) >>> 0;
    if (len <= cap) return new DataView(x.memory.buffer.slice(buf, buf + len));
    cap = len;
  }
}

/**
 * used: bytes of live blocks (used_memory); rss: bytes of linear memory; heap: bytes the
 * allocator manages;
 * spans: runs of pages in address order, { page, pages, kind: "free" | "small" | "large" | "meta",
 *   cls (size-class index, small only), blockSize, blocks (blocks in use, small only) };
 * classes: one row per small size class, { size, pagesPerSlab, blocksPerSlab, slabs, pages,
 *   blocksUsed, bytesUsed, blocksFree }.
 */
function memoryMap(x) {
  const stats = readTable(x, (buf, cap) => x.memClassStats(buf, cap));
  const nclasses = stats.getUint32(4, true);
  const rowBytes = stats.getUint32(8, true);
  const classes = [];
  for (let c = 0; c < nclasses; c++) {
    const o = 16 + c * rowBytes;
    const u = (k) => stats.getUint32(o + 4 * k, true);
    classes.push({
      size: u(0), pagesPerSlab: u(1), blocksPerSlab: u(2), slabs: u(3),
      pages: u(4), blocksUsed: u(5), bytesUsed: u(6), blocksFree: u(7),
    });
  }
  const map = readTable(x, (buf, cap) => x.memSpanMap(buf, cap));
  const spans = [];
  for (let o = 0; o < map.byteLength; o += 12) {
    const kind = KINDS[map.getUint8(o + 8)];
    const cls = map.getUint8(o + 9);
    spans.push({
      page: map.getUint32(o, true),
      pages: map.getUint32(o + 4, true),
      kind,
      cls: kind === "small" ? cls : -1,
      blockSize: kind === "small" ? classes[cls].size : 0,
      blocks: kind === "small" ? map.getUint16(o + 10, true) : 0,
    });
  }
  return {
    used: x.usedMemory() >>> 0,
    rss: x.memRssBytes(),
    heap: x.memHeapBytes(),
    pageSize: PAGE,
    spans,
    classes,
  };
}
