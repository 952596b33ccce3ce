/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * The source of time for everything in Switchyard that measures or waits: ewma decay, p2c's
 * probe gap, registry backoff and heartbeats. Production code uses `systemClock` from this
 * package; tests use the fake clock from `@switchyard/testkit`, so no test sleeps on wall-clock
 * time.
 */
export interface Clock {
  /** Monotonic time in milliseconds (fractional). Only differences are meaningful. */
  now(): number;
  /**
   * Calls `callback` once after `ms` milliseconds. A system clock unrefs the timer, so a pending
   * timer never keeps the process alive.
   */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setTimeout}; a handle that already fired is ignored. */
  clearTimeout(handle: TimerHandle): void;
}
