// The AOF rewrite: the whole dataset written out as the commands that rebuild it.
//
// The text is that of Redis 7's rewriteAppendOnlyFileRio, the base file of a multi-part AOF when
// aof-use-rdb-preamble is off, so that a Redis 7 loads a base file we wrote:
//
//   SELECT j                         before the first key of each database that has keys
//   SET key value                    a string (an int-encoded one as its decimal text)
//   RPUSH key e1 … e64               a list, head to tail
//   SADD key m1 … m64                a set
//   HMSET key f1 v1 … f64 v64        a hash
//   ZADD key s1 m1 … s64 m64         a sorted set, scores as "%.17g" ("inf", "-inf")
//   PEXPIREAT key ms                 after the key's commands, when it has a TTL
//
// A collection takes as many commands as it needs at 64 items (members, pairs) each, Redis's
// AOF_REWRITE_ITEMS_PER_CMD: every command but the last of a key carries exactly 64. A key past
// its TTL is written like any other, PEXPIREAT included, as Redis writes it: the loader is the one
// that decides what an old expiry means.
//
// Where it runs. The host copies the engine's linear memory and globals into a second instance
// in a worker thread at one moment, a fork as far as the engine can tell, and calls the walk
// there; nothing changes the dataset under it. The walk must not change it either: a lookup's
// lazy expiry would delete keys that have to be written and unlink entries from the table being
// walked, a rehash step would move entries between the two tables under the walk (some seen
// twice, some never), and the same walk run on the main instance (a test does) would otherwise
// leave LRU/LFU touches and hit/miss counts behind. So it uses no lookup: it reads the tables
// and structures raw, through each structure's own read-only walking functions, both tables of a
// dict caught mid-rehash included. The only memory it writes is the output buffer (reply.ts) and
// scratch space in static memory (its own state, number text).
//
// Steps. The host asks for about `budget` bytes at a time and writes them to the file, so a
// dataset of any size passes through a small buffer. A step writes whole commands and stops after
// the one that reaches the budget (a SELECT goes with the command after it, a PEXPIREAT with the
// one before it); a big collection is therefore cut between two of its commands and continued in
// the next step. That is safe only because the snapshot does not change: the positions kept
// between steps (a dict bucket and chain entry, a quicklist node and listpack entry, a skiplist
// node, an intset index) stay valid. A single command longer than the budget (a big string, 64
// big members) still goes out whole.
//
// Speed. Millions of keys pass through here: every element is copied straight from its structure
// into the output buffer, nothing is allocated per key or per element, and listpack integers are
// formatted in place by the reply writer.
import { getDb, dbCount } from "./db";
import { Dict, DictWalk, dictWalkStart, dictWalkNext, dictSize, keyBlob, KIND_PLAIN } from "./dict";
import {
  OBJ_STRING, OBJ_LIST, OBJ_SET, OBJ_ZSET, OBJ_HASH, ENC_INTSET, ENC_LISTPACK, entryType, entryEncoding,
  entryVal, entryKeyPtr, entryKeyLen, entryHasTtl, entryExpireAt, stringValue, strPtr, strLen,
} from "./object";
import {
  resetOutput, setProto, outputLen, addAscii, addReplyArrayLen, addReplyBulk, addReplyBulkLongLong,
} from "./reply";
import { lpFirst, lpNext, lpGetValue, lpLengthReadOnly, lpIsInt, lpInt, lpStr, lpStrLen } from "./listpack";
import { qlHead, qlCount, nodeLp, nodeNext as qlNodeNext } from "./quicklist";
import { intsetLen, intsetGet } from "./intset";
import { ZSet, zslFirst, nodeNext as zslNodeNext, nodeMember, nodeMemberLen, nodeScore } from "./skiplist";
import { fieldBlob, valueBlob } from "./t_hash";
import { blobData, blobLen } from "./blob";
import { formatDouble } from "./util";

/** Items (members, pairs) per command, Redis's AOF_REWRITE_ITEMS_PER_CMD. */
const ITEMS_PER_CMD: u32 = 64;

// ---- state of the walk ------------------------------------------------------------------------

