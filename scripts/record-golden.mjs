#!/usr/bin/env node
// Records golden transcripts: what a real Redis answers, byte for byte, to the scenarios in
// test/golden/scenarios/*.txt. test/golden/golden.test.ts replays them against Wedis.
//
//   node scripts/record-golden.mjs [name ...]          record all (or the named) scenarios,
//                                                      then replay them once more as a check
//   node scripts/record-golden.mjs --verify-against PORT [name ...]
//                                                      replay the transcripts against a running
//                                                      server (Redis or Wedis) and report
//   options: --redis-server PATH (default redis-server), --port N (default: a free port),
//            --no-verify (skip the second pass after recording)
//
// Scenario syntax (one item per line):
//   # comment                     whole-line comments and blank lines are ignored
//   SET k "a b\x00"               a command; arguments split like redis-cli: "..." knows
//                                 \n \r \t \b \a \\ \" \xHH, '...' knows only \'
//   @sleep 150                    wait 150 ms (for expiry)
//   @match-type CMD ...           the reply must have Redis's RESP type and shape, any values
//                                 (client ids, cursors, timestamps)
//   @match-sorted CMD ...         equal once every array is sorted (KEYS, SCAN with a big COUNT:
//                                 the order depends on the hash table)
//   @match-regex /RE/flags CMD ...  the reply bytes (latin1 text) must match RE; write '/' in RE
//                                 as '\/'. For timing-dependent numbers such as PTTL.
// Each scenario runs on a fresh connection (RESP2, db 0) after FLUSHALL. A RESP3 scenario says
// `@match-type HELLO 3` itself. Matchers other than exact should stay rare and say why in a
// comment next to them.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RawClient, isolate, replay, formatFailures, loadTranscripts } from "../test/golden/replay.mjs";
import { argToJson, escape, matches } from "../test/golden/resp.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scenarioDir = join(root, "test/golden/scenarios");
const transcriptDir = join(root, "test/golden/transcripts");

// ---- scenario parsing ---------------------------------------------------------------------------

/** Splits a command line into argument Buffers the way redis-cli does. */
export function splitArgs(line) {
  const args = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c) => c === " " || c === "\t";
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    const bytes = [];
    const text = (s) => bytes.push(...Buffer.from(s, "utf8"));
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) throw new Error("unbalanced double quotes");
        if (c === "\\" && line[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        if (c === "\\" && i + 1 < n) {
          const e = line[i + 1];
          const map = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };
          text(map[e] ?? e);
          i += 2;
          continue;
        }
        if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) throw new Error("closing quote must be followed by a space");
          i++;
          break;
        }
        text(c);
        i++;
      } else if (inSingle) {
        if (c === undefined) throw new Error("unbalanced single quotes");
        if (c === "\\" && line[i + 1] === "'") {
          text("'");
          i += 2;
          continue;
        }
        if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) throw new Error("closing quote must be followed by a space");
          i++;
          break;
        }
        text(c);
        i++;
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else text(c);
        i++;
      }
    }
    args.push(Buffer.from(bytes));
  }
}

/** Parses a scenario file into steps: { line, args } commands (with matcher) and { line, sleep }. */
export function parseScenario(text, name) {
  const steps = [];
  text.split("\n").forEach((raw, idx) => {
    const line = raw.replace(/\r$/, "");
    const where = `${name}.txt:${idx + 1}`;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    try {
      let m;
      if ((m = /^@sleep\s+(\d+)\s*$/.exec(trimmed))) {
        steps.push({ line: idx + 1, sleep: Number(m[1]) });
      } else if ((m = /^@match-(type|sorted)\s+(.*)$/.exec(trimmed))) {
        steps.push({ line: idx + 1, args: splitArgs(m[2]), match: m[1] });
      } else if (trimmed.startsWith("@match-regex ")) {
        const rest = trimmed.slice("@match-regex ".length).trimStart();
        if (rest[0] !== "/") throw new Error("expected /regex/");
        let j = 1;
        while (j < rest.length && rest[j] !== "/") j += rest[j] === "\\" ? 2 : 1;
        if (j >= rest.length) throw new Error("unterminated /regex/");
        const regex = rest.slice(1, j);
        const fm = /^[a-z]*/.exec(rest.slice(j + 1));
        const flags = fm[0];
        new RegExp(regex, flags); // fail early on a bad pattern
        steps.push({ line: idx + 1, args: splitArgs(rest.slice(j + 1 + flags.length)), match: "regex", regex, flags });
      } else if (trimmed.startsWith("@")) {
        throw new Error(`unknown directive ${trimmed.split(/\s/)[0]}`);
      } else {
        steps.push({ line: idx + 1, args: splitArgs(trimmed) });
      }
    } catch (e) {
      throw new Error(`${where}: ${e.message}`);
    }
    const last = steps[steps.length - 1];
    if (last.args && last.args.length === 0) throw new Error(`${where}: no command`);
  });
  return steps;
}

// ---- a real redis-server -----------------------------------------------------------------------

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on `port` with its default configuration (persistence files go to a
 * temporary dir); resolves once it answers PING. */
