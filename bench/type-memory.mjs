// Memory per element of the collection types: loads the same data shapes into a server through
// pipelined variadic commands (RPUSH/SADD/HSET/ZADD with many elements each) and divides the
// INFO used_memory growth by the number of elements. Shapes are chosen to land on both sides of
// Redis's compact-encoding thresholds: many small collections (intset, listpack) and one big
// collection per type (quicklist, hashtable, skiplist), since those are the costs a user sees.
//
// The data is generated deterministically so Wedis and Redis hold byte-identical contents, and
// after each load the element count is checked, so a server that silently drops elements cannot
// look cheap.
import net from "node:net";
import { RawClient } from "../test/golden/replay.mjs";

const pad = (i, w) => String(i).padStart(w, "0");

/**
 * The shapes measured. `keys` collections of `perKey` elements each; `command(k, from, to)`
 * builds the command adding elements [from, to) to collection k; `count` is the command that
 * reads a collection's size back. `redis` is what Redis 7.0 measured on this machine (for the
 * reader of the table; the live Redis column is what the ratio uses).
 */
export function shapes(scale = 1) {
  const big = Math.max(1000, Math.round(1_000_000 * scale));
  const many = Math.max(10, Math.round(10_000 * scale));
  return [
    {
      name: `1 list of ${big.toLocaleString("en-US")} short strings`,
      keys: 1,
      perKey: big,
      key: () => "biglist",
      command: (k, from, to) => ["RPUSH", "biglist", ...range(from, to, (i) => `item:${pad(i, 7)}`)],
      count: (key) => ["LLEN", key],
    },
    {
      name: `${many.toLocaleString("en-US")} sets of 100 integers (intset)`,
      keys: many,
      perKey: 100,
      key: (k) => `iset:${k}`,
      // Values stay below 2^15 so Redis keeps them as 16-bit intset entries.
      command: (k, from, to) => ["SADD", `iset:${k}`, ...range(from, to, (i) => String((k * 37 + i * 101) % 30000))],
      count: (key) => ["SCARD", key],
    },
    {
      name: `1 set of ${big.toLocaleString("en-US")} strings`,
      keys: 1,
      perKey: big,
      key: () => "bigset",
      command: (k, from, to) => ["SADD", "bigset", ...range(from, to, (i) => `member:${pad(i, 7)}`)],
      count: (key) => ["SCARD", key],
    },
    {
      name: `${many.toLocaleString("en-US")} hashes of 100 small fields (listpack)`,
      keys: many,
      perKey: 100,
      key: (k) => `smallhash:${k}`,
      command: (k, from, to) => ["HSET", `smallhash:${k}`, ...range(from, to, (i) => [`f${i}`, `v${i}`]).flat()],
      count: (key) => ["HLEN", key],
    },
    {
      name: `1 hash of ${big.toLocaleString("en-US")} fields`,
      keys: 1,
      perKey: big,
      key: () => "bighash",
      command: (k, from, to) => ["HSET", "bighash", ...range(from, to, (i) => [`field:${pad(i, 7)}`, `v${i % 1000}`]).flat()],
      count: (key) => ["HLEN", key],
    },
    {
      name: `1 sorted set of ${big.toLocaleString("en-US")} members`,
      keys: 1,
      perKey: big,
      key: () => "bigzset",
      command: (k, from, to) => ["ZADD", "bigzset", ...range(from, to, (i) => [String((i * 7919) % 1_000_003), `member:${pad(i, 7)}`]).flat()],
      count: (key) => ["ZCARD", key],
    },
  ];
}

/** Redis 7.0's bytes per element for the full-size shapes, measured when this bench was written. */
export const REDIS_REFERENCE = [14.1, 3.0, 56.4, 11.0, 64.4, null];

function range(from, to, f) {
  const out = new Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = f(i);
  return out;
}

function encode(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

async function call(port, args) {
  const c = await RawClient.connect(port);
  try {
    return (await c.call(args, 120_000)).toString();
  } finally {
    c.close();
  }
}

async function usedMemory(port) {
  const text = await call(port, ["INFO", "memory"]);
  const m = /^used_memory:(\d+)/m.exec(text);
  if (!m) throw new Error("INFO memory has no used_memory");
  return Number(m[1]);
}

/**
 * Sends the commands from `next()` (null when done) in windows of about `windowElements`
 * elements, waiting for every reply of a window before sending the next. Every reply to these
 * commands is one line (an integer, or an error), so counting line ends counts replies.
 */
function pipeline(port, next, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ port, host: "127.0.0.1" });
    let outstanding = 0;
    let done = false;
    let atLineStart = true;
    const fail = (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`loading took more than ${timeoutMs / 1000} s`)), timeoutMs);
    const sendWindow = () => {
      const parts = [];
      let bytes = 0;
      for (let cmd = next(); cmd; cmd = bytes < 1 << 20 ? next() : null) {
        const s = encode(cmd);
        parts.push(s);
        bytes += s.length;
      }
      if (parts.length === 0) {
        done = true;
        clearTimeout(timer);
        socket.end();
        resolve();
        return;
      }
      outstanding += parts.length;
      socket.write(parts.join(""));
    };
    socket.on("connect", sendWindow);
    socket.on("data", (d) => {
      for (let i = 0; i < d.length; i++) {
        if (atLineStart && d[i] === 0x2d) return fail(new Error(`server replied ${JSON.stringify(d.subarray(i, i + 80).toString())}`));
        atLineStart = d[i] === 0x0a;
        if (atLineStart) outstanding--;
      }
      if (outstanding < 0) return fail(new Error("more replies than commands while loading"));
      if (outstanding === 0) sendWindow();
    });
    socket.on("error", fail);
  });
}

/** Commands adding each shape's elements, `batch` elements per command. */
function commandsFor(shape, batch) {
  let k = 0;
  let from = 0;
  return () => {
    if (k >= shape.keys) return null;
    const to = Math.min(shape.perKey, from + batch);
    const cmd = shape.command(k, from, to);
    from = to;
    if (from >= shape.perKey) {
      k++;
      from = 0;
    }
    return cmd;
  };
}

/** Loads one shape into the emptied server; returns { elements, perElement, seconds }. */
export async function measureShape(port, shape) {
  await call(port, ["FLUSHALL"]);
  const before = await usedMemory(port);
  const t0 = process.hrtime.bigint();
  await pipeline(port, commandsFor(shape, 1000));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const dbsize = await call(port, ["DBSIZE"]);
  if (dbsize !== `:${shape.keys}\r\n`) throw new Error(`DBSIZE is ${JSON.stringify(dbsize)}, expected ${shape.keys}`);
  // The last collection is the one most likely to be short if a batch went missing.
  const last = await call(port, shape.count(shape.key(shape.keys - 1)));
  if (last !== `:${shape.perKey}\r\n`) throw new Error(`${shape.count("")[0]} is ${JSON.stringify(last)}, expected ${shape.perKey}`);
  const after = await usedMemory(port);
  const elements = shape.keys * shape.perKey;
  await call(port, ["FLUSHALL"]);
  return { elements, perElement: (after - before) / elements, seconds };
}
