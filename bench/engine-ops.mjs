// Engine-only cost per command: drives the release engine's `exec` directly with prepared
// batches (the table layout of ARCHITECTURE.md, "The boundary"), no sockets and no RESP parsing,
// so the number is what the WebAssembly side costs per SET/GET at a given key count.
//
// Batches are built in JS before timing; each batch's bytes are copied into the engine's data
// and table areas outside the timed region, and only the `exec` crossing is timed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const BATCH = 1000;

/** Packs commands (arrays of Buffers) into { data, table } for one exec call. */
export function pack(commands, ids) {
  let dataLen = 0;
  let words = 0;
  for (const c of commands) {
    for (const a of c.args) dataLen += a.length;
    words += 4 + 2 * c.args.length;
  }
  const data = Buffer.allocUnsafe(dataLen);
  const table = new Uint32Array(words);
  let off = 0;
  let w = 0;
  for (const c of commands) {
    table[w++] = ids[c.name];
    table[w++] = c.args.length;
    table[w++] = 0; // replyEnd, written by the engine
    table[w++] = 0; // flags, written by the engine
    for (const a of c.args) {
      a.copy(data, off);
      table[w++] = off;
      table[w++] = a.length;
      off += a.length;
    }
  }
  return { data, table, count: commands.length };
}

const key = (i) => Buffer.from(`key:${String(i).padStart(12, "0")}`);

function batches(n, make) {
  const out = [];
  for (let i = 0; i < n; i += BATCH) {
    const cmds = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) cmds.push(make(j));
    out.push(cmds);
  }
  return out;
}

/** Runs `packed` batches; returns the nanoseconds spent inside exec and checks reply sizes. */
export function run(engine, packed, replyBytes, label) {
  const x = engine.x;
  let ns = 0n;
  for (const b of packed) {
    const tablePtr = x.reserveTable(b.table.byteLength) >>> 0;
    const dataPtr = x.reserveData(b.data.length) >>> 0;
    engine.u8().set(b.data, dataPtr);
    engine.u32().set(b.table, tablePtr >>> 2);
    const now = Date.now();
    const t0 = process.hrtime.bigint();
    const len = x.exec(tablePtr, b.count, dataPtr, 0, 2, now);
    ns += process.hrtime.bigint() - t0;
    if (len >>> 0 !== b.count * replyBytes) {
      const sample = engine.copyOut(x.outputPtr() >>> 0, Math.min(len, 80)).toString("latin1");
      throw new Error(`${label}: expected ${b.count * replyBytes} reply bytes, got ${len}: ${JSON.stringify(sample)}`);
    }
  }
  return ns;
}

/** Measures SET (new keys), SET (overwrite) and GET at `n` keys. */
export async function engineOps(root, n) {
  const enginePath = join(root, "dist", "host", "engine.js");
  const tablePath = join(root, "dist", "host", "commands", "table.generated.js");
  const wasm = process.env.WEDIS_WASM || join(root, "build", "wedis.wasm");
  for (const p of [enginePath, tablePath, wasm]) if (!existsSync(p)) throw new Error(`${p} not found: run \`npm run build\` first`);
  const { Engine } = await import(pathToFileURL(enginePath).href);
  const { COMMAND_JSON } = await import(pathToFileURL(tablePath).href);
  const ids = {};
  for (const name of ["set", "get"]) {
    const c = COMMAND_JSON.find((e) => e.name === name);
    if (!c) throw new Error(`the command table has no '${name}' yet`);
    if (c.run !== "engine") throw new Error(`'${name}' is not an engine command`);
    ids[name] = c.id;
  }
  const engine = Engine.load({ path: wasm });
  engine.x.init(16, 0x9747b28c, 1);
  const SET = Buffer.from("SET");
  const GET = Buffer.from("GET");
  const val = Buffer.from("xxx");
  const val2 = Buffer.from("yyy");
  const sets = batches(n, (i) => ({ name: "set", args: [SET, key(i), val] })).map((b) => pack(b, ids));
  const overwrites = batches(n, (i) => ({ name: "set", args: [SET, key(i), val2] })).map((b) => pack(b, ids));
  const gets = batches(n, (i) => ({ name: "get", args: [GET, key(i)] })).map((b) => pack(b, ids));

  const mem0 = engine.x.usedMemory() >>> 0;
  const setNs = run(engine, sets, 5, "SET"); // +OK\r\n
  const mem1 = engine.x.usedMemory() >>> 0;
  const overNs = run(engine, overwrites, 5, "SET overwrite");
  const getNs = run(engine, gets, 9, "GET"); // $3\r\nyyy\r\n
  return {
    keys: n,
    setNew: Number(setNs) / n,
    setOverwrite: Number(overNs) / n,
    get: Number(getNs) / n,
    bytesPerKey: (mem1 - mem0) / n,
  };
}
