// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// Queueing. MULTI sets CLIENT_MULTI and CLIENT_FILTERED on the client, so the server core hands
// each of its commands to our CommandFilter once the usual checks (unknown command, arity, auth)
// passed. The filter answers +QUEUED and keeps the command (its arguments are already copies the
// decoder cannot overwrite) — except EXEC, DISCARD, MULTI, WATCH, QUIT and RESET, which run at
// once, and commands flagged no-multi, which are refused. A refused command, whether refused by
// the core (filter.rejected) or by us, dooms the transaction: EXEC then answers EXECABORT. An
// EXEC that is itself refused (wrong arity) aborts on the spot, as Redis does.
//
// Running. EXEC writes `*N` and then each reply. Consecutive engine commands of the queue run in
// one engine crossing (a transaction of engine commands is one crossing, whatever its length);
// host commands run between them through their handlers. A blocking command must not block
// inside a transaction: the engine flags it (CMD_BLOCKED) and writes nothing, and we write what
// Redis writes on a timeout in its place.
//
// WATCH. Redis marks a watching client "dirty" whenever a watched key is modified. Here:
// - Every engine command that changed the dataset is reported to us (the engine's CMD_DIRTY bit,
//   via EngineBatch.onDirty, server.runAlone and our own EXEC), and its written keys — the key
//   specs' positions minus read-only ones — are touched. MOVE and COPY … DB also touch the key in
//   the other database; FLUSHDB/FLUSHALL touch the watched keys that were live, SWAPDB those live
//   on either side. The hook is installed only while someone watches, so the common path pays
//   nothing.
// - Time is the one change no command reports. So WATCH records whether each key was live (the
//   engine answers without a lookup's side effects, assembly/watch.ts); at EXEC a key that was
//   live and no longer is has expired (or was evicted) — a modification. A key already past its
//   TTL at WATCH counts as absent, and its deletion by expiry is no change, as in Redis 7.0.
// Multi-key writes touch all their written keys even when only some changed (DEL of one existing
// and one missing key): a spurious failure of the kind Redis's docs allow, never a missed one.
import type { WedisServer, CommandFilter } from "./server.js";
import { CLIENT_FILTERED, CLIENT_MULTI, type Client } from "./client.js";
import { engineAreasTouched, CMD_DIRTY } from "./batch.js";
import { execCalls } from "./direct.js";
import { CMD_BLOCKED } from "./blocking.js";
import type { ReplyWriter } from "./resp/encoder.js";
import {
  FLAG_DENYOOM,
  FLAG_NO_MULTI,
  arityError,
  commandByName,
  defaultTable,
  getKeysAndFlags,
  unknownCommandError,
  type Command,
} from "./commands/table.js";
import { findHandler, registerHandler, type CommandContext } from "./commands/handlers.js";

/** Engine key states (assembly/watch.ts). */
const KEY_LIVE = 1;

interface Queued {
  cmd: Command;
  args: Buffer[];
}

interface Watched {
  db: number;
  key: Buffer;
  /** The key was live (present, not past its TTL) when WATCHed. */
  live: boolean;
}

/** Per-client transaction state; exists only for clients that used MULTI or WATCH. */
class TxState {
  readonly client: Client;
  /** Commands queued since MULTI; null when not in MULTI. */
  queue: Queued[] | null = null;
  /** A command was refused while queuing: EXEC answers EXECABORT. */
  abort = false;
  /** Redis's multi-mem: argument bytes plus a pointer per argument. */
  mem = 0;
  /** Watched keys by "db:key". */
  readonly watched = new Map<string, Watched>();
  /** A watched key was modified: EXEC answers a null array. */
  dirty = false;

  constructor(client: Client) {
    this.client = client;
  }
}

/** Clients watching one key. */
interface WatchEntry {
  db: number;
  key: Buffer;
  states: Set<TxState>;
}

const states = new WeakMap<Client, TxState>();
const installed = new WeakMap<WedisServer, Transactions>();

