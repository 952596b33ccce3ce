import { type Clock, InvalidArgumentError, type Logger, systemClock } from "@switchyard/api";

// The `clock` and `logger` options every component takes, checked the same way everywhere: when
// the component is created, with a message that names the call and says what fits.

/**
 * Checks a `clock` option: the system clock when it is left out, else an object with `now()`,
 * `setTimeout()` and `clearTimeout()`.
 * @throws InvalidArgumentError, starting with `where` (such as `etcd: createEtcdRegistry`), for
 * anything else.
 */
export function checkClock(value: unknown, where: string): Clock {
  if (value === undefined) return systemClock;
  const clock = value as Partial<Clock> | null;
  if (
    typeof clock !== "object" ||
    clock === null ||
    typeof clock.now !== "function" ||
    typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  ) {
    throw new InvalidArgumentError(
      `${where}: clock must have now(), setTimeout() and clearTimeout(); leave it out for the system clock, or pass createFakeClock() from @switchyard/testkit in tests`,
    );
  }
  return clock as Clock;
}

/**
 * Checks a `logger` option: `console` when it is left out, else an object with a `warn` method
 * (`debug` is optional).
 * @throws InvalidArgumentError, starting with `where`, for anything else.
 */
export function checkLogger(value: unknown, where: string): Logger {
  if (value === undefined) return console;
  if (typeof value !== "object" || value === null || typeof (value as Logger).warn !== "function") {
    throw new InvalidArgumentError(
      `${where}: logger must have a warn(message, details) method; console fits, or leave it out`,
    );
  }
  return value as Logger;
}

/** What {@link checkMs} checks against. */
export interface MsCheck {
  /** The component, the start of the message (such as `consul`). */
  readonly where: string;
  /** The option's name in the message (such as `heartbeat.ttlMs`). */
  readonly name: string;
  /** What a left-out value becomes. */
  readonly fallback: number;
  readonly min: number;
  /** Default `Infinity`: no upper bound. */
  readonly max?: number;
}

/**
 * Checks a duration option in milliseconds: `fallback` when it is left out, else a finite number
 * from `min` to `max`.
 * @throws InvalidArgumentError such as `consul: waitMs must be a number of milliseconds from 1 to
 * 600000, got 0` for anything else.
 */
export function checkMs(value: unknown, { where, name, fallback, min, max = Infinity }: MsCheck): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(
      `${where}: ${name} must be a number of milliseconds ${range}, got ${String(value)}`,
    );
  }
  return value;
}
