// Hit ratio of the eviction policies: a keyspace larger than memory, read and written with a
// power-law access pattern (a few keys very hot, a long cold tail), as `redis-cli --lru-test`
// does it: cycles of 250 pipelined SETs then 250 pipelined GETs, counting GET hits.
//
// The same workload runs against a real redis-server and against Wedis (as a process, from the
// built bin/wedis-server.js), with the same maxmemory and policy, in the same run. Because Wedis
// stores a small key in fewer bytes than Redis, the same maxmemory holds more keys in Wedis,
// which alone raises its hit ratio; the "same keys" column therefore also runs Wedis with its cap
// scaled so that it holds as many keys as Redis did, which compares the eviction algorithms.
//
//   npm run build && node bench/lru-test.mjs [--keys 1000000] [--maxmemory 8mb] [--seconds 10]
//        [--warmup 6] [--policies allkeys-lru,allkeys-lfu,allkeys-random] [--no-redis]
//
// WEDIS_ROOT points at another checkout/build to start Wedis from (default: this repo).
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, requireProgram, startRedis, startWedis } from "./servers.mjs";

const root = process.env.WEDIS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), "..");

function option(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const KEYS = Number(option("keys", "1000000"));
const MAXMEMORY = option("maxmemory", "8mb");
const SECONDS = Number(option("seconds", "10"));
const WARMUP = Number(option("warmup", "6"));
const POLICIES = option("policies", "allkeys-lru,allkeys-lfu,allkeys-random").split(",");
const WITH_REDIS = !process.argv.includes("--no-redis");
const PIPELINE = 250;
const ALPHA = 6.2; // the skew redis-cli's LRU test uses

// ---- a minimal pipelining client --------------------------------------------------------------

class Conn {
  static open(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: "127.0.0.1" }, () => resolve(new Conn(s)));
      s.once("error", reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.socket.setNoDelay(true);
    this.buf = Buffer.alloc(0);
    this.waiting = null;
    socket.on("data", (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.pump();
    });
  }

  /** Sends `cmds` (arrays of strings) at once; resolves with their replies ({ type, value }). */
  send(cmds) {
    const parts = [];
    for (const c of cmds) {
      parts.push(`*${c.length}\r\n`);
      for (const a of c) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
    }
    return new Promise((resolve) => {
      this.waiting = { n: cmds.length, out: [], resolve };
      this.socket.write(parts.join(""));
      this.pump();
    });
  }

  async call(...args) {
    const [r] = await this.send([args]);
    if (r.type === "-") throw new Error(r.value);
    return r.value;
  }

  /** Parses as many whole replies as the buffer holds (flat replies only: all this bench reads). */
  pump() {
    const w = this.waiting;
    if (w === null) return;
    let pos = 0;
    const b = this.buf;
    while (w.out.length < w.n) {
      const eol = b.indexOf("\r\n", pos);
      if (eol < 0) break;
      const type = String.fromCharCode(b[pos]);
      const line = b.toString("latin1", pos + 1, eol);
      if (type === "$") {
        const len = Number(line);
        if (len < 0) {
          w.out.push({ type: "nil", value: null });
          pos = eol + 2;
          continue;
        }
        if (b.length < eol + 2 + len + 2) break;
        w.out.push({ type: "$", value: b.toString("latin1", eol + 2, eol + 2 + len) });
        pos = eol + 2 + len + 2;
      } else {
        w.out.push({ type, value: line });
        pos = eol + 2;
      }
    }
    this.buf = b.subarray(pos);
    if (w.out.length === w.n) {
      this.waiting = null;
      w.resolve(w.out);
    }
  }

  close() {
    this.socket.destroy();
  }
}

// ---- the workload ---------------------------------------------------------------------------------

/** An integer in [min, max] drawn from a power law: small numbers are by far the most likely. */
function powerLaw(min, max, alpha) {
  const hi = max + 1;
  const a1 = alpha + 1;
  const u = Math.random();
  const x = Math.pow((Math.pow(hi, a1) - Math.pow(min, a1)) * u + Math.pow(min, a1), 1 / a1);
  return hi - 1 - Math.floor(x) + min;
}

function randomKey() {
  return `lru:${powerLaw(1, KEYS, ALPHA)}`;
}

function randomValue() {
  let s = "";
  for (let i = 0; i < 5; i++) s += String.fromCharCode(65 + Math.floor(Math.random() * 57));
  return s;
}

