// A whole dataset as plain data, read through a client: every database, every key with its type,
// its full contents (members sorted where order means nothing) and its absolute expiry. Two
// servers — or one before and after a restart — hold the same data when their dumps are equal.
import type Redis from "ioredis";

export type Dump = Record<string, unknown>;

export async function dumpDataset(r: Redis, databases = 16): Promise<Dump> {
  const out: Dump = {};
  for (let db = 0; db < databases; db++) {
    await r.select(db);
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await r.scan(cursor, "COUNT", 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    for (const key of keys.sort()) {
      const type = await r.type(key);
      let value: unknown;
      if (type === "string") value = await r.getBuffer(key).then((b) => b?.toString("latin1"));
      else if (type === "list") value = await r.lrange(key, 0, -1);
      else if (type === "set") value = (await r.smembers(key)).sort();
      else if (type === "hash") value = Object.entries(await r.hgetall(key)).sort();
      else if (type === "zset") value = await r.zrange(key, 0, -1, "WITHSCORES");
      else if (type === "none") continue; // expired between SCAN and now
      out[`${db}:${key}`] = { type, value, expireAt: await r.pexpiretime(key) };
    }
  }
  await r.select(0);
  return out;
}
