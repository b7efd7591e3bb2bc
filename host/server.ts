// The TCP server and the per-read pipeline.
//
// Everything a client sends in one socket read is answered with one socket.write. Measured on
// this design, that single fact decides throughput: a write per reply runs at a fifth of Redis's
// pipelined speed, one write per read keeps up. So a read goes:
//
//   decoder.feed(chunk) ─► for each command: look up (by bytes), arity, auth
//        engine command ─► appended to the batch (EngineBatch: table words + one data copy)
//        host command   ─► the batch so far is executed and its replies copied into the client's
//                          ReplyWriter, then the handler writes its reply after them
//   end of read        ─► the batch is executed; if nothing else was written the engine's output
//                          is copied straight into one Buffer for socket.write (the fast path),
//                          otherwise it is appended to the writer, whose bytes are written.
//
// Order of checks per command follows Redis's processCommand: unknown command (or subcommand),
// then arity, then authentication. Replies stay in command order because the batch is always
// flushed before anything else is written.
//
// Backpressure: replies are written without waiting, so a client that never reads would make
// Node buffer without bound. When a socket holds more than the high-water mark of unsent
// bytes, reading from that socket pauses until it drains; the other clients are unaffected.
// With client-output-buffer-limit's normal hard limit set, such a client is disconnected instead,
// as Redis does.
//
// Output budget: one read can ask for far more than it weighs (a few KB of `GET big`, pipelined,
// is gigabytes of replies), and the engine builds a batch's replies at once in its own memory.
// So a batch stops after the command whose replies reach the level at which backpressure
// applies; the rest of the read is set aside, like a parked client's, and runs once the socket
// has drained.
import net from "node:net";
import { randomInt } from "node:crypto";
import { Engine } from "./engine.js";
import { EngineBatch, CMD_DIRTY, type DirtyHook } from "./batch.js";
import {
  Client,
  CLIENT_CLOSE_AFTER_REPLY,
  CLIENT_CLOSED,
  CLIENT_FILTERED,
  CLIENT_PAUSED_OUTPUT,
  CLIENT_REPLY_MODE,
  CLIENT_BLOCKED,
  CLIENT_RESUMING,
  CLIENT_OUTPUT_WAIT,
} from "./client.js";
import { Blocking, CMD_BLOCKED } from "./blocking.js";
import { execOne } from "./direct.js";
import { Config, loadPairs } from "./config.js";
import { Logger, type LogLevel } from "./log.js";
import type { ParsedBatch } from "./resp/decoder.js";
import {
  FLAG_BLOCKING,
  FLAG_DENYOOM,
  FLAG_LOADING,
  FLAG_NO_AUTH,
  FLAG_WRITE,
  allCommands,
  arityError,
  lookupCommand,
  lookupSubcommand,
  unknownCommandError,
  unknownSubcommandError,
  type Command,
} from "./commands/table.js";
import { findHandler, type CommandContext } from "./commands/handlers.js";
import { installAdmin } from "./commands/server.js";
import { afterReply, dropsReply } from "./commands/client.js";
import { installMulti } from "./multi.js"; // MULTI/EXEC/WATCH
import { AppendOnlyFile } from "./aof/aof.js";
import type { LoadProgress } from "./aof/loader.js";
import { pushMaxmemory } from "./commands/config.js";
import { PROTECTED_MODE_DENIED, isLocalPeer, protectedModeDenies } from "./protected.js";

/** Version reported by HELLO and INFO: the Redis release whose behaviour we follow. */
export const REDIS_VERSION = "7.0.15";

/** Unsent reply bytes above which a client's reading is paused (when no hard limit is set). */
export const OUTPUT_HIGH_WATER = 64 * 1024 * 1024;

export interface ServerOptions {
  /** TCP port; 0 picks a free one. Overrides the `port` config. */
  port?: number;
  /** Address to listen on (first word of `bind` is used). Overrides the `bind` config. */
  bind?: string;
  /** Config parameters, as from a config file or --flags. */
  config?: Record<string, string> | [string, string][];
  /** An engine to use instead of loading build/wedis.wasm. */
  engine?: Engine;
  /** Load the debug engine build (assertions on). */
  debug?: boolean;
  /** Write log lines (default: false, so in-process servers in tests stay quiet). */
  log?: boolean;
  /** Unsent-bytes mark at which reading from a client pauses (tests lower it). */
  outputHighWater?: number;
  /** false: resolve as soon as the server listens, while the AOF may still be loading. */
  waitLoading?: boolean;
}

