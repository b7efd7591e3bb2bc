// Memory per key: loads N small string keys (redis-benchmark's naming, `key:%012d`, with a
// 3-byte value) into a server through pipelined RESP and reads INFO memory's used_memory before
// and after. Both servers count their own allocations, so the ratio compares what each data
// structure costs, not what the process's resident size happens to be.
import net from "node:net";
import { RawClient } from "../test/golden/replay.mjs";

const VALUE = "xxx";

function setCommand(i) {
  const key = `key:${String(i).padStart(12, "0")}`;
  return `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${VALUE.length}\r\n${VALUE}\r\n`;
}

async function info(port, field) {
  const c = await RawClient.connect(port);
  try {
    const text = (await c.call(["INFO", "memory"], 10_000)).toString();
    const m = new RegExp(`^${field}:(\\d+)`, "m").exec(text);
    if (!m) throw new Error(`INFO memory has no ${field}`);
    return Number(m[1]);
  } finally {
    c.close();
  }
}

async function simple(port, args) {
  const c = await RawClient.connect(port);
  try {
    return (await c.call(args, 60_000)).toString();
  } finally {
    c.close();
  }
}

/** Sends `n` SETs in windows of `window` commands, waiting for each window's "+OK"s. */
function load(port, n, window = 10_000, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ port, host: "127.0.0.1" });
    const okBytes = 5; // "+OK\r\n"
    let sent = 0;
    let expected = 0;
    let received = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`loading ${n} keys took more than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const sendWindow = () => {
      const end = Math.min(n, sent + window);
      let chunk = "";
      for (let i = sent; i < end; i++) chunk += setCommand(i);
      expected += (end - sent) * okBytes;
      sent = end;
      socket.write(chunk);
    };
    socket.on("connect", sendWindow);
    socket.on("data", (d) => {
      // Any reply other than +OK shows up as a length mismatch at the end; check the first bytes.
      if (received === 0 && d[0] !== 0x2b) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`SET replied ${JSON.stringify(d.subarray(0, 80).toString())}`));
        return;
      }
      received += d.length;
      if (received === expected) {
        if (sent < n) sendWindow();
        else {
          clearTimeout(timer);
          socket.end();
          resolve();
        }
      } else if (received > expected) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error("unexpected reply bytes while loading keys"));
      }
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Loads `n` keys into the (emptied) server on `port`; returns { before, after, perKey, seconds }. */
export async function bytesPerKey(port, n) {
  await simple(port, ["FLUSHALL"]);
  const before = await info(port, "used_memory");
  const t0 = process.hrtime.bigint();
  await load(port, n);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const dbsize = await simple(port, ["DBSIZE"]);
  if (dbsize !== `:${n}\r\n`) throw new Error(`after loading ${n} keys DBSIZE says ${JSON.stringify(dbsize)}`);
  const after = await info(port, "used_memory");
  await simple(port, ["FLUSHALL"]);
  return { before, after, perKey: (after - before) / n, seconds };
}
