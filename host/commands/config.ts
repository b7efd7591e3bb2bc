// CONFIG GET / SET / RESETSTAT / REWRITE / HELP. The registry itself (names, defaults, checks,
// change hooks) is host/config.ts; this file is the command surface over it, plus the hooks
// that carry memory settings into the engine.
//
// CONFIG GET takes several patterns and answers each parameter once (Redis 7 collects matches
// in a set): a map in RESP3, a flat name/value array in RESP2. A pattern without glob
// characters is an exact lookup and the name is echoed as it was typed, as Redis does.
//
// CONFIG REWRITE keeps the config file's layout: a directive already in the file is rewritten in
// place (its first line; later duplicates are dropped), a changed parameter the file lacks is
// appended after a marker line, and everything else (comments, blank lines, unknown
// directives) stays as it was. The marker is written once, like Redis's signature comment. The
// file is replaced atomically (write to a temp file, rename).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { WedisServer } from "../server.js";
import { CONFIG_DEFS, type Config, type ConfigDef } from "../config.js";
import type { CommandContext, HostHandler } from "./handlers.js";
import { configFileOf } from "./info.js";
import { resetCronStats } from "../cron.js";

/** maxmemory-policy numbering shared with the engine (assembly/server.ts POLICY_*). */
export const POLICY_CODES: Record<string, number> = {
  noeviction: 0,
  "allkeys-lru": 1,
  "volatile-lru": 2,
  "allkeys-lfu": 3,
  "volatile-lfu": 4,
  "allkeys-random": 5,
  "volatile-random": 6,
  "volatile-ttl": 7,
  "simple-first": 8,
};

/** Pushes maxmemory and its policy into the engine. */
export function pushMaxmemory(server: WedisServer): void {
  // No eviction while the AOF loads: the limit applies from the first command after.
  const bytes = server.loading ? 0 : server.config.int("maxmemory");
  const policy = POLICY_CODES[server.config.get("maxmemory-policy")] ?? 0;
  server.engine.x.setMaxmemory(BigInt(bytes), policy);
}

const hooked = new WeakSet<WedisServer>();

/** Parameters the engine enforces itself, with the numbers assembly/config.ts gives them. */
export const ENGINE_CONFIG: Record<string, number> = {
  "hash-max-listpack-entries": 0,
  "hash-max-listpack-value": 1,
  "list-max-listpack-size": 2,
  "list-compress-depth": 3,
  "set-max-intset-entries": 4,
  "zset-max-listpack-entries": 5,
  "zset-max-listpack-value": 6,
  "maxmemory-samples": 7,
  "lfu-log-factor": 8,
  "lfu-decay-time": 9,
};

/** Makes the settings the engine enforces reach it now and on every change (idempotent). */
export function installConfigHooks(server: WedisServer): void {
  if (hooked.has(server)) return;
  hooked.add(server);
  pushMaxmemory(server);
  server.config.onChange("maxmemory", (v) => {
    pushMaxmemory(server);
    const used = server.engine.x.usedMemory() >>> 0;
    if (Number(v) !== 0 && Number(v) < used) {
      server.log.warning(
        "WARNING: the new maxmemory value set via CONFIG SET is smaller than the current memory usage. This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.",
      );
    }
  });
  server.config.onChange("maxmemory-policy", () => pushMaxmemory(server));
  // APPEND, SETRANGE and LCS check the string size limit inside the engine.
  server.engine.x.setProtoMaxBulkLen(server.config.int("proto-max-bulk-len"));
  server.config.onChange("proto-max-bulk-len", (v) => {
    server.engine.x.setProtoMaxBulkLen(Number(v));
  });
  for (const [name, id] of Object.entries(ENGINE_CONFIG)) {
    server.engine.x.setEngineConfig(id, server.config.int(name));
    server.config.onChange(name, (v) => {
      server.engine.x.setEngineConfig(id, Number(v));
    });
  }
}

const GLOB_CHARS = /[*?[\\]/;

/** CONFIG GET pattern [pattern ...] */
export function configGetCommand(ctx: CommandContext): void {
  const { server, args, w } = ctx;
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (let i = 2; i < args.length; i++) {
    const pattern = args[i].toString();
    if (!GLOB_CHARS.test(pattern)) {
      const name = pattern.toLowerCase();
      if (server.config.has(name) && !seen.has(name)) {
        seen.add(name);
        out.push([pattern, server.config.get(name)]);
      }
      continue;
    }
    for (const [name, value] of server.config.getConfig(pattern)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push([name, value]);
    }
  }
  w.map(out.length);
  for (const [name, value] of out) {
    w.bulk(name);
    w.bulk(value);
  }
}

/** CONFIG SET name value [name value ...]: all or nothing. */
export function configSetCommand(ctx: CommandContext): void {
  const { server, args, w } = ctx;
  if ((args.length - 2) % 2 !== 0) return w.error("ERR syntax error");
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i].toString(), args[i + 1].toString()]);
  const err = server.config.setConfigMany(pairs);
  if (err !== null) return w.error(err);
  w.ok();
}

/** Engine export that zeroes its INFO counters, when the engine has it. */
type ResetStats = () => void;

/** CONFIG RESETSTAT: zeroes the INFO stats counters (not the dataset's dirty count). */
export function resetStats(server: WedisServer): void {
  const st = server.stats;
  st.totalConnections = 0;
  st.rejectedConnections = 0;
  st.totalCommands = 0;
  st.netInputBytes = 0;
  st.netOutputBytes = 0;
  st.rejectedCalls = 0;
  const x = server.engine.x;
  const engineReset = x.resetStats as ResetStats | undefined;
  if (typeof engineReset === "function") engineReset();
  x.memResetPeak();
  resetCronStats(server);
}

