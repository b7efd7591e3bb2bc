// Redis's glob-style matching, used by KEYS, SCAN MATCH, PSUBSCRIBE-like filters, CONFIG GET.
//
// Syntax: `*` any run of bytes, `?` one byte, `[abc]` a set, `[^abc]` its complement, `[a-z]` a
// range (reversed ranges such as `[z-a]` are accepted), `\x` the byte x literally (also inside a
// set). A `[` with no closing `]` ends the set at the end of the pattern.
//
// Observed details of Redis 7.0 that this reproduces on purpose:
// - Range bounds are compared as *signed* chars (x86 C): a byte >= 0x80 is negative, so
//   `[a-\xff]` means "from -1 up to 'a'".
// - Pathological patterns: a failed attempt to match the rest of the pattern after a `*` from every
//   position of the remaining string proves that no earlier `*` can succeed either (they would
//   only start the rest later), so the whole match stops there. That keeps `*a*a*a...b` linear
//   per star instead of exponential.
// - Recursion depth: every `*` followed by more pattern recurses; deeper than 1000 levels the
//   match fails (Redis answers an empty KEYS for `a*` x 1002 even on a matching key).
// - The empty string matches no pattern, not even "*" (the loop needs a byte to look at). KEYS
//   and SCAN in Redis skip matching altogether for a lone "*", which is how they list the empty
//   key; callers that want that must do the same. PSUBSCRIBE "*" does not match channel "".
// Case folding (`nocase`, for CONFIG GET) is ASCII only, like tolower() in the C locale.

const MAX_NESTING: i32 = 1000;

/** Set by a `*` that found no match for the rest of the pattern anywhere: stop all retries. */
let giveUp = false;

// @ts-ignore: decorator
@inline
function lower(c: i32): i32 {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Byte `i` of the pattern, or 0 past its end (Redis reads the string's NUL terminator there). */
// @ts-ignore: decorator
@inline
function at(p: usize, n: isize, i: isize): i32 {
  return i < n ? <i32>load<u8>(p + <usize>i) : 0;
}

/** Does `str` match `pattern`? `nocase` folds ASCII letters. */
export function stringmatchlen(pattern: usize, plen: usize, str: usize, slen: usize, nocase: bool): bool {
  giveUp = false;
  return match(pattern, <isize>plen, str, <isize>slen, nocase, 0);
}

function match(p: usize, pn: isize, s: usize, sn: isize, nocase: bool, nesting: i32): bool {
  if (nesting > MAX_NESTING) return false;
  while (pn > 0 && sn > 0) {
    const c = <i32>load<u8>(p);
    if (c == 42) { // '*'
      while (pn > 1 && load<u8>(p + 1) == 42) {
        p++;
        pn--;
      }
      if (pn == 1) return true; // a trailing star eats the rest
      while (sn > 0) {
        if (match(p + 1, pn - 1, s, sn, nocase, nesting + 1)) return true;
        if (giveUp) return false;
        s++;
        sn--;
      }
      giveUp = true;
      return false;
    } else if (c == 63) { // '?'
      s++;
      sn--;
    } else if (c == 91) { // '['
      p++;
      pn--;
      const neg = at(p, pn, 0) == 94; // '^'
      if (neg) {
        p++;
        pn--;
      }
      const sc = <i32>load<u8>(s);
      let hit = false;
      while (true) {
        const b = at(p, pn, 0);
        if (b == 92 && pn >= 2) { // '\\' escapes the next byte
          p++;
          pn--;
          if (<i32>load<u8>(p) == sc) hit = true;
        } else if (b == 93) { // ']'
          break;
        } else if (pn <= 0) {
          // Unterminated set: step back so the common advance below lands on the end.
          p--;
          pn++;
          break;
        } else if (pn >= 3 && at(p, pn, 1) == 45) { // 'a-z'
          let lo = <i32>load<i8>(p);
          let hi = <i32>load<i8>(p + 2);
          let x = <i32>load<i8>(s);
          if (lo > hi) {
            const t = lo;
            lo = hi;
            hi = t;
          }
          if (nocase) {
            lo = lower(lo);
            hi = lower(hi);
            x = lower(x);
          }
          p += 2;
          pn -= 2;
          if (x >= lo && x <= hi) hit = true;
        } else if (nocase ? lower(b) == lower(sc) : b == sc) {
          hit = true;
        }
        p++;
        pn--;
      }
      if (neg) hit = !hit;
      if (!hit) return false;
      s++;
      sn--;
    } else {
      if (c == 92 && pn >= 2) { // '\\': the next byte is literal
        p++;
        pn--;
      }
      const pc = <i32>load<u8>(p);
      const sc = <i32>load<u8>(s);
      if (nocase ? lower(pc) != lower(sc) : pc != sc) return false;
      s++;
      sn--;
    }
    p++;
    pn--;
    if (sn == 0) {
      // The string is used up: only stars may remain.
      while (pn > 0 && load<u8>(p) == 42) {
        p++;
        pn--;
      }
      break;
    }
  }
  return pn == 0 && sn == 0;
}