/** Database being walked; past the last one when the walk is over (or was never begun). */
let dbIdx: i32 = 0x7fffffff;
/** Whether the database's SELECT is still to be written (before its first key). */
let selectDue = false;
/** Keys written in full so far. */
let keysDone: f64 = 0;
/** The walk over the current database's keyspace table. */
const keyWalk = changetype<DictWalk>(memory.data(offsetof<DictWalk>()));

/** The key whose commands are being written, 0 between keys. */
let cur: usize = 0;
/** Items of the current key not written yet. */
let left: u32 = 0;
// Where the current key's next item is, by structure: a listpack entry (list node, hash, sorted
// set), a quicklist node, a skiplist node, an intset index, or the walk of a set's or hash's table.
let pos: usize = 0;
let node: usize = 0;
let index: u32 = 0;
const itemWalk = changetype<DictWalk>(memory.data(offsetof<DictWalk>()));

const scoreBuf: usize = memory.data(32);

// ---- exports -----------------------------------------------------------------------------------

/** Starts a walk over every database. */
export function rewriteBegin(): void {
  dbIdx = 0;
  selectDue = true;
  keysDone = 0;
  cur = 0;
  if (dbCount > 0) dictWalkStart(keyWalk, getDb(0).dict);
}

/**
 * Writes the next commands into the output buffer, which it empties first: whole commands, up to
 * and including the one at which `budget` bytes are reached. Returns the bytes written; 0 once
 * the walk is over.
 */
export function rewriteStep(budget: usize): usize {
  resetOutput();
  setProto(2);
  while (true) {
    if (cur == 0 && !nextKey()) break;
    writeCommand();
    if (outputLen() >= budget) break;
  }
  return outputLen();
}

/** Keys written in full so far (progress for the host). */
export function rewriteKeys(): f64 {
  return keysDone;
}

// ---- keys ------------------------------------------------------------------------------------------

/** Moves to the next key (writing SELECT before a database's first); false when there is none. */
function nextKey(): bool {
  while (dbIdx < dbCount) {
    const e = dictWalkNext(keyWalk);
    if (e != 0) {
      if (selectDue) {
        addAscii("*2\r\n$6\r\nSELECT\r\n");
        addReplyBulkLongLong(dbIdx);
        selectDue = false;
      }
      startKey(e);
      return true;
    }
    if (++dbIdx < dbCount) {
      dictWalkStart(keyWalk, getDb(dbIdx).dict);
      selectDue = true;
    }
  }
  return false;
}

/** Sets up the item count and position of a key's value. */
function startKey(e: usize): void {
  cur = e;
  const type = entryType(e);
  if (type == OBJ_STRING) return;
  const v = entryVal(e);
  const enc = entryEncoding(e);
  if (type == OBJ_LIST) {
    // Lists are always quicklists (Redis 7.0), whose nodes are never empty.
    left = qlCount(v);
    node = qlHead(v);
    pos = node == 0 ? 0 : lpFirst(nodeLp(node));
  } else if (type == OBJ_SET) {
    if (enc == ENC_INTSET) {
      left = intsetLen(v);
      index = 0;
    } else {
      left = dictSize(changetype<Dict>(v));
      dictWalkStart(itemWalk, changetype<Dict>(v));
    }
  } else if (type == OBJ_HASH) {
    if (enc == ENC_LISTPACK) {
      left = lpLengthReadOnly(v) >> 1;
      pos = lpFirst(v);
    } else {
      left = dictSize(changetype<Dict>(v));
      dictWalkStart(itemWalk, changetype<Dict>(v));
    }
  } else if (type == OBJ_ZSET) {
    if (enc == ENC_LISTPACK) {
      left = lpLengthReadOnly(v) >> 1;
      pos = lpFirst(v);
    } else {
      left = changetype<ZSet>(v).length;
      node = zslFirst(changetype<ZSet>(v));
    }
  } else {
    unreachable(); // no other type is ever stored
  }
}

