// Server-level commands with no data behind them: TIME, SHUTDOWN, and the FUNCTION / SCRIPT
// families. Also installAdmin(), which attaches this group's background parts (cron, config
// hooks, INFO's startup baseline) to a server.
//
// Wedis has no Lua engine. FUNCTION and SCRIPT therefore answer the way Redis answers when no
// script or library is loaded (FUNCTION LIST is empty, SCRIPT EXISTS is all zeros, the flushes
// succeed), and anything that would need an engine fails with Redis's own error for a missing
// engine (FUNCTION LOAD: "Engine 'lua' not found") or, where Redis has none, a plain statement.
// Argument checking and its error strings follow Redis 7.0 so clients see the same errors.
//
// SHUTDOWN has no RDB to write either: SAVE (explicit) fails unless FORCE is given, and the
// implicit save of a server with save points configured is skipped with a log line. The AOF, when
// on, is always written and synced before the clients are closed (server.close()).
import type { WedisServer } from "../server.js";
import type { CommandContext, HostHandler } from "./handlers.js";
import { installCron } from "../cron.js";
import { installConfigHooks } from "./config.js";
import { initInfo } from "./info.js";

/** Attaches cron, config hooks and the INFO baseline to `server` (idempotent; call once built). */
export function installAdmin(server: WedisServer): void {
  initInfo(server);
  installConfigHooks(server);
  installCron(server);
}

// ---- TIME -----------------------------------------------------------------------------------------

/** TIME: [unix seconds, microseconds] as bulk strings. */
export function timeCommand(ctx: CommandContext): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const s = Math.floor(us / 1e6);
  ctx.w.array(2);
  ctx.w.bulk(String(s));
  ctx.w.bulk(String(us - s * 1e6));
}

// ---- SHUTDOWN -------------------------------------------------------------------------------------

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] */
export function shutdownCommand(ctx: CommandContext): void {
  const { server, args, w } = ctx;
  let nosave = false, save = false, now = false, force = false, abort = false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i].toString().toLowerCase();
    if (a === "nosave") nosave = true;
    else if (a === "save") save = true;
    else if (a === "now") now = true;
    else if (a === "force") force = true;
    else if (a === "abort") abort = true;
    else return w.error("ERR syntax error");
  }
  if ((abort && args.length !== 2) || (nosave && save)) return w.error("ERR syntax error");
  // Shutdown here is immediate, so there is never one in progress to abort.
  if (abort) return w.error("ERR No shutdown in progress.");
  if (save && !force) {
    server.log.warning("Error trying to save the DB: this server has no persistence.");
    return w.error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  if (!nosave && server.config.get("save") !== "") server.log.notice("No persistence: skipping the final save.");
  void now; // NOW skips waiting for replicas; there are none.
  server.log.warning("User requested shutdown...");
  // No reply: the client sees the connection close, as with Redis.
  server.shutdown();
}

// ---- FUNCTION -------------------------------------------------------------------------------------

/** FUNCTION DUMP with no libraries: RDB version 10 as two bytes, then the CRC64 of those. */
const EMPTY_FUNCTION_DUMP = Buffer.from([0x0a, 0x00, 0x5d, 0x9b, 0x5c, 0x40, 0x0f, 0x7f, 0xa2, 0xda]);

const NOTBUSY = "NOTBUSY No scripts in execution right now.";

function flushMode(args: Buffer[]): boolean {
  if (args.length === 2) return true;
  const m = args[2].toString().toLowerCase();
  return m === "sync" || m === "async";
}

