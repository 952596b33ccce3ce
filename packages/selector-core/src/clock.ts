import type { Clock, TimerHandle } from "@switchyard/api";

const now = performance.now.bind(performance);

/**
 * The process clock: `performance.now()` for time, unref'd `setTimeout` for timers, so a pending
 * backoff or heartbeat never keeps the process alive.
 */
export const systemClock: Clock = {
  now,
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