export async function startRedis(bin, port) {
  const dir = mkdtempSync(join(tmpdir(), "golden-redis-"));
  const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no", "--loglevel", "warning"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.once("error", () => {});
  const spawnError = await new Promise((resolve) => {
    child.once("error", resolve);
    child.once("spawn", () => resolve(null));
  });
  if (spawnError) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(spawnError.code === "ENOENT" ? `'${bin}' not found: install Redis 7.0 (apt-get install redis-server) or pass --redis-server PATH` : spawnError.message);
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    }
    try {
      const c = await RawClient.connect(port);
      const r = (await c.call(["PING"], 1000)).toString();
      c.close();
      if (r === "+PONG\r\n") break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer on port ${port} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop };
}

async function redisVersion(port) {
  const c = await RawClient.connect(port);
  try {
    const info = (await c.call(["INFO", "server"])).toString();
    return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "unknown";
  } finally {
    c.close();
  }
}

// ---- recording ---------------------------------------------------------------------------------

async function record(port, name, steps, version) {
  await isolate(port);
  const client = await RawClient.connect(port);
  const out = [];
  try {
    for (const s of steps) {
      if (s.sleep !== undefined) {
        await new Promise((r) => setTimeout(r, s.sleep));
        out.push({ line: s.line, sleep: s.sleep });
        continue;
      }
      const reply = (await client.call(s.args)).toString("latin1");
      const step = { line: s.line, cmd: s.args.map(argToJson), reply };
      if (s.match) step.match = s.match;
      if (s.match === "regex") {
        step.regex = s.regex;
        if (s.flags) step.flags = s.flags;
      }
      if (!matches(step, reply)) {
        throw new Error(`${name}.txt:${s.line}: Redis's own reply "${escape(reply)}" does not match /${s.regex}/`);
      }
      out.push(step);
    }
  } finally {
    client.close();
  }
  return { name, redis: version, steps: out };
}

/** JSON with non-ASCII characters escaped, so transcripts stay plain ASCII files. */
function toJson(transcript) {
  const lines = [
    "{",
    `  "name": ${JSON.stringify(transcript.name)},`,
    `  "redis": ${JSON.stringify(transcript.redis)},`,
    `  "steps": [`,
    transcript.steps.map((s) => `    ${JSON.stringify(s)}`).join(",\n"),
    "  ]",
    "}",
    "",
  ];
  return lines.join("\n").replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

async function verify(port, names) {
  const transcripts = loadTranscripts(transcriptDir).filter((t) => !names.length || names.includes(t.name));
  if (!transcripts.length) throw new Error("no transcripts to verify");
  let bad = 0;
  let steps = 0;
  for (const t of transcripts) {
    const failures = await replay(port, t);
    steps += t.steps.filter((s) => s.cmd).length;
    if (failures.length) {
      bad++;
      console.log(`FAIL ${t.name} (${failures.length} of ${t.steps.length} steps)\n${formatFailures(t.name, failures)}`);
    } else console.log(`ok   ${t.name}`);
  }
  console.log(`${transcripts.length - bad} passed, ${bad} failed (${transcripts.length} transcripts, ${steps} commands)`);
  return bad === 0;
}

async function main() {
  const argv = process.argv.slice(2);
  let verifyPort = null;
  let redisBin = "redis-server";
  let port = null;
  let secondPass = true;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--verify-against") verifyPort = Number(argv[++i]);
    else if (a === "--redis-server") redisBin = argv[++i];
    else if (a === "--port") port = Number(argv[++i]);
    else if (a === "--no-verify") secondPass = false;
    else if (a === "-h" || a === "--help") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 13).join("\n"));
      return 0;
    } else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else names.push(a.replace(/\.(txt|json)$/, ""));
  }
  if (verifyPort !== null) {
    if (!Number.isInteger(verifyPort) || verifyPort <= 0) throw new Error("--verify-against needs a port");
    return (await verify(verifyPort, names)) ? 0 : 1;
  }

  const files = readdirSync(scenarioDir)
    .filter((f) => f.endsWith(".txt"))
    .map((f) => basename(f, ".txt"))
    .filter((n) => !names.length || names.includes(n))
    .sort();
  for (const n of names) if (!files.includes(n)) throw new Error(`no scenario ${n}.txt`);
  // Parse everything first: a syntax error should not leave half the transcripts rewritten.
  const scenarios = files.map((n) => ({ name: n, steps: parseScenario(readFileSync(join(scenarioDir, `${n}.txt`), "utf8"), n) }));

  let redis = await startRedis(redisBin, port ?? (await freePort()));
  const onSignal = () => {
    redis.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const version = await redisVersion(redis.port);
    if (!version.startsWith("7.0.")) console.warn(`warning: recording against Redis ${version}; the transcripts target 7.0`);
    mkdirSync(transcriptDir, { recursive: true });
    for (const s of scenarios) {
      const t = await record(redis.port, s.name, s.steps, version);
      writeFileSync(join(transcriptDir, `${s.name}.json`), toJson(t));
      console.log(`recorded ${s.name} (${t.steps.length} steps)`);
    }
    if (secondPass) {
      // A new process has a new hash seed: replies that depend on the table order show up here.
      console.log("second pass: replaying against a fresh Redis");
      await redis.stop();
      redis = await startRedis(redisBin, port ?? (await freePort()));
      if (!(await verify(redis.port, files))) {
        console.log("Redis does not agree with itself: make the failing steps deterministic or give them a matcher");
        return 1;
      }
    }
    return 0;
  } finally {
    await redis.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`record-golden: ${e.message}`);
      process.exit(2);
    },
  );
}
