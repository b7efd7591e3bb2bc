// The text C's strerror gives for the errno behind a Node error, which is what Redis prints in
// its log lines and replies ("MISCONF Errors writing to the AOF file: No space left on device").
// Node's own text is libuv's, which mostly agrees in lower case ("ENOSPC: no space left on device,
// write"); where libuv words it differently from glibc, glibc's wording is kept here.
const GLIBC: Record<string, string> = {
  EIO: "Input/output error",
  EDQUOT: "Disk quota exceeded",
};

export function strerror(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code !== undefined && GLIBC[e.code] !== undefined) return GLIBC[e.code];
  const message = e.message ?? String(err);
  const m = /^[A-Z0-9_]+: (.+?), \w+/.exec(message);
  if (m === null) return message;
  return m[1].charAt(0).toUpperCase() + m[1].slice(1);
}
