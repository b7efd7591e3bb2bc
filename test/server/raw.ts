// A bare TCP client for server tests: sends exact bytes and frames the replies itself, so tests
// can compare what the server wrote byte for byte (a client library would hide the differences).
import net from "node:net";
// @ts-ignore: plain JS helper shared with the golden tests (no type declarations)
import { replyEnd } from "../golden/resp.mjs";

export class RawConn {
  readonly socket: net.Socket;
  // Received bytes live in buf[0, len) (grown by doubling: big replies arrive in many chunks);
  // replies before `pos` were already framed into `queue`.
  private buf = Buffer.alloc(64 * 1024);
  private len = 0;
  private pos = 0;
  private queue: string[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  readonly ready: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, "127.0.0.1");
    this.ready = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.socket.on("data", (d: Buffer) => {
      if (this.len + d.length > this.buf.length) {
        const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.len + d.length));
        this.buf.copy(grown, 0, 0, this.len);
        this.buf = grown;
      }
      d.copy(this.buf, this.len);
      this.len += d.length;
      this.frame();
      this.wake();
    });
    this.socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on("error", () => {});
  }

  private frame(): void {
    const view = this.buf.subarray(0, this.len);
    for (;;) {
      const end = replyEnd(view, this.pos);
      if (end < 0) break;
      this.queue.push(view.toString("latin1", this.pos, end));
      this.pos = end;
    }
    // Keep the buffer small once everything in it is framed.
    if (this.pos === this.len) this.pos = this.len = 0;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Bytes received but not (yet) a complete reply. */
  private rest(): string {
    return this.buf.toString("latin1", this.pos, this.len);
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits for `n` complete replies and returns them as latin1 strings. */
  async replies(n: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length < n) {
      const got = this.queue.length;
      if (this.closed) throw new Error(`connection closed after ${got} of ${n} replies: ${JSON.stringify(this.rest().slice(0, 300))}`);
      if (Date.now() > deadline) throw new Error(`timeout after ${got} of ${n} replies: ${JSON.stringify(this.rest().slice(0, 300))}`);
      await this.event(Math.max(1, deadline - Date.now()));
    }
    return this.queue.splice(0, n);
  }

  private event(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Resolves once the server closed the connection; returns the unread replies and bytes. */
  async closedByPeer(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("server did not close the connection");
      await this.event(50);
    }
    return this.queue.splice(0).join("") + this.rest();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One connection: send `input`, collect `n` replies, close. */
export async function exchange(port: number, input: string | Buffer, n: number): Promise<string[]> {
  const c = new RawConn(port);
  await c.ready;
  c.send(input);
  try {
    return await c.replies(n);
  } finally {
    c.close();
  }
}

/** RESP2 encoding of a command. */
export function cmd(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** The HELLO reply Redis 7.0.15 sends, for a client with `id`. */
export function helloReply(proto: 2 | 3, id: number): string {
  const fields = [
    "$6\r\nserver\r\n$5\r\nredis\r\n",
    "$7\r\nversion\r\n$6\r\n7.0.15\r\n",
    `$5\r\nproto\r\n:${proto}\r\n`,
    `$2\r\nid\r\n:${id}\r\n`,
    "$4\r\nmode\r\n$10\r\nstandalone\r\n",
    "$4\r\nrole\r\n$6\r\nmaster\r\n",
    "$7\r\nmodules\r\n*0\r\n",
  ];
  return (proto === 3 ? "%7\r\n" : "*14\r\n") + fields.join("");
}
