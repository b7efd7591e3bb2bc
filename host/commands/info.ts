// INFO [section ...]: the server's state as `field:value` lines, grouped in sections.
//
// The reply is framed exactly as Redis 7.0 frames it, because tools split it by hand: each
// section is `# Name\r\n` followed by its `field:value\r\n` lines, sections are separated by one
// empty line (`\r\n`), and the whole text is one bulk string (a verbatim `txt` string in RESP3).
// Sections always come out in Redis's fixed order whatever order they were asked in, each at
// most once; an unknown section name adds nothing, so `INFO nosuch` is an empty string.
//
// Which sections: no argument or `default` is the default set; `all` adds the per-command
// statistics; `everything` is `all` plus module sections (we have none). Field names and their
// order follow Redis 7.0.15. Fields that describe machinery Wedis does not have (forks,
// replication, Lua, active defrag) keep their names with the value a Redis that never used that
// machinery shows, so parsers find every field they expect.
//
// Numbers come from three places: the engine (keyspace, hits/misses, expired/evicted keys,
// dirty, used memory and the allocator's page statistics), the server core's counters
// (connections, commands, network bytes), and this process (RSS, CPU time).
import { clientBufferBytes } from "../cron.js";
import { randomBytes, createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { WedisServer } from "../server.js";
import type { CommandContext, HostHandler } from "./handlers.js";
import { REDIS_VERSION } from "../server.js";
import { averageRate, cronState } from "../cron.js";

/** Engine counters, numbered as assembly/stats.ts numbers them. */
export const STAT_KEYSPACE_HITS = 0;
export const STAT_KEYSPACE_MISSES = 1;
export const STAT_EXPIRED_KEYS = 2;
export const STAT_EVICTED_KEYS = 3;
export const STAT_DIRTY = 4;
export const STAT_USED_MEMORY = 5;

const DEFAULT_SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];
/** Every section in output order; "all" is this list. */
const ALL_SECTIONS = [
  "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
  "commandstats", "errorstats", "latencystats", "cluster", "keyspace",
];
const TITLES: Record<string, string> = {
  server: "Server", clients: "Clients", memory: "Memory", persistence: "Persistence", stats: "Stats",
  replication: "Replication", cpu: "CPU", modules: "Modules", commandstats: "Commandstats",
  errorstats: "Errorstats", latencystats: "Latencystats", cluster: "Cluster", keyspace: "Keyspace",
};

// ---- number formatting (C printf as Redis uses it) ---------------------------------------------

/**
 * printf("%.<digits>f", x): the exact binary value rounded to `digits` decimals, ties to even
 * (Number.prototype.toFixed rounds ties away from zero, which differs on exact ties like 1.125).
 */
export function fixed(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return x !== x ? "nan" : x > 0 ? "inf" : "-inf";
  const neg = x < 0 || Object.is(x, -0);
  // 60 decimals are enough to hold the exact value of any double below 2^53 we print here.
  const exact = Math.abs(x).toFixed(60);
  const dot = exact.indexOf(".");
  const keep = exact.slice(0, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  let roundUp = false;
  if (rest[0] > "5") roundUp = true;
  else if (rest[0] === "5") {
    if (/[1-9]/.test(rest.slice(1))) roundUp = true;
    else {
      const last = keep[keep.length - 1] === "." ? keep[keep.length - 2] : keep[keep.length - 1];
      roundUp = Number(last) % 2 === 1;
    }
  }
  let out = keep.endsWith(".") ? keep.slice(0, -1) : keep;
  if (roundUp) {
    const unit = 10 ** -digits;
    out = (Number(out) + unit).toFixed(digits);
  }
  return (neg && /[1-9]/.test(out) ? "-" : "") + out;
}

/** Redis's bytesToHuman: 1023B, 1.00K, 1.02M, … (powers of 1024). */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let div = 1024;
  for (const u of units) {
    if (n < div * 1024 || u === "P") return `${fixed(n / div)}${u}`;
    div *= 1024;
  }
  return `${n}B`;
}

/** "%ld.%06ld" of a microsecond count, as Redis prints CPU seconds. */
function cpuSeconds(us: number): string {
  const s = Math.floor(us / 1e6);
  return `${s}.${String(Math.floor(us - s * 1e6)).padStart(6, "0")}`;
}

// ---- per-server identity ------------------------------------------------------------------------

interface Identity {
  runId: string;
  replId: string;
  /** used_memory right after start: what the empty server itself takes. */
  startupMemory: number;
}

const identities = new WeakMap<WedisServer, Identity>();

