// In-process servers with the AOF on, started (and restarted) on a directory within a test, each
// with an ioredis client; whatever a test started is closed after it. Each server logs to
// `wedis.log` in its directory, so a test can read what it logged.
import { afterEach } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { startServer, type ServerOptions, type StartedServer } from "../../host/server.js";

export interface AofServer {
  s: StartedServer;
  r: Redis;
  /** What the server logged so far. */
  log: () => string;
}

/** Registers the clean-up with the calling test file; `prefix` names its temp directories. */
export function aofServers(prefix: string) {
  const servers: StartedServer[] = [];
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const s of servers.splice(0)) await s.close();
  });

  /** A server on `dir`, appendonly yes unless `config` says otherwise, with a client. */
  async function start(dir: string, config: Record<string, string> = {}, options: ServerOptions = {}): Promise<AofServer> {
    const logfile = join(dir, "wedis.log");
    const s = await startServer({ port: 0, log: true, ...options, config: { dir, appendonly: "yes", logfile, ...config } });
    servers.push(s);
    const r = client(s.port);
    return { s, r, log: () => readFileSync(logfile, "utf8") };
  }

  /** Closes the server and its client (before a restart on the same directory). */
  async function stop(s: StartedServer, r: Redis): Promise<void> {
    r.disconnect();
    await s.close();
    servers.splice(servers.indexOf(s), 1);
  }

  /** Another client, closed after the test. */
  function client(port: number): Redis {
    const r = new Redis({ port, host: "127.0.0.1" });
    clients.push(r);
    return r;
  }

  /** A server started some other way, closed after the test. */
  function track(s: StartedServer): StartedServer {
    servers.push(s);
    return s;
  }

  return { start, stop, client, track, tmp: () => mkdtempSync(join(tmpdir(), `wedis-${prefix}-`)) };
}
