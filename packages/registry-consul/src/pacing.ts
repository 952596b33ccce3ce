import type { Clock } from "@switchyard/api";
import type { Settings } from "./settings.js";

/**
 * A token bucket, as Consul's blocking-query guide recommends: `burst` queries may go back to back,
 * then one per `intervalMs`, so a result that keeps changing degrades into polling instead of a
 * busy loop, while the usual rare change is fetched at once.
 */
export class TokenBucket {
  private readonly clock: Clock;
  private readonly burst: number;
  private readonly intervalMs: number;
  private tokens: number;
  private last: number;

  constructor(clock: Clock, settings: Settings["rateLimit"]) {
    this.clock = clock;
    this.burst = settings.burst;
    this.intervalMs = settings.intervalMs;
    this.tokens = settings.burst;
    this.last = clock.now();
  }

  /** Takes a token; returns 0 when one was free, else how long to wait before asking again. */
  take(): number {
    const now = this.clock.now();
    if (this.intervalMs === 0) return 0;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) * this.intervalMs);
  }
}
