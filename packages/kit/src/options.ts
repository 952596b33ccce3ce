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
