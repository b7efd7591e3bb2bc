// A bit of every kind of write, in several databases, through an ioredis client: the commands
// whose propagation the AOF must get right (relative expiries, floats, random pops, blocking
// pops, transactions, whole-database commands). Expiries are decades away, so that a directory
// recorded once (test/persistence/fixtures/) still holds every key years later.
// Plain JavaScript: shared by the tests, bench/aof-compat.mjs and scripts/record-aof-fixture.mjs.

const YEARS = 100 * 365 * 24 * 3600; // seconds

/** @param {import("ioredis").default} r */
export async function writeWorkload(r) {
  await r.set("s:plain", "v");
  await r.set("s:ttl", "v", "EX", YEARS);
  await r.setex("s:setex", YEARS, "v");
  await r.set("s:bin", Buffer.from([0, 1, 13, 10, 255, 128]));
  await r.incr("s:n");
  await r.incrby("s:n", 41);
  await r.incrbyfloat("s:f", "1.1");
  await r.incrbyfloat("s:f", "2.2");
  await r.append("s:plain", "-appended");
  await r.setrange("s:plain", 0, "V");
  await r.getex("s:plain", "PX", YEARS * 1000);
  await r.set("s:gone", "x");
  await r.getdel("s:gone");
  await r.rpush("l", ...Array.from({ length: 300 }, (_, i) => `e${i}`));
  await r.lpop("l");
  await r.linsert("l", "BEFORE", "e5", "new");
  await r.lmove("l", "l2", "LEFT", "RIGHT");
  await r.blpop("l", 1);
  await r.sadd("set", ...Array.from({ length: 50 }, (_, i) => `m${i}`));
  await r.spop("set");
  await r.spop("set", 7);
  await r.sadd("iset", 1, 2, 3, 4, 5);
  await r.spop("iset", 2);
  await r.hset("h", { a: "1", b: "2", c: "3" });
  await r.hincrbyfloat("h", "a", "0.5");
  await r.hdel("h", "b");
  await r.zadd("z", 1, "a", 2.5, "b", 3, "c", -1e300, "d", 0.1, "e");
  await r.zincrby("z", 0.1, "a");
  await r.zpopmax("z");
  await r.bzpopmin("z", 1);
  await r.expire("l2", YEARS);
  await r.pexpire("h", YEARS * 1000, "NX");
  await r.persist("s:setex");
  await r.multi().set("tx:a", "1").incr("tx:a").rpush("tx:l", "x").exec();
  await r.select(3);
  await r.set("db3", "x");
  await r.copy("db3", "db3copy", "DB", 4);
  await r.move("db3", 5);
  await r.select(7);
  await r.mset("a", "1", "b", "2");
  await r.flushdb();
  await r.set("after-flush", "1");
  await r.select(8);
  await r.set("swapped", "1");
  await r.swapdb(8, 9);
  await r.select(0);
  await r.sort("set", "ALPHA", "STORE", "sorted");
}
