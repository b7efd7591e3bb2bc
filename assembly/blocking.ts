// Support for blocking commands (BLPOP, BZPOPMIN, …). The waiting itself is the host's: it knows
// the clients, their timeouts and their order. The engine only says two things:
//
// - "this command would block": a blocking command that finds nothing to pop writes no reply and
//   calls blockCurrentCommand(); the host sees the flag in the command's record and parks the client.
// - "these keys got data": while the host has parked clients (setBlockingActive(1)), every push to
//   a list or sorted set records (db, key) with signalKeyAsReady. After each command the host
//   reads the list, retries the parked commands of those keys in arrival order, and resets it.
//
// Layout of the ready-keys list: repeated [db u32][len u32][key bytes], unaligned.
import { alloc, realloc } from "./alloc";

/** Bit in a command record's flags word (4th u32): the command blocked and wrote no reply. */
export const CMD_BLOCKED: u32 = 1;
/** Bit in a command record's flags word: the command changed the dataset (server.dirty grew). */
export const CMD_DIRTY: u32 = 2;

/** Flags of the command being executed; index.ts stores them into its record. */
export let commandFlags: u32 = 0;

export function resetCommandFlags(): void {
  commandFlags = 0;
}

export function blockCurrentCommand(): void {
  commandFlags |= CMD_BLOCKED;
}

let active = false;
let buf: usize = 0;
let cap: usize = 0;
let len: usize = 0;

export function setBlockingActive(on: i32): void {
  active = on != 0;
  if (!active) len = 0;
}

/** Records that `key` in database `db` received elements (no-op while nobody waits). */
export function signalKeyAsReady(db: i32, key: usize, klen: usize): void {
  if (!active) return;
  const need = len + 8 + klen;
  if (need > cap) {
    let c: usize = cap == 0 ? 256 : cap;
    while (c < need) c <<= 1;
    buf = buf == 0 ? alloc(c) : realloc(buf, c);
    cap = c;
  }
  store<u32>(buf + len, <u32>db);
  store<u32>(buf + len + 4, <u32>klen);
  memory.copy(buf + len + 8, key, klen);
  len = need;
}

export function readyKeysPtr(): usize {
  return buf;
}

export function readyKeysLen(): usize {
  return len;
}

export function readyKeysReset(): void {
  len = 0;
}

// ---- the timeout argument ------------------------------------------------------------------------
import { argPtr, argLen } from "./request";
import { addReplyError } from "./reply";
import { string2ld } from "./util";
import { now } from "./server";

const ldScratch: usize = memory.data(16);

/**
 * Checks a blocking command's timeout (seconds, decimals allowed) the way Redis reads it: a long
 * double, times 1000, truncated to an integer; negative is refused, and so is a deadline past the
 * largest time. (Redis's conversion of a huge value yields the most negative integer, hence
 * "timeout is negative" for 1e300 too.) The host computes the deadline itself from the same text.
 */
export function checkTimeoutArg(i: i32): bool {
  if (!string2ld(argPtr(i), argLen(i), ldScratch)) {
    addReplyError("timeout is not a float or out of range");
    return false;
  }
  const m = load<u64>(ldScratch);
  const e = load<i32>(ldScratch, 8);
  const flags = load<u8>(ldScratch, 12);
  const neg = (flags & 1) != 0;
  const inf = (flags & 2) != 0;
  const ms = inf ? Infinity : (<f64>m) * Math.pow(2, <f64>e) * 1000;
  if (ms >= 9223372036854775808.0 || (neg && ms >= 1)) {
    addReplyError("timeout is negative");
    return false;
  }
  const tval = <i64>ms;
  if (tval > 0 && tval > i64.MAX_VALUE - now) {
    addReplyError("timeout is out of range");
    return false;
  }
  return true;
}
