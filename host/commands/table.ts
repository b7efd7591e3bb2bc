// The command table at run time: built once from the generated JSON (commands/*.json) into
// Command records the server dispatches on.
//
// Lookup runs for every command the server receives, on the raw bytes of argv[0] as they sit in
// the socket buffer. It must not create a JS string: the name is hashed byte by byte with ASCII
// letters folded to lower case, the hash picks a slot of an open-addressed index, and the
// candidate's stored lower-case name is compared byte by byte. Names are short, so this costs a
// few dozen operations and no allocation.
//
// Key positions. Redis describes keys with "key specs" (where the search begins, how keys are
// found from there) and also prints an older (first, last, step) triple in COMMAND INFO. Redis
// derives that triple from the key specs, and so do we, with the same rules: a single
// index+range spec is used as is; otherwise consecutive step-1 index+range specs are merged and
// anything else marks the command "movablekeys". The result must match Redis's COMMAND INFO
// byte for byte, which the tests check against values recorded from a real Redis 7.0.
import type { CommandJson, KeySpecJson } from "./spec.js";
import { COMMAND_JSON } from "./table.generated.js";

// ---- flags ------------------------------------------------------------------------------------
// Bit values are ours; their order is the order in which Redis prints them in COMMAND INFO.
export const FLAG_WRITE = 1 << 0;
export const FLAG_READONLY = 1 << 1;
export const FLAG_DENYOOM = 1 << 2;
export const FLAG_MODULE = 1 << 3;
export const FLAG_ADMIN = 1 << 4;
export const FLAG_PUBSUB = 1 << 5;
export const FLAG_NOSCRIPT = 1 << 6;
export const FLAG_BLOCKING = 1 << 7;
export const FLAG_LOADING = 1 << 8;
export const FLAG_STALE = 1 << 9;
export const FLAG_SKIP_MONITOR = 1 << 10;
export const FLAG_SKIP_SLOWLOG = 1 << 11;
export const FLAG_ASKING = 1 << 12;
export const FLAG_FAST = 1 << 13;
export const FLAG_NO_AUTH = 1 << 14;
export const FLAG_MAY_REPLICATE = 1 << 15;
export const FLAG_NO_MANDATORY_KEYS = 1 << 16;
export const FLAG_NO_ASYNC_LOADING = 1 << 17;
export const FLAG_NO_MULTI = 1 << 18;
export const FLAG_MOVABLE_KEYS = 1 << 19;
export const FLAG_ALLOW_BUSY = 1 << 20;

/** Flag names as COMMAND INFO prints them, in print order. */
export const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ["write", FLAG_WRITE],
  ["readonly", FLAG_READONLY],
  ["denyoom", FLAG_DENYOOM],
  ["module", FLAG_MODULE],
  ["admin", FLAG_ADMIN],
  ["pubsub", FLAG_PUBSUB],
  ["noscript", FLAG_NOSCRIPT],
  ["blocking", FLAG_BLOCKING],
  ["loading", FLAG_LOADING],
  ["stale", FLAG_STALE],
  ["skip_monitor", FLAG_SKIP_MONITOR],
  ["skip_slowlog", FLAG_SKIP_SLOWLOG],
  ["asking", FLAG_ASKING],
  ["fast", FLAG_FAST],
  ["no_auth", FLAG_NO_AUTH],
  ["may_replicate", FLAG_MAY_REPLICATE],
  ["no_mandatory_keys", FLAG_NO_MANDATORY_KEYS],
  ["no_async_loading", FLAG_NO_ASYNC_LOADING],
  ["no_multi", FLAG_NO_MULTI],
  ["movablekeys", FLAG_MOVABLE_KEYS],
  ["allow_busy", FLAG_ALLOW_BUSY],
];

/** ACL categories in the order Redis numbers (and prints) them; bit i is ACL_CATEGORIES[i]. */
export const ACL_CATEGORIES: readonly string[] = [
  "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
  "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
  "connection", "transaction", "scripting",
];

export function aclCategoryBit(name: string): number {
  const i = ACL_CATEGORIES.indexOf(name.toLowerCase());
  return i < 0 ? 0 : 1 << i;
}

export function flagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [name, bit] of FLAG_NAMES) if (flags & bit) out.push(name);
  return out;
}

// ---- the record -------------------------------------------------------------------------------
export interface Command {
  id: number;
  /** Lower case, as in the table and in Redis's error messages: "get", "config|get". */
  name: string;
  /** Upper case with a space, as a person types it: "GET", "CONFIG GET". */
  displayName: string;
  arity: number;
  flags: number;
  /** Bit i set for ACL_CATEGORIES[i]. */
  acl: number;
  /** Legacy key range as COMMAND INFO prints it (last < 0 counts from the end). */
  firstKey: number;
  lastKey: number;
  step: number;
  run: "engine" | "host";
  parent: Command | null;
  subcommands: Map<string, Command> | null;
  json: CommandJson;
}

