// Running redis-benchmark against a server, and the markdown the benchmark reports are made of.
import { runBounded } from "./servers.mjs";

/** Parses redis-benchmark --csv output into [{ test, rps }]. */
function parseCsv(text) {
  const rows = [];
  for (const line of text.split("\n")) {
    const cells = line.trim().replace(/^"|"$/g, "").split('","');
    if (cells.length < 2 || cells[0] === "test") continue;
    const rps = Number(cells[1]);
    if (Number.isFinite(rps)) rows.push({ test: cells[0], rps });
  }
  return rows;
}

/** One redis-benchmark run (-c 50, -r 1000000): { test, rps }, or { error }. */
export async function benchmark(server, test, pipeline, requests, timeoutMs) {
  const args = ["-h", "127.0.0.1", "-p", String(server.port), "-c", "50", "-n", String(requests), "-r", "1000000", "-P", String(pipeline), "-t", test, "--csv"];
  const r = await runBounded("redis-benchmark", args, timeoutMs);
  if (r.timedOut) return { error: `timeout after ${timeoutMs / 1000} s` };
  const rows = parseCsv(r.stdout);
  if (r.code !== 0 || rows.length === 0) return { error: `redis-benchmark exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 200)}` };
  // Some tests print a preparation row first (lrange_100 prints "LPUSH (needed to benchmark
  // LRANGE)" before "LRANGE_100 (first 100 elements)"): report the row named after the test.
  const row = rows.find((r) => r.test.split(" ")[0].toLowerCase() === test) ?? rows[rows.length - 1];
  return { test: row.test, rps: row.rps };
}

export const fmt = (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? "-" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
export const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : "-");

export function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `| ${head.map((h, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
