// LFU: how often a key is used, in the 24 bits every entry keeps for LRU (object.ts).
//
// Under allkeys-lfu and volatile-lfu the field is split as Redis splits it:
//
//   bits 8-23  last decrement time, in minutes (16 bits, wraps every ~45 days)
//   bits 0-7   a logarithmic access counter, 0..255
//
// Eight bits cannot count accesses, so the counter is a Morris counter: an access increments it
// only with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1). Going from c to
// c+1 therefore takes about (c - 5) * factor + 1 accesses on average, and n accesses bring a new
// key to roughly 5 + sqrt(2n / factor): with the default factor 10, a hundred hits read ~10, a
// thousand ~18-19, a hundred thousand ~145, and about a million saturate it. The first few
// steps above LFU_INIT_VAL cost one access each, so a key touched a few times quickly
// stands out from one written and never read.
//
// Frequency alone would let a key that was hot yesterday live forever, so the counter also
// decays: one step per lfu-decay-time minutes since the stored time. Decay is applied lazily,
// when the key is next touched (and, without storing, when eviction or OBJECT FREQ looks at it).
//
// New keys start at LFU_INIT_VAL (server.ts newKeyLru) rather than 0, so that a fresh key is not
// evicted before it had a chance to be read.
import { lfuClock, LFU_INIT_VAL } from "./server";
import { lfuLogFactor, lfuDecayTime } from "./config";
import { randomU64 } from "./random";
import { entryLru, setEntryLru } from "./object";

/** Minutes since the time `ldt` (16-bit minutes), assuming at most one wrap. */
// @ts-ignore: decorator
@inline
function minutesSince(ldt: u32): u32 {
  const now = lfuClock;
  return now >= ldt ? now - ldt : 65535 - ldt + now;
}

/** The counter of an LFU field after the decay owed since its stored time (nothing is stored). */
export function lfuDecayed(field: u32): u32 {
  const counter = field & 0xff;
  if (lfuDecayTime <= 0) return counter;
  const periods = minutesSince(field >>> 8) / <u32>lfuDecayTime;
  return periods >= counter ? 0 : counter - periods;
}

/** A uniform double in [0, 1) from the engine's generator. */
// @ts-ignore: decorator
@inline
function random01(): f64 {
  return <f64>(randomU64() >> 11) * (1.0 / 9007199254740992.0);
}

/** One access, counted with the Morris probability. */
export function lfuLogIncr(counter: u32): u32 {
  if (counter >= 255) return 255;
  const base = counter > LFU_INIT_VAL ? <f64>(counter - LFU_INIT_VAL) : 0.0;
  const p = 1.0 / (base * <f64>lfuLogFactor + 1.0);
  return random01() < p ? counter + 1 : counter;
}

/** An access to entry `e` under an LFU policy: decay what is owed, count the access, stamp now. */
export function lfuTouch(e: usize): void {
  const c = lfuLogIncr(lfuDecayed(entryLru(e)));
  setEntryLru(e, (lfuClock << 8) | c);
}
