// MEMORY STATS | DOCTOR | MALLOC-STATS | PURGE | HELP (MEMORY USAGE is the engine's).
//
// The figures are the ones INFO memory prints (memoryFigures in info.ts), so the two commands
// never disagree. MALLOC-STATS prints our allocator's own table instead of jemalloc's: one row
// per size class with its slabs, pages and live blocks, then large blocks, free page runs and
// the allocator's metadata pages (the layout is documented at classStats in assembly/alloc.ts).
// PURGE has nothing to do: WebAssembly memory cannot be handed back to the OS, and free pages are
// already reused before memory grows.
import type { WedisServer } from "../server.js";
import { engineAreasTouched } from "../batch.js";
import type { CommandContext, HostHandler } from "./handlers.js";
import { bytesToHuman, fixed, memoryFigures } from "./info.js";

/** MEMORY STATS: Redis 7.0's field names, a map (flat array in RESP2). */
export function memoryStatsCommand(ctx: CommandContext): void {
  const { server, w } = ctx;
  const m = memoryFigures(server);
  const x = server.engine.x;
  const net = m.used - m.startup;
  const dbs: number[] = [];
  for (let db = 0; db < server.config.int("databases"); db++) if (x.dbKeys(db) >>> 0 > 0) dbs.push(db);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  w.map(28 + dbs.length);
  w.bulk("peak.allocated");
  w.integer(m.peak);
  w.bulk("total.allocated");
  w.integer(m.used);
  w.bulk("startup.allocated");
  w.integer(m.startup);
  for (const name of ["replication.backlog", "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches"]) {
    w.bulk(name);
    w.integer(name === "clients.normal" ? m.clients : 0);
  }
  for (const db of dbs) {
    w.bulk(`db.${db}`);
    // The engine does not report its hash tables' own size separately yet: their buckets are
    // counted in the dataset.
    w.map(3);
    w.bulk("overhead.hashtable.main");
    w.integer(0);
    w.bulk("overhead.hashtable.expires");
    w.integer(0);
    w.bulk("overhead.hashtable.slot-to-keys");
    w.integer(0);
  }
  w.bulk("overhead.total");
  w.integer(m.overhead);
  w.bulk("keys.count");
  w.integer(m.keys);
  w.bulk("keys.bytes-per-key");
  w.integer(m.keys > 0 ? Math.floor(net / m.keys) : 0);
  w.bulk("dataset.bytes");
  w.integer(m.dataset);
  w.bulk("dataset.percentage");
  w.double(ratio(m.dataset * 100, net > 0 ? net : 1));
  w.bulk("peak.percentage");
  w.double(ratio(m.used * 100, m.peak));
  w.bulk("allocator.allocated");
  w.integer(m.allocated);
  w.bulk("allocator.active");
  w.integer(m.active);
  w.bulk("allocator.resident");
  w.integer(m.resident);
  w.bulk("allocator-fragmentation.ratio");
  w.double(ratio(m.active, m.allocated));
  w.bulk("allocator-fragmentation.bytes");
  w.integer(m.active - m.allocated);
  w.bulk("allocator-rss.ratio");
  w.double(ratio(m.resident, m.active));
  w.bulk("allocator-rss.bytes");
  w.integer(m.resident - m.active);
  w.bulk("rss-overhead.ratio");
  w.double(ratio(m.rss, m.resident));
  w.bulk("rss-overhead.bytes");
  w.integer(m.rss - m.resident);
  w.bulk("fragmentation");
  w.double(ratio(m.rss, m.used));
  w.bulk("fragmentation.bytes");
  w.integer(m.rss - m.used);
  // Ours, after Redis's fields: where the allocated bytes sit, class by class (classes in use only).
  const used = allocatorClasses(server).classes.filter((r) => r[3] > 0);
  w.bulk("allocator.size-classes");
  w.array(used.length);
  for (const r of used) {
    w.map(5);
    w.bulk("size");
    w.integer(r[0]);
    w.bulk("slabs");
    w.integer(r[3]);
    w.bulk("blocks.used");
    w.integer(r[5]);
    w.bulk("bytes.used");
    w.integer(r[6]);
    w.bulk("blocks.free");
    w.integer(r[7]);
  }
}

/** Below this, as in Redis, there is too little data for the checks to mean anything. */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

/** The report MEMORY DOCTOR prints (exported for tests). */
export function doctorReport(server: WedisServer): string {
  const m = memoryFigures(server);
  if (m.used < DOCTOR_MIN_BYTES) {
    return "This instance is empty or uses very little memory (under 5MB), so the memory checks would not tell anything useful. Add some data and ask again.\n";
  }
  const issues: string[] = [];
  if (m.peak > m.used * 1.5) {
    issues.push(
      ` * Peak memory: at some point this instance used ${bytesToHuman(m.peak)}, more than 150% of the ${bytesToHuman(m.used)} it uses now. ` +
        "The pages freed since then stay with the process (WebAssembly memory does not shrink), so RSS still reflects the peak.",
    );
  }
  const pageFrag = m.allocated > 0 ? m.active / m.allocated : 1;
  if (pageFrag > 1.4) {
    issues.push(
      ` * Allocator fragmentation: pages in use hold ${fixed(pageFrag)} times the bytes actually allocated, because many small blocks ` +
        "were freed in slabs that still hold live ones. Rewriting the data (for example a restart followed by a reload) compacts it.",
    );
  }
  const maxmemory = server.config.int("maxmemory");
  if (maxmemory > 0 && m.used > maxmemory * 0.9) {
    issues.push(` * Near the limit: ${bytesToHuman(m.used)} used of maxmemory ${bytesToHuman(maxmemory)} (policy ${server.config.get("maxmemory-policy")}).`);
  }
  if (issues.length === 0) return "No memory problems found in this instance's allocator statistics.\n";
  return `Memory issues found in this instance:\n\n${issues.join("\n\n")}\n`;
}

