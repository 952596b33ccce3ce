import { InvalidArgumentError } from "@switchyard/api";

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per first attempt, over time (default 0.1: at most one retry per ten requests). */
  readonly ratio?: number;
  /** Retries available at start and never refilled past (default 10). */
  readonly maxTokens?: number;
}

/**
 * A token bucket that bounds retries to a share of the traffic, so that during an outage retries
 * cannot multiply the load (Finagle's and gRPC's retry throttling work the same way): every first
 * attempt deposits `ratio` tokens, every retry withdraws one, and the bucket holds at most
 * `maxTokens`.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly max: number;
  private tokens: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.1;
    this.max = options.maxTokens ?? 10;
    if (!(this.ratio >= 0 && this.ratio <= 1)) {
      throw new InvalidArgumentError(
        `transport-http: retry budget ratio must be within [0, 1], got ${options.ratio}`,
      );
    }
    if (!(this.max >= 1) || !Number.isFinite(this.max)) {
      throw new InvalidArgumentError(
        `transport-http: retry budget maxTokens must be ≥ 1, got ${options.maxTokens}`,
      );
    }
    this.tokens = this.max;
  }

  /** Records a first attempt. */
  deposit(): void {
    this.tokens = Math.min(this.max, this.tokens + this.ratio);
  }

  /** Takes a token for one retry; `false` when the budget is spent. */
  withdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens left, for tests and metrics. */
  available(): number {
    return this.tokens;
  }
}