export function functionFlushCommand(ctx: CommandContext): void {
  const { args, w } = ctx;
  if (args.length > 3) return w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try FUNCTION HELP.`);
  if (!flushMode(args)) return w.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  w.ok();
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: no libraries, once the arguments check out. */
export function functionListCommand(ctx: CommandContext): void {
  const { args, w } = ctx;
  let withCode = false;
  let pattern = false;
  for (let i = 2; i < args.length; i++) {
    const a = args[i].toString();
    const l = a.toLowerCase();
    if (l === "withcode" && !withCode) withCode = true;
    else if (l === "libraryname" && !pattern) {
      if (i + 1 >= args.length) return w.error("ERR library name argument was not given");
      pattern = true;
      i++;
    } else return w.error(`ERR Unknown argument ${a}`);
  }
  w.array(0);
}

const LIBRARY_NAME = /^[A-Za-z0-9_]+$/;

/** FUNCTION LOAD [REPLACE] code: the metadata is checked as Redis checks it; no engine runs it. */
export function functionLoadCommand(ctx: CommandContext): void {
  const { args, w } = ctx;
  for (let i = 2; i < args.length - 1; i++) {
    if (args[i].toString().toLowerCase() !== "replace") return w.error(`ERR Unknown option given: ${args[i].toString()}`);
  }
  const code = args[args.length - 1].toString();
  if (!code.startsWith("#!")) return w.error("ERR Missing library metadata");
  const nl = code.indexOf("\n");
  if (nl < 0) return w.error("ERR Invalid library metadata");
  const shebang = code.slice(2, nl);
  const sp = shebang.indexOf(" ");
  const engine = sp < 0 ? shebang : shebang.slice(0, sp);
  const parts = sp < 0 ? [] : shebang.slice(sp + 1).split(" ").filter((p) => p !== "");
  let name: string | null = null;
  for (const p of parts) {
    if (!p.startsWith("name=")) return w.error(`ERR Invalid metadata value given: ${p}`);
    if (name !== null) return w.error("ERR Invalid metadata value, name argument was given multiple times");
    name = p.slice(5);
  }
  if (name === null) return w.error("ERR Library name was not given");
  if (!LIBRARY_NAME.test(name)) {
    return w.error("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
  }
  w.error(`ERR Engine '${engine}' not found`);
}

export function functionDeleteCommand(ctx: CommandContext): void {
  ctx.w.error("ERR Library not found");
}

export function functionDumpCommand(ctx: CommandContext): void {
  ctx.w.bulk(EMPTY_FUNCTION_DUMP);
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: only an empty dump can be restored here. */
export function functionRestoreCommand(ctx: CommandContext): void {
  const { args, w } = ctx;
  if (args.length > 4) return w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString()}'. Try FUNCTION HELP.`);
  if (args.length === 4) {
    const p = args[3].toString().toLowerCase();
    if (p !== "flush" && p !== "append" && p !== "replace") {
      return w.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  if (!args[2].equals(EMPTY_FUNCTION_DUMP)) return w.error("ERR DUMP payload version or checksum are wrong");
  w.ok();
}

export function functionKillCommand(ctx: CommandContext): void {
  ctx.w.error(NOTBUSY);
}

/** FUNCTION STATS: nothing running, and no engines to report on. */
export function functionStatsCommand(ctx: CommandContext): void {
  const w = ctx.w;
  w.map(2);
  w.bulk("running_script");
  w.nullBulk();
  w.bulk("engines");
  w.map(0);
}

// FUNCTION and SCRIPT HELP keep Redis's usage lines; the descriptions are ours and say what
// each subcommand does on a server without a scripting engine.
const FUNCTION_HELP = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Check the library's #! header; Wedis has no engine to run it, so it is refused.",
  "DELETE <LIBRARY NAME>",
  "    Remove a library. None can be loaded here, so this always reports it missing.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Describe the loaded libraries (optionally those whose name matches PATTERN, with",
  "    their source under WITHCODE). Always an empty list here.",
  "STATS",
  "    Report the function running now (always null here) and the engines (none).",
  "KILL",
  "    Stop a running function. Nothing ever runs here, so this replies NOTBUSY.",
  "FLUSH [ASYNC|SYNC]",
  "    Remove every library. The mode is accepted; there is nothing to remove.",
  "DUMP",
  "    A serialized snapshot of the libraries for FUNCTION RESTORE (here: an empty one).",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Load libraries from a FUNCTION DUMP payload; only an empty payload succeeds here.",
  "    The policy says what to do with existing ones: FLUSH drops them, APPEND (default)",
  "    fails on a name clash, REPLACE lets the payload win.",
  "HELP",
  "    List these subcommands.",
];

