import type { Clock, TimerHandle } from "@switchyard/api";

/**
 * The waits of a loop (between retries, under a rate limit) on `clock`, which `wake()` cuts short
 * so that a loop that was stopped ends at once instead of at the end of its wait.
 */
export class WakeableSleep {
  private readonly clock: Clock;
  private timer: TimerHandle | undefined = undefined;
  private wakeUp: (() => void) | undefined = undefined;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Resolves after `ms`, or when `wake()` is called first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      this.timer = this.clock.setTimeout(done, ms);
    });
  }

  /** Ends the current wait now; does nothing when none is under way. */
  wake(): void {
    this.wakeUp?.();
  }
}