const keyId = (db: number, key: Uint8Array) => `${db}:${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1")}`;

const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
/** Redis's reply to a command refused for memory (the same text as server.ts's OOM_ERROR). */
const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/** Strict decimal integer (as Redis's string2ll), or NaN. */
function intArg(b: Uint8Array): number {
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
  return /^(0|-?[1-9][0-9]{0,18})$/.test(s) ? Number(s) : NaN;
}

function lowerEq(b: Uint8Array, word: string): boolean {
  return b.length === word.length && Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1").toLowerCase() === word;
}

export class Transactions implements CommandFilter {
  private readonly server: WedisServer;
  /** The filter that was installed before ours; gets everything of clients not in MULTI. */
  private readonly next: CommandFilter | null;
  /** Every watched key, by "db:key". */
  private readonly watchers = new Map<string, WatchEntry>();
  /** Commands that run at once even inside MULTI. */
  private readonly immediate: Set<Command>;
  private readonly execArity: string;
  private readonly execCmd: Command;
  private readonly discardCmd: Command;
  private readonly quitCmd: Command;
  private readonly resetCmd: Command;

  constructor(server: WedisServer) {
    this.server = server;
    this.next = server.filter;
    server.filter = this;
    const byName = (n: string) => commandByName(n)!;
    this.execCmd = byName("exec");
    this.discardCmd = byName("discard");
    this.quitCmd = byName("quit");
    this.resetCmd = byName("reset");
    this.immediate = new Set([this.execCmd, this.discardCmd, byName("multi"), byName("watch"), this.quitCmd, this.resetCmd]);
    this.execArity = arityError(this.execCmd);
    server.resetHooks.push((c) => this.forget(c));
    server.closeHooks.push((c) => this.forget(c));
  }

  // ---- CommandFilter ---------------------------------------------------------------------------
  command(ctx: CommandContext): boolean {
    const st = states.get(ctx.client);
    if (st === undefined || st.queue === null) return this.next !== null && this.next.command(ctx);
    const { cmd, args, client: c, w } = ctx;
    if (cmd.flags & FLAG_NO_MULTI) return this.refuse(st, w, "ERR Command not allowed inside a transaction");
    // Over maxmemory, a transaction may not grow (queuing would use memory without bound); only
    // the commands that end it go through. EXEC is refused only if it holds a denyoom command.
    if (cmd !== this.discardCmd && cmd !== this.quitCmd && cmd !== this.resetCmd && this.outOfMemory()) {
      if (cmd !== this.execCmd) return this.refuse(st, w, OOM_ERROR);
      if (st.queue.some((q) => (q.cmd.flags & FLAG_DENYOOM) !== 0)) {
        this.server.stats.rejectedCalls++;
        w.error(`EXECABORT Transaction discarded because of: ${OOM_ERROR}`);
        this.discard(st);
        return true;
      }
    }
    if (this.immediate.has(cmd)) return false;
    st.queue.push({ cmd, args });
    for (const a of args) st.mem += a.length + 8;
    c.lastCmd = cmd;
    w.simple("QUEUED");
    return true;
  }

  /** A command refused while queuing: it dooms the transaction. */
  private refuse(st: TxState, w: ReplyWriter, error: string): true {
    this.server.stats.rejectedCalls++;
    w.error(error);
    st.abort = true;
    return true;
  }

  /** Over maxmemory with nothing left to evict (the engine evicts as it answers). */
  private outOfMemory(): boolean {
    const evict = this.server.engine.x.evictIfNeeded;
    return typeof evict === "function" && (evict as () => number)() !== 0;
  }

  rejected(c: Client, error: string): void {
    const st = states.get(c);
    if (st === undefined || st.queue === null) {
      if (this.next !== null) this.next.rejected(c, error);
      return;
    }
    if (error === this.execArity) {
      // A refused EXEC ends the transaction there and then, saying why (in place of the error
      // the core just wrote, the last thing in the writer).
      c.reply.truncate(c.reply.length - (Buffer.byteLength(error) + 3));
      c.reply.error(`EXECABORT Transaction discarded because of: ${error.replace(/^ERR /, "")}`);
      this.discard(st);
      return;
    }
    st.abort = true;
  }

