// Memory-accounting experiment: what Wedis's counted bytes look like next to a real Redis.
//
// Three experiments, each written as data (JSON), as charts (SVG rendered by vega-lite, no
// browser) and as a report whose sentences are computed from the measurements, so a rerun after
// an engine change rewrites the conclusions too:
//
//   1. bytes per key / per element for every type as it grows across the encoding thresholds;
//   2. used memory against the heap over a fill–delete–refill cycle (fragmentation);
//   3. used memory and evicted keys over time with an 8 MB cap, once per eviction policy.
//
// Wedis is driven in-process (host/direct.ts), with no server and no sockets; Redis, when a
// `redis-server` binary is on PATH, is started on a free port and fed the same commands through
// a small pipelined RESP client. Both sides are measured the same way: used memory with the
// keys loaded minus used memory right after FLUSHALL, so buffers that stay allocated either way
// (Wedis's argument area, Redis's client buffers) cancel out. The delta includes each key's
// share of the keyspace table, which is why per-element numbers at tiny sizes are dominated by
// the key itself.
//
// Output: bench/results/memory/ (gitignored) and a copy in docs/memory/ for the README.
// Needs the compiled host (`npx tsc -p tsconfig.json`) and build/wedis.wasm.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as vega from "vega";
import * as vl from "vega-lite";
import { Engine } from "../dist/host/engine.js";
import { execDirect } from "../dist/host/direct.js";
import { POLICY_CODES } from "../dist/host/commands/config.js";
import { pushDenyoomTable } from "../dist/host/server.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIRS = [join(ROOT, "bench", "results", "memory"), join(ROOT, "docs", "memory")];
const started = Date.now();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

// ---- RESP --------------------------------------------------------------------------------------

