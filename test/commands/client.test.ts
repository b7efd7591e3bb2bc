// CLIENT over real sockets (ioredis, node-redis and raw bytes): names, the CLIENT LIST line
// format, filters, KILL in both forms, NO-EVICT, REPLY ON and the error strings of Redis 7.0.15.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { createClient } from "redis";
import { startServer, type StartedServer } from "../../host/server.js";
import { RawConn, cmd, exchange } from "../server/raw.js";

let s: StartedServer;
beforeAll(async () => {
  s = await startServer({ port: 0, debug: true });
});
afterAll(() => s.close());

async function ioredis(): Promise<Redis> {
  const r = new Redis({ port: s.port, host: "127.0.0.1", lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  return r;
}

const one = async (...args: string[]) => (await exchange(s.port, cmd(...args), 1))[0];

/** Redis 7.0's CLIENT LIST fields, in order. */
const LINE = new RegExp(
  "^id=(\\d+) addr=(\\S+) laddr=(\\S+) fd=-?\\d+ name=(\\S*) age=\\d+ idle=\\d+ flags=(\\w+) db=(\\d+) sub=0 psub=0 ssub=0 multi=-1 " +
    "qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=\\d+ oll=0 omem=\\d+ tot-mem=\\d+ events=rw? " +
    "cmd=(\\S+) user=default redir=-1 resp=([23])$",
);

function lines(text: string): string[] {
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n");
}

describe("CLIENT", () => {
  it("ID, GETNAME, SETNAME (with Redis's validation)", async () => {
    const r = await ioredis();
    try {
      const id = (await r.call("client", "id")) as number;
      expect(id).toBeGreaterThan(0);
      expect(await r.call("client", "getname")).toBeNull();
      await expect(r.call("client", "setname", "a b")).rejects.toThrow("ERR Client names cannot contain spaces, newlines or special characters.");
      await expect(r.call("client", "setname", "a\nb")).rejects.toThrow("ERR Client names cannot contain spaces, newlines or special characters.");
      expect(await r.call("client", "setname", "worker-1")).toBe("OK");
      expect(await r.call("client", "getname")).toBe("worker-1");
      expect(await r.call("client", "setname", "")).toBe("OK");
      expect(await r.call("client", "getname")).toBeNull();
    } finally {
      r.disconnect();
    }
  });

  it("LIST and INFO print Redis 7.0's line format, one line per client", async () => {
    const a = await ioredis();
    const b = createClient({ socket: { port: s.port, host: "127.0.0.1", reconnectStrategy: false } });
    await b.connect();
    try {
      await a.call("client", "setname", "alpha");
      await a.select(2);
      const idA = (await a.call("client", "id")) as number;
      const all = lines((await b.sendCommand(["CLIENT", "LIST"])) as string);
      expect(all.length).toBe(s.wedis.clients.size);
      for (const l of all) expect(l).toMatch(LINE);
      const mine = all.map((l) => LINE.exec(l)!).find((m) => Number(m[1]) === idA)!;
      expect(mine[4]).toBe("alpha");
      expect(mine[6]).toBe("2");
      expect(mine[7]).toBe("client|id");
      expect(mine[5]).toBe("N");
      const info = (await a.call("client", "info")) as string;
      const m = LINE.exec(lines(info)[0])!;
      expect(Number(m[1])).toBe(idA);
      expect(m[7]).toBe("client|info");
      // ioredis 6 speaks RESP3.
      expect(m[8]).toBe("3");
      // The peer's view of its own address.
      expect(m[2]).toBe(`127.0.0.1:${a.stream.localPort}`);
      expect(m[3]).toBe(`127.0.0.1:${s.port}`);
    } finally {
      a.disconnect();
      await b.quit();
    }
  });

  it("LIST filters by TYPE and ID; errors as Redis", async () => {
    const r = await ioredis();
    try {
      const id = (await r.call("client", "id")) as number;
      const byId = lines((await r.call("client", "list", "id", String(id), "999999")) as string);
      expect(byId.length).toBe(1);
      expect(byId[0]).toMatch(new RegExp(`^id=${id} `));
      expect(await r.call("client", "list", "id", "999999")).toBe("");
      expect(lines((await r.call("client", "list", "type", "NORMAL")) as string).length).toBe(s.wedis.clients.size);
      expect(await r.call("client", "list", "type", "pubsub")).toBe("");
      expect(await r.call("client", "list", "type", "replica")).toBe("");
      expect(await one("CLIENT", "LIST", "TYPE", "foo")).toBe("-ERR Unknown client type 'foo'\r\n");
      expect(await one("CLIENT", "LIST", "ID", "x")).toBe("-ERR Invalid client ID\r\n");
      expect(await one("CLIENT", "LIST", "ID")).toBe("-ERR syntax error\r\n");
      expect(await one("CLIENT", "LIST", "foo")).toBe("-ERR syntax error\r\n");
      expect(await one("CLIENT", "LIST", "TYPE", "normal", "ID", "1")).toBe("-ERR syntax error\r\n");
    } finally {
      r.disconnect();
    }
  });

  it("LIST is a verbatim string in RESP3", async () => {
    const [, list] = await exchange(s.port, Buffer.concat([cmd("HELLO", "3"), cmd("CLIENT", "INFO")]), 2);
    expect(list).toMatch(/^=\d+\r\ntxt:id=\d+ addr=/);
    expect(list).toMatch(/ resp=3\n\r\n$/);
  });

  it("KILL ip:port closes that connection; unknown address is an error", async () => {
    const victim = new RawConn(s.port);
    await victim.ready;
    const r = await ioredis();
    try {
      const addr = `127.0.0.1:${victim.socket.localPort}`;
      expect(await r.call("client", "kill", addr)).toBe("OK");
      await victim.closedByPeer();
      await expect(r.call("client", "kill", addr)).rejects.toThrow("ERR No such client");
    } finally {
      victim.close();
      r.disconnect();
    }
  });

  it("KILL with filters returns the count and skips the caller unless SKIPME no", async () => {
    const victim = new RawConn(s.port);
    await victim.ready;
    victim.send(cmd("CLIENT", "ID"));
    const [idReply] = await victim.replies(1);
    const vid = idReply.slice(1, -2);
    const r = await ioredis();
    try {
      expect(await r.call("client", "kill", "id", vid)).toBe(1);
      await victim.closedByPeer();
      expect(await r.call("client", "kill", "id", vid)).toBe(0);
      const myId = String(await r.call("client", "id"));
      expect(await r.call("client", "kill", "id", myId)).toBe(0); // SKIPME yes by default
      expect(await r.call("client", "kill", "addr", "1.2.3.4:5", "skipme", "yes")).toBe(0);
      expect(await r.call("client", "kill", "user", "default", "laddr", "9.9.9.9:1")).toBe(0);
    } finally {
      r.disconnect();
    }
    // The caller itself: the reply is sent, then the connection closes.
    const self = new RawConn(s.port);
    await self.ready;
    self.send(cmd("CLIENT", "ID"));
    const [selfId] = await self.replies(1);
    self.send(cmd("CLIENT", "KILL", "ID", selfId.slice(1, -2), "SKIPME", "no"));
    expect(await self.closedByPeer()).toBe(":1\r\n");
  });

  it("KILL errors are Redis's", async () => {
    const cases: [string[], string][] = [
      [["CLIENT", "KILL", "1.2.3.4:5"], "-ERR No such client\r\n"],
      [["CLIENT", "KILL", "ID", "x"], "-ERR client-id should be greater than 0\r\n"],
      [["CLIENT", "KILL", "ID", "0"], "-ERR client-id should be greater than 0\r\n"],
      [["CLIENT", "KILL", "foo", "bar"], "-ERR syntax error\r\n"],
      [["CLIENT", "KILL", "TYPE", "foo"], "-ERR Unknown client type 'foo'\r\n"],
      [["CLIENT", "KILL", "SKIPME", "x"], "-ERR syntax error\r\n"],
      [["CLIENT", "KILL", "USER", "nouser"], "-ERR No such user 'nouser'\r\n"],
      [["CLIENT", "KILL", "USER", "default", "ID"], "-ERR syntax error\r\n"],
      [["CLIENT", "KILL", "MAXAGE", "1"], "-ERR syntax error\r\n"],
      [["CLIENT", "KILL", "TYPE", "master"], ":0\r\n"],
    ];
    for (const [args, err] of cases) expect(await one(...args)).toBe(err);
  });

  it("LIST shows a client inside MULTI: flag x, queued commands and their memory", async () => {
    const a = new RawConn(s.port);
    const b = new RawConn(s.port);
    await a.ready;
    await b.ready;
    try {
      a.send(Buffer.concat([cmd("CLIENT", "SETNAME", "in-multi"), cmd("MULTI"), cmd("SET", "k", "value"), cmd("INCR", "n")]));
      expect(await a.replies(4)).toEqual(["+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n"]);
      b.send(cmd("CLIENT", "LIST"));
      const [list] = await b.replies(1);
      const line = list.split("\n").find((l) => l.includes("name=in-multi"))!;
      expect(line).toMatch(/ flags=x /);
      expect(line).toMatch(/ multi=2 /);
      expect(Number(/ multi-mem=(\d+) /.exec(line)![1])).toBeGreaterThan(0);
      a.send(cmd("DISCARD"));
      expect(await a.replies(1)).toEqual(["+OK\r\n"]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("REPLY OFF drops every reply until ON, SKIP drops the next one only", async () => {
    const c = new RawConn(s.port);
    await c.ready;
    try {
      // One read mixing engine and host commands, errors included: only the marked replies come back.
      c.send(Buffer.concat([
        cmd("SET", "r1", "a"), // +OK
        cmd("CLIENT", "REPLY", "OFF"),
        cmd("SET", "r2", "b"),
        cmd("GET", "r1"),
        cmd("NOSUCHCOMMAND"),
        cmd("CLIENT", "ID"),
        cmd("CLIENT", "REPLY", "ON"), // +OK
        cmd("GET", "r2"), // $1 b
        cmd("CLIENT", "REPLY", "SKIP"),
        cmd("GET", "r1"), // skipped
        cmd("GET", "r2"), // $1 b
        cmd("ECHO", "end"), // $3 end
      ]));
      expect(await c.replies(5)).toEqual(["+OK\r\n", "+OK\r\n", "$1\r\nb\r\n", "$1\r\nb\r\n", "$3\r\nend\r\n"]);
      // Nothing else arrives: a PING afterwards is answered next.
      c.send(cmd("PING"));
      expect(await c.replies(1)).toEqual(["+PONG\r\n"]);
    } finally {
      c.close();
    }
  });

  it("NO-EVICT sets flag e; REPLY ON answers OK; SETINFO; bad arguments", async () => {
    const c = new RawConn(s.port);
    await c.ready;
    try {
      c.send(Buffer.concat([cmd("CLIENT", "NO-EVICT", "on"), cmd("CLIENT", "INFO"), cmd("CLIENT", "NO-EVICT", "off"), cmd("CLIENT", "INFO")]));
      const [ok1, on, ok2, off] = await c.replies(4);
      expect([ok1, ok2]).toEqual(["+OK\r\n", "+OK\r\n"]);
      expect(on).toMatch(/ flags=e /);
      expect(off).toMatch(/ flags=N /);
      c.send(Buffer.concat([
        cmd("CLIENT", "NO-EVICT", "x"),
        cmd("CLIENT", "REPLY", "foo"),
        cmd("CLIENT", "REPLY", "ON"),
        cmd("CLIENT", "SETINFO", "LIB-NAME", "mylib"),
        cmd("CLIENT", "SETINFO", "lib-ver", "1 2"),
        cmd("CLIENT", "SETINFO", "foo", "x"),
        cmd("CLIENT", "FOO"),
      ]));
      expect(await c.replies(7)).toEqual([
        "-ERR syntax error\r\n",
        "-ERR syntax error\r\n",
        "+OK\r\n",
        "+OK\r\n",
        "-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n",
        "-ERR Unrecognized option 'foo'\r\n",
        "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n",
      ]);
      const conn = [...s.wedis.clients.values()].find((x) => x.libName === "mylib");
      expect(conn).toBeDefined();
    } finally {
      c.close();
    }
  });

  it("HELP lists the implemented subcommands in Redis's format, the same in RESP2 and RESP3", async () => {
    const resp2 = await one("CLIENT", "HELP");
    const [, resp3] = await exchange(s.port, Buffer.concat([cmd("HELLO", "3"), cmd("CLIENT", "HELP")]), 2);
    expect(resp3).toBe(resp2);
    // An array of simple strings: "*N", then N "+line" entries.
    const parts = resp2.split("\r\n");
    expect(parts.pop()).toBe("");
    expect(parts[0]).toBe(`*${parts.length - 1}`);
    for (const p of parts.slice(1)) expect(p.startsWith("+")).toBe(true);
    const help = parts.slice(1).map((p) => p.slice(1));
    expect(help[0]).toBe("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(help.slice(1).filter((l) => !l.startsWith(" "))).toEqual([
      "GETNAME",
      "ID",
      "INFO",
      "KILL <ip:port>",
      "KILL <option> <value> [<option> <value> [...]]",
      "LIST [options ...]",
      "REPLY (ON|OFF|SKIP)",
      "SETNAME <name>",
      "SETINFO <option> <value>",
      "NO-EVICT (ON|OFF)",
      "HELP",
    ]);
    // Every usage line is described by indented lines of our own.
    for (let i = 1; i < help.length; i++) if (!help[i].startsWith(" ")) expect(help[i + 1]?.startsWith("    ")).toBe(true);
    expect(help).toContain("      Connections of this kind (in Wedis every connection is NORMAL).");
    expect(help.slice(-2)).toEqual(["HELP", "    List these subcommands."]);
    const r = await ioredis();
    try {
      expect(await r.call("client", "help")).toEqual(help);
    } finally {
      r.disconnect();
    }
  });
});
