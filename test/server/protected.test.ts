// Protected mode (Redis 7.0): with no password, only local peers may connect. The socket tests
// need a peer the server sees as non-local: they listen on all interfaces and dial this machine's
// own non-loopback IPv4 address, or, on a machine without one, dial loopback from 127.0.0.2 —
// not local either to Redis 7.0, which accepts exactly 127.0.0.1 and ::1.
import net from "node:net";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "../../host/server.js";
import { PROTECTED_MODE_DENIED, isLocalPeer, protectedModeDenies } from "../../host/protected.js";
import { RawConn, cmd } from "./raw.js";

// Written out again rather than imported, so a change to the constant cannot pass unnoticed.
// Redis 7.0's networking.c (clientAcceptHandler), its "Setup a an" included.
const DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";
const NOAUTH = "-NOAUTH Authentication required.\r\n";

/** This machine's first IPv4 address that is not loopback (undefined: none). */
function externalIPv4(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal && !a.address.startsWith("127.")) return a.address;
  }
  return undefined;
}

const EXTERNAL = externalIPv4();
/** Where a non-local peer dials from and to. */
const NONLOCAL: { host: string; localAddress?: string } = EXTERNAL !== undefined ? { host: EXTERNAL } : { host: "127.0.0.1", localAddress: "127.0.0.2" };

