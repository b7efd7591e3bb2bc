// Runs engine commands without a socket: for engine-level tests, the engine benchmark and the
// browser playground. No arity, auth or state checks — that is the server's job — only the
// command table lookup and one crossing per call, exactly as the server batches.
import type { Engine } from "./engine.js";
import { engineAreasTouched } from "./batch.js";
import { commandByName, type Command } from "./commands/table.js";

export type Arg = string | Uint8Array;

export interface DirectOptions {
  db?: number;
  proto?: 2 | 3;
  /** Wall-clock ms the engine sees (tests control time through this). */
  nowMs?: number;
}

/** The engine command a command line names (subcommands resolved), or an error. */
export function resolve(args: Arg[]): Command {
  const name = String(args[0]).toLowerCase();
  let cmd = commandByName(name);
  if (cmd?.subcommands && args.length > 1) cmd = commandByName(`${name}|${String(args[1]).toLowerCase()}`);
  if (!cmd || cmd.run !== "engine") throw new Error(`not an engine command: ${String(args[0])}`);
  return cmd;
}

/** An engine command with its arguments (args[0] is the command name). */
export interface EngineCall {
  id: number;
  args: Uint8Array[];
}

/**
 * Writes `calls` into the engine's table and data areas (the layout of ARCHITECTURE.md, "The
 * boundary") and executes them in one crossing. Returns the word index of the first record in
 * engine.u32() — each record is [id, argc, replyEnd, flags, off/len pairs…] — and the number of
 * output bytes at outputPtr(). Both are valid until the next call into the engine.
 */
export function execCalls(engine: Engine, calls: EngineCall[], db: number, proto: number, nowMs: number): { rec: number; outLen: number } {
  engineAreasTouched();
  let words = 0;
  let bytes = 0;
  for (const c of calls) {
    words += 4 + 2 * c.args.length;
    for (const a of c.args) bytes += a.length;
  }
  const x = engine.x;
  const table = x.reserveTable(words * 4) >>> 0;
  const data = x.reserveData(Math.max(bytes, 1)) >>> 0;
  const u8 = engine.u8();
  const u32 = engine.u32();
  let w = table >>> 2;
  let off = 0;
  for (const c of calls) {
    u32[w++] = c.id;
    u32[w++] = c.args.length;
    u32[w++] = 0;
    u32[w++] = 0;
    for (const a of c.args) {
      u8.set(a, data + off);
      u32[w++] = off;
      u32[w++] = a.length;
      off += a.length;
    }
  }
  const outLen = x.exec(table, calls.length, data, db, proto, nowMs) >>> 0;
  engineAreasTouched();
  return { rec: table >>> 2, outLen };
}

/** Executes the commands in one crossing; returns each command's raw RESP reply. */
export function execDirect(engine: Engine, commands: Arg[][], opts: DirectOptions = {}): Buffer[] {
  const calls = commands.map((c) => ({ id: resolve(c).id, args: c.map((a) => (typeof a === "string" ? Buffer.from(a) : a)) }));
  const { rec, outLen } = execCalls(engine, calls, opts.db ?? 0, opts.proto ?? 2, opts.nowMs ?? Date.now());
  const out = engine.copyOut(engine.x.outputPtr(), outLen);
  // Cut the output at each command's replyEnd (third word of its record).
  const replies: Buffer[] = [];
  const t = engine.u32();
  let r = rec;
  let start = 0;
  for (const c of calls) {
    const end = t[r + 2];
    replies.push(out.subarray(start, end));
    start = end;
    r += 4 + 2 * c.args.length;
  }
  return replies;
}

/**
 * Runs one engine command for a client outside any socket read (a parked blocking command being
 * retried): its reply bytes, and the flags word the engine left in its record.
 */
export function execOne(engine: Engine, id: number, args: Uint8Array[], db: number, proto: number): { reply: Buffer; flags: number } {
  const { rec, outLen } = execCalls(engine, [{ id, args }], db, proto, Date.now());
  const flags = engine.u32()[rec + 3];
  return { reply: engine.copyOut(engine.x.outputPtr(), outLen), flags };
}
