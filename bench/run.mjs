#!/usr/bin/env node
// `npm run bench`: Wedis against a real Redis on this machine.
//
//   1. throughput: redis-benchmark -c 50 -r 1000000 -t set,get,incr,mset,lpush,lpop,sadd,hset,
//      zadd,lrange_100, pipeline 1 and 16.
//      Each test runs on Wedis and on Redis back to back, the order alternating from test to
//      test, so drifts in the machine's load hit both sides alike.
//   2. bytes per key: used_memory growth after loading N keys `key:%012d` -> "xxx"; then bytes
//      per element of lists, sets, hashes and sorted sets, small and big (bench/type-memory.mjs).
//   3. engine only: ns per SET/GET crossing `exec` directly, at N keys (Wedis's release build).
//   4. persistence (bench/aof.mjs): SET with the AOF off / everysec / always next to Redis with the
//      same settings, AOF load speed, the rewrite pause at N keys; and whether each server loads
//      the AOF directory the other wrote (bench/aof-compat.mjs).
//
// Options:
//   --quick             fewer requests, 100k keys instead of 1M, 1/10 of the collection sizes
//   --tests a,b         redis-benchmark tests (default set,get,incr,mset,lpush,lpop,sadd,hset,zadd,lrange_100)
//   --only wedis|redis  run one side only (ratios are left out)
//   --requests N        requests per pipeline-1 run (pipeline-16 runs use 5x)
//   --rounds N          measured runs per test and side, median reported (default 3; --quick: 1)
//   --keys N            keys for the memory and engine measurements
//   --skip-throughput, --skip-memory, --skip-engine, --skip-aof
//   --max-minutes M     stop everything after M minutes (default 40)
// Results are printed and written to bench/results/latest.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, requireProgram, startRedis, startWedis } from "./servers.mjs";
import { benchmark, fmt, ratio, table } from "./redis-benchmark.mjs";
import { bytesPerKey } from "./bytes-per-key.mjs";
import { REDIS_REFERENCE, measureShape, shapes } from "./type-memory.mjs";
import { engineOps } from "./engine-ops.mjs";
import { aofBench } from "./aof.mjs";
import { aofCompat } from "./aof-compat.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const DEFAULT_TESTS = ["set", "get", "incr", "mset", "lpush", "lpop", "sadd", "hset", "zadd", "lrange_100"];