  // ---- commands --------------------------------------------------------------------------------
  multi(ctx: CommandContext): void {
    const st = this.state(ctx.client);
    if (st.queue !== null) return ctx.w.error("ERR MULTI calls can not be nested");
    st.queue = [];
    st.abort = false;
    st.mem = 0;
    ctx.client.flags |= CLIENT_MULTI | CLIENT_FILTERED;
    ctx.w.ok();
  }

  discardCommand(ctx: CommandContext): void {
    const st = states.get(ctx.client);
    if (st === undefined || st.queue === null) return ctx.w.error("ERR DISCARD without MULTI");
    this.discard(st);
    ctx.w.ok();
  }

  watch(ctx: CommandContext): void {
    const { client: c, args, w } = ctx;
    const st = this.state(c);
    if (st.queue !== null) return w.error("ERR WATCH inside MULTI is not allowed");
    // Once dirty, EXEC fails whatever happens next: nothing more to track.
    if (!st.dirty) {
      for (let i = 1; i < args.length; i++) this.watchKey(st, c.db, args[i]);
    }
    w.ok();
  }

  unwatch(ctx: CommandContext): void {
    const st = states.get(ctx.client);
    if (st !== undefined) {
      this.unwatchAll(st);
      st.dirty = false;
    }
    ctx.w.ok();
  }

  exec(ctx: CommandContext): void {
    const { client: c, w } = ctx;
    const st = states.get(c);
    if (st === undefined || st.queue === null) return w.error("ERR EXEC without MULTI");
    if (st.abort) {
      w.error(EXECABORT);
      this.discard(st);
      return;
    }
    if (!st.dirty) this.checkExpired(st);
    if (st.dirty) {
      w.nullArray();
      this.discard(st);
      return;
    }
    // Our own writes must not fail us: stop watching before running anything.
    this.unwatchAll(st);
    const queue = st.queue;
    const server = this.server;
    server.stats.totalCommands += queue.length;
    c.commandsProcessed += queue.length;
    w.array(queue.length);
    // The transaction is one unit in the AOF: the engine wraps what it propagates meanwhile in
    // MULTI … EXEC (assembly/propagate.ts).
    const x = server.engine.x;
    x.propagateMulti(1);
    try {
      this.runQueue(ctx, queue);
    } finally {
      x.propagateMulti(0);
    }
    this.discard(st);
  }

  /** EXEC's body: the queued commands, engine runs in one crossing each, host ones in between. */
  private runQueue(ctx: CommandContext, queue: Queued[]): void {
    const { client: c, w, server } = ctx;
    // CLIENT_MULTI stays set while the commands run (CLIENT LIST inside EXEC shows flag x).
    for (let i = 0; i < queue.length && !c.closing; ) {
      if (queue[i].cmd.run === "engine") {
        let j = i + 1;
        while (j < queue.length && queue[j].cmd.run === "engine") j++;
        this.runEngine(c, queue, i, j);
        i = j;
      } else {
        const q = queue[i++];
        const handler = findHandler(q.cmd);
        if (handler === undefined) w.error(unknownCommandError(q.args));
        else handler({ server, client: c, cmd: q.cmd, args: q.args, w });
      }
    }
  }

