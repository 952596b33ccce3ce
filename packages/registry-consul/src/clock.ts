import type { Clock, TimerHandle } from "@switchyard/api";

/**
 * The process clock: `performance.now()` for time, unref'd `setTimeout` for timers, so a pending
 * heartbeat or backoff never keeps the process alive.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
