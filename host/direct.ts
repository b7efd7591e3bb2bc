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

/** Executes the commands in one crossing; returns each command's raw RESP reply. */
export function execDirect(engine: Engine, commands: Arg[][], opts: DirectOptions = {}): Buffer[] {
  engineAreasTouched();
  const bufs = commands.map((c) => c.map((a) => (typeof a === "string" ? Buffer.from(a) : a)));
  let words = 0;
  let bytes = 0;
  for (const c of bufs) {
    words += 4 + 2 * c.length;
    for (const a of c) bytes += a.length;
  }
  const x = engine.x;
  const table = x.reserveTable(words * 4) >>> 0;
  const data = x.reserveData(Math.max(bytes, 1)) >>> 0;
  const u8 = engine.u8();
  const u32 = engine.u32();
  let w = table >>> 2;
  let off = 0;
  for (let i = 0; i < bufs.length; i++) {
    const c = bufs[i];
    u32[w++] = resolve(commands[i]).id;
    u32[w++] = c.length;
    u32[w++] = 0;
    u32[w++] = 0;
    for (const a of c) {
      u8.set(a, data + off);
      u32[w++] = off;
      u32[w++] = a.length;
      off += a.length;
    }
  }
  x.exec(table, bufs.length, data, opts.db ?? 0, opts.proto ?? 2, opts.nowMs ?? Date.now());
  const out = engine.copyOut(x.outputPtr(), x.outputLen());
  // Cut the output at each command's replyEnd (third word of its record).
  const replies: Buffer[] = [];
  const t = engine.u32();
  let rec = table >>> 2;
  let start = 0;
  for (const c of bufs) {
    const end = t[rec + 2];
    replies.push(out.subarray(start, end));
    start = end;
    rec += 4 + 2 * c.length;
  }
  return replies;
}

/**
 * Runs one engine command for a client outside any socket read (a parked blocking command being
 * retried): its reply bytes, and the flags word the engine left in its record.
 */
export function execOne(engine: Engine, id: number, args: Uint8Array[], db: number, proto: number): { reply: Buffer; flags: number } {
  engineAreasTouched();
  let bytes = 0;
  for (const a of args) bytes += a.length;
  const x = engine.x;
  const table = x.reserveTable((4 + 2 * args.length) * 4) >>> 0;
  const data = x.reserveData(Math.max(bytes, 1)) >>> 0;
  const u8 = engine.u8();
  const u32 = engine.u32();
  let w = table >>> 2;
  u32[w++] = id;
  u32[w++] = args.length;
  u32[w++] = 0;
  u32[w++] = 0;
  let off = 0;
  for (const a of args) {
    u8.set(a, data + off);
    u32[w++] = off;
    u32[w++] = a.length;
    off += a.length;
  }
  const n = x.exec(table, 1, data, db, proto, Date.now()) >>> 0;
  const flags = engine.u32()[(table >>> 2) + 3];
  return { reply: engine.copyOut(x.outputPtr(), n), flags };
}
