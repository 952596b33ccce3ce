import type { Clock, TimerHandle } from "@switchyard/api";

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/** A clock that moves only when told to, with timers that fire as it moves. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order (each sees `now()` at its due time). */
  advance(ms: number): void;
  /**
   * Like {@link FakeClock.advance}, but lets promise callbacks run after each timer and at the
   * end, for code that schedules its next timer from an async continuation.
   */
  advanceAsync(ms: number): Promise<void>;
  /** Number of timers not yet fired or cleared. */
  pendingTimers(): number;
}

/** Creates a {@link FakeClock} that starts at `start` ms (default 0). */
export function createFakeClock(start = 0): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();

  const nextDue = (limit: number): Timer | undefined => {
    let found: Timer | undefined;
    for (const timer of timers.values()) {
      if (timer.due > limit) continue;
      if (found === undefined || timer.due < found.due || (timer.due === found.due && timer.id < found.id)) {
        found = timer;
      }
    }
    return found;
  };

  const fireNext = (target: number): boolean => {
    const timer = nextDue(target);
    if (timer === undefined) return false;
    timers.delete(timer.id);
    if (timer.due > now) now = timer.due;
    timer.callback();
    return true;
  };

  const checkStep = (ms: number): number => {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`FakeClock: cannot advance by ${ms} ms`);
    return now + ms;
  };

  return {
    now: () => now,
    setTimeout(callback: () => void, ms: number): TimerHandle {
      const id = nextId++;
      timers.set(id, { id, due: now + Math.max(0, Number.isFinite(ms) ? ms : 0), callback });
      return id;
    },
    clearTimeout(handle: TimerHandle): void {
      timers.delete(handle as number);
    },
    advance(ms: number): void {
      const target = checkStep(ms);
      while (fireNext(target)) {}
      now = target;
    },
    async advanceAsync(ms: number): Promise<void> {
      const target = checkStep(ms);
      await flushMicrotasks();
      while (fireNext(target)) await flushMicrotasks();
      now = target;
      await flushMicrotasks();
    },
    pendingTimers: () => timers.size,
  };
}

/** Lets every queued promise callback run (one macrotask turn). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
