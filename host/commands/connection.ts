// Connection commands that change the client's own state: HELLO, AUTH, SELECT, QUIT, RESET.
// (PING and ECHO need no client state and run in the engine.)
//
// Authentication follows Redis 7.0's single `default` user: with no requirepass that user has no
// password, so any password works for it (HELLO AUTH default x succeeds) while the one-argument
// AUTH form is refused as a likely misconfiguration; with requirepass, only that password does.
import { validClientName } from "../client.js";
import { parseInteger } from "../config.js";
import { REDIS_VERSION } from "../server.js";
import type { CommandContext } from "./handlers.js";

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

function checkPassword(ctx: CommandContext, user: Buffer | null, pass: Buffer): boolean {
  if (user !== null && user.toString("latin1") !== "default") return false;
  const required = ctx.server.password;
  if (required === "") return true;
  return pass.equals(Buffer.from(required));
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
export function helloCommand(ctx: CommandContext): void {
  const { client: c, args, w, server } = ctx;
  let ver = 0;
  if (args.length >= 2) {
    const v = parseInteger(args[1].toString("latin1"));
    if (v === null) return w.error("ERR Protocol version is not an integer or out of range");
    if (v < 2 || v > 3) return w.error("NOPROTO unsupported protocol version");
    ver = v;
  }
  let user: Buffer | null = null;
  let pass: Buffer | null = null;
  let name: Buffer | null = null;
  for (let j = 2; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j].toString("latin1").toLowerCase();
    if (opt === "auth" && more >= 2) {
      user = args[j + 1];
      pass = args[j + 2];
      j += 2;
    } else if (opt === "setname" && more >= 1) {
      name = args[j + 1];
      j++;
    } else {
      return w.error(`ERR Syntax error in HELLO option '${args[j].toString()}'`);
    }
  }
  if (user !== null && pass !== null) {
    if (!checkPassword(ctx, user, pass)) return w.error(WRONGPASS);
    c.setAuthenticated(true);
  }
  if (server.authRequired(c)) {
    return w.error(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (name !== null) {
    if (!validClientName(name)) return w.error("ERR Client names cannot contain spaces, newlines or special characters.");
    c.name = name.toString("latin1");
  }
  if (ver !== 0) c.setProto(ver as 2 | 3);
  w.map(7);
  w.bulk("server");
  w.bulk("redis");
  w.bulk("version");
  w.bulk(REDIS_VERSION);
  w.bulk("proto");
  w.integer(c.proto);
  w.bulk("id");
  w.integer(c.id);
  w.bulk("mode");
  w.bulk("standalone");
  w.bulk("role");
  w.bulk("master");
  w.bulk("modules");
  w.array(0);
}

/** AUTH [username] password */
export function authCommand(ctx: CommandContext): void {
  const { client: c, args, w, server } = ctx;
  if (args.length > 3) return w.error("ERR syntax error");
  if (args.length === 2 && server.password === "") {
    return w.error(
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    );
  }
  const user = args.length === 3 ? args[1] : null;
  const pass = args[args.length - 1];
  if (!checkPassword(ctx, user, pass)) {
    server.log.verbose(`Failed AUTH from client id=${c.id} addr=${c.addr}`);
    return w.error(WRONGPASS);
  }
  c.setAuthenticated(true);
  w.ok();
}

/** SELECT index */
export function selectCommand(ctx: CommandContext): void {
  const { client: c, args, w, server } = ctx;
  const id = parseInteger(args[1].toString("latin1"));
  if (id === null || id < -2147483648 || id > 2147483647) return w.error("ERR value is not an integer or out of range");
  if (id < 0 || id >= server.config.int("databases")) return w.error("ERR DB index is out of range");
  c.db = id;
  w.ok();
}

/** QUIT: +OK, then the connection closes; later commands of the same read are not run. */
export function quitCommand(ctx: CommandContext): void {
  ctx.w.ok();
  ctx.server.closeAfterReply(ctx.client);
}

/** RESET: back to a fresh connection's state (db 0, RESP2, no name, logged out if a password is set). */
export function resetCommand(ctx: CommandContext): void {
  ctx.server.resetClient(ctx.client);
  ctx.w.simple("RESET");
}
