// Timers of the system clock are unref'd, so background loops (watch retries, heartbeats) never keep
// a process alive. A wait the user is awaiting is different: `await client.ready()` or a pending
// `watcher.next()` with nothing else scheduled must not let Node exit with "unsettled top-level
// await" (code 13). One ref'd interval, counted, is held while any such wait is pending.

/** Longer than any wait; the interval only holds the event loop open, it never does work. */
const HOLD_PERIOD_MS = 1_000_000_000;

let holders = 0;
let handle: ReturnType<typeof setInterval> | undefined;

function idle(): void {}

/**
 * Keeps the process alive until the returned release function is called (a pending wait a user
 * awaits). Holds are counted, so any number of waits share one ref'd timer; releasing twice is
 * harmless. Costs nothing per wait beyond a counter and a closure.
 */
export function holdProcess(): () => void {
  holders++;
  if (handle === undefined) handle = setInterval(idle, HOLD_PERIOD_MS);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders--;
    if (holders === 0 && handle !== undefined) {
      clearInterval(handle);
      handle = undefined;
    }
  };
}

/** How many holds are pending (for tests). */
export function pendingHolds(): number {
  return holders;
}