function identity(server: WedisServer): Identity {
  let id = identities.get(server);
  if (!id) {
    id = {
      runId: randomBytes(20).toString("hex"),
      replId: randomBytes(20).toString("hex"),
      startupMemory: server.engine.x.usedMemory() >>> 0,
    };
    identities.set(server, id);
  }
  return id;
}

/** Records the startup memory baseline; call once the server is constructed. */
export function initInfo(server: WedisServer): void {
  identity(server);
}

/** A stable id of this build (Redis prints a hash of its build too). Lazy: REDIS_VERSION comes through an import cycle. */
function buildId(): string {
  return createHash("sha1").update(`wedis ${REDIS_VERSION}`).digest("hex").slice(0, 15);
}

/** The config file the server was started with, if the core records one. */
export function configFileOf(server: WedisServer): string {
  return server.configFile;
}

// ---- memory figures, shared with MEMORY STATS ---------------------------------------------------

export interface MemoryFigures {
  used: number;
  peak: number;
  rss: number;
  startup: number;
  /** Bytes the host holds for clients (query and reply buffers). */
  clients: number;
  overhead: number;
  dataset: number;
  /** jemalloc-style: allocated <= active <= resident. */
  allocated: number;
  active: number;
  resident: number;
  keys: number;
}

export function memoryFigures(server: WedisServer): MemoryFigures {
  const x = server.engine.x;
  // used_memory is the engine's allocator plus the clients' buffers in the host, as Redis counts them.
  const clients = clientBufferBytes(server);
  const engineUsed = x.usedMemory() >>> 0;
  const used = engineUsed + clients;
  const peak = Math.max(x.memPeak() + clients, used);
  const startup = Math.min(identity(server).startupMemory, engineUsed);
  let keys = 0;
  for (let db = 0; db < server.config.int("databases"); db++) keys += x.dbKeys(db) >>> 0;
  return {
    used,
    peak,
    rss: process.memoryUsage.rss(),
    startup,
    clients,
    overhead: startup + clients,
    dataset: engineUsed - startup,
    allocated: engineUsed,
    active: x.memActiveBytes(),
    resident: x.memRssBytes(),
    keys,
  };
}

// ---- sections -----------------------------------------------------------------------------------

type Lines = [string, string | number][];

