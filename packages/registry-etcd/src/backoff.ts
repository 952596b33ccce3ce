/** The delays {@link Backoff} works with, all checked by the settings. */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
}

/**
 * Exponential backoff with a cap and jitter, for retrying a watch or a lost registration: delays
 * start at `initialMs`, grow by `multiplier` up to `maxMs`, and each is shortened by a random
 * fraction of at most `jitter`, so that clients which failed together do not retry together.
 */
export class Backoff {
  private readonly settings: BackoffSettings;
  private readonly random: () => number;
  private base: number;

  constructor(settings: BackoffSettings, random: () => number) {
    this.settings = settings;
    this.random = random;
    this.base = settings.initialMs;
  }

  /** The delay before the next attempt, in ms; each call grows the one after. */
  next(): number {
    const base = this.base;
    this.base = Math.min(base * this.settings.multiplier, this.settings.maxMs);
    return base * (1 - this.settings.jitter * this.random());
  }

  /** Starts over from the initial delay (after a success). */
  reset(): void {
    this.base = this.settings.initialMs;
  }
}
