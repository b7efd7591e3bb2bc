// The blocking sorted-set commands: BZPOPMIN BZPOPMAX BZMPOP. Like the list ones
// (t_list_blocking.ts): pop when a key has members, otherwise write nothing and block; the host
// retries the command when one of its keys becomes a sorted set again.
import { argc, argPtr, argLen } from "./request";
import { addReplyArrayLen, addReplyBulk } from "./reply";
import { addDirty, currentDb } from "./server";
import { propOn, propCommand, propArg } from "./propagate";
import { entryType, OBJ_ZSET } from "./object";
import { addReplyWrongType } from "./t_string";
import { blockCurrentCommand, checkTimeoutArg } from "./blocking";
import { H_KEY, zhLoad, zcFirst, zcLast, zcScore, zcMember, curPtr, curLen, zsetDeleteFrom } from "./zset";
import { writeLink, storeBack, addReplyDouble, parseMpop, zsetMpopReply } from "./t_zset";

/** BZPOPMIN/BZPOPMAX: [key, member, score] from the first non-empty key, or block. */
function bzpopGeneric(max: bool): void {
  if (!checkTimeoutArg(argc - 1)) return;
  for (let i = 1; i < argc - 1; i++) {
    const link = writeLink(i);
    if (link == 0) continue;
    const e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_ZSET) {
      addReplyWrongType();
      return;
    }
    zhLoad(H_KEY, e);
    const c = max ? zcLast(H_KEY) : zcFirst(H_KEY);
    const score = zcScore(H_KEY, c);
    zcMember(H_KEY, c);
    addReplyArrayLen(3);
    addReplyBulk(argPtr(i), argLen(i));
    addReplyBulk(curPtr, curLen);
    addReplyDouble(score);
    zsetDeleteFrom(H_KEY, c, 1);
    storeBack(link);
    addDirty(1);
    if (propOn) {
      propCommand(currentDb, 2, max ? "ZPOPMAX" : "ZPOPMIN");
      propArg(i);
    }
    return;
  }
  blockCurrentCommand();
}

export function bzpopminCommand(): void {
  bzpopGeneric(false);
}

export function bzpopmaxCommand(): void {
  bzpopGeneric(true);
}

export function bzmpopCommand(): void {
  if (!checkTimeoutArg(1)) return;
  if (!parseMpop(2)) return;
  if (zsetMpopReply() == 0) blockCurrentCommand();
}
