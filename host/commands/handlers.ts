// The host side of dispatch: full command name → TypeScript handler, for every command the
// table marks `"run": "host"`. A container's handler (COMMAND, CONFIG, CLIENT…) also serves its
// subcommands unless a subcommand has an entry of its own ("config|get").
//
// Handlers run synchronously inside the read that carried the command, after the engine batch
// before them was flushed, and write their reply into ctx.w (the client's ReplyWriter, already
// in the client's protocol). ctx.args own their bytes (args[0] is the command name) and may be
// kept. Arity, authentication and the subcommand name were checked by the server already.
import type { Client } from "../client.js";
import type { ReplyWriter } from "../resp/encoder.js";
import type { WedisServer } from "../server.js";
import type { Command } from "./table.js";
import { authCommand, helloCommand, quitCommand, resetCommand, selectCommand } from "./connection.js";
import { commandCommand } from "./command.js";
import { infoHandlers } from "./info.js";
import { configHandlers } from "./config.js";
import { clientHandlers } from "./client.js";
import { debugHandlers } from "./debug.js";
import { serverHandlers } from "./server.js";
import { memoryHandlers } from "./memory.js";

export interface CommandContext {
  server: WedisServer;
  client: Client;
  cmd: Command;
  args: Buffer[];
  w: ReplyWriter;
}

export type HostHandler = (ctx: CommandContext) => void;

const handlers = new Map<string, HostHandler>([
  ["hello", helloCommand],
  ["auth", authCommand],
  ["select", selectCommand],
  ["quit", quitCommand],
  ["reset", resetCommand],
  ["command", (ctx) => commandCommand(ctx.w, ctx.args)],
  ...infoHandlers(), ...configHandlers(), ...clientHandlers(), ...debugHandlers(), ...serverHandlers(), ...memoryHandlers(),
]);

/** Adds or replaces the handler of a full command name ("info", "config|get", "client"). */
export function registerHandler(name: string, handler: HostHandler): void {
  handlers.set(name, handler);
}

/** The handler that runs `cmd`: its own, else its container's; undefined if none is written. */
export function findHandler(cmd: Command): HostHandler | undefined {
  return handlers.get(cmd.name) ?? (cmd.parent !== null ? handlers.get(cmd.parent.name) : undefined);
}

/** Names of host commands in `commands` that have no handler (reported at startup). */
export function missingHandlers(commands: Iterable<Command>): string[] {
  const out: string[] = [];
  for (const cmd of commands) {
    if (cmd.subcommands) {
      const subs = [...cmd.subcommands.values()].filter((s) => s.run === "host" && !findHandler(s));
      out.push(...subs.map((s) => s.name));
      if (!findHandler(cmd) && cmd.arity !== -2 && cmd.arity !== 2) out.push(cmd.name);
    } else if (cmd.run === "host" && !findHandler(cmd)) out.push(cmd.name);
  }
  return out;
}