export interface ServerStats {
  totalConnections: number;
  rejectedConnections: number;
  totalCommands: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** Commands refused before running (unknown, arity, auth). */
  rejectedCalls: number;
}

type ClientHook = (c: Client) => void;

/**
 * Sees the commands of clients flagged CLIENT_FILTERED (MULTI queueing, for one). `command` runs
 * after the checks passed; returning true means the filter answered it (e.g. +QUEUED) and it
 * must not run. `rejected` is told about commands refused by the checks (a transaction then
 * fails with EXECABORT). Both run with the batch before them already flushed.
 */
export interface CommandFilter {
  command(ctx: CommandContext): boolean;
  rejected(c: Client, error: string): void;
}

export class WedisServer {
  readonly engine: Engine;
  readonly config: Config;
  readonly log: Logger;
  readonly clients = new Map<number, Client>();
  readonly stats: ServerStats = {
    totalConnections: 0,
    rejectedConnections: 0,
    totalCommands: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    rejectedCalls: 0,
  };
  readonly startMs = Date.now();
  /** Clients parked by blocking commands. */
  readonly blocking: Blocking;
  /** Absolute path of the config file the server was started with ("" when none): INFO, CONFIG REWRITE. */
  configFile = "";
  readonly net: net.Server;
  /** Hooks others register: run by RESET (after ours) and when a client goes away. */
  readonly resetHooks: ClientHook[] = [];
  readonly closeHooks: ClientHook[] = [];
  /** Periodic tasks, run `hz` times a second. */
  readonly cronHooks: (() => void)[] = [];
  /** See CommandFilter; applies to clients with CLIENT_FILTERED set. */
  filter: CommandFilter | null = null;
  /** Persistence (host/aof/); off unless appendonly is yes. */
  readonly aof: AppendOnlyFile;
  /** The AOF is being loaded: commands not flagged `loading` get -LOADING. */
  loading = false;
  readonly loadingProgress: LoadProgress = { startMs: 0, totalBytes: 0, loadedBytes: 0 };
  /** What a fatal error does (main.ts: exit 1); in-process servers close. */
  fatalHook: ((message: string) => void) | null = null;

  private readonly batch: EngineBatch;
  private requirePass = "";
  private queryLimit = 1073741824;
  /** client-output-buffer-limit's normal hard limit (0: none) and the level worth checking at. */
  private outputHard = 0;
  private outputCheckAt = 0;
  private highWater: number;
  private cronTimer: NodeJS.Timeout | null = null;
  private cronTicks = 0;
  private opsSamples = new Float64Array(16);
  private opsIdx = 0;
  private opsLastCount = 0;
  private opsLastMs = Date.now();
  private shuttingDown = false;
  /** What SHUTDOWN does after closing: main.ts exits the process; in-process servers just close. */
  exitHook: (() => void) | null = null;

  constructor(config: Config, engine: Engine, log: Logger, highWater = OUTPUT_HIGH_WATER) {
    this.config = config;
    this.engine = engine;
    this.log = log;
    this.highWater = highWater;
    this.batch = new EngineBatch(engine);
    this.net = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    // Errors after listen() (EMFILE on accept, say) must not crash the process.
    this.net.on("error", (err) => {
      if (this.net.listening) this.log.warning(`Server error: ${err.message}`);
    });
    this.applyConfig();
    initEngine(engine, config.int("databases"));
    this.blocking = new Blocking(this);
    installAdmin(this);
    installMulti(this);
    // After installAdmin: its cron (active expiry) runs first, then the AOF's drains what it deleted.
    this.aof = new AppendOnlyFile(this);
  }

  /**
   * Loads the AOF (appendonly yes) while the server already listens and answers -LOADING, then
   * opens it for appending. Throws AofLoadError when the log cannot be used.
   */
  async startPersistence(): Promise<void> {
    this.loading = true;
    // Nothing is evicted while loading (the file says what happened to every key).
    pushMaxmemory(this);
    try {
      await this.aof.start(this.loadingProgress);
    } finally {
      this.loading = false;
      pushMaxmemory(this);
    }
  }

