// Splits a stream of RESP command arrays (an AOF, the engine's propagation buffer) into commands,
// each a list of arguments as latin1 strings. Deliberately independent of host/aof/reader.ts, so
// the tests of that reader do not check it against itself. Throws on anything malformed.
export function parseCommands(bytes: Uint8Array): string[][] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[][] = [];
  let i = 0;
  const line = (prefix: number): number => {
    if (b[i] !== prefix) throw new Error(`expected '${String.fromCharCode(prefix)}' at ${i}, got ${b[i]}`);
    const end = b.indexOf("\r\n", i);
    if (end < 0) throw new Error(`unterminated line at ${i}`);
    const n = Number(b.subarray(i + 1, end).toString("latin1"));
    i = end + 2;
    return n;
  };
  while (i < b.length) {
    if (b[i] === 0x23) {
      // "#…\r\n" annotation
      i = b.indexOf("\n", i) + 1;
      continue;
    }
    const argc = line(0x2a);
    const args: string[] = [];
    for (let k = 0; k < argc; k++) {
      const n = line(0x24);
      args.push(b.subarray(i, i + n).toString("latin1"));
      if (b[i + n] !== 0x0d || b[i + n + 1] !== 0x0a) throw new Error(`bulk not followed by CRLF at ${i + n}`);
      i += n + 2;
    }
    out.push(args);
  }
  return out;
}
