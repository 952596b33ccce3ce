// The 32-bit string hash of subsetting, and of balancers that place keys and nodes on a ring. Its
// values are part of the contract: the same string and seed give the same hash in every process
// and version, so clients that see the same nodes make the same choices.

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. Returns an unsigned integer. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 32-bit FNV-1a over the string's UTF-16 code units (its offset basis XORed with `seed`, default
 * 0), then {@link mix32}. Allocates nothing. Returns an unsigned integer.
 */
export function hash32(text: string, seed = 0): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}