  /** An error the server cannot go on after (an AOF write failed under appendfsync always). */
  fatal(message: string): void {
    this.log.warning(message);
    if (this.fatalHook) this.fatalHook(message);
    else void this.close();
  }

  // ---- config ------------------------------------------------------------------------------
  private applyConfig(): void {
    const cfg = this.config;
    this.requirePass = cfg.get("requirepass");
    this.queryLimit = cfg.int("client-query-buffer-limit");
    const outputLimits = () => {
      this.outputHard = cfg.outputLimit("normal").hard;
      this.outputCheckAt = this.outputHard > 0 ? Math.min(this.outputHard, this.highWater) : this.highWater;
      this.batch.budget = this.outputCheckAt;
    };
    outputLimits();
    cfg.onChange("client-output-buffer-limit", outputLimits);
    cfg.onChange("client-query-buffer-limit", (v) => {
      this.queryLimit = Number(v);
    });
    cfg.onChange("requirepass", (v) => {
      this.requirePass = v;
    });
    this.log.level = cfg.get("loglevel") as LogLevel;
    this.log.file = cfg.get("logfile");
    cfg.onChange("loglevel", (v) => {
      this.log.level = v as LogLevel;
    });
    cfg.onChange("hz", () => this.startCron());
    cfg.onChange("maxclients", (v) => {
      const n = Number(v);
      if (n < this.clients.size) this.log.warning(`maxclients lowered below the ${this.clients.size} connected clients`);
    });
    cfg.onChange("proto-max-bulk-len", (v) => {
      for (const c of this.clients.values()) c.decoder.maxBulkLen = Number(v);
    });
  }

  /** True while `c` has to AUTH before running commands. */
  authRequired(c: Client): boolean {
    return !c.authenticated && this.requirePass !== "";
  }

  /** The password AUTH and HELLO compare with ("" = none configured). */
  get password(): string {
    return this.requirePass;
  }

