// The configuration registry: every parameter the server knows, with Redis 7.0's default, how a
// value is checked and put in canonical form, and an optional hook that applies a change to the
// running server.
//
// Values are kept as canonical strings, the form CONFIG GET shows (memory sizes in bytes, enums
// in lower case, booleans as yes/no), and typed accessors read them. Keeping one representation
// means CONFIG GET, CONFIG REWRITE and INFO all print exactly what was validated, and a hook sees
// the same value whichever way it was set (config file, --flag, CONFIG SET).
//
// Errors come in two forms, because Redis words them differently by source: `reason` is the bare
// explanation ("argument must be a memory value") used for config-file errors, and setConfig()
// wraps it the way CONFIG SET replies.

export type ConfigType = "bool" | "int" | "memory" | "enum" | "string" | "special";

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Canonical default, as CONFIG GET shows it on a Redis 7.0 started without a config file. */
  default: string;
  min?: number;
  max?: number;
  values?: string[];
  /** Enum values of ours, accepted but left out of the error's list (which stays Redis's). */
  extraValues?: string[];
  /** Only settable at startup (config file or command line). */
  immutable?: boolean;
  /** Redis 7.0 refuses these at runtime unless enable-protected-configs is set. */
  protected?: boolean;
  /** For "special" types (and extra checks): returns the canonical value or throws a reason. */
  parse?: (value: string) => string;
}

/** Called after a value changed; returns a reason to refuse (the old value is then restored). */
export type ApplyHook = (value: string, old: string) => string | null | void;

const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;
const LLONG_MAX = Number.MAX_SAFE_INTEGER; // beyond 2^53 a JS number cannot hold it exactly anyway

/** Parses a Redis memory value: digits with an optional unit b k kb m mb g gb (any case). */
export function parseMemory(s: string): number | null {
  const m = /^(\d+)([a-z]*)$/i.exec(s);
  if (!m) return null;
  const units: Record<string, number> = {
    "": 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3,
  };
  const mul = units[m[2].toLowerCase()];
  if (mul === undefined) return null;
  const n = Number(m[1]) * mul;
  return Number.isSafeInteger(n) ? n : null;
}

