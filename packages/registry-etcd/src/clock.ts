import type { Clock, TimerHandle } from "@switchyard/api";

/**
 * The clock this package falls back to when no `clock` option is given: `performance.now()` for
 * time and unref'd `setTimeout` for timers, so a pending retry never keeps the process alive.
 * Kept here (not taken from selector-core) so the package depends on the API and etcd3 alone.
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
