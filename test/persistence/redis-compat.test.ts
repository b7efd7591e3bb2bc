// An AOF directory written by a real Redis 7.0.15 (recorded by scripts/record-aof-fixture.mjs,
// with aof-use-rdb-preamble no): Wedis loads it into exactly the dataset Redis held, and goes on
// appending to Redis's incremental file. The other direction — Redis loading what Wedis wrote —
// needs a redis-server to run, and is checked by bench/aof-compat.mjs (run by `npm run bench`).
import { describe, it, expect } from "vitest";
import { cpSync, readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { aofServers } from "../helpers/aof-servers.js";
// @ts-ignore: plain JS helper shared with bench/aof-compat.mjs
import { dumpDataset } from "../helpers/dataset.mjs";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const { start, stop, tmp } = aofServers("compat");

describe("AOF written by Redis", () => {
  for (const version of readdirSync(fixtures)) {
    it(`loads ${version}'s directory into the dataset Redis held, and continues it`, async () => {
      const dir = tmp();
      cpSync(join(fixtures, version, "appendonlydir"), join(dir, "appendonlydir"), { recursive: true });
      const expected = JSON.parse(readFileSync(join(fixtures, version, "expected.json"), "utf8"));
      let { s, r } = await start(dir);
      expect(Object.keys(expected).length).toBeGreaterThan(30);
      expect(await dumpDataset(r)).toEqual(expected);
      const manifest = readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8");
      await r.set("added-by-wedis", "1");
      await stop(s, r);
      // Appended to Redis's own incremental file; the manifest unchanged.
      expect(readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8")).toBe(manifest);
      ({ s, r } = await start(dir));
      expect(await r.get("added-by-wedis")).toBe("1");
      expect(Object.keys(await dumpDataset(r)).length).toBe(Object.keys(expected).length + 1);
    });
  }
});
