// INFO over real sockets: framing byte for byte, section selection, and that the fields carry
// live numbers (keyspace, hits/misses, memory, counters), plus the printf-style formatting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";
import { bytesToHuman, fixed } from "../../host/commands/info.js";
import { RawConn, cmd, exchange } from "../server/raw.js";

let s: StartedServer;
let r: Redis;
beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
  r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true });
  await r.connect(); // with the ready check: ioredis itself sends INFO
});
afterAll(async () => {
  r.disconnect();
  await s.close();
});

/** INFO text → { section title → { field → value } }. */
function parseInfo(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | null = null;
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) {
      cur = new Map();
      out.set(line.slice(2), cur);
    } else if (line !== "") {
      const i = line.indexOf(":");
      cur!.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return out;
}

async function info(...sections: string[]): Promise<Map<string, Map<string, string>>> {
  return parseInfo((await r.call("info", ...sections)) as string);
}

const FIELDS: Record<string, string[]> = {
  Server: ["redis_version", "redis_mode", "os", "arch_bits", "process_id", "run_id", "tcp_port", "uptime_in_seconds", "uptime_in_days", "hz", "configured_hz", "lru_clock", "executable", "config_file"],
  Clients: ["connected_clients", "blocked_clients", "maxclients"],
  Memory: [
    "used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human", "used_memory_peak", "used_memory_peak_human",
    "used_memory_peak_perc", "used_memory_overhead", "used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc",
    "allocator_allocated", "allocator_active", "allocator_resident", "maxmemory", "maxmemory_human", "maxmemory_policy",
    "allocator_frag_ratio", "allocator_rss_ratio", "mem_fragmentation_ratio", "mem_fragmentation_bytes", "mem_allocator",
  ],
  Persistence: ["loading", "aof_enabled", "rdb_changes_since_last_save", "rdb_last_save_time"],
  Stats: [
    "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec", "total_net_input_bytes",
    "total_net_output_bytes", "instantaneous_input_kbps", "rejected_connections", "expired_keys", "evicted_keys",
    "keyspace_hits", "keyspace_misses",
  ],
  Replication: ["role", "connected_slaves", "master_replid", "master_repl_offset"],
  CPU: ["used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children"],
  Cluster: ["cluster_enabled"],
};

