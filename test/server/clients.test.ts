// Real client libraries against the server: each connects its own way (ioredis 6 opens with
// HELLO 3, ioredis 5 and node-redis speak RESP2) and must get what Redis would give it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import Redis5 from "ioredis5";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";

let s: StartedServer;
beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
});
afterAll(() => s.close());

const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 13, 10, 36, 42]);

describe("ioredis 6", () => {
  it("connects (HELLO 3), pings, echoes binary, pipelines 10,000 commands in order", async () => {
    const r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
    await r.connect();
    try {
      expect(await r.ping()).toBe("PONG");
      expect(await r.echoBuffer(binary)).toEqual(binary);
      const p = r.pipeline();
      for (let i = 0; i < 10_000; i++) p.echo(`v${i}`);
      const res = await p.exec();
      expect(res!.length).toBe(10_000);
      res!.forEach(([err, v], i) => {
        expect(err).toBeNull();
        expect(v).toBe(`v${i}`);
      });
      // ioredis 6 chose RESP3 with HELLO when it connected.
      const mine = [...s.wedis.clients.values()].filter((c) => c.proto === 3);
      expect(mine.length).toBeGreaterThan(0);
    } finally {
      r.disconnect();
    }
  });

  it("sees errors as errors", async () => {
    const r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
    await r.connect();
    try {
      await expect(r.call("nosuchcommand", "a")).rejects.toThrow("ERR unknown command 'nosuchcommand', with args beginning with: 'a'");
      await expect(r.call("echo")).rejects.toThrow("ERR wrong number of arguments for 'echo' command");
      expect(await r.call("select", "2")).toBe("OK");
    } finally {
      r.disconnect();
    }
  });

  it("authenticates with a password", async () => {
    const sp = await startServer({ port: 0, debug: true, config: { requirepass: "pw" } });
    try {
      const r = new Redis({ port: sp.port, host: "127.0.0.1", password: "pw", lazyConnect: true, enableReadyCheck: false });
      await r.connect();
      expect(await r.ping()).toBe("PONG");
      r.disconnect();
      // ioredis 6 would open with HELLO 3 and be refused; ioredis 5 starts without a handshake.
      const bad = new Redis5({ port: sp.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await bad.connect();
      await expect(bad.ping()).rejects.toThrow("NOAUTH Authentication required.");
      bad.disconnect();
    } finally {
      await sp.close();
    }
  });
});

describe("ioredis 5", () => {
  it("connects, pings, echoes binary, pipelines 10,000 commands in order", async () => {
    const r = new Redis5({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
    await r.connect();
    try {
      expect(await r.ping()).toBe("PONG");
      expect(await r.echoBuffer(binary)).toEqual(binary);
      const p = r.pipeline();
      for (let i = 0; i < 10_000; i++) p.ping(`p${i}`);
      const res = await p.exec();
      expect(res!.map(([, v]) => v)).toEqual(Array.from({ length: 10_000 }, (_, i) => `p${i}`));
    } finally {
      r.disconnect();
    }
  });
});

describe("node-redis", () => {
  it("connects, pings, echoes, pipelines 10,000 commands in order", async () => {
    const c = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    c.on("error", () => {});
    await c.connect();
    try {
      expect(await c.ping()).toBe("PONG");
      expect(await c.echo("héllo wörld")).toBe("héllo wörld");
      const res = await Promise.all(Array.from({ length: 10_000 }, (_, i) => c.echo(`n${i}`)));
      expect(res).toEqual(Array.from({ length: 10_000 }, (_, i) => `n${i}`));
      const multi = c.multi();
      expect(multi).toBeDefined();
    } finally {
      await c.quit().catch(() => c.disconnect());
    }
  });

  it("RESP3 with HELLO", async () => {
    const c = createClient({ RESP: 3, socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    c.on("error", () => {});
    await c.connect();
    try {
      expect(await c.ping()).toBe("PONG");
      const hello = (await c.sendCommand(["HELLO", "3"])) as unknown as Map<string, unknown> | Record<string, unknown>;
      const get = (k: string) => (hello instanceof Map ? hello.get(k) : (hello as Record<string, unknown>)[k]);
      expect(get("proto")).toBe(3);
      expect(get("version")).toBe("7.0.15");
      expect(get("mode")).toBe("standalone");
    } finally {
      c.destroy();
    }
  });
});

describe("data commands through each client", () => {
  it("ioredis 6 (RESP3, default options with its INFO ready check): SET/GET binary, SELECT isolates", async () => {
    const r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true });
    await r.connect();
    try {
      expect(await r.set("io6:bin", binary)).toBe("OK");
      expect(await r.getBuffer("io6:bin")).toEqual(binary);
      expect(await r.get("io6:missing")).toBeNull();
      const p = r.pipeline();
      for (let i = 0; i < 10_000; i++) p.set(`io6:k${i}`, `v${i}`);
      for (let i = 0; i < 10_000; i++) p.get(`io6:k${i}`);
      const res = (await p.exec())!.map(([, v]) => v);
      expect(res.slice(0, 10_000).every((v) => v === "OK")).toBe(true);
      expect(res.slice(10_000)).toEqual(Array.from({ length: 10_000 }, (_, i) => `v${i}`));
      await r.select(7);
      expect(await r.get("io6:k1")).toBeNull();
      await r.set("io6:k1", "in-db-7");
      await r.select(0);
      expect(await r.get("io6:k1")).toBe("v1");
    } finally {
      r.disconnect();
    }
  });

  it("ioredis 5: SET/GET with a pipeline mixing host and engine commands", async () => {
    const r = new Redis5({ port: s.port, host: "127.0.0.1", lazyConnect: true });
    await r.connect();
    try {
      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) {
        if (i % 100 === 0) p.select(i % 3);
        p.set(`io5:${i}`, String(i));
        p.get(`io5:${i}`);
      }
      const res = (await p.exec())!;
      expect(res.every(([err]) => err === null)).toBe(true);
      const gets = res.map(([, v]) => v).filter((v) => v !== "OK");
      expect(gets).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    } finally {
      r.disconnect();
    }
  });

  it("node-redis: SET/GET, GET of a missing key, binary-safe values", async () => {
    const c = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    c.on("error", () => {});
    await c.connect();
    try {
      expect(await c.set("nr:a", "héllo")).toBe("OK");
      expect(await c.get("nr:a")).toBe("héllo");
      expect(await c.get("nr:none")).toBeNull();
      const res = await Promise.all(Array.from({ length: 5000 }, (_, i) => c.set(`nr:${i}`, `x${i}`).then(() => c.get(`nr:${i}`))));
      expect(res).toEqual(Array.from({ length: 5000 }, (_, i) => `x${i}`));
    } finally {
      c.destroy();
    }
  });
});