function encodeCommand(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) {
    const v = String(a);
    s += `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
  }
  return s;
}

class RespError {
  constructor(message) {
    this.message = message;
  }
}

/** Parses one RESP2/RESP3 reply at `pos`: [value, next] or null when the bytes are incomplete. */
function parseReply(buf, pos) {
  if (pos >= buf.length) return null;
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString("latin1", pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case "+":
      return [line, next];
    case "-":
      return [new RespError(line), next];
    case ":":
      return [Number(line), next];
    case "_":
      return [null, next];
    case "$": {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.toString("utf8", next, next + n), next + n + 2];
    }
    case "*":
    case "%": {
      const n = Number(line) * (type === "%" ? 2 : 1);
      if (n < 0) return [null, next];
      const items = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (!r) return null;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/** One connection to Redis; `exec` pipelines a list of commands and returns their replies. */
class RedisConn {
  static connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => resolve(new RedisConn(socket)));
      socket.once("error", reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.waiters = [];
    socket.on("data", (d) => this.onData(d));
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("redis connection closed")));
  }

  onData(d) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    let pos = 0;
    while (this.waiters.length) {
      const r = parseReply(this.pending, pos);
      if (!r) break;
      pos = r[1];
      const w = this.waiters[0];
      w.replies.push(r[0]);
      if (w.replies.length === w.count) {
        this.waiters.shift();
        w.resolve(w.replies);
      }
    }
    this.pending = this.pending.subarray(pos);
  }

  fail(e) {
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  /** Sends `commands` in windows (bounded buffers on both sides) and collects every reply. */
  async exec(commands, window = 2000) {
    const out = [];
    for (let i = 0; i < commands.length; i += window) {
      const part = commands.slice(i, i + window);
      const replies = new Promise((resolve, reject) => {
        this.waiters.push({ count: part.length, replies: [], resolve, reject });
      });
      this.socket.write(part.map(encodeCommand).join(""));
      out.push(...(await replies));
    }
    return out;
  }

  close() {
    this.socket.removeAllListeners("close");
    this.socket.destroy();
  }
}

// ---- the two targets -----------------------------------------------------------------------------

/** Wedis in-process. `nowMs` is the engine's clock, advanced by the eviction experiment. */
class WedisTarget {
  constructor() {
    this.name = "Wedis";
    this.engine = Engine.load();
    this.engine.x.init(16, 0x5eed, 0x5eed);
    this.nowMs = Date.UTC(2026, 0, 1);
  }

  async exec(commands, window = 500) {
    const out = [];
    for (let i = 0; i < commands.length; i += window) {
      const replies = execDirect(this.engine, commands.slice(i, i + window), { nowMs: this.nowMs });
      for (const r of replies) out.push(parseReply(r, 0)[0]);
    }
    return out;
  }

  async memory() {
    const x = this.engine.x;
    return {
      used: x.usedMemory() >>> 0,
      rss: x.memRssBytes(),
      active: x.memActiveBytes(),
    };
  }

  close() {}
}

/** A redis-server started on a free port for this run, or null (with the reason) if it can't be. */
class RedisTarget {
  static async start() {
    const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
    if (probe.error || probe.status !== 0) {
      return { target: null, reason: "`redis-server` was not found on PATH, so the Redis columns are missing." };
    }
    const version = (/v=(\S+)/.exec(probe.stdout) ?? [])[1] ?? "unknown";
    const port = Number(process.env.REDIS_PORT) || (await freePort());
    const child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 50; i++) {
      try {
        const conn = await RedisConn.connect(port);
        const t = new RedisTarget(child, conn, version, port);
        await conn.exec([["PING"]]);
        return { target: t, reason: null };
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    child.kill();
    return { target: null, reason: `redis-server ${version} did not accept connections on port ${port}.` };
  }

  constructor(child, conn, version, port) {
    this.name = "Redis";
    this.child = child;
    this.conn = conn;
    this.version = version;
    this.port = port;
  }

  exec(commands) {
    return this.conn.exec(commands);
  }

  async memory() {
    const [text] = await this.conn.exec([["INFO", "memory"]]);
    const field = (name) => Number((new RegExp(`^${name}:(\\d+)`, "m").exec(text) ?? [])[1]);
    return { used: field("used_memory"), rss: field("used_memory_rss"), active: null };
  }

  close() {
    this.conn.close();
    this.child.kill("SIGTERM");
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- experiment 1: bytes per key / element -----------------------------------------------------

const pad = (i, width) => String(i).padStart(width, "0");
const keyName = (i) => `key:${pad(i, 8)}`;
const text = (i, len) => {
  // Distinct strings of exactly `len` bytes (a counter padded with letters).
  const id = String(i);
  return id.length >= len ? id.slice(-len) : "m".repeat(len - id.length) + id;
};

/** Commands that create key `k` holding `n` elements of type `kind` (multi-element commands chunked). */
function collectionCommands(kind, k, n, len) {
  const cmds = [];
  const key = keyName(k);
  for (let start = 0; start < n; start += 256) {
    const end = Math.min(n, start + 256);
    const args = [];
    for (let i = start; i < end; i++) {
      switch (kind) {
        case "list":
          args.push(text(i, len));
          break;
        case "set-int":
          args.push(String(100000 + i)); // 4-byte intset entries
          break;
        case "set-str":
          args.push(text(i, len));
          break;
        case "hash":
          args.push(`f:${pad(i, 6)}`, text(i, len));
          break;
        case "zset":
          args.push(String(i), text(i, len));
          break;
      }
    }
    const verb = { list: "RPUSH", "set-int": "SADD", "set-str": "SADD", hash: "HSET", zset: "ZADD" }[kind];
    cmds.push([verb, key, ...args]);
  }
  return cmds;
}

/** used-memory delta of running `commands` (loaded minus after FLUSHALL) and key 0's encoding. */
async function measure(target, commands, keyForEncoding) {
  await target.exec([["FLUSHALL"]]);
  for (const r of await target.exec(commands)) {
    if (r instanceof RespError) throw new Error(`${target.name}: ${r.message}`);
  }
  const [encoding] = await target.exec([["OBJECT", "ENCODING", keyForEncoding]]);
  const loaded = (await target.memory()).used;
  await target.exec([["FLUSHALL"]]);
  const empty = (await target.memory()).used;
  return { delta: loaded - empty, encoding: String(encoding) };
}

const COUNTS = [1, 2, 4, 8, 16, 32, 64, 100, 128, 129, 200, 256, 400, 512, 513, 700, 1024, 2048];
const LENGTHS = [8, 16, 32, 48, 56, 64, 65, 80, 96, 128];
const ELEMENTS_PER_POINT = 16000;

async function bytesPerElement(targets) {
  const rows = [];
  for (const target of targets) {
    // Strings: value length sweep, once with digits (int encoding up to 19 digits + sign range)
    // and once with letters (embstr up to 44 bytes, raw above).
    const keys = 10000;
    for (const series of ["digits", "letters"]) {
      const lens = series === "digits" ? [1, 2, 4, 5, 8, 12, 16, 19, 20, 24] : [1, 4, 8, 16, 24, 32, 40, 44, 45, 48, 64, 100, 200];
      for (const len of lens) {
        // "1111…": 19 digits still fit a 64-bit integer, 20 do not.
        const value = series === "digits" ? "1".repeat(len) : "v".repeat(len);
        const cmds = [];
        for (let k = 0; k < keys; k++) cmds.push(["SET", keyName(k), value]);
        const m = await measure(target, cmds, keyName(0));
        rows.push({ type: "string", sweep: "length", series, server: target.name, x: len, encoding: m.encoding, perKey: m.delta / keys, perElement: m.delta / keys });
      }
    }
    // Collections: element-count sweep with 10-byte elements.
    for (const kind of ["list", "set-int", "set-str", "hash", "zset"]) {
      for (const n of COUNTS) {
        const k = Math.max(4, Math.min(3000, Math.round(ELEMENTS_PER_POINT / n)));
        const cmds = [];
        for (let i = 0; i < k; i++) cmds.push(...collectionCommands(kind, i, n, 10));
        const m = await measure(target, cmds, keyName(0));
        const type = kind.startsWith("set") ? "set" : kind;
        const series = kind === "set-int" ? "integers" : kind === "set-str" ? "strings" : "10-byte elements";
        rows.push({ type, sweep: "count", series, server: target.name, x: n, encoding: m.encoding, perKey: m.delta / k, perElement: m.delta / (k * n) });
      }
    }
    // Hash values / zset members: length sweep at 16 elements per key.
    for (const kind of ["hash", "zset"]) {
      for (const len of LENGTHS) {
        const k = 1000;
        const cmds = [];
        for (let i = 0; i < k; i++) cmds.push(...collectionCommands(kind, i, 16, len));
        const m = await measure(target, cmds, keyName(0));
        rows.push({ type: kind, sweep: "length", series: "16 elements", server: target.name, x: len, encoding: m.encoding, perKey: m.delta / k, perElement: m.delta / (k * 16) });
      }
    }
    log(`experiment 1 done on ${target.name}`);
  }
  return rows;
}

// ---- experiment 2: fill, delete, refill --------------------------------------------------------

/** Small deterministic generator (xorshift32) so both servers see the same sizes and deletions. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const FRAG_KEYS = 100000;
const FRAG_STEPS = 10;

async function fragmentation(target) {
  const rand = rng(42);
  const sizes = Array.from({ length: FRAG_KEYS }, () => 16 + Math.floor(rand() * 496));
  const refillSizes = Array.from({ length: FRAG_KEYS }, () => 16 + Math.floor(rand() * 496));
  const victims = Array.from({ length: FRAG_KEYS }, () => rand() < 0.75);
  const filler = "x".repeat(512);
  const rows = [];
  let step = 0;
  const sample = async (phase) => {
    const m = await target.memory();
    rows.push({ server: target.name, phase, step: step++, ...m });
  };
  await target.exec([["FLUSHALL"]]);
  await sample("start");
  const per = FRAG_KEYS / FRAG_STEPS;
  for (let s = 0; s < FRAG_STEPS; s++) {
    const cmds = [];
    for (let i = s * per; i < (s + 1) * per; i++) cmds.push(["SET", `a:${pad(i, 7)}`, filler.slice(0, sizes[i])]);
    await target.exec(cmds);
    await sample("fill");
  }
  for (let s = 0; s < FRAG_STEPS; s++) {
    const cmds = [];
    for (let i = s * per; i < (s + 1) * per; i++) if (victims[i]) cmds.push(["DEL", `a:${pad(i, 7)}`]);
    await target.exec(cmds);
    await sample("delete 75%");
  }
  // Refill with new keys until as many bytes of values were written as were deleted.
  let deleted = 0;
  for (let i = 0; i < FRAG_KEYS; i++) if (victims[i]) deleted++;
  const per2 = Math.ceil(deleted / FRAG_STEPS);
  for (let s = 0; s < FRAG_STEPS; s++) {
    const cmds = [];
    for (let i = s * per2; i < Math.min(deleted, (s + 1) * per2); i++) cmds.push(["SET", `b:${pad(i, 7)}`, filler.slice(0, refillSizes[i])]);
    await target.exec(cmds);
    await sample("refill");
  }
  return rows;
}

// ---- experiment 3: eviction under a cap ------------------------------------------------------

const CAP = 8 * 1024 * 1024;
const WRITE_TOTAL = 40 * 1024 * 1024;
const VALUE_BYTES = 1000;
const BATCH = 500;
const HOT = 200;

/** One policy on a fresh engine: SETs of 1000-byte values (half with a TTL) and a hot set read every batch. */
async function evictionRun(policy) {
  const t = new WedisTarget();
  // Without the host's denyoom table the engine would run every write even when it cannot evict.
  pushDenyoomTable(t.engine);
  t.engine.x.setMaxmemory(BigInt(CAP), POLICY_CODES[policy]);
  const rand = rng(7);
  const value = "v".repeat(VALUE_BYTES);
  const total = Math.ceil(WRITE_TOTAL / VALUE_BYTES);
  const rows = [];
  let written = 0;
  let oom = 0;
  while (written < total) {
    const cmds = [];
    for (let i = written; i < Math.min(total, written + BATCH); i++) {
      // Odd keys are volatile with TTLs spread over a day (volatile-ttl has something to rank).
      if (i % 2) cmds.push(["SET", `k:${pad(i, 7)}`, value, "EX", String(3600 + Math.floor(rand() * 86400))]);
      else cmds.push(["SET", `k:${pad(i, 7)}`, value]);
    }
    const hot = [];
    if (written > 0) for (let i = 0; i < HOT; i++) hot.push(["GET", `k:${pad(i, 7)}`]);
    const replies = await t.exec([...hot, ...cmds]);
    let hotAlive = 0;
    for (let i = 0; i < replies.length; i++) {
      if (replies[i] instanceof RespError) oom++;
      else if (i < hot.length && replies[i] !== null) hotAlive++;
    }
    written += cmds.length;
    t.nowMs += 1000; // the LRU clock ticks in seconds
    const x = t.engine.x;
    rows.push({
      policy,
      writtenMB: (written * VALUE_BYTES) / 1048576,
      usedMB: (x.usedMemory() >>> 0) / 1048576,
      evicted: x.engineStat(3),
      keys: x.dbKeys(0),
      oom,
      hotAlive: hot.length ? hotAlive : HOT,
    });
  }
  return rows;
}

// ---- charts --------------------------------------------------------------------------------------

async function render(spec) {
  const compiled = vl.compile({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white", ...spec }).spec;
  return new vega.View(vega.parse(compiled), { renderer: "none" }).toSVG();
}

const THRESHOLDS = {
  string: { length: [{ x: 19.5, label: "int ≤ 19 digits", row: 0 }, { x: 44.5, label: "embstr ≤ 44 B", row: 1 }] },
  list: { count: [] },
  set: { count: [{ x: 512.5, label: "512 entries" }] },
  hash: { count: [{ x: 512.5, label: "512 entries" }], length: [{ x: 64.5, label: "64-byte values" }] },
  zset: { count: [{ x: 128.5, label: "128 entries" }], length: [{ x: 64.5, label: "64-byte members" }] },
};

function typePanel(rows, type, sweep) {
  const data = rows.filter((r) => r.type === type && r.sweep === sweep);
  const title =
    sweep === "count"
      ? `${type}: elements per key (10-byte elements)`
      : type === "string"
        ? "string: value length (bytes)"
        : `${type}: ${type === "hash" ? "value" : "member"} length (16 elements per key)`;
  const rules = THRESHOLDS[type][sweep] ?? [];
  const multiSeries = new Set(data.map((r) => r.series)).size > 1;
  const layers = [
    {
      data: { values: data },
      mark: { type: "line", point: false },
      encoding: {
        x: { field: "x", type: "quantitative", scale: sweep === "count" ? { type: "log", nice: false } : { type: "linear" }, title },
        y: { field: "perElement", type: "quantitative", scale: { type: "log" }, title: sweep === "count" || type !== "string" ? "bytes per element" : "bytes per key" },
        color: { field: "server", type: "nominal", scale: { domain: ["Wedis", "Redis"] } },
        ...(multiSeries ? { strokeDash: { field: "series", type: "nominal", title: "data" } } : {}),
        detail: { field: "series" },
      },
    },
    {
      data: { values: data },
      mark: { type: "point", filled: true, size: 40 },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "perElement", type: "quantitative" },
        color: { field: "server", type: "nominal" },
        shape: { field: "encoding", type: "nominal", title: "encoding" },
      },
    },
  ];
  if (rules.length) {
    layers.push({
      data: { values: rules },
      mark: { type: "rule", color: "#888", strokeDash: [4, 3] },
      encoding: { x: { field: "x", type: "quantitative" } },
    });
    // One text layer per rule so that labels of close thresholds sit on different lines.
    for (const [i, rule] of rules.entries()) {
      layers.push({
        data: { values: [rule] },
        mark: { type: "text", align: "left", dx: 3, color: "#555", fontSize: 10, baseline: "top" },
        encoding: { x: { field: "x", type: "quantitative" }, y: { value: 4 + 14 * i }, text: { field: "label" } },
      });
    }
  }
  return { width: type === "string" ? 560 : 340, height: 240, layer: layers };
}

function typeChart(rows, type) {
  const sweeps = ["count", "length"].filter((s) => rows.some((r) => r.type === type && r.sweep === s));
  const panels = sweeps.map((s) => typePanel(rows, type, s));
  const base = { title: `Bytes per element: ${type}`, resolve: { scale: { color: "shared", shape: "shared" } } };
  return panels.length === 1 ? { ...base, ...panels[0] } : { ...base, hconcat: panels };
}

function fragmentationChart(rows) {
  const long = [];
  for (const r of rows) {
    for (const metric of ["used", "rss", "active"]) {
      if (r[metric] == null) continue;
      const label = { used: "used memory (counted)", rss: r.server === "Wedis" ? "rss (wasm memory size)" : "rss (used_memory_rss)", active: "active pages (slabs + large)" }[metric];
      long.push({ server: r.server, step: r.step, phase: r.phase, metric: label, MB: r[metric] / 1048576 });
    }
  }
  return {
    title: "Fill 100k keys (16–511 B values), delete 75% at random, refill as many",
    data: { values: long },
    facet: { column: { field: "server", type: "nominal", title: null } },
    spec: {
      width: 320,
      height: 240,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step (10 fill, 10 delete, 10 refill)" },
        y: { field: "MB", type: "quantitative", title: "MB" },
        color: { field: "metric", type: "nominal" },
        tooltip: [{ field: "phase" }, { field: "MB", format: ".2f" }],
      },
    },
    resolve: { scale: { y: "independent" } },
    config: { legend: { labelLimit: 400 } },
  };
}

function evictionChart(rows) {
  const line = (field, title) => ({
    width: 340,
    height: 220,
    mark: { type: "line" },
    encoding: {
      x: { field: "writtenMB", type: "quantitative", title: "MB of values written" },
      y: { field, type: "quantitative", title },
      color: { field: "policy", type: "nominal" },
    },
  });
  return {
    title: "8 MB cap, 40 MB written (1000-byte values, half with a TTL, 200 hot keys read every batch)",
    data: { values: rows },
    vconcat: [
      { hconcat: [line("usedMB", "used memory (MB)"), line("evicted", "evicted keys (cumulative)")] },
      { hconcat: [line("oom", "writes refused with OOM (cumulative)"), line("hotAlive", "hot keys still present (of 200)")] },
    ],
  };
}

// ---- report ------------------------------------------------------------------------------------

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function pick(rows, q) {
  return rows.find((r) => Object.entries(q).every(([k, v]) => r[k] === v));
}

/** One computed sentence per threshold: the cost on each side of it, for each server. */
function thresholdSentence(rows, servers, type, sweep, series, below, above, what) {
  const parts = servers.map((s) => {
    const a = pick(rows, { type, sweep, series, server: s, x: below });
    const b = pick(rows, { type, sweep, series, server: s, x: above });
    if (!a || !b) return null;
    return `${s} ${fmt(a.perElement)} → ${fmt(b.perElement)} B (${a.encoding} → ${b.encoding})`;
  });
  return `- **${what}** (${below} → ${above}): ${parts.filter(Boolean).join("; ")}.`;
}

function ratioSummary(rows) {
  const pairs = [];
  for (const w of rows.filter((r) => r.server === "Wedis")) {
    const r = pick(rows, { type: w.type, sweep: w.sweep, series: w.series, server: "Redis", x: w.x });
    if (r) pairs.push({ ...w, ratio: w.perElement / r.perElement, sameEncoding: w.encoding === r.encoding, redisEncoding: r.encoding });
  }
  return pairs;
}

function report({ exp1, frag, evict, redisNote, redisVersion, seconds }) {
  const servers = redisNote ? ["Wedis"] : ["Wedis", "Redis"];
  const L = [];
  L.push("# Memory accounting: Wedis vs Redis");
  L.push("");
  L.push(`Generated by \`npm run experiment:memory\` (bench/memory-experiment.mjs) on ${new Date().toISOString().slice(0, 10)} in ${seconds.toFixed(0)} s.`);
  L.push(`Wedis runs in-process (build/wedis.wasm, release build); ${redisNote ?? `Redis is redis-server ${redisVersion} over a local socket`}.`);
  L.push("Both are measured as used memory with the data loaded minus used memory right after FLUSHALL, so every number includes the key, its keyspace entry and its share of the keyspace table; neither includes allocator fragmentation (experiment 2 shows that).");
  L.push("");
  L.push("## 1. Bytes per key / element across the encoding thresholds");
  L.push("");
  for (const type of ["string", "list", "set", "hash", "zset"]) L.push(`![${type}](bytes-${type}.svg)`);
  L.push("");
  L.push("Costs on either side of each threshold (bytes per element; per key for strings):");
  L.push("");
  L.push(thresholdSentence(exp1, servers, "string", "length", "digits", 19, 20, "string, 19 → 20 digits"));
  L.push(thresholdSentence(exp1, servers, "string", "length", "letters", 44, 45, "string, 44 → 45 bytes"));
  L.push(thresholdSentence(exp1, servers, "set", "count", "integers", 512, 513, "set of integers, 512 → 513 members"));
  L.push(thresholdSentence(exp1, servers, "hash", "count", "10-byte elements", 512, 513, "hash, 512 → 513 fields"));
  L.push(thresholdSentence(exp1, servers, "hash", "length", "16 elements", 64, 65, "hash, 64 → 65-byte values"));
  L.push(thresholdSentence(exp1, servers, "zset", "count", "10-byte elements", 128, 129, "zset, 128 → 129 members"));
  L.push(thresholdSentence(exp1, servers, "zset", "length", "16 elements", 64, 65, "zset, 64 → 65-byte members"));
  L.push(thresholdSentence(exp1, servers, "list", "count", "10-byte elements", 1024, 2048, "list, 1024 → 2048 elements"));
  L.push("");
  if (!redisNote) {
    const pairs = ratioSummary(exp1);
    const mismatched = pairs.filter((p) => !p.sameEncoding);
    const ratios = pairs.map((p) => p.ratio).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    const worst = pairs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const best = pairs.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    L.push(
      `Across all ${pairs.length} measured points, Wedis's cost is ${fmt(median * 100)}% of Redis's at the median ` +
        `(from ${fmt(best.ratio * 100)}% for ${best.type} ${best.sweep} ${best.x} [${best.series}] to ` +
        `${fmt(worst.ratio * 100)}% for ${worst.type} ${worst.sweep} ${worst.x} [${worst.series}]).`,
    );
    L.push(
      mismatched.length
        ? `The encodings differ at ${mismatched.length} point(s): ${mismatched.map((p) => `${p.type} ${p.sweep} ${p.x} (Wedis ${p.encoding}, Redis ${p.redisEncoding})`).join(", ")}.`
        : "OBJECT ENCODING agrees between the two at every point, so every conversion happens at the same size on both.",
    );
    L.push(
      "Small integers (0–9999) are shared objects in Redis, which is why its 1–4 digit strings cost less per key than longer ones; " +
        "at one or two elements per key the per-element number is mostly the key itself.",
    );
  }
  L.push("");
  L.push("## 2. Fragmentation over fill – delete – refill");
  L.push("");
  L.push("![fragmentation](fragmentation.svg)");
  L.push("");
  for (const s of servers) {
    const rows = frag.filter((r) => r.server === s);
    const filled = rows.filter((r) => r.phase === "fill").at(-1);
    const deleted = rows.filter((r) => r.phase === "delete 75%").at(-1);
    const refilled = rows.at(-1);
    const mb = (b) => (b == null ? "n/a" : `${(b / 1048576).toFixed(1)} MB`);
    const act = s === "Wedis" ? `, active pages ${mb(filled.active)} → ${mb(deleted.active)} → ${mb(refilled.active)}` : "";
    L.push(
      `- **${s}**: used ${mb(filled.used)} after the fill → ${mb(deleted.used)} after deleting 75% → ${mb(refilled.used)} after the refill; ` +
        `rss ${mb(filled.rss)} → ${mb(deleted.rss)} → ${mb(refilled.rss)}${act}. ` +
        `rss/used after the delete: ${(deleted.rss / deleted.used).toFixed(2)}, after the refill: ${(refilled.rss / refilled.used).toFixed(2)}.`,
    );
  }
  const w = frag.filter((r) => r.server === "Wedis");
  const wFill = w.filter((r) => r.phase === "fill").at(-1);
  const wEnd = w.at(-1);
  L.push("");
  L.push(
    `WebAssembly memory can only grow, so Wedis's rss never goes down after the delete; what matters is whether the refill reuses the freed space: ` +
      (wEnd.rss <= wFill.rss
        ? `it does — the refill did not grow the memory past its size after the first fill (${(wEnd.rss / 1048576).toFixed(1)} MB vs ${(wFill.rss / 1048576).toFixed(1)} MB).`
        : `it grew the memory from ${(wFill.rss / 1048576).toFixed(1)} MB to ${(wEnd.rss / 1048576).toFixed(1)} MB, so part of the freed space was not reusable for the new sizes.`),
  );
  if (servers.includes("Redis")) {
    L.push("Redis's rss includes the process itself (code, stacks) and pages jemalloc has not returned yet, so its ratio at low usage overstates fragmentation.");
  }
  L.push("");
  L.push("## 3. Eviction under an 8 MB cap (Wedis)");
  L.push("");
  L.push("![eviction](eviction.svg)");
  L.push("");
  L.push("| policy | final used (MB) | peak used (MB) | keys left | evicted | OOM errors | hot keys left (of 200) |");
  L.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  const policies = [...new Set(evict.map((r) => r.policy))];
  for (const p of policies) {
    const rows = evict.filter((r) => r.policy === p);
    const last = rows.at(-1);
    const peak = Math.max(...rows.map((r) => r.usedMB));
    L.push(`| ${p} | ${last.usedMB.toFixed(2)} | ${peak.toFixed(2)} | ${last.keys} | ${last.evicted} | ${last.oom} | ${last.hotAlive} |`);
  }
  L.push("");
  const capMB = CAP / 1048576;
  const over = policies.filter((p) => Math.max(...evict.filter((r) => r.policy === p).map((r) => r.usedMB)) > capMB * 1.02);
  L.push(
    over.length
      ? `Used memory exceeded the cap by more than 2% under: ${over.join(", ")}.`
      : `Every policy held used memory within 2% of the ${capMB} MB cap.`,
  );
  const byHot = new Map();
  for (const p of policies) {
    const n = evict.filter((r) => r.policy === p).at(-1).hotAlive;
    byHot.set(n, [...(byHot.get(n) ?? []), p]);
  }
  const groups = [...byHot.entries()].sort((a, b) => b[0] - a[0]).map(([n, ps]) => `${n} under ${ps.join(", ")}`);
  L.push(
    `Hot keys (the first 200, read every batch) left at the end: ${groups.join("; ")}. ` +
      "Under volatile-* only the keys with a TTL (half of them) can be evicted: once the keys without a TTL fill the cap, every volatile key goes, the hot ones too, and further writes are refused with OOM like under noeviction; " +
      "allkeys-random and simple-first ignore access, so the hot keys are lost with the rest.",
  );
  L.push("");
  L.push("Raw measurements: `bench/results/memory/data.json` after a run.");
  return L.join("\n") + "\n";
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  const { target: redis, reason } = await RedisTarget.start();
  if (reason) console.warn(`note: ${reason} Wedis is measured alone.`);
  else log(`redis-server ${redis.version} on port ${redis.port}`);
  try {
    const wedis = new WedisTarget();
    const targets = redis ? [wedis, redis] : [wedis];
    const exp1 = await bytesPerElement(targets);

    const frag = [];
    frag.push(...(await fragmentation(new WedisTarget())));
    if (redis) {
      await redis.exec([["FLUSHALL"]]);
      frag.push(...(await fragmentation(redis)));
    }
    log("experiment 2 done");

    const evict = [];
    for (const policy of Object.keys(POLICY_CODES)) evict.push(...(await evictionRun(policy)));
    log("experiment 3 done");

    const files = {};
    for (const type of ["string", "list", "set", "hash", "zset"]) files[`bytes-${type}.svg`] = await render(typeChart(exp1, type));
    files["fragmentation.svg"] = await render(fragmentationChart(frag));
    files["eviction.svg"] = await render(evictionChart(evict));
    const seconds = (Date.now() - started) / 1000;
    files["report.md"] = report({ exp1, frag, evict, redisNote: reason, redisVersion: redis?.version, seconds });
    for (const dir of OUT_DIRS) {
      mkdirSync(dir, { recursive: true });
      for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    }
    // The raw numbers only in the gitignored results directory (docs/ keeps what a reader sees).
    writeFileSync(join(OUT_DIRS[0], "data.json"), JSON.stringify({ exp1, frag, evict }, null, 1));
    log(`wrote ${Object.keys(files).length} files to ${OUT_DIRS.map((d) => d.slice(ROOT.length + 1)).join(" and ")}`);
  } finally {
    redis?.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
