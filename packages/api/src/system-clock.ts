import type { Clock, TimerHandle } from "./clock.js";

/**
 * The process clock every package falls back to when no `clock` option is given:
 * `performance.now()` for time, unref'd `setTimeout` for timers, so a pending backoff, heartbeat
 * or TTL never keeps the process alive.
 */
export const systemClock: Clock = {
  now(): number {
    return performance.now();
  },
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