describe("INFO", () => {
  it("has every section and field of the default set, in Redis's order", async () => {
    const all = await info();
    expect([...all.keys()]).toEqual(["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"]);
    for (const [sec, fields] of Object.entries(FIELDS)) {
      for (const f of fields) expect(all.get(sec)!.has(f), `${sec}.${f}`).toBe(true);
    }
    const server = all.get("Server")!;
    expect(server.get("redis_version")).toBe("7.0.15");
    expect(server.get("redis_mode")).toBe("standalone");
    expect(server.get("tcp_port")).toBe(String(s.port));
    expect(server.get("process_id")).toBe(String(process.pid));
    expect(server.get("run_id")).toMatch(/^[0-9a-f]{40}$/);
    expect(all.get("Memory")!.get("mem_allocator")).toBe("wedis");
    expect(all.get("Replication")!.get("role")).toBe("master");
    expect(all.get("Persistence")!.get("loading")).toBe("0");
    expect(all.get("CPU")!.get("used_cpu_user")).toMatch(/^\d+\.\d{6}$/);
    expect(Number(all.get("Clients")!.get("connected_clients"))).toBeGreaterThanOrEqual(1);
  });

  it("is framed like Redis: bulk in RESP2, verbatim txt in RESP3, blank line between sections", async () => {
    const [two, , three, empty3] = await exchange(
      s.port,
      Buffer.concat([cmd("INFO", "cpu", "cluster"), cmd("HELLO", "3"), cmd("INFO", "cluster"), cmd("INFO", "nosuch")]),
      4,
    );
    const m = /^\$(\d+)\r\n/.exec(two)!;
    const body = two.slice(m[0].length, -2);
    expect(Buffer.byteLength(body, "latin1")).toBe(Number(m[1]));
    expect(body).toMatch(/^# CPU\r\nused_cpu_sys:\d+\.\d{6}\r\n(.*\r\n)*\r\n# Cluster\r\ncluster_enabled:0\r\n$/);
    expect(three).toBe("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    expect(empty3).toBe("=4\r\ntxt:\r\n");
  });

  it("selects sections: unknown adds nothing, fixed order, no repeats, all/everything/default", async () => {
    expect(await r.call("info", "nosuch")).toBe("");
    expect([...(await info("keyspace", "server", "SERVER")).keys()]).toEqual(["Server", "Keyspace"]);
    expect([...(await info("nosuch", "cpu")).keys()]).toEqual(["CPU"]);
    const all = [...(await info("all")).keys()];
    expect(all).toContain("Commandstats");
    expect(all).toContain("Latencystats");
    expect([...(await info("everything")).keys()]).toEqual(all);
    expect([...(await info("default")).keys()]).toEqual([...(await info()).keys()]);
    expect([...(await info("default", "commandstats")).keys()]).toContain("Commandstats");
  });

  it("keyspace lists only non-empty databases with keys, expires and avg_ttl", async () => {
    await r.flushall();
    expect((await info("keyspace")).get("Keyspace")!.size).toBe(0);
    await r.set("a", "1");
    await r.set("b", "2", "EX", 100);
    await r.select(3);
    await r.set("c", "3");
    await r.select(0);
    const ks = (await info("keyspace")).get("Keyspace")!;
    expect([...ks.keys()]).toEqual(["db0", "db3"]);
    expect(ks.get("db0")).toMatch(/^keys=2,expires=1,avg_ttl=\d+$/);
    expect(ks.get("db3")).toBe("keys=1,expires=0,avg_ttl=0");
    await r.flushall();
  });

  it("counts hits, misses, commands, connections and changes", async () => {
    const before = (await info("stats", "persistence"));
    await r.set("hit", "x");
    await r.get("hit");
    await r.get("nosuchkey");
    const after = await info("stats", "persistence");
    const d = (sec: string, f: string) => Number(after.get(sec)!.get(f)) - Number(before.get(sec)!.get(f));
    expect(d("Stats", "keyspace_hits")).toBe(1);
    expect(d("Stats", "keyspace_misses")).toBe(1);
    // SET, GET, GET and the INFO that reads the counters.
    expect(d("Stats", "total_commands_processed")).toBe(4);
    expect(d("Persistence", "rdb_changes_since_last_save")).toBe(1);
    expect(d("Stats", "total_net_input_bytes")).toBeGreaterThan(0);
    const c = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    await c.connect();
    const third = parseInfo(await c.info("stats"));
    expect(Number(third.get("Stats")!.get("total_connections_received"))).toBeGreaterThan(Number(after.get("Stats")!.get("total_connections_received")));
    await c.quit();
  });

  it("reports engine memory, which grows with data and matches maxmemory settings", async () => {
    const m0 = (await info("memory")).get("Memory")!;
    await r.set("big", "x".repeat(200_000));
    const m1 = (await info("memory")).get("Memory")!;
    expect(Number(m1.get("used_memory")) - Number(m0.get("used_memory"))).toBeGreaterThanOrEqual(200_000);
    expect(m1.get("used_memory_human")).toBe(bytesToHuman(Number(m1.get("used_memory"))));
    expect(Number(m1.get("used_memory_peak"))).toBeGreaterThanOrEqual(Number(m1.get("used_memory")));
    expect(Number(m1.get("used_memory_rss"))).toBeGreaterThan(0);
    expect(Number(m1.get("used_memory_dataset")) + Number(m1.get("used_memory_overhead"))).toBe(Number(m1.get("used_memory")));
    expect(m1.get("mem_fragmentation_ratio")).toMatch(/^\d+\.\d\d$/);
    await r.del("big");
    await r.call("config", "set", "maxmemory", "3mb", "maxmemory-policy", "allkeys-lru");
    const m2 = (await info("memory")).get("Memory")!;
    expect(m2.get("maxmemory")).toBe(String(3 * 1024 * 1024));
    expect(m2.get("maxmemory_human")).toBe("3.00M");
    expect(m2.get("maxmemory_policy")).toBe("allkeys-lru");
    await r.call("config", "set", "maxmemory", "0", "maxmemory-policy", "noeviction");
  });
});

describe("number formatting", () => {
  it("bytesToHuman follows Redis's units", () => {
    expect(bytesToHuman(0)).toBe("0B");
    expect(bytesToHuman(1023)).toBe("1023B");
    expect(bytesToHuman(1024)).toBe("1.00K");
    expect(bytesToHuman(941040)).toBe("918.98K");
    expect(bytesToHuman(1024 * 1024)).toBe("1.00M");
    expect(bytesToHuman(25276026880)).toBe("23.54G");
    expect(bytesToHuman(2 ** 40)).toBe("1.00T");
  });

  it("fixed() rounds like printf %.2f: exact ties to even, binary values as they are", () => {
    expect(fixed(1.125)).toBe("1.12"); // exact tie: even
    expect(fixed(1.375)).toBe("1.38");
    expect(fixed(2.675)).toBe("2.67"); // 2.67499999… in binary
    expect(fixed(0.005)).toBe("0.01"); // 0.005000000000000000104…
    expect(fixed(99.999)).toBe("100.00");
    expect(fixed(0)).toBe("0.00");
    expect(fixed(1152 / 1024)).toBe("1.12");
  });
});

describe("the hz cron", () => {
  it("expires keys in the background unless DEBUG SET-ACTIVE-EXPIRE 0", async () => {
    const sd = await startServer({ port: 0, debug: true, config: { "enable-debug-command": "yes", hz: "50" } });
    const c = new RawConn(sd.port);
    await c.ready;
    try {
      c.send(Buffer.concat([cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), cmd("SET", "k", "v", "PX", "20")]));
      expect(await c.replies(2)).toEqual(["+OK\r\n", "+OK\r\n"]);
      await new Promise((res) => setTimeout(res, 200));
      // Still there: nobody touched it and the background cycle is off.
      c.send(Buffer.concat([cmd("DBSIZE"), cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1")]));
      expect(await c.replies(2)).toEqual([":1\r\n", "+OK\r\n"]);
      const deadline = Date.now() + 3000;
      let size = ":1\r\n";
      while (size !== ":0\r\n" && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 40));
        c.send(cmd("DBSIZE"));
        [size] = await c.replies(1);
      }
      expect(size).toBe(":0\r\n");
      c.send(cmd("INFO", "stats"));
      const [text] = await c.replies(1);
      expect(text).toMatch(/\r\nexpired_keys:1\r\n/);
    } finally {
      c.close();
      await sd.close();
    }
  });
});
