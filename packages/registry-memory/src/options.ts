import { type Clock, InvalidArgumentError, type RegistryCallOptions } from "@switchyard/api";

/** What {@link createMemoryRegistry} takes. */
export interface MemoryRegistryOptions {
  /**
   * Time-to-live of every registered instance, in ms: an instance that is neither re-registered
   * nor heart-beaten for this long is removed, and watchers see it leave. Default: none, instances
   * stay until deregistered. `Infinity` also means none.
   */
  readonly ttlMs?: number;
  /** The clock TTLs run on. Default: the system clock (`performance.now`, unref'd timers). */
  readonly clock?: Clock;
}

/** What `register` of a memory registry takes. */
export interface MemoryRegisterOptions extends RegistryCallOptions {
  /** TTL of this instance in ms, overriding the registry's `ttlMs`; `Infinity` for none. */
  readonly ttlMs?: number;
}

/**
 * Checks a TTL: a positive number of ms, `Infinity`, or `undefined`.
 * @throws InvalidArgumentError for anything else.
 */
export function checkTtl(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(
      `${where}: ttlMs must be a positive number of milliseconds, or Infinity for no expiry; got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Checks that a value has the three functions of a {@link Clock}.
 * @throws InvalidArgumentError when it does not.
 */
export function checkClock(value: unknown, where: string): Clock | undefined {
  if (value === undefined) return undefined;
  const clock = value as Partial<Clock> | null;
  if (
    typeof clock !== "object" ||
    clock === null ||
    typeof clock.now !== "function" ||
    typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  ) {
    throw new InvalidArgumentError(
      `${where}: clock must have now(), setTimeout() and clearTimeout(); pass createFakeClock() from @switchyard/testkit in tests, or leave it out`,
    );
  }
  return clock as Clock;
}
