// Clients parked by blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, …).
//
// The engine runs a blocking command like any other; when there is nothing to pop it writes no
// reply and flags the command (assembly/blocking.ts). The client is then parked here, on each of
// its keys, in arrival order, with its timer. Its later input is set aside unparsed.
//
// While anyone is parked the engine records every key that receives elements, and the server
// runs commands one at a time, calling serveReadyKeys() after each — Redis's order: a client
// blocked on a list is served right after the push, before the pusher's next command. Serving a
// key retries its parked commands oldest first until one blocks again (the key is empty again);
// a retry may push elsewhere (BLMOVE), which makes more keys ready, so the loop runs until none
// are left. Timeouts answer a null array; a disconnect just unparks.
import type { Client } from "./client.js";
import type { Command } from "./commands/table.js";
import { getKeys } from "./commands/table.js";
import { engineAreasTouched } from "./batch.js";
import { CLIENT_BLOCKED } from "./client.js";
import type { WedisServer } from "./server.js";

/** Bit the engine sets in a command's flags word when it blocked. */
export const CMD_BLOCKED = 1;

interface Parked {
  client: Client;
  cmd: Command;
  args: Buffer[];
  /** "db:key" of every key it waits on. */
  keys: string[];
  timer: NodeJS.Timeout | null;
}

/** Which argument holds the timeout, by command. */
function timeoutArg(cmd: Command, argc: number): number {
  switch (cmd.name) {
    case "blmove":
      return 5;
    case "brpoplpush":
      return 3;
    case "blmpop":
    case "bzmpop":
      return 1;
    default:
      return argc - 1;
  }
}

const keyId = (db: number, key: Uint8Array) => `${db}:${Buffer.from(key).toString("latin1")}`;

export class Blocking {
  private readonly server: WedisServer;
  private readonly waiting = new Map<string, Parked[]>();
  private readonly parked = new Map<Client, Parked>();

  constructor(server: WedisServer) {
    this.server = server;
    server.closeHooks.push((c) => this.unpark(c));
  }

  /** True while some client is parked: the server then runs commands one by one. */
  get active(): boolean {
    return this.parked.size > 0;
  }

  get count(): number {
    return this.parked.size;
  }

  /** Parks `c`, whose command `cmd args` just blocked in the engine. */
  park(c: Client, cmd: Command, args: Buffer[]): void {
    const keys = getKeys(cmd, args).map((i) => keyId(c.db, args[i]));
    const p: Parked = { client: c, cmd, args, keys, timer: null };
    // The engine accepted the timeout already; 0 waits forever.
    const seconds = Number(args[timeoutArg(cmd, args.length)].toString());
    if (seconds > 0) {
      p.timer = setTimeout(() => this.timeout(c), Math.max(1, Math.round(seconds * 1000)));
    }
    for (const k of new Set(keys)) {
      let q = this.waiting.get(k);
      if (!q) this.waiting.set(k, (q = []));
      q.push(p);
    }
    this.parked.set(c, p);
    c.flags |= CLIENT_BLOCKED;
    if (this.parked.size === 1) this.server.engine.x.setBlockingActive(1);
  }

  private unpark(c: Client): Parked | undefined {
    const p = this.parked.get(c);
    if (!p) return undefined;
    this.parked.delete(c);
    if (p.timer) clearTimeout(p.timer);
    for (const k of new Set(p.keys)) {
      const q = this.waiting.get(k);
      if (!q) continue;
      const i = q.indexOf(p);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) this.waiting.delete(k);
    }
    c.flags &= ~CLIENT_BLOCKED;
    if (this.parked.size === 0) this.server.engine.x.setBlockingActive(0);
    return p;
  }

  private timeout(c: Client): void {
    if (!this.unpark(c)) return;
    c.reply.nullArray();
    this.server.release(c);
  }

  /** Serves parked clients whose keys received elements; call after each command while active. */
  serveReadyKeys(): void {
    const x = this.server.engine.x;
    for (let rounds = 0; rounds < 1_000_000; rounds++) {
      const n = x.readyKeysLen() >>> 0;
      if (n === 0) return;
      // Copy the list out: serving runs the engine, which reuses it.
      const list = this.server.engine.copyOut(x.readyKeysPtr(), n);
      x.readyKeysReset();
      for (let at = 0; at < n; ) {
        const db = list.readUInt32LE(at);
        const len = list.readUInt32LE(at + 4);
        const id = keyId(db, list.subarray(at + 8, at + 8 + len));
        at += 8 + len;
        this.serveKey(id);
      }
    }
  }

  private serveKey(id: string): void {
    const q = this.waiting.get(id);
    while (q && q.length > 0) {
      const p = q[0];
      const c = p.client;
      engineAreasTouched();
      const { reply, flags } = this.server.runAlone(c, p.cmd, p.args);
      if (flags & CMD_BLOCKED) return; // nothing left for anyone behind it either
      this.unpark(c);
      c.reply.raw(reply);
      this.server.release(c);
    }
  }
}
