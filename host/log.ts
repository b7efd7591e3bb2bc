// Redis-style log lines: `pid:M dd Mon yyyy hh:mm:ss.mmm <level> message`, where the level mark
// is '.' debug, '-' verbose, '*' notice, '#' warning. Written to stdout, or appended to
// `logfile` when one is configured, so existing tooling that tails Redis logs reads ours.
import { appendFileSync } from "node:fs";

export type LogLevel = "debug" | "verbose" | "notice" | "warning";

const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK: Record<LogLevel, string> = { debug: ".", verbose: "-", notice: "*", warning: "#" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export class Logger {
  level: LogLevel = "notice";
  file = "";
  /** When false nothing is written (tests start servers in-process and want quiet output). */
  enabled = true;

  log(level: LogLevel, message: string): void {
    if (!this.enabled || RANK[level] < RANK[this.level]) return;
    const d = new Date();
    const stamp = `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
    const line = `${process.pid}:M ${stamp} ${MARK[level]} ${message}\n`;
    if (this.file) {
      try {
        appendFileSync(this.file, line);
        return;
      } catch {
        // Fall through to stdout: losing the log line would hide the very problem.
      }
    }
    process.stdout.write(line);
  }

  debug(m: string): void { this.log("debug", m); }
  verbose(m: string): void { this.log("verbose", m); }
  notice(m: string): void { this.log("notice", m); }
  warning(m: string): void { this.log("warning", m); }
}
