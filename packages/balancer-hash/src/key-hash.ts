// Positions on the ring: 32-bit hashes of keys and of nodes' points. No allocation: a key is read
// code unit by code unit, a point is derived from its node's address hash with integer mixing.
import { hash32, mix32 } from "@switchyard/selector-core";

/**
 * The ring position of a key (or the hash of a node's address): 32-bit FNV-1a over the string's
 * UTF-16 code units, then murmur3's finaliser (selector-core's `hash32`). The same string gives the
 * same position in every process and version of this package, so clients with the same node list
 * agree on every key.
 */
export function hashKey(text: string): number {
  return hash32(text);
}

/**
 * The position of point `j` (0, 1, …) of a node whose address hashes to `seed`. A node's first
 * points stay where they are when it gets more (a heavier weight adds points, never moves them).
 */
export function pointOf(seed: number, j: number): number {
  return mix32(seed ^ Math.imul(j + 1, 0x9e3779b9));
}
