// One connected client: its socket, its parser and reply buffer, and the per-connection state
// that commands read and change (database, protocol, name, authentication). The server owns the
// socket events; this file only holds state, so CLIENT LIST / CLIENT INFO and the connection
// commands have one place to read it from.
import type { Socket } from "node:net";
import { RespDecoder } from "./resp/decoder.js";
import { ReplyWriter } from "./resp/encoder.js";
import type { Command } from "./commands/table.js";

/** Close the connection once the replies written so far are sent (QUIT, protocol errors). */
export const CLIENT_CLOSE_AFTER_REPLY = 1 << 0;
/** Reading is paused because too many reply bytes wait in the socket (backpressure). */
export const CLIENT_PAUSED_OUTPUT = 1 << 1;
/** The connection is gone or going; no more input is processed. */
export const CLIENT_CLOSED = 1 << 2;

/**
 * Commands of this client pass through the server's `filter` before running (MULTI queueing and
 * the like set it); checked with one bit test so the common path pays nothing.
 */
export const CLIENT_FILTERED = 1 << 3;
/** Inside MULTI (for the transaction code and CLIENT LIST flags). */
export const CLIENT_MULTI = 1 << 4;
/** CLIENT REPLY is OFF or SKIP: the server runs commands one by one to drop their replies. */
export const CLIENT_REPLY_MODE = 1 << 5;
/** Parked by a blocking command (host/blocking.ts): input is set aside until released. */
export const CLIENT_BLOCKED = 1 << 6;
/** Released, with set-aside input about to be processed: newer input must queue behind it. */
export const CLIENT_RESUMING = 1 << 7;
/**
 * A read's replies reached the output budget: the rest of its commands wait, set aside, until
 * the client has read what it was sent (host/server.ts, "Output budget").
 */
export const CLIENT_OUTPUT_WAIT = 1 << 8;

let nextId = 1;

export class Client {
  readonly id: number;
  readonly socket: Socket;
  readonly decoder: RespDecoder;
  /** Reply bytes produced during the current read, in command order. */
  readonly reply: ReplyWriter;
  /** "ip:port" of the peer and of our end, as CLIENT LIST prints them. */
  readonly addr: string;
  readonly laddr: string;

  name = "";
  libName = "";
  libVer = "";
  db = 0;
  /** RESP version spoken with this client: 2 until HELLO 3. */
  proto: 2 | 3 = 2;
  authenticated: boolean;
  flags = 0;
  readonly createdMs: number;
  lastInteractionMs: number;
  /** Last command executed (CLIENT LIST `cmd=`). */
  lastCmd: Command | null = null;
  bytesIn = 0;
  /** Input that arrived while the client was blocked, in order (processed once released). */
  blockedInput: Buffer[] = [];
  bytesOut = 0;
  commandsProcessed = 0;
  /** Replies waiting for the AOF to reach the disk (appendfsync always), in order; null: none. */
  held: Buffer[] | null = null;
  /** The AOF stream offset the held replies wait for. */
  heldUntil = 0;
  /** Close the connection once the held replies are sent (QUIT, a protocol error). */
  endAfterHeld = false;

  constructor(socket: Socket, authenticated: boolean, nowMs: number, maxBulkLen: number) {
    this.id = nextId++;
    this.socket = socket;
    this.decoder = new RespDecoder({ maxBulkLen });
    this.decoder.unauthenticated = !authenticated;
    this.reply = new ReplyWriter();
    this.authenticated = authenticated;
    this.createdMs = nowMs;
    this.lastInteractionMs = nowMs;
    this.addr = peer(socket.remoteAddress, socket.remotePort);
    this.laddr = peer(socket.localAddress, socket.localPort);
  }

  setAuthenticated(yes: boolean): void {
    this.authenticated = yes;
    // The decoder enforces Redis's size limits on requests from clients that must still log in.
    this.decoder.unauthenticated = !yes;
  }

  setProto(proto: 2 | 3): void {
    this.proto = proto;
    this.reply.proto = proto;
  }

  get closing(): boolean {
    return (this.flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSED)) !== 0;
  }
}

function peer(address: string | undefined, port: number | undefined): string {
  if (!address) return "?:0";
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return `${a}:${port ?? 0}`;
}

/** Redis accepts client names of printable ASCII without spaces ('!'..'~'). */
export function validClientName(name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (name[i] < 0x21 || name[i] > 0x7e) return false;
  return true;
}
