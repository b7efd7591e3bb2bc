// CLIENT ID | GETNAME | SETNAME | SETINFO | LIST | INFO | KILL | NO-EVICT | REPLY | HELP.
//
// CLIENT LIST prints one line per client in Redis 7.0's exact field order, because tools parse
// it positionally as often as by name. The numbers describe our buffers where we have an
// equivalent (qbuf: request bytes waiting in the decoder; obl: reply bytes produced in this read;
// omem: bytes queued on the socket) and Redis's fixed values where the concept does not exist
// (no pubsub, MULTI, tracking or redirect state is kept here yet).
//
// State Redis keeps in the client struct but our Client record lacks (no-evict, the CLIENT REPLY
// mode) lives in a WeakMap here, so it disappears with the client.
//
// CLIENT REPLY OFF|SKIP only records the mode: dropping replies must happen where replies are
// produced, in the server core (see dropsReply and afterReply below).
import type { Client } from "../client.js";
import { validClientName, CLIENT_CLOSE_AFTER_REPLY, CLIENT_REPLY_MODE, CLIENT_BLOCKED, CLIENT_MULTI } from "../client.js";
import { transactionInfo } from "../multi.js";
import type { WedisServer } from "../server.js";
import type { CommandContext, HostHandler } from "./handlers.js";

/**
 * CLIENT REPLY state. "skip-next" is set by CLIENT REPLY SKIP and becomes "skip" once that
 * command is done, so the *following* command is the one whose reply is dropped.
 */
export type ReplyMode = "on" | "off" | "skip-next" | "skip";

interface ClientExtra {
  noEvict: boolean;
  reply: ReplyMode;
}

const extras = new WeakMap<Client, ClientExtra>();

function extra(c: Client): ClientExtra {
  let e = extras.get(c);
  if (!e) {
    e = { noEvict: false, reply: "on" };
    extras.set(c, e);
  }
  return e;
}

export function clientReplyMode(c: Client): ReplyMode {
  return extras.get(c)?.reply ?? "on";
}

/**
 * For the server core, after each command has written its reply: true when that reply must be
 * dropped (CLIENT REPLY OFF, or the command after CLIENT REPLY SKIP). Decided after the command
 * ran, so CLIENT REPLY ON's own +OK is sent and OFF/SKIP (which write nothing) stay silent.
 */
export function dropsReply(c: Client): boolean {
  const m = extras.get(c)?.reply;
  return m === "off" || m === "skip";
}

/** For the server core, after dropsReply(): advances SKIP to the next command, then back to ON. */
export function afterReply(c: Client): void {
  const e = extras.get(c);
  if (!e) return;
  if (e.reply === "skip-next") e.reply = "skip";
  else if (e.reply === "skip") setReplyMode(c, e, "on");
}

/** Keeps the client's CLIENT_REPLY_MODE flag (what the server core looks at) in step with the mode. */
function setReplyMode(c: Client, e: { reply: ReplyMode }, mode: ReplyMode): void {
  e.reply = mode;
  if (mode === "on") c.flags &= ~CLIENT_REPLY_MODE;
  else c.flags |= CLIENT_REPLY_MODE;
}

export function clientNoEvict(c: Client): boolean {
  return extras.get(c)?.noEvict ?? false;
}

// ---- CLIENT LIST line -----------------------------------------------------------------------------

function flagsOf(c: Client): string {
  let f = "";
  if (c.flags & CLIENT_MULTI) f += "x";
  if (c.flags & CLIENT_BLOCKED) f += "b";
  if (transactionInfo(c).dirtyCas) f += "d";
  if (c.flags & CLIENT_CLOSE_AFTER_REPLY) f += "c";
  if (clientNoEvict(c)) f += "e";
  return f === "" ? "N" : f;
}

