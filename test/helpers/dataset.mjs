// A whole dataset as plain data, read through an ioredis client: every database, every key with
// its type, its full contents (members sorted where order means nothing) and its absolute expiry.
// Two servers — or one before and after a restart — hold the same data when their dumps are
// equal. Plain JavaScript, so that the benchmarks' scripts (bench/aof-compat.mjs) use it too.

/**
 * @param {import("ioredis").default} r
 * @param {number} [databases]
 * @returns {Promise<Record<string, { type: string, value: unknown, expireAt: number }>>}
 */
export async function dumpDataset(r, databases = 16) {
  const out = {};
  for (let db = 0; db < databases; db++) {
    await r.select(db);
    const keys = [];
    let cursor = "0";
    do {
      const [next, batch] = await r.scanBuffer(cursor, "COUNT", 1000);
      keys.push(...batch.map((k) => k.toString("latin1")));
      cursor = next.toString();
    } while (cursor !== "0");
    for (const name of keys.sort()) {
      const key = Buffer.from(name, "latin1");
      const type = await r.type(key);
      const text = (b) => b.toString("latin1");
      let value;
      if (type === "string") value = text(await r.getBuffer(key));
      else if (type === "list") value = (await r.lrangeBuffer(key, 0, -1)).map(text);
      else if (type === "set") value = (await r.smembersBuffer(key)).map(text).sort();
      else if (type === "hash") value = pairs((await r.hgetallBuffer(key))).sort();
      else if (type === "zset") value = (await r.zrangeBuffer(key, 0, -1, "WITHSCORES")).map(text);
      else continue; // expired between SCAN and now
      out[`${db}:${name}`] = { type, value, expireAt: await r.pexpiretime(key) };
    }
  }
  await r.select(0);
  return out;
}

function pairs(obj) {
  return Object.entries(obj).map(([f, v]) => [f, v.toString("latin1")]);
}