  // ---- connections -------------------------------------------------------------------------
  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const keepalive = this.config.int("tcp-keepalive");
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.config.int("maxclients")) {
      this.stats.rejectedConnections++;
      socket.on("error", () => {});
      socket.end("-ERR max number of clients reached\r\n");
      return;
    }
    if (protectedModeDenies(this.config.bool("protected-mode"), this.requirePass, isLocalPeer(socket.remoteAddress))) {
      this.stats.rejectedConnections++;
      socket.on("error", () => {});
      socket.end(PROTECTED_MODE_DENIED);
      return;
    }
    const c = new Client(socket, this.requirePass === "", Date.now(), this.config.int("proto-max-bulk-len"));
    this.clients.set(c.id, c);
    this.stats.totalConnections++;
    this.log.verbose(`Accepted ${c.addr}`);
    socket.on("data", (chunk: Buffer) => this.onData(c, chunk));
    socket.on("drain", () => this.onDrain(c));
    socket.on("error", (err) => this.log.verbose(`Client id=${c.id} addr=${c.addr}: ${err.message}`));
    socket.on("close", () => this.onClose(c));
  }

  private onClose(c: Client): void {
    c.flags |= CLIENT_CLOSED;
    if (!this.clients.delete(c.id)) return;
    for (const hook of this.closeHooks) hook(c);
    this.log.verbose(`Client closed connection id=${c.id} addr=${c.addr}`);
  }

  /** Closes `c` once its pending replies are written. */
  closeAfterReply(c: Client): void {
    c.flags |= CLIENT_CLOSE_AFTER_REPLY;
  }

  /** Drops `c` now, unsent replies included (CLIENT KILL, output limits, shutdown). */
  kill(c: Client): void {
    c.flags |= CLIENT_CLOSED;
    c.socket.destroy();
  }

  /** client-query-buffer-limit: a request still incomplete past it closes the client, as in Redis. */
  private queryOverflow(c: Client): void {
    this.log.warning(`Closing client that reached max query buffer length: id=${c.id} addr=${c.addr} qbuf=${c.decoder.pending()}`);
    this.kill(c);
  }

  private onDrain(c: Client): void {
    if (c.flags & CLIENT_PAUSED_OUTPUT) {
      c.flags &= ~CLIENT_PAUSED_OUTPUT;
      if (!c.closing) c.socket.resume();
    }
    if (c.flags & CLIENT_OUTPUT_WAIT) {
      c.flags &= ~CLIENT_OUTPUT_WAIT;
      if (!c.closing) this.resumeSetAside(c);
    }
  }

  // ---- the per-read pipeline ---------------------------------------------------------------
  private onData(c: Client, chunk: Buffer): void {
    if (c.closing) return;
    if (c.flags & (CLIENT_BLOCKED | CLIENT_RESUMING | CLIENT_OUTPUT_WAIT)) {
      c.blockedInput.push(chunk);
      return;
    }
    c.bytesIn += chunk.length;
    this.stats.netInputBytes += chunk.length;
    c.lastInteractionMs = Date.now();
    let parsed = c.decoder.feed(chunk);
    if (parsed.count === 0 && parsed.error === null) {
      if (c.decoder.pending() > this.queryLimit) this.queryOverflow(c);
      return;
    }
    try {
      for (;;) {
        this.runCommands(c, parsed);
        if (c.closing || (c.flags & (CLIENT_BLOCKED | CLIENT_OUTPUT_WAIT)) !== 0) break;
        if (parsed.error !== null) {
          this.flush(c);
          // latin1: the decoder's error may quote a raw byte >= 0x80 exactly as received.
          c.reply.raw(Buffer.from("-" + parsed.error + "\r\n", "latin1"));
          c.flags |= CLIENT_CLOSE_AFTER_REPLY;
          this.log.verbose(`Protocol error (${parsed.error}) from client id=${c.id} addr=${c.addr}`);
          break;
        }
        if (!parsed.more) break;
        // Held-back commands are parsed with the authentication state the batch just produced.
        if (!this.flush(c)) {
          this.deferFrom(c, parsed, this.batch.stoppedAt);
          break;
        }
        parsed = c.decoder.next();
      }
    } catch (err) {
      // An engine trap leaves this read's replies unusable; tell the client and drop it rather
      // than answer later commands out of step.
      this.log.warning(`Internal error serving client id=${c.id}: ${(err as Error).stack ?? err}`);
      this.batch.end();
      c.reply.reset();
      c.reply.error("ERR internal error");
      c.flags |= CLIENT_CLOSE_AFTER_REPLY;
    }
    this.finishRead(c);
    if (!c.closing && c.decoder.pending() > this.queryLimit) this.queryOverflow(c);
  }

  /** Dispatches the commands of one decoded batch; stops early when the client is closing. */
  private runCommands(c: Client, parsed: ParsedBatch): void {
    const count = parsed.count;
    const batch = this.batch;
    batch.begin(parsed);
    for (let i = 0; i < count; i++) {
      if ((c.flags & CLIENT_REPLY_MODE) === 0 && !this.blocking.active) {
        this.runOne(c, parsed, i);
        // CLIENT REPLY SKIP just ran: the mode has to move on to the next command.
        if ((c.flags & CLIENT_REPLY_MODE) !== 0) afterReply(c);
      } else {
        // One command at a time: so that its reply can be cut out of the stream (CLIENT REPLY),
        // and so that clients parked on a key are served right after the command that fed it.
        if (!this.flush(c)) {
          this.deferFrom(c, parsed, batch.stoppedAt);
          break;
        }
        const mark = c.reply.length;
        this.runOne(c, parsed, i);
        this.flush(c);
        if (c.flags & CLIENT_REPLY_MODE) {
          if (dropsReply(c)) c.reply.truncate(mark);
          afterReply(c);
        }
        if (this.blocking.active) this.blocking.serveReadyKeys();
      }
      if (batch.stoppedAt >= 0) {
        this.deferFrom(c, parsed, batch.stoppedAt);
        break;
      }
      if (c.flags & CLIENT_BLOCKED) {
        this.setAsideRest(c, parsed, i + 1);
        break;
      }
      if (c.closing) break;
    }
  }

  /** The output budget stopped a batch at command `from`: it and the rest of the read wait. */
  private deferFrom(c: Client, parsed: ParsedBatch, from: number): void {
    this.setAsideRest(c, parsed, from);
    c.flags |= CLIENT_OUTPUT_WAIT;
    // They were counted when batched; they will be again when they run.
    const notRun = this.batch.notRun;
    this.stats.totalCommands -= notRun;
    c.commandsProcessed -= notRun;
  }

  /** A client just parked: its commands after `from`, and whatever the decoder still holds, wait. */
  private setAsideRest(c: Client, parsed: ParsedBatch, from: number): void {
    const parts: Buffer[] = [];
    for (let i = from; i < parsed.count; i++) {
      const args = this.argsOf(parsed, i, 0);
      parts.push(Buffer.from(`*${args.length}\r\n`));
      for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from("\r\n"));
    }
    const tail = c.decoder.takePending();
    if (tail.length > 0) parts.push(tail);
    if (parts.length > 0) c.blockedInput.unshift(Buffer.concat(parts));
  }

  /** Runs one engine command for `c` on its own (a parked command's retry). */
  runAlone(c: Client, cmd: Command, args: Buffer[]): { reply: Buffer; flags: number } {
    this.stats.totalCommands++;
    const r = execOne(this.engine, cmd.id, args, c.db, c.proto);
    // WATCH: the batch reports its own commands; this path has to say so itself.
    if ((r.flags & CMD_DIRTY) !== 0 && this.batch.onDirty !== null) this.batch.onDirty(c.db, cmd.id, args);
    return r;
  }

  // ---- WATCH (host/multi.ts) -----------------------------------------------------------------
  /** Told of every engine command that changed the dataset, while set (someone WATCHes keys). */
  get dirtyHook(): DirtyHook | null {
    return this.batch.onDirty;
  }

  set dirtyHook(hook: DirtyHook | null) {
    this.batch.onDirty = hook;
  }

  /** A parked client got its reply (in its writer): send it, then process what it sent meanwhile. */
  release(c: Client): void {
    const w = c.reply;
    if (this.aof.enabled) this.aof.drain(); // the pop that served it was propagated
    if (w.length > 0 && !(c.flags & CLIENT_CLOSED)) this.send(c, w.take());
    w.reset();
    this.resumeSetAside(c);
  }

  /** Processes, on the next turn, the input set aside while the client was parked or waiting. */
  private resumeSetAside(c: Client): void {
    if (c.blockedInput.length === 0) return;
    c.flags |= CLIENT_RESUMING;
    setImmediate(() => {
      c.flags &= ~CLIENT_RESUMING;
      const input = Buffer.concat(c.blockedInput);
      c.blockedInput = [];
      c.bytesIn -= input.length; // counted when it first arrived
      this.stats.netInputBytes -= input.length;
      this.onData(c, input);
    });
  }

  /** Looks up, checks and runs (or batches) command `i` of the read. */
  private runOne(c: Client, parsed: ParsedBatch, i: number): void {
    const { data, argc, first, argOff, argLen } = parsed;
    const batch = this.batch;
    const stats = this.stats;
    const n = argc[i];
    const f = first[i];
    let cmd = lookupCommand(data, argOff[f], argLen[f]);
    if (cmd === undefined) {
      this.reject(c, unknownCommandError(this.argsOf(parsed, i, 0)));
      return;
    }
    if (cmd.subcommands !== null && n >= 2) {
      const sub = lookupSubcommand(cmd, data, argOff[f + 1], argLen[f + 1]);
      if (sub === undefined) {
        this.reject(c, unknownSubcommandError(cmd, data.subarray(argOff[f + 1], argOff[f + 1] + argLen[f + 1])));
        return;
      }
      cmd = sub;
    }
    const arity = cmd.arity;
    if (arity > 0 ? n !== arity : n < -arity) {
      this.reject(c, arityError(cmd));
      return;
    }
    if ((cmd.flags & FLAG_NO_AUTH) === 0 && !c.authenticated && this.requirePass !== "") {
      this.reject(c, "NOAUTH Authentication required.");
      return;
    }
    // Writes are refused while the AOF cannot be written (PING too, as in Redis).
    if (!this.aof.lastWriteOk && ((cmd.flags & FLAG_WRITE) !== 0 || cmd.name === "ping")) {
      this.reject(c, `MISCONF Errors writing to the AOF file: ${this.aof.lastWriteError}`);
      return;
    }
    if (this.loading && (cmd.flags & FLAG_LOADING) === 0) {
      this.reject(c, "LOADING Redis is loading the dataset in memory");
      return;
    }
    if ((c.flags & CLIENT_FILTERED) !== 0 && this.filter !== null) {
      if (!this.flush(c)) return;
      const ctx: CommandContext = { server: this, client: c, cmd, args: this.argsOf(parsed, i, 0), w: c.reply };
      if (this.filter.command(ctx)) return;
    }
    const plain = cmd.run === "engine" && (cmd.flags & FLAG_BLOCKING) === 0;
    // Anything but a plain engine command runs after the batch before it (and not at all now if
    // that batch stopped at the output budget).
    if (!plain && !this.flush(c)) return;
    c.lastCmd = cmd;
    stats.totalCommands++;
    c.commandsProcessed++;
    if (cmd.run === "engine") {
      if (plain) {
        batch.add(cmd.id, i);
        return;
      }
      // A blocking command runs in a batch of its own, so that its flags tell whether it blocked.
      batch.add(cmd.id, i);
      batch.exec(c.db, c.proto);
      if (batch.firstFlags() & CMD_BLOCKED) {
        this.blocking.park(c, cmd, this.argsOf(parsed, i, 0));
      } else if (batch.outLen > 0) {
        c.reply.raw(this.engine.u8().subarray(batch.outPtr, batch.outPtr + batch.outLen));
      }
    } else {
      // ---- maxmemory: engine commands are checked inside exec; host commands here ----
      if (this.engine.x.evictIfNeeded() !== 0 && (cmd.flags & FLAG_DENYOOM) !== 0) {
        this.reject(c, OOM_ERROR);
        return;
      }
      // ---- end maxmemory ----
      this.runHost(c, cmd, parsed, i);
    }
  }

  private reject(c: Client, error: string): void {
    // Stopped by the output budget: this command runs again, with the rest, later.
    if (!this.flush(c)) return;
    this.stats.rejectedCalls++;
    c.reply.error(error);
    if ((c.flags & CLIENT_FILTERED) !== 0 && this.filter !== null) this.filter.rejected(c, error);
  }

  /** Arguments of command `i` (from argument `from`) as Buffers that own their bytes. */
  private argsOf(parsed: ParsedBatch, i: number, from: number): Buffer[] {
    const f = parsed.first[i];
    const n = parsed.argc[i];
    const out: Buffer[] = new Array(n - from);
    for (let k = from; k < n; k++) {
      const off = parsed.argOff[f + k];
      out[k - from] = Buffer.from(parsed.data.subarray(off, off + parsed.argLen[f + k]));
    }
    return out;
  }

  private runHost(c: Client, cmd: Command, parsed: ParsedBatch, i: number): void {
    const handler = findHandler(cmd);
    if (handler === undefined) {
      // Declared "host" in the table but nobody wrote it yet: say so like any unknown command.
      c.reply.error(unknownCommandError(this.argsOf(parsed, i, 0)));
      return;
    }
    const ctx: CommandContext = { server: this, client: c, cmd, args: this.argsOf(parsed, i, 0), w: c.reply };
    handler(ctx);
  }

  /**
   * Executes the pending engine commands and appends their replies to the client's writer.
   * False when the output budget stopped it (batch.stoppedAt says where): nothing may run after.
   */
  private flush(c: Client): boolean {
    const batch = this.batch;
    if (batch.count === 0) return batch.stoppedAt < 0;
    const n = batch.exec(c.db, c.proto);
    if (n > 0) c.reply.raw(this.engine.u8().subarray(batch.outPtr, batch.outPtr + n));
    return batch.stoppedAt < 0;
  }

  /** Sends everything this read produced in one write, then applies close/backpressure. */
  private finishRead(c: Client): void {
    const batch = this.batch;
    const w = c.reply;
    let out: Buffer | null = null;
    if (batch.count > 0) {
      try {
        const n = batch.exec(c.db, c.proto);
        if (w.length === 0) {
          out = this.engine.copyOut(batch.outPtr, n); // fast path: engine replies only
        } else if (n > 0) {
          w.raw(this.engine.u8().subarray(batch.outPtr, batch.outPtr + n));
        }
        if (batch.stoppedAt >= 0) this.deferFrom(c, batch.read!, batch.stoppedAt);
      } catch (err) {
        // As in onData: an engine trap makes this read's replies unusable; the client goes.
        this.log.warning(`Internal error serving client id=${c.id}: ${(err as Error).stack ?? err}`);
        out = null;
        w.reset();
        w.error("ERR internal error");
        c.flags |= CLIENT_CLOSE_AFTER_REPLY;
      }
    }
    batch.end();
    if (this.aof.enabled) this.aof.drain();
    if (out === null && w.length > 0) {
      out = w.take();
      w.reset();
    }
    const socket = c.socket;
    if (out !== null && out.length > 0 && !(c.flags & CLIENT_CLOSED)) this.send(c, out);
    if (c.flags & CLIENT_CLOSE_AFTER_REPLY) {
      c.flags |= CLIENT_CLOSED;
      this.endClient(c);
      return;
    }
    const pending = socket.writableLength;
    if (pending > this.outputCheckAt) this.checkOutput(c, pending);
    // Set aside by the output budget: the rest runs once the socket drains ('drain'), or now if
    // everything was sent at once.
    if ((c.flags & CLIENT_OUTPUT_WAIT) !== 0 && pending === 0) {
      c.flags &= ~CLIENT_OUTPUT_WAIT;
      this.resumeSetAside(c);
    }
  }

  /**
   * Writes replies to the socket — or, under appendfsync always, holds them until the AOF bytes
   * they may depend on are on disk (host/aof/aof.ts sends them then, through sendHeld).
   */
  private send(c: Client, out: Buffer): void {
    if (this.aof.mustHold(c)) {
      this.aof.hold(c, out);
      return;
    }
    c.bytesOut += out.length;
    this.stats.netOutputBytes += out.length;
    c.socket.write(out);
  }

  /** The AOF reached the disk: the replies held for `c` go out (in one write). */
  sendHeld(c: Client): void {
    const held = c.held;
    c.held = null;
    if (held !== null && !c.socket.destroyed) {
      const out = held.length === 1 ? held[0] : Buffer.concat(held);
      c.bytesOut += out.length;
      this.stats.netOutputBytes += out.length;
      c.socket.write(out);
    }
    if (c.endAfterHeld) c.socket.end();
  }

  /** Ends the connection after the replies already written — and those still held. */
  private endClient(c: Client): void {
    if (c.held !== null) c.endAfterHeld = true;
    else c.socket.end();
  }

  private checkOutput(c: Client, pending: number): void {
    const hard = this.outputHard;
    if (hard > 0 && pending > hard) {
      this.log.warning(`Client id=${c.id} addr=${c.addr} scheduled to be closed for overcoming of output buffer limits.`);
      this.kill(c);
      return;
    }
    if (pending > this.highWater && !(c.flags & CLIENT_PAUSED_OUTPUT)) {
      c.flags |= CLIENT_PAUSED_OUTPUT;
      c.socket.pause();
    }
  }

  /** RESET: the connection's state as a new connection has it (hooks clear MULTI, pubsub…). */
  resetClient(c: Client): void {
    c.db = 0;
    c.setProto(2);
    c.name = "";
    if (this.requirePass !== "") c.setAuthenticated(false);
    for (const hook of this.resetHooks) hook(c);
  }

  // ---- cron --------------------------------------------------------------------------------
  private startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = this.config.int("hz");
    this.cronTimer = setInterval(() => this.cron(), Math.max(1, Math.floor(1000 / hz)));
    this.cronTimer.unref();
  }

  private cron(): void {
    const now = Date.now();
    this.cronTicks++;
    // Instantaneous ops/sec: a moving average of 16 samples, like Redis's INFO stats.
    const dt = now - this.opsLastMs;
    if (dt >= 100) {
      this.opsSamples[this.opsIdx] = ((this.stats.totalCommands - this.opsLastCount) * 1000) / dt;
      this.opsIdx = (this.opsIdx + 1) % this.opsSamples.length;
      this.opsLastCount = this.stats.totalCommands;
      this.opsLastMs = now;
    }
    const timeout = this.config.int("timeout");
    if (timeout > 0) {
      for (const c of this.clients.values()) {
        if (now - c.lastInteractionMs > timeout * 1000) {
          this.log.verbose(`Closing idle client id=${c.id}`);
          this.kill(c);
        }
      }
    }
    for (const hook of this.cronHooks) hook();
  }

  /** Commands per second over the last samples (INFO instantaneous_ops_per_sec). */
  instantaneousOps(): number {
    let sum = 0;
    for (const v of this.opsSamples) sum += v;
    return Math.round(sum / this.opsSamples.length);
  }

  // ---- lifecycle ---------------------------------------------------------------------------
  listen(port: number, host: string): Promise<number> {
    this.startCron();
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.net.once("error", onError);
      this.net.listen({ port, host, backlog: this.config.int("tcp-backlog") }, () => {
        this.net.off("error", onError);
        resolve((this.net.address() as net.AddressInfo).port);
      });
    });
  }

  /** SHUTDOWN: the process's own shutdown when run by main.ts, else close(). */
  shutdown(): void {
    if (this.exitHook) this.exitHook();
    else void this.close();
  }

  /** Stops accepting, closes every client (sending what is already queued), resolves when done. */
  close(): Promise<void> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      // Every write acknowledged or about to be is written and synced before clients go.
      this.aof.shutdown();
    }
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    for (const c of this.clients.values()) {
      c.flags |= CLIENT_CLOSED;
      c.socket.end();
      // A client that does not read its replies would hold the close forever.
      setTimeout(() => c.socket.destroy(), 500).unref();
    }
    return closed;
  }
}