function fdOf(c: Client): number {
  const h = (c.socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof h?.fd === "number" ? h.fd : -1;
}

/** One CLIENT LIST line (without the trailing newline). `argvMem`: bytes of the running command's arguments. */
export function clientInfoLine(c: Client, nowMs: number, argvMem = 0): string {
  const qbuf = c.decoder.pending();
  const obl = c.reply.length;
  const omem = c.socket.writableLength;
  const rbs = 16384;
  const tx = transactionInfo(c);
  const totMem = qbuf + argvMem + rbs + omem + tx.multiMem;
  const events = omem > 0 ? "rw" : "r";
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${fdOf(c)} name=${c.name}` +
    ` age=${Math.floor((nowMs - c.createdMs) / 1000)} idle=${Math.floor((nowMs - c.lastInteractionMs) / 1000)}` +
    ` flags=${flagsOf(c)} db=${c.db} sub=0 psub=0 ssub=0 multi=${tx.multi}` +
    ` qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=${tx.multiMem} rbs=${rbs} rbp=${rbs}` +
    ` obl=${obl} oll=0 omem=${omem} tot-mem=${totMem} events=${events}` +
    ` cmd=${c.lastCmd ? c.lastCmd.name : "NULL"} user=default redir=-1 resp=${c.proto}`
  );
}

function argvBytes(args: Buffer[]): number {
  let n = 0;
  for (const a of args) n += a.length;
  return n;
}

// ---- subcommands ----------------------------------------------------------------------------------

export function clientIdCommand(ctx: CommandContext): void {
  ctx.w.integer(ctx.client.id);
}

export function clientGetnameCommand(ctx: CommandContext): void {
  ctx.w.bulk(ctx.client.name === "" ? null : ctx.client.name);
}

export function clientSetnameCommand(ctx: CommandContext): void {
  const name = ctx.args[2];
  if (!validClientName(name)) return ctx.w.error("ERR Client names cannot contain spaces, newlines or special characters.");
  ctx.client.name = name.toString("latin1");
  ctx.w.ok();
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; clients send it on connect). */
export function clientSetinfoCommand(ctx: CommandContext): void {
  const attr = ctx.args[2].toString();
  const value = ctx.args[3];
  const which = attr.toLowerCase();
  if (which !== "lib-name" && which !== "lib-ver") return ctx.w.error(`ERR Unrecognized option '${attr}'`);
  if (!validClientName(value)) return ctx.w.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  if (which === "lib-name") ctx.client.libName = value.toString("latin1");
  else ctx.client.libVer = value.toString("latin1");
  ctx.w.ok();
}

type ClientType = "normal" | "master" | "replica" | "pubsub";

/** Redis's client type names (slave is an alias of replica); null if unknown. */
function parseType(s: string): ClientType | null {
  const t = s.toLowerCase();
  if (t === "normal" || t === "master" || t === "replica" || t === "pubsub") return t;
  if (t === "slave") return "replica";
  return null;
}

/** Every client we serve is a normal one: no replication, and pubsub is not implemented here. */
function typeOf(_c: Client): ClientType {
  return "normal";
}

/** Strict decimal integer as Redis's string2ll reads a client id; null if not one. */
function parseId(b: Buffer): number | null {
  const s = b.toString("latin1");
  if (!/^-?(0|[1-9]\d{0,18})$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

function listText(server: WedisServer, self: Client, args: Buffer[], filter: (c: Client) => boolean): string {
  const now = Date.now();
  let out = "";
  const argvMem = argvBytes(args);
  for (const c of server.clients.values()) {
    if (!filter(c)) continue;
    out += clientInfoLine(c, now, c === self ? argvMem : 0) + "\n";
  }
  return out;
}

/** CLIENT LIST [TYPE type] | [ID id ...] */
export function clientListCommand(ctx: CommandContext): void {
  const { args, w, server, client } = ctx;
  let filter: (c: Client) => boolean = () => true;
  if (args.length === 4 && args[2].toString().toLowerCase() === "type") {
    const type = parseType(args[3].toString());
    if (type === null) return w.error(`ERR Unknown client type '${args[3].toString()}'`);
    filter = (c) => typeOf(c) === type;
  } else if (args.length > 3 && args[2].toString().toLowerCase() === "id") {
    const ids = new Set<number>();
    for (let i = 3; i < args.length; i++) {
      const id = parseId(args[i]);
      if (id === null) return w.error("ERR Invalid client ID");
      ids.add(id);
    }
    filter = (c) => ids.has(c.id);
  } else if (args.length !== 2) {
    return w.error("ERR syntax error");
  }
  w.verbatim(listText(server, client, args, filter));
}

/** CLIENT INFO: the CLIENT LIST line of this connection. */
export function clientInfoCommand(ctx: CommandContext): void {
  ctx.w.verbatim(clientInfoLine(ctx.client, Date.now(), argvBytes(ctx.args)) + "\n");
}

/**
 * CLIENT KILL ip:port (old form: "No such client" or OK, may kill the caller) or
 * CLIENT KILL <filter> <value> ... (new form: the number killed; SKIPME yes by default).
 */
export function clientKillCommand(ctx: CommandContext): void {
  const { args, w, server, client: self } = ctx;
  if (args.length === 3) {
    const addr = args[2].toString();
    for (const c of server.clients.values()) {
      if (c.addr !== addr) continue;
      w.ok();
      killClient(server, self, c);
      return;
    }
    return w.error("ERR No such client");
  }
  let id: number | null = null;
  let type: ClientType | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipMe = true;
  for (let i = 2; i < args.length; i += 2) {
    if (i + 1 >= args.length) return w.error("ERR syntax error");
    const opt = args[i].toString().toLowerCase();
    const val = args[i + 1];
    if (opt === "id") {
      const n = parseId(val);
      if (n === null || n <= 0) return w.error("ERR client-id should be greater than 0");
      id = n;
    } else if (opt === "type") {
      type = parseType(val.toString());
      if (type === null) return w.error(`ERR Unknown client type '${val.toString()}'`);
    } else if (opt === "addr") {
      addr = val.toString();
    } else if (opt === "laddr") {
      laddr = val.toString();
    } else if (opt === "user") {
      user = val.toString();
      // Only the default user exists until ACLs are implemented.
      if (user !== "default") return w.error(`ERR No such user '${user}'`);
    } else if (opt === "skipme") {
      const v = val.toString().toLowerCase();
      if (v === "yes") skipMe = true;
      else if (v === "no") skipMe = false;
      else return w.error("ERR syntax error");
    } else {
      return w.error("ERR syntax error");
    }
  }
  const victims: Client[] = [];
  for (const c of server.clients.values()) {
    if (id !== null && c.id !== id) continue;
    if (type !== null && typeOf(c) !== type) continue;
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (c === self && skipMe) continue;
    victims.push(c);
  }
  w.integer(victims.length);
  for (const c of victims) killClient(server, self, c);
}

/** The caller is closed after its reply is sent (Redis's CLOSE_AFTER_REPLY); others at once. */
function killClient(server: WedisServer, self: Client, c: Client): void {
  if (c === self) server.closeAfterReply(c);
  else server.kill(c);
}

/** CLIENT NO-EVICT ON|OFF */
export function clientNoEvictCommand(ctx: CommandContext): void {
  const v = ctx.args[2].toString().toLowerCase();
  if (v !== "on" && v !== "off") return ctx.w.error("ERR syntax error");
  extra(ctx.client).noEvict = v === "on";
  ctx.w.ok();
}

/** CLIENT REPLY ON|OFF|SKIP: only ON answers (OK); OFF and SKIP are silent by definition. */
export function clientReplyCommand(ctx: CommandContext): void {
  const v = ctx.args[2].toString().toLowerCase();
  if (v !== "on" && v !== "off" && v !== "skip") return ctx.w.error("ERR syntax error");
  const e = extra(ctx.client);
  if (v === "on") {
    setReplyMode(ctx.client, e, "on");
    ctx.w.ok();
    return;
  }
  // Writing nothing is the reply of OFF and SKIP. SKIP while OFF changes nothing, as in Redis.
  if (v === "off") setReplyMode(ctx.client, e, "off");
  else if (e.reply !== "off") setReplyMode(ctx.client, e, "skip-next");
}

// Usage lines and option syntax are Redis's (clients and people rely on them); the descriptions
// are ours and say what Wedis does, which is narrower than Redis in places (one user, no
// replication or pubsub clients).
const HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME",
  "    Reply with this connection's name, or a null when none was set.",
  "ID",
  "    Reply with this connection's unique numeric id.",
  "INFO",
  "    Reply with this connection's line in the CLIENT LIST format.",
  "KILL <ip:port>",
  "    Close the connection whose peer address is <ip:port>; an error when none matches.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Close every connection that matches all the given filters; reply with how many. Filters:",
  "    * ID <client-id>",
  "      The connection with this id.",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Connections coming from this peer address.",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Connections accepted on this local address.",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Connections of this kind (in Wedis every connection is NORMAL).",
  "    * USER <username>",
  "      Connections logged in as this user (only 'default' exists here).",
  "    * SKIPME (YES|NO)",
  "      Whether the calling connection is spared; it is unless NO is given.",
  "LIST [options ...]",
  "    One line of fields per open connection. Narrow it with:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Only connections of this kind.",
  "    * ID <client-id> [<client-id> ...]",
  "      Only the connections with these ids.",
  "REPLY (ON|OFF|SKIP)",
  "    ON sends replies (the default), OFF stops sending them, SKIP drops only the next one.",
  "SETNAME <name>",
  "    Label this connection with <name> (no spaces or newlines); an empty name clears it.",
  "SETINFO <option> <value>",
  "    Record what library this connection uses. Options:",
  "    * LIB-NAME: the library's name.",
  "    * LIB-VER: the library's version.",
  "NO-EVICT (ON|OFF)",
  "    Mark or unmark this connection as exempt from client eviction.",
  "HELP",
  "    List these subcommands.",
];

/** CLIENT HELP: the subcommands Wedis implements, in Redis's reply shape. */
export function clientHelpCommand(ctx: CommandContext): void {
  ctx.w.array(HELP.length);
  for (const line of HELP) ctx.w.simple(line);
}

/** This file's entries for the handler registry (a function: callable while import cycles resolve) (host/commands/handlers.ts). */
export function clientHandlers(): [string, HostHandler][] {
  return [
  ["client|id", clientIdCommand],
  ["client|getname", clientGetnameCommand],
  ["client|setname", clientSetnameCommand],
  ["client|setinfo", clientSetinfoCommand],
  ["client|list", clientListCommand],
  ["client|info", clientInfoCommand],
  ["client|kill", clientKillCommand],
  ["client|no-evict", clientNoEvictCommand],
  ["client|reply", clientReplyCommand],
  ["client|help", clientHelpCommand],
];
}
