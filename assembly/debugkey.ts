// DEBUG OBJECT: the one-line description Redis prints for a key. The host writes the key into the
// data area and calls debugObject; the reply lands in the output buffer like a command's.
import { addAscii, addReplyErrorCode, resetOutput, outputLen, setProto, addReplyProto } from "./reply";
import { setNow, lruClock } from "./server";
import { getDb, dbFindLink } from "./db";
import { entryEncoding, entryLru, entryType, encodingName, entryInt, stringLength, ENC_INT, OBJ_STRING } from "./object";
import { ll2string } from "./util";

const num: usize = memory.data(32);

function addNumber(v: i64): void {
  const n = ll2string(num, v);
  addReplyProto(num, n);
}

function addHex(v: u32): void {
  const digits = "0123456789abcdef";
  let n = 0;
  let x = v;
  do {
    n++;
    x >>>= 4;
  } while (x != 0);
  const p = num;
  for (let i = n - 1; i >= 0; i--) {
    store<u8>(p + <usize>i, <u8>digits.charCodeAt(<i32>(v & 15)));
    v >>>= 4;
  }
  addReplyProto(p, <usize>n);
}

/** Bytes an RDB file would spend on a string value (without LZF compression, which we don't do). */
function serializedLength(e: usize): i64 {
  if (entryType(e) != OBJ_STRING) return 0;
  if (entryEncoding(e) == ENC_INT) {
    const v = entryInt(e);
    if (v >= -128 && v <= 127) return 2;
    if (v >= -32768 && v <= 32767) return 3;
    if (v >= -2147483648 && v <= 2147483647) return 5;
  }
  const len = <i64>stringLength(e);
  const header: i64 = len < 64 ? 1 : len < 16384 ? 2 : len <= 0xffffffff ? 5 : 9;
  return header + len;
}

export function debugObject(db: i32, key: usize, klen: usize, nowMs: f64, proto: i32): usize {
  resetOutput();
  setProto(proto);
  setNow(<i64>nowMs);
  const link = dbFindLink(getDb(db), key, klen);
  if (link == 0) {
    addReplyErrorCode("ERR no such key");
    return outputLen();
  }
  const e = <usize>load<u32>(link);
  const lru = entryLru(e);
  const idle: u32 = lruClock >= lru ? lruClock - lru : lruClock + (0xffffff - lru);
  addAscii("+Value at:0x");
  addHex(<u32>e);
  addAscii(" refcount:1 encoding:");
  addAscii(encodingName(entryEncoding(e)));
  addAscii(" serializedlength:");
  addNumber(serializedLength(e));
  addAscii(" lru:");
  addNumber(<i64>lru);
  addAscii(" lru_seconds_idle:");
  addNumber(<i64>idle);
  addAscii("\r\n");
  return outputLen();
}