function serverSection(server: WedisServer): Lines {
  const now = Date.now();
  const uptime = Math.floor((now - server.startMs) / 1000);
  const hz = server.config.int("hz");
  const exe = process.argv[1] ? path.resolve(process.argv[1]) : process.execPath;
  const cfg = configFileOf(server);
  return [
    ["redis_version", REDIS_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", buildId()],
    ["redis_mode", "standalone"],
    ["os", `${os.type()} ${os.release()} ${os.machine()}`],
    ["arch_bits", process.arch.endsWith("64") ? 64 : 32],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", process.platform === "linux" ? "epoll" : process.platform === "win32" ? "winsock" : "kqueue"],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", process.pid],
    ["process_supervised", "no"],
    ["run_id", identity(server).runId],
    ["tcp_port", listeningPort(server)],
    ["server_time_usec", now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", Math.floor(now / 1000) & 0xffffff],
    ["executable", exe],
    ["config_file", cfg ? path.resolve(cfg) : ""],
    ["io_threads_active", 0],
  ];
}

function listeningPort(server: WedisServer): number {
  const addr = server.net.address();
  return addr !== null && typeof addr === "object" ? addr.port : server.config.int("port");
}

function clientsSection(server: WedisServer): Lines {
  let maxIn = 0;
  let maxOut = 0;
  for (const c of server.clients.values()) {
    maxIn = Math.max(maxIn, c.decoder.pending());
    maxOut = Math.max(maxOut, c.socket.writableLength);
  }
  return [
    ["connected_clients", server.clients.size],
    ["cluster_connections", 0],
    ["maxclients", server.config.int("maxclients")],
    ["client_recent_max_input_buffer", maxIn],
    ["client_recent_max_output_buffer", maxOut],
    ["blocked_clients", server.blocking.count],
    ["tracking_clients", 0],
    ["clients_in_timeout_table", 0],
  ];
}

function memorySection(server: WedisServer): Lines {
  const m = memoryFigures(server);
  const maxmemory = server.config.int("maxmemory");
  const net = m.used - m.startup;
  const pct = (a: number, b: number) => `${fixed(b > 0 ? (a * 100) / b : 0)}%`;
  const ratio = (a: number, b: number) => fixed(b > 0 ? a / b : 0);
  const total = os.totalmem();
  return [
    ["used_memory", m.used],
    ["used_memory_human", bytesToHuman(m.used)],
    ["used_memory_rss", m.rss],
    ["used_memory_rss_human", bytesToHuman(m.rss)],
    ["used_memory_peak", m.peak],
    ["used_memory_peak_human", bytesToHuman(m.peak)],
    ["used_memory_peak_perc", pct(m.used, m.peak)],
    ["used_memory_overhead", m.overhead],
    ["used_memory_startup", m.startup],
    ["used_memory_dataset", m.dataset],
    ["used_memory_dataset_perc", pct(m.dataset, net > 0 ? net : 1)],
    ["allocator_allocated", m.allocated],
    ["allocator_active", m.active],
    ["allocator_resident", m.resident],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    // No Lua: the script and function engines take nothing.
    ["used_memory_lua", 0],
    ["used_memory_vm_eval", 0],
    ["used_memory_lua_human", bytesToHuman(0)],
    ["used_memory_scripts_eval", 0],
    ["number_of_cached_scripts", 0],
    ["number_of_functions", 0],
    ["number_of_libraries", 0],
    ["used_memory_vm_functions", 0],
    ["used_memory_vm_total", 0],
    ["used_memory_vm_total_human", bytesToHuman(0)],
    ["used_memory_functions", 0],
    ["used_memory_scripts", 0],
    ["used_memory_scripts_human", bytesToHuman(0)],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", server.config.get("maxmemory-policy")],
    ["allocator_frag_ratio", ratio(m.active, m.allocated)],
    ["allocator_frag_bytes", m.active - m.allocated],
    ["allocator_rss_ratio", ratio(m.resident, m.active)],
    ["allocator_rss_bytes", m.resident - m.active],
    ["rss_overhead_ratio", ratio(m.rss, m.resident)],
    ["rss_overhead_bytes", m.rss - m.resident],
    ["mem_fragmentation_ratio", ratio(m.rss, m.used)],
    ["mem_fragmentation_bytes", m.rss - m.used],
    ["mem_not_counted_for_evict", server.aof.bufferLength],
    ["mem_replication_backlog", 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", 0],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", server.aof.bufferLength],
    ["mem_allocator", "wedis"],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

function persistenceSection(server: WedisServer): Lines {
  const dirty = server.engine.x.engineStat(STAT_DIRTY);
  const aof = server.aof;
  const rw = aof.rewrite;
  const lines: Lines = [
    ["loading", server.loading ? 1 : 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    // A rewrite's progress, as Redis shows a fork child's.
    ["current_fork_perc", rw.running && rw.keysTotal > 0 ? fixed((rw.keysDone * 100) / rw.keysTotal) : "0.00"],
    ["current_save_keys_processed", rw.running ? rw.keysDone : 0],
    ["current_save_keys_total", rw.running ? rw.keysTotal : 0],
    ["rdb_changes_since_last_save", dirty],
    ["rdb_bgsave_in_progress", 0],
    // Never saved: Redis reports the start time as the last save.
    ["rdb_last_save_time", Math.floor(server.startMs / 1000)],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["rdb_saves", 0],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", 0],
    ["rdb_last_load_keys_loaded", 0],
    ["aof_enabled", aof.enabled ? 1 : 0],
    ["aof_rewrite_in_progress", rw.running ? 1 : 0],
    ["aof_rewrite_scheduled", rw.scheduled ? 1 : 0],
    ["aof_last_rewrite_time_sec", rw.lastTimeSec],
    ["aof_current_rewrite_time_sec", rw.currentTimeSec],
    ["aof_last_bgrewrite_status", rw.lastOk ? "ok" : "err"],
    ["aof_rewrites", rw.rewrites],
    ["aof_rewrites_consecutive_failures", rw.consecutiveFailures],
    ["aof_last_write_status", aof.lastWriteOk ? "ok" : "err"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
  if (aof.enabled) lines.push(...aof.infoFields());
  if (server.loading) {
    const p = server.loadingProgress;
    const elapsed = Math.floor((Date.now() - p.startMs) / 1000);
    const eta = elapsed === 0 ? 1 : Math.floor((elapsed * (p.totalBytes - p.loadedBytes)) / (p.loadedBytes + 1));
    lines.push(
      ["loading_start_time", Math.floor(p.startMs / 1000)],
      ["loading_total_bytes", p.totalBytes],
      ["loading_rdb_used_mem", 0],
      ["loading_loaded_bytes", p.loadedBytes],
      ["loading_loaded_perc", fixed((p.loadedBytes / (p.totalBytes + 1)) * 100)],
      ["loading_eta_seconds", eta],
    );
  }
  return lines;
}

function statsSection(server: WedisServer): Lines {
  const st = server.stats;
  const x = server.engine.x;
  const cron = cronState(server);
  const kbps = (samples: Float64Array) => fixed(averageRate(samples) / 1024);
  return [
    ["total_connections_received", st.totalConnections],
    ["total_commands_processed", st.totalCommands],
    ["instantaneous_ops_per_sec", server.instantaneousOps()],
    ["total_net_input_bytes", st.netInputBytes],
    ["total_net_output_bytes", st.netOutputBytes],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", kbps(cron.inputRate)],
    ["instantaneous_output_kbps", kbps(cron.outputRate)],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", st.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", x.engineStat(STAT_EXPIRED_KEYS)],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", cron.expireTimeCapReached],
    ["expire_cycle_cpu_milliseconds", Math.floor(cron.expireCycleMs)],
    ["evicted_keys", x.engineStat(STAT_EVICTED_KEYS)],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", x.engineStat(STAT_KEYSPACE_HITS)],
    ["keyspace_misses", x.engineStat(STAT_KEYSPACE_MISSES)],
    ["pubsub_channels", 0],
    ["pubsub_patterns", 0],
    ["pubsubshard_channels", 0],
    // The AOF rewrite's snapshot is our fork: its pause and count.
    ["latest_fork_usec", server.aof.rewrite.latestSnapshotUsec],
    ["total_forks", server.aof.rewrite.snapshots],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", 0],
    ["tracking_total_items", 0],
    ["tracking_total_prefixes", 0],
    ["unexpected_error_replies", 0],
    ["total_error_replies", st.rejectedCalls],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", (st as { totalReads?: number }).totalReads ?? 0],
    ["total_writes_processed", (st as { totalWrites?: number }).totalWrites ?? 0],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", 0],
    ["reply_buffer_expands", 0],
  ];
}

function replicationSection(server: WedisServer): Lines {
  return [
    ["role", "master"],
    ["connected_slaves", 0],
    ["master_failover_state", "no-failover"],
    ["master_replid", identity(server).replId],
    ["master_replid2", "0".repeat(40)],
    ["master_repl_offset", 0],
    ["second_repl_offset", -1],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", 1048576],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ];
}

function cpuSection(): Lines {
  const u = process.cpuUsage();
  // The main thread does all the work; libuv's threads only resolve names and touch files.
  return [
    ["used_cpu_sys", cpuSeconds(u.system)],
    ["used_cpu_user", cpuSeconds(u.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", cpuSeconds(u.system)],
    ["used_cpu_user_main_thread", cpuSeconds(u.user)],
  ];
}

function keyspaceSection(server: WedisServer): Lines {
  const x = server.engine.x;
  const out: Lines = [];
  for (let db = 0; db < server.config.int("databases"); db++) {
    const keys = x.dbKeys(db) >>> 0;
    if (keys === 0) continue;
    const expires = x.dbVolatileKeys(db) >>> 0;
    out.push([`db${db}`, `keys=${keys},expires=${expires},avg_ttl=${Math.trunc(x.dbAvgTtl(db))}`]);
  }
  return out;
}

function section(server: WedisServer, name: string): Lines {
  switch (name) {
    case "server": return serverSection(server);
    case "clients": return clientsSection(server);
    case "memory": return memorySection(server);
    case "persistence": return persistenceSection(server);
    case "stats": return statsSection(server);
    case "replication": return replicationSection(server);
    case "cpu": return cpuSection();
    case "cluster": return [["cluster_enabled", 0]];
    case "keyspace": return keyspaceSection(server);
    // Modules: none loaded. Per-command and per-error statistics are not collected.
    default: return [];
  }
}

/** The sections an INFO argument list selects, in output order. */
export function selectSections(args: string[]): string[] {
  if (args.length === 0) return DEFAULT_SECTIONS;
  const wanted = new Set<string>();
  for (const raw of args) {
    const a = raw.toLowerCase();
    if (a === "all" || a === "everything") for (const s of ALL_SECTIONS) wanted.add(s);
    else if (a === "default") for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else if (a in TITLES) wanted.add(a);
  }
  return ALL_SECTIONS.filter((s) => wanted.has(s));
}

/** The INFO text for `sections` (names from selectSections). */
export function genInfo(server: WedisServer, sections: string[]): string {
  let out = "";
  for (const name of sections) {
    if (out !== "") out += "\r\n";
    out += `# ${TITLES[name]}\r\n`;
    for (const [k, v] of section(server, name)) out += `${k}:${v}\r\n`;
  }
  return out;
}

/** INFO [section ...] */
export function infoCommand(ctx: CommandContext): void {
  const names = ctx.args.slice(1).map((a) => a.toString("latin1"));
  ctx.w.verbatim(genInfo(ctx.server, selectSections(names)));
}

/** This file's entries for the handler registry (a function: callable while import cycles resolve) (host/commands/handlers.ts). */
export function infoHandlers(): [string, HostHandler][] {
  return [["info", infoCommand]];
}