/** Runs write/read cycles for `ms`; returns [hits, misses]. */
async function cycles(conn, ms) {
  let hits = 0;
  let misses = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const writes = [];
    for (let i = 0; i < PIPELINE; i++) writes.push(["SET", randomKey(), randomValue()]);
    await conn.send(writes);
    const reads = [];
    for (let i = 0; i < PIPELINE; i++) reads.push(["GET", randomKey()]);
    for (const r of await conn.send(reads)) {
      if (r.type === "$") hits++;
      else misses++;
    }
  }
  return [hits, misses];
}

async function bulkInfo(conn) {
  // INFO is a bulk reply: Conn.call returns its text.
  return conn.call("INFO");
}

/** One measurement: warm up (fill memory and settle), then measure. */
async function measure(port, policy, maxmemory) {
  const conn = await Conn.open(port);
  try {
    await conn.call("CONFIG", "SET", "maxmemory", "0");
    await conn.call("FLUSHALL");
    await conn.call("CONFIG", "SET", "maxmemory-policy", policy);
    await conn.call("CONFIG", "SET", "maxmemory", String(maxmemory));
    await cycles(conn, WARMUP * 1000);
    const [hits, misses] = await cycles(conn, SECONDS * 1000);
    const text = await bulkInfo(conn);
    const evicted = Number(text.match(/^evicted_keys:(\d+)/m)?.[1] ?? 0);
    const keys = Number(await conn.call("DBSIZE"));
    return { ratio: (100 * hits) / (hits + misses), ops: (2 * (hits + misses)) / SECONDS, keys, evicted };
  } finally {
    conn.close();
  }
}

function parseBytes(v) {
  const m = /^(\d+)(kb|mb|gb|k|m|g)?$/i.exec(v);
  if (!m) throw new Error(`bad size ${v}`);
  const unit = (m[2] ?? "").toLowerCase();
  const mul = { "": 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 ** 3 }[unit];
  return Number(m[1]) * mul;
}

async function main() {
  const cap = parseBytes(MAXMEMORY);
  if (WITH_REDIS) await requireProgram("redis-server", "install Redis 7 to compare against it");
  console.log(`keyspace ${KEYS} keys (power law, alpha ${ALPHA}), maxmemory ${MAXMEMORY}, ${WARMUP}s warm-up + ${SECONDS}s per run`);
  const rows = [];
  const redis = WITH_REDIS ? await startRedis(await freePort()) : null;
  const wedis = await startWedis(root, await freePort());
  try {
    for (const policy of POLICIES) {
      const row = { policy };
      if (redis && policy !== "simple-first") row.redis = await measure(redis.port, policy, cap);
      row.wedis = await measure(wedis.port, policy, cap);
      if (row.redis) {
        // Same resident keys as Redis: scale the cap by the key ratio (twice, to settle the
        // fixed overhead), so that the comparison is about which keys are kept, not how many.
        let scaled = cap;
        let m = row.wedis;
        for (let i = 0; i < 2; i++) {
          const base = 1024 * 1024; // roughly the empty server's own allocations
          scaled = Math.max(base * 2, Math.round(base + ((scaled - base) * row.redis.keys) / Math.max(1, m.keys)));
          m = await measure(wedis.port, policy, scaled);
        }
        row.same = { ...m, cap: scaled };
      }
      rows.push(row);
      const f = (x) => (x ? `${x.ratio.toFixed(1)}% (${x.keys} keys, ${Math.round(x.ops / 1000)}k ops/s)` : "-");
      console.log(`${policy.padEnd(15)} redis ${f(row.redis)} | wedis same maxmemory ${f(row.wedis)} | wedis same keys ${f(row.same)}`);
    }
  } finally {
    await redis?.stop();
    await wedis.stop();
  }
  console.log("\npolicy           redis   wedis(same maxmemory)  wedis(same keys)  diff(same keys)");
  for (const r of rows) {
    const d = r.redis && r.same ? (r.same.ratio - r.redis.ratio).toFixed(1) : "-";
    console.log(
      `${r.policy.padEnd(16)} ${r.redis ? r.redis.ratio.toFixed(1).padStart(5) + "%" : "     -"}   ${r.wedis.ratio.toFixed(1).padStart(5)}%                ${r.same ? r.same.ratio.toFixed(1).padStart(5) + "%" : "     -"}            ${d}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
