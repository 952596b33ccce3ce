import { InvalidArgumentError } from "@switchyard/api";
import { hash32 } from "./hash.js";

/** Default subset size of the transports' resolvers. */
export const DEFAULT_SUBSET_SIZE = 25;

/** A random client key, for callers that want each process to land on its own subset. */
export function randomSubsetKey(): string {
  return Math.random().toString(36).slice(2, 12);
}

/**
 * Picks `size` of `items` deterministically for `clientKey`, by rendezvous (highest random weight)
 * hashing of `clientKey` with each item's key: the same key over the same items always gives the
 * same subset; different keys spread over different subsets, each item landing in about
 * size/n of the clients' subsets; and when an item leaves or joins, at most one other member
 * changes. Returns `items` itself when it holds at most `size` items or `size` is 0 (disabled);
 * otherwise the chosen items in their original order.
 * @throws InvalidArgumentError when `size` is not a non-negative integer.
 */
export function subset<T>(
  items: readonly T[],
  clientKey: string,
  size: number,
  keyOf: (item: T) => string,
): readonly T[] {
  if (!Number.isInteger(size) || size < 0) {
    throw new InvalidArgumentError(`subset: size must be a non-negative integer (0 disables), got ${size}`);
  }
  if (size === 0 || items.length <= size) return items;
  const seed = hash32(clientKey);
  const scores = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const key = keyOf(items[i]!);
    // Tie-break equal hashes by the key itself, so the order is total and stable.
    scores[i] = hash32(key, seed);
  }
  const order = Array.from(items.keys());
  order.sort((a, b) => scores[b]! - scores[a]! || compare(keyOf(items[a]!), keyOf(items[b]!)));
  const chosen = order.slice(0, size).sort((a, b) => a - b);
  return chosen.map((i) => items[i]!);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