const initialized = new WeakSet<Engine>();

/** Creates the engine's databases with unpredictable hash and random seeds (once per engine). */
function initEngine(engine: Engine, databases: number): void {
  if (initialized.has(engine)) return;
  initialized.add(engine);
  const init = engine.x.init as ((dbs: number, hashSeed: number, randomSeed: number) => void) | undefined;
  if (typeof init === "function") init(databases, randomInt(2 ** 32), randomInt(2 ** 32));
  pushDenyoomTable(engine);
}

// ---- maxmemory ---------------------------------------------------------------------------------
/** The reply to a command flagged denyoom when memory is over maxmemory and nothing can be evicted. */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/**
 * Tells the engine which command ids are flagged denyoom: it refuses those itself, per command
 * inside a batch, when eviction cannot get memory under maxmemory (assembly/evict.ts).
 */
export function pushDenyoomTable(engine: Engine): void {
  if (typeof engine.x.denyoomTable !== "function") return;
  const cmds: Command[] = [];
  for (const cmd of allCommands) cmds.push(cmd, ...(cmd.subcommands?.values() ?? []));
  let n = 0;
  for (const cmd of cmds) n = Math.max(n, cmd.id + 1);
  const ptr = engine.x.denyoomTable(n) >>> 0;
  const u8 = engine.u8();
  for (const cmd of cmds) if ((cmd.flags & FLAG_DENYOOM) !== 0) u8[ptr + cmd.id] = 1;
}
// ---- end maxmemory -----------------------------------------------------------------------------