function parseArgs(argv) {
  const o = { rounds: 3, quick: false, tests: DEFAULT_TESTS, only: null, requests: null, keys: null, throughput: true, memory: true, engine: true, aof: true, maxMinutes: 40 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--tests") o.tests = next().split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
    else if (a === "--only") {
      o.only = next();
      if (o.only !== "wedis" && o.only !== "redis") throw new Error("--only takes wedis or redis");
    } else if (a === "--requests") o.requests = positive(a, next());
    else if (a === "--keys") o.keys = positive(a, next());
    else if (a === "--rounds") o.rounds = positive(a, next());
    else if (a === "--skip-throughput") o.throughput = false;
    else if (a === "--skip-memory") o.memory = false;
    else if (a === "--skip-engine") o.engine = false;
    else if (a === "--skip-aof") o.aof = false;
    else if (a === "--max-minutes") o.maxMinutes = positive(a, next());
    else if (a === "-h" || a === "--help") {
      o.help = true;
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  o.requests ??= o.quick ? 20_000 : 100_000;
  if (o.quick) o.rounds = 1;
  o.keys ??= o.quick ? 100_000 : 1_000_000;
  return o;
}

function positive(name, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} takes a positive integer`);
  return n;
}

/** The run with the median throughput (an errored run counts as the slowest). */
function median(results) {
  const sorted = [...results].sort((a, b) => (a.rps ?? -1) - (b.rps ?? -1));
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    console.log(
      (await import("node:fs")).readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith("//"))).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"),
    );
    return;
  }
  const hardStop = setTimeout(() => {
    console.error(`bench: stopped after --max-minutes ${o.maxMinutes}`);
    process.exit(3); // the exit handler in servers.mjs kills the servers
  }, o.maxMinutes * 60_000);
  hardStop.unref();

  const sides = o.only ? [o.only] : ["wedis", "redis"];
  const needServers = o.throughput || o.memory;
  const versions = {};
  if (needServers && sides.includes("redis")) versions.redis = await requireProgram("redis-server", "Install Redis 7 (apt-get install redis-server) to compare against it, or pass --only wedis.");
  if (o.throughput) versions.benchmark = await requireProgram("redis-benchmark", "It comes with Redis (apt-get install redis-tools / redis-server).");

  const servers = {};
  if (needServers) {
    for (const side of sides) {
      const port = await freePort();
      servers[side] = side === "redis" ? await startRedis(port) : await startWedis(root, port);
      console.error(`bench: ${side} on port ${port}`);
    }
  }

  const out = [];
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  out.push(`# Wedis vs Redis benchmarks`, "", `${new Date().toISOString()} · node ${process.version} · ${cpus().length} × ${cpu}${versions.redis ? ` · ${versions.redis}` : ""}`, "");

  if (o.throughput) {
    // A short unmeasured run of every test first: Node's JIT needs a second or two before Wedis
    // runs at its steady speed, and Redis gets the same treatment so both start with warm caches.
    for (const side of sides) {
      for (const test of o.tests) {
        console.error(`bench: warm-up ${test} on ${side}`);
        await benchmark(servers[side], test, 16, 50_000, 60_000);
      }
    }
    const rows = [];
    let turn = 0;
    for (const pipeline of [1, 16]) {
      const requests = pipeline === 1 ? o.requests : o.requests * 5;
      for (const test of o.tests) {
        // Several rounds, alternating which side goes first so that neither always runs on a
        // warmer (or busier) machine; the median round is reported.
        const runs = { wedis: [], redis: [] };
        for (let round = 0; round < o.rounds; round++) {
          const order = turn++ % 2 === 0 ? sides : [...sides].reverse();
          for (const side of order) {
            console.error(`bench: ${test} -P ${pipeline} on ${side} (${requests} requests, round ${round + 1}/${o.rounds})`);
            runs[side].push(await benchmark(servers[side], test, pipeline, requests, 180_000));
          }
        }
        const result = {};
        for (const side of sides) result[side] = median(runs[side]);
        const name = result.wedis?.test ?? result.redis?.test ?? test.toUpperCase();
        rows.push([
          name,
          String(pipeline),
          result.wedis ? (result.wedis.error ? `error: ${result.wedis.error}` : fmt(result.wedis.rps)) : "-",
          result.redis ? (result.redis.error ? `error: ${result.redis.error}` : fmt(result.redis.rps)) : "-",
          ratio(result.wedis?.rps, result.redis?.rps),
        ]);
      }
    }
    out.push(`## Throughput (redis-benchmark -c 50 -r 1000000, ops/s)`, "", table(["test", "pipeline", "Wedis ops/s", "Redis ops/s", "Wedis/Redis"], rows), "");
  }

  if (o.memory) {
    const res = {};
    for (const side of sides) {
      console.error(`bench: loading ${o.keys} keys into ${side}`);
      try {
        res[side] = await bytesPerKey(servers[side].port, o.keys);
      } catch (e) {
        res[side] = { error: e.message };
      }
    }
    const cell = (r) => (!r ? "-" : r.error ? `error: ${r.error}` : fmt(r.perKey, 1));
    out.push(
      `## Memory (${fmt(o.keys)} keys \`key:%012d\` → 3-byte value, used_memory growth)`,
      "",
      table(["", "Wedis", "Redis", "Wedis/Redis"], [
        ["bytes per key", cell(res.wedis), cell(res.redis), ratio(res.wedis?.perKey, res.redis?.perKey)],
        ["load time (s, pipelined)", res.wedis?.seconds ? fmt(res.wedis.seconds, 2) : "-", res.redis?.seconds ? fmt(res.redis.seconds, 2) : "-", ""],
      ]),
      "",
    );

    // The collection shapes, each loaded into one side and then the other (FLUSHALL between).
    const scale = o.quick ? 0.1 : 1;
    const rows = [];
    const list = shapes(scale);
    for (let i = 0; i < list.length; i++) {
      const shape = list[i];
      const r = {};
      for (const side of sides) {
        console.error(`bench: loading ${shape.name} into ${side}`);
        try {
          r[side] = await measureShape(servers[side].port, shape);
        } catch (e) {
          r[side] = { error: e.message };
        }
      }
      const per = (x) => (!x ? "-" : x.error ? `error: ${x.error}` : fmt(x.perElement, 1));
      const secs = (x) => (x?.seconds ? fmt(x.seconds, 2) : "-");
      rows.push([shape.name, per(r.wedis), per(r.redis), ratio(r.wedis?.perElement, r.redis?.perElement), `${secs(r.wedis)} / ${secs(r.redis)}`, REDIS_REFERENCE[i] === null ? "-" : fmt(REDIS_REFERENCE[i], 1)]);
    }
    out.push(
      `## Memory per element (used_memory growth / elements, pipelined variadic loads)`,
      "",
      table(["shape", "Wedis B/elem", "Redis B/elem", "Wedis/Redis", "load s (Wedis / Redis)", "Redis 7.0 full-size reference"], rows),
      "",
    );
  }

  for (const s of Object.values(servers)) await s.stop();

  if (o.engine && sides.includes("wedis")) {
    console.error(`bench: engine only, ${o.keys} keys`);
    try {
      const e = await engineOps(root, o.keys);
      out.push(
        `## Engine only (build/wedis.wasm, exec with batches of 1000, ${fmt(e.keys)} keys)`,
        "",
        table(["operation", "ns/op"], [
          ["SET (new key)", fmt(e.setNew, 1)],
          ["SET (overwrite)", fmt(e.setOverwrite, 1)],
          ["GET (hit)", fmt(e.get, 1)],
        ]),
        "",
        `Engine used_memory growth: ${fmt(e.bytesPerKey, 1)} bytes per key.`,
        "",
      );
    } catch (err) {
      out.push(`## Engine only`, "", `error: ${err.message}`, "");
    }
  }

  if (o.aof && sides.length === 2) {
    console.error("bench: persistence");
    try {
      out.push(await aofBench(root, sides, { rounds: o.rounds, requests: o.requests, keys: o.keys }));
      const compat = await aofCompat();
      out.push("## Persistence: AOF directories read by the other server (bench/aof-compat.mjs)", "", ...compat.map((c) => `- ${c.line}`), "");
    } catch (err) {
      out.push("## Persistence", "", `error: ${err.message}`, "");
    }
  }

  const text = out.join("\n");
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  writeFileSync(join(root, "bench", "results", "latest.md"), text);
  console.log(text);
  console.error("bench: written to bench/results/latest.md");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench: ${e.message}`);
    process.exit(1);
  },
);
