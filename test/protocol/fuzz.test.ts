// Hostile input over real sockets: thousands of random and mutated RESP frames, each on its own
// connection, must never crash the server, corrupt the keyspace or hang it. Afterwards the server
// still answers PING and a canary key written before the storm is intact.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import net from "node:net";
import { startServer, type StartedServer } from "../../host/server.js";

let server: StartedServer;

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

/** Seeded PRNG (mulberry32): the same frames on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function encode(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Sends bytes on a fresh connection, collects whatever comes back until close or a quiet period. */
function exchange(port: number, bytes: Buffer, quietMs = 30): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, "127.0.0.1");
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(Buffer.concat(chunks));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    sock.on("connect", () => {
      sock.write(bytes);
      arm();
    });
    sock.on("data", (d) => {
      chunks.push(d);
      arm();
    });
    sock.on("error", done);
    sock.on("close", done);
  });
}

const words = ["SET", "GET", "DEL", "PING", "ECHO", "INCR", "APPEND", "SETRANGE", "GETRANGE", "EXPIRE", "KEYS", "SCAN",
  "MSET", "MGET", "HELLO", "CLIENT", "CONFIG", "COMMAND", "OBJECT", "SELECT", "LCS", "COPY", "RENAME", "TTL"];

function randomFrame(r: () => number): Buffer {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const randBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const kind = r();
  if (kind < 0.4) {
    // A well-formed command with random arguments (never touching the canary).
    const args: (string | Buffer)[] = [pick(words)];
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) args.push(r() < 0.5 ? `fz:${Math.floor(r() * 20)}` : randBytes(Math.floor(r() * 12)));
    return encode(args);
  }
  if (kind < 0.8) {
    // A valid frame with mutated bytes: flips, truncation, duplication.
    const f = Buffer.from(encode([pick(words), `fz:${Math.floor(r() * 20)}`, randBytes(Math.floor(r() * 8))]));
    const muts = 1 + Math.floor(r() * 4);
    let out = f;
    for (let m = 0; m < muts; m++) {
      const at = Math.floor(r() * out.length);
      const op = r();
      if (op < 0.5) out[at] = Math.floor(r() * 256);
      else if (op < 0.75) out = out.subarray(0, at);
      else out = Buffer.concat([out.subarray(0, at), out.subarray(at - Math.min(at, 5))]);
    }
    return out;
  }
  if (kind < 0.9) {
    // Inline garbage, quotes included.
    const chars = 'ab "\'\\x\r\n\t*$-:0123456789';
    return Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => pick([...chars])).join(""));
  }
  return randBytes(Math.floor(r() * 64));
}

describe("fuzzing over sockets", () => {
  it("survives 3000 random and mutated frames with the keyspace intact", async () => {
    const port = server.port;
    const canary = Buffer.from("canary value \r\n with bytes \x00\xff");
    const setup = await exchange(port, encode(["SET", "canary", canary]));
    expect(setup.toString()).toBe("+OK\r\n");
    const r = rng(20261125);
    const frames = Array.from({ length: 3000 }, () => randomFrame(r));
    // Several connections at a time keep the run short without changing what each one sees.
    const parallel = 16;
    for (let i = 0; i < frames.length; i += parallel) {
      await Promise.all(frames.slice(i, i + parallel).map((f) => exchange(port, f, 15)));
    }
    const after = await exchange(port, Buffer.concat([encode(["PING"]), encode(["GET", "canary"])]));
    expect(after).toEqual(Buffer.concat([Buffer.from("+PONG\r\n"), Buffer.from(`$${canary.length}\r\n`), canary, Buffer.from("\r\n")]));
  }, 120_000);
});