export interface StartedServer {
  port: number;
  server: net.Server;
  wedis: WedisServer;
  close(): Promise<void>;
  /** Settles when the AOF is loaded (rejects, and the server closes, when it cannot be). */
  loaded: Promise<void>;
}

/** Starts a server in this process (tests, the benchmark and main.ts all go through here). */
export async function startServer(opts: ServerOptions = {}): Promise<StartedServer> {
  const config = new Config();
  const pairs = Array.isArray(opts.config) ? opts.config : Object.entries(opts.config ?? {});
  loadPairs(config, pairs.map(([k, v]) => [k.toLowerCase(), v]));
  if (opts.port !== undefined) config.load("port", String(opts.port));
  if (opts.bind !== undefined) config.load("bind", opts.bind);
  const log = new Logger();
  log.enabled = opts.log ?? false;
  const engine = opts.engine ?? Engine.load({ debug: opts.debug });
  const wedis = new WedisServer(config, engine, log, opts.outputHighWater);
  const host = listenAddress(config.get("bind"));
  const port = await wedis.listen(config.int("port"), host);
  const loaded = wedis.startPersistence();
  if (opts.waitLoading !== false) {
    try {
      await loaded;
    } catch (err) {
      await wedis.close();
      throw err;
    }
  } else loaded.catch(() => void wedis.close());
  return { port, server: wedis.net, wedis, close: () => wedis.close(), loaded };
}

/** The address to listen on from a `bind` value: its first address ("*" = all interfaces). */
export function listenAddress(bind: string): string {
  const first = bind.trim().split(/\s+/)[0] ?? "127.0.0.1";
  const addr = first.startsWith("-") ? first.slice(1) : first;
  if (addr === "*" || addr === "") return "0.0.0.0";
  if (addr === "::*") return "::";
  return addr;
}
