// Test hooks for the hash type: a look at a hash key's encoding and structure (db 0).
import { getDb, dbFindLink } from "../db";
import { entryVal, entryEncoding, entryType, OBJ_HASH, ENC_LISTPACK } from "../object";
import { Dict, dictSize, dictSlots } from "../dict";
import { lpBytes } from "../listpack";
import { hashTypeLength } from "../t_hash";

function hashEntry(p: usize, n: usize): usize {
  const link = dbFindLink(getDb(0), p, n);
  if (link == 0) return 0;
  const e = <usize>load<u32>(link);
  return entryType(e) == OBJ_HASH ? e : 0;
}

/** Fields of hash key (p, n), or -1 when there is no such hash. */
export function tkHashLength(p: usize, n: usize): i32 {
  const e = hashEntry(p, n);
  return e == 0 ? -1 : <i32>hashTypeLength(e);
}

/** 1 when the hash is a listpack, 2 when a hashtable, 0 when there is no such hash. */
export function tkHashForm(p: usize, n: usize): i32 {
  const e = hashEntry(p, n);
  if (e == 0) return 0;
  return entryEncoding(e) == ENC_LISTPACK ? 1 : 2;
}

/** Bytes of a listpack hash's block contents, or the slot count of a hashtable hash. */
export function tkHashShape(p: usize, n: usize): u32 {
  const e = hashEntry(p, n);
  if (e == 0) return 0;
  if (entryEncoding(e) == ENC_LISTPACK) return lpBytes(entryVal(e));
  return dictSlots(changetype<Dict>(entryVal(e)));
}

/** Entries in a hashtable hash's dict (checks its count against the field count). */
export function tkHashDictSize(p: usize, n: usize): u32 {
  const e = hashEntry(p, n);
  if (e == 0 || entryEncoding(e) == ENC_LISTPACK) return 0;
  return dictSize(changetype<Dict>(entryVal(e)));
}
