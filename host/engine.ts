// The one module that holds the WebAssembly instance and views over its memory.
// Views detach when the engine grows its memory (a write through a detached view silently does
// nothing), so every access goes through u8()/u32(), which re-create them when the buffer changed.
//
// The engine's whole state is its linear memory plus its mutable globals, which the build exports
// (scripts/export-globals.mjs). snapshot() copies both — Node cannot fork, and this is the fork:
// one memcpy on this thread — and Engine.restore() makes a second instance of the same module
// hold exactly that state, in a worker thread for instance, where the AOF rewrite reads it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface EngineExports {
  memory: WebAssembly.Memory;
  reserveTable(bytes: number): number;
  reserveData(bytes: number): number;
  /** budget: stop after the command whose replies reach this many bytes (0: never); see executedCount. */
  exec(table: number, ncmds: number, data: number, db: number, proto: number, nowMs: number, budget?: number): number;
  executedCount(): number;
  outputPtr(): number;
  outputLen(): number;
  usedMemory(): number;
  memAlloc(size: number): number;
  memFree(ptr: number): void;
  memRealloc(ptr: number, size: number): number;
  memUsable(ptr: number): number;
  // Server state the admin commands and the cron read or set (host/commands/info.ts, cron.ts).
  engineStat(which: number): number;
  dbKeys(db: number): number;
  dbVolatileKeys(db: number): number;
  dbAvgTtl(db: number): number;
  activeExpireCycle(nowMs: number, budget: number): number;
  rehashStep(steps: number): number;
  setMaxmemory(bytes: bigint, policy: number): void;
  // Eviction (assembly/evict.ts): 0 = under maxmemory, 1 = over it with nothing left to evict.
  performEvictions(): number;
  evictIfNeeded(): number;
  denyoomTable(n: number): number;
  // Allocator statistics (assembly/alloc.ts); byte totals are f64.
  memPeak(): number;
  memResetPeak(): void;
  memRssBytes(): number;
  memHeapBytes(): number;
  memActiveBytes(): number;
  memMetaBytes(): number;
  memFreePageBytes(): number;
  memClassStats(buf: number, cap: number): number;
  resetStats(): void;
  setProtoMaxBulkLen(bytes: number): void;
  setEngineConfig(id: number, value: number): void;
  setHostMemory(bytes: number): void;
  // Blocking commands (assembly/blocking.ts, host/blocking.ts).
  setBlockingActive(on: number): void;
  readyKeysPtr(): number;
  readyKeysLen(): number;
  readyKeysReset(): void;
  debugObject(db: number, key: number, keyLen: number, nowMs: number, proto: number): number;
  // Propagation of changes for the AOF (assembly/propagate.ts, host/aof/).
  setPropagation(on: number): void;
  propagatedPtr(): number;
  propagatedLen(): number;
  propagatedReset(): void;
  propagationForceSelect(): void;
  propagateMulti(begin: number): void;
  setLoading(on: number): void;
  // The AOF rewrite's walk over the dataset (assembly/aofrw.ts), run on a snapshot.
  rewriteBegin(): void;
  rewriteStep(budget: number): number;
  rewriteKeys(): number;
  [name: string]: unknown;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const here = dirname(fileURLToPath(import.meta.url));

/** Path of the compiled engine; `debug` selects the build with assertions. */
export function wasmPath(debug = false): string {
  // Lets a developer point tests at a private build while another build is being written.
  const override = debug ? process.env.WEDIS_DEBUG_WASM : process.env.WEDIS_WASM;
  if (override) return override;
  // host/engine.ts runs from dist/host/ when compiled and from host/ under vitest.
  const base = here.includes(`${join("dist", "host")}`) ? root : join(here, "..");
  return join(base, "build", debug ? "wedis.debug.wasm" : "wedis.wasm");
}

/** The engine's complete state at one moment (see snapshot()); structured-cloneable. */
export interface EngineSnapshot {
  module: WebAssembly.Module;
  memory: ArrayBuffer;
  /** Values of the exported mutable globals, in export order. */
  globals: (number | bigint)[];
}

/** Prefix of the exports scripts/export-globals.mjs adds for the mutable globals. */
const SNAP_PREFIX = "snap:";

