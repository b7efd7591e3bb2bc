// Argument parsing shared by command handlers: each helper replies with Redis's error and returns
// false when the argument is not acceptable, so a handler can simply `if (!x) return;`.
import { argPtr, argLen } from "./request";
import { addReplyError } from "./reply";
import { string2ll, parsedInt } from "./util";

/** The value parsed by the last successful getLongLongArg. */
export let argInt: i64 = 0;

/** Parses argument i as a 64-bit integer or replies "value is not an integer or out of range". */
export function getLongLongArg(i: i32): bool {
  if (!string2ll(argPtr(i), argLen(i))) {
    addReplyError("value is not an integer or out of range");
    return false;
  }
  argInt = parsedInt;
  return true;
}

/** Same, with a caller-chosen error message. */
export function getLongLongArgOr(i: i32, msg: string): bool {
  if (!string2ll(argPtr(i), argLen(i))) {
    addReplyError(msg);
    return false;
  }
  argInt = parsedInt;
  return true;
}

/** Parses argument i as an integer that fits in 32 bits (Redis's getIntFromObjectOrReply). */
export function getIntArg(i: i32): bool {
  if (!string2ll(argPtr(i), argLen(i)) || parsedInt < -2147483648 || parsedInt > 2147483647) {
    addReplyError("value is not an integer or out of range");
    return false;
  }
  argInt = parsedInt;
  return true;
}
