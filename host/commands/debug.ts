// DEBUG SLEEP | SET-ACTIVE-EXPIRE | LOG | HELP: the subcommands test suites lean on.
//
// DEBUG is a single command whose first argument is parsed here (it has no subcommand table),
// so a wrong name and a wrong argument count get Redis's one combined error. Redis 7 refuses the
// whole command unless `enable-debug-command` is yes (or local, for loopback connections).
//
// DEBUG SLEEP blocks the whole server the way Redis's does (tests use it to make a server look
// busy): Atomics.wait on a private SharedArrayBuffer parks the event loop's thread for the
// given time without spinning.
import type { CommandContext, HostHandler } from "./handlers.js";
import { cronState } from "../cron.js";
import { engineAreasTouched } from "../batch.js";

const NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

function isLocal(addr: string): boolean {
  return addr.startsWith("127.") || addr.startsWith("::1:") || addr.startsWith("[::1]") || addr.startsWith("/");
}

/** C's strtod on the argument as DEBUG SLEEP reads it: the longest numeric prefix, else 0. */
function strtod(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?)/i.exec(s);
  if (!m) return 0;
  const t = m[0].trim().toLowerCase().replace("infinity", "inf");
  return t.endsWith("inf") ? (t.startsWith("-") ? -Infinity : Infinity) : Number(t);
}

/** C's atoi: optional sign and leading digits, else 0. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` milliseconds. */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

// Only the subcommands implemented here are listed; usage lines are Redis's, descriptions ours.
const HELP = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOG <message>",
  "    Append <message> to the server log, at warning level.",
  "OBJECT <key>",
  "    Describe how the value at <key> is stored: encoding, size, idle time.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    0 stops the background sweep that removes expired keys nobody reads;",
  "    1 turns it back on (the default). Keys still expire when accessed.",
  "SLEEP <seconds>",
  "    Freeze the whole server for <seconds>, which may be fractional.",
  "HELP",
  "    List these subcommands.",
];

export function debugCommand(ctx: CommandContext): void {
  const { server, client, args, w } = ctx;
  const mode = server.config.get("enable-debug-command");
  if (mode === "no" || (mode === "local" && !isLocal(client.addr))) return w.error(NOT_ALLOWED);
  const sub = args[1].toString();
  const name = sub.toLowerCase();
  const argc = args.length;
  if (name === "help" && argc === 2) {
    w.array(HELP.length);
    for (const line of HELP) w.simple(line);
    return;
  }
  if (name === "sleep" && argc === 3) {
    const seconds = strtod(args[2].toString());
    // Redis converts to whole microseconds; below one there is nothing to sleep.
    const us = Math.trunc(seconds * 1e6);
    if (us > 0) blockFor(Math.min(us / 1000, 2 ** 31 - 1));
    return w.ok();
  }
  if (name === "set-active-expire" && argc === 3) {
    cronState(server).activeExpire = atoi(args[2].toString()) !== 0;
    return w.ok();
  }
  if (name === "object" && argc === 3) {
    // The key's bytes go through the engine's data area, which a pending batch may also use.
    engineAreasTouched();
    return w.raw(server.engine.debugObject(client.db, args[2], client.proto));
  }
  if (name === "log" && argc === 3) {
    server.log.warning(`DEBUG LOG: ${args[2].toString()}`);
    return w.ok();
  }
  w.error(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try DEBUG HELP.`);
}

/** This file's entries for the handler registry (a function: callable while import cycles resolve) (host/commands/handlers.ts). */
export function debugHandlers(): [string, HostHandler][] {
  return [["debug", debugCommand]];
}