/** Strict decimal integer, as Redis's string2ll accepts it (no spaces, no '+', no leading zeros). */
export function parseInteger(s: string): number | null {
  if (!/^(0|-?[1-9]\d*)$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function parseSave(v: string): string {
  const parts = v.trim() === "" ? [] : v.trim().split(/\s+/);
  if (parts.length % 2 !== 0) throw new Error("Invalid save parameters");
  for (const p of parts) if (parseInteger(p) === null || Number(p) < 0) throw new Error("Invalid save parameters");
  return parts.join(" ");
}

/** appendfilename and appenddirname name an entry of `dir`, never a path (Redis's check). */
function baseName(name: string): (v: string) => string {
  return (v) => {
    if (v === "" || v.includes("/")) throw new Error(`${name} can't be a path, just a filename`);
    return v;
  };
}

const OUTPUT_CLASSES = ["normal", "slave", "pubsub"];

function parseOutputLimit(v: string, current: string): string {
  const parts = v.trim().split(/\s+/).filter((p) => p !== "");
  if (parts.length === 0 || parts.length % 4 !== 0) throw new Error("Wrong number of arguments in buffer limit configuration.");
  const limits = new Map<string, string[]>();
  const cur = current.split(" ");
  for (let i = 0; i < cur.length; i += 4) limits.set(cur[i], cur.slice(i + 1, i + 4));
  for (let i = 0; i < parts.length; i += 4) {
    let cls = parts[i].toLowerCase();
    if (cls === "replica") cls = "slave";
    if (!OUTPUT_CLASSES.includes(cls)) throw new Error("Invalid client class specified in buffer limit configuration.");
    const hard = parseMemory(parts[i + 1]);
    const soft = parseMemory(parts[i + 2]);
    const secs = parseInteger(parts[i + 3]);
    if (hard === null || soft === null || secs === null || secs < 0) {
      throw new Error("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    limits.set(cls, [String(hard), String(soft), String(secs)]);
  }
  return OUTPUT_CLASSES.map((c) => [c, ...(limits.get(c) ?? ["0", "0", "0"])].join(" ")).join(" ");
}

const b = (name: string, def: "yes" | "no", extra: Partial<ConfigDef> = {}): ConfigDef => ({ name, type: "bool", default: def, ...extra });
const i = (name: string, def: number, min: number, max: number, extra: Partial<ConfigDef> = {}): ConfigDef => ({
  name, type: "int", default: String(def), min, max, ...extra,
});
const mem = (name: string, def: number, min: number, max: number, extra: Partial<ConfigDef> = {}): ConfigDef => ({
  name, type: "memory", default: String(def), min, max, ...extra,
});
const e = (name: string, def: string, values: string[], extra: Partial<ConfigDef> = {}): ConfigDef => ({
  name, type: "enum", default: def, values, ...extra,
});
const s = (name: string, def: string, extra: Partial<ConfigDef> = {}): ConfigDef => ({ name, type: "string", default: def, ...extra });

/** Every parameter, Redis 7.0 defaults. */
export const CONFIG_DEFS: ConfigDef[] = [
  i("port", 6379, 0, 65535),
  // Redis binds "* -::*" without a config file; we default to loopback like the shipped redis.conf.
  s("bind", "127.0.0.1"),
  s("requirepass", ""),
  i("maxclients", 10000, 1, UINT_MAX),
  i("timeout", 0, 0, INT_MAX),
  i("tcp-keepalive", 300, 0, INT_MAX),
  i("tcp-backlog", 511, 0, INT_MAX, { immutable: true }),
  i("databases", 16, 1, INT_MAX, { immutable: true }),
  i("hz", 10, 0, INT_MAX),
  b("dynamic-hz", "yes"),
  e("loglevel", "notice", ["debug", "verbose", "notice", "warning"]),
  s("logfile", "", { immutable: true }),
  s("pidfile", "", { immutable: true }),
  b("daemonize", "no", { immutable: true }),
  s("dir", process.cwd(), { protected: true }),
  s("dbfilename", "dump.rdb", { protected: true }),
  { name: "save", type: "special", default: "3600 1 300 100 60 10000", parse: parseSave },
  b("rdbcompression", "yes"),
  b("rdbchecksum", "yes"),
  b("stop-writes-on-bgsave-error", "yes"),
  b("appendonly", "no"),
  e("appendfsync", "everysec", ["always", "everysec", "no"]),
  s("appendfilename", "appendonly.aof", { immutable: true, parse: baseName("appendfilename") }),
  s("appenddirname", "appendonlydir", { immutable: true, parse: baseName("appenddirname") }),
  // Accepted for compatibility; Wedis always writes the base in AOF form (host/aof/).
  b("aof-use-rdb-preamble", "yes"),
  b("aof-load-truncated", "yes"),
  b("aof-timestamp-enabled", "no"),
  b("aof-rewrite-incremental-fsync", "yes"),
  b("aof-disable-auto-gc", "no"),
  b("no-appendfsync-on-rewrite", "no"),
  i("auto-aof-rewrite-percentage", 100, 0, INT_MAX),
  mem("auto-aof-rewrite-min-size", 67108864, 0, LLONG_MAX),
  mem("proto-max-bulk-len", 536870912, 1024 * 1024, LLONG_MAX),
  mem("client-query-buffer-limit", 1073741824, 1024 * 1024, LLONG_MAX),
  mem("maxmemory", 0, 0, LLONG_MAX),
  e("maxmemory-policy", "noeviction", [
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction",
  ], { extraValues: ["simple-first"] }), // ours: evict keys in table order (assembly/evict.ts)
  i("maxmemory-samples", 5, 1, INT_MAX),
  i("maxmemory-eviction-tenacity", 10, 0, 100),
  i("lfu-log-factor", 10, 0, INT_MAX),
  i("lfu-decay-time", 1, 0, INT_MAX),
  i("active-expire-effort", 1, 1, 10),
  b("activerehashing", "yes"),
  b("lazyfree-lazy-eviction", "no"),
  b("lazyfree-lazy-expire", "no"),
  b("lazyfree-lazy-server-del", "no"),
  b("lazyfree-lazy-user-del", "no"),
  b("lazyfree-lazy-user-flush", "no"),
  b("protected-mode", "yes"),
  {
    name: "client-output-buffer-limit",
    type: "special",
    default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  },
  i("slowlog-log-slower-than", 10000, -1, LLONG_MAX),
  i("slowlog-max-len", 128, 0, LLONG_MAX),
  i("latency-monitor-threshold", 0, 0, LLONG_MAX),
  b("latency-tracking", "yes"),
  s("notify-keyspace-events", ""),
  i("hash-max-listpack-entries", 512, 0, LLONG_MAX),
  mem("hash-max-listpack-value", 64, 0, LLONG_MAX),
  i("list-max-listpack-size", -2, -5, INT_MAX),
  i("list-compress-depth", 0, 0, INT_MAX),
  i("set-max-intset-entries", 512, 0, LLONG_MAX),
  i("zset-max-listpack-entries", 128, 0, LLONG_MAX),
  mem("zset-max-listpack-value", 64, 0, LLONG_MAX),
  i("io-threads", 1, 1, 128, { immutable: true }),
  b("always-show-logo", "no", { immutable: true }),
  b("set-proc-title", "yes", { immutable: true }),
  e("enable-debug-command", "no", ["no", "yes", "local"], { immutable: true }),
];

function globMatch(pattern: string, str: string): boolean {
  // Case-insensitive glob (*, ?, [set], \x) as CONFIG GET matches names; small recursive form
  // is fine for parameter names.
  const p = pattern.toLowerCase();
  const t = str.toLowerCase();
  const go = (pi: number, si: number): boolean => {
    while (pi < p.length) {
      const c = p[pi];
      if (c === "*") {
        while (p[pi + 1] === "*") pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= t.length; k++) if (go(pi + 1, k)) return true;
        return false;
      }
      if (si >= t.length) return false;
      if (c === "?") {
        pi++;
        si++;
        continue;
      }
      if (c === "[") {
        let j = pi + 1;
        const not = p[j] === "^";
        if (not) j++;
        let hit = false;
        while (j < p.length && p[j] !== "]") {
          if (p[j] === "\\" && j + 1 < p.length) {
            if (p[j + 1] === t[si]) hit = true;
            j += 2;
          } else if (p[j + 1] === "-" && j + 2 < p.length && p[j + 2] !== "]") {
            let lo = p[j], hi = p[j + 2];
            if (lo > hi) [lo, hi] = [hi, lo];
            if (t[si] >= lo && t[si] <= hi) hit = true;
            j += 3;
          } else {
            if (p[j] === t[si]) hit = true;
            j++;
          }
        }
        if (hit === not) return false;
        pi = j + 1;
        si++;
        continue;
      }
      if (c === "\\" && pi + 1 < p.length) {
        if (p[pi + 1] !== t[si]) return false;
        pi += 2;
        si++;
        continue;
      }
      if (c !== t[si]) return false;
      pi++;
      si++;
    }
    return si === t.length;
  };
  return go(0, 0);
}

export class Config {
  private readonly defs = new Map<string, ConfigDef>();
  private readonly values = new Map<string, string>();
  private readonly hooks = new Map<string, ApplyHook[]>();

  constructor(defs: ConfigDef[] = CONFIG_DEFS) {
    for (const d of defs) {
      this.defs.set(d.name, d);
      this.values.set(d.name, d.default);
    }
  }

  has(name: string): boolean {
    return this.defs.has(name.toLowerCase());
  }

  /** Canonical value of `name` (which must exist). */
  get(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`config: no parameter '${name}'`);
    return v;
  }

  int(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /** CONFIG GET: every [name, value] whose name matches the glob `pattern` (case-insensitive). */
  getConfig(pattern: string): [string, string][] {
    const out: [string, string][] = [];
    const exact = this.values.get(pattern.toLowerCase());
    if (exact !== undefined && !/[*?[\\]/.test(pattern)) return [[pattern.toLowerCase(), exact]];
    for (const [name, value] of this.values) if (globMatch(pattern, name)) out.push([name, value]);
    return out;
  }

  /** Registers a hook run after `name` changes at runtime (and once at startup via applyAll()). */
  onChange(name: string, hook: ApplyHook): void {
    const list = this.hooks.get(name) ?? [];
    list.push(hook);
    this.hooks.set(name, list);
  }

  /** Checks `value` for `name` and returns its canonical form; throws Error(reason). */
  normalize(name: string, value: string): string {
    const d = this.defs.get(name);
    if (!d) throw new Error("Bad directive or wrong number of arguments");
    switch (d.type) {
      case "bool": {
        const v = value.toLowerCase();
        if (v !== "yes" && v !== "no") throw new Error("argument must be 'yes' or 'no'");
        return v;
      }
      case "int": {
        const n = parseInteger(value);
        if (n === null) throw new Error("argument couldn't be parsed into an integer");
        return String(this.bounded(d, n));
      }
      case "memory": {
        const n = parseMemory(value);
        if (n === null) throw new Error("argument must be a memory value");
        return String(this.bounded(d, n));
      }
      case "enum": {
        const v = value.toLowerCase();
        if (!d.values!.includes(v) && !d.extraValues?.includes(v)) throw new Error(`argument(s) must be one of the following: ${d.values!.join(", ")}`);
        return v;
      }
      case "string":
        return d.parse ? d.parse(value) : value;
      case "special":
        if (d.name === "client-output-buffer-limit") return parseOutputLimit(value, this.get(d.name));
        return d.parse!(value);
    }
  }

  private bounded(d: ConfigDef, n: number): number {
    if (n < d.min! || n > d.max!) {
      // Our largest bound stands for C's LLONG_MAX; say it the way Redis does.
      const max = d.max === LLONG_MAX ? "9223372036854775807" : String(d.max);
      throw new Error(`argument must be between ${d.min} and ${max} inclusive`);
    }
    if (d.name === "hz") return Math.min(Math.max(n, 1), 500); // Redis clamps rather than refusing
    return n;
  }

  /**
   * Sets a parameter at startup (config file, command line): immutable ones allowed. Returns the
   * reason on failure, null on success. Hooks are not run: the server applies everything once
   * it starts.
   */
  load(name: string, value: string): string | null {
    const key = name.toLowerCase();
    try {
      this.values.set(key, this.normalize(key, value));
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** CONFIG SET of one parameter: returns the error line to reply (without '-'), or null. */
  setConfig(name: string, value: string): string | null {
    return this.setConfigMany([[name, value]]);
  }

  /**
   * CONFIG SET of several parameters, all or nothing as in Redis 7: every value is checked before
   * any is applied, and if a hook refuses, the ones already applied are restored.
   */
  setConfigMany(pairs: [string, string][]): string | null {
    const fail = (name: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
    const seen = new Set<string>();
    const planned: [string, string][] = [];
    for (const [rawName, value] of pairs) {
      const name = rawName.toLowerCase();
      const d = this.defs.get(name);
      if (!d) return `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
      if (seen.has(name)) return fail(rawName, "duplicate parameter");
      seen.add(name);
      if (d.immutable) return fail(rawName, "can't set immutable config");
      if (d.protected) return fail(rawName, "can't set protected config");
      try {
        planned.push([name, this.normalize(name, value)]);
      } catch (err) {
        return fail(rawName, (err as Error).message);
      }
    }
    const done: [string, string][] = [];
    for (const [name, value] of planned) {
      const old = this.get(name);
      this.values.set(name, value);
      done.push([name, old]);
      const reason = this.runHooks(name, value, old);
      if (reason) {
        for (const [n, o] of done.reverse()) {
          const now = this.get(n);
          this.values.set(n, o);
          if (n !== name) this.runHooks(n, o, now);
        }
        return fail(name, reason);
      }
    }
    return null;
  }

  private runHooks(name: string, value: string, old: string): string | null {
    for (const hook of this.hooks.get(name) ?? []) {
      const r = hook(value, old);
      if (r) return r;
    }
    return null;
  }

  /** Every parameter's name, in registry order. */
  names(): string[] {
    return [...this.defs.keys()];
  }

  /** Hard limit of the client-output-buffer-limit class `cls` (0 = none). */
  outputLimit(cls: "normal" | "slave" | "pubsub"): { hard: number; soft: number; seconds: number } {
    const parts = this.get("client-output-buffer-limit").split(" ");
    const k = parts.indexOf(cls);
    return { hard: Number(parts[k + 1]), soft: Number(parts[k + 2]), seconds: Number(parts[k + 3]) };
  }
}

/**
 * Reads Redis config-file text: `name arg arg…` lines, `#` comments, arguments optionally in
 * double quotes (with \n \r \t \" \\ \xHH escapes) or single quotes. Repeated `save` lines and
 * multi-argument directives are joined with spaces, the way Redis folds them into one value.
 * Returns [name, value] pairs in file order, or throws Error with the line number and reason.
 */
export function parseConfigText(text: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || line.startsWith("#")) continue;
    const args = splitArgs(line);
    if (args === null) throw new Error(`at line ${n + 1}\n>>> '${line}'\nUnbalanced quotes in configuration line`);
    if (args.length === 0) continue;
    out.push([args[0].toLowerCase(), args.slice(1).join(" ")]);
  }
  return out;
}

/** Splits a line the way Redis's sdssplitargs does; null when quotes are unbalanced. */
export function splitArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (true) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) return args;
    let cur = "";
    let inDq = false, inSq = false;
    for (;;) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "x" && /^[0-9a-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && i + 1 < line.length) {
          const m: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };
          cur += m[line[i + 1]] ?? line[i + 1];
          i++;
        } else if (c === '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < line.length && !/\s/.test(line[i + 1])) return null;
          inDq = false;
          i++;
          break;
        } else cur += c;
      } else if (inSq) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          if (i + 1 < line.length && !/\s/.test(line[i + 1])) return null;
          inSq = false;
          i++;
          break;
        } else cur += c;
      } else {
        if (c === undefined || /\s/.test(c)) break;
        if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
      }
      i++;
    }
    args.push(cur);
  }
}

/**
 * Applies startup [name, value] pairs (config file, then command line) to `config`. `save` lines
 * accumulate (a `save ""` clears them), as in redis.conf. Throws Error(reason) on the first bad one.
 */
export function loadPairs(config: Config, pairs: [string, string][]): void {
  let save: string[] | null = null;
  for (const [name, value] of pairs) {
    if (name === "save") {
      save = value.trim() === "" ? [] : [...(save ?? []), value];
      const reason = config.load("save", save.join(" "));
      if (reason) throw new Error(`'${name} ${value}': ${reason}`);
      continue;
    }
    if (!config.has(name)) throw new Error(`'${name} ${value}': Bad directive or wrong number of arguments`);
    const reason = config.load(name, value);
    if (reason) throw new Error(`'${name} ${value}': ${reason}`);
  }
}

/**
 * Splits redis-server-style argv into the config file path (if any, first) and `--name value…`
 * pairs; a flag takes every following word up to the next `--` (`--save 900 1 300 10`).
 */
export function parseCommandLine(argv: string[]): { file: string | null; pairs: [string, string][] } {
  let i = 0;
  let file: string | null = null;
  if (argv.length > 0 && !argv[0].startsWith("--")) {
    file = argv[0];
    i = 1;
  }
  const pairs: [string, string][] = [];
  while (i < argv.length) {
    const flag = argv[i];
    if (!flag.startsWith("--") || flag.length === 2) throw new Error(`Unexpected argument '${flag}'`);
    const words: string[] = [];
    i++;
    while (i < argv.length && !argv[i].startsWith("--")) words.push(argv[i++]);
    pairs.push([flag.slice(2).toLowerCase(), words.join(" ")]);
  }
  return { file, pairs };
}