/** A connection from any address: everything it received, as latin1, and whether it closed. */
class Peer {
  readonly socket: net.Socket;
  got = "";
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(port: number, from: { host: string; localAddress?: string } = NONLOCAL) {
    this.socket = net.connect({ port, ...from });
    this.socket.on("data", (d: Buffer) => {
      this.got += d.toString("latin1");
      this.wake();
    });
    this.socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on("error", () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}; got ${JSON.stringify(this.got.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves with all bytes received once the server closed the connection. */
  async closedByPeer(): Promise<string> {
    await this.until(() => this.closed, "the server to close");
    return this.got;
  }

  /** Sends `input` and resolves with the bytes received once they reach `expected`'s length. */
  async ask(input: string | Buffer, expected: string): Promise<string> {
    const from = this.got.length;
    this.socket.write(input);
    await this.until(() => this.got.length - from >= expected.length || this.closed, "a reply");
    return this.got.slice(from);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends one command from a loopback connection and returns its reply. */
async function local(s: StartedServer, ...args: string[]): Promise<string> {
  const c = new RawConn(s.port);
  await c.ready;
  c.send(cmd(...args));
  try {
    return (await c.replies(1))[0];
  } finally {
    c.close();
  }
}

describe("protected mode: the decision", () => {
  it("is Redis 7.0's reply, byte for byte", () => {
    expect(PROTECTED_MODE_DENIED).toBe(DENIED);
    expect(Buffer.byteLength(DENIED)).toBe(1067);
  });

  it("treats exactly 127.0.0.1 and ::1 as local, as Redis 7.0 does", () => {
    for (const a of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect(isLocalPeer(a), a).toBe(true);
    // 7.0 compares the peer's address as a string: the rest of 127/8 is not local (7.2 changed that).
    for (const a of ["127.0.0.2", "127.1.2.3", "192.0.2.2", "10.0.0.1", "::ffff:192.0.2.2", "fd00::2", "fe80::1", "::", "0.0.0.0", ""]) {
      expect(isLocalPeer(a), a).toBe(false);
    }
    expect(isLocalPeer(undefined)).toBe(false);
  });

  it("denies only with protected-mode on, no password, and a peer that is not local", () => {
    expect(protectedModeDenies(true, "", false)).toBe(true);
    expect(protectedModeDenies(true, "", true)).toBe(false);
    expect(protectedModeDenies(true, "pw", false)).toBe(false);
    expect(protectedModeDenies(false, "", false)).toBe(false);
  });
});

describe(`protected mode over sockets (non-local peer ${NONLOCAL.localAddress ?? NONLOCAL.host})`, () => {
  it("refuses a non-local client with the exact DENIED bytes, closes it, and counts it as rejected", async () => {
    const s = await startServer({ port: 0, debug: true, bind: "0.0.0.0" });
    try {
      const p = new Peer(s.port);
      expect(await p.closedByPeer()).toBe(DENIED);
      expect(s.wedis.clients.size).toBe(0);
      expect(s.wedis.stats.rejectedConnections).toBe(1);
      expect(s.wedis.stats.totalConnections).toBe(0);
      // Loopback clients are let in, and see the refusal in INFO like Redis reports it.
      const info = await local(s, "INFO", "stats");
      expect(info).toContain("\r\nrejected_connections:1\r\n");
      expect(info).toContain("\r\ntotal_connections_received:1\r\n");
      expect(await local(s, "PING")).toBe("+PONG\r\n");
    } finally {
      await s.close();
    }
  });

  it("applies whatever `bind` says, including an explicit non-loopback address", async () => {
    const s = await startServer({ port: 0, debug: true, bind: NONLOCAL.host });
    try {
      expect(await new Peer(s.port).closedByPeer()).toBe(DENIED);
    } finally {
      await s.close();
    }
  });

  it("with requirepass nobody is denied: the client gets NOAUTH, then AUTH works", async () => {
    const s = await startServer({ port: 0, debug: true, bind: "0.0.0.0", config: { requirepass: "sekret" } });
    try {
      const p = new Peer(s.port);
      expect(await p.ask("PING\r\n", NOAUTH)).toBe(NOAUTH);
      expect(await p.ask("AUTH sekret\r\nPING\r\n", "+OK\r\n+PONG\r\n")).toBe("+OK\r\n+PONG\r\n");
      expect(p.closed).toBe(false);
      p.close();
      expect(s.wedis.stats.rejectedConnections).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("with protected-mode no nobody is denied", async () => {
    const s = await startServer({ port: 0, debug: true, bind: "0.0.0.0", config: { "protected-mode": "no" } });
    try {
      const p = new Peer(s.port);
      expect(await p.ask("PING\r\n", "+PONG\r\n")).toBe("+PONG\r\n");
      p.close();
    } finally {
      await s.close();
    }
  });

  it("CONFIG SET of protected-mode and requirepass decides for the next connection; connected clients stay", async () => {
    const s = await startServer({ port: 0, debug: true, bind: "0.0.0.0" });
    try {
      expect(await new Peer(s.port).closedByPeer()).toBe(DENIED);

      expect(await local(s, "CONFIG", "SET", "requirepass", "sekret")).toBe("+OK\r\n");
      const withPass = new Peer(s.port);
      expect(await withPass.ask("PING\r\n", NOAUTH)).toBe(NOAUTH);

      // The password goes away with the check on: denied again.
      const admin = new RawConn(s.port);
      await admin.ready;
      admin.send(cmd("AUTH", "sekret"));
      admin.send(cmd("CONFIG", "SET", "requirepass", ""));
      expect(await admin.replies(2)).toEqual(["+OK\r\n", "+OK\r\n"]);
      expect(await new Peer(s.port).closedByPeer()).toBe(DENIED);

      admin.send(cmd("CONFIG", "SET", "protected-mode", "no"));
      expect(await admin.replies(1)).toEqual(["+OK\r\n"]);
      const open = new Peer(s.port);
      expect(await open.ask("PING\r\n", "+PONG\r\n")).toBe("+PONG\r\n");

      // Turned back on: new peers are refused, but the one already in is not thrown out.
      admin.send(cmd("CONFIG", "SET", "protected-mode", "yes"));
      expect(await admin.replies(1)).toEqual(["+OK\r\n"]);
      expect(await new Peer(s.port).closedByPeer()).toBe(DENIED);
      expect(await open.ask("ECHO still\r\n", "$5\r\nstill\r\n")).toBe("$5\r\nstill\r\n");
      // Connected while a password was set and never authenticated: with none now, it needs none.
      expect(await withPass.ask("PING\r\n", "+PONG\r\n")).toBe("+PONG\r\n");

      expect(s.wedis.stats.rejectedConnections).toBe(3);
      for (const c of [withPass, open]) c.close();
      admin.close();
    } finally {
      await s.close();
    }
  });

  it("on a dual-stack listener, IPv4 loopback (::ffff:127.0.0.1) is local and the external address is not", async () => {
    let s: StartedServer;
    try {
      s = await startServer({ port: 0, debug: true, bind: "::*" });
    } catch {
      return; // no IPv6 on this machine
    }
    try {
      const lo = new Peer(s.port, { host: "127.0.0.1" });
      expect(await lo.ask("PING\r\n", "+PONG\r\n")).toBe("+PONG\r\n");
      const [c] = [...s.wedis.clients.values()];
      expect(c.socket.remoteAddress).toBe("::ffff:127.0.0.1");
      lo.close();
      expect(await new Peer(s.port).closedByPeer()).toBe(DENIED);
    } finally {
      await s.close();
    }
  });
});
