// wedis-server's command line, in the shape of redis-server's:
//   wedis-server [/path/to/wedis.conf] [--name value …]
// The optional first argument is a config file (Redis syntax); `--name value…` flags follow and
// win over the file. A flag takes every following word up to the next `--`, so
// `--save 900 1 300 10` works as in Redis.
//
// The server listens first and then loads the AOF (appendonly yes), answering -LOADING meanwhile,
// as Redis does; an AOF that cannot be loaded stops the start with exit code 1.
//
// SIGINT/SIGTERM shut down gracefully: stop accepting, write and sync the AOF, close the clients
// (queued replies are still sent), log, exit 0. A second SIGINT while that is under way exits at
// once.
import { readFileSync, writeFileSync, unlinkSync } from "node:fs";
import { resolve } from "node:path";
import { Config, loadPairs, parseCommandLine, parseConfigText } from "./config.js";
import { Logger, type LogLevel } from "./log.js";
import { Engine } from "./engine.js";
import { REDIS_VERSION, WedisServer, listenAddress } from "./server.js";
import { allCommands } from "./commands/table.js";
import { missingHandlers } from "./commands/handlers.js";

function usage(): never {
  process.stderr.write(
    "Usage: wedis-server [/path/to/wedis.conf] [options]\n" +
      "       wedis-server -v or --version\n" +
      "       wedis-server -h or --help\n\n" +
      "Examples:\n" +
      "       wedis-server (run the server with default config)\n" +
      "       wedis-server /etc/wedis/6379.conf\n" +
      "       wedis-server --port 7777\n" +
      "       wedis-server /etc/mywedis.conf --loglevel verbose\n",
  );
  process.exit(1);
}

function fatal(message: string): never {
  process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Wedis ${REDIS_VERSION}) ***\n${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "-v" || argv[0] === "--version") {
    process.stdout.write(`Wedis server v=${REDIS_VERSION} (Redis-compatible) node=${process.version}\n`);
    process.exit(0);
  }
  if (argv[0] === "-h" || argv[0] === "--help") usage();

  const config = new Config();
  let args: ReturnType<typeof parseCommandLine>;
  try {
    args = parseCommandLine(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    usage();
  }
  try {
    if (args.file !== null) loadPairs(config, parseConfigText(readFileSync(args.file, "utf8")));
    loadPairs(config, args.pairs);
  } catch (err) {
    fatal(`Reading the configuration: ${(err as Error).message}`);
  }

  const log = new Logger();
  log.level = config.get("loglevel") as LogLevel;
  log.file = config.get("logfile");
  log.notice("oO0OoO0OoO0Oo Wedis is starting oO0OoO0OoO0Oo");
  log.notice(`Wedis version=${REDIS_VERSION}, pid=${process.pid}, just started`);
  log.notice(args.file ? `Configuration loaded from ${args.file}` : "No config file specified, using the default config.");

  // Resolved before chdir(dir): CONFIG REWRITE writes back to the file the user named.
  const configFile = args.file !== null ? resolve(args.file) : "";
  try {
    process.chdir(config.get("dir"));
  } catch (err) {
    fatal(`Can't chdir to '${config.get("dir")}': ${(err as Error).message}`);
  }
  const pidfile = config.get("pidfile");
  if (pidfile) writeFileSync(pidfile, `${process.pid}\n`);

  const engine = Engine.load();
  const server = new WedisServer(config, engine, log);
  server.configFile = configFile;
  const missing = missingHandlers(allCommands);
  if (missing.length > 0) log.warning(`Host commands without a handler (answered as unknown): ${missing.join(", ")}`);
  log.notice("Server initialized");
  let port: number;
  try {
    port = await server.listen(config.int("port"), listenAddress(config.get("bind")));
  } catch (err) {
    log.warning(`Failed listening on port ${config.int("port")} (tcp), aborting: ${(err as Error).message}`);
    process.exit(1);
  }
  server.fatalHook = () => process.exit(1);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warning("You insist... exiting now.");
      process.exit(1);
    }
    stopping = true;
    log.warning(`Received ${signal} scheduling shutdown...`);
    log.warning("User requested shutdown...");
    await server.close();
    if (pidfile) {
      try {
        unlinkSync(pidfile);
      } catch {
        // Already gone: nothing to clean.
      }
    }
    log.warning("Wedis is now ready to exit, bye bye...");
    process.exit(0);
  };
  server.exitHook = () => void shutdown("SHUTDOWN");
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  // The socket is open while the AOF loads: clients get -LOADING until it is done.
  try {
    await server.startPersistence();
  } catch (err) {
    log.warning((err as Error).message);
    process.exit(1);
  }
  log.notice(`Ready to accept connections tcp (port ${port})`);
}

await main();
