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