export function configResetstatCommand(ctx: CommandContext): void {
  resetStats(ctx.server);
  ctx.w.ok();
}

// ---- CONFIG REWRITE -----------------------------------------------------------------------------

/** A value as a config-file argument: quoted when it would not read back as one word. */
function quoteArg(v: string): string {
  if (v !== "" && /^[\x21-\x7e]+$/.test(v) && !/["'\\]/.test(v)) return v;
  let out = '"';
  for (const ch of Buffer.from(v, "latin1")) {
    if (ch === 0x5c) out += "\\\\";
    else if (ch === 0x22) out += '\\"';
    else if (ch === 0x0a) out += "\\n";
    else if (ch === 0x0d) out += "\\r";
    else if (ch === 0x09) out += "\\t";
    else if (ch < 0x20 || ch > 0x7e) out += "\\x" + ch.toString(16).padStart(2, "0");
    else out += String.fromCharCode(ch);
  }
  return out + '"';
}

/** Memory values are written back in the largest unit that divides them, as Redis does. */
function formatMemory(v: string): string {
  const n = Number(v);
  if (n === 0) return "0";
  if (n % (1024 * 1024 * 1024) === 0) return `${n / (1024 * 1024 * 1024)}gb`;
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}mb`;
  if (n % 1024 === 0) return `${n / 1024}kb`;
  return v;
}

/** The config-file lines that express `def`'s current value. */
function directiveLines(config: Config, def: ConfigDef): string[] {
  const v = config.get(def.name);
  if (def.name === "save") {
    const parts = v === "" ? [] : v.split(" ");
    if (parts.length === 0) return ['save ""'];
    const lines: string[] = [];
    for (let i = 0; i < parts.length; i += 2) lines.push(`save ${parts[i]} ${parts[i + 1]}`);
    return lines;
  }
  if (def.name === "client-output-buffer-limit") {
    const p = v.split(" ");
    const lines: string[] = [];
    for (let i = 0; i < p.length; i += 4) lines.push(`client-output-buffer-limit ${p[i]} ${formatMemory(p[i + 1])} ${formatMemory(p[i + 2])} ${p[i + 3]}`);
    return lines;
  }
  if (def.type === "memory") return [`${def.name} ${formatMemory(v)}`];
  if (def.name === "bind") return [`bind ${v}`];
  return [`${def.name} ${quoteArg(v)}`];
}

const REWRITE_MARKER = "# Generated by CONFIG REWRITE";

/** The new text of a config file: `text` with every known directive set to its current value. */
export function rewriteConfigText(config: Config, text: string): string {
  const lines = text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/);
  const defs = new Map(CONFIG_DEFS.map((d) => [d.name, d]));
  const written = new Set<string>();
  const out: string[] = [];
  let hasMarker = false;
  for (const line of lines) {
    if (line.trim() === REWRITE_MARKER) hasMarker = true;
    const word = line.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    const def = line.trim().startsWith("#") ? undefined : defs.get(word);
    if (!def || !config.has(def.name)) {
      out.push(line);
      continue;
    }
    if (written.has(def.name)) continue;
    written.add(def.name);
    out.push(...directiveLines(config, def));
  }
  const extra: string[] = [];
  for (const def of defs.values()) {
    if (written.has(def.name) || !config.has(def.name)) continue;
    if (config.get(def.name) === def.default) continue;
    extra.push(...directiveLines(config, def));
  }
  if (extra.length > 0) {
    while (out.length > 0 && out[out.length - 1].trim() === "") out.pop();
    // The marker is written once; later rewrites append below the existing one.
    if (!hasMarker) out.push(REWRITE_MARKER);
    out.push(...extra);
  }
  return out.join("\n") + "\n";
}

export function configRewriteCommand(ctx: CommandContext): void {
  const { server, w } = ctx;
  const file = configFileOf(server);
  if (file === "") return w.error("ERR The server is running without a config file");
  try {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      // A config file that disappeared is recreated, as Redis does.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, rewriteConfigText(server.config, text));
    renameSync(tmp, file);
  } catch (err) {
    server.log.warning(`CONFIG REWRITE failed: ${(err as Error).message}`);
    return w.error(`ERR Rewriting config file: ${(err as Error).message}`);
  }
  server.log.notice("CONFIG REWRITE executed with success.");
  w.ok();
}

// The first line and the usage lines follow Redis's format; the descriptions are ours.
const HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Reply with every parameter whose name matches the glob <pattern>, each followed by its value.",
  "SET <directive> <value>",
  "    Change parameters at run time; several pairs may be given, and if one is refused none changes.",
  "RESETSTAT",
  "    Zero the counters INFO reports (commands, connections, hits and misses, peak memory...).",
  "REWRITE",
  "    Bring the config file the server started from up to date with the current values.",
  "HELP",
  "    List these subcommands.",
];

export function configHelpCommand(ctx: CommandContext): void {
  ctx.w.array(HELP.length);
  for (const line of HELP) ctx.w.simple(line);
}

/** This file's entries for the handler registry (a function: callable while import cycles resolve) (host/commands/handlers.ts). */
export function configHandlers(): [string, HostHandler][] {
  return [
  ["config|get", configGetCommand],
  ["config|set", configSetCommand],
  ["config|resetstat", configResetstatCommand],
  ["config|rewrite", configRewriteCommand],
  ["config|help", configHelpCommand],
];
}