  /** Runs queue[from, to) — engine commands all — in one crossing, appending their replies. */
  private runEngine(c: Client, queue: Queued[], from: number, to: number): void {
    const engine = this.server.engine;
    const calls = queue.slice(from, to).map((q) => ({ id: q.cmd.id, args: q.args }));
    const { rec: table, outLen: n } = execCalls(engine, calls, c.db, c.proto, Date.now());
    const out = engine.x.outputPtr() >>> 0;
    const mem = engine.u8();
    const t = engine.u32();
    const reply = c.reply;
    const dirty: Queued[] = [];
    let blocked = false;
    let rec = table;
    for (let i = from; i < to; i++) {
      const flags = t[rec + 3];
      if (flags & CMD_BLOCKED) blocked = true;
      if (flags & CMD_DIRTY) dirty.push(queue[i]);
      rec += 4 + 2 * queue[i].args.length;
    }
    if (!blocked) {
      reply.raw(mem.subarray(out, out + n));
    } else {
      // A command that would have blocked wrote nothing: put its timeout reply in its place.
      let start = 0;
      rec = table;
      for (let i = from; i < to; i++) {
        const end = t[rec + 2];
        if (t[rec + 3] & CMD_BLOCKED) timeoutReply(c, queue[i].cmd);
        else reply.raw(mem.subarray(out + start, out + end));
        start = end;
        rec += 4 + 2 * queue[i].args.length;
      }
    }
    if (this.watchers.size > 0) for (const q of dirty) this.touchCommand(c.db, q.cmd, q.args);
  }

  // ---- state ------------------------------------------------------------------------------------
  private state(c: Client): TxState {
    let st = states.get(c);
    if (st === undefined) states.set(c, (st = new TxState(c)));
    return st;
  }

  /** Ends MULTI (if any) and forgets the watched keys: what EXEC, DISCARD and RESET leave behind. */
  private discard(st: TxState): void {
    st.queue = null;
    st.abort = false;
    st.mem = 0;
    st.client.flags &= ~CLIENT_MULTI;
    if (this.next === null) st.client.flags &= ~CLIENT_FILTERED;
    this.unwatchAll(st);
    st.dirty = false;
  }

  /** RESET or disconnect. */
  private forget(c: Client): void {
    const st = states.get(c);
    if (st === undefined) return;
    this.discard(st);
    states.delete(c);
  }

  // ---- watching ---------------------------------------------------------------------------------
  private watchKey(st: TxState, db: number, key: Buffer): void {
    const id = keyId(db, key);
    if (st.watched.has(id)) return;
    st.watched.set(id, { db, key, live: this.keyState(db, key) === KEY_LIVE });
    let e = this.watchers.get(id);
    if (e === undefined) {
      this.watchers.set(id, (e = { db, key, states: new Set() }));
      if (this.watchers.size === 1) this.setHook(true);
    }
    e.states.add(st);
  }

  private unwatchAll(st: TxState): void {
    if (st.watched.size === 0) return;
    for (const id of st.watched.keys()) {
      const e = this.watchers.get(id);
      if (e === undefined) continue;
      e.states.delete(st);
      if (e.states.size === 0) this.watchers.delete(id);
    }
    st.watched.clear();
    if (this.watchers.size === 0) this.setHook(false);
  }

  private setHook(on: boolean): void {
    this.server.dirtyHook = on ? (db, id, args) => this.touchCommand(db, defaultTable.byId[id]!, args) : null;
  }

  private markDirty(st: TxState): void {
    st.dirty = true;
    this.unwatchAll(st);
  }

  /** A write to `key` in `db`: every client watching it fails its next EXEC. */
  private touch(db: number, key: Uint8Array): void {
    const e = this.watchers.get(keyId(db, key));
    if (e === undefined) return;
    for (const st of [...e.states]) this.markDirty(st);
  }

  /** An engine command that changed the dataset, run in `db`. */
  touchCommand(db: number, cmd: Command, args: Uint8Array[]): void {
    switch (cmd.name) {
      case "flushdb":
        return this.touchFlushed((d) => d === db);
      case "flushall":
        return this.touchFlushed(() => true);
      case "swapdb": {
        const a = intArg(args[1]);
        const b = intArg(args[2]);
        if (a !== b) this.touchSwapped(a, b);
        return;
      }
      case "move":
        this.touch(db, args[1]);
        this.touch(intArg(args[2]), args[1]);
        return;
      case "copy": {
        this.touch(this.copyTargetDb(db, args), args[2]);
        return;
      }
    }
    for (const k of getKeysAndFlags(cmd, args)) {
      if (!k.flags.includes("RO")) this.touch(db, args[k.pos]);
    }
  }

