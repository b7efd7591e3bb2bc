// The engine batch: consecutive engine commands of one socket read, handed to the engine in one
// crossing (see ARCHITECTURE.md, "The boundary").
//
// Per read, the bytes the decoder returned (data[0, dataLen)) are copied into the engine's data
// area once, the first time an engine command is added; every command of the read, in however
// many batches the read is cut into by host commands, refers to that copy by the decoder's own
// offsets. Each command is described in the table area as u32 words
//   [id, argc, replyEnd (out), flags (out), off0, len0, off1, len1, …].
// The table is sized once per read for the worst case (every command of the read in one batch),
// so adding a command is a handful of stores and no bounds checks against the engine.
//
// Host code other than this class that calls the engine's exec/reserveTable/reserveData (a host
// command running engine commands itself, say) must call engineAreasTouched(): a batch started
// before then re-reserves and re-copies instead of pointing into areas that were reused.
import type { Engine } from "./engine.js";
import type { ParsedBatch } from "./resp/decoder.js";

let epoch = 0;

/** Declares that the engine's table/data areas were used outside EngineBatch. */
export function engineAreasTouched(): void {
  epoch++;
}

/**
 * Told, after a batch ran, of each of its commands that changed the dataset (the CMD_DIRTY bit of
 * its record): the database it ran in, its command id, and its arguments (views valid only during
 * the call). WATCH (host/multi.ts) sets one while some client watches keys.
 */
export type DirtyHook = (db: number, id: number, args: Uint8Array[]) => void;

/** Bit the engine sets in a command record's flags word when the command changed the dataset. */
export const CMD_DIRTY = 2;

export class EngineBatch {
  private readonly engine: Engine;
  private parsed: ParsedBatch | null = null;
  /** Engine address of the data area holding this read's bytes (0: not copied yet). */
  private dataPtr = 0;
  private tablePtr = 0;
  /** Next free u32 word of the table, as an index into engine.u32(). */
  private word = 0;
  private firstWord = 0;
  private epoch = -1;
  /** The engine's u32 view, taken after the last engine call (no call in between can grow memory). */
  private view: Uint32Array | null = null;
  /** Commands in the pending batch. */
  count = 0;
  /** Where the last exec() left its output. */
  outPtr = 0;
  outLen = 0;
  /** See DirtyHook; null (the common case) costs nothing. */
  onDirty: DirtyHook | null = null;
  /** Output bytes after which exec() stops (0: never); see `stoppedAt`. */
  budget = 0;
  /**
   * Index (in the read) of the first command the last exec() did not run because its output
   * reached the budget; -1 when it ran them all. The caller must run that command and the rest
   * of the read later, once the client has read its replies.
   */
  stoppedAt = -1;
  /** Commands of the last exec() that did not run (0 unless it stopped at the budget). */
  notRun = 0;
  /** The read's index of each command of the pending batch. */
  private idx = new Int32Array(256);

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Starts a read: commands added next refer to `parsed`. Nothing is copied yet. */
  begin(parsed: ParsedBatch): void {
    this.parsed = parsed;
    this.dataPtr = 0;
    this.count = 0;
    this.stoppedAt = -1;
    this.notRun = 0;
  }

  /** Forces the next add() to re-reserve and re-copy (the engine areas were used by someone else). */
  invalidate(): void {
    this.dataPtr = 0;
    this.count = 0;
  }

  private prepare(p: ParsedBatch): void {
    const x = this.engine.x;
    const cmds = p.count;
    const nargs = cmds > 0 ? p.first[cmds - 1] + p.argc[cmds - 1] : 0;
    this.tablePtr = x.reserveTable(16 * cmds + 8 * nargs) >>> 0;
    this.dataPtr = x.reserveData(Math.max(p.dataLen, 1)) >>> 0;
    // Both reserves may have grown memory: take the views only now.
    this.engine.u8().set(p.data.subarray(0, p.dataLen), this.dataPtr);
    this.view = this.engine.u32();
    this.firstWord = this.word = this.tablePtr >>> 2;
    this.epoch = epoch;
  }

  /** Appends command `i` of the current read, with engine command id `id`. */
  add(id: number, i: number): void {
    const p = this.parsed!;
    if (this.dataPtr === 0 || this.epoch !== epoch) this.prepare(p);
    if (this.count === 0) this.word = this.firstWord;
    const t = this.view ?? (this.view = this.engine.u32());
    const argc = p.argc[i];
    const first = p.first[i];
    const off = p.argOff;
    const len = p.argLen;
    let w = this.word;
    t[w] = id;
    t[w + 1] = argc;
    t[w + 2] = 0;
    t[w + 3] = 0;
    w += 4;
    for (let k = first, end = first + argc; k < end; k++) {
      t[w] = off[k];
      t[w + 1] = len[k];
      w += 2;
    }
    this.word = w;
    if (this.count === this.idx.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.idx);
      this.idx = grown;
    }
    this.idx[this.count++] = i;
  }

  /**
   * Runs the pending commands for a client in database `db` speaking `proto`. Afterwards the
   * replies are at engine memory [outPtr, outPtr + outLen), valid until the next engine call.
   * Returns outLen (0 when nothing was pending).
   */
  exec(db: number, proto: number): number {
    if (this.count === 0) {
      this.outLen = 0;
      return 0;
    }
    let n = this.count;
    this.count = 0;
    const x = this.engine.x;
    this.view = null; // exec may grow memory, detaching the view
    this.outLen = x.exec(this.firstWord << 2, n, this.dataPtr, db, proto, Date.now(), this.budget) >>> 0;
    this.outPtr = x.outputPtr() >>> 0;
    // Only a batch whose output reached the budget can have stopped early: ask then, not always.
    if (this.budget > 0 && this.outLen >= this.budget) {
      const ran = x.executedCount() >>> 0;
      if (ran < n) {
        this.stoppedAt = this.idx[ran];
        this.notRun = n - ran;
        n = ran;
      }
    }
    if (this.onDirty !== null) this.reportDirty(n, db);
    return this.outLen;
  }

  // ---- WATCH support (host/multi.ts) ----------------------------------------------------------
  /** Walks the records just executed and hands the ones flagged CMD_DIRTY to onDirty. */
  private reportDirty(n: number, db: number): void {
    const hook = this.onDirty!;
    const p = this.parsed!;
    const t = this.engine.u32();
    let w = this.firstWord;
    const dirty: [number, Uint8Array[]][] = [];
    for (let i = 0; i < n; i++) {
      const argc = t[w + 1];
      if (t[w + 3] & CMD_DIRTY) {
        const args: Uint8Array[] = new Array(argc);
        for (let k = 0; k < argc; k++) {
          const off = t[w + 4 + 2 * k];
          args[k] = p.data.subarray(off, off + t[w + 5 + 2 * k]);
        }
        dirty.push([t[w], args]);
      }
      w += 4 + 2 * argc;
    }
    // The hook may call the engine (and so move its memory): only after the walk.
    for (const [id, args] of dirty) hook(db, id, args);
  }

  /** The read whose commands the batch refers to (null between reads). */
  get read(): ParsedBatch | null {
    return this.parsed;
  }

  /** Flags word of the first command of the batch just executed (see assembly/blocking.ts). */
  firstFlags(): number {
    return this.engine.u32()[this.firstWord + 3];
  }

  /** Ends the read: drops the reference to the decoder's batch (it is reused by the next feed). */
  end(): void {
    this.parsed = null;
    this.count = 0;
    this.dataPtr = 0;
    this.stoppedAt = -1;
    this.notRun = 0;
  }
}

