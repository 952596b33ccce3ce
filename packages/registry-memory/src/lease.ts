import type { Clock, TimerHandle } from "@switchyard/api";

/**
 * The time-to-live of one registered instance: it expires `ttlMs` after it was taken or last
 * renewed. One timer per lease; a renewal only moves the deadline, and the timer, when it fires
 * early, sleeps again for the time left, so heartbeats cost no timer churn.
 */
export class Lease {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly onExpire: () => void;
  private deadline: number;
  private timer: TimerHandle | undefined;

  constructor(clock: Clock, ttlMs: number, onExpire: () => void) {
    this.clock = clock;
    this.ttlMs = ttlMs;
    this.onExpire = onExpire;
    this.deadline = clock.now() + ttlMs;
    this.timer = clock.setTimeout(this.check, ttlMs);
  }

  /** Moves the deadline to `ttlMs` from now. */
  renew(): void {
    this.deadline = this.clock.now() + this.ttlMs;
  }

  /** Drops the timer; the lease never expires afterwards. Idempotent. */
  cancel(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly check = (): void => {
    this.timer = undefined;
    const left = this.deadline - this.clock.now();
    if (left > 0) this.timer = this.clock.setTimeout(this.check, left);
    else this.onExpire();
  };
}
