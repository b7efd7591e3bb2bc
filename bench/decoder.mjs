// Micro-benchmark of the RESP decoder: a 16-command pipeline (SET/GET pairs) parsed per feed().
// Run: npx tsc -p tsconfig.json && node bench/decoder.mjs
import { RespDecoder } from "../dist/host/resp/decoder.js";

function frame(...args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

function pipeline(base) {
  let s = "";
  for (let i = 0; i < 8; i++) {
    const key = "key:" + String(base + i).padStart(12, "0");
    s += frame("SET", key, "xxx") + frame("GET", key);
  }
  return Buffer.from(s);
}

function bench(name, chunks, cmdsPerRound, rounds) {
  const dec = new RespDecoder();
  let sink = 0;
  const run = (n) => {
    for (let r = 0; r < n; r++) {
      for (const c of chunks) {
        const b = dec.feed(c);
        sink += b.count + b.argLen[b.first[0]];
      }
    }
  };
  run(Math.min(rounds, 20000)); // warm up
  const t0 = process.hrtime.bigint();
  run(rounds);
  const ns = Number(process.hrtime.bigint() - t0);
  const per = ns / (rounds * cmdsPerRound);
  console.log(`${name}: ${per.toFixed(1)} ns/command (${rounds * cmdsPerRound} commands, sink ${sink % 7})`);
  return per;
}

const pipe = pipeline(1);
bench("16-command pipeline, one chunk", [pipe], 16, 200000);
// The same stream cut in the middle of a command every time (exercises the pending path).
const cut = Math.floor(pipe.length / 2) + 3;
bench("16-command pipeline, split mid-command", [pipe.subarray(0, cut), pipe.subarray(cut)], 16, 100000);
// A read of many pipelines (like redis-benchmark -P 16 with several clients' worth of data).
const big = Buffer.concat(Array.from({ length: 64 }, (_, i) => pipeline(i * 8)));
bench("1024-command read", [big], 1024, 3000);
const inline = Buffer.from("SET key:000000000001 xxx\r\nGET key:000000000001\r\n".repeat(8));
bench("16 inline commands", [inline], 16, 100000);

// A 100 MB value arriving in 64 KB reads: must be gathered, not re-copied per read.
{
  const size = 100 * 1024 * 1024;
  const input = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`), Buffer.alloc(size, 0x78), Buffer.from("\r\n")]);
  const dec = new RespDecoder();
  const t0 = process.hrtime.bigint();
  let got = 0;
  for (let i = 0; i < input.length; i += 65536) got += dec.feed(input.subarray(i, i + 65536)).count;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`100 MB bulk in 64 KB reads: ${ms.toFixed(1)} ms, commands ${got}, joins ${dec.stats.concats}, bytes copied ${(dec.stats.copiedBytes / 1048576).toFixed(1)} MB`);
}
