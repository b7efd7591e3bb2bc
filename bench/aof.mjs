// Persistence benchmarks, Wedis next to Redis with the same settings in the same run (part of
// `npm run bench`; alone: `node bench/aof.mjs [--quick]`):
//
//   1. SET throughput (redis-benchmark -c 50) with the AOF off, appendfsync everysec and always,
//      each server started fresh on a temp directory for each setting, rounds alternating sides.
//      What matters for `always` is each server's figure relative to its own no-AOF figure.
//   2. AOF load speed: the same AOF directory (N SETs plus lists, generated here) copied for each
//      server; the time each logs for "DB loaded from append only file", as MB/s and keys/s.
//   3. Rewrite pause: N keys loaded, then BGREWRITEAOF while a client sends PINGs one after the
//      other; the longest PING round trip during the rewrite, the server's own latest_fork_usec
//      (Wedis: the engine snapshot; Redis: fork), and how long the rewrite took.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Redis from "ioredis";
import { freePort, startRedis, startWedis } from "./servers.mjs";
import { benchmark, fmt, ratio, table } from "./redis-benchmark.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(root, side, dir, args) {
  return freePort().then((port) => (side === "redis" ? startRedis(port, { dir, args }) : startWedis(root, port, { dir, args })));
}

/** SET ops/s of one redis-benchmark run (NaN when it failed). */
async function setThroughput(server, pipeline, requests) {
  return (await benchmark(server, "set", pipeline, requests, 300_000)).rps ?? NaN;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** SET ops/s per side and AOF setting, median of `rounds`. */
async function throughput(root, sides, o) {
  const settings = [
    { name: "AOF off", args: ["--appendonly", "no"] },
    { name: "appendfsync everysec", args: ["--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "no"] },
    { name: "appendfsync always", args: ["--appendonly", "yes", "--appendfsync", "always", "--aof-use-rdb-preamble", "no"] },
  ];
  const result = {};
  for (const setting of settings) {
    for (const pipeline of [1, 16]) {
      const requests = (setting.name.includes("always") ? o.requests / 2 : o.requests) * (pipeline === 16 ? 4 : 1);
      const runs = Object.fromEntries(sides.map((s) => [s, []]));
      for (let round = 0; round < o.rounds; round++) {
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const dir = mkdtempSync(join(tmpdir(), `wedis-aofbench-${side}-`));
          const server = await start(root, side, dir, setting.args);
          await setThroughput(server, 16, 20_000); // warm-up
          console.error(`bench: SET -P ${pipeline} ${setting.name} on ${side} (${requests} requests, round ${round + 1}/${o.rounds})`);
          runs[side].push(await setThroughput(server, pipeline, requests));
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      }
      for (const side of sides) result[`${setting.name}|${pipeline}|${side}`] = median(runs[side]);
    }
  }
  return { settings, result };
}

/** An AOF directory of `keys` SETs and a few long lists, written directly (no server involved). */
function generateAof(dir, keys) {
  const aofDir = join(dir, "appendonlydir");
  mkdirSync(aofDir, { recursive: true });
  writeFileSync(join(aofDir, "appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  writeFileSync(join(aofDir, "appendonly.aof.1.base.aof"), "");
  const fd = openSync(join(aofDir, "appendonly.aof.1.incr.aof"), "w");
  const parts = ["*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"];
  let size = 0;
  const flush = () => {
    const b = Buffer.from(parts.join(""));
    writeSync(fd, b);
    size += b.length;
    parts.length = 0;
  };
  for (let i = 0; i < keys; i++) {
    const k = `key:${String(i).padStart(12, "0")}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$3\r\nxxx\r\n`);
    if (parts.length >= 10_000) flush();
  }
  for (let l = 0; l < 100; l++) {
    const key = `list:${l}`;
    const items = Array.from({ length: 64 }, (_, i) => `item-${l}-${i}`);
    const push = `*66\r\n$5\r\nRPUSH\r\n$${key.length}\r\n${key}\r\n` + items.map((x) => `$${x.length}\r\n${x}\r\n`).join("");
    for (let c = 0; c < 50; c++) parts.push(push);
  }
  flush();
  closeSync(fd);
  return size;
}

/** Seconds each side logs for loading the same generated AOF. */
async function loadSpeed(root, sides, keys) {
  const src = mkdtempSync(join(tmpdir(), "wedis-aofload-src-"));
  const bytes = generateAof(src, keys);
  const out = {};
  for (const side of sides) {
    const dir = mkdtempSync(join(tmpdir(), `wedis-aofload-${side}-`));
    mkdirSync(join(dir, "appendonlydir"));
    for (const f of ["appendonly.aof.manifest", "appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof"]) copyFileSync(join(src, "appendonlydir", f), join(dir, "appendonlydir", f));
    const logfile = join(dir, "server.log");
    console.error(`bench: loading a ${fmt(bytes / 1048576, 1)} MB AOF into ${side}`);
    const server = await start(root, side, dir, ["--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--logfile", logfile]);
    const m = /DB loaded from append only file: ([\d.]+) seconds/.exec(readFileSync(logfile, "utf8"));
    const r = new Redis({ port: server.port, host: "127.0.0.1" });
    const loadedKeys = await r.dbsize();
    r.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    out[side] = m ? { seconds: Number(m[1]), keys: loadedKeys } : { error: "no load time in the log" };
  }
  rmSync(src, { recursive: true, force: true });
  return { bytes, out };
}

/** The longest PING round trip while BGREWRITEAOF runs on `keys` keys, and the server's figures. */
async function rewritePause(root, sides, keys) {
  const out = {};
  for (const side of sides) {
    const dir = mkdtempSync(join(tmpdir(), `wedis-aofrw-${side}-`));
    const server = await start(root, side, dir, ["--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--auto-aof-rewrite-percentage", "0"]);
    const r = new Redis({ port: server.port, host: "127.0.0.1" });
    console.error(`bench: ${fmt(keys)} keys into ${side} for the rewrite pause`);
    for (let i = 0; i < keys; i += 10_000) {
      const p = r.pipeline();
      for (let k = i; k < Math.min(keys, i + 10_000); k++) p.set(`key:${String(k).padStart(12, "0")}`, "xxx");
      await p.exec();
    }
    const pinger = new Redis({ port: server.port, host: "127.0.0.1" });
    await pinger.ping();
    let running = true;
    let maxMs = 0;
    let pings = 0;
    const ping = (async () => {
      while (running) {
        const t = performance.now();
        await pinger.ping();
        maxMs = Math.max(maxMs, performance.now() - t);
        pings++;
      }
    })();
    await sleep(200);
    const baseline = maxMs;
    maxMs = 0;
    const t0 = performance.now();
    await r.bgrewriteaof();
    while (!(await r.info("persistence")).includes("aof_rewrite_in_progress:0")) await sleep(5);
    const rewriteMs = performance.now() - t0;
    running = false;
    await ping;
    const fork = Number(/latest_fork_usec:(\d+)/.exec(await r.info("stats"))[1]);
    const used = Number(/used_memory:(\d+)/.exec(await r.info("memory"))[1]);
    r.disconnect();
    pinger.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    out[side] = { maxMs, baseline, fork, rewriteMs, pings, used };
  }
  return out;
}

/** All three, as markdown. */
export async function aofBench(root, sides, o) {
  const out = [];
  const { settings, result } = await throughput(root, sides, o);
  const rows = [];
  for (const pipeline of [1, 16]) {
    for (const s of settings) {
      const w = result[`${s.name}|${pipeline}|wedis`];
      const rr = result[`${s.name}|${pipeline}|redis`];
      const wOff = result[`AOF off|${pipeline}|wedis`];
      const rOff = result[`AOF off|${pipeline}|redis`];
      rows.push([s.name, String(pipeline), fmt(w), fmt(rr), ratio(w, rr), s.name === "AOF off" ? "" : `${ratio(w, wOff)} / ${ratio(rr, rOff)}`]);
    }
  }
  out.push(
    `## Persistence: SET throughput (redis-benchmark -c 50 -t set, ops/s; each server fresh on a temp dir)`,
    "",
    table(["setting", "pipeline", "Wedis ops/s", "Redis ops/s", "Wedis/Redis", "vs own AOF-off (Wedis / Redis)"], rows),
    "",
  );
  const load = await loadSpeed(root, sides, o.keys);
  const mbs = (x) => (x?.seconds ? fmt(load.bytes / 1048576 / x.seconds, 1) : "-");
  const kps = (x) => (x?.seconds ? fmt(x.keys / x.seconds) : "-");
  out.push(
    `## Persistence: AOF load (${fmt(load.bytes / 1048576, 1)} MB, ${fmt(o.keys)} SETs + 100 lists of 3,200 elements)`,
    "",
    table(["", "Wedis", "Redis", "Wedis/Redis"], [
      ["load time (s, as logged)", fmt(load.out.wedis?.seconds, 3), fmt(load.out.redis?.seconds, 3), ""],
      ["MB/s", mbs(load.out.wedis), mbs(load.out.redis), ratio(load.out.wedis && load.bytes / load.out.wedis.seconds, load.out.redis && load.bytes / load.out.redis.seconds)],
      ["keys/s", kps(load.out.wedis), kps(load.out.redis), ""],
    ]),
    "",
  );
  const pause = await rewritePause(root, sides, o.keys);
  const cell = (side, f) => (pause[side] ? f(pause[side]) : "-");
  out.push(
    `## Persistence: rewrite pause (${fmt(o.keys)} keys, BGREWRITEAOF while a client PINGs back to back)`,
    "",
    table(["", "Wedis", "Redis"], [
      ["longest PING round trip during the rewrite (ms)", cell("wedis", (x) => fmt(x.maxMs, 1)), cell("redis", (x) => fmt(x.maxMs, 1))],
      ["longest PING round trip before it (ms)", cell("wedis", (x) => fmt(x.baseline, 1)), cell("redis", (x) => fmt(x.baseline, 1))],
      ["latest_fork_usec (Wedis: snapshot copy)", cell("wedis", (x) => fmt(x.fork)), cell("redis", (x) => fmt(x.fork))],
      ["rewrite wall time (ms)", cell("wedis", (x) => fmt(x.rewriteMs)), cell("redis", (x) => fmt(x.rewriteMs))],
      ["used_memory (MB)", cell("wedis", (x) => fmt(x.used / 1048576, 1)), cell("redis", (x) => fmt(x.used / 1048576, 1))],
    ]),
    "",
  );
  return out.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const text = await aofBench(root, ["wedis", "redis"], { rounds: quick ? 1 : 3, requests: quick ? 50_000 : 200_000, keys: quick ? 100_000 : 1_000_000 });
  console.log(text);
  process.exit(0);
}