// ---- byte-level name index --------------------------------------------------------------------
// ASCII case folding by table: one load per byte on the hot path.
const LOWER = new Uint8Array(256).map((_, b) => (b >= 65 && b <= 90 ? b | 0x20 : b));

function lower(b: number): number {
  return LOWER[b];
}

function hashBytes(buf: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5 ^ len;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ LOWER[buf[off + i]], 0x01000193);
  return h >>> 0;
}

/** Open-addressed map from a case-folded byte name to a Command. */
class NameIndex {
  private readonly slots: Int32Array;
  private readonly names: Uint8Array[] = [];
  private readonly cmds: Command[] = [];
  private readonly mask: number;

  constructor(entries: Iterable<[string, Command]>) {
    const list = [...entries];
    let size = 8;
    while (size < list.length * 4) size <<= 1;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (const [name, cmd] of list) {
      const bytes = Buffer.from(name.toLowerCase(), "latin1");
      let s = hashBytes(bytes, 0, bytes.length) & this.mask;
      while (this.slots[s] >= 0) s = (s + 1) & this.mask;
      this.slots[s] = this.names.length;
      this.names.push(bytes);
      this.cmds.push(cmd);
    }
  }

  get(buf: Uint8Array, off: number, len: number): Command | undefined {
    let s = hashBytes(buf, off, len) & this.mask;
    for (;;) {
      const i = this.slots[s];
      if (i < 0) return undefined;
      const name = this.names[i];
      if (name.length === len) {
        let j = 0;
        while (j < len && LOWER[buf[off + j]] === name[j]) j++;
        if (j === len) return this.cmds[i];
      }
      s = (s + 1) & this.mask;
    }
  }
}

// ---- legacy key range -------------------------------------------------------------------------
interface LegacyRange {
  first: number;
  last: number;
  step: number;
  movable: boolean;
}

function isIndexRange(ks: KeySpecJson): boolean {
  return ks.begin_search.index !== undefined && ks.find_keys.range !== undefined;
}

/** Redis's derivation of (first, last, step) from the key specs; see the essay at the top. */
function legacyRange(specs: KeySpecJson[]): LegacyRange {
  if (specs.length === 0) return { first: 0, last: 0, step: 0, movable: false };
  const printLast = (pos: number, lastkey: number) => (lastkey < 0 ? lastkey : pos + lastkey);
  if (specs.length === 1 && isIndexRange(specs[0])) {
    const pos = specs[0].begin_search.index!.pos;
    const r = specs[0].find_keys.range!;
    return { first: pos, last: printLast(pos, r.lastkey), step: r.step, movable: specs[0].flags.includes("incomplete") };
  }
  let first = Infinity;
  // Absolute last key; negative values count from the end and beat any positive one, as in
  // Redis's unsigned comparison.
  let last = 0;
  let prevLast = 0;
  let movable = false;
  for (const ks of specs) {
    if (!isIndexRange(ks)) {
      movable = true;
      continue;
    }
    const pos = ks.begin_search.index!.pos;
    const r = ks.find_keys.range!;
    if (r.step !== 1 || (prevLast !== 0 && prevLast !== pos - 1)) {
      movable = true;
      continue;
    }
    if (ks.flags.includes("incomplete")) movable = true;
    first = Math.min(first, pos);
    const abs = r.lastkey >= 0 ? r.lastkey + pos : r.lastkey;
    if (abs >>> 0 > last >>> 0) last = abs;
    prevLast = last;
  }
  if (first === Infinity) return { first: 0, last: 0, step: 0, movable: true };
  return { first, last, step: 1, movable };
}

// ---- building ---------------------------------------------------------------------------------
function makeCommand(json: CommandJson, parent: Command | null): Command {
  let flags = 0;
  for (const f of json.flags) {
    const entry = FLAG_NAMES.find(([n]) => n === f);
    if (!entry) throw new Error(`command table: '${json.name}' has unknown flag '${f}'`);
    flags |= entry[1];
  }
  let acl = 0;
  for (const c of json.acl_categories ?? []) {
    const bit = aclCategoryBit(c);
    if (!bit) throw new Error(`command table: '${json.name}' has unknown ACL category '${c}'`);
    acl |= bit;
  }
  const range = legacyRange(json.key_specs ?? []);
  if (range.movable) flags |= FLAG_MOVABLE_KEYS;
  const cmd: Command = {
    id: json.id,
    name: json.name,
    displayName: json.name.toUpperCase().replace("|", " "),
    arity: json.arity,
    flags,
    acl,
    firstKey: range.first,
    lastKey: range.last,
    step: range.step,
    // A container runs where its subcommands run (it only answers arity errors itself).
    run: json.run ?? Object.values(json.subcommands ?? {})[0]?.run ?? "host",
    parent,
    subcommands: null,
    json,
  };
  if (json.subcommands) {
    cmd.subcommands = new Map();
    for (const [sub, subJson] of Object.entries(json.subcommands)) {
      cmd.subcommands.set(sub, makeCommand(subJson, cmd));
    }
  }
  return cmd;
}

