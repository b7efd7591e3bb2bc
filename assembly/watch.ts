// Support for WATCH (host/multi.ts). The host tracks who watches which key and hears about every
// command that changed the dataset; what it cannot see on its own is time. A watched key that
// was live when WATCHed and is no longer live at EXEC (it expired, and was perhaps deleted by
// lazy or active expiry or eviction) was modified as far as the transaction is concerned, while a
// key that was already past its TTL when WATCHed counts as absent. So the host asks, at WATCH
// and at EXEC, in which of three states a key is — without the side effects of a lookup: no lazy
// deletion (that would itself be a change), no hit/miss counting, no LRU refresh.
import { getDb, dbCount } from "./db";
import { dictFindLink, dictHashKey } from "./dict";
import { entryHasTtl, entryExpireAt } from "./object";

/** The key is not in the database. */
export const KEY_ABSENT: i32 = 0;
/** The key exists and has not reached its expiry time. */
export const KEY_LIVE: i32 = 1;
/** The key is still stored but past its expiry time (logically absent). */
export const KEY_EXPIRED: i32 = 2;

/** State of `key` in database `db` at wall-clock `nowMs` (KEY_ABSENT for an invalid db). */
export function watchKeyState(db: i32, key: usize, klen: usize, nowMs: f64): i32 {
  if (db < 0 || db >= dbCount) return KEY_ABSENT;
  const link = dictFindLink(getDb(db).dict, dictHashKey(key, klen), key, klen);
  if (link == 0) return KEY_ABSENT;
  const e = <usize>load<u32>(link);
  // Same rule as db.ts's isExpired: a key is expired once the clock is past its time.
  if (entryHasTtl(e) && <i64>nowMs > entryExpireAt(e)) return KEY_EXPIRED;
  return KEY_LIVE;
}
