// Engine-wide state for the command being executed: the client's database and the clock.

/** Database index of the client whose batch is running. */
export let currentDb: i32 = 0;
/** Wall-clock milliseconds, set once per batch by the host. */
export let now: i64 = 0;

export function setCurrentDb(db: i32): void {
  currentDb = db;
}

export function setNow(ms: i64): void {
  now = ms;
}