/** Writes the current key's next command; the key's last one also gets its PEXPIREAT. */
function writeCommand(): void {
  const e = cur;
  const type = entryType(e);
  if (type == OBJ_STRING) {
    addAscii("*3\r\n$3\r\nSET\r\n");
    addKey(e);
    stringValue(e);
    addReplyBulk(strPtr, strLen);
  } else if (left != 0) {
    const n = left < ITEMS_PER_CMD ? left : ITEMS_PER_CMD;
    left -= n;
    const enc = entryEncoding(e);
    const v = entryVal(e);
    if (type == OBJ_LIST) {
      addReplyArrayLen(2 + <i64>n);
      addAscii("$5\r\nRPUSH\r\n");
      addKey(e);
      writeListItems(n);
    } else if (type == OBJ_SET) {
      addReplyArrayLen(2 + <i64>n);
      addAscii("$4\r\nSADD\r\n");
      addKey(e);
      if (enc == ENC_INTSET) writeIntsetItems(v, n);
      else writeSetTableItems(n);
    } else if (type == OBJ_HASH) {
      addReplyArrayLen(2 + (<i64>n << 1));
      addAscii("$5\r\nHMSET\r\n");
      addKey(e);
      if (enc == ENC_LISTPACK) writeListpackPairs(v, n, false);
      else writeHashTableItems(n);
    } else {
      addReplyArrayLen(2 + (<i64>n << 1));
      addAscii("$4\r\nZADD\r\n");
      addKey(e);
      if (enc == ENC_LISTPACK) writeListpackPairs(v, n, true);
      else writeSkiplistItems(n);
    }
    if (left != 0) return;
  }
  if (entryHasTtl(e)) {
    addAscii("*3\r\n$9\r\nPEXPIREAT\r\n");
    addKey(e);
    addReplyBulkLongLong(entryExpireAt(e));
  }
  cur = 0;
  keysDone++;
}

// @ts-ignore: decorator
@inline
function addKey(e: usize): void {
  addReplyBulk(entryKeyPtr(e), entryKeyLen(e));
}

/** The listpack element last read by lpGetValue, integers as their decimal text. */
// @ts-ignore: decorator
@inline
function addLpValue(): void {
  if (lpIsInt) addReplyBulkLongLong(lpInt);
  else addReplyBulk(lpStr, lpStrLen);
}

// ---- items, by structure ---------------------------------------------------------------------------

function writeListItems(n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    lpGetValue(pos);
    addLpValue();
    pos = lpNext(nodeLp(node), pos);
    if (pos == 0) {
      node = qlNodeNext(node);
      if (node != 0) pos = lpFirst(nodeLp(node));
    }
  }
}

function writeIntsetItems(is: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) addReplyBulkLongLong(intsetGet(is, index++));
}

function writeSetTableItems(n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const b = keyBlob(KIND_PLAIN, dictWalkNext(itemWalk));
    addReplyBulk(blobData(b), blobLen(b));
  }
}

function writeHashTableItems(n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const f = dictWalkNext(itemWalk);
    const fb = fieldBlob(f);
    addReplyBulk(blobData(fb), blobLen(fb));
    const vb = valueBlob(f);
    addReplyBulk(blobData(vb), blobLen(vb));
  }
}

/**
 * Pairs of a listpack hash (field, value) or sorted set (member, score; ZADD wants the score
 * first). A sorted set's listpack holds each score as Redis's d2string text: the "%.17g" text of
 * the double, except that integral values below 2^52 are written as plain integers, which is also
 * what "%.17g" prints for them (16 digits at most; -0 was stored as "0" and reads back as 0). Text
 * the listpack keeps as an integer entry reads back as the same text. So the stored score is
 * copied as it is, with no parse and format per score, and is exactly the "%.17g" of the double
 * it reads back as.
 */
function writeListpackPairs(lp: usize, n: u32, scoreFirst: bool): void {
  for (let i: u32 = 0; i < n; i++) {
    const second = lpNext(lp, pos);
    if (scoreFirst) {
      lpGetValue(second);
      addLpValue();
      lpGetValue(pos);
      addLpValue();
    } else {
      lpGetValue(pos);
      addLpValue();
      lpGetValue(second);
      addLpValue();
    }
    pos = lpNext(lp, second);
  }
}

function writeSkiplistItems(n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    addReplyBulk(scoreBuf, formatDouble(scoreBuf, nodeScore(node)));
    addReplyBulk(nodeMember(node), nodeMemberLen(node));
    node = zslNodeNext(node);
  }
}