export function memoryDoctorCommand(ctx: CommandContext): void {
  ctx.w.verbatim(doctorReport(ctx.server));
}

/** The allocator's per-class table (layout at classStats in assembly/alloc.ts), decoded. */
export function allocatorClasses(server: WedisServer): { pageSize: number; classes: Uint32Array[]; large: Uint32Array; free: Uint32Array; meta: Uint32Array } {
  const x = server.engine.x;
  const need = x.memClassStats(0, 0) >>> 0;
  // Written into the engine's data area, so that taking the picture allocates nothing (a batch
  // started before re-copies its data: engineAreasTouched).
  engineAreasTouched();
  const ptr = x.reserveData(need) >>> 0;
  x.memClassStats(ptr, need);
  const bytes = server.engine.copyOut(ptr, need);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, need / 4);
  const nclasses = words[1];
  const rowWords = words[2] / 4;
  const row = (i: number) => words.subarray(4 + i * rowWords, 4 + (i + 1) * rowWords);
  const classes: Uint32Array[] = [];
  for (let c = 0; c < nclasses; c++) classes.push(row(c));
  return { pageSize: words[3], classes, large: row(nclasses), free: row(nclasses + 1), meta: row(nclasses + 2) };
}

/** The allocator's per-class table as text. */
export function mallocStatsText(server: WedisServer): string {
  const x = server.engine.x;
  const { pageSize, classes, large, free, meta } = allocatorClasses(server);
  const nclasses = classes.length;
  const row = (i: number) => classes[i];
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  const lines: string[] = [];
  lines.push("___ Begin wedis allocator statistics ___");
  lines.push(`page size: ${pageSize}   size classes: ${nclasses}`);
  lines.push(`used (live blocks): ${x.usedMemory() >>> 0}   peak: ${x.memPeak()}`);
  lines.push(`heap: ${x.memHeapBytes()}   active pages: ${x.memActiveBytes()}   metadata: ${x.memMetaBytes()}   free pages: ${x.memFreePageBytes()}`);
  lines.push(`linear memory: ${x.memRssBytes()}`);
  lines.push("");
  lines.push("small:   size  pages/slab  blocks/slab   slabs    pages   blocks-used    bytes-used   blocks-free  util");
  for (let c = 0; c < nclasses; c++) {
    const r = row(c);
    const total = r[5] + r[7];
    const util = total > 0 ? `${fixed((r[5] * 100) / total)}%` : "-";
    lines.push(
      `       ${pad(r[0], 6)}  ${pad(r[1], 10)}  ${pad(r[2], 11)}  ${pad(r[3], 6)}  ${pad(r[4], 7)}  ${pad(r[5], 12)}  ${pad(r[6], 12)}  ${pad(r[7], 12)}  ${pad(util, 6)}`,
    );
  }
  lines.push("");
  lines.push(`large:  blocks ${large[3]}   pages ${large[4]}   bytes ${large[6]}`);
  lines.push(`free:   runs ${free[3]}   pages ${free[4]}   longest run ${free[1]} pages`);
  lines.push(`meta:   pages ${meta[4]}`);
  lines.push("___ End wedis allocator statistics ___");
  return lines.join("\n") + "\n";
}

export function memoryMallocStatsCommand(ctx: CommandContext): void {
  ctx.w.verbatim(mallocStatsText(ctx.server));
}

export function memoryPurgeCommand(ctx: CommandContext): void {
  ctx.w.ok();
}

// Usage lines are Redis's; the descriptions are ours and say where Wedis differs (our own
// allocator instead of jemalloc, exact sizes instead of sampling).
const HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    A short plain-text diagnosis of how this instance uses memory.",
  "MALLOC-STATS",
  "    The Wedis allocator's table: size classes, slabs, pages, live and free blocks.",
  "PURGE",
  "    Does nothing here (WebAssembly memory is never handed back) and replies OK.",
  "STATS",
  "    Memory figures by area, as name/value pairs; the same numbers as INFO memory.",
  "USAGE <key> [SAMPLES <count>]",
  "    Bytes taken by <key> and its value, or null if the key is missing. Sizes are",
  "    measured exactly, so <count> is checked but has no effect.",
  "HELP",
  "    List these subcommands.",
];

export function memoryHelpCommand(ctx: CommandContext): void {
  ctx.w.array(HELP.length);
  for (const line of HELP) ctx.w.simple(line);
}

/** This file's entries for the handler registry (a function: callable while import cycles resolve) (host/commands/handlers.ts); MEMORY USAGE is the engine's. */
export function memoryHandlers(): [string, HostHandler][] {
  return [
  ["memory|stats", memoryStatsCommand],
  ["memory|doctor", memoryDoctorCommand],
  ["memory|malloc-stats", memoryMallocStatsCommand],
  ["memory|purge", memoryPurgeCommand],
  ["memory|help", memoryHelpCommand],
];
}
