// Positions on the ring: 32-bit hashes of keys and of nodes' points. No allocation: a key is read
// code unit by code unit, a point is derived from its node's address hash with integer mixing.

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The ring position of a key (or the hash of a node's address): 32-bit FNV-1a over the string's
 * UTF-16 code units, then murmur3's finaliser. The same string gives the same position in every
 * process and version of this package, so clients with the same node list agree on every key.
 */
export function hashKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

/**
 * The position of point `j` (0, 1, …) of a node whose address hashes to `seed`. A node's first
 * points stay where they are when it gets more (a heavier weight adds points, never moves them).
 */
export function pointOf(seed: number, j: number): number {
  return mix(seed ^ Math.imul(j + 1, 0x9e3779b9));
}
