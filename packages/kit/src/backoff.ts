import { InvalidArgumentError } from "@switchyard/api";
import { SafeRandom } from "./safe-random.js";

/** Retry delays: exponential, capped, with jitter. Every field is optional. */
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

/** {@link BackoffOptions} checked by {@link checkBackoff}, every field filled in. */
export type BackoffSettings = Readonly<Required<BackoffOptions>>;

/**
 * The defaults of every Switchyard backoff (the resolver loop, the registries' watches and
 * re-registrations): gRPC's connection-backoff shape (1 s, ×1.6, 20 % jitter) with a 30 s cap.
 */
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

/** Where {@link checkBackoff} reports a bad option, and what it falls back to. */
export interface BackoffCheck {
  /** Starts every message: the call that took the options, such as `etcd: createEtcdRegistry`. */
  readonly where: string;
  /** The options' name in messages (`backoff` makes them say `backoff.jitter`); default none. */
  readonly name?: string;
  /** The random source when the options have none (a component's own `random`); default `Math.random`. */
  readonly random?: () => number;
}

class ExponentialBackoff implements Backoff {
  private base: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly multiplier: number;
  private readonly jitter: number;
  private readonly random: SafeRandom;

  constructor(settings: BackoffSettings, component: string) {
    this.initialMs = settings.initialMs;
    this.maxMs = settings.maxMs;
    this.multiplier = settings.multiplier;
    this.jitter = settings.jitter;
    this.random = new SafeRandom(settings.random, component);
    this.base = settings.initialMs;
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

const isMs = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value) && value > 0;

/**
 * Checks backoff options and fills in {@link DEFAULT_BACKOFF}: the one validator every component
 * uses, so that a component checks its options when it is created, not when it first retries.
 * @throws InvalidArgumentError, starting with `check.where`, when the options are not an object,
 * `initialMs` or `maxMs` is not a positive finite number, `initialMs` exceeds `maxMs`, `multiplier`
 * is below 1, `jitter` is outside [0, 1], or `random` is not a function.
 */
export function checkBackoff(options: unknown, check: BackoffCheck): BackoffSettings {
  const prefix = check.name === undefined ? "" : `${check.name}.`;
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`${check.where}: ${message}`);
  };
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    fail(
      `${check.name ?? "backoff options"} must be an object such as { initialMs: 1000, maxMs: 30000 }, got ${String(options)}`,
    );
  }
  const given = (options ?? {}) as BackoffOptions;
  const maxMs = given.maxMs ?? DEFAULT_BACKOFF.maxMs;
  if (!isMs(maxMs)) fail(`${prefix}maxMs must be a positive number of milliseconds, got ${String(maxMs)}`);
  const initialMs = given.initialMs ?? Math.min(DEFAULT_BACKOFF.initialMs, maxMs);
  if (!isMs(initialMs)) {
    fail(`${prefix}initialMs must be a positive number of milliseconds, got ${String(initialMs)}`);
  }
  if (initialMs > maxMs) fail(`${prefix}initialMs (${initialMs}) must not exceed ${prefix}maxMs (${maxMs})`);
  const multiplier = given.multiplier ?? DEFAULT_BACKOFF.multiplier;
  if (typeof multiplier !== "number" || !Number.isFinite(multiplier) || multiplier < 1) {
    fail(`${prefix}multiplier must be a number ≥ 1, got ${String(multiplier)}`);
  }
  const jitter = given.jitter ?? DEFAULT_BACKOFF.jitter;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
    fail(`${prefix}jitter must be a fraction from 0 to 1, got ${String(jitter)}`);
  }
  const random = given.random ?? check.random ?? Math.random;
  if (typeof random !== "function") {
    fail(`${prefix}random must be a function returning a number in [0, 1), got ${typeof random}`);
  }
  return Object.freeze({ initialMs, maxMs, multiplier, jitter, random });
}

/**
 * Makes an exponential backoff: delays start at `initialMs`, grow by `multiplier` up to `maxMs`,
 * and are each shortened by a random fraction of at most `jitter` (defaults in
 * {@link DEFAULT_BACKOFF}). Draws go through {@link SafeRandom}: a bad one is repaired and reported
 * once, naming `component` (default `backoff`).
 * @throws InvalidArgumentError as {@link checkBackoff} does.
 */
export function createBackoff(options: BackoffOptions = {}, component = "backoff"): Backoff {
  return new ExponentialBackoff(checkBackoff(options, { where: component }), component);
}
