// A damaged AOF at start: a tail cut short loads what is before the cut and truncates the file
// there (aof-load-truncated yes, Redis's log lines), or refuses to start (no); garbage, a corrupt
// command, an unknown command, a cut in a file that is not the last, a bad manifest: the server
// does not start, and the error names the file and the offset. Never a partial load in silence.
import { describe, it, expect } from "vitest";
import { mkdirSync, readFileSync, writeFileSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { aofServers } from "../helpers/aof-servers.js";

const { start, stop, tmp } = aofServers("damage");

const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
const MANIFEST = "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";

/** An AOF directory with the given base and incremental contents. */
function aofDir(base: string | Buffer, incr: string | Buffer, manifest = MANIFEST): string {
  const dir = tmp();
  mkdirSync(join(dir, "appendonlydir"));
  writeFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), manifest);
  writeFileSync(join(dir, "appendonlydir", "appendonly.aof.1.base.aof"), base);
  writeFileSync(join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"), incr);
  return dir;
}

/** Starting on `dir` fails: the error's message. */
async function refused(dir: string, config: Record<string, string> = {}): Promise<string> {
  try {
    await start(dir, config);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the server started");
}

const base = resp("SELECT", "0") + resp("SET", "base", "1");
const good = resp("SELECT", "0") + resp("SET", "a", "1") + resp("RPUSH", "l", "x", "y");
const incrPath = (dir: string) => join(dir, "appendonlydir", "appendonly.aof.1.incr.aof");

describe("a damaged AOF", () => {
  it("cut short at the tail: loads everything before the cut and truncates the file there", async () => {
    const last = resp("SET", "b", "cut off");
    const dir = aofDir(base, good + last.slice(0, last.length - 4));
    const { s, r, log } = await start(dir);
    expect(await r.mget("base", "a", "b")).toEqual(["1", "1", null]);
    expect(await r.lrange("l", 0, -1)).toEqual(["x", "y"]);
    expect(statSync(incrPath(dir)).size).toBe(good.length);
    expect(log()).toContain("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!");
    expect(log()).toContain(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${good.length} !!!`);
    expect(log()).toContain("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled");
    // New writes continue the file from the cut, and load next time.
    await r.set("c", "3");
    await stop(s, r);
    const again = await start(dir);
    expect(await again.r.mget("a", "c")).toEqual(["1", "3"]);
  });

  it("cut short with aof-load-truncated no: refuses to start, and says how to repair", async () => {
    const dir = aofDir(base, good + "*2\r\n$3\r\nDEL");
    const msg = await refused(dir, { "aof-load-truncated": "no" });
    expect(msg).toContain(`Unexpected end of file reading the append only file appendonly.aof.1.incr.aof at offset ${good.length}`);
    expect(msg).toContain("wedis-check-aof --fix");
    expect(statSync(incrPath(dir)).size).toBe(good.length + 11); // untouched
  });

  it("a transaction left open at the end is reverted, the file truncated before its MULTI", async () => {
    const dir = aofDir(base, good + resp("MULTI") + resp("SET", "t", "1") + resp("INCR", "t"));
    const { r, log } = await start(dir);
    expect(await r.exists("t")).toBe(0);
    expect(await r.get("a")).toBe("1");
    expect(log()).toContain("Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof");
    expect(statSync(incrPath(dir)).size).toBe(good.length);
  });

  it("a complete transaction is applied, SELECT inside it included", async () => {
    const dir = aofDir(base, good + resp("MULTI") + resp("SET", "t", "1") + resp("SELECT", "4") + resp("SET", "t4", "x") + resp("EXEC") + resp("SET", "after", "1"));
    const { r } = await start(dir);
    expect(await r.get("t")).toBe("1");
    // After a transaction the file's own SELECTs carry on: the SET after EXEC runs in db 4.
    await r.select(4);
    expect(await r.mget("t4", "after")).toEqual(["x", "1"]);
  });

  it("garbage at the tail refuses to start, naming the file and the offset", async () => {
    const dir = aofDir(base, good + "this is not a command\r\n");
    const msg = await refused(dir);
    expect(msg).toBe(
      `Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${good.length} (expected '*', got 't'): ` +
        "make a backup of your AOF file, then use wedis-check-aof --fix <filename.manifest>",
    );
    expect(readFileSync(incrPath(dir), "latin1")).toContain("this is not a command"); // nothing truncated
  });

  it("a corrupt command in the middle refuses to start", async () => {
    const corrupt = good.replace("$1\r\nx", "$9\r\nx");
    const dir = aofDir(base, corrupt + resp("SET", "z", "1"));
    const msg = await refused(dir);
    expect(msg).toMatch(/^Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof at offset \d+ \(bulk string not followed by CRLF\)/);
  });

  it("an unknown command refuses to start", async () => {
    const dir = aofDir(base, good + resp("NOSUCHCOMMAND", "x") + resp("SET", "z", "1"));
    expect(await refused(dir)).toBe(`Unknown command 'NOSUCHCOMMAND' reading the append only file appendonly.aof.1.incr.aof at offset ${good.length}`);
  });

  it("a command with a wrong number of arguments refuses to start (it never reaches the engine)", async () => {
    const dir = aofDir(base, good + "*1\r\n$3\r\nSET\r\n" + resp("SET", "z", "1"));
    expect(await refused(dir)).toMatch(new RegExp(`^Wrong number of arguments for 'set' reading the append only file appendonly\\.aof\\.1\\.incr\\.aof at offset ${good.length}:`));
  });

  it("a cut in a file that is not the last refuses to start", async () => {
    const dir = aofDir(base + "*3\r\n$3\r\nSET\r\n$1", good);
    expect(await refused(dir)).toMatch(/^Fatal error: the truncated file appendonly\.aof\.1\.base\.aof is not the last file/);
  });

  it("a SELECT of a database that does not exist refuses to start", async () => {
    const dir = aofDir(base, resp("SELECT", "16") + resp("SET", "a", "1"));
    expect(await refused(dir)).toMatch(/SELECT 16 in the append only file appendonly\.aof\.1\.incr\.aof at offset 0 is out of range \(databases is 16\)/);
  });

  it("a manifest naming a missing file, or a broken manifest, refuses to start", async () => {
    const dir = aofDir(base, good, MANIFEST + "file appendonly.aof.2.incr.aof seq 2 type i\n");
    expect(await refused(dir)).toMatch(/The AOF file appendonly\.aof\.2\.incr\.aof named by the manifest does not exist/);
    const bad = aofDir(base, good, "file appendonly.aof.1.base.aof seq 1 type b\nnot a manifest line\n");
    expect(await refused(bad)).toMatch(/FATAL AOF MANIFEST FILE ERROR.*line 2.*Invalid AOF manifest file format/);
  });

  it("a base in RDB form is refused with a clear reason", async () => {
    const dir = aofDir(Buffer.from("REDIS0010\xfa", "latin1"), good);
    expect(await refused(dir)).toMatch(/is in RDB format, which Wedis cannot read/);
  });

  it("annotations (#TS:…) are skipped", async () => {
    const dir = aofDir(base, "#TS:1700000000\r\n" + good + "#TS:1700000001\r\n" + resp("SET", "b", "2"));
    const { r } = await start(dir);
    expect(await r.mget("a", "b")).toEqual(["1", "2"]);
  });

  it("an old single appendonly.aof in dir is moved into the directory as its base", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "appendonly.aof"), good);
    const { r, log } = await start(dir);
    expect(await r.get("a")).toBe("1");
    expect(existsSync(join(dir, "appendonly.aof"))).toBe(false);
    expect(readFileSync(join(dir, "appendonlydir", "appendonly.aof.manifest"), "utf8")).toBe(
      "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    expect(log()).toContain("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory");
  });
});
