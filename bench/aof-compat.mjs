#!/usr/bin/env node
// Can Redis 7 load an AOF directory Wedis wrote, and Wedis one Redis wrote? Run with
// `node bench/aof-compat.mjs` (needs redis-server: apt-get install redis-server); `npm run bench`
// runs it too. For each direction: the writer gets the shared workload (test/helpers/
// workload.mjs), a BGREWRITEAOF (so the directory holds a rewritten base and an incremental
// file), more writes, then SIGTERM; the reader starts on the same directory with the AOF on
// (Redis with aof-use-rdb-preamble no) and both datasets are compared key by key.
// Exits 1 when a direction fails.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import Redis from "ioredis";
import { freePort, requireProgram, startRedis, startWedis, terminate } from "./servers.mjs";
import { dumpDataset } from "../test/helpers/dataset.mjs";
import { writeWorkload } from "../test/helpers/workload.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const AOF_ARGS = ["--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "no"];

async function start(kind, dir) {
  const port = await freePort();
  return kind === "redis" ? startRedis(port, { dir, args: AOF_ARGS }) : startWedis(root, port, { dir, args: AOF_ARGS });
}

async function rewriteDone(r) {
  while (!(await r.info("persistence")).includes("aof_rewrite_in_progress:0")) await new Promise((res) => setTimeout(res, 20));
}

/** `writer` writes a directory, `reader` loads it; returns a report line, and whether they agree. */
export async function direction(writer, reader) {
  const dir = mkdtempSync(join(tmpdir(), `wedis-compat-${writer}-`));
  try {
    const w = await start(writer, dir);
    let r = new Redis({ port: w.port, host: "127.0.0.1" });
    await writeWorkload(r);
    await r.bgrewriteaof();
    await rewriteDone(r);
    await r.select(2);
    await writeWorkload(r); // after the rewrite: into the new incremental file
    const written = await dumpDataset(r);
    r.disconnect();
    await terminate(w);
    const manifest = readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8").trim().replace(/\n/g, " | ");
    const l = await start(reader, dir);
    r = new Redis({ port: l.port, host: "127.0.0.1" });
    const loaded = await dumpDataset(r);
    r.disconnect();
    await l.stop();
    const same = isDeepStrictEqual(written, loaded);
    const keys = Object.keys(written).length;
    let detail = "";
    if (!same) {
      const bad = Object.keys({ ...written, ...loaded }).filter((k) => !isDeepStrictEqual(written[k], loaded[k]));
      detail = ` — differing keys: ${bad.slice(0, 5).map((k) => `${k} wrote ${JSON.stringify(written[k])} loaded ${JSON.stringify(loaded[k])}`).join("; ")}`;
    }
    return { same, line: `${writer} → ${reader}: ${same ? "same dataset" : "DIFFERENT"} (${keys} keys; manifest: ${manifest})${detail}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function aofCompat() {
  const results = [await direction("wedis", "redis"), await direction("redis", "wedis")];
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await requireProgram("redis-server", "Install it: apt-get install redis-server"));
  const results = await aofCompat();
  for (const r of results) console.log(r.line);
  process.exit(results.every((r) => r.same) ? 0 : 1);
}
