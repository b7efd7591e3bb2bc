// The engine's exports: everything the host may call. Keep this list short; see ARCHITECTURE.md.
import { alloc, free } from "./alloc";
import { setProto, resetOutput, outputPtr as replyPtr, outputLen as replyLen } from "./reply";
import { setCommand } from "./request";
import { dispatch } from "./commands/dispatch.generated";
import { setCurrentDb, setNow } from "./server";

// ---- batch execution -------------------------------------------------------------------------

let tableArea: usize = 0;
let tableCap: usize = 0;
let dataArea: usize = 0;
let dataCap: usize = 0;

/** Returns a table area of at least `bytes` bytes (reused between batches). */
export function reserveTable(bytes: usize): usize {
  if (bytes > tableCap) {
    if (tableArea != 0) free(tableArea);
    tableCap = bytes < 4096 ? 4096 : bytes;
    tableArea = alloc(tableCap);
  }
  return tableArea;
}

/** Returns a data area of at least `bytes` bytes (reused between batches). */
export function reserveData(bytes: usize): usize {
  if (bytes > dataCap) {
    if (dataArea != 0) free(dataArea);
    dataCap = bytes < 16384 ? 16384 : bytes;
    dataArea = alloc(dataCap);
  }
  return dataArea;
}

/**
 * Executes `ncmds` commands described by the table at `table` (layout in ARCHITECTURE.md) in
 * database `db` for a client speaking RESP `proto`, at wall-clock time `nowMs`. Replies are
 * appended to the output buffer, which this call empties first; returns the bytes written.
 */
export function exec(table: usize, ncmds: u32, data: usize, db: i32, proto: i32, nowMs: f64): usize {
  resetOutput();
  setProto(proto);
  setNow(<i64>nowMs);
  setCurrentDb(db);
  let rec = table;
  for (let i: u32 = 0; i < ncmds; i++) {
    const id = load<u32>(rec);
    const argc = load<i32>(rec, 4);
    setCommand(rec + 16, argc, data);
    dispatch(id);
    store<u32>(rec, <u32>replyLen(), 8);
    rec += 16 + (<usize>argc << 3);
  }
  return replyLen();
}

export function outputPtr(): usize {
  return replyPtr();
}

export function outputLen(): usize {
  return replyLen();
}

// ---- allocator -------------------------------------------------------------------------------
export { usedMemory } from "./alloc";
export { alloc as memAlloc, free as memFree, realloc as memRealloc, usable as memUsable } from "./alloc";
