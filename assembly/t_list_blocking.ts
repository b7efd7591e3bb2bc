// The blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. Each first tries what its
// non-blocking twin does; when every key is empty it writes no reply and blocks (blocking.ts), and
// the host retries the very same command once one of its keys receives elements.
import { argc, argPtr, argLen } from "./request";
import { addReplyArrayLen, addReplyBulk, addReplyError } from "./reply";
import { currentDb } from "./server";
import { propOn, propCommand, propArg } from "./propagate";
import { getDb, dbFindLink, touchEntry } from "./db";
import { entryType, OBJ_LIST } from "./object";
import { addReplyWrongType } from "./t_string";
import { blockCurrentCommand, checkTimeoutArg } from "./blocking";
import { listPopReply, listMoveGeneric, listMpopReply, mpopParse, mpopNumkeys, mpopHead, mpopCount, parseWhere } from "./t_list";

function blockingPop(head: bool): void {
  if (!checkTimeoutArg(argc - 1)) return;
  const d = getDb(currentDb);
  for (let i = 1; i < argc - 1; i++) {
    const link = dbFindLink(d, argPtr(i), argLen(i));
    if (link == 0) continue;
    const e = <usize>load<u32>(link);
    if (entryType(e) != OBJ_LIST) {
      addReplyWrongType();
      return;
    }
    touchEntry(e);
    addReplyArrayLen(2);
    addReplyBulk(argPtr(i), argLen(i));
    listPopReply(d, link, head, -1);
    // Replayed as the pop it was, from the key it served (Redis writes the same).
    if (propOn) {
      propCommand(currentDb, 2, head ? "LPOP" : "RPOP");
      propArg(i);
    }
    return;
  }
  blockCurrentCommand();
}

export function blpopCommand(): void {
  blockingPop(true);
}

export function brpopCommand(): void {
  blockingPop(false);
}

/** Moves, or blocks; true when it moved. */
function blockingMove(fromHead: bool, toHead: bool, timeoutIdx: i32): bool {
  if (!checkTimeoutArg(timeoutIdx)) return false;
  if (listMoveGeneric(argPtr(1), argLen(1), argPtr(2), argLen(2), fromHead, toHead) != 0) return true;
  blockCurrentCommand();
  return false;
}

export function blmoveCommand(): void {
  const from = parseWhere(3);
  const to = parseWhere(4);
  if (from < 0 || to < 0) {
    addReplyError("syntax error");
    return;
  }
  if (blockingMove(from == 1, to == 1, 5) && propOn) {
    propCommand(currentDb, 5, "LMOVE");
    for (let i = 1; i <= 4; i++) propArg(i);
  }
}

export function brpoplpushCommand(): void {
  if (blockingMove(false, true, 3) && propOn) {
    propCommand(currentDb, 3, "RPOPLPUSH");
    propArg(1);
    propArg(2);
  }
}

export function blmpopCommand(): void {
  if (!checkTimeoutArg(1)) return;
  if (!mpopParse(2)) return;
  if (listMpopReply(3, mpopNumkeys, mpopHead, mpopCount) == 0) blockCurrentCommand();
}
