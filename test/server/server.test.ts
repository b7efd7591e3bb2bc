// Server-level behaviour: backpressure from a client that never reads, maxclients, idle
// timeout, graceful close, and the one-write-per-read rule.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { startServer } from "../../host/server.js";
import { CLIENT_PAUSED_OUTPUT } from "../../host/client.js";
import { RawConn, cmd, exchange } from "./raw.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("server", () => {
  it("a client that never reads is paused while another is served", async () => {
    const s = await startServer({ port: 0, debug: true, outputHighWater: 1024 * 1024 });
    try {
      const hog = new RawConn(s.port);
      await hog.ready;
      hog.socket.pause(); // never reads its replies
      const value = "v".repeat(64 * 1024);
      const one = cmd("ECHO", value);
      const total = 400; // 400 x 64 KB = 25 MB of replies
      for (let i = 0; i < total; i++) hog.send(one);
      // Let the server read and reply until it pauses the hog.
      let hogClient = [...s.wedis.clients.values()][0];
      for (let i = 0; i < 200 && !(hogClient.flags & CLIENT_PAUSED_OUTPUT); i++) {
        await sleep(10);
        hogClient = [...s.wedis.clients.values()][0];
      }
      expect(hogClient.flags & CLIENT_PAUSED_OUTPUT).toBeTruthy();
      const readBefore = hogClient.bytesIn;
      // Someone else is served normally meanwhile.
      expect(await exchange(s.port, "PING\r\nECHO still-here\r\n", 2)).toEqual(["+PONG\r\n", "$10\r\nstill-here\r\n"]);
      await sleep(50);
      // Paused: the server stopped reading the hog's requests and holds a bounded backlog.
      expect(hogClient.bytesIn).toBe(readBefore);
      expect(hogClient.bytesIn).toBeLessThan(one.length * total);
      expect(hogClient.socket.writableLength).toBeLessThan(4 * 1024 * 1024);
      // Once the hog reads, everything arrives, in order and complete.
      hog.socket.resume();
      const replies = await hog.replies(total, 20_000);
      expect(replies.every((r) => r === `$${value.length}\r\n${value}\r\n`)).toBe(true);
      hog.close();
    } finally {
      await s.close();
    }
  });

  it("closes a client over the normal client-output-buffer-limit hard limit", async () => {
    const s = await startServer({ port: 0, debug: true, config: { "client-output-buffer-limit": "normal 1mb 0 0" } });
    try {
      const hog = new RawConn(s.port);
      await hog.ready;
      hog.socket.pause();
      const one = cmd("ECHO", "v".repeat(256 * 1024));
      for (let i = 0; i < 100; i++) hog.send(one);
      await sleep(300);
      hog.socket.resume();
      // It may get some replies first, but the server drops it rather than buffer 25 MB.
      await hog.closedByPeer(10_000);
      for (let i = 0; i < 100 && s.wedis.clients.size > 0; i++) await sleep(10);
      expect(s.wedis.clients.size).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("refuses connections over maxclients", async () => {
    const s = await startServer({ port: 0, debug: true, config: { maxclients: "2" } });
    try {
      const a = new RawConn(s.port);
      const b = new RawConn(s.port);
      await Promise.all([a.ready, b.ready]);
      a.send("PING\r\n");
      b.send("PING\r\n");
      await Promise.all([a.replies(1), b.replies(1)]);
      const c = new RawConn(s.port);
      await c.ready;
      expect(await c.closedByPeer()).toBe("-ERR max number of clients reached\r\n");
      expect(s.wedis.stats.rejectedConnections).toBe(1);
      a.close();
      await sleep(50);
      expect(await exchange(s.port, "PING\r\n", 1)).toEqual(["+PONG\r\n"]);
      b.close();
    } finally {
      await s.close();
    }
  });

  it("closes idle clients after `timeout` seconds", async () => {
    const s = await startServer({ port: 0, debug: true, config: { timeout: "1", hz: "100" } });
    try {
      const a = new RawConn(s.port);
      await a.ready;
      a.send("PING\r\n");
      await a.replies(1);
      const t0 = Date.now();
      await a.closedByPeer(5000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    } finally {
      await s.close();
    }
  });

  it("answers a whole read with one write", async () => {
    const s = await startServer({ port: 0, debug: true });
    try {
      const a = new RawConn(s.port);
      await a.ready;
      a.send("PING\r\n");
      await a.replies(1);
      const client = [...s.wedis.clients.values()][0];
      let writes = 0;
      const orig = client.socket.write.bind(client.socket);
      client.socket.write = ((...args: Parameters<net.Socket["write"]>) => {
        writes++;
        return orig(...args);
      }) as net.Socket["write"];
      const parts: Buffer[] = [];
      for (let i = 0; i < 50; i++) parts.push(cmd("PING"), cmd("SELECT", "1"), cmd("ECHO", `e${i}`), cmd("NOPE"));
      a.send(Buffer.concat(parts));
      const r = await a.replies(200);
      expect(r.slice(0, 4)).toEqual(["+PONG\r\n", "+OK\r\n", "$2\r\ne0\r\n", "-ERR unknown command 'NOPE', with args beginning with: \r\n"]);
      expect(writes).toBe(1);
      a.close();
    } finally {
      await s.close();
    }
  });

  it("close() stops accepting, sends queued replies and closes every client", async () => {
    const s = await startServer({ port: 0, debug: true });
    const a = new RawConn(s.port);
    await a.ready;
    a.send("PING\r\n");
    await a.replies(1);
    await s.close();
    expect(a.closed).toBe(true);
    const refused = await new Promise<boolean>((resolve) => {
      const sock = net.connect(s.port, "127.0.0.1");
      sock.on("connect", () => {
        sock.destroy();
        resolve(false);
      });
      sock.on("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe("extension points", () => {
  it("closes a client whose unfinished request passes client-query-buffer-limit", async () => {
    const s = await startServer({ port: 0, debug: true, config: { "client-query-buffer-limit": "1mb" } });
    try {
      const a = new RawConn(s.port);
      await a.ready;
      a.send("PING\r\n*2\r\n$4\r\nECHO\r\n$3000000\r\n");
      await a.replies(1);
      a.send(Buffer.alloc(1024 * 1024 + 10, 120));
      expect(await a.closedByPeer()).toBe("");
    } finally {
      await s.close();
    }
  });

  it("a command filter sees flagged clients' commands and refusals", async () => {
    const { CLIENT_FILTERED } = await import("../../host/client.js");
    const s = await startServer({ port: 0, debug: true });
    try {
      const seen: string[] = [];
      s.wedis.filter = {
        command(ctx) {
          seen.push(ctx.cmd.name);
          if (ctx.cmd.name === "echo") {
            ctx.w.simple("QUEUED");
            return true;
          }
          return false;
        },
        rejected(_c, error) {
          seen.push(error);
        },
      };
      const a = new RawConn(s.port);
      await a.ready;
      a.send("PING\r\n");
      await a.replies(1);
      [...s.wedis.clients.values()][0].flags |= CLIENT_FILTERED;
      a.send("PING\r\nECHO x\r\nECHO\r\nPING y\r\n");
      expect(await a.replies(4)).toEqual(["+PONG\r\n", "+QUEUED\r\n", "-ERR wrong number of arguments for 'echo' command\r\n", "$1\r\ny\r\n"]);
      expect(seen).toEqual(["ping", "echo", "ERR wrong number of arguments for 'echo' command", "ping"]);
      a.close();
    } finally {
      await s.close();
    }
  });

  it("a host handler that runs the engine itself does not disturb the batch of its read", async () => {
    const { execDirect } = await import("../../host/direct.js");
    const { registerHandler, findHandler } = await import("../../host/commands/handlers.js");
    const { commandByName } = await import("../../host/commands/table.js");
    const realTime = findHandler(commandByName("time")!)!;
    const s = await startServer({ port: 0, debug: true });
    try {
      // TIME is a host command; for this test it runs engine commands of its own, with a bigger
      // data area than the read's, the way EXEC or a script would.
      registerHandler("time", (ctx) => {
        const big = "z".repeat(100_000);
        const [r] = execDirect(ctx.server.engine, [["ECHO", big]]);
        ctx.w.integer(r.length);
      });
      const r = await exchange(s.port, "ECHO before\r\nTIME\r\nECHO after\r\nPING\r\n", 4);
      expect(r).toEqual(["$6\r\nbefore\r\n", ":100011\r\n", "$5\r\nafter\r\n", "+PONG\r\n"]);
    } finally {
      registerHandler("time", realTime);
      await s.close();
    }
  });
});
