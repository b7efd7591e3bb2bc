// Connection commands and the dispatch checks, byte for byte against what Redis 7.0.15 answers
// (each expected string below was observed on a real redis-server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "../../host/server.js";
import { RawConn, cmd, exchange, helloReply } from "./raw.js";

const NOAUTH_HELLO =
  "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
const WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

async function connect(s: StartedServer): Promise<{ conn: RawConn; id: number }> {
  const before = new Set(s.wedis.clients.keys());
  const conn = new RawConn(s.port);
  await conn.ready;
  // The server registers the client on accept; wait for it to appear.
  for (let i = 0; i < 100; i++) {
    const id = [...s.wedis.clients.keys()].find((k) => !before.has(k));
    if (id !== undefined) return { conn, id };
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("client never registered");
}

describe("without requirepass", () => {
  let s: StartedServer;
  beforeAll(async () => {
    s = await startServer({ port: 0, debug: true });
  });
  afterAll(() => s.close());

  it("answers PING and ECHO (through the engine), inline and multibulk", async () => {
    expect(await exchange(s.port, "PING\r\n", 1)).toEqual(["+PONG\r\n"]);
    const bin = Buffer.from([0, 1, 2, 0xff, 13, 10, 0x80]);
    const [pong, echo] = await exchange(s.port, Buffer.concat([cmd("PING"), cmd("ECHO", bin)]), 2);
    expect(pong).toBe("+PONG\r\n");
    expect(Buffer.from(echo, "latin1")).toEqual(Buffer.concat([Buffer.from("$7\r\n"), bin, Buffer.from("\r\n")]));
    expect(await exchange(s.port, 'ping "hello world"\r\n', 1)).toEqual(["$11\r\nhello world\r\n"]);
  });

  it("HELLO with no argument, 2 and 3 replies the Redis map in the chosen protocol", async () => {
    const { conn, id } = await connect(s);
    conn.send("HELLO\r\nHELLO 3\r\nPING\r\nHELLO 2\r\n");
    expect(await conn.replies(4)).toEqual([helloReply(2, id), helloReply(3, id), "+PONG\r\n", helloReply(2, id)]);
    conn.close();
  });

  it("HELLO errors", async () => {
    const r = await exchange(
      s.port,
      "HELLO 4\r\nHELLO 1\r\nHELLO abc\r\nHELLO 03\r\nHELLO 3 FOO\r\nHELLO 3 AUTH default\r\nHELLO 3 SETNAME\r\nHELLO 2 SETNAME \"a b\"\r\nHELLO 3 AUTH foo x\r\n",
      9,
    );
    expect(r).toEqual([
      "-NOPROTO unsupported protocol version\r\n",
      "-NOPROTO unsupported protocol version\r\n",
      "-ERR Protocol version is not an integer or out of range\r\n",
      "-ERR Protocol version is not an integer or out of range\r\n",
      "-ERR Syntax error in HELLO option 'FOO'\r\n",
      "-ERR Syntax error in HELLO option 'AUTH'\r\n",
      "-ERR Syntax error in HELLO option 'SETNAME'\r\n",
      "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
      WRONGPASS,
    ]);
  });

  it("HELLO SETNAME names the client and HELLO AUTH default <anything> works without a password", async () => {
    const { conn, id } = await connect(s);
    conn.send("HELLO 3 SETNAME first SETNAME second AUTH default whatever\r\n");
    expect(await conn.replies(1)).toEqual([helloReply(3, id)]);
    expect(s.wedis.clients.get(id)!.name).toBe("second");
    conn.close();
  });

  it("AUTH without a configured password", async () => {
    const r = await exchange(s.port, "AUTH x\r\nAUTH default x\r\nAUTH a b\r\nAUTH a b c\r\nAUTH\r\n", 5);
    expect(r).toEqual([
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
      "+OK\r\n",
      WRONGPASS,
      "-ERR syntax error\r\n",
      "-ERR wrong number of arguments for 'auth' command\r\n",
    ]);
  });

  it("SELECT checks the index and changes the client's database", async () => {
    const { conn, id } = await connect(s);
    conn.send("SELECT 16\r\nSELECT -1\r\nSELECT x\r\nSELECT 1.5\r\nSELECT 99999999999\r\nSELECT 3\r\nSELECT\r\n");
    expect(await conn.replies(7)).toEqual([
      "-ERR DB index is out of range\r\n",
      "-ERR DB index is out of range\r\n",
      "-ERR value is not an integer or out of range\r\n",
      "-ERR value is not an integer or out of range\r\n",
      "-ERR value is not an integer or out of range\r\n",
      "+OK\r\n",
      "-ERR wrong number of arguments for 'select' command\r\n",
    ]);
    expect(s.wedis.clients.get(id)!.db).toBe(3);
    conn.close();
  });

  it("unknown commands, unknown subcommands and arity errors", async () => {
    const r = await exchange(s.port, "FOO a b\r\nFOO\r\nECHO\r\nPING a b\r\nECHO a b\r\nCOMMAND NOPE\r\nRESET x\r\n", 7);
    expect(r).toEqual([
      "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n",
      "-ERR unknown command 'FOO', with args beginning with: \r\n",
      "-ERR wrong number of arguments for 'echo' command\r\n",
      "-ERR wrong number of arguments for 'ping' command\r\n",
      "-ERR wrong number of arguments for 'echo' command\r\n",
      "-ERR unknown subcommand 'NOPE'. Try COMMAND HELP.\r\n",
      "-ERR wrong number of arguments for 'reset' command\r\n",
    ]);
  });

  it("QUIT replies +OK, runs nothing after it, and closes", async () => {
    const conn = new RawConn(s.port);
    await conn.ready;
    conn.send("PING\r\nQUIT\r\nPING\r\n");
    expect(await conn.closedByPeer()).toBe("+PONG\r\n+OK\r\n");
  });

  it("RESET returns to db 0, RESP2, no name", async () => {
    const { conn, id } = await connect(s);
    conn.send("HELLO 3 SETNAME x\r\nSELECT 5\r\nRESET\r\nHELLO\r\n");
    const r = await conn.replies(4);
    expect(r.slice(1)).toEqual(["+OK\r\n", "+RESET\r\n", helloReply(2, id)]);
    const c = s.wedis.clients.get(id)!;
    expect([c.db, c.proto, c.name]).toEqual([0, 2, ""]);
    conn.close();
  });

  it("a protocol error: earlier commands are answered, then the error, then the connection closes", async () => {
    const conn = new RawConn(s.port);
    await conn.ready;
    conn.send("PING\r\nECHO hi\r\n*1\r\n$x\r\nPING\r\n");
    expect(await conn.closedByPeer()).toBe("+PONG\r\n$2\r\nhi\r\n-ERR Protocol error: invalid bulk length\r\n");
  });

  it("commands split across many reads are answered once complete", async () => {
    const conn = new RawConn(s.port);
    await conn.ready;
    const bytes = Buffer.concat([cmd("ECHO", "x".repeat(1000)), cmd("PING")]);
    for (let i = 0; i < bytes.length; i += 7) {
      conn.send(bytes.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    expect(await conn.replies(2)).toEqual([`$1000\r\n${"x".repeat(1000)}\r\n`, "+PONG\r\n"]);
    conn.close();
  });

  it("mixed engine and host commands in one read keep their order", async () => {
    const input: Buffer[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      input.push(cmd("ECHO", `m${i}`));
      expected.push(`$${String(i).length + 1}\r\nm${i}\r\n`);
      if (i % 7 === 0) {
        input.push(cmd("SELECT", String(i % 16)));
        expected.push("+OK\r\n");
      }
      if (i % 11 === 0) {
        input.push(cmd("NOPE"));
        expected.push("-ERR unknown command 'NOPE', with args beginning with: \r\n");
      }
    }
    expect(await exchange(s.port, Buffer.concat(input), expected.length)).toEqual(expected);
  });

  it("counts connections and commands", async () => {
    const before = { ...s.wedis.stats };
    await exchange(s.port, "PING\r\nPING\r\nNOPE\r\n", 3);
    expect(s.wedis.stats.totalConnections).toBe(before.totalConnections + 1);
    expect(s.wedis.stats.totalCommands).toBe(before.totalCommands + 2);
    expect(s.wedis.stats.rejectedCalls).toBe(before.rejectedCalls + 1);
  });
});

describe("with requirepass", () => {
  let s: StartedServer;
  beforeAll(async () => {
    s = await startServer({ port: 0, debug: true, config: { requirepass: "sekret" } });
  });
  afterAll(() => s.close());

  it("refuses commands before AUTH, but unknown/arity errors come first", async () => {
    const r = await exchange(s.port, "PING\r\nFOO\r\nECHO\r\nSELECT 1\r\nHELLO\r\nHELLO 3\r\n", 6);
    expect(r).toEqual([
      "-NOAUTH Authentication required.\r\n",
      "-ERR unknown command 'FOO', with args beginning with: \r\n",
      "-ERR wrong number of arguments for 'echo' command\r\n",
      "-NOAUTH Authentication required.\r\n",
      NOAUTH_HELLO,
      NOAUTH_HELLO,
    ]);
  });

  it("AUTH with a wrong and the right password, in both forms", async () => {
    const r = await exchange(s.port, "AUTH wrong\r\nPING\r\nAUTH bob sekret\r\nAUTH sekret\r\nPING\r\nAUTH default sekret\r\n", 6);
    expect(r).toEqual([WRONGPASS, "-NOAUTH Authentication required.\r\n", WRONGPASS, "+OK\r\n", "+PONG\r\n", "+OK\r\n"]);
  });

  it("HELLO AUTH authenticates and switches protocol at once", async () => {
    const { conn, id } = await connect(s);
    conn.send("HELLO 3 AUTH default wrong\r\nHELLO 4 AUTH default sekret\r\nHELLO 3 AUTH default sekret\r\nPING\r\n");
    expect(await conn.replies(4)).toEqual([WRONGPASS, "-NOPROTO unsupported protocol version\r\n", helloReply(3, id), "+PONG\r\n"]);
    conn.close();
  });

  it("RESET logs the client out again; QUIT needs no AUTH", async () => {
    const conn = new RawConn(s.port);
    await conn.ready;
    conn.send("AUTH sekret\r\nPING\r\nRESET\r\nPING\r\nQUIT\r\n");
    expect(await conn.closedByPeer()).toBe("+OK\r\n+PONG\r\n+RESET\r\n-NOAUTH Authentication required.\r\n+OK\r\n");
  });

  it("unauthenticated clients may not send big commands, but AUTH in the same read lifts the limit", async () => {
    const big = cmd("ECHO", ...Array.from({ length: 11 }, (_, i) => `a${i}`));
    const r = await exchange(s.port, Buffer.concat([cmd("AUTH", "sekret"), big, cmd("PING")]), 3);
    expect(r).toEqual(["+OK\r\n", "-ERR wrong number of arguments for 'echo' command\r\n", "+PONG\r\n"]);
    const conn = new RawConn(s.port);
    await conn.ready;
    conn.send(Buffer.concat([cmd("PING"), big]));
    expect(await conn.closedByPeer()).toBe("-NOAUTH Authentication required.\r\n-ERR Protocol error: unauthenticated multibulk length\r\n");
  });

  it("CONFIG-style changes of requirepass apply to new checks", async () => {
    const { conn } = await connect(s);
    conn.send("PING\r\n");
    expect(await conn.replies(1)).toEqual(["-NOAUTH Authentication required.\r\n"]);
    expect(s.wedis.config.setConfig("requirepass", "")).toBeNull();
    conn.send("PING\r\n");
    expect(await conn.replies(1)).toEqual(["+PONG\r\n"]);
    expect(s.wedis.config.setConfig("requirepass", "sekret")).toBeNull();
    conn.close();
  });
});
