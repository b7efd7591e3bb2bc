// Clients that try to make the server hold memory or stall: huge requests before AUTH, many
// half-sent commands, a client that never reads. Each runs against a real socket while another
// client checks that the server keeps answering.
import { describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "../../host/server.js";
import { CLIENT_CLOSED, CLIENT_PAUSED_OUTPUT, type Client } from "../../host/client.js";
import { RawConn, cmd } from "./raw.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const turn = () => new Promise((r) => setImmediate(r));
const MB = 1024 * 1024;

async function connected(port: number): Promise<RawConn> {
  const c = new RawConn(port);
  await c.ready;
  return c;
}

/** The server's client for `conn` (matched by its local port). */
async function serverSide(s: StartedServer, conn: RawConn): Promise<Client> {
  const port = conn.socket.localPort;
  for (let i = 0; i < 200; i++) {
    const c = [...s.wedis.clients.values()].find((c) => c.socket.remotePort === port);
    if (c !== undefined) return c;
    await sleep(5);
  }
  throw new Error("client never registered");
}

/** Round-trip times of `n` PINGs on `conn`, in milliseconds, sorted. */
async function pingTimes(conn: RawConn, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    conn.send("PING\r\n");
    expect(await conn.replies(1)).toEqual(["+PONG\r\n"]);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

/** "Normal latency" loosely enough for a loaded test machine, strictly enough to catch a stall. */
function expectResponsive(times: number[]): void {
  expect(times[times.length >> 1]).toBeLessThan(25);
  expect(times[times.length - 1]).toBeLessThan(500);
}

function infoField(info: string, name: string): number {
  const m = new RegExp(`\\r\\n${name}:(\\d+)\\r\\n`).exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return Number(m[1]);
}

describe("unauthenticated clients cannot make the server buffer", () => {
  // The payload keeps coming after the header, the way an attacker (or a misconfigured client)
  // would send it; the server must answer from the header alone and never take the bytes in.
  for (const [what, header, unit, error] of [
    ["a 32 MB bulk length", "*2\r\n$4\r\nAUTH\r\n$33554432\r\n", "x".repeat(64 * 1024), "-ERR Protocol error: unauthenticated bulk length\r\n"],
    ["a multibulk count of 100 million", "*100000000\r\n", "$1\r\nx\r\n".repeat(9000), "-ERR Protocol error: unauthenticated multibulk length\r\n"],
    ["an inline request that never ends", "AUTH ", "x".repeat(64 * 1024), "-ERR Protocol error: too big inline request\r\n"],
  ] as const) {
    it(`refuses ${what} at once and closes, before reading the payload`, async () => {
      const s = await startServer({ port: 0, debug: true, config: { requirepass: "sekret" } });
      try {
        const admin = await connected(s.port);
        admin.send(cmd("AUTH", "sekret"));
        admin.send(cmd("INFO", "memory"));
        const [, info0] = await admin.replies(2);
        const inBefore = s.wedis.stats.netInputBytes;

        const attacker = await connected(s.port);
        attacker.send(header);
        const chunk = Buffer.from(unit);
        for (let sent = 0; sent < 8 * MB; sent += chunk.length) attacker.send(chunk);
        expect(await attacker.closedByPeer()).toBe(error);

        // 8 MB were sent; the server processed at most the read that held the header.
        expect(s.wedis.stats.netInputBytes - inBefore).toBeLessThan(256 * 1024);
        admin.send(cmd("INFO", "memory"));
        const [info1] = await admin.replies(1);
        expect(infoField(info1, "used_memory") - infoField(info0, "used_memory")).toBeLessThan(MB);
        for (let i = 0; i < 100 && s.wedis.clients.size > 1; i++) await sleep(10);
        expect(s.wedis.clients.size).toBe(1);
        admin.close();
      } finally {
        await s.close();
      }
    });
  }
});

describe("half-sent commands", () => {
  it("200 clients holding a half-sent SET do not slow the others, and finish correctly", async () => {
    const s = await startServer({ port: 0, debug: true });
    try {
      const probe = await connected(s.port);
      const n = 200;
      const key = (i: number) => `key:${String(i).padStart(3, "0")}`;
      const head = (i: number) => `*3\r\n$3\r\nSET\r\n$7\r\n${key(i)}`; // the key's bytes, not its \r\n
      const halves = await Promise.all(Array.from({ length: n }, () => connected(s.port)));
      halves.forEach((h, i) => h.send(head(i)));
      for (let i = 0; i < 200; i++) {
        const waiting = [...s.wedis.clients.values()].filter((c) => c.decoder.pending() > 0).length;
        if (waiting === n) break;
        await sleep(5);
      }

      // Every half-sent request is held as what it is: a pending query buffer, nothing run.
      probe.send(cmd("CLIENT", "LIST"));
      const [list] = await probe.replies(1);
      const held = list.split("\n").filter((l) => l.includes(` qbuf=${head(0).length} `));
      expect(held).toHaveLength(n);
      expect(held.every((l) => l.includes(" cmd=NULL "))).toBe(true);

      expectResponsive(await pingTimes(probe, 100));

      // They finish, some in one piece and some a byte at a time, in no particular order.
      const rest = (i: number) => `\r\n$5\r\nv${String(i).padStart(4, "0")}\r\n`;
      for (let i = n - 1; i >= 0; i--) {
        if (i % 10 !== 0) halves[i].send(rest(i));
      }
      for (let i = 0; i < n; i += 10) {
        for (const byte of rest(i)) {
          halves[i].send(byte);
          await turn();
        }
      }
      const replies = await Promise.all(halves.map((h) => h.replies(1)));
      expect(replies.every(([r]) => r === "+OK\r\n")).toBe(true);

      probe.send(cmd("MGET", ...Array.from({ length: n }, (_, i) => key(i))));
      const [values] = await probe.replies(1);
      const expected = Array.from({ length: n }, (_, i) => `$5\r\nv${String(i).padStart(4, "0")}\r\n`).join("");
      expect(values).toBe(`*${n}\r\n${expected}`);
      for (const h of halves) h.close();
      probe.close();
    } finally {
      await s.close();
    }
  });
});

describe("a client that never reads GETs of a big value", () => {
  const VALUE = MB;
  const GETS = 300; // 300 MB of replies asked for

  /**
   * Sends GETs one per event-loop turn until `stop` says so, then the rest in one write; returns
   * how many went one by one. (The server decides to pause between reads, so a single read that
   * asks for many big replies is answered whole: these tests send small reads on purpose.)
   */
  async function sendGets(hog: RawConn, stop: () => boolean): Promise<number> {
    const get = cmd("GET", "big");
    let sent = 0;
    while (sent < GETS && !stop()) {
      hog.send(get);
      sent++;
      await turn();
      await turn();
    }
    const stepped = sent;
    if (!hog.closed && sent < GETS) hog.send(Buffer.concat(Array.from({ length: GETS - sent }, () => get)));
    return stepped;
  }

  /** A big value stored through a probe connection, and a hog connection that never reads. */
  async function bigValueAndHog(s: StartedServer): Promise<{ probe: RawConn; hog: RawConn; c: Client }> {
    const probe = await connected(s.port);
    probe.send(cmd("SET", "big", "v".repeat(VALUE)));
    expect(await probe.replies(1)).toEqual(["+OK\r\n"]);
    const hog = await connected(s.port);
    hog.socket.setNoDelay(true); // one GET per segment: Nagle would batch them into one read
    hog.socket.pause();
    return { probe, hog, c: await serverSide(s, hog) };
  }

  it("is paused (backpressure) while the server stays responsive, holding a bounded backlog", async () => {
    const s = await startServer({ port: 0, debug: true, outputHighWater: 4 * MB });
    try {
      const { probe, hog, c } = await bigValueAndHog(s);
      const stepped = await sendGets(hog, () => (c.flags & CLIENT_PAUSED_OUTPUT) !== 0);
      expect(c.flags & CLIENT_PAUSED_OUTPUT).toBeTruthy();
      expect(stepped).toBeLessThan(GETS / 4);

      const readAtPause = c.bytesIn;
      expectResponsive(await pingTimes(probe, 50));
      probe.send(cmd("SET", "other", "x"));
      probe.send(cmd("GET", "other"));
      expect(await probe.replies(2)).toEqual(["+OK\r\n", "$1\r\nx\r\n"]);
      await sleep(50);

      // Not read any further: the GETs still queued are not turned into hundreds of MB of replies.
      expect(c.bytesIn).toBe(readAtPause);
      expect(c.commandsProcessed).toBeLessThan(GETS / 4);
      expect(c.socket.writableLength).toBeLessThan(16 * MB);

      hog.close();
      for (let i = 0; i < 100 && s.wedis.clients.size > 1; i++) await sleep(10);
      expect(s.wedis.clients.size).toBe(1);
      expectResponsive(await pingTimes(probe, 10));
      probe.close();
    } finally {
      await s.close();
    }
  });

  it("asking for hundreds of MB in one small read, gets it a budget at a time, in order", async () => {
    // 400 GETs of 256 KB in one 5 KB write: 100 MB of replies. The engine builds them up to the
    // output budget (the high-water mark, 2 MB here), the rest of the read waits for the socket.
    const s = await startServer({ port: 0, debug: true, outputHighWater: 2 * MB });
    try {
      const value = "w".repeat(256 * 1024);
      const probe = await connected(s.port);
      probe.send(cmd("SET", "big", value));
      expect(await probe.replies(1)).toEqual(["+OK\r\n"]);
      const usedMemory = async () => {
        probe.send(cmd("INFO", "memory"));
        return infoField((await probe.replies(1))[0], "used_memory");
      };
      const used0 = await usedMemory();

      const hog = await connected(s.port);
      hog.socket.pause();
      const c = await serverSide(s, hog);
      const n = 400;
      hog.send(Buffer.concat(Array.from({ length: n }, () => cmd("GET", "big"))));
      await sleep(200);
      expect(c.commandsProcessed).toBeGreaterThan(0);
      expect(c.commandsProcessed).toBeLessThan(n / 4);
      expectResponsive(await pingTimes(probe, 20));
      expect((await usedMemory()) - used0).toBeLessThan(16 * MB);

      // Reading, it gets every reply, whole and in order, and can go on afterwards.
      hog.socket.resume();
      const replies = await hog.replies(n);
      expect(replies.length).toBe(n);
      for (const r of replies) expect(r).toBe(`$${value.length}\r\n${value}\r\n`);
      hog.send(cmd("PING"));
      expect(await hog.replies(1)).toEqual(["+PONG\r\n"]);
      expect(c.commandsProcessed).toBe(n + 1);
      hog.close();
      probe.close();
    } finally {
      await s.close();
    }
  });

  it("is disconnected past the normal hard limit, after a few replies' worth", async () => {
    const s = await startServer({ port: 0, debug: true, config: { "client-output-buffer-limit": "normal 4mb 0 0" } });
    try {
      const { probe, hog, c } = await bigValueAndHog(s);
      await sendGets(hog, () => (c.flags & CLIENT_CLOSED) !== 0);
      for (let i = 0; i < 100 && s.wedis.clients.has(c.id); i++) await sleep(10);
      expect(s.wedis.clients.has(c.id)).toBe(false);
      expect(c.commandsProcessed).toBeLessThan(GETS / 4);

      expectResponsive(await pingTimes(probe, 50));
      hog.socket.resume();
      await hog.closedByPeer();
      probe.close();
    } finally {
      await s.close();
    }
  });
});