/** A table built from a list of command JSON entries (the generated one, or any other list). */
export class CommandTable {
  /** Top-level commands, in table order. */
  readonly all: Command[];
  /** Every command and subcommand by id. */
  readonly byId: (Command | undefined)[] = [];
  private readonly index: NameIndex;
  private readonly subIndex = new Map<Command, NameIndex>();
  private readonly byFullName = new Map<string, Command>();

  constructor(json: CommandJson[]) {
    this.all = json.map((j) => makeCommand(j, null));
    for (const cmd of this.all) {
      this.register(cmd);
      if (cmd.subcommands) {
        for (const sub of cmd.subcommands.values()) this.register(sub);
        this.subIndex.set(cmd, new NameIndex(cmd.subcommands.entries()));
      }
    }
    this.index = new NameIndex(this.all.map((c) => [c.name, c] as [string, Command]));
  }

  private register(cmd: Command): void {
    if (this.byFullName.has(cmd.name)) throw new Error(`command table: '${cmd.name}' declared twice`);
    if (this.byId[cmd.id]) throw new Error(`command table: id ${cmd.id} used twice`);
    this.byFullName.set(cmd.name, cmd);
    this.byId[cmd.id] = cmd;
  }

  lookup(buf: Uint8Array, off: number, len: number): Command | undefined {
    return this.index.get(buf, off, len);
  }

  lookupSub(parent: Command, buf: Uint8Array, off: number, len: number): Command | undefined {
    return this.subIndex.get(parent)?.get(buf, off, len);
  }

  /** "get" or "config|get", any case. */
  byName(name: string): Command | undefined {
    return this.byFullName.get(name.toLowerCase());
  }

  /**
   * The command an argv names, the way COMMAND GETKEYS and COMMAND INFO resolve it: argv[0],
   * or, for a container given a second argument, that subcommand (undefined if unknown).
   */
  resolve(args: Uint8Array[]): Command | undefined {
    if (args.length === 0) return undefined;
    const base = this.lookup(args[0], 0, args[0].length);
    if (!base || !base.subcommands || args.length < 2) return base;
    return this.lookupSub(base, args[1], 0, args[1].length);
  }
}

export const defaultTable = new CommandTable(COMMAND_JSON);

/** Top-level commands of the server's table. */
export const allCommands: Command[] = defaultTable.all;

/** Case-insensitive lookup of a top-level command by the bytes of its name. */
export function lookupCommand(buf: Uint8Array, off: number, len: number): Command | undefined {
  return defaultTable.lookup(buf, off, len);
}

export function lookupSubcommand(parent: Command, buf: Uint8Array, off: number, len: number): Command | undefined {
  return defaultTable.lookupSub(parent, buf, off, len);
}

export function commandByName(name: string): Command | undefined {
  return defaultTable.byName(name);
}

// ---- keys of a command line -------------------------------------------------------------------
export interface KeyRef {
  pos: number;
  /** The key spec's flags as COMMAND GETKEYSANDFLAGS prints them. */
  flags: string[];
}

function isGetToken(b: Uint8Array): boolean {
  return b.length === 3 && lower(b[0]) === 0x67 && lower(b[1]) === 0x65 && lower(b[2]) === 0x74;
}

// Commands whose key flags depend on their arguments ("variable_flags" key specs) resolve them
// here. SET reads the old value only when GET is among its options.
const variableFlags: Record<string, (args: Uint8Array[]) => string[]> = {
  set(args) {
    for (let i = 3; i < args.length; i++) if (isGetToken(args[i])) return ["RW", "access", "update"];
    return ["OW", "update"];
  },
};

/** Parses a decimal integer argument strictly (as Redis's string2ll does); NaN if not one. */
function parseCount(b: Uint8Array): number {
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
  return /^(0|-?[1-9][0-9]{0,15})$/.test(s) ? Number(s) : NaN;
}

/**
 * Positions (in `args`, where args[0] is the command name) and flags of the keys of a command
 * line, following the key specs. As in Redis, a key spec that points outside the arguments (or
 * a malformed key count) makes the whole answer empty, while a keyword that is absent only
 * skips its spec.
 */
