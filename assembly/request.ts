// The command being executed: its arguments live in the batch's data area, described by the
// batch table the host wrote (see ARCHITECTURE.md, "The boundary"). Handlers read them through
// these accessors, the way Redis's handlers read c->argv.

/** Argument count of the current command (the command name is argument 0). */
export let argc: i32 = 0;
/** Address of the current command's (offset, length) pairs. */
export let argv: usize = 0;
/** Start of the batch's data area: argument offsets are relative to it. */
export let dataBase: usize = 0;

export function setCommand(pairs: usize, count: i32, data: usize): void {
  argv = pairs;
  argc = count;
  dataBase = data;
}

// @ts-ignore: decorator
@inline
export function argPtr(i: i32): usize {
  return dataBase + <usize>load<u32>(argv + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
export function argLen(i: i32): usize {
  return <usize>load<u32>(argv + (<usize>i << 3) + 4);
}

/** Case-insensitive comparison of argument `i` with an ASCII keyword given in lower case. */
export function argIs(i: i32, lower: string): bool {
  const n = argLen(i);
  if (n != <usize>lower.length) return false;
  const p = argPtr(i);
  const s = changetype<usize>(lower);
  for (let k: usize = 0; k < n; k++) {
    let c = <u32>load<u8>(p + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c != <u32>load<u16>(s + (k << 1))) return false;
  }
  return true;
}
