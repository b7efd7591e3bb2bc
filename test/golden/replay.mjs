// Sends commands over a raw socket and collects the exact reply bytes; replays a transcript and
// reports every step whose reply does not satisfy what was recorded from Redis. Used by the
// recorder (recording, and --verify-against) and by golden.test.ts.
import net from "node:net";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { encodeCommand, replyEnd, matches, escape, argFromJson, commandText } from "./resp.mjs";

/** One connection that sends a command at a time and resolves with its reply bytes. */
export class RawClient {
  static connect(port, host = "127.0.0.1") {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host });
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawClient(socket));
      });
      socket.once("error", reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.waiter = null;
    this.closed = false;
    this.error = null;
    socket.setNoDelay(true);
    socket.on("data", (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.wake();
    });
  }

  wake() {
    const w = this.waiter;
    if (w) w();
  }

  /** Sends one command; resolves with the reply bytes; rejects on timeout or close. */
  async call(args, timeoutMs = 5000) {
    if (this.buf.length) throw new Error(`unexpected bytes before sending: ${escape(this.buf)}`);
    this.socket.write(encodeCommand(args));
    return this.read(timeoutMs);
  }

  /** Waits for one complete reply. */
  read(timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no complete reply within ${timeoutMs} ms (got so far: "${escape(this.buf)}")`));
      }, timeoutMs);
      const check = () => {
        let end;
        try {
          end = replyEnd(this.buf, 0);
        } catch (e) {
          end = -2;
          clearTimeout(timer);
          this.waiter = null;
          reject(e);
          return;
        }
        if (end >= 0) {
          clearTimeout(timer);
          this.waiter = null;
          const reply = this.buf.subarray(0, end);
          this.buf = this.buf.subarray(end);
          resolve(Buffer.from(reply));
        } else if (this.closed || this.error) {
          clearTimeout(timer);
          this.waiter = null;
          reject(new Error(`connection ${this.error ? `error (${this.error.message})` : "closed"} before a complete reply (got: "${escape(this.buf)}")`));
        }
      };
      this.waiter = check;
      check();
    });
  }

  close() {
    this.socket.destroy();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Empties every database through a connection of its own, so each scenario starts clean. */
export async function isolate(port, host) {
  const c = await RawClient.connect(port, host);
  try {
    const r = (await c.call(["FLUSHALL"])).toString("latin1");
    if (r !== "+OK\r\n") throw new Error(`FLUSHALL before the scenario replied "${escape(r)}"`);
  } finally {
    c.close();
  }
}

/**
 * Replays `transcript` against the server at `port` on a fresh connection after FLUSHALL.
 * Returns the failures: [{ step, command, expected, actual, match }], empty when it all matched.
 */
export async function replay(port, transcript, { host = "127.0.0.1", timeoutMs = 5000 } = {}) {
  await isolate(port, host);
  const client = await RawClient.connect(port, host);
  const failures = [];
  try {
    for (const [i, step] of transcript.steps.entries()) {
      if (step.sleep !== undefined) {
        await sleep(step.sleep);
        continue;
      }
      let actual;
      try {
        actual = (await client.call(step.cmd.map(argFromJson), timeoutMs)).toString("latin1");
      } catch (e) {
        failures.push({ step: i, line: step.line, command: commandText(step.cmd), expected: escape(step.reply), actual: `<${e.message}>`, match: step.match ?? "exact" });
        break; // the connection state is unknown from here on
      }
      if (!matches(step, actual)) {
        failures.push({
          step: i,
          line: step.line,
          command: commandText(step.cmd),
          expected: step.match === "regex" ? `/${step.regex}/ (Redis said "${escape(step.reply)}")` : escape(step.reply),
          actual: escape(actual),
          match: step.match ?? "exact",
        });
      }
    }
  } finally {
    client.close();
  }
  return failures;
}

/** Human-readable list of failures. */
export function formatFailures(name, failures) {
  return failures
    .map((f) => `${name}.txt:${f.line} [${f.match}] ${f.command}\n    expected: ${f.expected}\n    actual:   ${f.actual}`)
    .join("\n");
}

/** All transcripts in `dir`, sorted by name. */
export function loadTranscripts(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
}
