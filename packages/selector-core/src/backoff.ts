import { InvalidArgumentError } from "@switchyard/api";
import { type SafeRandom, safeRandom } from "./safe-random.js";

/** What {@link createBackoff} takes; every field is optional. */
export interface BackoffOptions {
  /** The first delay, in ms. Default 1000 (or `maxMs`, when that is smaller and this is not set). */
  readonly initialMs?: number;
  /** The largest delay, in ms; no delay ever exceeds it. Default 30 000. */
  readonly maxMs?: number;
  /** Each delay is the previous one times this (before jitter), up to `maxMs`. Default 1.6. */
  readonly multiplier?: number;
  /**
   * Fraction from 0 to 1 by which a delay is shortened at random, so that clients which failed
   * together do not retry together: a delay of base `b` lands uniformly in `[b × (1 − jitter), b]`.
   * Default 0.2.
   */
  readonly jitter?: number;
  /**
   * Uniform random source in [0, 1); default `Math.random`. Tests pass a fixed one. A bad draw
   * never stops a retry: a number out of range counts as the nearest of 0 and 1, and NaN, a
   * non-number or a throw uses `Math.random`; the first is reported once as a process warning.
   */
  readonly random?: () => number;
}

/** The defaults of {@link createBackoff} (gRPC's connection-backoff shape, with a shorter cap). */
export const DEFAULT_BACKOFF = Object.freeze({
  initialMs: 1000,
  maxMs: 30_000,
  multiplier: 1.6,
  jitter: 0.2,
});

/** Exponential backoff with jitter and a cap, for retrying a watch or a registry call. */
export interface Backoff {
  /** The delay before the next attempt, in ms; each call grows the base for the one after. */
  next(): number;
  /** Starts over from the initial delay (call it after a success). */
  reset(): void;
}

class ExponentialBackoff implements Backoff {
  private base: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly multiplier: number;
  private readonly jitter: number;
  private readonly random: SafeRandom;

  constructor(initialMs: number, maxMs: number, multiplier: number, jitter: number, random: SafeRandom) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.multiplier = multiplier;
    this.jitter = jitter;
    this.random = random;
    this.base = initialMs;
  }

  next(): number {
    const base = this.base;
    this.base = Math.min(base * this.multiplier, this.maxMs);
    return base * (1 - this.jitter * this.random.next());
  }

  reset(): void {
    this.base = this.initialMs;
  }
}

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new InvalidArgumentError(`backoff: ${what}, got ${String(value)}`);
}

/**
 * Makes an exponential backoff: delays start at `initialMs`, grow by `multiplier` up to `maxMs`,
 * and are each shortened by a random fraction of at most `jitter`.
 * @throws InvalidArgumentError when `initialMs` or `maxMs` is not a positive finite number, `initialMs`
 * exceeds `maxMs`, `multiplier` is below 1, `jitter` is outside [0, 1], or `random` is not a function.
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  check(Number.isFinite(maxMs) && maxMs > 0, "maxMs must be a positive number of milliseconds", maxMs);
  const initialMs = options.initialMs ?? Math.min(DEFAULT_BACKOFF.initialMs, maxMs);
  check(
    Number.isFinite(initialMs) && initialMs > 0 && initialMs <= maxMs,
    `initialMs must be a positive number of milliseconds, at most maxMs (${maxMs})`,
    initialMs,
  );
  const multiplier = options.multiplier ?? DEFAULT_BACKOFF.multiplier;
  check(Number.isFinite(multiplier) && multiplier >= 1, "multiplier must be a number ≥ 1", multiplier);
  const jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
  check(jitter >= 0 && jitter <= 1, "jitter must be a fraction from 0 to 1", jitter);
  const random = options.random ?? Math.random;
  check(typeof random === "function", "random must be a function returning a number in [0, 1)", random);
  return new ExponentialBackoff(initialMs, maxMs, multiplier, jitter, safeRandom(random, "backoff"));
}