export function functionHelpCommand(ctx: CommandContext): void {
  ctx.w.array(FUNCTION_HELP.length);
  for (const line of FUNCTION_HELP) ctx.w.simple(line);
}

// ---- SCRIPT ---------------------------------------------------------------------------------------

const NO_LUA = "ERR scripting is not supported: this server has no Lua engine";

export function scriptFlushCommand(ctx: CommandContext): void {
  const { args, w } = ctx;
  if (args.length > 3 || !flushMode(args)) return w.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  w.ok();
}

/** SCRIPT EXISTS sha1 [sha1 ...]: the cache is always empty. */
export function scriptExistsCommand(ctx: CommandContext): void {
  const n = ctx.args.length - 2;
  ctx.w.array(n);
  for (let i = 0; i < n; i++) ctx.w.integer(0);
}

export function scriptKillCommand(ctx: CommandContext): void {
  ctx.w.error(NOTBUSY);
}

export function scriptLoadCommand(ctx: CommandContext): void {
  ctx.w.error(NO_LUA);
}

/** SCRIPT DEBUG YES|SYNC|NO: NO is the state we are always in. */
export function scriptDebugCommand(ctx: CommandContext): void {
  const m = ctx.args[2].toString().toLowerCase();
  if (m === "no") return ctx.w.ok();
  if (m === "yes" || m === "sync") return ctx.w.error(NO_LUA);
  ctx.w.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

const SCRIPT_HELP = [
  "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DEBUG (YES|SYNC|NO)",
  "    Choose the debugger mode for later scripts; only NO works, as there is no Lua here.",
  "EXISTS <sha1> [<sha1> ...]",
  "    For each digest, 1 if that script is cached, else 0 (always 0 here: the cache is empty).",
  "FLUSH [ASYNC|SYNC]",
  "    Empty the script cache. The mode is accepted; there is nothing to empty.",
  "KILL",
  "    Stop a running script. Nothing ever runs here, so this replies NOTBUSY.",
  "LOAD <script>",
  "    Cache a script by its digest without running it; refused, as there is no Lua engine.",
  "HELP",
  "    List these subcommands.",
];

export function scriptHelpCommand(ctx: CommandContext): void {
  ctx.w.array(SCRIPT_HELP.length);
  for (const line of SCRIPT_HELP) ctx.w.simple(line);
}

/** This file's entries for the handler registry (a function: callable while import cycles resolve) (host/commands/handlers.ts). */
/** LASTSAVE: nothing has been saved to disk (no persistence yet), so, as Redis does before its first save, the start time. */
export function lastsaveCommand(ctx: CommandContext): void {
  ctx.w.integer(Math.floor(ctx.server.startMs / 1000));
}

/** BGREWRITEAOF: a new base for the AOF, written from a snapshot in a worker (host/aof/rewrite.ts). */
export function bgrewriteaofCommand(ctx: CommandContext): void {
  const r = ctx.server.aof.rewrite.command();
  if ("ok" in r) ctx.w.simple(r.ok);
  else ctx.w.error(r.error);
}

export function serverHandlers(): [string, HostHandler][] {
  return [
  ["time", timeCommand],
  ["bgrewriteaof", bgrewriteaofCommand],
  ["lastsave", lastsaveCommand],
  ["shutdown", shutdownCommand],
  ["function|flush", functionFlushCommand],
  ["function|list", functionListCommand],
  ["function|load", functionLoadCommand],
  ["function|delete", functionDeleteCommand],
  ["function|dump", functionDumpCommand],
  ["function|restore", functionRestoreCommand],
  ["function|kill", functionKillCommand],
  ["function|stats", functionStatsCommand],
  ["function|help", functionHelpCommand],
  ["script|flush", scriptFlushCommand],
  ["script|exists", scriptExistsCommand],
  ["script|kill", scriptKillCommand],
  ["script|load", scriptLoadCommand],
  ["script|debug", scriptDebugCommand],
  ["script|help", scriptHelpCommand],
];
}
