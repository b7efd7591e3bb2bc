// Measures lookupCommand (the per-command table lookup on raw bytes) in ns/op.
// Needs the compiled host: `npx tsc -p tsconfig.json` (writes dist/), then `node bench/command-lookup.mjs`.
// WEDIS_DIST=/some/dir points it at another compiled copy.
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dist = process.env.WEDIS_DIST ?? join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const { lookupCommand, lookupSubcommand, allCommands } = await import(pathToFileURL(join(dist, "host/commands/table.js")).href);

// A socket-like buffer holding the names in mixed case at odd offsets, as they arrive.
const names = ["GET", "set", "Ping", "command", "CONFIG", "echo", "nosuchcmd", "HELLO"].filter(
  (n) => n === "nosuchcmd" || allCommands.some((c) => c.name === n.toLowerCase()),
);
const text = names.map((n) => `$${n.length}\r\n${n}\r\n`).join("");
const buf = Buffer.from(text);
const spans = [];
for (let off = 0, i = 0; i < names.length; i++) {
  const start = buf.indexOf("\r\n", off) + 2;
  spans.push([start, names[i].length]);
  off = start + names[i].length + 2;
}

function run(iterations) {
  let hits = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const [off, len] = spans[i % spans.length];
    if (lookupCommand(buf, off, len) !== undefined) hits++;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { nsPerOp: ns / iterations, hits };
}

// The same loop without the lookup, so the figure can be read net of the harness.
function baseline(iterations) {
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const [off, len] = spans[i % spans.length];
    sum += off + len;
  }
  return { nsPerOp: Number(process.hrtime.bigint() - t0) / iterations, sum };
}

run(200_000); // warm up
baseline(200_000);
const { nsPerOp, hits } = run(5_000_000);
const base = baseline(5_000_000).nsPerOp;
console.log(
  `lookupCommand over [${names.join(", ")}]: ${nsPerOp.toFixed(1)} ns/op, ${(nsPerOp - base).toFixed(1)} ns/op net of a ${base.toFixed(1)} ns loop (${hits} hits)`,
);

const config = lookupCommand(Buffer.from("config"), 0, 6);
if (config) {
  const sub = Buffer.from("GET");
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 5_000_000; i++) lookupSubcommand(config, sub, 0, 3);
  console.log(`lookupSubcommand(config, "GET"): ${(Number(process.hrtime.bigint() - t0) / 5_000_000).toFixed(1)} ns/op`);
}
