// Test hooks for the AOF rewrite: the tables a test wants caught mid-rehash, found without a
// lookup's side effects (a lookup moves a bucket of a rehashing table, which is what the test
// must be able to rule out).
import { getDb, dbCount } from "../db";
import { Dict, dictFindLink, dictHashKey } from "../dict";
import { entryType, entryEncoding, entryVal, OBJ_SET, OBJ_HASH, OBJ_ZSET, ENC_HT, ENC_SKIPLIST } from "../object";
import { ZSet } from "../skiplist";

/** The keyspace table of database `db`. */
export function tkDbDict(db: i32): usize {
  return db < 0 || db >= dbCount ? 0 : changetype<usize>(getDb(db).dict);
}

/** The table of a hashtable set or hash, or of a skiplist sorted set, at key (p, n) of `db`; else 0. */
export function tkKeyDict(db: i32, p: usize, n: usize): usize {
  const d = getDb(db).dict;
  d.pauseRehash++;
  const link = dictFindLink(d, dictHashKey(p, n), p, n);
  d.pauseRehash--;
  if (link == 0) return 0;
  const e = <usize>load<u32>(link);
  const type = entryType(e);
  const enc = entryEncoding(e);
  if ((type == OBJ_SET || type == OBJ_HASH) && enc == ENC_HT) return entryVal(e);
  if (type == OBJ_ZSET && enc == ENC_SKIPLIST) return changetype<usize>(changetype<ZSet>(entryVal(e)).dict);
  return 0;
}