export class Engine {
  readonly x: EngineExports;
  readonly module: WebAssembly.Module;
  private buffer: ArrayBuffer;
  private _u8: Uint8Array;
  private _u32: Uint32Array;

  constructor(instance: WebAssembly.Instance, module: WebAssembly.Module) {
    this.x = instance.exports as unknown as EngineExports;
    this.module = module;
    this.buffer = this.x.memory.buffer;
    this._u8 = new Uint8Array(this.buffer);
    this._u32 = new Uint32Array(this.buffer);
  }

  static load(options: { debug?: boolean; path?: string } = {}): Engine {
    const bytes = readFileSync(options.path ?? wasmPath(options.debug));
    return Engine.instantiate(new WebAssembly.Module(bytes));
  }

  /** A new instance of `module`, in its initial state. */
  static instantiate(module: WebAssembly.Module): Engine {
    let engine: Engine | undefined;
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort(msg: number, file: number, line: number, col: number) {
          const text = (p: number) => (engine ? engine.readAsString(p) : String(p));
          throw new Error(`engine abort: ${text(msg)} at ${text(file)}:${line}:${col}`);
        },
      },
    });
    engine = new Engine(instance, module);
    return engine;
  }

  /**
   * A copy of the whole engine state. The cost is one copy of linear memory on this thread; the
   * copy belongs to the caller (transfer it to a worker without copying again).
   */
  snapshot(): EngineSnapshot {
    const globals: (number | bigint)[] = [];
    for (const g of this.snapshotGlobals()) globals.push(g.value as number | bigint);
    return { module: this.module, memory: this.x.memory.buffer.slice(0), globals };
  }

  /** A new instance of the snapshot's module holding exactly the snapshot's state. */
  static restore(snap: EngineSnapshot): Engine {
    const engine = Engine.instantiate(snap.module);
    const mem = engine.x.memory;
    const missing = (snap.memory.byteLength - mem.buffer.byteLength) / 65536;
    if (missing > 0) mem.grow(missing);
    engine.u8().set(new Uint8Array(snap.memory));
    const globals = engine.snapshotGlobals();
    if (globals.length !== snap.globals.length) throw new Error("engine snapshot: globals do not match the module");
    globals.forEach((g, i) => (g.value = snap.globals[i]));
    return engine;
  }

  private snapshotGlobals(): WebAssembly.Global[] {
    const out: WebAssembly.Global[] = [];
    for (const [name, value] of Object.entries(this.x)) {
      if (name.startsWith(SNAP_PREFIX)) out.push(value as WebAssembly.Global);
    }
    if (out.length === 0) throw new Error("engine snapshot: this build does not export its globals");
    return out;
  }

  /** Byte view of linear memory, valid until the next call into the engine. */
  u8(): Uint8Array {
    if (this.x.memory.buffer !== this.buffer) this.refresh();
    return this._u8;
  }

  /** 32-bit view of linear memory, valid until the next call into the engine. */
  u32(): Uint32Array {
    if (this.x.memory.buffer !== this.buffer) this.refresh();
    return this._u32;
  }

  /** A copy of `len` bytes at `ptr`. */
  copyOut(ptr: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    out.set(this.u8().subarray(ptr >>> 0, (ptr >>> 0) + len));
    return out;
  }

  /** DEBUG OBJECT's reply for one key (RESP bytes, the engine's own wording). */
  debugObject(db: number, key: Uint8Array, proto: number): Buffer {
    const ptr = this.x.reserveData(Math.max(1, key.length)) >>> 0;
    this.u8().set(key, ptr);
    const n = this.x.debugObject(db, ptr, key.length, Date.now(), proto);
    return this.copyOut(this.x.outputPtr(), n);
  }

  private refresh(): void {
    this.buffer = this.x.memory.buffer;
    this._u8 = new Uint8Array(this.buffer);
    this._u32 = new Uint32Array(this.buffer);
  }

  /** Reads an AssemblyScript string object (used only for abort messages). */
  private readAsString(ptr: number): string {
    if (!ptr) return "";
    const u8 = this.u8();
    const len = new Uint32Array(u8.buffer, (ptr - 4) & ~3, 1)[0] >>> 1;
    const chars = new Uint16Array(u8.buffer, ptr, len);
    return String.fromCharCode(...chars);
  }
}