export function getKeysAndFlags(cmd: Command, args: Uint8Array[]): KeyRef[] {
  const finder = Object.hasOwn(keyFinders, cmd.name) ? keyFinders[cmd.name] : undefined;
  if (finder) return finder(args);
  const out: KeyRef[] = [];
  const argc = args.length;
  for (const ks of cmd.json.key_specs ?? []) {
    let first = -1;
    const bs = ks.begin_search;
    if (bs.index) {
      first = bs.index.pos;
    } else if (bs.keyword) {
      const kw = Buffer.from(bs.keyword.keyword.toLowerCase(), "latin1");
      const matches = (a: Uint8Array) => a.length === kw.length && a.every((b, i) => lower(b) === kw[i]);
      const from = bs.keyword.startfrom;
      if (from >= 0) {
        for (let i = from; i < argc; i++) if (matches(args[i])) { first = i + 1; break; }
      } else {
        for (let i = argc + from; i > 0; i--) if (matches(args[i])) { first = i + 1; break; }
      }
      if (first < 0) continue;
    } else {
      continue;
    }
    let last: number;
    let step: number;
    const fk = ks.find_keys;
    if (fk.range) {
      const { lastkey, limit } = fk.range;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
      step = fk.range.step;
    } else if (fk.keynum) {
      if (first + fk.keynum.keynumidx >= argc) return [];
      const n = parseCount(args[first + fk.keynum.keynumidx]);
      if (!(n >= 0)) return [];
      first += fk.keynum.firstkey;
      last = first + n - 1;
      step = fk.keynum.step;
    } else {
      continue;
    }
    if (last >= argc || last < first || first >= argc) return [];
    const resolve = ks.flags.includes("variable_flags") && Object.hasOwn(variableFlags, cmd.name) ? variableFlags[cmd.name] : undefined;
    const flags = resolve ? resolve(args) : ks.flags;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags });
  }
  return out;
}

const lowerEq = (a: Uint8Array, word: string) => a.length === word.length && a.every((b, i) => lower(b) === word.charCodeAt(i));

// Commands whose keys hide behind "unknown" key specs get a finder of their own, as in Redis.
const keyFinders: Record<string, (args: Uint8Array[]) => KeyRef[]> = {
  // SORT key [BY p] [LIMIT o c] [GET p …] [ASC|DESC] [ALPHA] [STORE dst]: the key, and the last
  // STORE destination (BY/GET patterns are not keys of their own).
  sort(args) {
    const out: KeyRef[] = [{ pos: 1, flags: ["RO", "access"] }];
    let store = -1;
    for (let i = 2; i < args.length; i++) {
      if (lowerEq(args[i], "limit")) i += 2;
      else if (lowerEq(args[i], "get") || lowerEq(args[i], "by")) i += 1;
      else if (lowerEq(args[i], "store") && i + 1 < args.length) store = ++i;
    }
    if (store > 0) out.push({ pos: store, flags: ["OW", "update"] });
    return out;
  },
};

/** Positions of the keys of a command line (args[0] is the command name). */
export function getKeys(cmd: Command, args: Uint8Array[]): number[] {
  return getKeysAndFlags(cmd, args).map((k) => k.pos);
}

/** True when some key spec names real keys (COMMAND GETKEYS refuses commands without). */
export function commandHasKeys(cmd: Command): boolean {
  return (cmd.json.key_specs ?? []).some((ks) => !ks.flags.includes("not_key"));
}

// ---- error strings ----------------------------------------------------------------------------
// Redis formats these with C's "%.128s" (stop at 128 bytes or at a NUL byte) and then turns
// CR and LF into spaces so the error stays one RESP line.
function cText(b: Uint8Array, max: number): Buffer {
  let n = 0;
  while (n < b.length && n < max && b[n] !== 0) n++;
  return Buffer.from(b.buffer, b.byteOffset, n);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}

export function arityError(cmd: Command): string {
  return `ERR wrong number of arguments for '${cmd.name}' command`;
}

/** Lists the first arguments until the list reaches 128 bytes, each cut to what fits. */
export function unknownCommandError(args: Uint8Array[]): string {
  const parts: Buffer[] = [];
  let used = 0;
  for (let i = 1; i < args.length && used < 128; i++) {
    const text = cText(args[i], 128 - used);
    parts.push(Buffer.from("'"), text, Buffer.from("' "));
    used += text.length + 3;
  }
  const name = args.length > 0 ? cText(args[0], 128).toString() : "";
  return oneLine(`ERR unknown command '${name}', with args beginning with: ${Buffer.concat(parts).toString()}`);
}

export function unknownSubcommandError(parent: Command, sub: Uint8Array): string {
  return oneLine(`ERR unknown subcommand '${cText(sub, 128).toString()}'. Try ${parent.name.toUpperCase()} HELP.`);
}