  private copyTargetDb(db: number, args: Uint8Array[]): number {
    for (let i = 3; i + 1 < args.length; i++) if (lowerEq(args[i], "db")) return intArg(args[i + 1]);
    return db;
  }

  /** Databases emptied: watchers of keys that existed there (live when watched) are dirty. */
  private touchFlushed(emptied: (db: number) => boolean): void {
    const hit: TxState[] = [];
    for (const [id, e] of this.watchers) {
      if (!emptied(e.db)) continue;
      for (const st of e.states) if (st.watched.get(id)?.live) hit.push(st);
    }
    for (const st of hit) this.markDirty(st);
  }

  /** Databases a and b exchanged: a key changed if it was live on either side. */
  private touchSwapped(a: number, b: number): void {
    const hit: TxState[] = [];
    for (const [id, e] of this.watchers) {
      if (e.db !== a && e.db !== b) continue;
      // What the key's database holds now came from the other side.
      const liveNow = this.keyState(e.db, e.key) === KEY_LIVE;
      for (const st of e.states) if (liveNow || st.watched.get(id)?.live) hit.push(st);
    }
    for (const st of hit) this.markDirty(st);
  }

  /** At EXEC: a watched key that was live and is not any more has expired (or was evicted). */
  private checkExpired(st: TxState): void {
    for (const w of st.watched.values()) {
      if (w.live && this.keyState(w.db, w.key) !== KEY_LIVE) {
        this.markDirty(st);
        return;
      }
    }
  }

  /** The engine's view of a key, without a lookup's side effects (assembly/watch.ts). */
  private keyState(db: number, key: Uint8Array): number {
    const engine = this.server.engine;
    const x = engine.x;
    const ptr = x.reserveData(Math.max(key.length, 1)) >>> 0;
    engine.u8().set(key, ptr);
    const state = (x.watchKeyState as (db: number, key: number, len: number, nowMs: number) => number)(db, ptr, key.length, Date.now());
    engineAreasTouched();
    return state;
  }

  // ---- introspection ------------------------------------------------------------------------------
  /** Number of distinct watched keys (all clients). */
  get watchedKeys(): number {
    return this.watchers.size;
  }
}

/** What a blocking command answers when it times out (and inside MULTI, where it cannot block). */
function timeoutReply(c: Client, cmd: Command): void {
  // BLMOVE and BRPOPLPUSH answer like their non-blocking forms, with a null bulk string.
  if (cmd.name === "blmove" || cmd.name === "brpoplpush") c.reply.nullBulk();
  else c.reply.nullArray();
}

/** MULTI state for CLIENT LIST / CLIENT INFO: `multi=` (-1 outside MULTI), `multi-mem=`, flag d. */
export function transactionInfo(c: Client): { multi: number; multiMem: number; dirtyCas: boolean } {
  const st = states.get(c);
  if (st === undefined) return { multi: -1, multiMem: 0, dirtyCas: false };
  return { multi: st.queue === null ? -1 : st.queue.length, multiMem: st.mem, dirtyCas: st.dirty };
}

/** The transaction machinery of `server`: its handlers, filter and hooks (installed on first call). */
export function installMulti(server: WedisServer): Transactions {
  let t = installed.get(server);
  if (t !== undefined) return t;
  // Registered here rather than at import: handlers.ts may still be loading then (import cycle).
  registerHandler("multi", (ctx) => tx(ctx).multi(ctx));
  registerHandler("exec", (ctx) => tx(ctx).exec(ctx));
  registerHandler("discard", (ctx) => tx(ctx).discardCommand(ctx));
  registerHandler("watch", (ctx) => tx(ctx).watch(ctx));
  registerHandler("unwatch", (ctx) => tx(ctx).unwatch(ctx));
  t = new Transactions(server);
  installed.set(server, t);
  return t;
}

const tx = (ctx: CommandContext) => installMulti(ctx.server);
