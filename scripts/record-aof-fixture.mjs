#!/usr/bin/env node
// Records an AOF directory written by a real Redis (redis-server on PATH, 7.0.x) for the tests:
// the shared workload (test/helpers/workload.mjs), a BGREWRITEAOF with aof-use-rdb-preamble no
// (a base in AOF form), more writes into the incremental file, SIGTERM. The directory goes to
// test/persistence/fixtures/redis-<version>/appendonlydir and the dataset Redis held, as
// test/helpers/dataset.mjs dumps it, to expected.json next to it. `npm test` checks that Wedis
// loads that directory into exactly that dataset (test/persistence/redis-compat.test.ts).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Redis from "ioredis";
import { freePort, requireProgram, startRedis, terminate } from "../bench/servers.mjs";
import { dumpDataset } from "../test/helpers/dataset.mjs";
import { writeWorkload } from "../test/helpers/workload.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const version = /v=([\d.]+)/.exec(await requireProgram("redis-server", "Install it: apt-get install redis-server"))[1];
const dir = mkdtempSync(join(tmpdir(), "wedis-fixture-"));
const redis = await startRedis(await freePort(), { dir, args: ["--appendonly", "yes", "--aof-use-rdb-preamble", "no"] });
const r = new Redis({ port: redis.port, host: "127.0.0.1" });
await writeWorkload(r);
await r.bgrewriteaof();
while (!(await r.info("persistence")).includes("aof_rewrite_in_progress:0")) await new Promise((res) => setTimeout(res, 20));
await r.select(2);
await writeWorkload(r);
const dataset = await dumpDataset(r);
r.disconnect();
await terminate(redis);
const out = join(root, "test", "persistence", "fixtures", `redis-${version}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(dir, "appendonlydir"), join(out, "appendonlydir"), { recursive: true });
writeFileSync(join(out, "expected.json"), JSON.stringify(dataset, null, 1) + "\n");
rmSync(dir, { recursive: true, force: true });
console.log(`recorded ${Object.keys(dataset).length} keys into ${out}`);
