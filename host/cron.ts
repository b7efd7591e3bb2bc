// Background work run from the server's hz timer: active expiry, incremental rehashing, and the
// network-rate samples INFO reports.
//
// Active expiry follows Redis's "slow cycle": each tick may spend about 25% of the tick period
// (`1000 / hz` ms) deleting keys whose TTL passed but that nobody touched. The engine does the
// sampling (`activeExpireCycle(nowMs, budget)`: test up to `budget` volatile keys, return 1 when
// it stopped because the budget ran out while a database still looked stale). Calling it in
// small slices and checking the clock between them keeps the host in charge of time without
// the engine needing a clock of its own: one slice of 200 keys costs a few microseconds, so the
// 25% limit is overshot by at most one slice. `active-expire-effort` scales the slice the way it
// scales Redis's keys-per-loop. When a tick hits the time limit Redis counts it in
// `expired_time_cap_reached_count`, and the time spent goes to `expire_cycle_cpu_milliseconds`.
//
// DEBUG SET-ACTIVE-EXPIRE 0 turns the expiry part off (tests use it to observe lazy expiry);
// `activerehashing no` turns off the rehash step. The instantaneous ops/sec sample and the client
// `timeout` check are done by the server core's own cron (host/server.ts), which calls this one
// through `cronHooks`.
import type { WedisServer } from "./server.js";

/** Keys tested per engine call at active-expire-effort 1 (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP is 20 per db loop). */
const EXPIRE_SLICE_KEYS = 200;
/** Share of the cron period active expiry may use (Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
const EXPIRE_TIME_PERC = 25;
/** Buckets moved per rehash step and table (Redis rehashes 100 buckets per ms slice). */
const REHASH_STEPS = 100;
/** Samples kept for the instantaneous network rates (Redis's STATS_METRIC_SAMPLES). */
const SAMPLES = 16;
/** Minimum interval between rate samples (Redis samples every 100 ms). */
const SAMPLE_MS = 100;

export interface CronState {
  /** DEBUG SET-ACTIVE-EXPIRE. */
  activeExpire: boolean;
  /** Milliseconds spent in active expiry since start or CONFIG RESETSTAT. */
  expireCycleMs: number;
  /** Ticks that stopped because they used their whole time share. */
  expireTimeCapReached: number;
  /** Moving averages of input/output bytes per second. */
  inputRate: Float64Array;
  outputRate: Float64Array;
  rateIdx: number;
  lastIn: number;
  lastOut: number;
  lastSampleMs: number;
}

const states = new WeakMap<WedisServer, CronState>();

/** The cron state of `server` (created on first use; installCron registers the tick). */
export function cronState(server: WedisServer): CronState {
  let st = states.get(server);
  if (!st) {
    st = {
      activeExpire: true,
      expireCycleMs: 0,
      expireTimeCapReached: 0,
      inputRate: new Float64Array(SAMPLES),
      outputRate: new Float64Array(SAMPLES),
      rateIdx: 0,
      lastIn: server.stats.netInputBytes,
      lastOut: server.stats.netOutputBytes,
      lastSampleMs: Date.now(),
    };
    states.set(server, st);
  }
  return st;
}

const installed = new WeakSet<WedisServer>();

/** Registers the background tick on `server` (idempotent). */
export function installCron(server: WedisServer): void {
  if (installed.has(server)) return;
  installed.add(server);
  cronState(server);
  server.cronHooks.push(() => cronTick(server));
}

/** One tick of background work; exported so tests can drive it without waiting for the timer. */
export function cronTick(server: WedisServer, nowMs = Date.now()): void {
  const st = cronState(server);
  sampleRates(server, st, nowMs);
  // Clients' buffers count against maxmemory, as in Redis: the engine evicts for them too.
  server.engine.x.setHostMemory(clientBufferBytes(server));
  if (st.activeExpire) activeExpire(server, st);
  if (server.config.bool("activerehashing")) server.engine.x.rehashStep(REHASH_STEPS);
}

/** Bytes held for clients: unparsed input, replies being built and replies not yet sent. */
export function clientBufferBytes(server: WedisServer): number {
  let n = 0;
  for (const c of server.clients.values()) n += c.decoder.pending() + c.reply.length + c.socket.writableLength;
  return n;
}

function activeExpire(server: WedisServer, st: CronState): void {
  const hz = Math.max(1, server.config.int("hz"));
  const limitMs = (1000 / hz) * (EXPIRE_TIME_PERC / 100);
  const effort = server.config.int("active-expire-effort");
  const slice = Math.round(EXPIRE_SLICE_KEYS * (1 + (effort - 1) / 4));
  const x = server.engine.x;
  const start = performance.now();
  let elapsed = 0;
  for (;;) {
    const more = x.activeExpireCycle(Date.now(), slice);
    elapsed = performance.now() - start;
    if (!more) break;
    if (elapsed >= limitMs) {
      st.expireTimeCapReached++;
      break;
    }
  }
  st.expireCycleMs += elapsed;
}

function sampleRates(server: WedisServer, st: CronState, nowMs: number): void {
  const dt = nowMs - st.lastSampleMs;
  if (dt < SAMPLE_MS) return;
  const { netInputBytes, netOutputBytes } = server.stats;
  // A CONFIG RESETSTAT in between makes the counters go backwards: count that sample as 0.
  st.inputRate[st.rateIdx] = Math.max(0, ((netInputBytes - st.lastIn) * 1000) / dt);
  st.outputRate[st.rateIdx] = Math.max(0, ((netOutputBytes - st.lastOut) * 1000) / dt);
  st.rateIdx = (st.rateIdx + 1) % SAMPLES;
  st.lastIn = netInputBytes;
  st.lastOut = netOutputBytes;
  st.lastSampleMs = nowMs;
}

/** Average of the samples of a rate (bytes per second). */
export function averageRate(samples: Float64Array): number {
  let sum = 0;
  for (const v of samples) sum += v;
  return sum / samples.length;
}

/** CONFIG RESETSTAT: clears the counters kept here. */
export function resetCronStats(server: WedisServer): void {
  const st = cronState(server);
  st.expireCycleMs = 0;
  st.expireTimeCapReached = 0;
  st.inputRate.fill(0);
  st.outputRate.fill(0);
  st.lastIn = server.stats.netInputBytes;
  st.lastOut = server.stats.netOutputBytes;
}
