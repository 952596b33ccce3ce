import type { Metadata } from "@switchyard/api";

const EMPTY: Metadata = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * Copies string metadata into a frozen object with no prototype, so that keys such as
 * `__proto__` are stored as plain data. Entries whose value is not a string are dropped, and a
 * source that is not an object, or is an array, gives empty metadata (a string is never spread
 * into `{0: …}`): registry data must not break routing.
 */
export function toMetadata(source: Readonly<Record<string, unknown>> | undefined): Metadata {
  if (typeof source !== "object" || source === null || Array.isArray(source)) return EMPTY;
  const target = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value !== "string") continue;
    // defineProperty, not assignment: correct even for keys such as "__proto__".
    Object.defineProperty(target, key, { value, enumerable: true, writable: false, configurable: false });
    count++;
  }
  return count === 0 ? EMPTY : Object.freeze(target);
}
